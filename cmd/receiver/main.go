// Command receiver is the demo receiver. It publishes its public keys at
// /.well-known/jwks.json and accepts sealed requests from trusted senders
// at GET / and POST /messages, replying sealed. It logs each refusal with
// its reason, and each accepted message at the debug level only.
//
// With --signed-only it serves the shared-secret flow instead: GET / and
// GET /messages answer "Hello World" to a request whose Token header holds
// a valid HS256 JWT, and 401 to anything else.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/cmd/internal/metrics"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/transport"
)

var command = cli.Command{
	Name: "receiver",
	Args: "[--addr ADDR] [--id ID] --key RECEIVER.jwk --trust ISSUER=SENDER.pub.jwk... [--redis URL]\n       receiver --signed-only [--addr ADDR] [--id ID] [--iss ISSUER] [--secret S] [--tutorial]",
	Summary: `Serves the receiver's public keys at ` + transport.DefaultJWKSPath + ` and, for sealed
requests from trusted senders, GET / and POST ` + app.MessagesPath + `, and replies sealed.
--redis shares replay protection between receivers
(redis://host:port/db); without it, each process remembers on its own, and
forgets at restart. Each replay check answers within 1 s: a Redis that does
not answer is 503, never 409, and the sender may retry with the same jti.
Redis must keep what it acknowledges: AOF with appendfsync always, and
maxmemory-policy noeviction. With everysec a crash may forget the last
second of accepted messages, which could then be replayed. A Redis that
lost its data (restart without persistence, flush, eviction) is detected,
and messages issued before that plus --leeway are refused (store_reset)
until they expire.
Without --key, a fresh HPKE-9 key is made that lives as long as the process.

With --signed-only, it serves the shared-secret flow instead: GET / and
GET ` + app.MessagesPath + ` answer 200 "Hello World" to a request whose Token header is
a valid HS256 JWT from ISSUER for ID, and 401 otherwise. The secret comes
from --secret or $` + cli.SecretEnv + `, at least 32 bytes. Tokens are reusable until they
expire. --tutorial also accepts tokens made as the classic tutorial makes them
(typ JWT, no kid, iss, aud, jti or iat; exp required), giving up the checks
those claims allow, and a secret shorter than 32 bytes, with a warning
(RFC 7518 section 3.2 requires 32). Its tokens are bearer tokens: it listens on loopback by
default, and on any other address only with --tls-cert and --tls-key
(HTTPS), or with --insecure. Stop with Ctrl-C.

--metrics-addr serves Prometheus metrics (requests accepted and refused by
reason, open latency, body sizes, replay store errors) at ADDR/metrics.
Each refusal is logged with its reason; --log-level debug logs every
accepted message too.`,
	Examples: `receiver --key receiver.jwk --trust orders=sender.pub.jwk --id billing
SEALJWT_SECRET='a shared secret of at least 32 bytes!!' receiver --signed-only`,
}

