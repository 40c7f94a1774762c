package redisstore_test

import (
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay/redisstore"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// Receivers on several machines share one replay store: a message any of
// them accepted is a replay for all the others. ClientOptions sets the
// client's timeouts, retry and pool for checks that answer within 1 s.
func ExampleNew() {
	client := redis.NewClient(redisstore.ClientOptions(&redis.Options{Addr: "127.0.0.1:6379"}))
	defer client.Close()

	key, _ := seal.GenerateKey(seal.DefaultAlg)
	keys, _ := seal.NewKeySet(key)
	verifier, _ := token.NewVerifier("ledger")
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	opener, err := sealjwt.NewOpener(keys, verifier, sealjwt.WithReplayStore(store))
	if err != nil {
		log.Fatal(err)
	}
	_ = opener // serve it, as package transport's Example does
}
