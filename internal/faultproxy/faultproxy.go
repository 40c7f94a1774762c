// Package faultproxy is a TCP proxy for tests that puts the faults real
// stores have between the code and a Redis or PostgreSQL server: a pause
// (the server stops answering, as under SIGSTOP), a black hole, a reply
// lost after the command ran, slow replies and dropped connections. The
// shared servers are never stopped: only the path to them misbehaves.
package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy forwards every connection made to Addr to the target.
type Proxy struct {
	target string
	ln     net.Listener

	mu      sync.Mutex
	changed *sync.Cond // broadcast whenever a mode changes
	paused  bool
	hole    bool
	drop    int // server-to-client chunks still to drop, each closing its connection
	delay   time.Duration
	conns   map[net.Conn]struct{}
	closed  bool
}

// New starts a proxy on 127.0.0.1 to target, closed when the test ends.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := Start(target)
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// Start starts a proxy on 127.0.0.1 to target, for programs outside
// tests; the caller closes it.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.changed = sync.NewCond(&p.mu)
	go p.accept()
	return p, nil
}

// Addr is the address the code under test connects to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Pause holds every byte in both directions, as a server stopped with
// SIGSTOP does: connections stay open, and commands sent meanwhile (even
// by a client that gave up and closed its connection) reach the server on
// Resume.
func (p *Proxy) Pause() { p.set(func() { p.paused = true }) }

// Resume delivers what Pause held and forwards again.
func (p *Proxy) Resume() { p.set(func() { p.paused = false }) }

// BlackHole discards every byte in both directions; connections stay open.
func (p *Proxy) BlackHole() { p.set(func() { p.hole = true }) }

// DropReplies makes the next n chunks from the server vanish: each is
// discarded and its client connection closed, so the command ran but its
// reply never arrived.
func (p *Proxy) DropReplies(n int) { p.set(func() { p.drop = n }) }

// DelayReplies holds each chunk from the server for d before sending it.
func (p *Proxy) DelayReplies(d time.Duration) { p.set(func() { p.delay = d }) }

// Heal ends every fault: forwarding is normal again and held bytes flow.
func (p *Proxy) Heal() {
	p.set(func() { p.paused, p.hole, p.drop, p.delay = false, false, 0, 0 })
}

// Reset closes every open connection at once, as a server restart looks
// from the client; new connections are forwarded as before.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
}

func (p *Proxy) set(change func()) {
	p.mu.Lock()
	change()
	p.mu.Unlock()
	p.changed.Broadcast()
}

// Close stops the proxy: held bytes are released and every connection
// is closed.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed, p.paused = true, false
	p.mu.Unlock()
	p.changed.Broadcast()
	_ = p.ln.Close()
	p.Reset()
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		if !p.track(client, server) {
			return
		}
		go p.pump(client, server, false)
		go p.pump(server, client, true)
	}
}

func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

// pump copies src to dst chunk by chunk, applying the faults in force when
// each chunk arrives. When src ends, dst's write side is closed, so a
// client that gave up still has its last command delivered.
func (p *Proxy) pump(src, dst net.Conn, reply bool) {
	defer p.forget(dst)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.forward(dst, src, buf[:n], reply) {
			return
		}
		if err != nil {
			if tc, ok := dst.(*net.TCPConn); ok && errors.Is(err, io.EOF) {
				_ = tc.CloseWrite()
				return
			}
			return
		}
	}
}

// forward sends one chunk after the faults in force; false ends the pump.
func (p *Proxy) forward(dst, src net.Conn, chunk []byte, reply bool) bool {
	p.mu.Lock()
	for p.paused && !p.closed {
		p.changed.Wait()
	}
	hole, delay := p.hole, p.delay
	drop := reply && p.drop > 0
	if drop {
		p.drop--
	}
	p.mu.Unlock()
	switch {
	case hole:
		return true
	case drop:
		_ = dst.Close()
		_ = src.Close()
		return false
	}
	if reply && delay > 0 {
		time.Sleep(delay)
	}
	_, err := dst.Write(chunk)
	return err == nil
}

func (p *Proxy) forget(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
