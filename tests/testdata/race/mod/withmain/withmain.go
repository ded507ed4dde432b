// Package withmain has its own TestMain; its worker leaks.
package withmain

// Watch starts a watcher that reports changes on the returned channel until stop is closed.
// The caller in the test never closes stop.
func Watch(stop <-chan struct{}) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; ; i++ {
			select {
			case out <- i:
			case <-stop:
				return
			}
		}
	}()
	return out
}
