package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/deadline"
	"github.com/sealjwt/sealjwt/internal/faultproxy"
	"github.com/sealjwt/sealjwt/session"
)

// Faulty is a store whose backend is reached through a fault proxy.
type Faulty struct {
	Store session.Store
	Proxy *faultproxy.Proxy
	// Restart stops the backend and starts it again with its data (nil
	// when the test cannot restart it).
	Restart func(t *testing.T)
	// Stop pauses the backend itself, as SIGSTOP does, and returns what
	// resumes it (nil when the test cannot). Unlike the proxy's Pause,
	// which also holds the replies of commands that already ran (a lost
	// reply), a stopped server has run a command or has not.
	Stop func(t *testing.T) (resume func())
}

// Fault-case timing: the deadline each call runs under, as a Manager's
// WithStoreTimeout sets it, and how long a store stays away.
const (
	faultTimeout = time.Second
	faultAway    = 2 * time.Second
	faultClients = 8
)

// Faults runs the fault cases against stores made by newFaulty: a stopped
// backend and a paused path to it (no answer), a reply lost after the
// commit, a client library sending one command twice, a backend restart.
// In each, honest clients refresh and, when answered ErrStoreUnavailable,
// present the same token again; the cases check that every
// ErrStoreUnavailable came within the deadline, that no honest client was
// refused, and that no family ever had two live successors. The cases
// where a client's own new request follows a reply it never got need the
// grace window and run with it; the others run without one.
func Faults(t *testing.T, newFaulty func(t *testing.T) Faulty) {
	t.Run("Stopped/grace=0s", func(t *testing.T) {
		f := newFaulty(t)
		if f.Stop == nil {
			t.Skip("the test cannot stop this backend")
		}
		testStoppedEachRefreshSentOnce(t, f)
	})
	t.Run("Stopped/grace="+grace.String(), func(t *testing.T) {
		f := newFaulty(t)
		if f.Stop == nil {
			t.Skip("the test cannot stop this backend")
		}
		runClients(t, f.Store, grace, func() {
			resume := f.Stop(t)
			time.AfterFunc(faultAway, resume)
		})
	})
	t.Run("Paused/grace="+grace.String(), func(t *testing.T) {
		f := newFaulty(t)
		runClients(t, f.Store, grace, func() {
			f.Proxy.Pause()
			time.AfterFunc(faultAway, f.Proxy.Resume)
		})
	})
	for _, g := range []time.Duration{0, grace} {
		t.Run("ReplyLostAfterCommit/grace="+g.String(), func(t *testing.T) {
			f := newFaulty(t)
			runClients(t, f.Store, g, func() { f.Proxy.DropReplies(faultClients / 2) })
		})
	}
	t.Run("SameCommandTwice/grace=0s", func(t *testing.T) {
		testSameCommandTwice(t, newFaulty(t))
	})
	t.Run("Restart/grace="+grace.String(), func(t *testing.T) {
		f := newFaulty(t)
		if f.Restart == nil {
			t.Skip("the test cannot restart this backend")
		}
		runClients(t, f.Store, grace, func() { go f.Restart(t) })
	})
}

// client is one honest client: its current token and every successor it
// was ever offered.
type client struct {
	tok    heldToken
	offers map[session.RequestID]heldToken
}

