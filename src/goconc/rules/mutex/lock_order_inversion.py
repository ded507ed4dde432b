"""two locks taken in opposite orders by two functions

## What it does
Finds two locks of different fields (say `Server.mu` and `Conn.mu`) that one function takes in
one order (it holds `Server.mu` when it locks `Conn.mu`) and another function, or another path
of the same function, takes in the opposite order. Locks taken inside a call count: a function
that holds `s.mu` and calls `c.flush()`, which locks `c.mu`, takes `Server.mu` then `Conn.mu`.

## Why is this bad?
If one goroutine runs the first function and another runs the second at the same time, each
can take its first lock and then wait forever for the other's: an AB-BA deadlock. It happens
only under the right interleaving, so tests rarely show it and the race detector never does;
when it happens in production, both goroutines (and everything that needs either lock) stop.
This is among the most common blocking bugs in large Go projects.

## Example
```go
func (s *Server) Broadcast(msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.mu.Lock() // Server.mu, then Conn.mu
		c.buf = append(c.buf, msg...)
		c.mu.Unlock()
	}
}

func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.srv.mu.Lock() // Conn.mu, then Server.mu: the opposite order
	delete(c.srv.conns, c.id)
	c.srv.mu.Unlock()
}
```

## Use instead
Take the locks in one order everywhere, and write that order down next to the fields:
```go
func (c *Conn) Close() {
	srv := c.srv
	srv.mu.Lock() // Server.mu before Conn.mu, as everywhere else
	defer srv.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(srv.conns, c.id)
}
```
or release the first lock before taking the second.

## Fix safety
No automatic fix: which order is right, and whether a critical section may be split, is a
design decision.

## Limitations
Locks are compared by class: the object's type and the field that holds them (`Server.mu`
for `s.mu` and `c.srv.mu` alike; `Session.st.mu` for a mutex inside a struct value that a
Session holds, so two owners of one helper type are two classes), the package-level variable, or the local variable that the goroutines of one call share (a
mutex passed as a parameter has no class and is not compared). Two locks of the same class (two `Node.mu` of a tree, taken
hand-over-hand) are never reported, because the order among instances is not known. A lock
must be held on every path to the second `Lock`, and the second taken on every path through a
call, for the order to count (a callee that releases the caller's lock around its call-out is
taken to take its other locks while not holding it; a closure called in place counts as part
of the function); a deferred call and `sync.Once.Do` are not followed; calls are followed within the package (not through interfaces,
func values or other packages), and code that passes the lock's address or a method value of
it along is not followed. Two read locks (`RLock`) in both orders are not reported (readers do
not wait for readers). The rule does not know whether the two functions can run at the same
time: a pair where one side runs only before the value is shared (a constructor) is reported
too; document the order and suppress it there.
"""

from __future__ import annotations

from goconc.analysis import PATHS
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.mutex._common import func_name, line_of
from goconc.rules.mutex._lockflow import facts


@rule(code="GC3008", name="lock-order-inversion", severity=Severity.ERROR, scope="package")
def check(ctx):
    lf = facts(ctx.analysis)
    paths = ctx.analysis.result(PATHS)
    edges: dict[tuple[str, str], list] = {}  # (class held, class taken) -> [(file, function, event)]
    classes: dict = {}

    def class_of(key):
        """(identity, name) of a lock's class: a field of a type, a package-level variable,
        or one local variable (shared by the goroutines of one call of its function)."""
        if key not in classes:
            got = None
            if hasattr(key, "root"):
                if key.root.kind == "local" and not key.steps:
                    got = (("local", key.root.func, key.root.decl), key.root.name)
                else:
                    c = paths.field_class(key)
                    got = (c, c) if c is not None else None
            classes[key] = got
        return classes[key]

    for gf in ctx.files:
        for fn in lf.functions(gf):
            for ev in lf.analyze(gf, fn).events:
                if ev.kind != "order" or ev.other is None:
                    continue
                a, b = class_of(ev.held), class_of(ev.op.key)
                if a is None or b is None or a[0] == b[0]:
                    continue
                edges.setdefault((a[0], b[0]), []).append((gf, fn, ev, a[1], b[1]))
    done = set()
    for (a, b) in sorted(edges, key=str):
        if (b, a) not in edges or frozenset((a, b)) in done:
            continue
        pair = _deadlocking(edges[(a, b)], edges[(b, a)])
        if pair is None:
            continue
        done.add(frozenset((a, b)))
        yield _report(ctx, *pair)


def _conflict(wait: str, held: str) -> bool:
    """A Lock in mode `wait` waits for a holder in mode `held` (readers share)."""
    return not (wait == "R" and held == "R")


def _deadlocking(forward: list, backward: list):
    """The first (by position) pair of an A-then-B and a B-then-A acquisition whose waits both
    conflict with what the other side holds."""
    def pos(e):
        return e[0].path, e[2].op.call.start_byte

    for e1 in sorted(forward, key=pos):
        for e2 in sorted(backward, key=pos):
            ev1, ev2 = e1[2], e2[2]
            if ev1.op.call == ev2.op.call:
                continue
            if _conflict(ev1.op.mode, ev2.mode_held) and _conflict(ev2.op.mode, ev1.mode_held):
                return (e1, e2) if pos(e1) > pos(e2) else (e2, e1)
    return None


def _how(ev) -> str:
    op = ev.op
    verb = "read-locks" if op.op == "RLock" else "locks"
    if op.via:
        return f"{op.via}() {verb} {op.text}"
    return f"{verb} {op.text}"


def _report(ctx, here, there):
    """`here` (the later of the two in source order) is reported; `there` takes the two locks
    in the other order."""
    _, _, ev1, held, taken = here
    gf2, fn2, ev2, _, _ = there
    other_fn = func_name(gf2, fn2)
    where = f"{gf2.path.rsplit('/', 1)[-1]}:{line_of(ev2.op.call)}"
    what = _how(ev1) + (f" ({taken})" if taken != ev1.op.text else "")
    msg = (f"{what} while holding {held} (locked at line {line_of(ev1.other)}), but "
           f"{other_fn} takes them in the opposite order ({taken}, then {held}, at {where}): two "
           "goroutines running both can deadlock; take the two locks in one order everywhere")
    related = [
        ctx.related(ev1.other, f"{held} locked here"),
        ctx.related(ev2.other, f"{other_fn} holds {taken} here"),
        ctx.related(ev2.op.call, f"and then {_how(ev2)} ({held}) here"),
    ]
    return ctx.report(ev1.op.call, msg, related=related)
