"""a goroutine still blocked after the package's tests ended

## What it does
After a package's tests pass, `goconc race` looks at the goroutines still alive (through a file
added with `go test -overlay`; your tree is never written). With the runtime's `goroutineleak`
profile (Go 1.27, or Go 1.26 with `--leak-profile`) the garbage collector proves that a goroutine
can never run again; without it, goconc reports goroutines of your code still blocked on a
channel or a sync primitive after a settling time (`--settle`, 1 s), as go.uber.org/goleak does.

## Why is this bad?
Each leaked goroutine keeps its stack and everything it references alive forever. In a server
they pile up, one per request, until memory runs out; and the leak lets every test pass.

## Example
```go
func FirstResult(ctx context.Context, query func() int) (int, error) {
	ch := make(chan int)
	go func() { ch <- query() }() // blocks forever once FirstResult has returned
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
```

## Use instead
```go
func FirstResult(ctx context.Context, query func() int) (int, error) {
	ch := make(chan int, 1) // the send always completes, received or not
	go func() { ch <- query() }()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
```

## Limitations
Without the leak profile, a goroutine that is merely slow to finish after the settling time is
reported too; goroutines waiting on I/O, timers or syscalls (a background server a test left
running) are not. A package whose TestMain does not call `m.Run()` itself is not checked (a note
says so with `--verbose`). A test binary that crashed or timed out is not checked for leaks.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC9003", name="goroutine-leak", severity=Severity.WARNING, dynamic=True)
def check(ctx):
    """Reported by `goconc race` from the leak check it adds to each test package."""
    return ()
