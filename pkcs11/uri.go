package pkcs11

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// ErrConfig is wrapped by [ParseURI] and [Open] for a URI this package
// cannot use (malformed, or without the attributes it needs, or naming a
// module that does not load), and by Open when the URI matches more than
// one key object.
var ErrConfig = errors.New("pkcs11: bad URI")

// maxURILen and maxPINLen bound what is read before any parsing.
const (
	maxURILen = 4096
	maxPINLen = 256
)

// ModuleEnv names the PKCS#11 module (a shared library) to load when the
// URI has no module-path attribute.
const ModuleEnv = "SEALJWT_PKCS11_MODULE"

// URI is the part of an RFC 7512 PKCS#11 URI this package reads: the
// token label, the key object's label and/or id, and where the PIN and the
// module come from.
type URI struct {
	Token      string // path attribute "token": the token label
	Object     string // "object": the key's CKA_LABEL
	ID         []byte // "id": the key's CKA_ID
	PINSource  string // query "pin-source": file:PATH (RFC 7512 section 2.4)
	PINValue   string // query "pin-value": the PIN itself (avoid: it shows in process listings)
	ModulePath string // query "module-path", else $SEALJWT_PKCS11_MODULE
}

// ParseURI reads an RFC 7512 pkcs11: URI. Unknown path attributes are
// refused rather than ignored, since they would narrow the key's choice in
// another reader; unknown query attributes are refused likewise.
func ParseURI(s string) (*URI, error) {
	if len(s) > maxURILen {
		return nil, fmt.Errorf("%w: URI of %d bytes exceeds %d", ErrConfig, len(s), maxURILen)
	}
	rest, ok := strings.CutPrefix(s, "pkcs11:")
	if !ok {
		return nil, fmt.Errorf("%w: %.40q is not a pkcs11 URI", ErrConfig, s)
	}
	path, query, _ := strings.Cut(rest, "?")
	var u URI
	for _, attr := range splitNonEmpty(path, ";") {
		if err := u.setPath(attr); err != nil {
			return nil, err
		}
	}
	for _, attr := range splitNonEmpty(query, "&") {
		if err := u.setQuery(attr); err != nil {
			return nil, err
		}
	}
	if u.Token == "" || (u.Object == "" && u.ID == nil) {
		return nil, fmt.Errorf("%w: a key URI needs token= and object= or id=", ErrConfig)
	}
	if u.ModulePath == "" {
		u.ModulePath = os.Getenv(ModuleEnv)
	}
	if u.ModulePath == "" {
		return nil, fmt.Errorf("%w: no module: add ?module-path=/path/to/module.so or set $%s", ErrConfig, ModuleEnv)
	}
	return &u, nil
}

func splitNonEmpty(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// attr splits name=value and percent-decodes the value (RFC 7512 section 2.3).
func attr(a string) (string, string, error) {
	name, raw, ok := strings.Cut(a, "=")
	if !ok {
		return "", "", fmt.Errorf("%w: attribute %.40q has no value", ErrConfig, a)
	}
	v, err := url.PathUnescape(raw)
	if err != nil {
		return "", "", fmt.Errorf("%w: attribute %q: %v", ErrConfig, name, err)
	}
	return name, v, nil
}

func (u *URI) setPath(a string) error {
	name, v, err := attr(a)
	if err != nil {
		return err
	}
	switch name {
	case "token":
		u.Token = v
	case "object":
		u.Object = v
	case "id":
		u.ID = []byte(v)
	case "type":
		if v != "private" {
			return fmt.Errorf("%w: type=%q: only private keys are used", ErrConfig, v)
		}
	default:
		return fmt.Errorf("%w: path attribute %q is not supported (token, object, id, type)", ErrConfig, name)
	}
	return nil
}

func (u *URI) setQuery(a string) error {
	name, v, err := attr(a)
	if err != nil {
		return err
	}
	switch name {
	case "pin-source":
		u.PINSource = v
	case "pin-value":
		u.PINValue = v
	case "module-path":
		u.ModulePath = v
	default:
		return fmt.Errorf("%w: query attribute %q is not supported (pin-source, pin-value, module-path)", ErrConfig, name)
	}
	return nil
}

// pin returns the PIN from pin-value or from the file pin-source names,
// without its trailing newline.
func (u *URI) pin() (string, error) {
	if u.PINValue != "" {
		return u.PINValue, nil
	}
	if u.PINSource == "" {
		return "", fmt.Errorf("%w: no PIN: add ?pin-source=file:/path/to/pin", ErrConfig)
	}
	path, ok := strings.CutPrefix(u.PINSource, "file:")
	if !ok {
		return "", fmt.Errorf("%w: pin-source %q: only file: is supported", ErrConfig, u.PINSource)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("pkcs11: PIN file: %w", err)
	}
	defer f.Close()
	buf := make([]byte, maxPINLen+1)
	n, _ := f.Read(buf)
	if n > maxPINLen {
		return "", fmt.Errorf("%w: PIN file is longer than %d bytes", ErrConfig, maxPINLen)
	}
	return strings.TrimRight(string(buf[:n]), "\r\n"), nil
}
