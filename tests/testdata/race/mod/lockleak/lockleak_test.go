package lockleak

import "testing"

func TestAddDuplicate(t *testing.T) {
	r := New()
	if err := r.Add("a"); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("a"); err == nil {
		t.Fatal("duplicate accepted")
	}
	if err := r.Add("b"); err != nil {
		t.Fatal(err)
	}
}
