"""the runtime aborted: a map was used by goroutines at once

## What it does
Reports the runtime's fatal errors `concurrent map writes`, `concurrent map read and map write`,
`concurrent map iteration and map write` and `concurrent map clone and map write`, at the user
code of the goroutine that detected them, with the site that started that goroutine.

## Why is this bad?
Go maps are not safe for concurrent use. The runtime detects some misuse on a best-effort basis
and then kills the whole process with a fatal error that `recover` cannot catch.

## Example
```go
counts := map[string]int{}
for _, chunk := range chunks {
	go func(words []string) {
		for _, w := range words {
			counts[w]++ // every goroutine writes the same map
		}
	}(chunk)
}
```

## Use instead
```go
var mu sync.Mutex
counts := map[string]int{}
for _, chunk := range chunks {
	go func(words []string) {
		local := map[string]int{}
		for _, w := range words {
			local[w]++
		}
		mu.Lock()
		for w, n := range local {
			counts[w] += n
		}
		mu.Unlock()
	}(chunk)
}
```

## Limitations
The runtime's check is best effort: it sees a conflict only when two accesses overlap in time.
The race detector (`data-race`) finds the same bug more reliably; both run under `goconc race`.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC9004", name="concurrent-map-access", severity=Severity.ERROR, dynamic=True)
def check(ctx):
    """Reported by `goconc race` and `goconc explain` from the runtime's fatal error."""
    return ()
