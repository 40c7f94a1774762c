// Command sessionfaults measures the session stores under the faults a
// store really has: session clients (1000 by default) log in once over
// HTTP, then refresh in a loop, against a Manager on the Redis store (a
// private redis-server started here on a free port, with AOF appendfsync
// always, so that a restart keeps its data) and on the PostgreSQL store
// (in a fresh schema, reached through a TCP proxy: the shared server,
// which is never stopped, for the pause, and a private one started here
// on a free port, durable, for the restart).
// Faults: a 6 s pause (SIGSTOP on Redis, a paused proxy for PostgreSQL),
// a kill -9 and restart (Redis with and without persistence, PostgreSQL:
// every process of the server), one of two servers sharing the store
// killed (its connections cut, as a load balancer then sends the clients'
// retries to the other), and none. For each it prints the
// clients, the refreshes done, the honest clients refused as a reuse or a
// revoked session (must be 0), the families with two live successors
// (must be 0: from the store afterwards, and from clients that saw two
// successors for one token), the 503s during the fault, the slowest
// answer, and the refresh throughput and p99 latency. It needs
// redis-server on PATH and PostgreSQL's server programs (initdb,
// postgres; see internal/pgproc); it is not run by go test or CI.
//
//	go run ./cmd/internal/sessionfaults [-clients 1000] [-run 20s] [-fault-at 5s] [-only Redis]
//
// A client sleeps 0-200 ms between refreshes. It retries a 503 (after its
// Retry-After) or a lost answer (after 200 ms) with the same refresh
// token, as a real client does; the grace window makes that retry hand
// out the same successor. To test that directly, it also drops a share of
// its 200 answers (-lose) and presents the token again: both answers must
// name the same successor.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/faultproxy"
	"github.com/sealjwt/sealjwt/internal/pgproc"
	"github.com/sealjwt/sealjwt/internal/redisproc"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/session/pgstore"
	"github.com/sealjwt/sealjwt/session/redisstore"
	"github.com/sealjwt/sealjwt/token"
)

const (
	pauseFor     = 6 * time.Second
	lostPause    = 200 * time.Millisecond
	maxSleep     = 200 * time.Millisecond
	loginLimit   = 20 * time.Second
	afterFault   = 2 * time.Second // 503s this long after the fault still count as during it
	settle       = 2 * time.Second // for rotations taken back in the background, before the store check
	answerLimit  = 5 * time.Second // a client's wait for an answer; longer is a lost answer
	pgMaxConns   = 16
	reuseTitle   = "refresh token reused: session revoked"
	revokedTitle = "session revoked"

	maxRefusalsShown = 20 // how refused tokens were presented, printed for so many
)

func main() {
	clients := flag.Int("clients", 1000, "concurrent session clients")
	run := flag.Duration("run", 20*time.Second, "how long clients refresh in each scenario")
	faultAt := flag.Duration("fault-at", 5*time.Second, "when the fault starts, after the clients logged in")
	lose := flag.Float64("lose", 0.02, "share of 200 answers a client drops and retries, to check the successor is the same")
	only := flag.String("only", "", "run only the scenarios whose name contains this")
	pgURL := flag.String("pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server")
	flag.Parse()
	fmt.Printf("%d clients, each scenario %v of refreshes, fault at %v; %.0f%% of answers dropped and retried\n\n",
		*clients, *run, *faultAt, *lose*100)
	cfg := runConfig{clients: *clients, run: *run, faultAt: *faultAt, lose: *lose}
	redisRestart := func(b backend, _ *front) { check(b.(*redisBackend).server.Restart()) }
	scenarios := []scenario{
		{"Redis, no fault", 1, startRedisBackend(true), nil},
		{"Redis, pause 6 s (SIGSTOP)", 1, startRedisBackend(true), func(b backend, _ *front) { b.(*redisBackend).pause() }},
		{"Redis, kill -9 and restart", 1, startRedisBackend(true), redisRestart},
		{"Redis without persistence, kill -9 and restart", 1, startRedisBackend(false), redisRestart},
		{"Redis, one of two servers killed", 2, startRedisBackend(true), killServer},
		{"PostgreSQL, no fault", 1, pgStarter(*pgURL), nil},
		{"PostgreSQL, proxy paused 6 s", 1, pgStarter(*pgURL), func(b backend, _ *front) { b.(*pgBackend).pause() }},
		{"PostgreSQL, kill -9 and restart", 1, startPGPrivate, func(b backend, _ *front) { check(b.(*pgBackend).server.Restart(context.Background())) }},
		{"PostgreSQL, one of two servers killed", 2, pgStarter(*pgURL), killServer},
	}
	for _, sc := range scenarios {
		if !strings.Contains(sc.name, *only) {
			continue
		}
		res := sc.measure(cfg)
		res.print(sc.name)
	}
}

