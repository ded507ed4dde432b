package copied_lock

import (
	"fmt"
	"sync"
)

// A local variable called sync hides the package.
type fakeSync struct {
	Mutex     int
	WaitGroup string
}

func localSync() int {
	sync := fakeSync{Mutex: 1}
	m := sync.Mutex
	w := sync.WaitGroup
	return m + len(w)
}

// Parameter names are scoped to the body, so the type still names the package.
func paramNamedSync(sync *sync.Mutex) {
	c := *sync // want `assignment copies lock value to c: sync.Mutex`
	fmt.Println(&c)
}

// A local mu hides the field and the package-level lock.
var mu sync.Mutex

type Account struct {
	mu      sync.Mutex
	balance int
}

func (a *Account) shadowed() int {
	mu := a.balance
	other := mu
	return other
}

func shadowGlobal() int {
	mu := 3
	m := mu
	return m
}

func copyGlobal() {
	m := mu // want `assignment copies lock value to m: sync.Mutex`
	fmt.Println(&m)
}

// A parameter hides a package-level lock-holding variable of the same name.
func hideGlobal(global int) int {
	g := global
	return g
}

// A closure's own variable hides the outer one.
func closureShadow(a *Account) func() int {
	mu := &a.mu
	mu.Lock()
	defer mu.Unlock()
	return func() int {
		mu := 1
		n := mu
		return n
	}
}

// A type switch alias.
func typeSwitch(v any) {
	switch x := v.(type) {
	case *Account:
		y := *x // want `assignment copies lock value to y: Account contains sync.Mutex`
		fmt.Println(&y)
	case Account: // the interface already holds a copy; reading it copies again
		fmt.Println(x.balance)
	}
}
