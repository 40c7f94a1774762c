package transport

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"

	"github.com/sealjwt/sealjwt/seal"
)

// Exporter labels: distinct per direction, so the two streams never share a
// key (RFC 9180 section 5.3).
const (
	labelRequest  = "sealjwt request body"
	labelResponse = "sealjwt response body"
	nonceSize     = 12
	// responseNonceSize is the length of the server's fresh random value
	// mixed into the response key, as Oblivious HTTP does (RFC 9458 4.4).
	responseNonceSize = 32
)

// streamKeySize follows the envelope suite's own AEAD: AES-128-GCM for the
// suites that use it, AES-256-GCM for every other suite.
func streamKeySize(alg seal.Alg) int {
	if alg.AEADKeySize() == 16 {
		return 16
	}
	return 32
}

// requestKeys derives the request body's key and base nonce.
func requestKeys(exp seal.Exporter, alg seal.Alg) (key, nonce []byte, err error) {
	n := streamKeySize(alg)
	secret, err := exp.Export(labelRequest, n+nonceSize)
	if err != nil {
		return nil, nil, fmt.Errorf("transport: export request key: %w", err)
	}
	return secret[:n], secret[n:], nil
}

// responseKeys derives the response body's key and base nonce from the
// HPKE context and the server's fresh response nonce:
//
//	secret = Export("sealjwt response body", Nk)
//	prk    = HKDF-Extract(salt = response_nonce, secret)
//	key    = HKDF-Expand(prk, "key", Nk); nonce = HKDF-Expand(prk, "nonce", 12)
//
// Only the holders of the HPKE context (the requester, and the receiver that
// opened the envelope) can compute it; the exporter secret is already unique
// to the envelope's encapsulation, and the nonce makes each response's key
// fresh.
func responseKeys(exp seal.Exporter, alg seal.Alg, respNonce []byte) (key, nonce []byte, err error) {
	n := streamKeySize(alg)
	secret, err := exp.Export(labelResponse, n)
	if err != nil {
		return nil, nil, fmt.Errorf("transport: export response key: %w", err)
	}
	prk, err := hkdf.Extract(sha256.New, secret, respNonce)
	if err != nil {
		return nil, nil, err
	}
	if key, err = hkdf.Expand(sha256.New, prk, "key", n); err != nil {
		return nil, nil, err
	}
	if nonce, err = hkdf.Expand(sha256.New, prk, "nonce", nonceSize); err != nil {
		return nil, nil, err
	}
	return key, nonce, nil
}

// responsePrefix is the additional data bound into every response record:
// the status code, 2 bytes, big-endian. The headers, the content type
// among them, are sealed inside the stream.
func responsePrefix(status int) []byte {
	return []byte{byte(status >> 8), byte(status)}
}
