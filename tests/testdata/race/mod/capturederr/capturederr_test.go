package capturederr

import "testing"

func TestFetchBoth(t *testing.T) {
	one := func() (int, error) { return 1, nil }
	if got, err := FetchBoth(one, one); err != nil || got != 2 {
		t.Fatalf("FetchBoth = %d, %v", got, err)
	}
}
