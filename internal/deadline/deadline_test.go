package deadline_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/deadline"
)

// A call whose client ignores its context (a paused server, a library
// that keeps retrying) still gets its answer at the deadline, and the
// late answer reaches late.
func TestFaultCallIgnoringItsContextAnswersAtTheDeadline(t *testing.T) {
	release := make(chan struct{})
	late := make(chan int, 1)
	start := time.Now()
	_, err := deadline.Call(context.Background(), 50*time.Millisecond, func(context.Context) (int, error) {
		<-release
		return 7, nil
	}, func(v int, err error) { late <- v })
	if !errors.Is(err, deadline.ErrNoAnswer) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrNoAnswer and context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("answered after %v, want about 50ms", d)
	}
	close(release)
	select {
	case v := <-late:
		if v != 7 {
			t.Fatalf("late got %d, want 7", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the late answer never reached late")
	}
}

func TestCallInTimeReturnsTheAnswer(t *testing.T) {
	v, err := deadline.Call(context.Background(), time.Second, func(context.Context) (int, error) { return 3, nil },
		func(int, error) { t.Error("late called for an answer in time") })
	if v != 3 || err != nil {
		t.Fatalf("got %d, %v; want 3, nil", v, err)
	}
}
