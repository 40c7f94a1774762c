package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// registeredNames are the RFC 7519 claims this package gives meaning to.
// A member that differs from one of them only in letter case is refused on
// both sides: encoding/json would otherwise read "EXP" as "exp".
var registeredNames = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}

// signerOwned are the claims the Signer sets; an application claim of the
// same name is an error rather than a silent override either way.
var signerOwned = []string{"iss", "aud", "iat", "exp", "jti"}

const (
	// maxNumericDate is 9999-12-31T23:59:59Z; later dates are refused
	// rather than overflowing time arithmetic.
	maxNumericDate = 253402300799
	// maxJTILen bounds jti, which replay stores keep as a key.
	maxJTILen = 256
)

// claims are the registered claims of a token being verified. It is the
// jwt.Claims golang-jwt fills in and validates, so that the JSON is decoded
// once, strictly, by UnmarshalJSON.
type claims struct {
	iss, sub, jti string
	aud           jwt.ClaimStrings
	exp, iat, nbf *jwt.NumericDate
	err           error // the strict decoding error, reported as is
	tutorial      bool  // iss, aud, jti and iat may be absent (WithTutorialCompat)
	names         *claimNames
	read          read // the values of names.read
	longLived     bool // exp and aud may be absent (Verifier.ForLongLived)
}

func (c *claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.exp, nil }
func (c *claims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.iat, nil }
func (c *claims) GetNotBefore() (*jwt.NumericDate, error)      { return c.nbf, nil }
func (c *claims) GetIssuer() (string, error)                   { return c.iss, nil }
func (c *claims) GetSubject() (string, error)                  { return c.sub, nil }
func (c *claims) GetAudience() (jwt.ClaimStrings, error)       { return c.aud, nil }

// UnmarshalJSON decodes the claims strictly. The error is also kept so that
// Verify can report it without golang-jwt's wrapping.
func (c *claims) UnmarshalJSON(data []byte) error {
	c.err = c.decode(data)
	return c.err
}

func (c *claims) decode(data []byte) error {
	var w registeredRaw
	err := strict.Members(data, func(name string, value []byte) error {
		// Only a name with an upper-case or a non-ASCII letter can fold
		// to another name of lower-case ASCII, as all registered names are.
		fold := !lowerASCII(name)
		if fold {
			if err := strict.CheckNameCase(name, registeredNames, ErrClaims); err != nil {
				return err
			}
		}
		if c.names != nil {
			if err := c.names.match(name, value, &c.read, fold || !c.names.lower); err != nil {
				return err
			}
		}
		return w.collect(name, value)
	})
	if err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	c.read.names = c.names
	if c.iss, err = c.stringClaim("iss", w.iss, ErrIssuer); err != nil {
		return err
	}
	if len(w.sub) > 0 && string(w.sub) != "null" {
		if c.sub, err = claimString("sub", w.sub); err != nil {
			return err
		}
	}
	if !(c.tutorial || c.longLived) || !absent(w.aud) {
		if c.aud, err = parseAudience(w.aud); err != nil {
			return err
		}
	}
	if c.jti, err = c.stringClaim("jti", w.jti, ErrClaims); err != nil {
		return err
	}
	if len(c.jti) > maxJTILen {
		return fmt.Errorf("%w: jti longer than %d bytes", ErrClaims, maxJTILen)
	}
	if c.exp, err = parseNumericDate("exp", w.exp, !c.longLived, 1); err != nil {
		return err
	}
	if c.iat, err = parseNumericDate("iat", w.iat, !c.tutorial, 1); err != nil {
		return err
	}
	c.nbf, err = parseNumericDate("nbf", w.nbf, false, 0)
	return err
}

// registeredRaw holds the raw values of the registered claims.
type registeredRaw struct{ iss, sub, aud, exp, nbf, iat, jti []byte }

func (w *registeredRaw) collect(name string, value []byte) error {
	switch name {
	case "iss":
		w.iss = value
	case "sub":
		w.sub = value
	case "aud":
		w.aud = value
	case "exp":
		w.exp = value
	case "nbf":
		w.nbf = value
	case "iat":
		w.iat = value
	case "jti":
		w.jti = value
	}
	return nil
}

// absent reports a claim that is missing or null.
func absent(raw []byte) bool { return len(raw) == 0 || string(raw) == "null" }

// stringClaim reads a claim that must be a non-empty string, or, under
// WithTutorialCompat, may be absent.
func (c *claims) stringClaim(name string, raw []byte, missing error) (string, error) {
	if c.tutorial && absent(raw) {
		return "", nil
	}
	return requiredString(name, raw, missing)
}

// requiredString reads a claim that must be a non-empty string; absent,
// null or empty is reported with missing.
func requiredString(name string, raw []byte, missing error) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("%w: %s missing", missing, name)
	}
	s, err := claimString(name, raw)
	if err == nil && s == "" {
		err = fmt.Errorf("%w: %s is empty", missing, name)
	}
	return s, err
}

// jsonString decodes a JSON string value, without encoding/json in the
// common case of no escapes.
func jsonString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		inner := raw[1 : len(raw)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner), nil
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%w: %v", ErrClaims, err)
	}
	return s, nil
}

// claimString reads a claim that must be a JSON string.
func claimString(name string, raw []byte) (string, error) {
	if raw[0] != '"' {
		return "", fmt.Errorf("%w: %s must be a string", ErrClaims, name)
	}
	return jsonString(raw)
}

// parseNumericDate reads a NumericDate (RFC 7519 section 2): a JSON number
// of seconds, never a string or null. Values below min are refused; in
// particular exp 0, which golang-jwt's MapClaims would treat as absent.
func parseNumericDate(name string, raw []byte, required bool, min float64) (*jwt.NumericDate, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return nil, fmt.Errorf("%w: %s missing", ErrClaims, name)
		}
		return nil, nil
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return nil, fmt.Errorf("%w: %s must be a JSON number", ErrClaims, name)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f < min || f > maxNumericDate {
		return nil, fmt.Errorf("%w: %s out of range", ErrClaims, name)
	}
	return jwt.NewNumericDate(time.Unix(int64(f), 0)), nil
}

// parseAudience reads aud: one non-empty string, or a non-empty array of
// non-empty strings.
func parseAudience(raw []byte) (jwt.ClaimStrings, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("%w: aud missing", ErrAudience)
	}
	var aud []string
	switch raw[0] {
	case '"':
		s, err := jsonString(raw)
		if err != nil {
			return nil, err
		}
		aud = []string{s}
	case '[':
		var list []*string
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("%w: aud: %v", ErrClaims, err)
		}
		for _, s := range list {
			if s == nil {
				return nil, fmt.Errorf("%w: aud holds null", ErrClaims)
			}
			aud = append(aud, *s)
		}
	default:
		return nil, fmt.Errorf("%w: aud must be a string or an array of strings", ErrClaims)
	}
	if len(aud) == 0 {
		return nil, fmt.Errorf("%w: aud is empty", ErrAudience)
	}
	for _, a := range aud {
		if a == "" {
			return nil, fmt.Errorf("%w: aud holds an empty string", ErrAudience)
		}
	}
	return aud, nil
}