type runConfig struct {
	clients      int
	run, faultAt time.Duration
	lose         float64
}

// backend is one store under test.
type backend interface {
	store() session.Store
	// twoLive counts the families holding more than one live (unconsumed)
	// refresh token.
	twoLive(context.Context) (int, error)
	close()
}

type scenario struct {
	name    string
	servers int // Managers sharing the store, each client request sent to one at random
	start   func() backend
	fault   func(backend, *front)
}

// killServer cuts the first server's connections and stops it; the
// clients' retries then go to the other, as behind a load balancer.
func killServer(_ backend, f *front) { f.kill(0) }

type result struct {
	clients, loginFailed int
	refreshes            int64
	statuses             map[int]int64 // every refresh answer, retries included
	noAnswer             int64
	refused              map[string]int64 // honest clients refused, by problem title
	twoSuccessorsSeen    int64
	twoLiveInStore       int
	unavailableInFault   int64
	first503, last503    time.Duration // answer times from the fault's start and end; 0 if none
	refusals             []string      // how each refused token was presented
	slowest              time.Duration
	throughput           float64 // refreshes per second
	p50, p99             time.Duration
	fault                bool
}

func (r *result) honestRevocations() int64 {
	var n int64
	for title, count := range r.refused {
		if strings.HasSuffix(title, " "+reuseTitle) || strings.HasSuffix(title, " "+revokedTitle) {
			n += count
		}
	}
	return n
}

func (r *result) print(name string) {
	fmt.Printf("## %s\n", name)
	fmt.Printf("clients %d (login failed %d), refreshes done %d, %.0f/s, p50 %v, p99 %v, slowest answer %v\n",
		r.clients, r.loginFailed, r.refreshes, r.throughput, r.p50.Round(time.Millisecond),
		r.p99.Round(time.Millisecond), r.slowest.Round(time.Millisecond))
	fmt.Printf("answers by status: ")
	for _, s := range slices.Sorted(maps.Keys(r.statuses)) {
		fmt.Printf("%d: %d; ", s, r.statuses[s])
	}
	fmt.Printf("no answer: %d\n", r.noAnswer)
	if r.fault {
		fmt.Printf("503s during the fault (requests sent up to %v after its end): %d; first 503 %v after the fault began, last %v after it ended\n",
			afterFault, r.unavailableInFault, r.first503.Round(time.Millisecond), r.last503.Round(time.Millisecond))
	}
	fmt.Printf("honest revocations: %d; families with two live successors: %d in the store, %d seen by clients\n",
		r.honestRevocations(), r.twoLiveInStore, r.twoSuccessorsSeen)
	for _, title := range slices.Sorted(maps.Keys(r.refused)) {
		fmt.Printf("refused %q: %d\n", title, r.refused[title])
	}
	for i, d := range r.refusals {
		if i == maxRefusalsShown {
			fmt.Printf("  and %d more\n", len(r.refusals)-i)
			break
		}
		fmt.Printf("  a refusal: %s\n", d)
	}
	fmt.Println()
}

