package redisstore_test

import (
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/session/redisstore"
	"github.com/sealjwt/sealjwt/token"
)

// Servers share sessions through Redis. The pool holds the concurrent
// store calls of one server, and the client's timeouts stay below the
// Manager's store deadline (session.WithStoreTimeout, 1 s by default), so
// that a server that does not answer costs one deadline, not the client's
// retries.
func ExampleNew() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"127.0.0.1:6379"}, // one address; several for Cluster, or MasterName for Sentinel
		PoolSize:              64,                         // concurrent refreshes and logins per server
		DialTimeout:           500 * time.Millisecond,
		ReadTimeout:           500 * time.Millisecond,
		WriteTimeout:          500 * time.Millisecond,
		ContextTimeoutEnabled: true, // give up at the Manager's deadline, not later
	})
	defer client.Close()
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}

	key, _ := token.GenerateKey(token.EdDSA)
	keys, _ := token.NewKeySet(key)
	m, err := session.NewManager("https://api.example", keys, session.WithStore(store))
	if err != nil {
		log.Fatal(err)
	}
	_ = m // mount its handlers, as session's Example for NewManager does
}
