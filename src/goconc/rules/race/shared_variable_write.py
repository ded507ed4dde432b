"""a variable every goroutine of a loop writes, with no lock

## What it does
Finds a variable (or a field reached from one) declared outside a loop that each goroutine the
loop starts assigns, increments or decrements (`err = e`, `found = true`, `n++`, `s.total += x`)
while nothing guards the writes.

## Why is this bad?
Every instance of the goroutine writes the same memory with nothing ordering the writes: a data
race. A counter loses increments; an `err` keeps whichever error came last (or a torn interface
value); a flag may never be seen by the reader. The race detector reports it only when a test
runs two of the goroutines at once.

## Example
```go
func checkAll(hosts []string) error {
	var err error
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e := ping(h); e != nil {
				err = e
			}
		}()
	}
	wg.Wait()
	return err
}
```

## Use instead
```go
func checkAll(ctx context.Context, hosts []string) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, h := range hosts {
		g.Go(func() error { return ping(ctx, h) })
	}
	return g.Wait() // the first error, without a shared variable
}
```
For a counter, use `sync/atomic` (`atomic.Int64`); otherwise guard the variable with a
`sync.Mutex`.

## Limitations
The same evidence as concurrent-map-write (GC7001): goroutine literals started in a loop, the
literal's own body, and quiet whenever a lock, a `Do`, a semaphore, a wait in the loop, an early
exit after the `go` statement or an errgroup limit that may be 1 could order the writes. A field
write is reported only when the field's type is known. Writes through a pointer (`*p = v`) and to
slice elements by index are not reported. Reads by the starting function while the goroutines
run are not looked at.
"""

from __future__ import annotations

from goconc.gomodel import named
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.race._shared import report_writes


_ATOMIC = {"int": "Int64", "int64": "Int64", "int32": "Int32", "uint64": "Uint64", "uint32": "Uint32",
           "uint": "Uint64", "bool": "Bool", "uintptr": "Uintptr"}


def _untyped(w):
    """The default type of an untyped constant a variable was declared with (`n := 0`)."""
    v = w.decl.value
    if w.target.type != "identifier" or v is None or w.decl.nvalues != 1:
        return None
    if v.type == "int_literal":
        return named("", "int")
    if v.type in ("true", "false"):
        return named("", "bool")
    return None


@rule(code="GC7003", name="shared-variable-write", severity=Severity.ERROR)
def check(ctx):
    def message(w):
        t = ctx.pkg.underlying(ctx.type_of(w.target)) or _untyped(w)
        if t is not None and t.kind == "named" and t.name == "error" and not t.pkg:
            fix = "collect the errors with an errgroup or a channel"
        elif t is not None and t.kind == "named" and not t.pkg and t.name in _ATOMIC:
            fix = f"use a sync/atomic {_ATOMIC[t.name]}, or guard it with a sync.Mutex"
        else:
            fix = "guard it with a sync.Mutex, or send the values over a channel"
        return f"{w.where} is written by every goroutine this loop starts, with no lock held: a data race; {fix}"

    return report_writes(ctx, "assign", message)
