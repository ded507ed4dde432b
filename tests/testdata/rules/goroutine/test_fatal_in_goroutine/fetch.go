// Package test_fatal_in_goroutine holds GC1001 fixtures; the cases are in the _test.go files.
package test_fatal_in_goroutine

import "errors"

var errFetch = errors.New("fetch failed")

func fetch() (string, error) { return "", errFetch }
