package sealjwt_test

import (
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A KMS without a cloud: each type forwards to a key held in memory, as an
// adapter forwards to a KMS API, and counts the calls. The library reaches
// the private keys only through these interfaces.

// kmsSigner is a crypto.Signer that forwards to key.
type kmsSigner struct {
	key   crypto.Signer
	calls atomic.Int64
	fail  error // when set, every call fails, as an unreachable KMS does
}

func (s *kmsSigner) Public() crypto.PublicKey { return s.key.Public() }

func (s *kmsSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.calls.Add(1)
	if s.fail != nil {
		return nil, s.fail
	}
	return s.key.Sign(r, digest, opts)
}

// kmsKeyExchanger is an ecdh.KeyExchanger that forwards to key.
type kmsKeyExchanger struct {
	key   *ecdh.PrivateKey
	calls atomic.Int64
	fail  error
}

func (k *kmsKeyExchanger) PublicKey() *ecdh.PublicKey { return k.key.PublicKey() }
func (k *kmsKeyExchanger) Curve() ecdh.Curve          { return k.key.Curve() }

func (k *kmsKeyExchanger) ECDH(peer *ecdh.PublicKey) ([]byte, error) {
	k.calls.Add(1)
	if k.fail != nil {
		return nil, k.fail
	}
	return k.key.ECDH(peer)
}

// kmsDecapsulator is a crypto.Decapsulator that forwards to key.
type kmsDecapsulator struct {
	key   crypto.Decapsulator
	calls atomic.Int64
}

func (d *kmsDecapsulator) Encapsulator() crypto.Encapsulator { return d.key.Encapsulator() }

func (d *kmsDecapsulator) Decapsulate(ct []byte) ([]byte, error) {
	d.calls.Add(1)
	return d.key.Decapsulate(ct)
}

// newKMSSigner makes an in-memory key for alg behind a kmsSigner.
func newKMSSigner(t testing.TB, alg token.Alg) *kmsSigner {
	t.Helper()
	var key crypto.Signer
	var err error
	switch alg {
	case token.ES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case token.ES384:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case token.EdDSA:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case token.RS256, token.PS256:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case token.MLDSA44:
		_, key, err = mldsa44.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no KMS key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &kmsSigner{key: key}
}

// newKMSKeyExchanger makes an in-memory ECDH key behind a kmsKeyExchanger.
func newKMSKeyExchanger(t testing.TB, curve ecdh.Curve) *kmsKeyExchanger {
	t.Helper()
	key, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &kmsKeyExchanger{key: key}
}

// kmsParty is a party whose private keys sit behind the forwarders.
func kmsParty(t testing.TB, id string, signer crypto.Signer, sigAlg token.Alg, sealKey *seal.PrivateKey) *party {
	t.Helper()
	sk, err := token.NewSigningKeyFromSigner(sigAlg, signer)
	if err != nil {
		t.Fatal(err)
	}
	signSet, err := token.NewKeySet(sk)
	if err != nil {
		t.Fatal(err)
	}
	sealSet, err := seal.NewKeySet(sealKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sk.MarshalJSON(); !errors.Is(err, token.ErrInvalidKey) {
		t.Fatalf("a KMS signing key produced a private JWK: %v", err)
	}
	return &party{id: id, sign: signSet, sealKey: sealSet}
}

// kmsSealKey wraps a KeyExchanger (and a Decapsulator for ML-KEM) as a
// receiver key for alg.
func kmsSealKey(t testing.TB, alg seal.Alg, ke *kmsKeyExchanger, dk *kmsDecapsulator) *seal.PrivateKey {
	t.Helper()
	var k *seal.PrivateKey
	var err error
	switch {
	case dk == nil:
		k, err = seal.NewPrivateKeyFromKeyExchanger(alg, ke)
	case ke == nil:
		k, err = seal.NewPrivateKeyFromDecapsulator(alg, dk, nil)
	default:
		k, err = seal.NewPrivateKeyFromDecapsulator(alg, dk, ke)
	}
	if err != nil {
		t.Fatalf("%s: %v", alg, err)
	}
	if _, err := k.MarshalJSON(); !errors.Is(err, seal.ErrInvalidKey) {
		t.Fatalf("%s: a KMS sealing key produced a private JWK: %v", alg, err)
	}
	return k
}

func newMLKEM768(t testing.TB) *kmsDecapsulator {
	t.Helper()
	dk, err := mlkem.GenerateKey768()
	if err != nil {
		t.Fatal(err)
	}
	return &kmsDecapsulator{key: dk}
}

// TestKMSSigningKeys: a sender signs with each signature algorithm through
// a crypto.Signer, once per message; the receiver verifies as usual.
func TestKMSSigningKeys(t *testing.T) {
	ctx := context.Background()
	recv := newParty(t, "ledger", seal.HPKE0, token.EdDSA)
	for _, alg := range []token.Alg{token.ES256, token.ES384, token.EdDSA, token.RS256, token.PS256, token.MLDSA44} {
		t.Run(string(alg), func(t *testing.T) {
			signer := newKMSSigner(t, alg)
			sk, err := token.NewSigningKeyFromSigner(alg, signer)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sk.MarshalJSON(); !errors.Is(err, token.ErrInvalidKey) {
				t.Fatalf("a KMS signing key produced a private JWK: %v", err)
			}
			ks, _ := token.NewKeySet(sk)
			sender := &party{id: "billing", sign: ks}
			for i := range 2 {
				env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, order{Item: "tea", Count: i})
				if err != nil {
					t.Fatal(err)
				}
				msg, err := recv.opener(t, acceptAll{}, sender).Open(ctx, env)
				if err != nil || msg.Issuer != "billing" {
					t.Fatalf("open: %v", err)
				}
			}
			if n := signer.calls.Load(); n != 2 {
				t.Fatalf("%d signer calls for 2 messages", n)
			}
		})
	}
}

// TestKMSSealingKeys: a receiver opens every suite crypto/hpke offers an
// opaque key for, with the private key behind a KeyExchanger or a
// Decapsulator called once per envelope.
func TestKMSSealingKeys(t *testing.T) {
	ctx := context.Background()
	sender := newParty(t, "billing", seal.HPKE0, token.EdDSA)
	for _, c := range []struct {
		alg   seal.Alg
		curve ecdh.Curve
		mlkem bool
	}{
		{seal.HPKE0, ecdh.P256(), false}, {seal.HPKE1, ecdh.P384(), false}, {seal.HPKE2, ecdh.P521(), false},
		{seal.HPKE3, ecdh.X25519(), false}, {seal.Alg("HPKE-0-KE"), ecdh.P256(), false},
		{seal.HPKE12, nil, true}, {seal.HPKE9, ecdh.X25519(), true}, {seal.HPKE8, ecdh.P256(), true},
	} {
		t.Run(string(c.alg), func(t *testing.T) {
			var ke *kmsKeyExchanger
			var dk *kmsDecapsulator
			if c.curve != nil {
				ke = newKMSKeyExchanger(t, c.curve)
			}
			if c.mlkem {
				dk = newMLKEM768(t)
			}
			key := kmsSealKey(t, c.alg, ke, dk)
			set, _ := seal.NewKeySet(key)
			recv := &party{id: "ledger", sealKey: set}
			env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, order{Item: "tea"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := recv.opener(t, acceptAll{}, sender).Open(ctx, env); err != nil {
				t.Fatalf("open: %v", err)
			}
			if ke != nil && ke.calls.Load() != 1 || dk != nil && dk.calls.Load() != 1 {
				t.Fatalf("calls: ECDH %v, decapsulate %v; want 1 each", ke, dk)
			}
		})
	}
}

// TestKMSKeyOfTheWrongKind: a KMS key is bound to an alg its curve fits.
func TestKMSKeyOfTheWrongKind(t *testing.T) {
	p256 := newKMSKeyExchanger(t, ecdh.P256())
	for _, alg := range []seal.Alg{seal.HPKE1, seal.HPKE3, seal.HPKE9, seal.HPKE5} {
		if _, err := seal.NewPrivateKeyFromKeyExchanger(alg, p256); !errors.Is(err, seal.ErrInvalidKey) && !errors.Is(err, seal.ErrUnsupported) {
			t.Errorf("P-256 key bound to %s: %v", alg, err)
		}
	}
	es256 := newKMSSigner(t, token.ES256)
	for _, alg := range []token.Alg{token.ES384, token.EdDSA, token.RS256, token.HS256, token.MLDSA44} {
		if _, err := token.NewSigningKeyFromSigner(alg, es256); !errors.Is(err, token.ErrInvalidKey) {
			t.Errorf("P-256 signer bound to %s: %v", alg, err)
		}
	}
}

// TestFaultKMSUnavailable: a KMS that fails makes Seal and Open fail, with
// nothing sent and nothing opened; Open's failure is the usual opaque
// decryption error.
func TestFaultKMSUnavailable(t *testing.T) {
	ctx := context.Background()
	down := errors.New("kms: connection refused")
	signer := newKMSSigner(t, token.ES256)
	signer.fail = down
	ke := newKMSKeyExchanger(t, ecdh.P256())
	recv := kmsParty(t, "ledger", newKMSSigner(t, token.ES256), token.ES256, kmsSealKey(t, seal.HPKE0, ke, nil))
	sender := kmsParty(t, "billing", signer, token.ES256, kmsSealKey(t, seal.HPKE0, newKMSKeyExchanger(t, ecdh.P256()), nil))
	if env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, order{Item: "tea"}); !errors.Is(err, down) || env != "" {
		t.Fatalf("Seal with the KMS down: %q, %v", env, err)
	}
	signer.fail = nil
	env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, order{Item: "tea"})
	if err != nil {
		t.Fatal(err)
	}
	ke.fail = down
	if msg, err := recv.opener(t, acceptAll{}, sender).Open(ctx, env); !errors.Is(err, sealjwt.ErrDecryption) || msg != nil {
		t.Fatalf("Open with the KMS down: %v", err)
	}
}
