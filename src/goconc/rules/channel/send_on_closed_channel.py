"""a send on a channel that is closed first

## What it does
Finds a send on a channel that is closed before the send can happen: in the same function,
a send reached when the channel is already closed on every path; or a goroutine that sends on
an unbuffered local channel which the function that started it closes (directly, or by a
deferred close when it returns) on a path where it never received from it: a timeout, an
error return, a `ctx.Done()` case.

## Why is this bad?
A send on a closed channel panics (`panic: send on closed channel`), and so does a goroutine
that is blocked sending when the channel is closed. When the function gives up waiting and
closes the channel to "clean up", the goroutine still working on its result crashes the whole
program the moment it tries to deliver it: a crash that only shows when the timeout fires.

## Example
```go
func fetch(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	defer close(ch)
	go func() {
		ch <- download(url)
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
```

## Use instead
```go
func fetch(ctx context.Context, url string) (string, error) {
	ch := make(chan string, 1) // the goroutine can always deliver, and exits
	go func() {
		ch <- download(url)
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
```
Leave closing to the sender: a receiver that closes a channel cannot know whether a send is
on its way.

## Limitations
The goroutine case needs an unbuffered channel made in a local variable, sent to only by
goroutines the function starts (a literal, or a function of the package handed the channel)
with plain sends on every path they can return by, received from only by the function
itself, and closed by it; a channel used any other way (passed elsewhere, stored, ranged
over) is not followed. The path to the close must not receive from the channel (a loop that
receives is taken to run as often as needed), nor report a test failure; `main` is never
reported. The same-function case uses GC4001's analysis of what is closed on every path.
A send in a test's function literal that is handed to another function (a panic checker) is
taken to provoke the panic on purpose.
"""

from __future__ import annotations

from goconc.gomodel import enclosing_function
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import line_of
from goconc.rules.channel._close import flows
from goconc.rules.goroutine._chan import (
    channel_uses,
    escape,
    is_main,
    left_through,
    path_to,
    reports_failure,
    short,
    unbuffered_local,
    waited_on,
)


@rule(code="GC4002", name="send-on-closed-channel", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if b"close(" not in gf.src:
        return
    for f in flows(ctx):
        for op, sites in f.sends:
            name = gf.node_text(op.chan)
            yield ctx.report(
                op.node,
                f"send on {name}, which is already closed{_at(sites)} on every path that reaches this send: "
                f"a send on a closed channel panics",
                related=[ctx.related(s, f"{name} closed here") for s in sites[:3]],
            )
    if b"go " in gf.src or b".Go(" in gf.src:
        from goconc.queries import captures

        for call in captures(gf, "leaked_sender", None, package="goconc.rules.goroutine").get("call", ()):
            got = _goroutine_send(ctx, call)
            if got is not None:
                yield got


def _at(sites) -> str:
    return f" (closed at line {line_of(sites[0])})" if sites else ""


def _goroutine_send(ctx, make_call):
    gf = ctx.file
    got = unbuffered_local(ctx, make_call)
    if got is None:
        return None
    var, decl, fn = got
    if is_main(ctx, fn):
        return None
    closes: list = []
    uses = channel_uses(ctx, fn, decl, closes)
    if uses is None or uses.select_sends or not closes or not uses.goroutines:
        return None
    cfg = ctx.analysis.cfg(gf, fn)
    if cfg is None or cfg.approximate:
        return None
    name = gf.node_text(var)
    for g in uses.goroutines:
        start = cfg.block_of(g.go_stmt)
        if start is None:
            continue
        lit_cfg = ctx.analysis.cfg(g.file, g.body)
        if lit_cfg is None or escape(lit_cfg, lit_cfg.entry, g.sends) is not None:
            continue  # the goroutine may return without sending
        for c in sorted(closes, key=lambda n: n.start_byte):
            found = _unreceived_path(cfg, start, g.go_stmt, c, uses.receives, fn)
            if found is None:
                continue
            path, ret = found
            if reports_failure(ctx, path) or waited_on(ctx, fn, g, path):
                continue  # a failed test, or a Wait that never returns (GC2005)
            send = min(g.sends, key=lambda n: n.start_byte)
            deferred = ret is not None
            how = (f"closes {name} with its deferred close at line {line_of(c)} when it returns at line "
                   f"{line_of(ret)}" if deferred else f"closes {name} at line {line_of(c)}")
            related = [ctx.related(make_call, f"{name} is made unbuffered here"),
                       ctx.related(c, f"{name} closed here")]
            if deferred:
                related.append(ctx.related(ret, f"returns without receiving from {name}"))
            case = left_through(path, ret or c)
            via = f" (through `case {short(gf.node_text(case))}` at line {line_of(case)})" if case is not None else ""
            msg = (f"panics (send on closed channel) if the function {how}{via} without having received "
                   f"from {name}: the send cannot complete before the close; let the sender close {name}, "
                   f"or make it buffered (make(chan T, 1)) and do not close it")
            if g.body.type != "func_literal":
                callee = " ".join(gf.node_text(g.go_stmt.named_children[0].child_by_field_name("function")).split())
                related.append(ctx.related(send, f"{callee} sends here"))
                return ctx.report(g.go_stmt, f"the goroutine running {callee} {msg}", related=related)
            return ctx.report(send, f"this goroutine's send on {name} {msg}", related=related)
    return None


def _unreceived_path(cfg, start, go_stmt, close, receives, fn):
    """A path from the go statement to the close that receives nothing from the channel: the
    blocks, and for a deferred close the return it runs at (None for a direct close)."""
    deferred = close.parent is not None and close.parent.type == "defer_statement" or enclosing_function(close) != fn
    if deferred:
        # the defer statement: `defer close(ch)`, or the one running the literal around the close
        reg = close.parent if enclosing_function(close) == fn else enclosing_function(close).parent.parent
        body = fn.child_by_field_name("body")
        if reg is None or reg.parent is None or not (reg.parent == body or reg.parent.parent == body):
            return None  # a conditional defer: which returns it covers is not clear

        def registered(b):  # the return comes after the defer statement, so it ran
            return bool(b.nodes) and b.nodes[-1].type == "return_statement" and b.nodes[-1].start_byte > reg.end_byte

        path = escape(cfg, start, receives, accept=registered)
        if path is None:
            return None
        return path, path[-1].nodes[-1]
    path = path_to(cfg, start, go_stmt, close, receives)
    return (path, None) if path is not None else None
