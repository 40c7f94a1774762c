// Package storetest is the conformance suite every
// [github.com/sealjwt/sealjwt/session.Store] runs: the rules of the Store
// documentation, under concurrency, across store instances sharing one
// backend, and with the backend gone. The memory, Redis and PostgreSQL
// stores all pass it.
//
// A store's test calls [Run] with a constructor of fresh, empty stores,
// and [Options] saying what the store shares beyond one instance:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) session.Store { return newStore(t) }, storetest.Options{})
//	}
//
// [Faults] runs the fault cases against a store whose backend sits behind
// a fault proxy ([Faulty]): a stopped backend and a paused path (no
// answer), a reply lost after the commit, a client library sending one
// command twice, a backend restart; honest clients must never be refused,
// every 503 must come within the deadline, and no family may ever have two
// live successors. [HTTP] plays a stolen refresh token's replay through a
// real HTTPS server; [ImmediateRevocation] measures how long a revocation
// takes to reach a second server (at most [RevocationBound]); [RoundTrips]
// counts a rotation's round trips and [Bench] measures a store.
package storetest
