package transport

import (
	"context"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/token"
)

type ctxKey int

const (
	messageKey ctxKey = iota
	verifiedKey
	sealedKey
)

// MessageFromContext returns the verified message of a request that the
// Server middleware let through.
func MessageFromContext(ctx context.Context) (*sealjwt.Message, bool) {
	m, ok := ctx.Value(messageKey).(*sealjwt.Message)
	return m, ok
}

// VerifiedFromContext returns the verified claims of a request that the
// Server middleware let through.
func VerifiedFromContext(ctx context.Context) (*token.Verified, bool) {
	v, ok := ctx.Value(verifiedKey).(*token.Verified)
	return v, ok
}

func withMessage(ctx context.Context, m *sealjwt.Message) context.Context {
	return context.WithValue(withVerified(ctx, m.Verified), messageKey, m)
}

func withVerified(ctx context.Context, v *token.Verified) context.Context {
	return context.WithValue(ctx, verifiedKey, v)
}
