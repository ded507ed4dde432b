package leak

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFirstResultTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	slow := func() int {
		time.Sleep(30 * time.Millisecond)
		return 1
	}
	if _, err := FirstResult(ctx, slow); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}
