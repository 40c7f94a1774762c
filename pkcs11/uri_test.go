package pkcs11

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseURI(t *testing.T) {
	u, err := ParseURI("pkcs11:token=My%20HSM;object=signer;id=%01%02;type=private?pin-source=file:/run/pin&module-path=/lib/p11.so")
	if err != nil {
		t.Fatal(err)
	}
	if u.Token != "My HSM" || u.Object != "signer" || string(u.ID) != "\x01\x02" || u.PINSource != "file:/run/pin" || u.ModulePath != "/lib/p11.so" {
		t.Fatalf("%+v", u)
	}
	t.Setenv(ModuleEnv, "")
	for name, bad := range map[string]string{
		"not pkcs11":           "file:/key.pem",
		"no object or id":      "pkcs11:token=t?module-path=/m.so",
		"no token":             "pkcs11:object=k?module-path=/m.so",
		"unknown path attr":    "pkcs11:token=t;object=k;slot-id=3?module-path=/m.so",
		"unknown query attr":   "pkcs11:token=t;object=k?module-name=softhsm",
		"public key type":      "pkcs11:token=t;object=k;type=public?module-path=/m.so",
		"bad percent":          "pkcs11:token=t%zz;object=k?module-path=/m.so",
		"no module":            "pkcs11:token=t;object=k",
		"attribute sans value": "pkcs11:token;object=k?module-path=/m.so",
	} {
		if _, err := ParseURI(bad); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPINSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(path, []byte("1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := &URI{PINSource: "file:" + path}
	if pin, err := u.pin(); err != nil || pin != "1234" {
		t.Fatalf("%q %v", pin, err)
	}
	for name, src := range map[string]string{"no PIN": "", "env: source": "env:PIN"} {
		if _, err := (&URI{PINSource: src}).pin(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := os.WriteFile(path, make([]byte, maxPINLen+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := u.pin(); !errors.Is(err, ErrConfig) {
		t.Errorf("oversized PIN file: %v", err)
	}
}

// FuzzParseURI: no input panics; a URI that parses has a token and a key.
func FuzzParseURI(f *testing.F) {
	f.Add("pkcs11:token=t;object=k?pin-source=file:/p&module-path=/m.so")
	f.Add("pkcs11:token=%41;id=%00?pin-value=1")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("unclassified: %v", err)
			}
			return
		}
		if u.Token == "" || u.Object == "" && u.ID == nil || u.ModulePath == "" {
			t.Fatalf("accepted an incomplete URI: %+v", u)
		}
	})
}
