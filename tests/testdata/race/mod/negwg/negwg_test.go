package negwg

import (
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	Run([]func(){func() {}})
	time.Sleep(100 * time.Millisecond) // the second Done runs after Wait has returned
}
