package loopwrites

import (
	"fmt"
	"testing"
)

func words(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("word-%d", i)
	}
	return out
}

func TestUpper(t *testing.T) { _ = Upper(words(200)) }

func TestLong(t *testing.T) { _ = Long(words(200), 6) }
