package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt/internal/keyindex"
	"github.com/sealjwt/sealjwt/internal/pemkey"
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

// JWKs returns the keys of a key file in JSON, a JWKS or a single JWK,
// strictly decoded as every key flag reads them (no member named twice).
// It is the one place the commands tell the two forms apart.
func JWKs(data []byte) ([]json.RawMessage, error) {
	return keyindex.JWKs(data, MaxInput)
}

// IsSealKey reports whether a JWK or JWKS holds JOSE-HPKE (sealing) keys
// rather than signing keys: HPKE algs are all named "HPKE-...".
func IsSealKey(data []byte) bool { return probeKey(data).sealing }

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
	keys, err := JWKs(data)
	if err != nil || json.Unmarshal(keys[0], &one) != nil {
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

// readKind reads a JWK or JWKS key file and checks that it holds the kind
// wanted.
func readKind(path string, data []byte, sealing, private bool) error {
	return checkKind(path, data, sealing, private)
}

// A key flag's value is FILE or FILE:ALG, FILE a JWK, a JWKS, or a key in
// PEM or DER (PKCS#8, PKCS#1, SEC 1, PKIX) or an X.509 certificate, told
// apart by content. ALG binds a PEM key to an alg other than its default
// (an HPKE key gets its curve's suite: HPKE-0 for P-256, HPKE-1 for P-384,
// HPKE-2 for P-521, HPKE-3 for X25519, HPKE-5 for X448, HPKE-12/13 for
// ML-KEM; an RSA signing key needs RS256 or PS256 named), or names the alg
// of a signing JWK written without one.
const KeyUsage = "JWK, JWKS, PEM or DER key, or certificate: `FILE[:ALG]`; ALG binds a PEM key " +
	"to an alg other than its curve's default (P-256 HPKE-0 or ES256 by flag, X25519 HPKE-3, X448 HPKE-5, " +
	"ML-KEM HPKE-12/13; RSA needs RS256 or PS256)"

// splitAlg splits FILE:ALG when ALG names a sealing or signing alg; any
// other colon stays part of the file name.
func splitAlg(spec string) (path, alg string) {
	i := strings.LastIndexByte(spec, ':')
	if i <= 0 {
		return spec, ""
	}
	a := spec[i+1:]
	if seal.Alg(a).Supported() || slices.Contains(token.Algs(), token.Alg(a)) {
		return spec[:i], a
	}
	return spec, ""
}

// readSpec reads the file of a key flag's value and reports whether it
// holds PEM or DER rather than JSON.
func readSpec(spec string) (path, alg string, data []byte, isPEM bool, err error) {
	path, alg = splitAlg(spec)
	data, err = readKeyFile(path)
	if err != nil {
		return "", "", nil, false, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	isPEM = pemkey.IsPEM(data) || pemkey.LooksLikeDER(data) || len(trimmed) > 0 && trimmed[0] != '{'
	return path, alg, data, isPEM, nil
}

// sealKeyOptions names the alg of an HPKE key read from PEM.
func sealKeyOptions(alg string) []seal.KeyOption {
	if alg == "" {
		return nil
	}
	return []seal.KeyOption{seal.WithAlg(seal.Alg(alg))}
}

// signKeyOptions names the alg of a signing key read from PEM, or from a
// JWK without "alg".
func signKeyOptions(alg string, opts []token.JWKOption) []token.JWKOption {
	if alg == "" {
		return opts
	}
	return append(opts, token.WithJWKAlg(token.Alg(alg)))
}

// noteCertificate warns, without refusing the key, when a certificate's
// validity has ended or not begun: the certificate here only carries a
// public key, and the key's trust comes from the flag that names it.
func noteCertificate(path string, data []byte) {
	k, err := pemkey.Parse(data)
	if err != nil || k.Cert == nil {
		return
	}
	now := time.Now()
	switch {
	case now.After(k.Cert.NotAfter):
		fmt.Fprintf(Warnings, "warning: the certificate in %s expired at %s; its public key is used anyway\n",
			path, k.Cert.NotAfter.UTC().Format(time.RFC3339))
	case now.Before(k.Cert.NotBefore):
		fmt.Fprintf(Warnings, "warning: the certificate in %s is valid only from %s; its public key is used anyway\n",
			path, k.Cert.NotBefore.UTC().Format(time.RFC3339))
	}
}

// SealKeys reads a receiver's private key or keys (see KeyUsage), or opens
// a key held in a PKCS#11 token (a pkcs11: URI).
func SealKeys(spec string) (*seal.KeySet, error) {
	if IsPKCS11(spec) {
		return pkcs11SealKeys(spec)
	}
	path, alg, data, isPEM, err := readSpec(spec)
	if err != nil {
		return nil, err
	}
	if isPEM {
		warnIfReadable(path)
		k, err := seal.ParsePrivatePEM(data, sealKeyOptions(alg)...)
		if err != nil {
			return nil, inFile(path, err)
		}
		return seal.NewKeySet(k)
	}
	if err := readKind(path, data, true, true); err != nil {
		return nil, err
	}
	s, err := seal.ParseKeySet(data)
	return s, inFile(path, err)
}

// SealPublicKeys reads a receiver's public key or keys (see KeyUsage).
func SealPublicKeys(spec string) (*seal.PublicKeySet, error) {
	path, alg, data, isPEM, err := readSpec(spec)
	if err != nil {
		return nil, err
	}
	if isPEM {
		k, err := seal.ParsePublicPEM(data, sealKeyOptions(alg)...)
		if err != nil {
			return nil, inFile(path, err)
		}
		noteCertificate(path, data)
		return seal.NewPublicKeySet(k)
	}
	if err := readKind(path, data, true, false); err != nil {
		return nil, err
	}
	s, err := seal.ParsePublicKeySet(data)
	if err != nil {
		return nil, inFile(path, err)
	}
	noteSkipped(path, s.Skipped())
	return s, nil
}

// SigningKeys reads a sender's private signing key or keys (see KeyUsage),
// or opens a key held in a PKCS#11 token (a pkcs11: URI).
func SigningKeys(spec string) (*token.KeySet, error) {
	if IsPKCS11(spec) {
		return pkcs11SigningKeys(spec)
	}
	path, alg, data, isPEM, err := readSpec(spec)
	if err != nil {
		return nil, err
	}
	opts := signKeyOptions(alg, nil)
	if isPEM {
		warnIfReadable(path)
		k, err := token.ParseSigningPEM(data, opts...)
		if err != nil {
			return nil, inFile(path, err)
		}
		return token.NewKeySet(k)
	}
	if err := readKind(path, data, false, true); err != nil {
		return nil, err
	}
	s, err := token.ParseKeySet(data, opts...)
	return s, inFile(path, err)
}

// VerifyingKeys reads a sender's public key or keys (see KeyUsage); opts
// name the algorithm of keys that carry none. A published JWKS keeps its
// usable keys and names the others on Warnings.
func VerifyingKeys(spec string, opts ...token.JWKOption) (*token.VerifyingKeySet, error) {
	path, alg, data, isPEM, err := readSpec(spec)
	if err != nil {
		return nil, err
	}
	opts = signKeyOptions(alg, opts)
	if isPEM {
		k, err := token.ParseVerifyingPEM(data, opts...)
		if err != nil {
			return nil, inFile(path, err)
		}
		noteCertificate(path, data)
		return token.NewVerifyingKeySet(k)
	}
	if err := readKind(path, data, false, false); err != nil {
		return nil, err
	}
	s, err := token.ParseVerifyingKeySet(data, opts...)
	if err != nil {
		return nil, inFile(path, err)
	}
	noteSkipped(path, s.Skipped())
	return s, nil
}

// noteSkipped names on Warnings each key of a published set left out.
func noteSkipped(path string, skipped []error) {
	for _, err := range skipped {
		fmt.Fprintf(Warnings, "note: %s: %v\n", path, err)
	}
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

// PublicKeys are the public keys of one key file, sealing or signing.
type PublicKeys struct {
	Sealing bool
	Seal    []*seal.PublicKey
	Sign    []*token.VerifyingKey
}

// ReadPublicKeys reads the public keys of a private or public key file in
// any format (see KeyUsage). An EC key in PEM can seal or sign: its kind
// then comes from ALG.
func ReadPublicKeys(spec string) (*PublicKeys, error) {
	if IsPKCS11(spec) {
		uri, alg := splitAlg(spec)
		if alg == "" {
			return nil, Usagef("a PKCS#11 EC key can seal or sign: name its alg as %s:ALG", uri)
		}
		return publicKeysOf(spec, uri, seal.Alg(alg).Supported(), true)
	}
	path, alg, data, isPEM, err := readSpec(spec)
	if err != nil {
		return nil, err
	}
	if !isPEM {
		k := probeKey(data)
		return publicKeysOf(spec, path, IsSealKey(data), k.private || k.sharedSecret)
	}
	k, err := pemkey.Parse(data)
	if err != nil {
		return nil, inFile(path, err)
	}
	private := k.Private != nil
	sealing := seal.Alg(alg).Supported()
	if alg == "" {
		if sealing, err = pemKind(path, data, private); err != nil {
			return nil, err
		}
	}
	return publicKeysOf(spec, path, sealing, private)
}

// pemKind tells a sealing from a signing PEM key by which parser takes it,
// and refuses a key both take (EC P-256 and P-384) without a named alg.
func pemKind(path string, data []byte, private bool) (sealing bool, err error) {
	var sealErr, signErr error
	if private {
		_, sealErr = seal.ParsePrivatePEM(data)
		_, signErr = token.ParseSigningPEM(data)
	} else {
		_, sealErr = seal.ParsePublicPEM(data)
		_, signErr = token.ParseVerifyingPEM(data)
	}
	switch {
	case sealErr == nil && signErr == nil:
		return false, Usagef("%s holds an EC key that can seal (HPKE-*) or sign (ES*): name the alg as %s:ALG", path, path)
	case sealErr != nil && signErr != nil && !errors.Is(signErr, token.ErrInvalidKey):
		return false, fmt.Errorf("%s: neither a sealing key (%v) nor a signing key (%w)", path, sealErr, signErr)
	}
	// A key only one parser takes is of that kind; an RSA key without its
	// alg is left to the signing parser, which asks for the alg.
	return sealErr == nil, nil
}

func publicKeysOf(spec, path string, sealing, private bool) (*PublicKeys, error) {
	out := &PublicKeys{Sealing: sealing}
	switch {
	case sealing && private:
		ks, err := SealKeys(spec)
		if err != nil {
			return nil, err
		}
		out.Seal = ks.Public().Keys()
	case sealing:
		ks, err := SealPublicKeys(spec)
		if err != nil {
			return nil, err
		}
		out.Seal = ks.Keys()
	case private:
		ks, err := SigningKeys(spec)
		if err != nil {
			return nil, err
		}
		if ks.Primary().Alg() == token.HS256 {
			return nil, fmt.Errorf("%s is an HS256 shared secret, which has no public key; expected a private key of an asymmetric alg (EdDSA, ES256, ML-DSA-44, HPKE-*, ...)", path)
		}
		out.Sign = ks.Verifying().Keys()
	default:
		ks, err := VerifyingKeys(spec)
		if err != nil {
			return nil, err
		}
		out.Sign = ks.Keys()
	}
	return out, nil
}
