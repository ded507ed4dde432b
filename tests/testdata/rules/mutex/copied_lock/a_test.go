package copied_lock

import "testing"

// testing.T holds a lock, but its struct is declared in another package.
func helperByValue(t testing.T) { // todo-want `passes lock by value`
	t.Log("copied")
}

func TestCounter(t *testing.T) {
	var c Counter
	c.Add()
	if got := c.Value(); got != 1 {
		t.Fatalf("got %d", got)
	}
	d := c // want `assignment copies lock value to d: Counter contains sync.Mutex`
	if d.n != 1 {
		t.Fatal("copy")
	}
	_ = helperByValue
}
