package sealjwt_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/replaytest/redisfixture"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/replay/redisstore"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// party is a sender or a receiver with freshly generated keys.
type party struct {
	id      string
	sign    *token.KeySet
	sealKey *seal.KeySet
}

func newParty(t testing.TB, id string, sealAlg seal.Alg, sigAlg token.Alg) *party {
	t.Helper()
	sk, err := token.GenerateKey(sigAlg)
	if err != nil {
		t.Fatal(err)
	}
	signSet, err := token.NewKeySet(sk)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := seal.GenerateKey(sealAlg)
	if err != nil {
		t.Fatal(err)
	}
	sealSet, err := seal.NewKeySet(ek)
	if err != nil {
		t.Fatal(err)
	}
	return &party{id: id, sign: signSet, sealKey: sealSet}
}

func (p *party) sealer(t testing.TB, opts ...token.SignerOption) *sealjwt.Sealer {
	t.Helper()
	signer, err := token.NewSigner(p.sign, p.id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sealjwt.NewSealer(signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verifier for receiver p, trusting senders.
func (p *party) verifier(t testing.TB, opts []token.VerifierOption, senders ...*party) *token.Verifier {
	t.Helper()
	v, err := token.NewVerifier(p.id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range senders {
		if err := v.Trust(s.id, s.sign.Verifying()); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// opener for receiver p, trusting senders.
func (p *party) opener(t testing.TB, store replay.Store, senders ...*party) *sealjwt.Opener {
	t.Helper()
	o, err := sealjwt.NewOpener(p.sealKey, p.verifier(t, nil, senders...), sealjwt.WithReplayStore(store))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (p *party) pub() *seal.PublicKey { return p.sealKey.Primary().Public() }

type order struct {
	Item  string         `json:"item"`
	Count int            `json:"count"`
	Blob  sealjwt.Binary `json:"blob"`
}

func TestRoundTripEverySuiteEverySignature(t *testing.T) {
	ctx := context.Background()
	sigKeys := map[token.Alg]*party{}
	for _, sig := range token.Algs() {
		if sig == token.HS256 {
			continue // signed-only mode: TestSealedModeRefusesHS256
		}
		sigKeys[sig] = newParty(t, "sender-"+string(sig), seal.HPKE3, sig)
	}
	for _, alg := range seal.Algs() {
		recv := newParty(t, "receiver", alg, token.EdDSA)
		for sig, sender := range sigKeys {
			t.Run("suite="+string(alg)+"/sig="+string(sig), func(t *testing.T) {
				env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, order{"tea", 3, []byte{0, 1, 0xff}})
				if err != nil {
					t.Fatal(err)
				}
				msg, err := recv.opener(t, replay.NewMemory(), sender).Open(ctx, env)
				if err != nil {
					t.Fatal(err)
				}
				var got order
				if err := msg.Decode(&got); err != nil {
					t.Fatal(err)
				}
				if got.Item != "tea" || got.Count != 3 || string(got.Blob) != "\x00\x01\xff" {
					t.Fatalf("claims = %+v", got)
				}
				if msg.Issuer != sender.id || msg.Envelope.Alg != alg || msg.Alg != sig {
					t.Fatalf("message = iss %q suite %q sig %q", msg.Issuer, msg.Envelope.Alg, msg.Alg)
				}
			})
		}
	}
}

// fixture is one sender and one receiver, the common case.
func fixture(t testing.TB) (sender, recv *party) {
	return newParty(t, "billing", seal.HPKE3, token.EdDSA), newParty(t, "ledger", seal.HPKE3, token.EdDSA)
}

func TestAttackInnerPayloadNotSigned(t *testing.T) {
	sender, recv := fixture(t)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"billing","aud":"ledger","exp":9999999999,"iat":1,"jti":"x"}`))
	for name, inner := range map[string]string{
		"alg none":        none + "." + claims + ".",
		"plain JSON":      `{"iss":"billing","aud":"ledger"}`,
		"empty plaintext": "",
	} {
		t.Run(name, func(t *testing.T) {
			env, err := seal.Seal(recv.pub(), []byte(inner), seal.WithContentType(sealjwt.ContentType))
			if err != nil {
				t.Fatal(err)
			}
			_, err = recv.opener(t, replay.NewMemory(), sender).Open(context.Background(), env)
			if err == nil {
				t.Fatal("unsigned inner payload accepted")
			}
		})
	}
}

func TestAttackSignedTokenNotSealed(t *testing.T) {
	sender, recv := fixture(t)
	signer, err := token.NewSigner(sender.sign, sender.id)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = recv.opener(t, replay.NewMemory(), sender).Open(context.Background(), jws)
	if !errors.Is(err, sealjwt.ErrMalformed) {
		t.Fatalf("bare JWS: err = %v, want ErrMalformed", err)
	}
}

// Surreptitious forwarding: a receiver that legitimately opened a message
// re-seals the signed inner token to a third party, hoping it passes as
// addressed to them.
func TestAttackSurreptitiousForwarding(t *testing.T) {
	ctx := context.Background()
	sender, first := fixture(t)
	third := newParty(t, "payments", seal.HPKE3, token.EdDSA)
	env, err := sender.sealer(t).Seal(ctx, first.pub(), first.id, map[string]any{"pay": 100})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := seal.Open(first.sealKey, env)
	if err != nil {
		t.Fatal(err)
	}
	forwarded, err := seal.Seal(third.pub(), opened.Plaintext, seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	_, err = third.opener(t, replay.NewMemory(), sender).Open(ctx, forwarded)
	if !errors.Is(err, sealjwt.ErrAudience) {
		t.Fatalf("forwarded message: err = %v, want ErrAudience", err)
	}
}

func TestAttackIssuerNotTheKeysIssuer(t *testing.T) {
	ctx := context.Background()
	alice, recv := fixture(t)
	mallory := newParty(t, "mallory", seal.HPKE3, token.EdDSA)
	// Mallory signs with her own (trusted) key but claims to be alice.
	impostor := &party{id: alice.id, sign: mallory.sign}
	env, err := impostor.sealer(t).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = recv.opener(t, replay.NewMemory(), alice, mallory).Open(ctx, env)
	if !errors.Is(err, sealjwt.ErrIssuer) {
		t.Fatalf("iss of another sender: err = %v, want ErrIssuer", err)
	}
}

func TestAttackExpiredAndBadlySignedReportsSignature(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	env, err := sender.sealer(t, token.WithClock(past)).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := seal.Open(recv.sealKey, env)
	if err != nil {
		t.Fatal(err)
	}
	jws := []byte(string(opened.Plaintext))
	i := strings.LastIndexByte(string(jws), '.') + 1 // first signature character
	jws[i] = map[bool]byte{true: 'B', false: 'A'}[jws[i] == 'A']
	resealed, err := seal.Seal(recv.pub(), jws, seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	o := recv.opener(t, replay.NewMemory(), sender)
	if _, err := o.Open(ctx, env); !errors.Is(err, sealjwt.ErrExpired) {
		t.Fatalf("expired, well signed: err = %v, want ErrExpired", err)
	}
	_, err = o.Open(ctx, resealed)
	if !errors.Is(err, sealjwt.ErrSignature) || errors.Is(err, sealjwt.ErrExpired) {
		t.Fatalf("expired and badly signed: err = %v, want ErrSignature only", err)
	}
}

// acceptOnce opens env n times concurrently across openers and returns
// how many were accepted; every refusal must be ErrReplayed.
func acceptOnce(t *testing.T, env string, n int, openers ...*sealjwt.Opener) int {
	t.Helper()
	var ok atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := openers[i%len(openers)].Open(context.Background(), env)
			switch {
			case err == nil:
				ok.Add(1)
			case !errors.Is(err, sealjwt.ErrReplayed):
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	return int(ok.Load())
}

func TestAttackReplayConcurrent(t *testing.T) {
	stores := map[string]func(t *testing.T) replay.Store{
		"store=memory": func(*testing.T) replay.Store { return replay.NewMemory() },
		"store=redis": func(t *testing.T) replay.Store {
			c := testredis.Client(t)
			return redisfixture.Store(t, c, testredis.Prefix(t, c))
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			sender, recv := fixture(t)
			store := mk(t)
			env, err := sender.sealer(t).Seal(context.Background(), recv.pub(), recv.id, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := acceptOnce(t, env, 100, recv.opener(t, store, sender)); got != 1 {
				t.Fatalf("accepted %d times, want exactly once", got)
			}
		})
	}
}

func TestAttackReplayAcrossOpenersSharingRedis(t *testing.T) {
	sender, recv := fixture(t)
	prefix := testredis.Prefix(t, testredis.Client(t))
	var openers []*sealjwt.Opener
	for range 2 {
		c := testredis.Client(t) // one connection pool per receiver
		openers = append(openers, recv.opener(t, redisfixture.Store(t, c, prefix), sender))
	}
	env, err := sender.sealer(t).Seal(context.Background(), recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := acceptOnce(t, env, 20, openers...); got != 1 {
		t.Fatalf("accepted %d times in total, want once", got)
	}
}

func TestRedisDownFailsClosed(t *testing.T) {
	sender, recv := fixture(t)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	env, err := sender.sealer(t).Seal(context.Background(), recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := redisstore.New(c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = recv.opener(t, store, sender).Open(context.Background(), env)
	if !errors.Is(err, sealjwt.ErrReplayUnavailable) {
		t.Fatalf("redis down: err = %v, want ErrReplayUnavailable", err)
	}
}

func TestOpenRefusesUntrustedSenderAndUnknownKey(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	stranger := newParty(t, "stranger", seal.HPKE3, token.EdDSA)
	env, err := stranger.sealer(t).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = recv.opener(t, replay.NewMemory(), sender).Open(ctx, env)
	if !errors.Is(err, sealjwt.ErrUntrustedSender) || errors.Is(err, sealjwt.ErrUnknownKey) {
		t.Fatalf("untrusted signing key: err = %v, want ErrUntrustedSender only", err)
	}
	env, err = sender.sealer(t).Seal(ctx, stranger.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := recv.opener(t, replay.NewMemory(), sender).Open(ctx, env); !errors.Is(err, sealjwt.ErrUnknownKey) {
		t.Fatalf("sealed to another receiver's key: err = %v, want ErrUnknownKey", err)
	}
}

func TestSealRequiresAudienceAndRecipient(t *testing.T) {
	sender, recv := fixture(t)
	s := sender.sealer(t)
	if _, err := s.Seal(context.Background(), recv.pub(), "", nil); err == nil {
		t.Fatal("empty audience accepted")
	}
	if _, err := s.Seal(context.Background(), nil, "x", nil); err == nil {
		t.Fatal("nil recipient accepted")
	}
	if _, err := sealjwt.NewOpener(recv.sealKey, nil); !errors.Is(err, sealjwt.ErrConfig) {
		t.Fatalf("opener without a verifier: %v, want ErrConfig", err)
	}
	if _, err := sealjwt.NewOpener(nil, recv.verifier(t, nil, sender)); !errors.Is(err, sealjwt.ErrInvalidKey) {
		t.Fatalf("opener without keys: %v, want ErrInvalidKey", err)
	}
	if _, err := sealjwt.NewSealer(nil); !errors.Is(err, sealjwt.ErrConfig) {
		t.Fatalf("sealer without a signer: %v, want ErrConfig", err)
	}
}

func TestBinaryClaimIsStrictBase64url(t *testing.T) {
	var b sealjwt.Binary
	for _, bad := range []string{`"AQI="`, `"AQ+/"`, `12`, `"AQJ"`, `"`} {
		if err := b.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("UnmarshalJSON(%s) accepted", bad)
		}
	}
	out, _ := sealjwt.Binary{1, 2}.MarshalJSON()
	if string(out) != `"AQI"` {
		t.Fatalf("MarshalJSON = %s", out)
	}
	if err := b.UnmarshalJSON(out); err != nil || string(b) != "\x01\x02" {
		t.Fatalf("round trip = %v, %v", b, err)
	}
}

// TestEnvelopeCtyRFC7515Forms opens an envelope whose cty spells the
// nested-JWT content type in any form RFC 7515 section 4.1.10 makes equal,
// and refuses another media type.
func TestEnvelopeCtyRFC7515Forms(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	signer, err := token.NewSigner(sender.sign, sender.id)
	if err != nil {
		t.Fatal(err)
	}
	o := recv.opener(t, replay.NewMemory(), sender)
	for cty, ok := range map[string]bool{"JWT": true, "jwt": true, "application/JWT": true, "Application/jwt": true,
		"text/jwt": false, "JWS": false} {
		jws, err := signer.Sign(recv.id, nil, token.WithStringClaim(sealjwt.RecipientClaim, recv.pub().Thumbprint()))
		if err != nil {
			t.Fatal(err)
		}
		env, err := seal.Seal(recv.pub(), []byte(jws), seal.WithContentType(cty))
		if err != nil {
			t.Fatal(err)
		}
		_, err = o.Open(ctx, env)
		if ok && err != nil {
			t.Errorf("cty %q refused: %v", cty, err)
		}
		if !ok && !errors.Is(err, sealjwt.ErrMalformed) {
			t.Errorf("cty %q: got %v, want ErrMalformed", cty, err)
		}
	}
}
