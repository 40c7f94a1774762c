package replay_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sealjwt/sealjwt/replay"
)

func ExampleNewMemory() {
	store := replay.NewMemory(replay.WithCapacity(10000))
	ctx := context.Background()
	exp := time.Now().Add(5 * time.Minute) // the token's exp plus leeway

	fmt.Println(store.Check(ctx, "https://sender.example", "jti-42", exp))
	err := store.Check(ctx, "https://sender.example", "jti-42", exp)
	fmt.Println(errors.Is(err, replay.ErrReplayed))
	// Output:
	// <nil>
	// true
}
