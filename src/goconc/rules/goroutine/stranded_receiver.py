"""a receive waits for a goroutine that may not send

## What it does
Finds a function that makes an unbuffered channel, starts one goroutine that sends a result on
it, and then waits with a plain receive (`<-ch`, not in a `select`), where the goroutine has a
path that returns without sending: an early `return` decided by something the goroutine
computed (an error it got, a result it checked), or a `select` whose `case <-ctx.Done()`
returns instead of sending, while the function's own receive does not look at the context.

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
with `go func() { ... }()`, `go func(out chan<- T) { ... }(ch)` or `go worker(ch)` (a function
or method of the package that the call graph resolves, whose parameter is used only to send
in its own body), never closed, passed on or stored. The receive must be a plain
one (a `select` may have another way out). The goroutine's path must return
through an explicit `return` after an `if` on a variable the goroutine declares (a condition
the function may have tested too is not trusted, nor one on the started function's
parameters, which the caller passed), or through a select's `case <-ctx.Done()` on a
`context.Context` (not one the function makes with `Background()`, `TODO()`,
`WithoutCancel`, or `WithCancel`, whose cancel is the function's own: a timeout or the
caller's context can fire while it waits);
not through another `select` case (a quit channel, a timer: it may be one that cannot fire
while the function waits), and must
not report a test failure (`t.Error`). `panic`, `runtime.Goexit` and `t.Fatal` in the
goroutine are not followed, and a loop that sends is taken to run at least once.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.goroutine._chan import channel_uses, escape, reports_failure, unbuffered_local


@rule(code="GC1003", name="stranded-receiver", severity=Severity.ERROR, query="leaked_sender.scm")
def check(ctx):
    gf = ctx.file
    if b"make(chan" not in gf.src.replace(b" ", b"") or (b"go " not in gf.src and b".Go(" not in gf.src):
        return
    for call in ctx.captures().get("call", ()):
        got = _candidate(ctx, call)
        if got is not None:
            yield got


def _candidate(ctx, make_call):
    from goconc.gomodel import enclosing_function

    gf, pkg = ctx.file, ctx.pkg
    got = unbuffered_local(ctx, make_call)
    if got is None:
        return None
    var, decl, fn = got
    uses = channel_uses(ctx, fn, decl)
    if uses is None or len(uses.receives) != 1 or not uses.plain or len(uses.goroutines) != 1:
        return None
    g = uses.goroutines[0]
    lit, go_stmt = g.body, g.go_stmt
    if _in_loop(go_stmt, fn) or _in_loop(uses.receives[0], fn):
        return None  # several goroutines, or a stream of values: counts are not checked
    cfg = ctx.analysis.cfg(g.file, lit)
    if cfg is None:
        return None
    path = escape(cfg, cfg.entry, g.sends)
    if path is None or reports_failure(ctx, path, g.file):
        return None
    last = path[-1].nodes[-1] if path[-1].nodes else None
    if last is None or last.type != "return_statement":
        return None
    done = _context_case(g.file, pkg, path)
    if done is None and _through_select(path):
        return None  # a select's other case (a quit channel) may not fire while we wait
    if done is None and not _decided_by_goroutine(g.file, pkg, path, lit):
        return None  # the same condition may keep the function from receiving
    name = gf.node_text(var)
    recv = min(uses.receives, key=lambda n: n.start_byte)
    if enclosing_function(recv) != fn:
        return None
    go_line = go_stmt.start_point[0] + 1
    how = f"returns at line {last.start_point[0] + 1} without sending"
    if lit.type != "func_literal":  # `go worker(ch)`: the return is in another function
        callee = " ".join(gf.node_text(go_stmt.named_children[0].child_by_field_name("function")).split())
        where = f"{g.file.path.rsplit('/', 1)[-1]}:{last.start_point[0] + 1}"
        how = f"({callee}) returns at {where} without sending"
    related = [ctx.related(go_stmt, "the goroutine that sends is started here"),
               ctx.related(last, f"the goroutine returns here without sending to {name}")]
    if done is not None:
        text = " ".join(g.file.node_text(done).split())
        return ctx.report(
            recv,
            f"<-{name} waits forever once the context is cancelled: the goroutine started at line {go_line} "
            f"then leaves through `case {text}` at line {done.start_point[0] + 1} without sending, and nothing "
            f"else sends to or closes {name}; receive in a select with the same `case {text}`, or make {name} "
            f"buffered (make(chan T, 1)) and send without a select",
            related=related,
        )
    return ctx.report(
        recv,
        f"<-{name} waits forever if the goroutine started at line {go_line} {how}: send on every "
        f"path (a result or the error), close {name} when done, or select on a way out",
        related=related,
    )


def _context_case(gf, pkg, path):
    """The `<-ctx.Done()` communication of a select case the path leaves through, when ctx is
    visibly a context.Context: a way out that fires whenever the caller cancels, while the
    function's plain receive has none."""
    for b in path:
        if not b.nodes:
            continue
        n = b.nodes[0]
        p = n.parent
        if p is None or p.type != "communication_case" or p.child_by_field_name("communication") != n:
            continue
        recv = n
        if recv.type in ("expression_statement", "receive_statement") and recv.named_children:
            recv = recv.named_children[-1]
        if recv.type != "unary_expression":
            continue
        call = recv.child_by_field_name("operand")
        f = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if f is None or f.type != "selector_expression" or gf.node_text(f.child_by_field_name("field")) != "Done":
            continue
        operand = f.child_by_field_name("operand")
        t = pkg.type_of(gf, operand)
        if t is None or not t.deref().is_named("context", "Context"):
            continue
        d = pkg.lookup(gf, operand) if operand.type == "identifier" else None
        value = " ".join(gf.node_text(d.value).split()) if d is not None and d.value is not None else ""
        if value in ("context.Background()", "context.TODO()") or value.startswith(
                ("context.WithCancel(", "context.WithoutCancel(", "context.WithCancelCause(")):
            continue  # a context nothing cancels, or only the function itself (after it received)
        return recv
    return None


def _through_select(path) -> bool:
    for b in path:
        if b.nodes:
            p = b.nodes[0].parent
            if p is not None and p.type in ("communication_case", "default_case") and p.parent is not None \
                    and p.parent.type == "select_statement":
                return True
    return False


def _decided_by_goroutine(gf, pkg, path, lit) -> bool:
    """Some `if` on the path tests a variable the goroutine itself declares (an error it got,
    a result it computed): a condition the function cannot have tested the same way."""
    for b in path:
        if not b.nodes:
            continue
        cond = b.nodes[-1]
        parent = cond.parent
        if parent is None or parent.type != "if_statement" or parent.child_by_field_name("condition") != cond:
            continue
        stack = [cond]
        while stack:
            n = stack.pop()
            stack.extend(n.named_children)
            if n.type == "identifier":
                d = pkg.lookup(gf, n)
                if d is not None and lit.start_byte <= d.node.start_byte < lit.end_byte \
                        and (lit.type == "func_literal" or d.how not in ("param", "variadic")):
                    return True  # (a started function's parameters come from the caller)
    return False


def _in_loop(node, fn) -> bool:
    p = node.parent
    while p is not None and p != fn:
        if p.type == "for_statement":
            return True
        if p.type == "func_literal":
            return False
        p = p.parent
    return False
