// Command main: returning from main ends the process, so no goroutine is left behind.
package main

import (
	"fmt"
	"time"
)

func work() int { return 1 }

func main() {
	ch := make(chan int)
	go func() { ch <- work() }()
	select {
	case v := <-ch:
		fmt.Println(v)
	case <-time.After(time.Second):
		fmt.Println("timeout")
		return
	}
}
