package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
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
}

// DefaultTimeouts are the receiver's defaults.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Idle: 60 * time.Second}

// Serve serves h on ln until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, t Timeouts) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, IdleTimeout: t.Idle}
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
	store = redisstore.New(client, redisstore.WithResetMargin(resetMargin))
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if epoch, err = store.Epoch(sctx); err != nil {
		client.Close()
		return nil, time.Time{}, nil, fmt.Errorf("redis at %s: %w", opts.Addr, err)
	}
	return store, epoch, client.Close, nil
}
