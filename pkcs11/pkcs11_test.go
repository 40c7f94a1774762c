package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/softhsm"
	"github.com/sealjwt/sealjwt/pkcs11"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

type acceptAll struct{}

func (acceptAll) Check(context.Context, string, string, time.Time) error { return nil }

func openKey(t testing.TB, uri string) *pkcs11.Key {
	t.Helper()
	k, err := pkcs11.Open(uri)
	if err != nil {
		t.Fatalf("Open(%s): %v", uri, err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// hsmPair is a sender signing alg (ES256 or EdDSA) and a receiver opening
// HPKE-0, both with keys generated inside the token.
type hsmPair struct {
	sealer *sealjwt.Sealer
	opener *sealjwt.Opener
	pub    *seal.PublicKey
	keys   []*pkcs11.Key
}

func newHSMPair(t testing.TB, tok *softhsm.Token, prefix string, alg token.Alg) *hsmPair {
	t.Helper()
	if alg == token.EdDSA {
		tok.GenerateEd25519(t, prefix+"-sender")
	} else {
		tok.GenerateEC(t, prefix+"-sender", "P-256")
	}
	tok.GenerateEC(t, prefix+"-receiver", "P-256")
	sk, rk := openKey(t, tok.URI(prefix+"-sender")), openKey(t, tok.URI(prefix+"-receiver"))
	signing, err := token.NewSigningKeyFromSigner(alg, sk)
	if err != nil {
		t.Fatal(err)
	}
	signSet, _ := token.NewKeySet(signing)
	signer, err := token.NewSigner(signSet, "orders")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := sealjwt.NewSealer(signer)
	if err != nil {
		t.Fatal(err)
	}
	ke, err := rk.KeyExchanger()
	if err != nil {
		t.Fatal(err)
	}
	recvKey, err := seal.NewPrivateKeyFromKeyExchanger(seal.HPKE0, ke)
	if err != nil {
		t.Fatal(err)
	}
	recvSet, _ := seal.NewKeySet(recvKey)
	v, err := token.NewVerifier("billing")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Trust("orders", signSet.Verifying()); err != nil {
		t.Fatal(err)
	}
	opener, err := sealjwt.NewOpener(recvSet, v, sealjwt.WithReplayStore(acceptAll{}))
	if err != nil {
		t.Fatal(err)
	}
	return &hsmPair{sealer: sealer, opener: opener, pub: recvKey.Public(), keys: []*pkcs11.Key{sk, rk}}
}

// TestSoftHSMEndToEnd: a sender signs (ES256 through CKM_ECDSA, EdDSA
// through CKM_EDDSA) and a receiver opens HPKE-0 with keys generated
// inside SoftHSM2, which stay CKA_SENSITIVE and not extractable; the
// receiver verifies with the sender's public key as read from the token.
func TestSoftHSMEndToEnd(t *testing.T) {
	tok := softhsm.New(t)
	for _, alg := range []token.Alg{token.ES256, token.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			p := newHSMPair(t, tok, "e2e-"+string(alg), alg)
			for _, k := range p.keys {
				sensitive, extractable, err := k.Protection()
				if err != nil || !sensitive || extractable {
					t.Fatalf("key protection: sensitive %v, extractable %v, %v", sensitive, extractable, err)
				}
			}
			ctx := context.Background()
			for i := range 3 {
				env, err := p.sealer.Seal(ctx, p.pub, "billing", map[string]int{"n": i})
				if err != nil {
					t.Fatal(err)
				}
				msg, err := p.opener.Open(ctx, env)
				if err != nil || msg.Issuer != "orders" {
					t.Fatalf("open: %v", err)
				}
			}
		})
	}
}

// TestSoftHSMEd25519: an Edwards key in the token is an ed25519.PublicKey
// whose CKM_EDDSA signatures crypto/ed25519 verifies; it refuses Ed25519ph,
// Ed25519ctx and nil options rather than signing them as pure Ed25519, and
// is no key exchanger.
func TestSoftHSMEd25519(t *testing.T) {
	tok := softhsm.New(t)
	tok.GenerateEd25519(t, "ed-signer")
	k := openKey(t, tok.URI("ed-signer"))
	pub, ok := k.Public().(ed25519.PublicKey)
	if !ok {
		t.Fatalf("Public() is %T, want ed25519.PublicKey", k.Public())
	}
	msg := []byte("header.payload")
	sig, err := k.Sign(rand.Reader, msg, crypto.Hash(0))
	if err != nil || !ed25519.Verify(pub, msg, sig) {
		t.Fatalf("pure Ed25519 signature does not verify: %v", err)
	}
	if sig, err := k.Sign(rand.Reader, msg, &ed25519.Options{}); err != nil || !ed25519.Verify(pub, msg, sig) {
		t.Fatalf("pure Ed25519 through ed25519.Options: %v", err)
	}
	for name, opts := range map[string]crypto.SignerOpts{
		"Ed25519ph":                 crypto.SHA512,
		"Ed25519ph through Options": &ed25519.Options{Hash: crypto.SHA512},
		"Ed25519ctx":                &ed25519.Options{Context: "other"},
		"nil *ed25519.Options":      (*ed25519.Options)(nil),
		"nil crypto.SignerOpts":     nil,
	} {
		if _, err := k.Sign(rand.Reader, msg, opts); !errors.Is(err, pkcs11.ErrKeyType) {
			t.Errorf("%s: %v, want ErrKeyType", name, err)
		}
	}
	if _, err := k.KeyExchanger(); !errors.Is(err, pkcs11.ErrKeyType) {
		t.Fatalf("an Ed25519 key as a key exchanger: %v", err)
	}
	if _, err := token.NewSigningKeyFromSigner(token.ES256, k); err == nil {
		t.Fatal("an Ed25519 key was bound to ES256")
	}
}

// TestFaultWrongPIN: a wrong PIN is refused at Open, with ErrLogin.
func TestFaultWrongPIN(t *testing.T) {
	tok := softhsm.New(t)
	uri := strings.Replace(tok.URI("any"), "pin-source=file:"+tok.PINFile, "pin-value=000000", 1)
	if _, err := pkcs11.Open(uri); !errors.Is(err, pkcs11.ErrLogin) {
		t.Fatalf("wrong PIN: %v", err)
	}
}

// TestFaultMissingObject: a key or token that is not there is ErrNotFound,
// naming what was looked for.
func TestFaultMissingObject(t *testing.T) {
	tok := softhsm.New(t)
	for name, uri := range map[string]string{
		"object": tok.URI("no-such-key"),
		"token":  strings.Replace(tok.URI("k"), "token="+tok.Label, "token=no-such-token", 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := pkcs11.Open(uri)
			if !errors.Is(err, pkcs11.ErrNotFound) || !strings.Contains(err.Error(), "no-such") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestFaultTokenGoneMidRun: when the token's sessions end (as when it is
// removed), the next Seal and Open fail, and nothing comes out of either.
func TestFaultTokenGoneMidRun(t *testing.T) {
	tok := softhsm.New(t)
	for _, alg := range []token.Alg{token.ES256, token.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			p := newHSMPair(t, tok, "gone-"+string(alg), alg)
			ctx := context.Background()
			env, err := p.sealer.Seal(ctx, p.pub, "billing", map[string]int{"n": 1})
			if err != nil {
				t.Fatal(err)
			}
			tok.CloseAllSessions(t)
			if out, err := p.sealer.Seal(ctx, p.pub, "billing", map[string]int{"n": 2}); !errors.Is(err, pkcs11.ErrDevice) || out != "" {
				t.Fatalf("Seal with the token gone: %q, %v", out, err)
			}
			if msg, err := p.opener.Open(ctx, env); !errors.Is(err, sealjwt.ErrDecryption) || msg != nil {
				t.Fatalf("Open with the token gone: %v", err)
			}
		})
	}
}

// TestSoftHSMRSA: an RSA key in the token signs RS256 (CKM_RSA_PKCS) and
// PS256 (CKM_RSA_PKCS_PSS), and the tokens verify with its public key; it
// is no key exchanger.
func TestSoftHSMRSA(t *testing.T) {
	tok := softhsm.New(t)
	tok.GenerateRSA(t, "rsa-signer")
	k := openKey(t, tok.URI("rsa-signer"))
	if _, err := k.KeyExchanger(); !errors.Is(err, pkcs11.ErrKeyType) {
		t.Fatalf("an RSA key as a key exchanger: %v", err)
	}
	if _, err := seal.NewPrivateKeyFromKeyExchanger(seal.HPKE0, k); !errors.Is(err, seal.ErrInvalidKey) {
		t.Fatalf("an RSA key handed to seal directly: %v", err)
	}
	for _, alg := range []token.Alg{token.RS256, token.PS256} {
		t.Run(string(alg), func(t *testing.T) {
			sk, err := token.NewSigningKeyFromSigner(alg, k)
			if err != nil {
				t.Fatal(err)
			}
			set, _ := token.NewKeySet(sk)
			s, err := token.NewSigner(set, "orders")
			if err != nil {
				t.Fatal(err)
			}
			tk, err := s.Sign("billing", nil)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := token.NewVerifier("billing")
			if err := v.Trust("orders", set.Verifying()); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(tk); err != nil {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}
