// Package clash races, and its tests declare a name goconc's leak check also uses: goconc must
// test it without the leak check rather than fail to build it.
package clash

// Total is updated by every goroutine without a lock.
var Total int

// Add adds n to Total in a new goroutine and returns a channel closed when it is done.
func Add(n int) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		Total += n
		close(done)
	}()
	return done
}