func (sc scenario) measure(cfg runConfig) *result {
	b := sc.start()
	defer b.close()
	srv := startFront(b.store(), sc.servers)
	defer srv.close()

	rec := newRecorder()
	ctx := context.Background()
	var wg sync.WaitGroup
	logins := make([]string, cfg.clients)
	for i := range cfg.clients {
		wg.Go(func() { logins[i] = srv.login("user-" + strconv.Itoa(i)) })
	}
	wg.Wait()
	start := time.Now()
	stopAt := start.Add(cfg.run)
	for _, tok := range logins {
		if tok == "" {
			continue
		}
		wg.Go(func() { srv.refreshLoop(tok, stopAt, cfg.lose, rec) })
	}
	if sc.fault != nil {
		time.Sleep(cfg.faultAt)
		rec.faultBegins()
		sc.fault(b, srv)
		rec.faultEnds()
	}
	wg.Wait()
	elapsed := time.Since(start)
	time.Sleep(settle)

	res := rec.result()
	res.fault = sc.fault != nil
	res.clients = cfg.clients
	for _, tok := range logins {
		if tok == "" {
			res.loginFailed++
		}
	}
	res.throughput = float64(res.refreshes) / elapsed.Seconds()
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	n, err := b.twoLive(checkCtx)
	check(err)
	res.twoLiveInStore = n
	return res
}

// recorder collects what the clients saw.
type recorder struct {
	mu                  sync.Mutex
	res                 result
	latencies           []time.Duration // of refreshes answered 200
	faultStart, faultTo time.Time
	first503, last503   time.Time // answered after the fault began
}

func newRecorder() *recorder {
	return &recorder{res: result{statuses: map[int]int64{}, refused: map[string]int64{}}}
}

func (r *recorder) faultBegins() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faultStart = time.Now()
}

func (r *recorder) faultEnds() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faultTo = time.Now().Add(afterFault)
}

// answer notes one refresh attempt sent at sent (status 0: no answer).
func (r *recorder) answer(status int, sent time.Time, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.slowest = max(r.res.slowest, took)
	switch status {
	case 0:
		r.res.noAnswer++
	case http.StatusOK:
		r.latencies = append(r.latencies, took)
	}
	if status != 0 {
		r.res.statuses[status]++
	}
	inFault := !r.faultStart.IsZero() && !sent.Before(r.faultStart) && (r.faultTo.IsZero() || sent.Before(r.faultTo))
	if status != http.StatusServiceUnavailable || r.faultStart.IsZero() {
		return
	}
	if inFault {
		r.res.unavailableInFault++
	}
	at := sent.Add(took)
	if r.first503.IsZero() {
		r.first503 = at
	}
	if at.After(r.last503) {
		r.last503 = at
	}
}

func (r *recorder) refreshed()     { r.add(&r.res.refreshes) }
func (r *recorder) twoSuccessors() { r.add(&r.res.twoSuccessorsSeen) }
func (r *recorder) add(n *int64)   { r.mu.Lock(); *n++; r.mu.Unlock() }

// refusedWith notes a refusal of a token first presented at first, after
// attempts answered 503 or not at all.
func (r *recorder) refusedWith(title string, first time.Time, attempts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.refused[title]++
	detail := fmt.Sprintf("%s, %d earlier attempts with the token, first sent %v before the refusal",
		title, attempts, time.Since(first).Round(time.Millisecond))
	if !r.faultStart.IsZero() {
		detail += fmt.Sprintf(", %v after the fault began", first.Sub(r.faultStart).Round(time.Millisecond))
	}
	r.res.refusals = append(r.res.refusals, detail)
}

func (r *recorder) result() *result {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.latencies)
	res := r.res
	res.p50, res.p99 = quantile(r.latencies, 0.50), quantile(r.latencies, 0.99)
	if !r.first503.IsZero() {
		res.first503, res.last503 = r.first503.Sub(r.faultStart), r.last503.Sub(r.faultTo.Add(-afterFault))
	}
	return &res
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(int(float64(len(sorted))*q), len(sorted)-1)]
}

// front spreads the clients' requests over the live servers at random.
type front struct {
	mu      sync.Mutex
	servers []*server
	live    []*server
	client  *http.Client
}

func startFront(store session.Store, n int) *front {
	key, err := token.GenerateKey(token.EdDSA)
	check(err)
	keys, _ := token.NewKeySet(key)
	f := &front{client: &http.Client{Timeout: answerLimit,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2048, MaxIdleConns: 2048}}}
	for range n {
		f.servers = append(f.servers, startServer(store, keys))
	}
	f.live = slices.Clone(f.servers)
	return f
}

