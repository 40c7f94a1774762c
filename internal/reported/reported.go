// Package reported marks a context whose next operation an outer layer
// reports to its Observer, so that an inner layer given an Observer too
// (the Opener under the HTTP middleware) does not count the same request
// again.
package reported

import (
	"context"
	"sync/atomic"
)

type key struct{}

// ByCaller returns ctx marked for one operation: the caller reports the
// outcome of the next one run with ctx (or a context derived from it).
func ByCaller(ctx context.Context) context.Context {
	mark := new(atomic.Bool)
	mark.Store(true)
	return context.WithValue(ctx, key{}, mark)
}

// Take reports whether ctx carries an unused mark, and uses it up: the
// middleware's one Open is reported by the middleware, and an Open the
// handler makes later with the request's context is the Opener's to report.
func Take(ctx context.Context) bool {
	mark, _ := ctx.Value(key{}).(*atomic.Bool)
	return mark != nil && mark.CompareAndSwap(true, false)
}
