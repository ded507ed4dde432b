"""sync.Cond.Wait not in a loop that re-checks its condition

## What it does
Finds `c.Wait()` on a `sync.Cond` that is not inside a `for` loop of its function: a Wait
with no condition checked at all, or one under an `if` that checks the condition only once.

## Why is this bad?
A Cond does not remember a `Signal` or `Broadcast` sent while nobody waited: a goroutine that
calls Wait without first checking, under the lock, whether what it waits for has already
happened can sleep for good (a lost wake-up). And when Wait returns, the condition may no
longer hold: `Broadcast` wakes every waiter, the first one to get the lock may consume what
the others were woken for, and a `Signal` may be meant for another state. The documentation of
`sync.Cond.Wait` says it: the caller should Wait in a loop.

## Example
```go
func (q *Queue) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		q.cond.Wait()
	}
	v := q.items[0] // may panic: another Pop took the item first
	q.items = q.items[1:]
	return v
}
```

## Use instead
```go
func (q *Queue) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait()
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}
```

## Fix safety
No fix is offered: the condition to loop on is the program's.

## Limitations
The receiver must be visibly a `sync.Cond` (a variable, field or parameter of type `sync.Cond`
or `*sync.Cond`, or the result of `sync.NewCond`). Any `for` loop around the Wait in the same
function counts as re-checking, whatever its condition; a Wait in a helper that its caller
calls in a loop is reported (the helper cannot know).
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.queries import file_captures
from goconc.registry import rule
from goconc.gomodel import enclosing_function, top_function
from goconc.rules._helpers import FUNC_NODES, method_call


def _pass_through(gf, fn, call) -> bool:
    """`fn` only calls Wait (a method wrapping the Cond: its callers loop)."""
    body = fn.child_by_field_name("body")
    stmts = [c for c in _statements(body) if c.type != "comment"]
    return len(stmts) == 1 and stmts[0].start_byte <= call.start_byte < stmts[0].end_byte


def _statements(block):
    for c in block.named_children if block is not None else ():
        if c.type == "statement_list":
            yield from c.named_children
        else:
            yield c


def _goto_loop(gf, fn, call) -> bool:
    """A label before the Wait and a `goto` to it after: a loop written with goto."""
    labels, gotos = set(), set()
    stack = [fn.child_by_field_name("body")]
    while stack:
        n = stack.pop()
        if n is None or n.type == "func_literal":
            continue
        stack.extend(n.named_children)
        lbl = next((c for c in n.named_children if c.type == "label_name"), None)
        if lbl is None:
            continue
        if n.type == "labeled_statement" and n.start_byte < call.start_byte:
            labels.add(gf.node_text(lbl))
        elif n.type == "goto_statement" and n.start_byte > call.end_byte:
            gotos.add(gf.node_text(lbl))
    return bool(labels & gotos)


def _signals_itself(gf, fn, cond: str) -> bool:
    """The function `fn` is part of (its top-level declaration) starts a goroutine literal
    that signals the same Cond."""
    for lit in _literals(top_function(fn) or fn):
        call = lit.parent
        if call is None or call.type != "call_expression" or call.parent is None or call.parent.type != "go_statement":
            continue
        text = gf.node_text(lit)
        if f"{cond}.Signal()" in text or f"{cond}.Broadcast()" in text:
            return True
    return False


def _literals(fn):
    stack = list(fn.named_children)
    while stack:
        n = stack.pop()
        if n.type == "func_literal":
            yield n
        stack.extend(n.named_children)


@rule(code="GC3010", name="cond-wait-not-in-loop", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if b".Wait()" not in gf.src or b"Cond" not in gf.src and not any(b"Cond" in f.src for f in ctx.pkg.files):
        return
    pkg = ctx.pkg
    for call in file_captures(gf, "goconc.rules.waitgroup", "wg_calls.scm").get("call", ()):
        mc = method_call(gf, call)
        if mc is None or mc.method != "Wait":
            continue
        t = pkg.type_of(gf, mc.recv)
        if t is None or not t.deref().is_named("sync", "Cond"):
            continue
        guard = None
        p = call.parent
        while p is not None and p.type not in FUNC_NODES:
            if p.type == "for_statement":
                break
            if p.type == "if_statement" and guard is None:
                guard = p
            p = p.parent
        if p is not None and p.type == "for_statement":
            continue
        fn = enclosing_function(call)
        if fn is None or _pass_through(gf, fn, call) or _goto_loop(gf, fn, call):
            continue
        c = " ".join(gf.node_text(mc.recv).split())
        if guard is None and gf.path.endswith("_test.go") and _signals_itself(gf, fn, c):
            continue  # a test that starts the signaller itself and orders the two sides
        if guard is not None:
            cond = guard.child_by_field_name("condition")
            text = " ".join(gf.node_text(cond).split()) if cond is not None else "..."
            text = text if len(text) <= 40 else text[:37] + "..."
            yield ctx.report(
                call,
                f"{c}.Wait() under `if {text}` checks the condition once: when Wait returns it may no longer "
                f"hold (a Broadcast wakes every waiter, and another one may take what this one woke for); "
                f"write `for {text} {{ {c}.Wait() }}`",
                related=[ctx.related(guard, "checked once here")],
            )
        else:
            yield ctx.report(
                call,
                f"{c}.Wait() checks no condition: a Signal or Broadcast sent before this Wait is lost and it "
                f"may sleep for good, and waking up does not mean what it waits for happened; wait in a loop "
                f"on the state, under the lock: `for !ready {{ {c}.Wait() }}`",
            )
