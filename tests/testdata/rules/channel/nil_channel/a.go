package nil_channel

func square(i int) int { return i * i }

// The make went missing: every send and receive blocks for good.
func collect(n int) []int {
	var results chan int
	for i := 0; i < n; i++ {
		go func() {
			results <- square(i) // want `results is a nil channel: declared at line 7 without a value and never made, so this send blocks forever`
		}()
	}
	out := make([]int, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, <-results) // want `results is a nil channel: declared at line 7 .* so this receive blocks forever`
	}
	return out
}

// The make went to a shadowing variable.
func shadowed() {
	var done chan struct{}
	if true {
		done := make(chan struct{})
		close(done)
	}
	for range done { // want `done is a nil channel: declared at line 22 .* so this range blocks forever`
	}
	close(done) // want `so this close panics \(close of nil channel\)`
}

// Negative: made later.
func later() int {
	var ch chan int
	ch = make(chan int, 1)
	ch <- 1
	return <-ch
}

// Negative: a nil channel in a select disables its case on purpose.
func disabled(in chan int) int {
	var never chan int
	select {
	case v := <-in:
		return v
	case v := <-never:
		return v
	}
}

// Negative: handed to a function that may set it.
func handed(set func(*chan int)) int {
	var ch chan int
	set(&ch)
	return <-ch
}

// Negative: assigned by a closure.
func byClosure(n int) int {
	var ch chan int
	init := func() { ch = make(chan int, n) }
	init()
	ch <- n
	return <-ch
}