// kill stops server i at once: requests in flight there get no answer,
// and later ones go to the others.
func (f *front) kill(i int) {
	f.mu.Lock()
	f.live = slices.DeleteFunc(f.live, func(s *server) bool { return s == f.servers[i] })
	f.mu.Unlock()
	f.servers[i].close()
}

func (f *front) pick() *server {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live[mrand.IntN(len(f.live))]
}

func (f *front) close() {
	for _, s := range f.servers {
		s.close()
	}
}

// server is a Manager's login and refresh endpoints over HTTP.
type server struct {
	m       *session.Manager
	http    *http.Server
	base    string
	stopped sync.Once
}

func startServer(store session.Store, keys *token.KeySet) *server {
	m, err := session.NewManager("https://api.example", keys, session.WithStore(store),
		session.WithDelivery(session.DeliverTokenResponse))
	check(err)
	mux := http.NewServeMux()
	mux.Handle("/auth/login", m.LoginHandler(func(r *http.Request) (session.Grant, error) {
		return session.Grant{Subject: r.FormValue("user")}, nil
	}))
	mux.Handle(session.DefaultRefreshPath, m.RefreshHandler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	s := &server{m: m, http: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		base: "http://" + ln.Addr().String()}
	go func() { _ = s.http.Serve(ln) }()
	return s
}

func (s *server) close() {
	s.stopped.Do(func() {
		_ = s.http.Close()
		_ = s.m.Close()
	})
}

// post sends a form to a live server and returns the status (0: no
// answer) and the body.
func (f *front) post(path string, form url.Values) (int, []byte) {
	req, _ := http.NewRequest(http.MethodPost, f.pick().base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, nil
	}
	return resp.StatusCode, body
}

// login logs user in, retrying until it works or loginLimit passes, and
// returns the refresh token ("" if it never worked).
func (f *front) login(user string) string {
	for end := time.Now().Add(loginLimit); time.Now().Before(end); time.Sleep(lostPause) {
		if status, body := f.post("/auth/login", url.Values{"user": {user}}); status == http.StatusOK {
			return refreshToken(body)
		}
	}
	return ""
}

func refreshToken(body []byte) string {
	var t struct {
		Refresh string `json:"refresh_token"`
	}
	_ = json.Unmarshal(body, &t)
	return t.Refresh
}

// refreshLoop is one client: refresh, sleep, until stopAt or a refusal.
func (f *front) refreshLoop(tok string, stopAt time.Time, lose float64, rec *recorder) {
	for time.Now().Before(stopAt) {
		time.Sleep(mrand.N(maxSleep))
		next, ok := f.refresh(tok, stopAt, rec)
		if !ok {
			return
		}
		if next == "" { // stopAt passed while retrying
			return
		}
		if mrand.Float64() < lose {
			// The answer is dropped: present the same token again; the
			// grace window must hand out the same successor.
			again, ok := f.refresh(tok, stopAt, rec)
			if !ok {
				return
			}
			if again != "" && again != next {
				rec.twoSuccessors()
			}
		}
		rec.refreshed()
		tok = next
	}
}

// refresh presents tok until it gets an answer that is not 503 (nor no
// answer), and returns the successor; ok is false when it was refused.
func (f *front) refresh(tok string, stopAt time.Time, rec *recorder) (next string, ok bool) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}
	first := time.Now()
	for attempts := 0; time.Now().Before(stopAt); attempts++ {
		sent := time.Now()
		status, body := f.post(session.DefaultRefreshPath, form)
		rec.answer(status, sent, time.Since(sent))
		switch status {
		case http.StatusOK:
			return refreshToken(body), true
		case 0:
			time.Sleep(lostPause)
		case http.StatusServiceUnavailable:
			time.Sleep(time.Second) // Retry-After: 1
		default:
			var p struct {
				Title string `json:"title"`
			}
			_ = json.Unmarshal(body, &p)
			rec.refusedWith(fmt.Sprintf("%d %s", status, p.Title), first, attempts)
			return "", false
		}
	}
	return "", true
}

// redisBackend is the Redis store on a private redis-server.
type redisBackend struct {
	server *redisproc.Server
	dir    string
	client *redis.Client
	s      *redisstore.Store
}

