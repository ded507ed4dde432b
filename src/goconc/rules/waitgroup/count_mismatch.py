"""wg.Add counts other goroutines than the function starts

## What it does
Finds a `wg.Add(n)` whose count cannot match the goroutines the function starts and that call
`wg.Done()`:
- `wg.Add(3)` followed by two `go` statements (or four) whose goroutines call `wg.Done()`;
- `wg.Add(1)` outside a loop that starts one such goroutine per iteration;
- `wg.Add(len(items))` before `for ... range items` when some iteration skips the `go`
  statement (`continue`, `break`, an `if` around it) without calling `wg.Done()` itself.

## Why is this bad?
With fewer `Done` calls than counted, `wg.Wait()` never returns: the function hangs, and
every goroutine waiting on it. With more, the counter goes negative and the program panics
(`sync: negative WaitGroup counter`), or Wait returns while goroutines still run and their
results are read half-written.

## Example
```go
func process(items []Item) {
	var wg sync.WaitGroup
	wg.Add(len(items))
	for _, it := range items {
		if it.Skip {
			continue // counted, never Done: Wait blocks for good
		}
		go func() {
			defer wg.Done()
			handle(it)
		}()
	}
	wg.Wait()
}
```

## Use instead
```go
func process(items []Item) {
	var wg sync.WaitGroup
	for _, it := range items {
		if it.Skip {
			continue
		}
		wg.Add(1) // count each goroutine where it starts
		go func() {
			defer wg.Done()
			handle(it)
		}()
	}
	wg.Wait()
}
```

## Limitations
The WaitGroup must be visibly a `sync.WaitGroup` declared in the function (a field's or a
package-level WaitGroup may be counted down anywhere in the package), counted by exactly one
`Add` in the function,
with an integer literal or `len(x)`, outside any loop and condition, and waited on by the
function. The goroutines counted are the literals the function starts with `go` that call
`wg.Done()` once (deferred, or at the top level of the literal's body); the function must not
call `Done` itself, hand the WaitGroup to any other call, start any goroutine by name or
function value (`go consumer()`), or use `wg.Go`; and every `Done` of the WaitGroup in the
file must be in one of the counted literals. A constant count is compared with `go` statements that are not inside a
loop or a condition; `Add(1)` before a loop only when the loop's body starts the goroutine
unconditionally and has no `break`, `return` or `goto` (a retry loop starts it once); `len(x)`
only with the one `go` statement of a `for ... range x` loop.
"""

from __future__ import annotations

from goconc.gomodel import enclosing_function
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import ancestors, line_of
from goconc.rules.waitgroup._wg import calls_under, passes, root_ident, wg_calls

_STRAIGHT = frozenset({"block", "statement_list", "expression_statement", "go_statement", "labeled_statement"})


