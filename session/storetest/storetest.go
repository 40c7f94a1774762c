package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/session"
)

// Options describe what a store shares beyond one instance.
type Options struct {
	// Reopen returns another instance of s on the same backend and
	// namespace, with connections of its own, as a second process would
	// open it. Nil for a store whose state lives in one process.
	Reopen func(t *testing.T, s session.Store) session.Store
	// Unreachable returns a store whose backend does not answer. Nil for a
	// store without a backend.
	Unreachable func(t *testing.T) session.Store
	// FamiliesPerSubject is the bound on families per subject the stores
	// newStore makes were built with; 0 means
	// session.DefaultMaxFamiliesPerSubject.
	FamiliesPerSubject int
	// Held counts the refresh tokens s keeps, consumed ones included (nil
	// to skip the count): what one account's traffic must not grow.
	Held func(t *testing.T, s session.Store) int
}

func (o Options) familiesPerSubject() int {
	if o.FamiliesPerSubject > 0 {
		return o.FamiliesPerSubject
	}
	return session.DefaultMaxFamiliesPerSubject
}

// Rules for the suite's clock: every instant is on a whole millisecond
// (stores may keep milliseconds only) and in the future of the wall
// clock, so that a store expiring records with the family keeps them.
const (
	attackFor = 2 * time.Second
	lifetime  = time.Hour
	idle      = 10 * time.Minute
	grace     = 10 * time.Second
	racers    = 32
)

// Run runs the conformance suite against stores made by newStore, each
// subtest on a fresh store.
func Run(t *testing.T, newStore func(t *testing.T) session.Store, opts Options) {
	tests := []struct {
		name string
		run  func(t *testing.T, s *fixture)
	}{
		{"RotateChain", testRotateChain},
		{"UnknownID", testUnknownID},
		{"WrongSecretChangesNoState", testWrongSecretChangesNoState},
		{"ReuseRevokesFamily", testReuseRevokesFamily},
		{"ConcurrentRotationNoGrace", testConcurrentRotationNoGrace},
		{"ConcurrentRotationWithinGrace", testConcurrentRotationWithinGrace},
		{"GraceRetryThenReuse", testGraceRetryThenReuse},
		{"GraceRunsFromTheLastRetryWhileUnused", testGraceRunsFromTheLastRetryWhileUnused},
		{"UnansweredRetriesKeepTheWindow", testUnansweredRetriesKeepTheWindow},
		{"UnansweredRunAfterTheWindowIsReuse", testUnansweredRunAfterTheWindowIsReuse},
		{"UnansweredRunAfterSuccessorUsedIsReuse", testUnansweredRunAfterSuccessorUsedIsReuse},
		{"RepeatedCommandIsItsOwn", testRepeatedCommandIsItsOwn},
		{"LateCommandWritesNothing", testLateCommandWritesNothing},
		{"LateReuseRevokesNothing", testLateReuseRevokesNothing},
		{"ConsumedTokensBounded", testConsumedTokensBounded},
		{"AbandonTakesBackUnansweredRotation", testAbandon},
		{"AbsoluteExpiry", testAbsoluteExpiry},
		{"IdleTimeout", testIdleTimeout},
		{"RuleOrder", testRuleOrder},
		{"Logout", testLogout},
		{"RevokeSubject", testRevokeSubject},
		{"Lookup", testLookup},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newFixture(t, newStore(t)))
		})
	}
	t.Run("FamiliesPerSubjectBounded", func(t *testing.T) {
		testFamiliesPerSubjectBounded(t, newFixture(t, newStore(t)), opts.familiesPerSubject())
	})
	t.Run("OneAccountCannotLockOthersOut", func(t *testing.T) {
		testOneAccountCannotLockOthersOut(t, newFixture(t, newStore(t)), opts)
	})
	t.Run("Reopen", func(t *testing.T) {
		if opts.Reopen == nil {
			t.Skip("the store keeps its state in the process")
		}
		s := newStore(t)
		testReopen(t, newFixture(t, s), newFixture(t, opts.Reopen(t, s)))
	})
	t.Run("UnreachableFailsClosed", func(t *testing.T) {
		if opts.Unreachable == nil {
			t.Skip("the store has no backend")
		}
		testUnreachable(t, opts.Unreachable(t))
	})
}

// Token is one refresh token as a caller holds it: the id and the
// hash of its secret.
type Token struct {
	ID   string
	Hash session.SecretHash
}

// NewToken returns a token with a random 128-bit id and the hash of a
// random 256-bit secret.
func NewToken() Token {
	return Token{ID: randomID(), Hash: sha256.Sum256([]byte(rand.Text() + rand.Text()))}
}

