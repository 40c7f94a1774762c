package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// sealRequest seals a transport request envelope (typ sealjwt.RequestType)
// for request, "METHOD URL": the claims with htm and htu added, no body
// announced. It is what a sender posts as a bare envelope.
func sealRequest(sealer *sealjwt.Sealer, to *seal.PublicKey, aud string, body json.RawMessage, request string) (string, error) {
	method, url, ok := strings.Cut(strings.TrimSpace(request), " ")
	if !ok || method == "" || strings.TrimSpace(url) == "" {
		return "", cli.Usagef(`--request wants "METHOD URL", got %q`, request)
	}
	claims := map[string]json.RawMessage{}
	if body != nil {
		if err := json.Unmarshal(body, &claims); err != nil {
			return "", fmt.Errorf("%w: claims must be a JSON object", token.ErrClaims)
		}
	}
	for name := range claims {
		for _, reserved := range sealjwt.RequestClaims() {
			if strings.EqualFold(name, reserved) {
				return "", fmt.Errorf("%w: claim %q is set by --request", token.ErrClaims, name)
			}
		}
	}
	claims["htm"], _ = json.Marshal(method) // strings always marshal
	claims["htu"], _ = json.Marshal(strings.TrimSpace(url))
	env, _, err := sealer.SealContext(context.Background(), to, aud, claims)
	return env, err
}
