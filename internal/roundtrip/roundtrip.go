// Package roundtrip counts the round trips a client makes to a server, at
// the connection, below any client library's notion of a command.
package roundtrip

import (
	"context"
	"net"
	"sync/atomic"
)

// Counter counts round trips on the connections it dials: a trip starts
// whenever a connection writes for the first time or after it has read.
// Pipelined commands written together are one trip.
type Counter struct {
	trips atomic.Int64
}

// Trips is the number of round trips since the last Reset.
func (c *Counter) Trips() int64 { return c.trips.Load() }

// Reset sets the count to zero.
func (c *Counter) Reset() { c.trips.Store(0) }

// Dial dials TCP and counts the connection's round trips. It has the
// signature client libraries take for a custom dialer.
func (c *Counter) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cc := &countingConn{Conn: conn, c: c}
	cc.read.Store(true)
	return cc, nil
}

type countingConn struct {
	net.Conn
	c    *Counter
	read atomic.Bool // read since the last write, or new
}

func (cc *countingConn) Write(b []byte) (int, error) {
	if cc.read.Swap(false) {
		cc.c.trips.Add(1)
	}
	return cc.Conn.Write(b)
}

func (cc *countingConn) Read(b []byte) (int, error) {
	n, err := cc.Conn.Read(b)
	if n > 0 {
		cc.read.Store(true)
	}
	return n, err
}