// runClients logs in faultClients clients that refresh one after the
// other, presenting the same token again after each ErrStoreUnavailable,
// starts the fault while they are at it (so that it catches rotations at
// every stage: read sent, script or function sent, reply on its way), and
// lets them go on until a second after the store is back.
func runClients(t *testing.T, s session.Store, g time.Duration, fault func()) {
	clients := make([]*client, faultClients)
	for i := range clients {
		_, tok := Login(t, s, "honest-"+randomID(), time.Now().Truncate(time.Millisecond))
		clients[i] = &client{tok: tok, offers: map[session.RequestID]heldToken{}}
	}
	stop := time.Now().Add(faultAway + 2*time.Second)
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			for time.Now().Before(stop) && c.refresh(t, s, g) {
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	fault()
	wg.Wait()
	for _, c := range clients {
		c.checkOneLiveSuccessor(t, s)
	}
}

// refresh presents c's token until the store answers, and reports
// whether it got its successor.
func (c *client) refresh(t *testing.T, s session.Store, g time.Duration) bool {
	clear(c.offers)
	for giveUp := time.Now().Add(10 * time.Second); time.Now().Before(giveUp); {
		got, again := c.attempt(t, s, g)
		if !again {
			return got
		}
		time.Sleep(faultTimeout) // as Retry-After asks: the timeout, rounded up
	}
	t.Errorf("no answer but ErrStoreUnavailable for 10 s")
	return false
}

// checkOneLiveSuccessor presents every successor c was offered in its
// last refresh: only the one it holds may be live.
func (c *client) checkOneLiveSuccessor(t *testing.T, s session.Store) {
	now := time.Now().Add(time.Minute)
	for _, offer := range c.offers {
		_, _, err := Rotate(context.Background(), s, offer, now, 0)
		switch {
		case offer == c.tok && err != nil:
			t.Errorf("the successor the client holds: %v, want it live", err)
		case offer != c.tok && !errors.Is(err, session.ErrInvalidRefresh):
			t.Errorf("another successor offered to the same client: %v, want ErrInvalidRefresh (two live successors)", err)
		}
	}
}

// rotateWithin runs r under a deadline of timeout, as a Manager does:
// it gives up when the deadline passes whatever the store's client does,
// and takes back a rotation whose success came after it gave up.
func rotateWithin(s session.Store, r session.Rotation, timeout time.Duration) (session.Rotated, error) {
	rot, err := deadline.Call(context.Background(), timeout, func(ctx context.Context) (session.Rotated, error) {
		r.Deadline = session.CommitDeadline(ctx, timeout)
		return s.Rotate(ctx, r)
	}, func(rot session.Rotated, err error) {
		if err == nil && rot.Request == r.Request || errors.Is(err, session.ErrStoreUnavailable) {
			abandonRetrying(s, r, timeout)
		}
	})
	switch {
	case errors.Is(err, deadline.ErrNoAnswer):
		return session.Rotated{}, session.ErrStoreUnavailable
	case errors.Is(err, session.ErrStoreUnavailable) && abandon(s, r, timeout/4) != nil:
		go abandonRetrying(s, r, timeout) // the command may have run before the connection broke
	}
	return rot, err
}

// testStoppedEachRefreshSentOnce is the grace-0 finding: clients each
// send one refresh as the server stops (SIGSTOP); they get
// ErrStoreUnavailable within the deadline (or their answer, if it came in
// time); their client library may re-send meanwhile. Once the server is
// back, each client that got no answer presents its token again and must
// get a successor: not a reuse, not a revoked family, one live successor.
// Without a grace window, nothing but the store's own handling (late
// commands refused, re-sent commands recognised, unanswered rotations
// taken back) keeps them logged in.
func testStoppedEachRefreshSentOnce(t *testing.T, f Faulty) {
	clients := make([]*client, 4*faultClients)
	for i := range clients {
		_, tok := Login(t, f.Store, "honest-"+randomID(), time.Now().Truncate(time.Millisecond))
		clients[i] = &client{tok: tok, offers: map[session.RequestID]heldToken{}}
	}
	answered := make([]bool, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() { answered[i], _ = c.attempt(t, f.Store, 0) })
	}
	time.Sleep(time.Millisecond) // some rotations are at the server, some on their way
	resume := f.Stop(t)
	wg.Wait()
	time.Sleep(faultAway)
	resume()
	time.Sleep(faultTimeout) // what the 503's Retry-After asks, at least
	for i, c := range clients {
		if !answered[i] {
			c.refresh(t, f.Store, 0)
		}
		c.checkOneLiveSuccessor(t, f.Store)
	}
}

// attempt presents c's token once and reports whether it got its
// successor, and whether it should try again (ErrStoreUnavailable, which
// must come within the deadline and a quarter).
func (c *client) attempt(t *testing.T, s session.Store, g time.Duration) (got, again bool) {
	r := newRotation(c.tok, time.Now(), g)
	c.offers[r.Request] = heldToken{ID: r.Next.ID, Hash: r.Next.Hash}
	start := time.Now()
	rot, err := rotateWithin(s, r, faultTimeout)
	switch {
	case errors.Is(err, session.ErrStoreUnavailable):
		if took := time.Since(start); took > faultTimeout*5/4+200*time.Millisecond {
			t.Errorf("ErrStoreUnavailable after %v, want within the deadline of %v and a quarter of it to take the rotation back", took, faultTimeout)
		}
		return false, true
	case err != nil:
		t.Errorf("an honest client: %v", err)
		return false, false
	}
	next, ok := c.offers[rot.Request]
	if !ok {
		t.Errorf("the store named request %x, which this client never made", rot.Request)
		return false, false
	}
	c.tok = next
	return true, false
}

// testSameCommandTwice: the reply to a committed rotation is lost and
// the client library sends the same command again: the second send gets
// the first answer, even without a grace window.
func testSameCommandTwice(t *testing.T, f Faulty) {
	fam, tok := Login(t, f.Store, "honest-"+randomID(), time.Now().Truncate(time.Millisecond))
	r := newRotation(tok, time.Now(), 0)
	f.Proxy.DropReplies(1)
	if _, err := rotateWithin(f.Store, r, faultTimeout); err == nil {
		t.Log("the store's client re-sent the command itself")
	}
	f.Proxy.Heal()
	rot, err := rotateWithin(f.Store, r, faultTimeout)
	if err != nil || rot.Request != r.Request {
		t.Fatalf("the same command again: %+v, %v; want success with its own request", rot, err)
	}
	checkFamily(t, "Rotate", rot.Family, fam)
	if _, _, err := Rotate(context.Background(), f.Store, heldToken{ID: r.Next.ID, Hash: r.Next.Hash}, time.Now(), 0); err != nil {
		t.Fatalf("its successor: %v", err)
	}
}

// abandon takes r back if s can, as a Manager does when r may have
// committed unanswered.
func abandon(s session.Store, r session.Rotation, timeout time.Duration) error {
	a, ok := s.(session.Abandoner)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return a.Abandon(ctx, r)
}

// abandonRetrying is abandon tried up to three times, as a Manager does
// in the background.
func abandonRetrying(s session.Store, r session.Rotation, timeout time.Duration) {
	for range 3 {
		if abandon(s, r, timeout) == nil {
			return
		}
	}
}
