package transport

// Wire names; docs/PROTOCOL.md section 4 defines them.
const (
	authScheme = "Sealed"
	// recordsContentType marks a body that is an encrypted record stream.
	recordsContentType = "application/vnd.sealjwt.records"
	// BareContentType is a request whose body is one envelope.
	BareContentType = "application/jose"

	headerResponseNonce = "Sealed-Response"
	headerFinal         = "Sealed-Final"
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
