"""a goroutine left blocked sending to a receiver that left

## What it does
Finds a function that makes an unbuffered channel, starts a goroutine that sends its result on
it, and then has a path on which it returns without receiving from the channel: a `select`
whose other case (a timeout, `ctx.Done()`, a quit channel) returns, or an early `return`
between the `go` statement and the receive.

## Why is this bad?
A send on an unbuffered channel completes only when someone receives. Once the function has
returned, nobody will: the goroutine blocks on its send forever, with everything it
references (buffers, connections, the request). Under load every timed-out call leaks one more
goroutine, until memory runs out. This is one of the most common blocking bugs in real Go code,
fixed by hand again and again (moby#40994, gvisor#2817, cadvisor#2549 among many), and neither
the compiler, go vet nor the race detector reports it.

## Example
```go
func fetch(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- download(url) // blocks forever once fetch has returned on ctx.Done()
	}()
	select {
	case body := <-ch:
		return body, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
```

## Use instead
```go
func fetch(ctx context.Context, url string) (string, error) {
	ch := make(chan string, 1) // the send always completes, received or not
	go func() {
		ch <- download(url)
	}()
	select {
	case body := <-ch:
		return body, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
```
or let the goroutine give up too: `select { case ch <- v: case <-ctx.Done(): }`.

## Fix safety
No automatic fix: a buffer of one is right for one send, not for a goroutine that sends
several values, and the caller may rely on the hand-off.

## Limitations
The channel must be a local variable made in the function with no capacity (or a constant 0),
assigned once, and used only by the function itself (receives in its own body) and by
goroutines it starts with `go func() { ... }()`, `go func(out chan<- T) { ... }(ch)` or
`go worker(ch)` / `go s.worker(ch)` (a function or method of the package that the call graph
resolves, whose parameter is used only to send, in its own body), or `g.Go(func() error {...})`
of an `errgroup.Group` or a `sync.WaitGroup`, with plain sends, not in a `select`. A channel
that is passed to a call, stored, returned, closed by the function, ranged over, or used by any
other closure is not checked. The goroutine must send on every path it can return by (one that may send
to another channel instead is not sure to block). The function's path must end in an explicit
`return` (falling off the end, `t.Fatal`, `panic` or `os.Exit` are not reported), must not
report a test failure (`t.Error`, `t.Fatal`, `FailNow`, ... in a test, Ginkgo's `Fail`), and
`main` is never reported (its return ends the process). A loop
that receives while its condition holds is taken to run as often as the goroutines were
started, so leaving it through its condition does not count; nor does a `return` inside such a
loop that is not a `select` case (`for { if n == len(items) { return } ... <-ch }` counts too);
a `select` case that returns does.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.goroutine._chan import (
    channel_uses,
    escape,
    in_receiving_loop,
    is_main,
    left_through,
    short,
    reports_failure,
    unbuffered_local,
    waited_on,
)



@rule(code="GC1002", name="leaked-sender", severity=Severity.ERROR, query="leaked_sender.scm")
def check(ctx):
    gf = ctx.file
    if b"make(chan" not in gf.src.replace(b" ", b"") or (b"go " not in gf.src and b".Go(" not in gf.src):
        return
    for call in ctx.captures().get("call", ()):
        got = _candidate(ctx, call)
        if got is not None:
            yield got


def _candidate(ctx, make_call):
    gf = ctx.file
    got = unbuffered_local(ctx, make_call)
    if got is None:
        return None
    var, decl, fn = got  # fn: the function (declaration or literal) the channel is local to
    if is_main(ctx, fn):
        return None  # returning from main ends the process, and every goroutine with it
    uses = channel_uses(ctx, fn, decl)
    if uses is None or uses.select_sends:
        return None  # a send in a select may give up
    sends, receives, lits = uses.sends, uses.receives, uses.goroutines
    if not sends or not receives:
        return None
    cfg = ctx.analysis.cfg(gf, fn)
    if cfg is None:
        return None
    for g in lits:
        lit, go_stmt = g.body, g.go_stmt
        start = cfg.block_of(go_stmt)
        if start is None:
            continue
        path = escape(cfg, start, receives)
        if path is None or reports_failure(ctx, path) or waited_on(ctx, fn, g, path):
            continue
        ret = path[-1].nodes[-1] if path[-1].nodes else None
        if ret is None or ret.type != "return_statement":
            continue  # falling off the end after a timeout: what happens next is not clear enough
        case = left_through(path, ret)
        if case is None and in_receiving_loop(ret, receives, fn):
            continue  # a return inside the receiving loop, not through a select case: a count we cannot see
        lit_cfg = ctx.analysis.cfg(g.file, lit)
        if lit_cfg is None or escape(lit_cfg, lit_cfg.entry, g.sends) is not None:
            continue  # the goroutine may return without sending (to another channel, say): no sure leak
        send = min(g.sends, key=lambda n: n.start_byte)
        name = gf.node_text(var)
        where = f"returns at line {ret.start_point[0] + 1}"
        via = f" (through `case {short(gf.node_text(case))}` at line {case.start_point[0] + 1})" \
            if case is not None else ""
        related = [ctx.related(make_call, f"{name} is made unbuffered here"),
                   ctx.related(ret, f"returns without receiving from {name}")]
        if lit.type != "func_literal":  # `go worker(ch)`: reported at the go statement
            callee = " ".join(gf.node_text(go_stmt.named_children[0].child_by_field_name("function")).split())
            related.append(ctx.related(send, f"{callee} sends here"))
            return ctx.report(
                go_stmt,
                f"the goroutine running {callee} blocks forever on its send to {name} if the function "
                f"{where} without receiving from {name}{via}: make {name} buffered (make(chan T, 1)) so "
                "the send always completes, or select on a done channel in the goroutine",
                related=related,
            )
        return ctx.report(
            send,
            f"this goroutine blocks forever on its send to {name} if the function {where} without "
            f"receiving from {name}{via}: make {name} buffered (make(chan T, 1)) so the send always "
            "completes, or select on a done channel in the goroutine",
            related=related,
        )
    return None
