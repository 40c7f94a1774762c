package sealjwt_test

import (
	"crypto/ecdsa"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwe"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// peer is another library doing a nested signed-then-encrypted JWT.
type peer struct {
	name  string
	setup func(b *testing.B, sig, enc *ecdsa.PrivateKey) (seal func(*testing.B) string, open func(*testing.B, string))
}

var peers = []peer{{"gojose", goJoseNested}, {"jwx", jwxNested}}

func goJoseNested(b *testing.B, sigKey, encKey *ecdsa.PrivateKey) (func(*testing.B) string, func(*testing.B, string)) {
	return goJoseNestedWith(b, jose.ECDH_ES_A128KW, sigKey, encKey)
}

// goJoseNestedDirect is goJoseNested with direct ECDH-ES key agreement:
// go-jose's cheapest classical nested JWT, with no key wrap.
func goJoseNestedDirect(b *testing.B, sigKey, encKey *ecdsa.PrivateKey) (func(*testing.B) string, func(*testing.B, string)) {
	return goJoseNestedWith(b, jose.ECDH_ES, sigKey, encKey)
}

func goJoseNestedWith(b *testing.B, keyAlg jose.KeyAlgorithm, sigKey, encKey *ecdsa.PrivateKey) (func(*testing.B) string, func(*testing.B, string)) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: sigKey}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		b.Fatal(err)
	}
	enc, err := jose.NewEncrypter(jose.A128GCM, jose.Recipient{Algorithm: keyAlg, Key: &encKey.PublicKey},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		b.Fatal(err)
	}
	seal := func(b *testing.B) string {
		tok, err := josejwt.SignedAndEncrypted(signer, enc).Claims(fullClaims()).Serialize()
		if err != nil {
			b.Fatal(err)
		}
		return tok
	}
	// go-jose's ParseSignedAndEncrypted refuses asymmetric key encryption,
	// so a go-jose user decrypts the JWE and parses the inner JWS in two steps.
	open := func(b *testing.B, tok string) {
		jwe, err := jose.ParseEncryptedCompact(tok, []jose.KeyAlgorithm{keyAlg}, []jose.ContentEncryption{jose.A128GCM})
		if err != nil {
			b.Fatal(err)
		}
		plain, err := jwe.Decrypt(encKey)
		if err != nil {
			b.Fatal(err)
		}
		inner, err := josejwt.ParseSigned(string(plain), []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			b.Fatal(err)
		}
		var c map[string]any
		if err := inner.Claims(&sigKey.PublicKey, &c); err != nil {
			b.Fatal(err)
		}
	}
	return seal, open
}

func jwxNested(b *testing.B, sigKey, encKey *ecdsa.PrivateKey) (func(*testing.B) string, func(*testing.B, string)) {
	tok := jwt.New()
	for k, v := range fullClaims() {
		if err := tok.Set(k, v); err != nil {
			b.Fatal(err)
		}
	}
	ser := jwt.NewSerializer().
		Sign(jwt.WithKey(jwa.ES256(), sigKey)).
		Encrypt(jwt.WithKey(jwa.ECDH_ES_A128KW(), &encKey.PublicKey), jwt.WithEncryptOption(jwe.WithContentEncryption(jwa.A128GCM())))
	seal := func(b *testing.B) string {
		out, err := ser.Serialize(tok)
		if err != nil {
			b.Fatal(err)
		}
		return string(out)
	}
	open := func(b *testing.B, tok string) {
		inner, err := jwe.Decrypt([]byte(tok), jwe.WithKey(jwa.ECDH_ES_A128KW(), encKey))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := jwt.Parse(inner, jwt.WithKey(jwa.ES256(), &sigKey.PublicKey)); err != nil {
			b.Fatal(err)
		}
	}
	return seal, open
}
