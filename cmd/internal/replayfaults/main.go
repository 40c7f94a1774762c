// Command replayfaults measures the shared replay store under the faults
// a Redis really has: 64 senders and two receivers sharing a private
// redis-server (started here, on a free port), with a 6 s pause (SIGSTOP),
// a kill and restart with and without persistence, and a receiver killed.
// For each it prints what was sent, accepted, refused by reason, executed
// twice (must be 0), honest messages lost (must be 0), replays of accepted
// messages accepted after the fault (must be 0) and the time to the first
// 503. It needs redis-server on PATH; it is not run by go test or CI.
//
//	go run ./cmd/internal/replayfaults [-senders 64] [-run 14s] [-fault-at 4s]
//
// A sender seals a GET, sends it to either receiver, and on a 503 or no
// answer sends the same envelope again (to the other receiver) after
// 200 ms, as PROTOCOL.md section 3.0 allows, until it gets 200 or 409 or
// 20 s pass. A message is lost if no handler ran it although its sender
// stopped on 409 "replayed request" (it believes it ran) or gave up.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/internal/redisproc"
	"github.com/sealjwt/sealjwt/replay/redisstore"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

func main() {
	senders := flag.Int("senders", 64, "concurrent senders")
	run := flag.Duration("run", 14*time.Second, "how long senders start new messages in each scenario")
	faultAt := flag.Duration("fault-at", 4*time.Second, "when the fault starts")
	flag.Parse()
	scenarios := []scenario{
		{"pause 6 s (SIGSTOP)", nil, func(r *redisproc.Server, _ *fleet) {
			r.Signal(syscall.SIGSTOP)
			time.Sleep(6 * time.Second)
			r.Signal(syscall.SIGCONT)
		}},
		{"kill -9 and restart, no persistence", nil, func(r *redisproc.Server, _ *fleet) { check(r.Restart()) }},
		{"kill -9 and restart, AOF appendfsync always", []string{"--appendonly", "yes", "--appendfsync", "always"}, func(r *redisproc.Server, _ *fleet) { check(r.Restart()) }},
		{"one receiver killed", nil, func(_ *redisproc.Server, f *fleet) { f.kill(1) }},
	}
	fmt.Printf("%d senders, two receivers sharing one redis-server; each scenario %v, fault at %v\n\n", *senders, *run, *faultAt)
	for _, sc := range scenarios {
		res := sc.measure(*senders, *run, *faultAt)
		res.print(sc.name)
	}
}

type scenario struct {
	name  string
	args  []string
	fault func(*redisproc.Server, *fleet)
}

// outcome is what a sender finally heard for one message.
type outcome string

const (
	accepted     outcome = "accepted (200)"
	replayed     outcome = "409 replayed request"
	storeReset   outcome = "409 store_reset"
	gaveUp       outcome = "gave up after 20 s"
	retryLimit           = 20 * time.Second
	retryPause           = 200 * time.Millisecond
	replaySample         = 500
	// leeway is the receivers' clock leeway, and so the reset margin:
	// after a restart without persistence, messages issued before the new
	// epoch plus it are refused (store_reset). 2 s, not the default 30 s,
	// so that the run is short: all senders share this machine's clock.
	leeway = 2 * time.Second
)

type result struct {
	sent, attempts   int64
	final            map[outcome]int64
	statuses         map[int]int64 // every answer, retries included
	noAnswer         int64
	executedTwice    int
	lost             int
	replaysAccepted  int
	replaysTried     int
	firstUnavailable time.Duration // from the fault's start; -1 if none
	maxAnswer        time.Duration // slowest answer during the run
}

func (r *result) print(name string) {
	fmt.Printf("## %s\n", name)
	fmt.Printf("messages sent %d, attempts %d (retries of the same envelope included)\n", r.sent, r.attempts)
	fmt.Printf("final: ")
	for _, o := range slices.Sorted(maps.Keys(r.final)) {
		fmt.Printf("%s %d; ", o, r.final[o])
	}
	fmt.Printf("\nanswers by status: ")
	for _, s := range slices.Sorted(maps.Keys(r.statuses)) {
		fmt.Printf("%d: %d; ", s, r.statuses[s])
	}
	fmt.Printf("no answer: %d\n", r.noAnswer)
	fmt.Printf("executed twice: %d; honest lost: %d; replays of accepted messages accepted after the fault: %d of %d\n",
		r.executedTwice, r.lost, r.replaysAccepted, r.replaysTried)
	if r.firstUnavailable >= 0 {
		fmt.Printf("first 503 %v after the fault; ", r.firstUnavailable.Round(time.Millisecond))
	}
	fmt.Printf("slowest answer %v\n\n", r.maxAnswer.Round(time.Millisecond))
}