@rule(code="GC2006", name="waitgroup-count-mismatch", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if b".Add(" not in gf.src or b".Done()" not in gf.src:
        return
    calls = wg_calls(ctx)
    by_ref: dict = {}
    for c in calls:
        by_ref.setdefault(c.ref, []).append(c)
    for c in calls:
        if c.method != "Add" or c.deferred or c.owner is None:
            continue
        got = _check_add(ctx, c, by_ref[c.ref])
        if got is not None:
            yield got


def _go_int(text: str) -> int | None:
    """The value of a Go integer literal (`3`, `1_000`, `0x10`, `0o17`, legacy octal `017`)."""
    t = text.replace("_", "").lower()
    try:
        if len(t) > 1 and t[0] == "0" and t[1].isdigit():
            return int(t, 8)
        return int(t, 0)
    except ValueError:
        return None


def _check_add(ctx, add, same):
    gf = ctx.file
    fn = add.owner
    root = root_ident(add.recv)
    d = ctx.pkg.lookup(gf, root) if root is not None else None
    if d is None or d.func != fn or d.how not in ("define", "var"):
        return None  # a field or package-level WaitGroup: its Dones may be anywhere in the package
    mine = [c for c in same if c.owner == fn]
    if sum(1 for c in mine if c.method == "Add") != 1 or any(c.method in ("Done", "Go") for c in mine):
        return None
    waits = [c for c in mine if c.method == "Wait" and c.call.start_byte > add.call.end_byte]
    if not waits or not _straight(add.call.parent, fn):
        return None
    args = [a for a in add.call.child_by_field_name("arguments").named_children if a.type != "comment"]
    if len(args) != 1:
        return None
    count = args[0]
    # the goroutines of fn that call Done on this WaitGroup
    sites = []
    for site in ctx.pkg.go_sites(gf, fn):
        if enclosing_function(site.node) != fn:
            continue
        if site.body is None:
            return None  # `go f()`: what f counts is not seen here
        if site.kind != "go":
            if _mentions(gf, site.node, add.key):
                return None  # wg.Go, or an errgroup's Go that uses the WaitGroup
            continue
        dones = [c for c in same if c.owner == site.body and c.method == "Done"]
        if not dones:
            if _mentions(gf, site.body, add.key):
                return None
            continue
        if len(dones) != 1 or not (dones[0].deferred or _straight(dones[0].call.parent, site.body)):
            return None  # Done under a condition or in a loop: its count is the literal's business
        sites.append((site, dones[0]))
    if not sites or _handed_on(ctx, gf, fn, add):
        return None
    counted = {d.call.id for _, d in sites}
    if any(c.method == "Done" and c.call.id not in counted for c in same):
        return None  # a Done elsewhere (a literal run as `go f()`, a helper): not ours to count
    wait = waits[0]
    related = [ctx.related(wait.call, f"{add.key}.Wait() here")]
    if count.type == "int_literal":
        n = _go_int(gf.node_text(count))
        if n is None:
            return None
        if any(_loop_between(s.node, fn) for s, _ in sites):
            if n == 1 and len(sites) == 1:
                loop = _loop_between(sites[0][0].node, fn)
                body = loop.child_by_field_name("body")
                if loop.start_byte > add.call.start_byte and _straight(sites[0][0].node, body) \
                        and not _leaves(gf, body):
                    return ctx.report(
                        add.call,
                        f"{add.key}.Add(1) counts one goroutine, but the loop at line {line_of(loop)} starts one per "
                        f"iteration, each calling {add.key}.Done(): from the second one the counter goes negative "
                        f"and the program panics; call {add.key}.Add(1) inside the loop, before each go statement",
                        related=[ctx.related(sites[0][0].node, "started here, once per iteration")] + related,
                    )
            return None
        if any(not _straight(s.node, fn) for s, _ in sites) or n == len(sites):
            return None
        what = ("Wait blocks for good, waiting for Done calls that never come" if n > len(sites) else
                "the counter goes negative and the program panics")
        return ctx.report(
            add.call,
            f"{add.key}.Add({n}) counts {n} goroutines, but the function starts "
            f"{'only one that calls' if len(sites) == 1 else f'{len(sites)} that call'} {add.key}.Done(): {what}; make the count match, or call {add.key}.Add(1) before each go statement",
            related=[ctx.related(s.node, "a goroutine counted here") for s, _ in sites] + related,
        )
    if count.type == "call_expression" and len(sites) == 1:
        return _len_count(ctx, add, count, sites[0][0], fn, related)
    return None


def _handed_on(ctx, gf, fn, add) -> bool:
    """Another call of the function is handed the WaitGroup: it may Add or Done it."""
    counted = {id(c.call) for c in wg_calls(ctx) if c.owner == fn}
    for call in calls_under(fn.child_by_field_name("body")):
        if id(call) in counted or enclosing_function(call) != fn:
            continue
        if passes(gf, call, add.key):
            return True
    return False


def _len_count(ctx, add, count, site, fn, related):
    gf = ctx.file
    f = count.child_by_field_name("function")
    cargs = [a for a in count.child_by_field_name("arguments").named_children if a.type != "comment"]
    if f is None or gf.node_text(f) != "len" or len(cargs) != 1:
        return None
    loop = _loop_between(site.node, fn)
    if loop is None or loop.start_byte < add.call.end_byte or _loop_between(loop, fn) is not None:
        return None
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    right = clause.child_by_field_name("right") if clause is not None else None
    if right is None or " ".join(gf.node_text(right).split()) != " ".join(gf.node_text(cargs[0]).split()):
        return None
    if _loop_between(site.node, loop.child_by_field_name("body")) is not None:
        return None  # a loop inside the loop: several goroutines per item
    skip = _skipping_path(ctx, fn, loop, site.node)
    if skip is None:
        return None
    text = " ".join(gf.node_text(cargs[0]).split())
    how = {"continue_statement": "`continue`", "break_statement": "`break`"}.get(skip.type, "the `if`")
    return ctx.report(
        add.call,
        f"{add.key}.Add(len({text})) counts one goroutine per item, but an iteration can skip the go statement "
        f"at line {line_of(site.node)} ({how} at line {line_of(skip)}) without calling {add.key}.Done(): "
        f"Wait blocks for good; call {add.key}.Add(1) right before the go statement instead",
        related=[ctx.related(skip, "skips the goroutine"), ctx.related(site.node, "the goroutine counted")] + related,
    )


def _skipping_path(ctx, fn, loop, go_stmt):
    """The statement by which an iteration of `loop` goes round again, or leaves the loop,
    without passing `go_stmt` (a continue, a break, or the condition of an if around it);
    None when every iteration that goes on runs it."""
    cfg = ctx.analysis.cfg(ctx.file, fn)
    lp = cfg.loop(loop) if cfg is not None and not cfg.approximate else None
    gb = cfg.block_of(go_stmt) if lp is not None else None
    if gb is None:
        return None
    exits = {cfg.exit, cfg.panic_exit, cfg.fatal_exit}
    parent = {}
    stack = [s for s in lp.head.succs if s.index in lp.blocks]
    for s in stack:
        parent[s] = lp.head
    while stack:
        b = stack.pop()
        if b is gb:
            continue
        for s in b.succs:
            if s is lp.head or (s.index not in lp.blocks and s not in exits):
                return _culprit(b, parent)
            if s.index in lp.blocks and s not in parent:
                parent[s] = b
                stack.append(s)
    return None


def _culprit(b, parent):
    """The jump or condition that sent the path round: the block's continue/break, else the
    last condition on the way back to the loop's head."""
    seen = set()
    while b is not None and b.index not in seen:
        seen.add(b.index)
        if b.nodes:
            last = b.nodes[-1]
            if last.type in ("continue_statement", "break_statement"):
                return last
            p = last.parent
            if p is not None and p.type == "if_statement" and p.child_by_field_name("condition") == last:
                return last
        b = parent.get(b)
    return None


def _leaves(gf, body) -> bool:
    """The loop body may end the loop early: a break, return or goto in it."""
    return any(k in gf.src[body.start_byte:body.end_byte] for k in (b"break", b"return", b"goto"))


def _straight(node, fn) -> bool:
    """`node` runs whenever `fn`'s body does: no loop, condition or case between them."""
    for a in ancestors(node, fn):
        if a == fn or a == fn.child_by_field_name("body"):
            return True
        if a.type not in _STRAIGHT:
            return False
    return True


def _loop_between(node, stop):
    for a in ancestors(node, stop):
        if a == stop:
            return None
        if a.type == "for_statement":
            return a
        if a.type == "func_literal":
            return None
    return None


def _mentions(gf, node, key: str) -> bool:
    root = key.split(".", 1)[0].split("[", 1)[0]
    return root.encode() in gf.src[node.start_byte:node.end_byte]