type config struct {
	addr, id, key, redis string
	baseURL              string
	trust                cli.TrustFlag
	signedOnly, tutorial bool
	warn                 io.Writer // where a short --tutorial secret is warned about
	secret, issuer       string
	maxBody              int64
	hosts                string // comma-separated; "": derived from the listen address
	acceptedHosts        []string
	timeouts             app.Timeouts
	bodyTimeout          time.Duration
	ops                  metrics.Flags
	observer             sealjwt.Observer // nil: no metrics
	life                 cli.Lifetimes
	tlsCert, tlsKey      string
	insecure             bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := command.NewFlagSet()
	var c config
	fs.StringVar(&c.addr, "addr", ":9000", "listen `address` (with --signed-only: "+signedOnlyAddr+")")
	fs.StringVar(&c.id, "id", "receiver", "our id: the audience senders must name")
	fs.StringVar(&c.key, "key", "", "private key: JWK, JWKS, PEM or DER `FILE[:ALG]`, or a pkcs11: URI (default: a fresh HPKE-9 key)")
	fs.Var(&c.trust, "trust", cli.TrustUsage("sender"))
	fs.StringVar(&c.redis, "redis", "", "shared replay store `URL` (redis://127.0.0.1:6379/0)")
	fs.StringVar(&c.baseURL, "base-url", "", "public `URL` senders address (scheme://host:port), when behind a proxy or load balancer")
	fs.Int64Var(&c.maxBody, "max-body", transport.DefaultMaxBodySize, "largest decrypted request body, in bytes")
	fs.StringVar(&c.hosts, "hosts", "", "comma-separated `HOSTS` (host or host:port, as senders address it) answered for; others get 421 (default: the listen address, and the loopback names with its port; none with --base-url)")
	fs.DurationVar(&c.timeouts.ReadHeader, "read-header-timeout", app.DefaultTimeouts.ReadHeader, "time a client has to send its headers (the envelope travels with them)")
	fs.DurationVar(&c.bodyTimeout, "body-timeout", 30*time.Second, "time a client has to send a request body, once admitted (0: no bound)")
	fs.DurationVar(&c.timeouts.Idle, "idle-timeout", app.DefaultTimeouts.Idle, "how long an idle keep-alive connection is kept")
	fs.BoolVar(&c.signedOnly, "signed-only", false, "serve the shared-secret flow (Token header, HS256) instead")
	fs.StringVar(&c.secret, "secret", "", "--signed-only: HS256 secret (default $"+cli.SecretEnv+")")
	fs.StringVar(&c.issuer, "iss", "sender", "--signed-only: the issuer the secret belongs to")
	c.life.RegisterChecking(fs)
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with this certificate chain `FILE` (PEM; with --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "the certificate's private key `FILE` (PEM)")
	fs.BoolVar(&c.insecure, "insecure", false, "--signed-only: allow plain HTTP on an address other than loopback")
	fs.BoolVar(&c.tutorial, "tutorial", false, "--signed-only: also accept the classic tutorial's tokens (typ JWT; only exp required) and a secret under 32 bytes")
	c.ops.Register(fs)
	c.warn = stderr
	return command.Run(fs, args, stdout, stderr, func(rest []string) error {
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q", rest[0])
		}
		if err := c.checkTransport(fs); err != nil {
			return err
		}
		log := c.ops.Logger(stderr)
		observer, stopMetrics, err := c.ops.Start(log)
		if err != nil {
			return err
		}
		defer stopMetrics()
		c.observer = observer
		ln, err := net.Listen("tcp", c.addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		if ln, err = c.withTLS(ln); err != nil {
			return err
		}
		c.acceptedHosts = c.hostList(ln.Addr())
		h, cleanup, err := c.handler(ctx, log)
		if err != nil {
			return err
		}
		defer cleanup()
		return c.serve(ctx, ln, h, log)
	})
}

// hostList is the Host values the receiver answers for: --hosts, or the
// listen address and the loopback names with its port. Other names that
// reach this machine (a LAN address, a DNS alias) are refused unless
// listed: an envelope made for another origin then cannot be accepted
// here. Behind a proxy, --base-url fixes the origin instead.
func (c *config) hostList(addr net.Addr) []string {
	if c.signedOnly {
		return nil // the signed-only flow binds no token to a URL
	}
	if c.hosts != "" {
		return strings.Split(c.hosts, ",")
	}
	if c.baseURL != "" {
		return nil
	}
	host, port, err := net.SplitHostPort(c.addr)
	if err != nil {
		return nil
	}
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	}
	hosts := []string{"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		hosts = append(hosts, net.JoinHostPort(host, port))
	}
	return hosts
}

func (c *config) serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	scheme := "http://"
	if c.tlsCert != "" {
		scheme = "https://"
	}
	log.Info("receiver listening", "addr", scheme+ln.Addr().String(), "id", c.id, "signed_only", c.signedOnly,
		"hosts", strings.Join(c.acceptedHosts, ","))
	c.timeouts.HeaderTimedOut = func() { app.RefusedBeforeHandler(ctx, log, c.observer, transport.ErrSlowRequest) }
	if err := app.Serve(ctx, ln, h, c.timeouts); err != nil && err != http.ErrServerClosed {
		return err
	}
	log.Info("receiver stopped")
	return nil
}