func (sc scenario) measure(senders int, run, faultAt time.Duration) *result {
	dir, err := os.MkdirTemp("", "replayfaults")
	check(err)
	defer os.RemoveAll(dir)
	rs := startRedis(dir, sc.args)
	defer rs.Kill()
	f := startFleet(rs.Addr())
	defer f.close()

	res := &result{final: map[outcome]int64{}, statuses: map[int]int64{}, firstUnavailable: -1}
	var mu sync.Mutex
	var faultStart atomic.Int64
	var acceptedEnvelopes []string
	note := func(status int, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		res.attempts++
		if status == 0 {
			res.noAnswer++
		} else {
			res.statuses[status]++
		}
		res.maxAnswer = max(res.maxAnswer, took)
		if fs := faultStart.Load(); status == http.StatusServiceUnavailable && fs != 0 && res.firstUnavailable < 0 {
			res.firstUnavailable = time.Since(time.Unix(0, fs))
		}
	}
	stopAt := time.Now().Add(run)
	var wg sync.WaitGroup
	finals := make([]map[string]outcome, senders)
	for s := range senders {
		finals[s] = map[string]outcome{}
		wg.Go(func() {
			for i := 0; time.Now().Before(stopAt); i++ {
				jti, auth := f.seal()
				o := f.deliver(auth, i+s, note)
				finals[s][jti] = o
				if o == accepted && i%8 == 0 {
					mu.Lock()
					acceptedEnvelopes = append(acceptedEnvelopes, auth)
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(faultAt)
	faultStart.Store(time.Now().UnixNano())
	sc.fault(rs, f)
	wg.Wait()

	executed := f.executions()
	for _, m := range finals {
		for jti, o := range m {
			res.sent++
			res.final[o]++
			if executed[jti] == 0 && (o == replayed || o == gaveUp) {
				res.lost++
			}
		}
	}
	for _, n := range executed {
		if n > 1 {
			res.executedTwice++
		}
	}
	for _, auth := range acceptedEnvelopes[:min(len(acceptedEnvelopes), replaySample)] {
		res.replaysTried++
		if status, _ := f.send(auth, res.replaysTried); status == http.StatusOK {
			res.replaysAccepted++
		}
	}
	return res
}

// fleet is two receivers sharing the Redis store, and the sender's sealer.
type fleet struct {
	public  string
	urls    []string
	servers []*http.Server
	clients []*redis.Client
	seal    func() (jti, auth string)

	mu   sync.Mutex
	runs map[string]int // jti -> handler runs
}

func startFleet(redisAddr string) *fleet {
	rk, err := seal.GenerateKey(seal.HPKE3)
	check(err)
	sk, err := token.GenerateKey(token.EdDSA)
	check(err)
	recv, _ := seal.NewKeySet(rk)
	send, _ := token.NewKeySet(sk)
	f := &fleet{public: "http://receivers.test", runs: map[string]int{}}
	for range 2 {
		c := redis.NewClient(redisstore.ClientOptions(&redis.Options{Addr: redisAddr}))
		store, err := redisstore.New(c, redisstore.WithResetMargin(leeway))
		check(err)
		_, err = store.Epoch(context.Background())
		check(err)
		rc := &app.Receiver{ID: "billing", Keys: recv, Trusted: []cli.Trusted{{Issuer: "orders", Keys: send.Verifying()}},
			Replay: store, BaseURL: f.public, Leeway: leeway, Log: slog.New(slog.DiscardHandler), OnMessage: f.ran}
		h, err := rc.Handler()
		check(err)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		check(err)
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		f.urls = append(f.urls, "http://"+ln.Addr().String())
		f.servers = append(f.servers, srv)
		f.clients = append(f.clients, c)
	}
	sealer, err := app.NewSealer(send, "orders")
	check(err)
	tap := &captureTap{}
	client := app.SealedClient(tap, sealer, "billing", transport.StaticKeys(recv.Public()))
	var sealMu sync.Mutex
	f.seal = func() (string, string) {
		sealMu.Lock()
		defer sealMu.Unlock()
		_, _ = app.Do(context.Background(), client, http.MethodGet, f.public+"/", nil, "")
		return tap.jti(recv), tap.auth
	}
	// Messages issued before the store's epoch plus the leeway are
	// refused: wait that out before sending.
	time.Sleep(leeway + time.Second)
	return f
}

func (f *fleet) ran(s app.Seen) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs[s.Message.ID]++
}

func (f *fleet) executions() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.runs)
}

// kill stops receiver i at once, cutting its open connections.
func (f *fleet) kill(i int) { _ = f.servers[i].Close() }

func (f *fleet) close() {
	for i := range f.servers {
		_ = f.servers[i].Close()
		_ = f.clients[i].Close()
	}
}

var rawClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}

// send delivers the envelope to receiver n%2 and returns the status (0:
// no answer) and the problem title of a refusal.
func (f *fleet) send(auth string, n int) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, f.urls[n%2]+"/", nil)
	req.Host = strings.TrimPrefix(f.public, "http://")
	req.Header.Set("Authorization", auth)
	resp, err := rawClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(body)
}

// deliver sends one envelope until it gets 200 or 409, retrying the same
// envelope after a 503 or no answer, alternating receivers.
func (f *fleet) deliver(auth string, n int, note func(int, time.Duration)) outcome {
	for end := time.Now().Add(retryLimit); time.Now().Before(end); n++ {
		t0 := time.Now()
		status, body := f.send(auth, n)
		note(status, time.Since(t0))
		switch {
		case status == http.StatusOK:
			return accepted
		case status == http.StatusConflict && strings.Contains(body, "memory began"):
			return storeReset
		case status == http.StatusConflict:
			return replayed
		}
		time.Sleep(retryPause)
	}
	return gaveUp
}

// captureTap keeps the Authorization of the sealed request instead of
// sending it.
type captureTap struct{ auth string }

func (c *captureTap) RoundTrip(r *http.Request) (*http.Response, error) {
	c.auth = r.Header.Get("Authorization")
	return nil, fmt.Errorf("captured")
}

// jti opens the captured envelope to read its id.
func (c *captureTap) jti(keys *seal.KeySet) string {
	env := strings.TrimPrefix(c.auth, "Sealed ")
	opened, err := seal.Open(keys, env)
	check(err)
	parts := strings.Split(string(opened.Plaintext), ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	check(err)
	var claims struct {
		ID string `json:"jti"`
	}
	check(json.Unmarshal(raw, &claims))
	return claims.ID
}

// startRedis starts the scenario's private redis-server in dir.
func startRedis(dir string, args []string) *redisproc.Server {
	s, err := redisproc.Start(dir, args...)
	check(err)
	return s
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
