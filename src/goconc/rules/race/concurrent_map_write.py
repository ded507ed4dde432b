"""a map every goroutine of a loop writes, with no lock

## What it does
Finds a map that each goroutine started by a loop writes (`m[k] = v`, `m[k]++`, `delete(m, k)`)
when the map is declared outside the loop (a local of the function, or a field reached from one)
and nothing guards the writes.

## Why is this bad?
Go maps are not safe for concurrent writes. Two goroutines writing one map at once is a data
race, and the runtime detects it on its own and stops the whole program with `fatal error:
concurrent map writes`, which no `recover` can catch. The crash shows up under load, long after
the tests passed with a handful of items.

## Example
```go
func sizes(paths []string) map[string]int64 {
	out := make(map[string]int64)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if fi, err := os.Stat(p); err == nil {
				out[p] = fi.Size()
			}
		}()
	}
	wg.Wait()
	return out
}
```

## Use instead
```go
func sizes(paths []string) map[string]int64 {
	out := make(map[string]int64)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if fi, err := os.Stat(p); err == nil {
				mu.Lock()
				out[p] = fi.Size()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}
```
Or send the results over a channel to one goroutine that fills the map.

## Limitations
Only goroutine literals started in a loop (`go func() {...}()`, errgroup's and WaitGroup's
`Go(func...)`), and only the writes of the literal's own body (not of a function it calls, nor of
a literal inside it). It stays quiet for the whole goroutine when anything may guard or order
the writes: the goroutine calls anything named like a lock (`Lock`, `RLock`, `s.lock()`,
`withLock`) or a `Do` (sync.Once), or takes and gives back a semaphore channel; the loop waits
after starting it (a `Wait`, a receive, a `select`, a lock), sends on a channel before it, or
leaves right after it; or it is an errgroup whose limit may be 1. A map declared in the loop is
one per iteration and is not reported. The map must be visibly a map (its type known from the
source); a `sync.Map` is not one.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.race._shared import report_writes


@rule(code="GC7001", name="concurrent-map-write", severity=Severity.ERROR)
def check(ctx):
    return report_writes(ctx, "map", lambda w: (
        f"map {w.where} is written by every goroutine this loop starts, with no lock held: concurrent map "
        f"writes crash the program (fatal error: concurrent map writes); guard {w.where} with a sync.Mutex, "
        f"or send the results to one goroutine that writes the map"))
