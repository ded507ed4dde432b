"""append to a slice every goroutine of a loop shares, unlocked

## What it does
Finds `s = append(s, x)` in a goroutine started by a loop, when `s` (a local of the function, or
a field reached from one) is declared outside the loop and nothing guards the append.

## Why is this bad?
`append` reads the slice header, may write the shared backing array and writes the header back.
Two goroutines doing it at once is a data race: results are lost or overwritten without any
error, and `go test -race` reports it only when a test happens to run two of them together.

## Example
```go
func fetchAll(ctx context.Context, urls []string) []Page {
	var pages []Page
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p, err := fetch(ctx, u); err == nil {
				pages = append(pages, p)
			}
		}()
	}
	wg.Wait()
	return pages
}
```

## Use instead
```go
func fetchAll(ctx context.Context, urls []string) []Page {
	pages := make([]Page, len(urls)) // each goroutine writes its own element
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p, err := fetch(ctx, u); err == nil {
				pages[i] = p
			}
		}()
	}
	wg.Wait()
	return pages
}
```
Or guard the append with a `sync.Mutex`, or collect the results over a channel.

## Limitations
The same evidence as concurrent-map-write (GC7001): goroutine literals started in a loop, the
literal's own body, and quiet whenever a lock, a `Do`, a semaphore, a wait in the loop, an early
exit after the `go` statement or an errgroup limit that may be 1 could order the appends. Writing
each goroutine's own index of a slice made before the loop is the safe shape and is not reported.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.race._shared import report_writes


@rule(code="GC7002", name="concurrent-append", severity=Severity.ERROR)
def check(ctx):
    return report_writes(ctx, "append", lambda w: (
        f"append to {w.where} from every goroutine this loop starts, with no lock held: a data race on the "
        f"slice, and appended items get lost; guard it with a sync.Mutex, or give each goroutine its own "
        f"index of a slice made before the loop"))
