// Package softhsm makes a SoftHSM2 token for tests: one per test binary, in
// a temporary directory, since SoftHSM2 reads its configuration once per
// process. Keys are generated inside the token, sensitive and not
// extractable, as an HSM holds them.
package softhsm

import (
	"encoding/asn1"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/miekg/pkcs11"
	"github.com/sealjwt/sealjwt/internal/testserver"
)

// Token is the test token: its label, the file holding its user PIN, and
// the module that serves it.
type Token struct {
	Label, PIN, PINFile, Module string
}

// URI is the pkcs11: URI of a key object in the token.
func (t *Token) URI(object string) string {
	return "pkcs11:token=" + t.Label + ";object=" + object + "?pin-source=file:" + t.PINFile + "&module-path=" + t.Module
}

var (
	once     sync.Once
	shared   *Token
	setupErr error
)

// modules are where Debian installs the SoftHSM2 module.
var modules = []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"}

// New returns the test binary's token, made on first use. Without
// SoftHSM2 the test is skipped with a message, or fails under CI=true.
func New(t testing.TB) *Token {
	t.Helper()
	once.Do(func() { shared, setupErr = setup() })
	if setupErr != nil {
		testserver.Missing(t, "SoftHSM2", "softhsm2-util and libsofthsm2.so", "apt-get install softhsm2", setupErr)
	}
	return shared
}

func setup() (*Token, error) {
	module := ""
	for _, m := range modules {
		if _, err := os.Stat(m); err == nil {
			module = m
		}
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil || module == "" {
		return nil, fmt.Errorf("softhsm2 is not installed (module %q): %v", module, err)
	}
	dir, err := os.MkdirTemp("", "sealjwt-softhsm-")
	if err != nil {
		return nil, err
	}
	tokens := filepath.Join(dir, "tokens")
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		return nil, err
	}
	os.Setenv("SOFTHSM2_CONF", conf) // read by the module at C_Initialize, once per process
	tok := &Token{Label: "sealjwt-test", PIN: "246810", PINFile: filepath.Join(dir, "pin"), Module: module}
	if err := os.WriteFile(tok.PINFile, []byte(tok.PIN+"\n"), 0o600); err != nil {
		return nil, err
	}
	out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", tok.Label, "--pin", tok.PIN, "--so-pin", "13579").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("softhsm2-util --init-token: %v: %s", err, out)
	}
	return tok, nil
}

// Curve OIDs for CKA_EC_PARAMS.
var curveOIDs = map[string]asn1.ObjectIdentifier{
	"P-256": {1, 2, 840, 10045, 3, 1, 7},
	"P-384": {1, 3, 132, 0, 34},
}

// GenerateEC makes an EC key pair inside the token, labelled label: the
// private key sensitive, not extractable, for signing and key derivation.
func (tok *Token) GenerateEC(t testing.TB, label, curve string) {
	t.Helper()
	params, _ := asn1.Marshal(curveOIDs[curve])
	tok.generate(t, label, curve, pkcs11.CKM_EC_KEY_PAIR_GEN,
		[]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params)},
		[]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_DERIVE, true)})
}

// ckmECEdwardsKeyPairGen is CKM_EC_EDWARDS_KEY_PAIR_GEN (PKCS#11 3.0's
// pkcs11t.h), which github.com/miekg/pkcs11 v1.1.2 does not define.
const ckmECEdwardsKeyPairGen = 0x00001055

// GenerateEd25519 makes an Ed25519 key pair (CKK_EC_EDWARDS, its
// CKA_EC_PARAMS the id-Ed25519 OID) inside the token, labelled label: the
// private key sensitive, not extractable, for signing.
func (tok *Token) GenerateEd25519(t testing.TB, label string) {
	t.Helper()
	params, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 3, 101, 112})
	tok.generate(t, label, "Ed25519", ckmECEdwardsKeyPairGen,
		[]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params)}, nil)
}

// GenerateRSA makes a 2048-bit RSA key pair inside the token, labelled
// label: the private key sensitive, not extractable, for signing.
func (tok *Token) GenerateRSA(t testing.TB, label string) {
	t.Helper()
	tok.generate(t, label, "RSA", pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, 2048), pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}),
	}, nil)
}

// generate makes a key pair with mech, both halves on the token and
// labelled label, the private one sensitive, not extractable and able to
// sign; pubExtra and privExtra add the attributes of the key type.
func (tok *Token) generate(t testing.TB, label, kind string, mech uint, pubExtra, privExtra []*pkcs11.Attribute) {
	t.Helper()
	ctx, session := tok.session(t)
	pub := append([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true), pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
	}, pubExtra...)
	priv := append([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true), pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true), pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false), pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
	}, privExtra...)
	if _, _, err := ctx.GenerateKeyPair(session, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, pub, priv); err != nil {
		t.Fatalf("generating %s key %q in the token: %v", kind, label, err)
	}
}

// session opens a logged-in session for the test, closed at its end.
func (tok *Token) session(t testing.TB) (*pkcs11.Ctx, pkcs11.SessionHandle) {
	t.Helper()
	ctx := pkcs11.New(tok.Module)
	if err := ctx.Initialize(); err != nil {
		if e, ok := err.(pkcs11.Error); !ok || uint(e) != pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED {
			t.Fatal(err)
		}
	}
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		info, err := ctx.GetTokenInfo(s)
		if err != nil || !labelIs(info.Label, tok.Label) {
			continue
		}
		session, err := ctx.OpenSession(s, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ctx.CloseSession(session) })
		if err := ctx.Login(session, pkcs11.CKU_USER, tok.PIN); err != nil {
			if e, ok := err.(pkcs11.Error); !ok || uint(e) != pkcs11.CKR_USER_ALREADY_LOGGED_IN {
				t.Fatal(err)
			}
		}
		return ctx, session
	}
	t.Fatalf("token %q not found", tok.Label)
	return nil, 0
}

func labelIs(padded, label string) bool {
	for len(padded) > 0 && (padded[len(padded)-1] == ' ' || padded[len(padded)-1] == 0) {
		padded = padded[:len(padded)-1]
	}
	return padded == label
}

// CloseAllSessions ends every session on the token, as removing it would:
// keys opened before then fail from the next call on.
func (tok *Token) CloseAllSessions(t testing.TB) {
	t.Helper()
	ctx := pkcs11.New(tok.Module)
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if info, err := ctx.GetTokenInfo(s); err == nil && labelIs(info.Label, tok.Label) {
			if err := ctx.CloseAllSessions(s); err != nil {
				t.Fatal(err)
			}
		}
	}
}
