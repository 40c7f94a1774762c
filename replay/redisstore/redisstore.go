package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/rediskey"
	"github.com/sealjwt/sealjwt/replay"
)

// DefaultPrefix is the default prefix of the keys the store writes.
const DefaultPrefix = "sealjwt:replay:"

// Defaults of the options.
const (
	// defaultTimeout bounds each store call: well under a sender's own
	// timeout, so that the sender hears 503 rather than nothing.
	defaultTimeout = time.Second
	// defaultInDoubt is how long after a check's deadline its pair counts
	// as possibly given back (503) rather than seen (409): room for a
	// receiver cut off from Redis to give back a pair whose answer it lost.
	// Every accepted pair is in doubt for this long after its deadline, so
	// a copy arriving then is a 503, not a 409.
	defaultInDoubt = 10 * time.Second
	// defaultResetMargin is how far a sender's clock may run ahead of
	// Redis's: the verifier's default leeway.
	defaultResetMargin = 30 * time.Second
)

// clockAgreement is how closely receivers' clocks and Redis's must agree:
// the deadline given to the script is this much earlier than the
// receiver's, so that a write Redis still allows has landed before the
// receiver gives up. A larger disagreement is covered by the give-back.
const clockAgreement = 100 * time.Millisecond

// epochSuffix names the epoch key under the prefix; pair keys are 64 hex
// digits, so it cannot collide with one.
const epochSuffix = "epoch"

// Store is a replay.Store on Redis.
type Store struct {
	client      redis.UniversalClient
	prefix      string
	timeout     time.Duration
	inDoubt     time.Duration
	resetMargin time.Duration
	now         func() time.Time
}

var _ replay.IssuedStore = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the key prefix (default DefaultPrefix), which must not
// contain '{' or '}' (they would move every key to one hash slot on
// Cluster). Receivers that must share replay state must use the same
// prefix.
func WithPrefix(p string) Option {
	return func(s *Store) { s.prefix = p }
}

// WithTimeout bounds each store call (default 1 s); values
// below 10 ms are treated as 10 ms. A call that runs out answers
// replay.ErrUnavailable, never replay.ErrReplayed.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) { s.timeout = max(d, 10*time.Millisecond) }
}

// WithInDoubt sets how long after a check's deadline another check of the
// same pair is refused with replay.ErrInDoubt rather than
// replay.ErrReplayed (default 10 s): the time a receiver that gave
// up has to give the pair back. A negative d is taken as 0. All receivers
// sharing a prefix should use the same value.
func WithInDoubt(d time.Duration) Option {
	return func(s *Store) { s.inDoubt = max(d, 0) }
}

// WithResetMargin sets how far senders' clocks may run ahead of Redis's
// (default 30 s, the verifier's default leeway): after the store lost its data, messages
// issued before the new epoch plus this margin are refused. A negative d
// is taken as 0. All receivers sharing a prefix should use the same value.
func WithResetMargin(d time.Duration) Option {
	return func(s *Store) { s.resetMargin = max(d, 0) }
}

// ClientOptions sets in o what go-redis would otherwise choose, for checks
// that must answer within the default timeout (1 s), and returns o:
//   - ContextTimeoutEnabled: the check's deadline bounds every socket read
//     and write, so a paused server costs one deadline, not the client's
//     retries times its read timeout (10 s and more by default).
//   - MaxRetries 1, with short backoff: one quick retry covers a pooled
//     connection that a Redis restart broke, or a reply lost after the
//     command ran. A retried check is safe (the script recognises its own
//     value), but retries cannot help a paused server: they only queue more
//     commands for it.
//   - DialTimeout half the deadline, so a dead address answers 503 in
//     time; ReadTimeout and WriteTimeout equal to it, as a backstop.
//   - PoolSize 128 and PoolTimeout 100 ms: during a pause each waiting
//     check holds a connection until its deadline; waiting longer for one
//     would not let a check answer sooner, so beyond that it fails fast.
func ClientOptions(o *redis.Options) *redis.Options {
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.MinRetryBackoff = 8 * time.Millisecond
	o.MaxRetryBackoff = 64 * time.Millisecond
	o.DialTimeout = defaultTimeout / 2
	o.ReadTimeout = defaultTimeout
	o.WriteTimeout = defaultTimeout
	o.PoolSize = 128
	o.PoolTimeout = 100 * time.Millisecond
	return o
}

