package session

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/sealjwt/sealjwt"
)

// reasonOf maps a session error to the Observer's closed set of reasons:
// the session's own sentinels first, then the module's.
func reasonOf(err error) sealjwt.Reason {
	for _, r := range []struct {
		err    error
		reason sealjwt.Reason
	}{
		{ErrReuse, sealjwt.ReasonReuse},
		{ErrStoreReset, sealjwt.ReasonSessionStoreLost},
		{errLoginRefused, sealjwt.ReasonLoginRefused},
		{ErrInvalidRefresh, sealjwt.ReasonInvalidRefresh},
		{ErrRevoked, sealjwt.ReasonRevoked},
		{ErrSessionExpired, sealjwt.ReasonSessionExpired},
		{ErrStoreUnavailable, sealjwt.ReasonStoreUnavailable},
		{errNoToken, sealjwt.ReasonMalformed},
		{errBadRequest, sealjwt.ReasonMalformed},
		{errCrossOrigin, sealjwt.ReasonBinding},
	} {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return sealjwt.ReasonOf(err)
}

// observe reports one outcome of kind to the Observer, if there is one.
func (c *config) observe(ctx context.Context, kind sealjwt.Kind, start time.Time, err error) {
	if c.observer == nil {
		return
	}
	e := sealjwt.Event{Kind: kind, Outcome: sealjwt.OutcomeAccepted, Duration: time.Since(start)}
	if err != nil {
		e.Outcome, e.Reason, e.Err = sealjwt.OutcomeRefused, reasonOf(err), err
	}
	c.observer.Observe(ctx, e)
}

func (m *Manager) observe(ctx context.Context, kind sealjwt.Kind, start time.Time, err error) {
	m.cfg.observe(ctx, kind, start, err)
}

// logRefusal logs why a request was refused: the error, never a token.
func (c *config) logRefusal(r *http.Request, what string, err error) {
	c.log.LogAttrs(r.Context(), slog.LevelInfo, "sealjwt: "+what, slog.String("reason", string(reasonOf(err))),
		slog.String("path", r.URL.Path), slog.String("error", err.Error()))
}
