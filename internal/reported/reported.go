// Package reported marks a context whose outcome an outer layer reports to
// its Observer, so that an inner layer given an Observer too (the Opener
// under the HTTP middleware) does not count the same request again.
package reported

import "context"

type key struct{}

// ByCaller returns ctx marked as reported by the caller.
func ByCaller(ctx context.Context) context.Context { return context.WithValue(ctx, key{}, true) }

// Is reports whether a caller reports the outcome of what is done with ctx.
func Is(ctx context.Context) bool { v, _ := ctx.Value(key{}).(bool); return v }
