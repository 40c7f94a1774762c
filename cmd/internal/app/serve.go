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
	"github.com/sealjwt/sealjwt/replay"
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
// host:port) and checks that it answers, so a wrong address fails at
// startup rather than as 503s later. close releases the client.
func RedisStore(ctx context.Context, url string) (store replay.Store, close func() error, err error) {
	if !strings.Contains(url, "://") {
		url = "redis://" + url
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("--redis %q: %v; expected a URL such as redis://127.0.0.1:6379/0 or host:port", url, err)
	}
	client := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("redis at %s: %w", opts.Addr, err)
	}
	return redisstore.New(client), client.Close, nil
}