// record is t's record for a store, issued at.
func (t Token) record(familyID string, at time.Time) session.Refresh {
	return session.Refresh{ID: t.ID, FamilyID: familyID, Hash: t.Hash, IssuedAt: at}
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// fixture is one store and the suite's clock.
type fixture struct {
	s    session.Store
	base time.Time // login time of every family the fixture creates
}

func newFixture(t *testing.T, s session.Store) *fixture {
	t.Helper()
	return &fixture{s: s, base: time.Now().Add(time.Second).Truncate(time.Millisecond)}
}

// at is the instant d after the fixture's login time.
func (f *fixture) at(d time.Duration) time.Time { return f.base.Add(d) }

// login creates a family for subject and returns it with its first token.
func (f *fixture) login(t *testing.T, subject string) (session.Family, Token) {
	t.Helper()
	return Login(t, f.s, subject, f.base)
}

// rotate presents tok at now with the given grace and returns the
// successor the caller would hand out.
func (f *fixture) rotate(tok Token, now time.Time, g time.Duration) (Token, session.Rotated, error) {
	return Rotate(context.Background(), f.s, tok, now, g)
}

// Login creates a family for subject at now, with a lifetime of one hour,
// and returns it with its first token.
func Login(t testing.TB, s session.Store, subject string, now time.Time) (session.Family, Token) {
	t.Helper()
	fam := session.Family{
		ID:        randomID(),
		Subject:   subject,
		Scopes:    []string{"read", "write"},
		Claims:    []byte(`{"tenant":"acme"}`),
		CreatedAt: now,
		ExpiresAt: now.Add(lifetime),
	}
	tok := NewToken()
	if err := s.Create(context.Background(), fam, tok.record(fam.ID, now)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return fam, tok
}

// Rotate presents tok to s at now, with the given grace, an idle timeout
// of ten minutes and a fresh request id, and returns the successor the
// caller would hand out.
func Rotate(ctx context.Context, s session.Store, tok Token, now time.Time, g time.Duration) (Token, session.Rotated, error) {
	r := NewRotation(tok, now, g)
	rot, err := s.Rotate(ctx, r)
	return Token{ID: r.Next.ID, Hash: r.Next.Hash}, rot, err
}

// NewRotation is the rotation Rotate sends: tok presented at now with
// grace g, a random successor and a random request id. Sending it twice
// is what a client library's retry does.
func NewRotation(tok Token, now time.Time, g time.Duration) session.Rotation {
	next := NewToken()
	var req session.RequestID
	_, _ = rand.Read(req[:])
	return session.Rotation{ID: tok.ID, Hash: tok.Hash, Next: next.record("", now), Request: req, Now: now, Grace: g, Idle: idle}
}

// mustRotate rotates tok and fails the test unless it succeeds outside
// the grace window.
func (f *fixture) mustRotate(t *testing.T, fam session.Family, tok Token, now time.Time) Token {
	t.Helper()
	next, r, err := f.rotate(tok, now, grace)
	if err != nil {
		t.Fatalf("Rotate at +%v: %v, want success", now.Sub(f.base), err)
	}
	if r.InGrace {
		t.Fatalf("Rotate at +%v: InGrace set for a token never presented before", now.Sub(f.base))
	}
	checkFamily(t, "Rotate", r.Family, fam)
	return next
}

// wantErr checks that presenting tok at now fails with want.
func (f *fixture) wantErr(t *testing.T, tok Token, now time.Time, g time.Duration, want error) {
	t.Helper()
	if _, r, err := f.rotate(tok, now, g); !errors.Is(err, want) {
		t.Fatalf("Rotate at +%v: got %v (%+v), want %v", now.Sub(f.base), err, r, want)
	}
}

func checkFamily(t *testing.T, op string, got, want session.Family) {
	t.Helper()
	if got.ID != want.ID || got.Subject != want.Subject || !slices.Equal(got.Scopes, want.Scopes) ||
		!bytes.Equal(got.Claims, want.Claims) || !got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("%s returned family %+v (claims %s), want %+v (claims %s)", op, got, got.Claims, want, want.Claims)
	}
}

func testRotateChain(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	for i := range 5 {
		tok = f.mustRotate(t, fam, tok, f.at(time.Duration(i+1)*time.Minute))
	}
}

func testUnknownID(t *testing.T, f *fixture) {
	f.login(t, "alice")
	f.wantErr(t, NewToken(), f.at(time.Minute), grace, session.ErrInvalidRefresh)
	// Ids of shapes a store might build keys or queries from.
	for _, id := range []string{"", "{x}", "a}b{c", "*", "x' OR '1'='1", "nul\x00", "\xff\xfe", strings.Repeat("A", 4096)} {
		f.wantErr(t, Token{ID: id}, f.at(time.Minute), grace, session.ErrInvalidRefresh)
	}
}

func testWrongSecretChangesNoState(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	wrong := Token{ID: tok.ID, Hash: NewToken().Hash}
	f.wantErr(t, wrong, f.at(time.Minute), 0, session.ErrInvalidRefresh)
	// Not consumed, not revoked, last use unchanged: the right secret still
	// rotates, outside any grace window.
	next := f.mustRotate(t, fam, tok, f.at(2*time.Minute))
	// A wrong secret for a consumed token is not a reuse.
	f.wantErr(t, wrong, f.at(3*time.Minute), 0, session.ErrInvalidRefresh)
	f.mustRotate(t, fam, next, f.at(4*time.Minute))
}

func testReuseRevokesFamily(t *testing.T, f *fixture) {
	fam, first := f.login(t, "alice")
	second := f.mustRotate(t, fam, first, f.at(time.Minute))
	f.wantErr(t, first, f.at(2*time.Minute), 0, session.ErrReuse)
	f.wantErr(t, second, f.at(3*time.Minute), 0, session.ErrRevoked)
	f.wantErr(t, first, f.at(4*time.Minute), 0, session.ErrRevoked)
}

// race presents tok from racers goroutines at once, spread over stores,
// and returns their outcomes.
func race(stores []session.Store, tok Token, now time.Time, g time.Duration) ([]Token, []session.Rotated, []error) {
	next := make([]Token, racers)
	rotated := make([]session.Rotated, racers)
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			next[i], rotated[i], errs[i] = Rotate(context.Background(), stores[i%len(stores)], tok, now, g)
		})
	}
	close(start)
	wg.Wait()
	return next, rotated, errs
}