// New returns a Store on client. The caller keeps ownership of client and
// closes it. A client made with ClientOptions fits the store's timeout.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	s := &Store{client: client, prefix: DefaultPrefix, timeout: defaultTimeout,
		inDoubt: defaultInDoubt, resetMargin: defaultResetMargin, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if err := rediskey.CheckPrefix(s.prefix); err != nil {
		return nil, err
	}
	return s, nil
}

// checkScript records the pair once. KEYS[1] is the pair; ARGV is the
// check's own value, its deadline and the pair's expiry (Unix ms), and the
// in-doubt window (ms). The value stored is "<own value>:<deadline>".
// Replies: ok (written), mine (this check's value already there: the
// client sent the command twice), seen, doubt (held by a check past its
// deadline that may still give it back), late (Redis's clock is past the
// deadline: nothing written).
var checkScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call('GET', KEYS[1])
if held then
  local sep = string.find(held, ':', 1, true)
  if not sep then return 'seen' end
  if string.sub(held, 1, sep - 1) == ARGV[1] then return 'mine' end
  local due = tonumber(string.sub(held, sep + 1))
  if due and now > due and now <= due + tonumber(ARGV[4]) then return 'doubt' end
  return 'seen'
end
if now > tonumber(ARGV[2]) then return 'late' end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PXAT', ARGV[3])
return 'ok'
`

// epochScript returns the epoch "<random>:<created, Unix s>" of KEYS[1],
// creating it from ARGV[1] and Redis's clock when missing.
var epochScript = `
local e = redis.call('GET', KEYS[1])
if e then return e end
local t = redis.call('TIME')
e = ARGV[1] .. ':' .. t[1]
redis.call('SET', KEYS[1], e)
return e
`

// releaseScript deletes KEYS[1] if it holds the value ARGV[1].
var releaseScript = `
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then
  return redis.call('DEL', KEYS[1])
