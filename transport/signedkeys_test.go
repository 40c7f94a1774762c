package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

const signedJWKSPath = "/.well-known/jwks.jwt"

func newTokenKeys(t testing.TB) *token.KeySet {
	t.Helper()
	k, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	set, err := token.NewKeySet(k)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func signedJWKS(t testing.TB, keys *seal.PublicKeySet, signing *token.KeySet, receiver string) http.Handler {
	t.Helper()
	h, err := SignedJWKSHandler(keys, signing, receiver)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// signedReceiver is a receiver that publishes its key set signed, behind an
// attacker on the path, and the signing keys senders trust.
func signedReceiver(t *testing.T, runs *atomic.Int32) (*harness, *mitm, *token.KeySet) {
	signing := newTokenKeys(t)
	k := fixtureKeys(t)
	h := newHarness(t, counting(runs), harnessConfig{routes: map[string]http.Handler{
		signedJWKSPath: signedJWKS(t, k.seal.Public(), signing, receiverID)}})
	return h, newMITM(t, h.srv.URL), signing
}

func TestSignedKeySetFetchedAndUsed(t *testing.T) {
	var runs atomic.Int32
	h, m, signing := signedReceiver(t, &runs)
	f, err := NewKeyFetcher(context.Background(), m.srv.URL+signedJWKSPath, WithKeySetSigner(receiverID, signing.Verifying()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if primaryKID(t, f) != h.keys.seal.Primary().KID() {
		t.Fatal("the signed set did not give the receiver's key")
	}
	resp, err := postText(t, newClient(t, h.keys, harnessConfig{keySource: f}), m.srv.URL+"/pay", "100 to alice")
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp) != "done" || !Sealed(resp) || runs.Load() != 1 {
		t.Fatalf("status %d, sealed %v, runs %d", resp.StatusCode, Sealed(resp), runs.Load())
	}
}

// With a signed key set, an attacker on the path cannot hand the sender a
// key set of its own, whatever it signs it with.
func TestAttackKeySwapAtFirstFetchSignedKeySet(t *testing.T) {
	var runs atomic.Int32
	h, m, signing := signedReceiver(t, &runs)
	mine := attackerKeys(t).Public()
	attackerSigning := newTokenKeys(t)
	for name, forged := range map[string]http.Handler{
		"unsigned set":                  JWKSHandler(mine),
		"set signed by the attacker":    signedJWKS(t, mine, attackerSigning, receiverID),
		"genuine signature, other name": signedJWKS(t, h.keys.seal.Public(), signing, "another-receiver"),
	} {
		t.Run(name, func(t *testing.T) {
			m.set(func(w http.ResponseWriter, r *http.Request) bool {
				forged.ServeHTTP(w, r)
				return true
			})
			_, err := NewKeyFetcher(context.Background(), m.srv.URL+signedJWKSPath, WithKeySetSigner(receiverID, signing.Verifying()))
			if !errors.Is(err, ErrKeySetSignature) {
				t.Fatalf("err = %v, want ErrKeySetSignature", err)
			}
		})
	}
}

// The attacker forges a 422 to make the sender refetch, and serves its own
// set on the refetch: the refetch fails, the sender keeps the genuine set
// and does not retry.
func TestAttackKeySwapAfterForged422SignedKeySet(t *testing.T) {
	var runs atomic.Int32
	h, m, signing := signedReceiver(t, &runs)
	f, err := NewKeyFetcher(context.Background(), m.srv.URL+signedJWKSPath, WithKeySetSigner(receiverID, signing.Verifying()),
		WithRefreshInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	forged := signedJWKS(t, attackerKeys(t).Public(), newTokenKeys(t), receiverID)
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/pay":
			writeProblem(w, http.StatusUnprocessableEntity, "unknown recipient key", "")
		case signedJWKSPath:
			forged.ServeHTTP(w, r)
		default:
			return false
		}
		return true
	})
	resp, err := postText(t, newClient(t, h.keys, harnessConfig{keySource: f}), m.srv.URL+"/pay", "100 to alice")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || Sealed(resp) {
		t.Fatalf("status %d sealed %v, want the unsealed 422 returned as it is", resp.StatusCode, Sealed(resp))
	}
	if primaryKID(t, f) != h.keys.seal.Primary().KID() || runs.Load() != 0 {
		t.Fatal("the sender's key set changed, or the handler ran")
	}
}

func TestSignedKeySetRefusesSharedSecrets(t *testing.T) {
	k, err := token.NewHMACKey(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	hs, _ := token.NewKeySet(k)
	if _, err := SignedJWKSHandler(fixtureKeys(t).seal.Public(), hs, receiverID); !errors.Is(err, token.ErrConfig) {
		t.Fatalf("handler with HS256: %v", err)
	}
	if _, err := NewKeyFetcher(context.Background(), "https://keys.example/jwks", WithKeySetSigner(receiverID, hs.Verifying())); !errors.Is(err, token.ErrConfig) {
		t.Fatalf("fetcher with HS256: %v", err)
	}
}

func FuzzOpenSignedJWKS(f *testing.F) {
	signing := newTokenKeys(f)
	rec := httptest.NewRecorder()
	signedJWKS(f, fixtureKeys(f).seal.Public(), signing, receiverID).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	f.Add(rec.Body.Bytes())
	f.Add([]byte("e30.e30.AA"))
	v, err := signedJWKSVerifier(receiverID, signing.Verifying())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, jws []byte) {
		jwks, _, err := openSignedJWKS(v, jws)
		if err != nil {
			if !errors.Is(err, ErrKeySetSignature) {
				t.Fatalf("error %v is not ErrKeySetSignature", err)
			}
			return
		}
		// Only a set the receiver signed verifies, and it signs valid ones.
		if _, err := seal.ParsePublicKeySet(jwks); err != nil {
			t.Fatalf("accepted set %q: %v", jwks, err)
		}
	})
}
