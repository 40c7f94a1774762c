package seal

// MaxEnvelopeSize is the largest envelope, in bytes, that Open and
// OpenFlattened accept, checked before any parsing, and that Seal makes.
// It is the one size limit on an envelope, wherever it travels: an
// ML-DSA-87 token with a few KiB of claims sealed with the largest
// post-quantum suite fits with room to spare, and the signed token inside
// is necessarily smaller than the envelope.
const MaxEnvelopeSize = 64 << 10

// SealOption configures Seal.
type SealOption func(*sealOptions)

type sealOptions struct{ cty string }

// WithContentType sets the protected "cty" header parameter ("JWT" for a
// nested JWT, RFC 7519 section 5.2).
func WithContentType(cty string) SealOption {
	return func(o *sealOptions) { o.cty = cty }
}

func buildSealOptions(opts []SealOption) sealOptions {
	var o sealOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}
