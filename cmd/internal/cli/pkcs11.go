package cli

import (
	"strings"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// IsPKCS11 reports whether a key flag's value is an RFC 7512 pkcs11: URI.
func IsPKCS11(spec string) bool { return strings.HasPrefix(spec, "pkcs11:") }

func pkcs11SealKeys(spec string) (*seal.KeySet, error) {
	return nil, Usagef("PKCS#11 keys are not available in this build: %q", spec)
}

func pkcs11SigningKeys(spec string) (*token.KeySet, error) {
	return nil, Usagef("PKCS#11 keys are not available in this build: %q", spec)
}
