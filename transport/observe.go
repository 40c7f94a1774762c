package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/reported"
)

// ReasonOf is sealjwt.ReasonOf that also knows this package's errors and
// the body's: a read deadline (the body timeout) is ReasonTimeout, a body
// cut short is ReasonMalformed. It is the reason the middleware logs and
// reports; a handler that logs a body error gives it the same.
func ReasonOf(err error) sealjwt.Reason {
	switch {
	case errors.Is(err, errNoSealed):
		return sealjwt.ReasonUnsealed
	case errors.Is(err, ErrMisdirected):
		return sealjwt.ReasonMisdirected
	case errors.Is(err, ErrSlowRequest), errors.Is(err, os.ErrDeadlineExceeded):
		return sealjwt.ReasonTimeout
	case errors.Is(err, record.ErrTruncated):
		return sealjwt.ReasonMalformed
	case errors.Is(err, ErrUnsealedResponse), errors.Is(err, ErrResponse):
		return sealjwt.ReasonResponse
	case errors.Is(err, ErrRefreshLimited):
		return sealjwt.ReasonRateLimited
	case errors.Is(err, ErrKeySetSignature):
		return sealjwt.ReasonSignature
	case errors.Is(err, ErrInsecureKeyURL):
		return sealjwt.ReasonUnsupported
	case errors.Is(err, ErrStaticKeys):
		return sealjwt.ReasonUnknownKey // the receiver does not hold the one key we have
	}
	return sealjwt.ReasonOf(err)
}

// event is the Event of kind for err: accepted if err is nil.
func event(kind sealjwt.Kind, err error, took time.Duration) sealjwt.Event {
	e := sealjwt.Event{Kind: kind, Outcome: sealjwt.OutcomeAccepted, Duration: took}
	if err != nil {
		e.Outcome, e.Reason, e.Err = sealjwt.OutcomeRefused, ReasonOf(err), err
	}
	return e
}

// requestTrace follows one request through the middleware, for its Event.
type requestTrace struct {
	start time.Time
	took  time.Duration // until the outcome of opening was known
	msg   *sealjwt.Message
	body  *plainBody
	err   error
}

type traceKey struct{}

// observed serves r through serve, reporting it to the observer, if any,
// once it has ended.
func (c *serverConfig) observed(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter, *http.Request)) {
	if c.observer == nil {
		serve(w, r)
		return
	}
	t := &requestTrace{start: time.Now()}
	// The request's one Event is ours: the Opener does not report it again.
	serve(w, r.WithContext(context.WithValue(reported.ByCaller(r.Context()), traceKey{}, t)))
	e := event(sealjwt.KindRequest, t.err, t.took)
	if t.msg != nil {
		e.Suite, e.SigAlg, e.Issuer = t.msg.Envelope.Alg, t.msg.Alg, t.msg.Issuer
	}
	if t.body != nil {
		e.Bytes = t.body.read
		if err := t.body.failure(); err != nil {
			e.Outcome, e.Reason, e.Err = sealjwt.OutcomeRefused, ReasonOf(err), err
		}
	}
	c.observer.Observe(r.Context(), e)
}

func traceOf(r *http.Request) *requestTrace {
	t, _ := r.Context().Value(traceKey{}).(*requestTrace)
	return t
}

// refused notes why r was refused, and logs it with its reason.
func (c *serverConfig) refused(r *http.Request, status int, err error) {
	if t := traceOf(r); t != nil {
		t.err, t.took = err, time.Since(t.start)
	}
	c.log.LogAttrs(r.Context(), slog.LevelInfo, "sealjwt: request refused",
		slog.String("reason", string(ReasonOf(err))), slog.Int("status", status),
		slog.String("path", clip(r.URL.Path)), slog.String("error", clip(err.Error())))
}

// accepted notes that r opened as msg, with its body (nil if none), and
// logs it at Debug.
func (c *serverConfig) accepted(r *http.Request, msg *sealjwt.Message, body io.ReadCloser) {
	if t := traceOf(r); t != nil {
		t.msg, t.took = msg, time.Since(t.start)
		t.body, _ = body.(*plainBody)
	}
	if !c.log.Enabled(r.Context(), slog.LevelDebug) {
		return // the common case: spare building the attributes
	}
	c.log.LogAttrs(r.Context(), slog.LevelDebug, "sealjwt: request accepted",
		slog.String("iss", msg.Issuer), slog.String("suite", string(msg.Envelope.Alg)),
		slog.String("sig", string(msg.Alg)), slog.String("path", clip(r.URL.Path)))
}

// observe reports e to the client's observer, if any.
func (t *Transport) observe(ctx context.Context, e sealjwt.Event) {
	if t.observer != nil {
		t.observer.Observe(ctx, e)
	}
}

// refreshForRetry refreshes the receiver's keys after a 422 and reports
// whether the request may be sent again.
func (t *Transport) refreshForRetry(ctx context.Context) bool {
	start := time.Now()
	err := t.keys.Refresh(ctx)
	t.observe(ctx, event(sealjwt.KindRetry, err, time.Since(start)))
	return err == nil
}

// fetchObserved is fetch, reported to the fetcher's observer, if any.
func (f *KeyFetcher) fetchObserved(ctx context.Context) error {
	start := time.Now()
	err := f.fetch(ctx)
	if f.observer != nil {
		e := event(sealjwt.KindKeyRefresh, err, time.Since(start))
		if e.Reason == sealjwt.ReasonInternal {
			e.Reason = sealjwt.ReasonUnavailable // the network or the server failed
		}
		f.observer.Observe(ctx, e)
	}
	return err
}
