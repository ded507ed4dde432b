package closedchan

import (
	"testing"
	"time"
)

func TestProduce(t *testing.T) {
	for range Produce(2) {
	}
	time.Sleep(50 * time.Millisecond)
}
