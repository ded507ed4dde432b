"""a receive waits for a goroutine that may not send

## What it does
Finds a function that makes an unbuffered channel, starts one goroutine that sends a result on
it, and then waits with a plain receive (`<-ch`, not in a `select`), where the goroutine has a
path that returns without sending: an early `return` on an error, a `select` case or a
`default` that skips the send.

## Why is this bad?
The receive waits until someone sends or closes the channel. When the goroutine returns
without doing either, the function blocks forever, and its caller with it: a request that
never completes, a test that hangs until its timeout, a `Close` that never returns. The path
is usually the rare one (an error, a cancelled context), so tests that only take the happy
path do not see it.

## Example
```go
func load(path string) ([]byte, error) {
	ch := make(chan []byte)
	go func() {
		data, err := os.ReadFile(path)
		if err != nil {
			log.Print(err)
			return // load waits on <-ch forever
		}
		ch <- data
	}()
	return <-ch, nil
}
```

## Use instead
```go
func load(path string) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := os.ReadFile(path)
		ch <- result{data, err} // every path sends
	}()
	r := <-ch
	return r.data, r.err
}
```

## Fix safety
No automatic fix: whether the error should be sent, the channel closed or the receive given a
way out depends on what the caller needs.

## Limitations
The same channel shapes as `leaked-sender` (GC1002): a local unbuffered channel used only by
the function (one receive, not in a loop) and by one goroutine it starts once, not in a loop,
with `go func() { ... }()` (sends), never closed, passed or stored. The receive must be a plain
one (a `select` may have another way out). The goroutine's path must return
normally (not `panic`, `runtime.Goexit` or `t.Fatal`, which end the test or the program) and
must not report a test failure (`t.Error`), and a loop that sends is taken to run at least once.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.goroutine._chan import assigned_var, channel_uses, escape, reports_failure


@rule(code="GC1003", name="stranded-receiver", severity=Severity.ERROR, query="leaked_sender.scm")
def check(ctx):
    gf = ctx.file
    if b"make(chan" not in gf.src.replace(b" ", b"") or b"go " not in gf.src:
        return
    for call in ctx.captures().get("call", ()):
        got = _candidate(ctx, call)
        if got is not None:
            yield got


def _candidate(ctx, make_call):
    from goconc.gomodel import enclosing_function

    gf, pkg = ctx.file, ctx.pkg
    args = make_call.child_by_field_name("arguments")
    vals = [a for a in args.named_children if a.type != "comment"]
    if len(vals) > 2 or (len(vals) == 2 and not (vals[1].type == "int_literal" and gf.node_text(vals[1]) == "0")):
        return None
    var = assigned_var(make_call)
    decl = pkg.lookup(gf, var) if var is not None else None
    if decl is None or decl.how not in ("define", "var") or decl.func is None:
        return None
    fn = decl.func
    uses = channel_uses(ctx, fn, decl)
    if uses is None or len(uses.receives) != 1 or not uses.plain or len(uses.goroutines) != 1:
        return None
    lit, go_stmt = uses.goroutines[0]
    if _in_loop(go_stmt, fn) or _in_loop(uses.receives[0], fn):
        return None  # several goroutines, or a stream of values: counts are not checked
    cfg = ctx.analysis.cfg(gf, lit)
    if cfg is None:
        return None
    path = escape(cfg, cfg.entry, uses.sends)
    if path is None or reports_failure(ctx, path):
        return None
    last = path[-1].nodes[-1] if path[-1].nodes else None
    name = gf.node_text(var)
    recv = min(uses.receives, key=lambda n: n.start_byte)
    if enclosing_function(recv) != fn:
        return None
    go_line = go_stmt.start_point[0] + 1
    if last is not None and last.type == "return_statement":
        how = f"returns at line {last.start_point[0] + 1} without sending"
        related = [ctx.related(last, f"the goroutine returns here without sending to {name}")]
    else:
        how = "can finish without sending"
        related = []
    related.insert(0, ctx.related(go_stmt, "the goroutine that sends is started here"))
    return ctx.report(
        recv,
        f"<-{name} waits forever if the goroutine started at line {go_line} {how}: send on every "
        f"path (a result or the error), close {name} when done, or select on a way out",
        related=related,
    )


def _in_loop(node, fn) -> bool:
    p = node.parent
    while p is not None and p != fn:
        if p.type == "for_statement":
            return True
        if p.type == "func_literal":
            return False
        p = p.parent
    return False
