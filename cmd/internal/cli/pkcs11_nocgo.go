//go:build !cgo

package cli

import (
	"strings"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// IsPKCS11 reports whether a key flag's value is an RFC 7512 pkcs11: URI.
func IsPKCS11(spec string) bool { return strings.HasPrefix(spec, "pkcs11:") }

// The PKCS#11 binding needs cgo: a build without it refuses the URI.
func pkcs11SealKeys(spec string) (*seal.KeySet, error) {
	return nil, Usagef("this sealjwt was built without cgo, which PKCS#11 keys need: %.60s", spec)
}

func pkcs11SigningKeys(spec string) (*token.KeySet, error) {
	return nil, Usagef("this sealjwt was built without cgo, which PKCS#11 keys need: %.60s", spec)
}