end
return 0
`

// Check implements replay.Store for a message whose issue time is not
// known: it cannot refuse one issued before the store lost its data, so
// receivers call CheckIssued (token.Verifier.VerifyOnce does).
func (s *Store) Check(ctx context.Context, issuer, id string, expires time.Time) error {
	verdict, _, err := s.check(ctx, issuer, id, expires)
	if err != nil {
		return err
	}
	return verdict
}

// CheckIssued implements replay.IssuedStore. It remembers the pair until
// expires (the token's exp plus the verifier's leeway, in absolute Unix
// milliseconds, so every receiver forgets it at the same instant whatever
// its own clock says; only an expiry already past is kept one millisecond
// from this receiver's now, because Redis deletes a key whose PXAT has
// passed). Errors: replay.ErrReplayed, replay.ErrReset, and
// replay.ErrUnavailable (or replay.ErrInDoubt, which wraps it) for
// anything else, a timeout or a cancelled ctx included.
func (s *Store) CheckIssued(ctx context.Context, issuer, id string, issued, expires time.Time) error {
	verdict, epoch, err := s.check(ctx, issuer, id, expires)
	if err != nil {
		return err
	}
	if issued.Unix() < epoch.Unix()+int64(s.resetMargin/time.Second) {
		// The pair may now be held in the new dataset; that is harmless:
		// a message issued before this epoch is refused until it expires.
		return fmt.Errorf("%w: issued %v, store data begins at %v", replay.ErrReset, issued.UTC(), epoch.UTC())
	}
	return verdict
}

// check runs one check under the store's deadline. When it fails (err
// wraps replay.ErrUnavailable), the pair it may have written is given back
// in the background.
func (s *Store) check(ctx context.Context, issuer, id string, expires time.Time) (verdict error, epoch time.Time, err error) {
	deadline := s.now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	k := replay.Key(issuer, id)
	key := s.prefix + hex.EncodeToString(k[:])
	own := randomValue()
	if verdict, epoch, err = s.run(ctx, key, own, deadline, expires); err != nil {
		s.giveBack(key, own, deadline, expires)
		return nil, time.Time{}, fmt.Errorf("%w: %w", replay.ErrUnavailable, err)
	}
	return verdict, epoch, nil
}

// giveBack releases the pair a failed check may have written, before the
// receiver answers 503: then the sender's retry finds it free. When Redis
// does not answer by the check's deadline, it returns only then, and keeps
// trying in the background: a retry can come only after the 503, past the
// deadline, when another check of the pair is refused as in doubt (503)
// rather than as a replay until the give-back lands.
func (s *Store) giveBack(key, own string, deadline, expires time.Time) {
	for wait := 10 * time.Millisecond; s.now().Before(deadline); wait = min(2*wait, 100*time.Millisecond) {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := s.client.Eval(ctx, releaseScript, []string{key}, own).Err()
		cancel()
		if err == nil {
			return
		}
		time.Sleep(min(wait, time.Until(deadline)))
	}
	go s.release(key, own, expires)
}

// run sends the check and the epoch read in one round trip, the epoch
// second, so that a loss before or during the check is seen. It returns
// the check's verdict as an error (nil: accepted) and the epoch's time.
func (s *Store) run(ctx context.Context, key, own string, deadline, expires time.Time) (verdict error, epoch time.Time, err error) {
	p := s.client.Pipeline()
	check := p.Eval(ctx, checkScript, []string{key}, own,
		deadline.Add(-clockAgreement).UnixMilli(), s.expiresAt(expires), s.inDoubt.Milliseconds())
	ep := p.Eval(ctx, epochScript, []string{s.prefix + epochSuffix}, randomValue())
	if _, err := p.Exec(ctx); err != nil {
		return nil, time.Time{}, err
	}
	if epoch, err = parseEpoch(ep.Val()); err != nil {
		return nil, time.Time{}, err
	}
	switch v := check.Val(); v {
	case "ok", "mine":
		return nil, epoch, nil
	case "seen":
		return replay.ErrReplayed, epoch, nil
	case "doubt":
		return replay.ErrInDoubt, epoch, nil
	case "late":
		return nil, time.Time{}, errors.New("the store answered after the check's deadline; nothing was written")
	default:
		return nil, time.Time{}, fmt.Errorf("unexpected reply %v from the check script", v)
	}
}

// Epoch returns the time the store's current data began (creating the
// epoch if missing). A receiver calls it at start: it checks that Redis
// answers, and messages issued before the returned time plus the reset
// margin are refused.
func (s *Store) Epoch(ctx context.Context) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := s.client.Eval(ctx, epochScript, []string{s.prefix + epochSuffix}, randomValue()).Result()
	var epoch time.Time
	if err == nil {
		epoch, err = parseEpoch(v)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", replay.ErrUnavailable, err)
	}
	return epoch, nil
}

// release gives back the pair a failed check may have written, retrying
// until Redis answers or the pair expires: the receiver answered 503, so
// the handler did not run, and the sender's retry with the same id must be
// accepted.
func (s *Store) release(key, own string, expires time.Time) {
	for wait := 50 * time.Millisecond; s.now().Before(expires); wait = min(2*wait, time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		err := s.client.Eval(ctx, releaseScript, []string{key}, own).Err()
		cancel()
		if err == nil {
			return
		}
		time.Sleep(wait)
	}
}

// parseEpoch reads the epoch script's reply "<random>:<Unix s>".
func parseEpoch(v any) (time.Time, error) {
	str, _ := v.(string)
	_, sec, ok := strings.Cut(str, ":")
	n, err := strconv.ParseInt(sec, 10, 64)
	if !ok || err != nil {
		return time.Time{}, fmt.Errorf("epoch %q is not <id>:<unix seconds>", str)
	}
	return time.Unix(n, 0), nil
}

// randomValue returns 130 random bits in base32 (no ':'): a check's own
// value, or a new epoch's id.
func randomValue() string {
	return rand.Text()
}

// expiresAt returns the PXAT value for expires: Unix milliseconds rounded
// up, and never before one millisecond from now.
func (s *Store) expiresAt(expires time.Time) int64 {
	ms := expires.UnixMilli()
	if expires.After(time.UnixMilli(ms)) {
		ms++
	}
	return max(ms, s.now().UnixMilli()+1)
}
