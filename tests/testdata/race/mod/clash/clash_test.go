package clash

import (
	"os"
	"testing"
)

const goconcPackage = "mine" // the same name as goconc's leak check: the overlay cannot be added

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

func TestAdd(t *testing.T) {
	a, b := Add(1), Add(2)
	<-a
	<-b
	_ = goconcPackage
}
