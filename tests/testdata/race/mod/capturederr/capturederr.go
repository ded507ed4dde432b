// Package capturederr shares one err variable between a goroutine and its caller.
package capturederr

// FetchBoth calls a and b concurrently and adds their results.
func FetchBoth(a, b func() (int, error)) (int, error) {
	var (
		x, y int
		err  error
	)
	done := make(chan struct{})
	go func() {
		x, err = a() // writes the caller's err
		close(done)
	}()
	y, err = b()
	<-done
	if err != nil {
		return 0, err
	}
	return x + y, nil
}
