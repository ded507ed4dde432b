"""an operation on a channel that is never made

## What it does
Finds a send, receive, `range` or `close` on a local channel variable that is declared with
`var ch chan T` and never given a value: no assignment, no `make`, its address never taken.
Operations in a `select` case are left alone (a nil channel disables its case on purpose).

## Why is this bad?
The zero value of a channel is nil. A send or a receive on a nil channel blocks for good, so
does a `range` over it, and `close` of it panics (`close of nil channel`). The
declaration usually lost its `make` in an edit, or the `make` went to a shadowing variable
(`ch := make(...)` in an inner scope).

## Example
```go
func collect(n int) []int {
	var results chan int
	for i := 0; i < n; i++ {
		go func() { results <- i * i }()
	}
	out := make([]int, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, <-results)
	}
	return out
}
```

## Use instead
```go
func collect(n int) []int {
	results := make(chan int, n)
	for i := 0; i < n; i++ {
		go func() { results <- i * i }()
	}
	out := make([]int, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, <-results)
	}
	return out
}
```

## Limitations
Local variables only (a field or a package-level variable may be set where the function does
not look), declared by `var` with a channel type and no value; every other use of the variable
(an assignment, `&ch`, passing it to a call, storing or returning it) makes the rule quiet, as
does a closure that uses it in any such way.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.goroutine._chan import uses_of

_OK_CALLS = frozenset({"len", "cap"})


@rule(code="GC4003", name="nil-channel", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if b"chan " not in gf.src or b"var " not in gf.src:
        return
    pkg = ctx.pkg
    from goconc.queries import captures

    by_decl: dict[int, list] = {}
    decls = {}
    for ident in captures(gf, "decls", None).get("var", ()):
        d = pkg.lookup(gf, ident)
        if d is None or d.how != "var" or d.func is None or d.value is not None or d.type_node is None \
                or d.type_node.type != "channel_type":
            continue
        decls[d.node.id] = d
        by_decl[d.node.id] = list(uses_of(gf, pkg, d.func.child_by_field_name("body"), d.node))
    for key, uses in by_decl.items():
        d = decls[key]
        ops = []
        for u in uses:
            what = _operation(gf, u)
            if what is None:
                ops = None
                break  # used some other way: it may get a channel
            if what != "select":
                ops.append((u, what))
        if not ops:
            continue
        name = d.name
        for u, what in ops:
            effect = "panics (close of nil channel)" if what == "close" else "blocks forever"
            yield ctx.report(
                u.parent if what != "close" else u.parent.parent,
                f"{name} is a nil channel: declared at line {d.node.start_point[0] + 1} without a value and "
                f"never made, so this {what} {effect}; make it (`{name} := make(chan ...)`) before use",
                related=[ctx.related(d.node, f"{name} declared here, never made")],
            )


def _operation(gf, ident):
    """What a use of the variable does: "send", "receive", "range", "close", "len" (harmless),
    "select" (a select case: left alone); None for any other use."""
    p = ident.parent
    if p is None:
        return None
    if p.type == "send_statement" and p.child_by_field_name("channel") == ident:
        return "select" if p.parent is not None and p.parent.type == "communication_case" else "send"
    if p.type == "unary_expression" and gf.node_text(p.child_by_field_name("operator")) == "<-":
        q = p.parent
        while q is not None and q.type in ("receive_statement", "expression_list"):
            q = q.parent
        if q is not None and q.type == "communication_case":
            return "select"
        return "receive"
    if p.type == "range_clause" and p.child_by_field_name("right") == ident:
        return "range"
    if p.type == "argument_list":
        call = p.parent
        f = call.child_by_field_name("function") if call is not None else None
        if f is not None and f.type == "identifier" and len(p.named_children) == 1:
            name = gf.node_text(f)
            if name == "close":
                return "close"
            if name in _OK_CALLS:
                return "len"
    return None
