package seal

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// Header is the verified protected header of an opened envelope.
type Header struct {
	Alg Alg
	KID string
	Cty string
	Typ string
	// Enc is the content encryption ("A128GCM" or "A256GCM") in key
	// encryption mode; always empty in integrated mode.
	Enc string
}

// headerFields are the members Seal writes, in this order.
type headerFields struct {
	alg Alg
	kid string
	cty string
	enc string // key encryption only
	ek  string // key encryption only: base64url encapsulated secret
}

// encodeHeader returns BASE64URL(UTF8(JWE Protected Header)).
func encodeHeader(h headerFields) string {
	b, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Cty string `json:"cty,omitempty"`
		Enc string `json:"enc,omitempty"`
		Ek  string `json:"ek,omitempty"`
	}{string(h.alg), h.kid, h.cty, h.enc, h.ek})
	return strict.Encode(b) // marshalling strings cannot fail
}

// refusedParams change how a JWE must be processed and are not
// implemented, so their presence is an error rather than something to
// ignore (RFC 7516 §4.1; draft-ietf-jose-hpke-encrypt-20 §7.2 step 5).
// Key-carrying parameters are refused because the key comes from the
// receiver's own key set, never from the message.
var refusedParams = map[string]error{
	"crit":   ErrUnsupported,
	"zip":    ErrUnsupported,
	"jku":    ErrUnsupported,
	"jwk":    ErrUnsupported,
	"x5u":    ErrUnsupported,
	"x5c":    ErrUnsupported,
	"psk_id": ErrUnsupported, // HPKE mode_psk is not supported
}

// parsedHeader is the protected header with the spec of its alg.
type parsedHeader struct {
	Header
	spec *algSpec
	ek   string // base64url, key encryption only
}

var errNoAlg = errors.New("protected header has no alg")

// parseHeader decodes and checks the protected header. Only the members
// named here are read; any other member is ignored unless refused above.
func parseHeader(encoded string) (*parsedHeader, error) {
	raw, err := strict.Base64(encoded)
	if err != nil {
		return nil, err
	}
	names, err := strict.Object(raw)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if e, bad := refusedParams[n]; bad {
			return nil, fmt.Errorf("%w: header parameter %q", e, n)
		}
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Cty string `json:"cty"`
		Typ string `json:"typ"`
		Enc string `json:"enc"`
		Ek  string `json:"ek"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("%w: protected header: %v", ErrMalformed, err)
	}
	if h.Alg == "" {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, errNoAlg)
	}
	sp, ok := lookupAlg(Alg(h.Alg))
	if !ok {
		return nil, fmt.Errorf("%w: alg %q", ErrUnsupported, h.Alg)
	}
	if h.Kid == "" {
		return nil, fmt.Errorf("%w: protected header has no kid", ErrMalformed)
	}
	p := &parsedHeader{Header: Header{Alg: sp.alg, KID: h.Kid, Cty: h.Cty, Typ: h.Typ, Enc: h.Enc}, spec: sp, ek: h.Ek}
	return p, checkMode(p, names)
}

// checkMode applies the rules of the key management mode: in integrated
// encryption "enc" and "ek" MUST NOT be present (draft §5); in key
// encryption "ek" MUST be present (draft §6) and "enc" names the content
// encryption.
func checkMode(p *parsedHeader, names []string) error {
	if !p.spec.keyEnc {
		if slices.Contains(names, "enc") {
			return fmt.Errorf("%w: enc present in integrated encryption", ErrMalformed)
		}
		if slices.Contains(names, "ek") {
			return fmt.Errorf("%w: ek present in integrated encryption", ErrMalformed)
		}
		return nil
	}
	if !slices.Contains(names, "ek") {
		return fmt.Errorf("%w: ek missing in key encryption", ErrMalformed)
	}
	if _, ok := contentKeySize(p.Enc); !ok {
		return fmt.Errorf("%w: enc %q", ErrUnsupported, p.Enc)
	}
	return nil
}
