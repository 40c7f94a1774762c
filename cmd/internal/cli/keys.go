package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// MaxInput caps every file or stream a command reads: keys, claims,
// envelopes. It is checked while reading, before any parsing.
const MaxInput = 1 << 20

// ReadFile reads at most MaxInput bytes of path ("-" is stdin).
func ReadFile(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return ReadAll(stdin, "stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path)
}

// ReadAll reads r, failing rather than truncating past MaxInput.
func ReadAll(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxInput {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxInput)
	}
	return data, nil
}

// isKeySet reports whether data is a JWKS ({"keys": [...]}) rather than a
// single JWK, so every key flag accepts either.
func isKeySet(data []byte) bool {
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Keys != nil
}

// IsSealKey reports whether a JWK or JWKS holds JOSE-HPKE (sealing) keys
// rather than signing keys: HPKE algs are all named "HPKE-...".
func IsSealKey(data []byte) bool {
	var probe struct {
		Alg  string `json:"alg"`
		Keys []struct {
			Alg string `json:"alg"`
		} `json:"keys"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	if len(probe.Keys) > 0 {
		probe.Alg = probe.Keys[0].Alg
	}
	return strings.HasPrefix(probe.Alg, "HPKE-")
}

func readKeyFile(path string) ([]byte, error) {
	if path == "" {
		return nil, Usagef("a key file is required")
	}
	return ReadFile(path, nil)
}

// keyKind is what a key file holds, read before parsing so that a key of
// the wrong kind is named as such rather than as a parse error.
type keyKind struct {
	alg            string
	sealing        bool // an HPKE key, for sealing and opening
	private        bool // private key members present
	sharedSecret   bool // an oct (HS256) key
	unrecognisable bool
}

func probeKey(data []byte) keyKind {
	var one map[string]json.RawMessage
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(data, &set) == nil && len(set.Keys) > 0 {
		one = set.Keys[0]
	} else if json.Unmarshal(data, &one) != nil {
		return keyKind{unrecognisable: true}
	}
	var k keyKind
	_ = json.Unmarshal(one["alg"], &k.alg)
	var kty string
	_ = json.Unmarshal(one["kty"], &kty)
	k.sealing = strings.HasPrefix(k.alg, "HPKE-")
	k.sharedSecret = kty == "oct"
	for _, m := range []string{"d", "priv", "p", "q"} {
		k.private = k.private || one[m] != nil
	}
	return k
}

// Which kind of key each flag wants, for the errors that name a mismatch.
const (
	wantSealPrivate = "the receiver's private sealing key (alg HPKE-*; the NAME.jwk that keygen --alg HPKE-9 writes)"
	wantSealPublic  = "the receiver's public sealing key (alg HPKE-*; the NAME.pub.jwk that keygen writes)"
	wantSignPrivate = "the sender's private signing key (EdDSA, ES256, ML-DSA-44, ...; the NAME.jwk that keygen writes)"
	wantSignPublic  = "the sender's public signing key (EdDSA, ES256, ML-DSA-44, ...; the NAME.pub.jwk that keygen writes)"
)

// checkKind refuses a key file whose kind is not the one wanted, saying
// what it found and what was expected.
func checkKind(path string, data []byte, sealing, private bool) error {
	k := probeKey(data)
	if k.unrecognisable {
		return nil // the parser says what is wrong
	}
	want := map[[2]bool]string{{true, true}: wantSealPrivate, {true, false}: wantSealPublic,
		{false, true}: wantSignPrivate, {false, false}: wantSignPublic}[[2]bool{sealing, private}]
	found := ""
	switch {
	case k.sealing != sealing && k.sealing:
		found = "a sealing key (alg " + k.alg + ")"
	case sealing && k.alg == "":
		found = `a key without "alg" (sealing keys must name their HPKE-* alg)`
	case k.sealing != sealing:
		found = fmt.Sprintf("a signing key (alg %q)", k.alg)
	case private && !k.private && !k.sharedSecret:
		found = "a public key (no \"d\" or \"priv\" member)"
	case !private && k.private:
		found = "a private key"
	}
	if found != "" {
		return fmt.Errorf("%s holds %s; expected %s", path, found, want)
	}
	if private {
		warnIfReadable(path)
	}
	return nil
}

// Warnings receives warnings that do not stop a command, such as a private
// key file others can read.
var Warnings io.Writer = os.Stderr

// warnIfReadable warns, as ssh does, when a private key file can be read by
// its group or by others.
func warnIfReadable(path string) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 || !fi.Mode().IsRegular() {
		return
	}
	fmt.Fprintf(Warnings, "warning: private key %s is readable by group or others (mode %04o); run: chmod 600 %s\n",
		path, fi.Mode().Perm(), path)
}

// readKind reads a key file and checks that it holds the kind wanted.
func readKind(path string, sealing, private bool) ([]byte, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	return data, checkKind(path, data, sealing, private)
}

// SealKeys reads a receiver's private key (JWK) or keys (JWKS).
func SealKeys(path string) (*seal.KeySet, error) {
	data, err := readKind(path, true, true)
	if err != nil {
		return nil, err
	}
	if isKeySet(data) {
		s, err := seal.ParseKeySet(data)
		return s, inFile(path, err)
	}
	k, err := seal.ParsePrivateJWK(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return seal.NewKeySet(k)
}

// SealPublicKeys reads a receiver's public key (JWK) or keys (JWKS).
func SealPublicKeys(path string) (*seal.PublicKeySet, error) {
	data, err := readKind(path, true, false)
	if err != nil {
		return nil, err
	}
	if isKeySet(data) {
		s, err := seal.ParsePublicKeySet(data)
		return s, inFile(path, err)
	}
	k, err := seal.ParsePublicJWK(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return seal.NewPublicKeySet(k)
}

// SigningKeys reads a sender's private signing key (JWK) or keys (JWKS).
func SigningKeys(path string) (*token.KeySet, error) {
	data, err := readKind(path, false, true)
	if err != nil {
		return nil, err
	}
	if isKeySet(data) {
		s, err := token.ParseKeySet(data)
		return s, inFile(path, err)
	}
	k, err := token.ParseSigningJWK(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return token.NewKeySet(k)
}

// VerifyingKeys reads a sender's public key (JWK) or keys (JWKS); opts
// name the algorithm of keys that carry none.
func VerifyingKeys(path string, opts ...token.JWKOption) (*token.VerifyingKeySet, error) {
	data, err := readKind(path, false, false)
	if err != nil {
		return nil, err
	}
	if isKeySet(data) {
		s, err := token.ParseVerifyingKeySet(data, opts...)
		return s, inFile(path, err)
	}
	k, err := token.ParseVerifyingJWK(data, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return token.NewVerifyingKeySet(k)
}

// inFile prefixes a parse error with the file it came from.
func inFile(path string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// SecretEnv is the environment variable an HS256 shared secret may come
// from, so that it need not appear in a process listing.
const SecretEnv = "SEALJWT_SECRET"

// HMACKey returns the HS256 key from the flag value, or else from
// SecretEnv. The secret must be at least token.MinHMACKeySize bytes,
// unless tutorial is set: then a shorter one (the classic tutorial's is
// 24 bytes) is accepted with a warning on warn.
func HMACKey(flagValue string, tutorial bool, warn io.Writer) (*token.SigningKey, error) {
	secret := flagValue
	if secret == "" {
		secret = os.Getenv(SecretEnv)
	}
	if secret == "" {
		return nil, Usagef("an HS256 secret is required: --secret or $%s", SecretEnv)
	}
	if len(secret) >= token.MinHMACKeySize {
		return token.NewHMACKey([]byte(secret))
	}
	if !tutorial {
		return nil, Usagef("the secret must be at least %d bytes, got %d (RFC 7518 section 3.2; --tutorial accepts a shorter one)",
			token.MinHMACKeySize, len(secret))
	}
	fmt.Fprintf(warn, "warning: the HS256 secret is %d bytes, under the %d that RFC 7518 section 3.2 requires: "+
		"accepted for --tutorial only; a short secret is easier to guess, and whoever guesses it can mint tokens\n",
		len(secret), token.MinHMACKeySize)
	return token.NewTutorialHMACKey([]byte(secret))
}

// WritePrivate writes data to path with mode 0600, refusing to replace an
// existing file unless force is set: a private key overwritten by mistake
// cannot be recovered.
func WritePrivate(path string, data []byte, force bool) error {
	return writeFile(path, data, 0o600, force)
}

// WritePublic writes a public key with mode 0644.
func WritePublic(path string, data []byte, force bool) error {
	return writeFile(path, data, 0o644, force)
}

// writeFile writes a key file without ever following a symlink at path:
// run by root in a shared directory, following one would write a private
// key into a file that another user owns and can read. A new file is
// created exclusively (O_EXCL, O_NOFOLLOW); with force, the data goes to
// a fresh temporary file in the same directory, which then replaces path
// by rename, so that path is either the old file or the whole new one.
func writeFile(path string, data []byte, mode os.FileMode, force bool) error {
	if force {
		return replaceFile(path, data, mode)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, mode)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; use --force to replace it", path)
	}
	if err != nil {
		return err
	}
	if err := writeClose(f, data, mode); err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

// replaceFile writes data to a temporary file next to path and renames it
// over path (a symlink there is replaced, not followed).
func replaceFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp") // O_EXCL, mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := writeClose(f, data, mode); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// writeClose sets f's mode, writes data and a newline, syncs and closes.
func writeClose(f *os.File, data []byte, mode os.FileMode) error {
	err := f.Chmod(mode)
	if err == nil {
		_, err = f.Write(append(data, '\n'))
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