// oneWinner checks the outcomes of a race without grace: exactly one
// success, at least one reuse, the rest refused as revoked. It returns the
// winner.
func oneWinner(t *testing.T, errs []error) int {
	t.Helper()
	var winners, reuses []int
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, i)
		case errors.Is(err, session.ErrReuse):
			reuses = append(reuses, i)
		case errors.Is(err, session.ErrRevoked):
			// Ran after a reuse had revoked the family.
		default:
			t.Fatalf("racer %d: %v, want success, ErrReuse or ErrRevoked", i, err)
		}
	}
	if len(winners) != 1 || len(reuses) == 0 {
		t.Fatalf("%d racers succeeded and %d saw a reuse; want exactly 1 and at least 1", len(winners), len(reuses))
	}
	return winners[0]
}

func testConcurrentRotationNoGrace(t *testing.T, f *fixture) {
	_, tok := f.login(t, "alice")
	next, _, errs := race([]session.Store{f.s}, tok, f.at(time.Minute), 0)
	winner := next[oneWinner(t, errs)]
	// The losers' reuse revoked the family, the winner's successor included.
	f.wantErr(t, winner, f.at(2*time.Minute), 0, session.ErrRevoked)
}

func testConcurrentRotationWithinGrace(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	next, rotated, errs := race([]session.Store{f.s}, tok, f.at(time.Minute), grace)
	winner := -1
	for i, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v, want success within the grace window", i, err)
		}
		checkFamily(t, "Rotate", rotated[i].Family, fam)
		if !rotated[i].InGrace {
			if winner >= 0 {
				t.Fatalf("racers %d and %d both consumed the token outside the grace window", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no racer consumed the token")
	}
	// Every racer was told the winner's request, so that each hands out
	// the winner's successor: one live successor, no branches.
	for i, r := range rotated {
		if r.Request != rotated[winner].Request {
			t.Fatalf("racer %d was given request %x, want the winner's %x", i, r.Request, rotated[winner].Request)
		}
		if i != winner {
			f.wantErr(t, next[i], f.at(2*time.Minute), grace, session.ErrInvalidRefresh)
		}
	}
	f.mustRotate(t, fam, next[winner], f.at(2*time.Minute))
}

func testGraceRetryThenReuse(t *testing.T, f *fixture) {
	fam, first := f.login(t, "alice")
	consumed := f.at(time.Minute)
	r1 := NewRotation(first, consumed, grace)
	firstUse, err := f.s.Rotate(context.Background(), r1)
	if err != nil || firstUse.InGrace || firstUse.Request != r1.Request {
		t.Fatalf("first use: %+v, %v; want success with its own request", firstUse, err)
	}
	second := Token{ID: r1.Next.ID, Hash: r1.Next.Hash}
	unrecorded, r, err := f.rotate(first, consumed.Add(grace-time.Millisecond), grace)
	if err != nil || !r.InGrace || r.Request != r1.Request {
		t.Fatalf("retry within the grace window: InGrace %v, request %x, %v; want InGrace, the first request %x, success", r.InGrace, r.Request, err, r1.Request)
	}
	checkFamily(t, "Rotate", r.Family, fam)
	// The retry recorded no successor of its own, and revoked nothing.
	f.wantErr(t, unrecorded, consumed.Add(time.Second), grace, session.ErrInvalidRefresh)
	retried := consumed.Add(grace - time.Millisecond)
	third := f.mustRotate(t, fam, second, retried.Add(time.Second))
	// The retry came while the successor was unused, so the window runs
	// from it; once the successor is used, it runs out.
	if _, r, err := f.rotate(first, retried.Add(grace-2*time.Millisecond), grace); err != nil || !r.InGrace {
		t.Fatalf("retry within the grace window of the last retry: InGrace %v, %v; want InGrace", r.InGrace, err)
	}
	f.wantErr(t, first, retried.Add(2*grace), grace, session.ErrReuse)
	f.wantErr(t, third, retried.Add(2*grace+time.Second), grace, session.ErrRevoked)
}

// testGraceRunsFromTheLastRetryWhileUnused is a client whose answers keep
// getting lost (a store answering after the server's deadline, under
// load): it presents the same token again and again, each time within the
// grace window of its previous try, longer in all than the window. It is
// not a thief: its successor was never used. Once the successor is used,
// the window stops moving.
func testGraceRunsFromTheLastRetryWhileUnused(t *testing.T, f *fixture) {
	fam, first := f.login(t, "alice")
	at := f.at(time.Minute)
	r1 := NewRotation(first, at, grace)
	if _, err := f.s.Rotate(context.Background(), r1); err != nil {
		t.Fatal(err)
	}
	step := grace * 3 / 4
	for i := 1; i <= 4; i++ { // three windows in all
		at = at.Add(step)
		if _, r, err := f.rotate(first, at, grace); err != nil || !r.InGrace || r.Request != r1.Request {
			t.Fatalf("retry %d, %v after the previous: InGrace %v, %v; want the first successor", i, step, r.InGrace, err)
		}
	}
	second := Token{ID: r1.Next.ID, Hash: r1.Next.Hash}
	f.mustRotate(t, fam, second, at.Add(time.Millisecond))
	f.wantErr(t, first, at.Add(grace+time.Millisecond), grace, session.ErrReuse)
}

// rotateUnanswered presents tok at now, telling the store of a run of
// presentations from first to last that never reached it.
func (f *fixture) rotateUnanswered(tok Token, now, first, last time.Time) (session.Rotated, error) {
	r := NewRotation(tok, now, grace)
	r.UnansweredFirst, r.UnansweredLast = first, last
	return f.s.Rotate(context.Background(), r)
}

// testUnansweredRetriesKeepTheWindow is a client whose answer was lost
// and whose retries then could not reach the store for three windows (it
// paused; the server's connections to it were all busy): the server saw
// them, from within the window on, and says so. It is not a thief.
func testUnansweredRetriesKeepTheWindow(t *testing.T, f *fixture) {
	_, first := f.login(t, "alice")
	at := f.at(time.Minute)
	r1 := NewRotation(first, at, grace)
	if _, err := f.s.Rotate(context.Background(), r1); err != nil {
		t.Fatal(err)
	}
	now := at.Add(3 * grace)
	r, err := f.rotateUnanswered(first, now, at.Add(grace/2), now.Add(-time.Second))
	if err != nil || !r.InGrace || r.Request != r1.Request {
		t.Fatalf("retry after 3 windows of unanswered retries: InGrace %v, %v; want the first successor", r.InGrace, err)
	}
	// The window now runs from that retry.
	if _, r, err := f.rotate(first, now.Add(grace/2), grace); err != nil || !r.InGrace {
		t.Fatalf("retry half a window later: InGrace %v, %v; want the first successor", r.InGrace, err)
	}
}

// testUnansweredRunAfterTheWindowIsReuse: a run of unanswered
// presentations that began after the window closed does not reopen it (a
// thief presenting a stolen token while the store is away).
func testUnansweredRunAfterTheWindowIsReuse(t *testing.T, f *fixture) {
	_, first := f.login(t, "alice")
	at := f.at(time.Minute)
	if _, _, err := f.rotate(first, at, grace); err != nil {
		t.Fatal(err)
	}
	now := at.Add(3 * grace)
	if _, err := f.rotateUnanswered(first, now, at.Add(grace+time.Second), now.Add(-time.Second)); !errors.Is(err, session.ErrReuse) {
		t.Fatalf("got %v, want ErrReuse", err)
	}
}

// testUnansweredRunAfterSuccessorUsedIsReuse: once the successor is used,
// unanswered presentations of the consumed token extend nothing.
func testUnansweredRunAfterSuccessorUsedIsReuse(t *testing.T, f *fixture) {
	fam, first := f.login(t, "alice")
	at := f.at(time.Minute)
	second, _, err := f.rotate(first, at, grace)
	if err != nil {
		t.Fatal(err)
	}
	f.mustRotate(t, fam, second, at.Add(time.Second))
	now := at.Add(3 * grace)
	if _, err := f.rotateUnanswered(first, now, at.Add(2*time.Second), now.Add(-time.Second)); !errors.Is(err, session.ErrReuse) {
		t.Fatalf("got %v, want ErrReuse", err)
	}
}

// testRepeatedCommandIsItsOwn: a client library that sends the same
// rotation twice (a reply lost after the commit) gets the first answer
// again, even without a grace window; another request is still a reuse.
func testRepeatedCommandIsItsOwn(t *testing.T, f *fixture) {
	ctx := context.Background()
	fam, first := f.login(t, "alice")
	r := NewRotation(first, f.at(time.Minute), 0)
	for i := range 3 {
		got, err := f.s.Rotate(ctx, r)
		if err != nil || got.InGrace || got.Request != r.Request {
			t.Fatalf("send %d of one rotation: %+v, %v; want success with its own request", i+1, got, err)
		}
		checkFamily(t, "Rotate", got.Family, fam)
	}
	next := f.mustRotate(t, fam, Token{ID: r.Next.ID, Hash: r.Next.Hash}, f.at(2*time.Minute))
	f.wantErr(t, first, f.at(3*time.Minute), 0, session.ErrReuse)
	f.wantErr(t, next, f.at(3*time.Minute), 0, session.ErrRevoked)
}

// testLateCommandWritesNothing: a rotation that reaches the store after
// its caller's deadline (the caller answered 503) consumes nothing.
func testLateCommandWritesNothing(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	r := NewRotation(tok, f.at(time.Minute), 0)
	r.Deadline = time.Now().Add(-time.Second)
	if _, err := f.s.Rotate(context.Background(), r); !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("rotation past its deadline: %v, want ErrStoreUnavailable", err)
	}
	f.wantErr(t, Token{ID: r.Next.ID, Hash: r.Next.Hash}, f.at(time.Minute), 0, session.ErrInvalidRefresh)
	f.mustRotate(t, fam, tok, f.at(time.Minute))
}

