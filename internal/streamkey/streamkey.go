// Package streamkey derives the keys of record streams from an envelope's
// HPKE context (seal.Context): the transport's request and response bodies, and the root
// package's sealed streams.
//
// Each use exports under its own label. HPKE's Export is a PRF keyed by the
// context's exporter secret, with the label as input (RFC 9180 section 5.3),
// so the three uses never share a key, even for one envelope.
package streamkey

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/seal"
)

// Exporter labels, one per use.
const (
	LabelRequest  = "sealjwt request body"
	LabelResponse = "sealjwt response body"
	LabelStream   = "sealjwt stream"
	LabelFile     = "sealjwt file"
)

// Request derives the HTTP request body's key and base nonce:
// Export("sealjwt request body", Nk+12), split into key and nonce.
func Request(c *seal.Context) (key, nonce []byte, err error) {
	return keyAndNonce(c, LabelRequest)
}

// Stream derives a sealed stream's key and base nonce:
// Export("sealjwt stream", Nk+12), split into key and nonce.
func Stream(c *seal.Context) (key, nonce []byte, err error) {
	return keyAndNonce(c, LabelStream)
}

// File derives a sealed file's key and base nonce from the context of its
// head (the Context of a general JWE): Export("sealjwt file", 32+12).
func File(c *seal.Context) (key, nonce []byte, err error) {
	return keyAndNonce(c, LabelFile)
}

// keyAndNonce exports a key of the envelope AEAD's size (Nk: AES-128-GCM
// for the suites that use it, AES-256-GCM for every other suite) and a
// base nonce.
func keyAndNonce(c *seal.Context, label string) (key, nonce []byte, err error) {
	n := c.KeySize()
	secret, err := c.Export(label, n+record.NonceSize)
	if err != nil {
		return nil, nil, fmt.Errorf("export %q: %w", label, err)
	}
	return secret[:n], secret[n:], nil
}

// Response derives the HTTP response body's key and base nonce from the
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
func Response(c *seal.Context, respNonce []byte) (key, nonce []byte, err error) {
	n := c.KeySize()
	secret, err := c.Export(LabelResponse, n)
	if err != nil {
		return nil, nil, fmt.Errorf("export %q: %w", LabelResponse, err)
	}
	prk, err := hkdf.Extract(sha256.New, secret, respNonce)
	if err != nil {
		return nil, nil, err
	}
	if key, err = hkdf.Expand(sha256.New, prk, "key", n); err != nil {
		return nil, nil, err
	}
	if nonce, err = hkdf.Expand(sha256.New, prk, "nonce", record.NonceSize); err != nil {
		return nil, nil, err
	}
	return key, nonce, nil
}
