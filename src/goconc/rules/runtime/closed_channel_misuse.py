"""a send on a closed channel, or a channel closed twice

## What it does
Reports the runtime panics `send on closed channel`, `close of closed channel` and `close of nil
channel` at the user code of the goroutine that panicked, with the site that started it.

## Why is this bad?
Closing a channel tells receivers that no more values will come. A sender that was not told
panics, and so does a second close; the panic ends the program unless recovered.

## Example
```go
go func() {
	time.Sleep(5 * time.Millisecond)
	close(out) // producers may still be sending
}()
```

## Use instead
```go
var wg sync.WaitGroup
for i := 0; i < n; i++ {
	wg.Add(1)
	go func(v int) {
		defer wg.Done()
		out <- v
	}(i)
}
go func() {
	wg.Wait() // close once every sender is done: the senders' owner closes
	close(out)
}()
```

## Limitations
Only panics that happen during the tests are seen.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC9005", name="closed-channel-misuse", severity=Severity.ERROR, dynamic=True)
def check(ctx):
    """Reported by `goconc race` and `goconc explain` from the runtime's panic."""
    return ()