// testLateReuseRevokesNothing: a reuse verdict reached after the caller's
// deadline (a command a paused server ran late, whose caller answered 503)
// revokes nothing; the same presentation in time does.
func testLateReuseRevokesNothing(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	r1 := NewRotation(tok, f.at(time.Minute), grace)
	if _, err := f.s.Rotate(context.Background(), r1); err != nil {
		t.Fatal(err)
	}
	r := NewRotation(tok, f.at(time.Minute+2*grace), grace)
	r.Deadline = time.Now().Add(-time.Second)
	if _, err := f.s.Rotate(context.Background(), r); !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("a reuse past its deadline: %v, want ErrStoreUnavailable", err)
	}
	second := Token{ID: r1.Next.ID, Hash: r1.Next.Hash}
	third := f.mustRotate(t, fam, second, f.at(time.Minute+2*grace))
	f.wantErr(t, tok, f.at(time.Minute+3*grace), grace, session.ErrReuse)
	f.wantErr(t, third, f.at(time.Minute+3*grace), grace, session.ErrRevoked)
}

// testAbandon: a rotation its caller gave up on is taken back while its
// successor is unused, so that the client's next request for the same
// token is a first use; once the successor was used, nothing changes.
func testAbandon(t *testing.T, f *fixture) {
	a, ok := f.s.(session.Abandoner)
	if !ok {
		t.Skip("the store does not implement session.Abandoner")
	}
	ctx := context.Background()
	fam, tok := f.login(t, "alice")
	r := NewRotation(tok, f.at(time.Minute), 0)
	if _, err := f.s.Rotate(ctx, r); err != nil {
		t.Fatal(err)
	}
	other := r
	other.Request = session.RequestID{9}
	for _, wrong := range []session.Rotation{other, NewRotation(tok, f.at(time.Minute), 0)} {
		if err := a.Abandon(ctx, wrong); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Abandon(ctx, r); err != nil {
		t.Fatalf("Abandon: %v", err)
	}
	f.wantErr(t, Token{ID: r.Next.ID, Hash: r.Next.Hash}, f.at(2*time.Minute), 0, session.ErrInvalidRefresh)
	r2 := NewRotation(tok, f.at(2*time.Minute), 0)
	if rot, err := f.s.Rotate(ctx, r2); err != nil || rot.Request != r2.Request {
		t.Fatalf("the token again after Abandon, without grace: %+v, %v; want a first use", rot, err)
	}
	third := f.mustRotate(t, fam, Token{ID: r2.Next.ID, Hash: r2.Next.Hash}, f.at(3*time.Minute))
	// Abandoning a rotation whose successor was used changes nothing.
	if err := a.Abandon(ctx, r2); err != nil {
		t.Fatal(err)
	}
	f.mustRotate(t, fam, third, f.at(4*time.Minute))
	f.wantErr(t, tok, f.at(5*time.Minute), 0, session.ErrReuse)
}

// testConsumedTokensBounded: a family remembers its latest KeptConsumed
// consumed tokens (a reuse of them revokes it); older ones are forgotten.
func testConsumedTokensBounded(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	chain := []Token{tok}
	for i := range session.KeptConsumed + 2 {
		tok = f.mustRotate(t, fam, tok, f.at(time.Duration(i+1)*time.Second))
		chain = append(chain, tok)
	}
	now := f.at(time.Minute)
	for _, old := range chain[:2] {
		f.wantErr(t, old, now, 0, session.ErrInvalidRefresh)
	}
	f.mustRotate(t, fam, tok, now) // nothing revoked; chain[2] forgotten now
	f.wantErr(t, chain[2], now.Add(time.Second), 0, session.ErrInvalidRefresh)
	f.wantErr(t, chain[3], now.Add(time.Second), 0, session.ErrReuse)
}

// testFamiliesPerSubjectBounded: a subject's logins beyond the bound
// forget its oldest families; other subjects keep theirs.
func testFamiliesPerSubjectBounded(t *testing.T, f *fixture, bound int) {
	other, otherTok := f.login(t, "alice")
	var first []Token
	for i := range bound + 2 {
		_, tok := Login(t, f.s, "mallory", f.base.Add(time.Duration(i)*time.Millisecond))
		first = append(first, tok)
	}
	for i, tok := range first {
		want := error(nil)
		if i < 2 {
			want = session.ErrInvalidRefresh
		}
		if _, _, err := f.rotate(tok, f.at(time.Minute), grace); !errors.Is(err, want) {
			t.Fatalf("family %d of %d after %d logins: %v, want %v", i+1, bound+2, bound+2, err, want)
		}
	}
	f.mustRotate(t, other, otherTok, f.at(time.Minute))
}

// testOneAccountCannotLockOthersOut: one account logging in and
// refreshing as fast as it can (each family a little past the consumed
// tokens it remembers) leaves the store able to serve another account,
// holding no more than the bounds allow.
func testOneAccountCannotLockOthersOut(t *testing.T, f *fixture, opts Options) {
	bound := opts.familiesPerSubject()
	ctx := context.Background()
	stop := time.Now().Add(attackFor)
	now := f.base
	logins, rotations := 0, 0
	for time.Now().Before(stop) {
		_, tok := Login(t, f.s, "mallory", now)
		logins++
		for range session.KeptConsumed + 2 {
			now = now.Add(time.Millisecond)
			next, _, err := Rotate(ctx, f.s, tok, now, grace)
			if err != nil {
				t.Fatalf("mallory's refresh %d: %v", rotations, err)
			}
			tok = next
			rotations++
		}
	}
	if opts.Held != nil {
		if held, most := opts.Held(t, f.s), bound*(1+session.KeptConsumed); held > most {
			t.Errorf("the store holds %d refresh tokens of one account, want at most %d (%d families of 1 live and %d consumed tokens)", held, most, bound, session.KeptConsumed)
		}
	}
	fam, tok := Login(t, f.s, "alice", now)
	f.mustRotate(t, fam, tok, now.Add(time.Second))
	t.Logf("after %d logins and %d refreshes of one account in %v, another account logs in and refreshes", logins, rotations, attackFor)
}

func testAbsoluteExpiry(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	// Rotate often enough that the idle timeout never fires.
	now := f.base
	for now.Add(idle).Before(fam.ExpiresAt) {
		now = now.Add(idle - time.Minute)
		tok = f.mustRotate(t, fam, tok, now)
	}
	last := fam.ExpiresAt.Add(-time.Millisecond)
	tok = f.mustRotate(t, fam, tok, last)
	f.wantErr(t, tok, fam.ExpiresAt, grace, session.ErrSessionExpired)
	f.wantErr(t, tok, fam.ExpiresAt.Add(time.Hour), grace, session.ErrSessionExpired)
}

func testIdleTimeout(t *testing.T, f *fixture) {
	fam, tok := f.login(t, "alice")
	f.wantErr(t, tok, f.at(idle), grace, session.ErrSessionExpired)
	// The failed attempt used nothing: just inside the timeout still works,
	// and the rotation moves the last use.
	lastUse := f.at(idle - time.Millisecond)
	tok = f.mustRotate(t, fam, tok, lastUse)
	tok = f.mustRotate(t, fam, tok, lastUse.Add(idle-time.Millisecond))
	f.wantErr(t, tok, lastUse.Add(2*idle), grace, session.ErrSessionExpired)

	// A grace retry is a use too.
	fam, first := f.login(t, "bob")
	consumed := f.at(time.Minute)
	second := f.mustRotate(t, fam, first, consumed)
	if _, _, err := f.rotate(first, consumed.Add(time.Second), grace); err != nil {
		t.Fatalf("retry within the grace window: %v", err)
	}
	f.mustRotate(t, fam, second, consumed.Add(time.Second+idle-time.Millisecond))

	// Idle 0 disables the timeout; the absolute lifetime still holds.
	fam, tok = f.login(t, "carol")
	next := NewToken()
	r, err := f.s.Rotate(context.Background(), session.Rotation{
		ID: tok.ID, Hash: tok.Hash, Next: next.record("", f.at(lifetime-time.Millisecond)), Now: f.at(lifetime - time.Millisecond),
		Request: session.RequestID{1},
	})
	if err != nil {
		t.Fatalf("Rotate with Idle 0 after %v unused: %v, want success", lifetime-time.Millisecond, err)
	}
	checkFamily(t, "Rotate", r.Family, fam)
	_, _, err = f.rotate(next, fam.ExpiresAt, 0)
	if !errors.Is(err, session.ErrSessionExpired) {
		t.Fatalf("Rotate at the absolute expiry: %v, want ErrSessionExpired", err)
	}
}

// testRuleOrder checks the order of Rotate's rules where two apply.
func testRuleOrder(t *testing.T, f *fixture) {
	ctx := context.Background()
	// 1 before 2: a wrong secret for a revoked family is just invalid.
	fam, tok := f.login(t, "alice")
	if err := f.s.RevokeFamily(ctx, fam.ID); err != nil {
		t.Fatal(err)
	}
	f.wantErr(t, Token{ID: tok.ID, Hash: NewToken().Hash}, f.at(time.Minute), grace, session.ErrInvalidRefresh)
	// 2 before 3: revoked, then expired.
	f.wantErr(t, tok, fam.ExpiresAt, grace, session.ErrRevoked)

	// 3 before 4: a consumed token presented after expiry is expired, not a
	// reuse, and revokes nothing.
	fam, first := f.login(t, "bob")
	second := f.mustRotate(t, fam, first, f.at(time.Minute))
	f.wantErr(t, first, f.at(time.Minute+idle), 0, session.ErrSessionExpired)
	f.wantErr(t, second, f.at(time.Minute+idle), 0, session.ErrSessionExpired)
	f.mustRotate(t, fam, second, f.at(2*time.Minute))
}

func testLogout(t *testing.T, f *fixture) {
	ctx := context.Background()
	fam, tok := f.login(t, "alice")
	other, otherTok := f.login(t, "alice")
	if err := f.s.RevokeFamily(ctx, fam.ID); err != nil {
		t.Fatalf("RevokeFamily: %v", err)
	}
	f.wantErr(t, tok, f.at(time.Minute), grace, session.ErrRevoked)
	f.mustRotate(t, other, otherTok, f.at(time.Minute))
	if err := f.s.RevokeFamily(ctx, fam.ID); err != nil {
		t.Fatalf("RevokeFamily twice: %v", err)
	}
	for _, id := range []string{randomID(), "{x}", "\xff\x00"} {
		if err := f.s.RevokeFamily(ctx, id); err != nil {
			t.Fatalf("RevokeFamily(%q) of an unknown family: %v", id, err)
		}
	}
}

func testRevokeSubject(t *testing.T, f *fixture) {
	ctx := context.Background()
	fam1, tok1 := f.login(t, "alice")
	_, tok2 := f.login(t, "alice")
	bob, bobTok := f.login(t, "bob")
	tok1 = f.mustRotate(t, fam1, tok1, f.at(time.Minute))
	if err := f.s.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatalf("RevokeSubject: %v", err)
	}
	f.wantErr(t, tok1, f.at(2*time.Minute), grace, session.ErrRevoked)
	f.wantErr(t, tok2, f.at(2*time.Minute), grace, session.ErrRevoked)
	f.mustRotate(t, bob, bobTok, f.at(2*time.Minute))
	// A login after the revocation is a new session.
	fam3, tok3 := f.login(t, "alice")
	f.mustRotate(t, fam3, tok3, f.at(3*time.Minute))
	if err := f.s.RevokeSubject(ctx, "nobody"); err != nil {
		t.Fatalf("RevokeSubject of an unknown subject: %v", err)
	}
}

