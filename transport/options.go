package transport

import (
	"log/slog"

	"github.com/sealjwt/sealjwt"
)

// The settings that more than one constructor has keep one name: each of
// these options is accepted by every constructor that honours it, and by
// no other.

// RecordOption configures a Transport (the sending side) and the Server
// middleware alike.
type RecordOption interface {
	ClientOption
	ServerOption
}

// WithRecordSize sets the plaintext size of the records this side writes
// (default 16 KiB, at most record.MaxRecordSize): request bodies for a
// Transport, responses for the Server. Larger records need a peer
// configured to accept them (WithMaxRecordSize).
func WithRecordSize(n int) RecordOption { return recordSize(n) }

type recordSize int

func (n recordSize) applyClient(t *Transport)    { t.recordSize = int(n) }
func (n recordSize) applyServer(c *serverConfig) { c.recordSize = int(n) }

// WithMaxRecordSize sets the largest record this side accepts (default
// 16 KiB, at most record.MaxRecordSize), checked before allocation:
// responses for a Transport, request bodies for the Server.
func WithMaxRecordSize(n int) RecordOption { return maxRecordSize(n) }

type maxRecordSize int

func (n maxRecordSize) applyClient(t *Transport)    { t.maxRecordSize = int(n) }
func (n maxRecordSize) applyServer(c *serverConfig) { c.maxRecordSize = int(n) }

// ObserverOption configures a Transport, the Server middleware and a
// KeyFetcher alike.
type ObserverOption interface {
	ClientOption
	ServerOption
	FetcherOption
}

// WithObserver reports outcomes to o, each as one sealjwt.Event:
//   - the Server, every request it handles, as sealjwt.KindRequest when
//     the request ends: refused with its reason, or accepted with the
//     decrypted body bytes the handler read. A request body that fails to
//     authenticate while the handler reads it (a tampered or truncated
//     stream) is reported as refused. The Opener's own observer
//     (sealjwt.WithObserver) is not told of these requests, so each is
//     counted once;
//   - a Transport, each response as sealjwt.KindResponse (refused when it
//     failed to authenticate), and each 422 answer as sealjwt.KindRetry
//     (accepted when the keys were refreshed and the request sent again);
//   - a KeyFetcher, each key set fetch as sealjwt.KindKeyRefresh.
//
// nil means no reports.
func WithObserver(o sealjwt.Observer) ObserverOption { return observer{o} }

type observer struct{ o sealjwt.Observer }

func (o observer) applyClient(t *Transport)    { t.observer = o.o }
func (o observer) applyServer(c *serverConfig) { c.observer = o.o }
func (o observer) applyFetcher(f *KeyFetcher)  { f.observer = o.o }

// LoggerOption configures the Server middleware and a KeyFetcher alike.
type LoggerOption interface {
	ServerOption
	FetcherOption
}

// WithLogger sets where the Server logs refused requests, with their
// reason (the client never sees it), and where a KeyFetcher logs failed
// refreshes (default, and for nil: nowhere).
func WithLogger(l *slog.Logger) LoggerOption {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logger{l}
}

type logger struct{ l *slog.Logger }

func (l logger) applyServer(c *serverConfig) { c.log = l.l }
func (l logger) applyFetcher(f *KeyFetcher)  { f.log = l.l }