// startRedisBackend starts a private redis-server that keeps every write
// (AOF, appendfsync always) or, without persistence, nothing on disk.
func startRedisBackend(persist bool) func() backend {
	args := []string{"--appendonly", "no", "--save", ""}
	if persist {
		args = []string{"--appendonly", "yes", "--appendfsync", "always"}
	}
	return func() backend {
		dir, err := os.MkdirTemp("", "sessionfaults")
		check(err)
		rs := startRedis(dir, args)
		c := redis.NewClient(&redis.Options{Addr: rs.Addr()})
		s, err := redisstore.New(c)
		check(err)
		return &redisBackend{server: rs, dir: dir, client: c, s: s}
	}
}

func (b *redisBackend) store() session.Store { return b.s }

func (b *redisBackend) pause() {
	b.server.Signal(syscall.SIGSTOP)
	time.Sleep(pauseFor)
	b.server.Signal(syscall.SIGCONT)
}

// twoLive reads every family hash: a token is live when its hash field
// (h:<id>) has no consumed field (c:<id>).
func (b *redisBackend) twoLive(ctx context.Context) (int, error) {
	n := 0
	iter := b.client.Scan(ctx, 0, redisstore.DefaultPrefix+"f{*", 1000).Iterator()
	for iter.Next(ctx) {
		fields, err := b.client.HGetAll(ctx, iter.Val()).Result()
		if err != nil {
			return 0, err
		}
		live := 0
		for f := range fields {
			if id, ok := strings.CutPrefix(f, "h:"); ok {
				if _, consumed := fields["c:"+id]; !consumed {
					live++
				}
			}
		}
		if live > 1 {
			n++
		}
	}
	return n, iter.Err()
}

func (b *redisBackend) close() {
	_ = b.client.Close()
	b.server.Kill()
	_ = os.RemoveAll(b.dir)
}

// pgBackend is the PostgreSQL store in a fresh schema, through a proxy.
type pgBackend struct {
	proxy         *faultproxy.Proxy
	direct, viaPx *pgxpool.Pool
	schema        string
	s             *pgstore.Store
	server        *pgproc.Server // the scenario's own server, or nil
}

func pgStarter(pgURL string) func() backend {
	return func() backend { return startPG(pgURL) }
}

func startPG(pgURL string) backend {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	direct, err := pgxpool.New(ctx, pgURL)
	check(err)
	cfg, err := pgxpool.ParseConfig(pgURL)
	check(err)
	proxy, err := faultproxy.Start(net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	check(err)
	host, port, _ := net.SplitHostPort(proxy.Addr())
	p, _ := strconv.Atoi(port)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(p)
	cfg.MaxConns = pgMaxConns
	viaPx, err := pgxpool.NewWithConfig(ctx, cfg)
	check(err)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "sealjwt_sessionfaults_" + hex.EncodeToString(b)
	s := pgstore.New(viaPx, pgstore.WithSchema(schema))
	check(s.Migrate(ctx))
	return &pgBackend{proxy: proxy, direct: direct, viaPx: viaPx, schema: schema, s: s}
}

// startPGPrivate is startPG on a private server of the scenario's own
// (durable commits, as PostgreSQL's defaults), which it may kill.
func startPGPrivate() backend {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := pgproc.Start(ctx)
	check(err)
	b := startPG(srv.URL()).(*pgBackend)
	b.server = srv
	return b
}

func (b *pgBackend) store() session.Store { return b.s }

func (b *pgBackend) pause() {
	b.proxy.Pause()
	time.Sleep(pauseFor)
	b.proxy.Resume()
}

func (b *pgBackend) twoLive(ctx context.Context) (int, error) {
	var n int
	err := b.direct.QueryRow(ctx, `SELECT count(*) FROM (SELECT family_id FROM `+pgx.Identifier{b.schema}.Sanitize()+
		`.refresh_tokens WHERE consumed_at IS NULL GROUP BY family_id HAVING count(*) > 1) t`).Scan(&n)
	return n, err
}

func (b *pgBackend) close() {
	b.viaPx.Close()
	b.proxy.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := b.direct.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{b.schema}.Sanitize()+" CASCADE")
	if err != nil {
		log.Printf("dropping schema %s: %v", b.schema, err)
	}
	b.direct.Close()
	if b.server != nil {
		check(b.server.Close())
	}
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
