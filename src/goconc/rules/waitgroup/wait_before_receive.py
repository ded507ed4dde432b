"""wg.Wait() while its goroutines block sending to the caller

## What it does
Finds `wg.Wait()` (or an errgroup's `g.Wait()`) in a function that starts goroutines which
send on an unbuffered local channel before they call `wg.Done()` (or return, for `g.Go`), when
the function itself is the only receiver of that channel and receives from it only after the
Wait (or never).

## Why is this bad?
Each goroutine is stuck in its send: nobody receives until Wait returns, and Wait returns only
when every goroutine has called Done, after its send. The function and all the goroutines
block for good. With one goroutine it hangs every time; tests with a buffered channel or a
different order of statements hide it.

## Example
```go
func sizes(paths []string) []int64 {
	ch := make(chan int64)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- size(p)
		}()
	}
	wg.Wait()
	close(ch)
	var out []int64
	for s := range ch {
		out = append(out, s)
	}
	return out
}
```

## Use instead
```go
func sizes(paths []string) []int64 {
	ch := make(chan int64)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- size(p)
		}()
	}
	go func() {
		wg.Wait() // close once every sender is done, while the function receives
		close(ch)
	}()
	var out []int64
	for s := range ch {
		out = append(out, s)
	}
	return out
}
```
Or make the channel buffered with room for every result (`make(chan int64, len(paths))`).

## Limitations
The channel must be made unbuffered in a local variable and used only by the function (which
receives, ranges over it or closes it) and by goroutine literals it starts, which send on it
with plain sends on every path (a send in a `select` may give up). A goroutine is counted when
its literal defers `wg.Done()` or calls it after its send, on a WaitGroup the function waits on,
or when it is started by that WaitGroup's or errgroup's `Go`. The Wait must be reachable from
the `go` statement on a path that receives nothing from the channel; a loop that receives is
taken to run as often as needed. A goroutine started by name (`go worker(ch, &wg)`) is not
followed, nor a channel handed to anything else (another goroutine that receives makes the
shape correct, and is not reported).
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.queries import captures
from goconc.registry import rule
from goconc.rules._helpers import line_of
from goconc.rules.goroutine._chan import channel_uses, escape, path_to, unbuffered_local, waits_for


@rule(code="GC2005", name="waitgroup-wait-before-receive", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if b".Wait()" not in gf.src or b"make(chan" not in gf.src.replace(b" ", b""):
        return
    for call in captures(gf, "leaked_sender", None, package="goconc.rules.goroutine").get("call", ()):
        got = _candidate(ctx, call)
        if got is not None:
            yield got


def _candidate(ctx, make_call):
    gf = ctx.file
    got = unbuffered_local(ctx, make_call)
    if got is None:
        return None
    var, decl, fn = got
    uses = channel_uses(ctx, fn, decl, [])
    if uses is None or uses.select_sends or not uses.goroutines:
        return None
    cfg = ctx.analysis.cfg(gf, fn)
    if cfg is None or cfg.approximate:
        return None
    name = gf.node_text(var)
    for g in uses.goroutines:
        if g.body.type != "func_literal" or g.file is not gf:
            continue
        lit_cfg = ctx.analysis.cfg(gf, g.body)
        if lit_cfg is None or escape(lit_cfg, lit_cfg.entry, g.sends) is not None:
            continue  # may return without sending
        start = cfg.block_of(g.go_stmt)
        if start is None:
            continue
        for wait in waits_for(ctx, fn, g):
            path = path_to(cfg, start, g.go_stmt, wait, uses.receives)
            if path is None:
                continue
            send = min(g.sends, key=lambda n: n.start_byte)
            later = sorted((r for r in uses.receives if r.start_byte > wait.end_byte), key=lambda n: n.start_byte)
            recv = (f"received from only after the Wait (line {line_of(later[0])})" if later
                    else "nothing receives from it")
            wg = " ".join(gf.node_text(wait.child_by_field_name("function")).split())
            related = [ctx.related(send, f"the goroutine blocks here: nobody receives from {name} yet"),
                       ctx.related(make_call, f"{name} is made unbuffered here")]
            if later:
                related.append(ctx.related(later[0], f"{name} is received from only here"))
            return ctx.report(
                wait,
                f"{wg}() waits for the goroutine started at line {line_of(g.go_stmt)}, which first sends on {name}: "
                f"{name} is unbuffered and {recv}, so the send never completes, the goroutine never finishes "
                f"and this Wait blocks for good; receive from {name} while waiting (Wait and close in a "
                f"goroutine of their own), or make {name} buffered with room for every send",
                related=related,
            )
    return None
