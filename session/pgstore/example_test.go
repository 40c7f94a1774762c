package pgstore_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/session/pgstore"
	"github.com/sealjwt/sealjwt/token"
)

// Servers share sessions through PostgreSQL. The pool holds the
// concurrent store calls of one server, plus the connection that
// WithImmediateRevocation keeps for LISTEN; the timeouts stay below the
// Manager's store deadline (session.WithStoreTimeout, 1 s by default).
func ExampleNew() {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	cfg.MaxConns = 64 + 1 // concurrent refreshes and logins per server, plus one for revocations
	cfg.ConnConfig.ConnectTimeout = 500 * time.Millisecond
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = "1000" // ms: a statement stuck behind a lock ends
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store := pgstore.New(pool)
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	key, _ := token.GenerateKey(token.EdDSA)
	keys, _ := token.NewKeySet(key)
	m, err := session.NewManager("https://api.example", keys, session.WithStore(store), session.WithImmediateRevocation())
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	_ = m // mount its handlers, as session's Example for NewManager does
}
