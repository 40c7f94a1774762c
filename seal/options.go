package seal

// DefaultMaxSize is the default cap on the length of an envelope given to
// Open or OpenFlattened, checked before any parsing.
const DefaultMaxSize = 1 << 20

// Option configures Seal, SealExport, Open and OpenFlattened.
type Option func(*options)

type options struct {
	cty     string
	maxSize int
}

func buildOptions(opts []Option) options {
	o := options{maxSize: DefaultMaxSize}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithContentType sets the protected "cty" header parameter on Seal ("JWT"
// for a nested JWT, RFC 7519 §5.2). Open ignores it.
func WithContentType(cty string) Option {
	return func(o *options) { o.cty = cty }
}

// WithMaxSize sets the cap on the envelope length accepted by Open and
// OpenFlattened (default DefaultMaxSize). Seal ignores it.
func WithMaxSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxSize = n
		}
	}
}
