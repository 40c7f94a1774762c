package transport

import "github.com/sealjwt/sealjwt/internal/streamkey"

// The body keys: internal/streamkey derives them, under labels distinct
// per direction and from the root package's streams.
var (
	requestKeys  = streamkey.Request
	responseKeys = streamkey.Response
)

// responseNonceSize is the length of the server's fresh random value
// mixed into the response key, as Oblivious HTTP does (RFC 9458 4.4).
const responseNonceSize = 32

// responsePrefix is the additional data bound into every response record:
// the status code, 2 bytes, big-endian. The headers, the content type
// among them, are sealed inside the stream.
func responsePrefix(status int) []byte {
	return []byte{byte(status >> 8), byte(status)}
}