func testLookup(t *testing.T, f *fixture) {
	ctx := context.Background()
	fam, first := f.login(t, "alice")
	got, err := f.s.Lookup(ctx, first.ID, first.Hash)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	checkFamily(t, "Lookup", got, fam)
	for _, bad := range []Token{{ID: first.ID, Hash: NewToken().Hash}, NewToken(), {ID: "{x}"}, {ID: "\xff\x00"}} {
		if _, err := f.s.Lookup(ctx, bad.ID, bad.Hash); !errors.Is(err, session.ErrInvalidRefresh) {
			t.Fatalf("Lookup(%q, wrong hash): %v, want ErrInvalidRefresh", bad.ID, err)
		}
	}
	// Lookup consumed nothing: the token rotates as never presented.
	second := f.mustRotate(t, fam, first, f.at(time.Minute))
	// A consumed token is still found, for logout by refresh token.
	got, err = f.s.Lookup(ctx, first.ID, first.Hash)
	if err != nil {
		t.Fatalf("Lookup of a consumed token: %v", err)
	}
	checkFamily(t, "Lookup", got, fam)
	f.mustRotate(t, fam, second, f.at(2*time.Minute))
}

func testReopen(t *testing.T, a, b *fixture) {
	ctx := context.Background()
	b.base = a.base
	fam, first := a.login(t, "alice")
	second := b.mustRotate(t, fam, first, b.at(time.Minute))
	a.wantErr(t, first, a.at(2*time.Minute), 0, session.ErrReuse)
	b.wantErr(t, second, b.at(3*time.Minute), 0, session.ErrRevoked)

	_, tok := b.login(t, "bob")
	if _, err := a.s.Lookup(ctx, tok.ID, tok.Hash); err != nil {
		t.Fatalf("Lookup on the other instance: %v", err)
	}
	if err := a.s.RevokeSubject(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	b.wantErr(t, tok, b.at(time.Minute), grace, session.ErrRevoked)

	// Racers on both instances: still exactly one successor.
	_, tok = a.login(t, "carol")
	next, _, errs := race([]session.Store{a.s, b.s}, tok, a.at(time.Minute), 0)
	b.wantErr(t, next[oneWinner(t, errs)], a.at(2*time.Minute), 0, session.ErrRevoked)
}

func testUnreachable(t *testing.T, s session.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := &fixture{s: s, base: time.Now().Truncate(time.Millisecond)}
	tok := NewToken()
	fam := session.Family{ID: randomID(), Subject: "alice", CreatedAt: f.base, ExpiresAt: f.base.Add(lifetime)}
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, session.ErrStoreUnavailable) {
			t.Errorf("%s on an unreachable store: %v, want ErrStoreUnavailable", op, err)
		}
	}
	check("Create", s.Create(ctx, fam, tok.record(fam.ID, f.base)))
	_, r, err := f.rotate(tok, f.at(time.Minute), grace)
	check("Rotate", err)
	if r.Family.ID != "" || r.InGrace {
		t.Errorf("Rotate on an unreachable store returned %+v with its error", r)
	}
	check("RevokeFamily", s.RevokeFamily(ctx, fam.ID))
	check("RevokeSubject", s.RevokeSubject(ctx, "alice"))
	_, err = s.Lookup(ctx, tok.ID, tok.Hash)
	check("Lookup", err)
}

