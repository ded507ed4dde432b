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
goroutines it starts with `go func() { ... }()` (plain sends, not in a `select`). A channel
that is passed to a call, stored, returned, closed by the function, ranged over, or used by any
other closure is not checked. The path must return normally: a path that ends in `t.Fatal`,
`panic` or `os.Exit`, or that reports a test failure (`t.Error`, `t.Fatal`, ... on a
`testing.T`/`B`/`TB`, Ginkgo's `Fail`), is not reported. A loop
that receives while its condition holds is taken to run as often as the goroutines were
started, so leaving it through its condition does not count; leaving it through `break` or
`return` does.
"""

from __future__ import annotations

from collections import deque

from goconc.model import Severity
from goconc.registry import rule

_OK_USES = frozenset({"len", "cap"})
_TEST_FAIL = ("Error", "Errorf", "Fatal", "Fatalf", "Fail", "FailNow", "Skip", "Skipf", "SkipNow")


@rule(code="GC1002", name="leaked-sender", severity=Severity.ERROR, query="leaked_sender.scm")
def check(ctx):
    gf = ctx.file
    if b"make(chan" not in gf.src.replace(b" ", b"") or b"go " not in gf.src:
        return
    for call in ctx.captures().get("call", ()):
        got = _candidate(ctx, call)
        if got is not None:
            yield got


def _candidate(ctx, make_call):
    gf, pkg = ctx.file, ctx.pkg
    args = make_call.child_by_field_name("arguments")
    vals = [a for a in args.named_children if a.type != "comment"]
    if len(vals) > 2 or (len(vals) == 2 and not (vals[1].type == "int_literal" and gf.node_text(vals[1]) == "0")):
        return None  # buffered (or a capacity we do not know)
    var = _assigned_var(make_call)
    if var is None:
        return None
    decl = pkg.lookup(gf, var)
    if decl is None or decl.how not in ("define", "var") or decl.func is None:
        return None
    fn = decl.func  # the function (declaration or literal) the channel is local to
    uses = _uses(ctx, fn, decl)
    if uses is None:
        return None
    sends, receives, lits = uses
    if not sends or not receives:
        return None
    cfg = ctx.analysis.cfg(gf, fn)
    if cfg is None:
        return None
    for lit, go_stmt in lits:
        start = cfg.block_of(go_stmt)
        if start is None:
            continue
        path = _escape(cfg, start, receives, fn)
        if path is None or _reports_failure(ctx, path):
            continue
        ret = path[-1].nodes[-1] if path[-1].nodes else None
        send = min((s for s in sends if lit.start_byte <= s.start_byte < lit.end_byte), key=lambda n: n.start_byte)
        name = gf.node_text(var)
        where = f"returns at line {ret.start_point[0] + 1}" if ret is not None and ret.type == "return_statement" \
            else "returns"
        case = _left_through(path)
        via = f" (through `case {_short(gf.node_text(case))}` at line {case.start_point[0] + 1})" \
            if case is not None else ""
        related = [ctx.related(make_call, f"{name} is made unbuffered here")]
        if ret is not None and ret.type == "return_statement":
            related.append(ctx.related(ret, f"returns without receiving from {name}"))
        return ctx.report(
            send,
            f"this goroutine blocks forever on its send to {name} if the function {where} without "
            f"receiving from {name}{via}: make {name} buffered (make(chan T, 1)) so the send always "
            "completes, or select on a done channel in the goroutine",
            related=related,
        )
    return None


def _assigned_var(call):
    """The identifier `call` is the one value assigned to (`ch := make(...)`, `var ch = ...`)."""
    p = call.parent
    if p is None or p.type != "expression_list" or len(p.named_children) != 1:
        return None
    q = p.parent
    if q is None:
        return None
    if q.type in ("short_var_declaration", "assignment_statement"):
        left = q.child_by_field_name("left")
        if q.child_by_field_name("right") != p or left is None or len(left.named_children) != 1:
            return None
        target = left.named_children[0]
    elif q.type == "var_spec":
        names = q.children_by_field_name("name")
        if len(names) != 1:
            return None
        target = names[0]
    else:
        return None
    return target if target.type == "identifier" else None


def _uses(ctx, fn, decl):
    """Sends (in goroutines `fn` starts), receives (in `fn` itself) and the goroutine literals
    with their go statements; None when the channel is used in any other way."""
    from goconc.gomodel import enclosing_function

    gf, pkg = ctx.file, ctx.pkg
    name = decl.name
    sends, receives, lits = [], [], {}
    defined = 0
    stack = [fn.child_by_field_name("body")]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        stack.extend(n.named_children)
        if n.type != "identifier" or gf.node_text(n) != name:
            continue
        d = pkg.lookup(gf, n)
        if d is None or d.node != decl.node:
            continue
        if n == decl.node:
            continue
        p = n.parent
        owner = enclosing_function(n)
        if p.type == "send_statement" and p.child_by_field_name("channel") == n:
            if owner == fn or p.parent is not None and p.parent.type == "communication_case":
                return None  # the function sends itself, or a select send (may give up)
            go_stmt = _go_literal(owner, fn)
            if go_stmt is None:
                return None
            sends.append(p)
            lits[owner.id] = (owner, go_stmt)
            continue
        if p.type == "unary_expression" and gf.node_text(p.child_by_field_name("operator")) == "<-":
            if owner != fn:
                return None
            receives.append(p)
            continue
        if p.type == "argument_list":
            call = p.parent
            f = call.child_by_field_name("function") if call is not None else None
            if f is not None and f.type == "identifier" and gf.node_text(f) in _OK_USES:
                continue
            return None
        if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement" \
                and p.parent.child_by_field_name("left") == p:
            defined += 1  # `ch = make(...)` once; any other assignment: not followed
            if defined > 1 or owner != fn:
                return None
            continue
        return None
    return sends, receives, sorted(lits.values(), key=lambda x: x[0].start_byte)


def _go_literal(lit, fn):
    """The go statement when `lit` is `go func() {...}()` written directly in `fn`."""
    from goconc.gomodel import enclosing_function

    if lit is None or lit.type != "func_literal":
        return None
    call = lit.parent
    stmt = call.parent if call is not None and call.type == "call_expression" else None
    if stmt is None or stmt.type != "go_statement" or call.child_by_field_name("function") != lit:
        return None
    return stmt if enclosing_function(stmt) == fn else None


def _escape(cfg, start, receives, fn):
    """A block path from `start` to a normal return that receives from the channel nowhere,
    not leaving a loop that receives through its condition; None when there is none."""
    def receives_in(b):
        return any(n.start_byte <= r.start_byte < n.end_byte for n in b.nodes for r in receives)

    barred = set()  # (head, exit) edges of loops whose body receives
    for b in cfg.blocks:
        if len(b.succs) != 2 or not b.nodes:
            continue
        cond = b.nodes[-1]
        loop = cond.parent
        if loop is not None and loop.type == "for_clause":
            loop = loop.parent
        if loop is None or loop.type != "for_statement":
            continue
        body = loop.child_by_field_name("body")
        if body is not None and any(body.start_byte <= r.start_byte < body.end_byte for r in receives):
            barred.add((b.index, b.succs[1].index))
    if receives_in(start):
        return None
    parent = {start: None}
    queue = deque([start])
    while queue:
        b = queue.popleft()
        for s in b.succs:
            if s in parent or (b.index, s.index) in barred:
                continue
            parent[s] = b
            if s is cfg.exit:
                path = [b]
                while parent[path[-1]] is not None:
                    path.append(parent[path[-1]])
                return list(reversed(path))
            if s.kind == "body" and not receives_in(s):
                queue.append(s)
    return None


def _left_through(path):
    """The select or if that the escaping path leaves through: the first case clause it enters
    that is not a receive from the channel."""
    for b in path:
        if b.nodes:
            n = b.nodes[0]
            p = n.parent
            if p is not None and p.type == "communication_case" and p.child_by_field_name("communication") == n:
                return n
    return None


def _reports_failure(ctx, path) -> bool:
    """The path reports a test failure (t.Error, t.Fatal, ... on a testing.T/B/TB, or
    Ginkgo's Fail): the leak is a symptom of a failure already reported."""
    from goconc.rules._helpers import is_testing_type

    gf = ctx.file
    for b in path:
        stack = list(b.nodes)
        while stack:
            n = stack.pop()
            if n.type == "func_literal":
                continue
            stack.extend(n.named_children)
            if n.type != "call_expression":
                continue
            f = n.child_by_field_name("function")
            if f is None:
                continue
            if f.type == "identifier" and gf.node_text(f) in ("Fail", "Failf"):
                return True
            if f.type == "selector_expression":
                fld = f.child_by_field_name("field")
                name = gf.node_text(fld) if fld is not None else ""
                if name in ("Fail", "Failf") or (name in _TEST_FAIL and is_testing_type(
                        ctx.type_of(f.child_by_field_name("operand")))):
                    return True
    return False


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."