func (c *config) handler(ctx context.Context, log *slog.Logger) (http.Handler, func(), error) {
	if c.signedOnly {
		h, err := c.signedOnlyHandler(log)
		return h, func() {}, err
	}
	if c.trust.Len() == 0 {
		return nil, nil, cli.Usagef("at least one --trust ISSUER=FILE is required (or --signed-only)")
	}
	return c.sealedHandler(ctx, log)
}

func (c *config) signedOnlyHandler(log *slog.Logger) (http.Handler, error) {
	if c.key != "" || c.trust.Len() > 0 || c.redis != "" {
		return nil, cli.Usagef("--signed-only takes --secret and --iss, not --key, --trust or --redis")
	}
	key, err := cli.HMACKey(c.secret, c.tutorial, c.warn)
	if err != nil {
		return nil, err
	}
	s := &app.SignedOnly{Key: key, Issuer: c.issuer, Audience: c.id, Log: log, Observer: c.observer,
		Leeway: c.life.Leeway, MaxLifetime: c.life.MaxLifetime, Tutorial: c.tutorial}
	return s.Handler()
}

func (c *config) sealedHandler(ctx context.Context, log *slog.Logger) (http.Handler, func(), error) {
	keys, err := c.keys(log)
	if err != nil {
		return nil, nil, err
	}
	senders, err := c.trust.Load()
	if err != nil {
		return nil, nil, err
	}
	rc := &app.Receiver{ID: c.id, Keys: keys, Trusted: senders, Log: log, MaxBody: c.maxBody, BaseURL: c.baseURL,
		Observer: c.observer, Hosts: c.acceptedHosts, BodyTimeout: c.bodyTimeout,
		Leeway: c.life.Leeway, MaxLifetime: c.life.MaxLifetime}
	cleanup := func() {}
	if c.redis != "" {
		store, epoch, closeRedis, err := app.RedisStore(ctx, c.redis, c.life.Leeway)
		if err != nil {
			return nil, nil, err
		}
		rc.Replay = store
		cleanup = func() { _ = closeRedis() }
		log.Info("replay protection shared through redis", "store_data_since", epoch.UTC(),
			"refused_if_issued_before", epoch.Add(c.life.Leeway).UTC())
	} else {
		rc.Replay = replay.NewMemory()
	}
	h, err := rc.Handler()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return h, cleanup, nil
}

func (c *config) keys(log *slog.Logger) (*seal.KeySet, error) {
	if c.key != "" {
		return cli.SealKeys(c.key)
	}
	k, err := seal.GenerateKey(seal.DefaultAlg)
	if err != nil {
		return nil, fmt.Errorf("generating a key: %w", err)
	}
	log.Warn("no --key: using a fresh key that lives only as long as this process", "alg", string(k.Alg()), "kid", k.KID())
	return seal.NewKeySet(k)
}

// signedOnlyAddr is where --signed-only listens without --addr: loopback,
// since its tokens travel in the clear without TLS.
const signedOnlyAddr = "127.0.0.1:9000"

// checkTransport checks the lifetime flags and the TLS flags, and refuses
// to serve the signed-only flow, whose bearer tokens anyone on the path
// can replay, in plain HTTP on an address other than loopback unless
// --insecure says so.
func (c *config) checkTransport(fs *flag.FlagSet) error {
	if err := c.life.Check(); err != nil {
		return err
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return cli.Usagef("--tls-cert and --tls-key go together; got only one")
	}
	if !c.signedOnly || c.tlsCert != "" {
		return nil
	}
	addrSet := false
	fs.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
	if !addrSet {
		c.addr = signedOnlyAddr
	}
	if !isLoopback(c.addr) && !c.insecure {
		return cli.Usagef("--signed-only on %s would send tokens in plain HTTP beyond this machine; expected a loopback --addr, or --tls-cert and --tls-key, or --insecure", c.addr)
	}
	return nil
}

// isLoopback reports whether a listen address is on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// withTLS wraps ln in TLS when --tls-cert and --tls-key are given.
func (c *config) withTLS(ln net.Listener) (net.Listener, error) {
	if c.tlsCert == "" {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", c.tlsCert, c.tlsKey, err)
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}
