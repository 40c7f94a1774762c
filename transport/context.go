package transport

import (
	"context"

	"github.com/sealjwt/sealjwt"
)

type ctxKey int

const (
	messageKey ctxKey = iota
	sealedKey
)

// MessageFromContext returns the verified message of a request that the
// Server middleware let through: its claims, and the envelope's header.
func MessageFromContext(ctx context.Context) (*sealjwt.Message, bool) {
	m, ok := ctx.Value(messageKey).(*sealjwt.Message)
	return m, ok
}

func withMessage(ctx context.Context, m *sealjwt.Message) context.Context {
	return context.WithValue(ctx, messageKey, m)
}
