package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sealjwt/sealjwt/replay/redisstore"
)

const shutdownTimeout = 5 * time.Second

// Timeouts bound how long a client may hold a connection: until its
// headers are in (the envelope travels with them), between requests, and,
// through the Receiver's BodyTimeout, while its body arrives.
type Timeouts struct {
	ReadHeader time.Duration
	Idle       time.Duration
	// HeaderTimedOut, when set, is called for each connection closed
	// because its first request's headers did not arrive within
	// ReadHeader: net/http closes it without a reply, before any handler
	// could count it.
	HeaderTimedOut func()
}

// DefaultTimeouts are the receiver's defaults.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Idle: 60 * time.Second}

// Serve serves h on ln until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, t Timeouts) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, IdleTimeout: t.Idle}
	if t.HeaderTimedOut != nil && t.ReadHeader > 0 {
		(&headerCuts{readHeader: t.ReadHeader, timedOut: t.HeaderTimedOut}).install(srv)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// headerCuts counts connections that net/http closed because a request's
// headers did not arrive within readHeader: closed while a request was
// being read (or before any byte came), no handler having run for it, at
// least readHeader after the connection opened or the request began. A
// client that connects and leaves at once is not counted.
type headerCuts struct {
	readHeader time.Duration
	timedOut   func()
	conns      sync.Map // net.Conn -> *connTrack
}

// connTrack is one connection's state: since when it has been reading a
// request, and whether a handler got that request.
type connTrack struct {
	since   atomic.Int64 // Unix ns
	handled atomic.Bool
}

type connTrackKey struct{}

func (h *headerCuts) install(srv *http.Server) {
	next := srv.Handler
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		t := &connTrack{}
		t.since.Store(time.Now().UnixNano())
		h.conns.Store(c, t)
		return context.WithValue(ctx, connTrackKey{}, t)
	}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := r.Context().Value(connTrackKey{}).(*connTrack); ok {
			t.handled.Store(true)
		}
		next.ServeHTTP(w, r)
	})
	srv.ConnState = h.connState
}

func (h *headerCuts) connState(c net.Conn, state http.ConnState) {
	v, ok := h.conns.Load(c)
	if !ok {
		return
	}
	t := v.(*connTrack)
	switch state {
	case http.StateIdle: // between requests: the next one starts afresh
		t.handled.Store(false)
		t.since.Store(time.Now().UnixNano())
	case http.StateHijacked:
		h.conns.Delete(c)
	case http.StateClosed:
		h.conns.Delete(c)
		if !t.handled.Load() && time.Since(time.Unix(0, t.since.Load())) >= h.readHeader {
			h.timedOut()
		}
	}
}

// Background starts h on 127.0.0.1 with a free port and returns its base
// URL and a stop function that waits for the server to end.
func Background(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = Serve(ctx, ln, h, DefaultTimeouts)
	}()
	stop := func() { cancel(); <-done }
	return "http://" + ln.Addr().String(), stop, nil
}

// quietRedis drops go-redis's own log lines (pool and reconnect notices),
// which would reach stderr ahead of the error the command reports.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietRedis{}) }

// RedisStore connects to the Redis at url (redis://host:port/db, or a bare
// host:port) and reads (or creates) the store's epoch, so a wrong address
// fails at startup rather than as 503s later; it returns the time the
// store's data begins. resetMargin is how far senders' clocks may run
// ahead (the verifier's leeway): after the store lost its data, messages
// issued before the new epoch plus it are refused. close releases the
// client.
func RedisStore(ctx context.Context, url string, resetMargin time.Duration) (store *redisstore.Store, epoch time.Time, close func() error, err error) {
	if !strings.Contains(url, "://") {
		url = "redis://" + url
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, time.Time{}, nil, fmt.Errorf("--redis %q: %v; expected a URL such as redis://127.0.0.1:6379/0 or host:port", url, err)
	}
	client := redis.NewClient(redisstore.ClientOptions(opts))
	if store, err = redisstore.New(client, redisstore.WithResetMargin(resetMargin)); err != nil {
		client.Close()
		return nil, time.Time{}, nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if epoch, err = store.Epoch(sctx); err != nil {
		client.Close()
		return nil, time.Time{}, nil, fmt.Errorf("redis at %s: %w", opts.Addr, err)
	}
	return store, epoch, client.Close, nil
}
