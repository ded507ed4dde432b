package send_on_closed_channel

import "testing"

// A test that provokes the panic on purpose, through a checker.
func mustPanic(t *testing.T, f func()) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	f()
}

func TestSendOnClosed(t *testing.T) {
	mustPanic(t, func() {
		ch := make(chan int, 1)
		close(ch)
		ch <- 1
	})
}
