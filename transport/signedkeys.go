package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A signed key set is the receiver's JWKS inside a JWS that the receiver
// signs with a token key its senders already trust, as OpenID Federation's
// signed JWK Set is: explicitly typed, with the set in a "keys" claim.
const (
	// SignedJWKSType is the JWS "typ" of a signed key set.
	SignedJWKSType = "jwk-set+jwt"
	// SignedJWKSContentType is its media type.
	SignedJWKSContentType = "application/" + SignedJWKSType
	// signedJWKSLifetime is exp - iat of a signed key set: a stale set, or
	// one holding a key since retired, cannot be served for longer.
	signedJWKSLifetime = time.Hour
)

// ErrKeySetSignature is wrapped when a signed key set fails to verify.
var ErrKeySetSignature = errors.New("transport: key set signature")

// signedJWKSClaims are the application claims of a signed key set; iss,
// aud, iat, exp and jti are the token package's.
type signedJWKSClaims struct {
	Subject string          `json:"sub"`
	Keys    json.RawMessage `json:"keys"`
}

// SignedJWKSHandler serves keys (the public set) as a signed key set:
// a compact JWS of type SignedJWKSType, signed by receiver (iss, sub and
// aud) with the primary key of signing. Each response is signed afresh and
// is valid for an hour. Senders verify it with WithKeySetSigner.
func SignedJWKSHandler(keys *seal.PublicKeySet, signing *token.KeySet, receiver string) (http.Handler, error) {
	signer, err := token.NewSigner(signing, receiver, token.WithType(SignedJWKSType), token.WithLifetime(signedJWKSLifetime))
	if err != nil {
		return nil, err
	}
	if signer.Key().Alg() == token.HS256 {
		return nil, fmt.Errorf("%w: a key set must be signed with a key only the receiver holds, not HS256", token.ErrConfig)
	}
	raw, err := keys.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var set struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, err
	}
	claims := signedJWKSClaims{Subject: receiver, Keys: set.Keys}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		jws, err := signer.Sign(receiver, claims)
		if err != nil {
			http.Error(w, "key set unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", SignedJWKSContentType)
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write([]byte(jws))
	}), nil
}

// WithKeySetSigner makes a KeyFetcher accept only a signed key set
// (SignedJWKSHandler) that receiver signed with one of keys, which the
// sender holds already (pinned, like StaticKeys). Whoever serves the URL
// then cannot substitute keys of their own, over any transport. keys must
// not be nil, nor hold an HS256 key (whoever verifies with a shared secret
// can sign with it).
func WithKeySetSigner(receiver string, keys *token.VerifyingKeySet) FetcherOption {
	return fetcherOption(func(f *KeyFetcher) {
		f.signed, f.signedErr = signedJWKSVerifier(receiver, keys)
	})
}

func signedJWKSVerifier(receiver string, keys *token.VerifyingKeySet) (*token.Verifier, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: WithKeySetSigner needs the receiver's keys, got nil", token.ErrConfig)
	}
	for _, k := range keys.Keys() {
		if k.Alg() == token.HS256 {
			return nil, fmt.Errorf("%w: WithKeySetSigner needs keys only the receiver holds, got an HS256 key (kid %q)", token.ErrConfig, k.KID())
		}
	}
	v, err := token.NewVerifier(receiver, token.WithType(SignedJWKSType))
	if err != nil {
		return nil, err
	}
	if v, err = v.ForClaims([]string{"keys"}, nil); err != nil {
		return nil, err
	}
	if err := v.Trust(receiver, keys); err != nil {
		return nil, err
	}
	return v, nil
}

// openSignedJWKS verifies a signed key set and returns the JWKS inside it
// and the set's iat. The "keys" claim is read by name, byte for byte, in
// the token layer's strict pass: a "KEYS" beside it is refused there.
func openSignedJWKS(v *token.Verifier, jws []byte) ([]byte, time.Time, error) {
	t, err := v.Verify(string(jws))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %w", ErrKeySetSignature, err)
	}
	keys, err := t.Claim("keys")
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %w", ErrKeySetSignature, err)
	}
	if t.Subject != t.Issuer || len(keys) == 0 || keys[0] != '[' {
		return nil, time.Time{}, fmt.Errorf("%w: sub must be the issuer and keys an array", ErrKeySetSignature)
	}
	return append(append([]byte(`{"keys":`), keys...), '}'), t.IssuedAt, nil
}
