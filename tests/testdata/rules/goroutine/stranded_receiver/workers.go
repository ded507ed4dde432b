package stranded_receiver

import (
	"errors"
	"os"
)

// The goroutine runs a function of the package that returns without sending on an error.

func readInto(path string, out chan<- []byte) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	out <- data
}

func loadWorker(path string) []byte {
	ch := make(chan []byte)
	go readInto(path, ch)
	return <-ch // want `<-ch waits forever if the goroutine started at line 20 \(readInto\) returns at workers.go:13 without sending`
}

// Negatives: the worker sends on every path (the error too), or the return depends only on
// what the caller passed (which it may have checked), or two goroutines send.

type result struct {
	data []byte
	err  error
}

func readResult(path string, out chan<- result) {
	data, err := os.ReadFile(path)
	if err != nil {
		out <- result{err: err}
		return
	}
	out <- result{data: data}
}

func sendUnlessEmpty(path string, out chan<- string) {
	if path == "" {
		return
	}
	out <- path
}

func workerNegatives(path string) error {
	a := make(chan result)
	go readResult(path, a)
	r := <-a
	if path == "" {
		return errors.New("empty")
	}
	b := make(chan string)
	go sendUnlessEmpty(path, b)
	<-b
	c := make(chan []byte)
	go readInto(path, c)
	go readInto(path+".bak", c)
	<-c
	return r.err
}
