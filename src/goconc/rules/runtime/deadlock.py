"""goroutines blocked for good: a test timeout, or all asleep

## What it does
When a test binary hits its `-timeout`, Go prints every goroutine and exits; when every goroutine
of a program is blocked, the runtime aborts with `all goroutines are asleep - deadlock!`.
`goconc race` groups the goroutines of that dump by where they wait and on what (channel send or
receive, select, `sync.Mutex.Lock`, `sync.WaitGroup.Wait`, ...), the way panicparse does, and
reports each group at the user code where it waits, with the sites that started them.

## Why is this bad?
A deadlocked test shows up in CI as a job that hangs for ten minutes and then a wall of stacks.
The grouped findings say which goroutines wait on what, which is where the cycle is: two groups
in `sync.Mutex.Lock` at the same line usually mean two locks taken in opposite orders.

## Example
```go
func Transfer(from, to *Account, amount int) {
	from.mu.Lock()
	defer from.mu.Unlock()
	to.mu.Lock() // Transfer(a, b) and Transfer(b, a) at once: each holds what the other wants
	defer to.mu.Unlock()
	from.balance -= amount
	to.balance += amount
}
```

## Use instead
```go
func Transfer(from, to *Account, amount int) {
	first, second := from, to
	if second.id < first.id { // one global order for every pair of locks
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	from.balance -= amount
	to.balance += amount
}
```

## Limitations
A goroutine waiting on I/O, a timer or a syscall is not reported (it may still be woken). The
test timeout (`--timeout`, 3m by default) bounds how long a deadlock takes to show; lower it for
packages whose tests are fast. A deadlock that a test never reaches is not seen.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC9002", name="deadlock", severity=Severity.ERROR, dynamic=True)
def check(ctx):
    """Reported by `goconc race` from a test timeout's goroutine dump, or the runtime's deadlock abort."""
    return ()