// Bench's rotations: a family makes chainLength of them (about ten days
// of 15-minute access tokens) before the next login, and each happens
// benchStep after the previous one, so that a store holding the families
// of a long run sees the oldest ones expire.
const (
	chainLength = 1024
	benchStep   = 10 * time.Millisecond
)

// Bench measures one rotation per iteration on s, each presenting the
// successor of the previous one, outside any grace window. Tokens are made
// before the timer starts.
func Bench(b *testing.B, s session.Store) {
	ctx := context.Background()
	base := time.Now().Truncate(time.Millisecond)
	tokens := make([]Token, b.N+1)
	for i := range tokens {
		tokens[i] = NewToken()
	}
	login := func(first Token, now time.Time) {
		fam := session.Family{ID: randomID(), Subject: "bench", Scopes: []string{"read"}, CreatedAt: now, ExpiresAt: now.Add(lifetime)}
		if err := s.Create(ctx, fam, first.record(fam.ID, now)); err != nil {
			b.Fatalf("Create: %v", err)
		}
	}
	login(tokens[0], base)
	b.ResetTimer()
	for i := range b.N {
		now := base.Add(time.Duration(i) * benchStep)
		if i > 0 && i%chainLength == 0 {
			tokens[i] = NewToken() // the previous successor is stored already
			login(tokens[i], now)
		}
		_, err := s.Rotate(ctx, session.Rotation{
			ID: tokens[i].ID, Hash: tokens[i].Hash, Next: tokens[i+1].record("", now), Now: now, Idle: idle,
		})
		if err != nil {
			b.Fatalf("Rotate %d: %v", i, err)
		}
	}
}

