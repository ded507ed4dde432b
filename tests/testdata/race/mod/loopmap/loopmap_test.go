package loopmap

import (
	"fmt"
	"testing"
)

func TestLengths(t *testing.T) {
	words := make([]string, 50)
	for i := range words {
		words[i] = fmt.Sprintf("word-%d", i)
	}
	_ = Lengths(words)
}
