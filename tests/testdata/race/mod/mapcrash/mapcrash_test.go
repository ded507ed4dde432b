package mapcrash

import (
	"fmt"
	"testing"
)

func TestTally(t *testing.T) {
	var chunks [][]string
	for g := 0; g < 64; g++ {
		var words []string
		for i := 0; i < 100000; i++ {
			words = append(words, fmt.Sprint(i%50))
		}
		chunks = append(chunks, words)
	}
	_ = Tally(chunks)
}
