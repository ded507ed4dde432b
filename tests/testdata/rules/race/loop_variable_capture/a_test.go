package loopvarfix

import "testing"

func TestJobs(t *testing.T) {
	cases := []Job{{"a"}, {"b"}}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			tc.Run() // want `tc is the variable of the loop at line 7, .* this parallel subtest runs after the loop moves on`
		})
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			tc.Run() // not parallel: runs within the iteration
		})
	}
}

func TestCopiedBeforeParallel(t *testing.T) {
	for _, n := range []int{1, 10} {
		t.Run("n", func(t *testing.T) {
			n := n // runs in the iteration: t.Run waits until t.Parallel()
			t.Parallel()
			_ = n
		})
	}
}
