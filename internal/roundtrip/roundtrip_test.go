package roundtrip

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
)

// TestCountsWritesAfterReads: pipelined writes are one trip; each write
// after a read starts another.
func TestCountsWritesAfterReads(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // echoes each line
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, line)
		}
	}()
	var counter Counter
	conn, err := counter.Dial(context.Background(), "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	exchange := func(lines ...string) {
		for _, s := range lines {
			if _, err := io.WriteString(conn, s+"\n"); err != nil {
				t.Fatal(err)
			}
		}
		for range lines {
			if _, err := r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
	}
	exchange("a", "b", "c")
	if got := counter.Trips(); got != 1 {
		t.Fatalf("three pipelined lines: %d trips, want 1", got)
	}
	exchange("d")
	exchange("e")
	if got := counter.Trips(); got != 3 {
		t.Fatalf("then two exchanges: %d trips, want 3", got)
	}
	counter.Reset()
	if got := counter.Trips(); got != 0 {
		t.Fatalf("after Reset: %d trips", got)
	}
}
