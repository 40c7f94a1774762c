package app

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

// SignedOnly is the shared-secret flow: a plain HS256 JWT in a Token
// header (or Authorization: Bearer), nothing encrypted, reusable until it
// expires. GET / and GET /messages answer "Hello World" to a valid token
// and 401 to anything else.
type SignedOnly struct {
	Key      *token.SigningKey // the HS256 shared secret
	Issuer   string            // the one issuer the secret is registered to
	Audience string            // our id
	Log      *slog.Logger
	Observer sealjwt.Observer // nil: none; told the outcome of every request
	// Leeway and MaxLifetime bound the tokens accepted; 0: the defaults.
	Leeway, MaxLifetime time.Duration
	Tutorial            bool // also accept the classic tutorial's tokens (token.WithTutorialCompat)
}

// Handler returns the signed-only receiver.
func (s *SignedOnly) Handler() (http.Handler, error) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	vopts := []token.VerifierOption{token.WithType(session.BearerTokenType)}
	if s.Leeway > 0 {
		vopts = append(vopts, token.WithLeeway(s.Leeway))
	}
	if s.MaxLifetime > 0 {
		vopts = append(vopts, token.WithMaxLifetime(s.MaxLifetime))
	}
	if s.Tutorial {
		vopts = append(vopts, token.WithTutorialCompat())
	}
	v, err := token.NewVerifier(s.Audience, vopts...)
	if err != nil {
		return nil, err
	}
	keys, err := token.NewVerifyingKeySet(s.Key.Verifying())
	if err != nil {
		return nil, err
	}
	if err := v.Trust(s.Issuer, keys); err != nil {
		return nil, err
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := session.ClaimsFromContext(r.Context())
		log.Debug("signed request accepted", "iss", claims.Issuer, "jti", claims.ID, "path", r.URL.Path)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "Hello World\n")
	})
	inner := http.NewServeMux()
	inner.Handle("GET /{$}", hello)
	inner.Handle("GET "+MessagesPath, hello)
	bearer, err := session.NewBearer(v, session.WithTokenHeader(session.TokenHeader), session.WithLogger(log),
		session.WithObserver(s.Observer))
	if err != nil {
		return nil, err
	}
	return bearer.Middleware(inner), nil
}
