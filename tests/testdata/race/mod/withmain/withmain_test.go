package withmain_test

import (
	"os"
	"testing"

	"example.com/racefix/withmain"
)

var setUp bool

func TestMain(m *testing.M) {
	setUp = true
	os.Exit(m.Run())
}

func TestWatch(t *testing.T) {
	if !setUp {
		t.Fatal("TestMain did not run")
	}
	ch := withmain.Watch(make(chan struct{}))
	<-ch
}
