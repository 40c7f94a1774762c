package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sealjwt/sealjwt/session"
)

// The revocation feed (session.RevocationFeed): a trigger on the families
// table records each family ended before its time in the revocations
// table and sends its id with NOTIFY, in the transaction that ended it.
// A subscriber LISTENs on a connection of its own, catches up from the
// table, and sends itself an empty notification every feedPing: without
// any notification for feedSilence, the feed counts as lost.
const (
	revocationsKept = session.MaxAccessTokenLifetime + time.Minute
	feedSilence     = time.Second
	feedPing        = feedSilence / 4
)

// WatchRevocations implements session.RevocationFeed.
func (s *Store) WatchRevocations(ctx context.Context, since time.Time, revoked func([]string)) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return unavailable(err)
	}
	conn := pc.Hijack() // LISTEN state must not return to the pool
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return unavailable(fmt.Errorf("listening for revocations: %w", err))
	}
	rows, err := conn.Query(ctx, inSchema(`SELECT family_id FROM {schema}.revocations WHERE at > $1`, s.schema), since)
	if err != nil {
		return unavailable(fmt.Errorf("catching up on revocations: %w", err))
	}
	missed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return unavailable(fmt.Errorf("catching up on revocations: %w", err))
	}
	revoked(missed)
	beat, stop := context.WithCancel(ctx)
	defer stop()
	go s.heartbeat(beat)
	for {
		wait, cancel := context.WithTimeout(ctx, feedSilence)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return unavailable(fmt.Errorf("revocation feed: %w", err))
		case n.Payload != "":
			revoked([]string{n.Payload})
		}
	}
}

// heartbeat sends an empty notification on the feed's channel every
// feedPing until ctx ends.
func (s *Store) heartbeat(ctx context.Context) {
	t := time.NewTicker(feedPing)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			beat, cancel := context.WithTimeout(ctx, feedPing)
			_, _ = s.pool.Exec(beat, "SELECT pg_notify($1, '')", s.channel)
			cancel()
		}
	}
}

var _ session.RevocationFeed = (*Store)(nil)