// counter counts the round trips a store makes to its backend.
type counter interface {
	Trips() int64
	Reset()
}

// RoundTrips checks what a rotation of s costs on the wire, as c counts
// it (Trips since the last Reset): two round trips for a rotation, one for an unknown token, and
// extra for the other outcomes as extra says (a store that writes the
// successor's index in advance deletes it when nothing names it). It
// warms s up with one rotation first, so that what a connection does once
// (preparing statements, loading scripts) is not counted.
func RoundTrips(t *testing.T, s session.Store, c counter, extra int64) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	_, first := Login(t, s, "alice", now)
	second, _, err := Rotate(ctx, s, first, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name  string
		tok   Token
		grace time.Duration
		trips int64
		want  error
	}{
		{"rotation", second, 0, 2, nil},
		{"retry within grace", first, time.Minute, 2 + extra, nil},
		{"unknown token", NewToken(), 0, 1, session.ErrInvalidRefresh},
		{"reuse", first, 0, 2 + extra, session.ErrReuse},
	} {
		c.Reset()
		if _, _, err := Rotate(ctx, s, step.tok, now, step.grace); !errors.Is(err, step.want) {
			t.Fatalf("%s: %v, want %v", step.name, err, step.want)
		}
		if got := c.Trips(); got != step.trips {
			t.Errorf("%s: %d round trips, want %d", step.name, got, step.trips)
		}
	}
}
