package loopvar

import "testing"

func TestSumSquares(t *testing.T) {
	_ = SumSquares(8)
}
