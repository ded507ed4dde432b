"""waiting, with a lock held, for a goroutine that needs it

## What it does
Finds a function that holds a lock while it waits for other goroutines (`wg.Wait()`, or a plain
receive `<-ch`) when the goroutines it waits for must take that same lock before they can let it
go on: the goroutine that calls `wg.Done()` (or every one that sends on or closes `ch`) locks it
first. Goroutines of the function itself and functions of the package are both followed, as
are locks taken inside calls.

## Why is this bad?
The waiting function keeps the lock until the wait ends, and the wait ends only after the other
goroutine gets the lock: neither can go on, a deadlock. It often hides in shutdown code
(`Stop` holds `s.mu`, closes `s.quit` and waits for the loop, whose tick case locks `s.mu`) and
shows up only when the other goroutine happens to be at the wrong place, so tests pass.

## Example
```go
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.quit)
	<-s.done // loop may be waiting for s.mu: neither goes on
}

func (s *Server) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.quit:
			return
		case <-s.tick.C:
			s.mu.Lock()
			s.flush()
			s.mu.Unlock()
		}
	}
}
```

## Use instead
```go
func (s *Server) Stop() {
	s.mu.Lock()
	close(s.quit)
	s.mu.Unlock()
	<-s.done // waited for without the lock
}
```

## Fix safety
No automatic fix: what the lock must still protect after the wait is a design decision.

## Limitations
The wait must be `Wait()` on a `sync.WaitGroup` or a plain receive (not in a `select`, not
`for range`) from a channel the analysis can name (a variable or field, not a call's result such
as `ctx.Done()`), reached with the lock held on every path. The other side is found by its
`wg.Done()`, send or `close` on the same WaitGroup or channel: for a function of the package,
"the same" means the same field of an object of the same type, hanging off that object as the
lock does (`s.done` and `s.mu` in both), or the very variables a goroutine literal captures. That
goroutine must lock the lock (directly or in a call that takes it on every path) before its
`Done`/send/close in the source, or anywhere when that one is deferred, and it must not be
able to be past that `Lock` already: it takes the lock in a loop (it comes back for it until
told to stop), or it is a goroutine literal the waiting function starts after taking the lock
and before the wait (a handshake or an earlier wait that lets it through first is not modelled,
so other shapes stay quiet); for a receive, every
function that sends on or closes the channel must. A read lock held while the other side wants a read
lock is not reported (it deadlocks only when a writer queues in between). Whether the other goroutine is actually running is not checked.
"""

from __future__ import annotations

from goconc.analysis import PATHS
from goconc.gomodel import enclosing_function
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.mutex._common import func_name, line_of
from goconc.rules.mutex._lockflow import ACQUIRE, facts

_RELEASES = {"Wait": ("Done",), "recv": ("send", "close")}


@rule(code="GC3009", name="lock-held-while-waiting", severity=Severity.ERROR, scope="package")
def check(ctx):
    lf = facts(ctx.analysis)
    paths = ctx.analysis.result(PATHS)
    waits = []
    for gf in ctx.files:
        for fn in lf.functions(gf):
            for w in lf.analyze(gf, fn).waits:
                waits.append((gf, fn, w))
    if not waits:
        return
    # the other side: functions that call Done, send or close, with the locks they take
    others = []
    for gf in ctx.files:
        for points in lf.sync_points(gf).values():
            rel = [p for p in points if p.what in ("Done", "send", "close")]
            if not rel:
                continue
            fn = enclosing_function(rel[0].node)
            takes = [i[1] for i in lf.items(gf, fn) if i[0] == "op" and i[1].op in ACQUIRE and not i[1].deferred]
            # (one without locks matters too: for a receive, it can end the wait)
            held_at = lf.analyze(gf, fn).held_at if takes else {}
            adds = [p for p in points if p.what == "Add"] + (_callee_adds(ctx, lf, fn) if takes else [])
            others.append((gf, fn, rel, takes, held_at, adds))
    seen = set()
    for gf, fn, (sp, held, sites) in waits:
        for hkey, mode in sorted(held, key=lambda h: str(h[0])):
            site = min((x[2] for x in sites if x[0] == hkey), key=lambda n: n.start_byte, default=None)
            got = _blocker(paths, fn, sp, hkey, mode, others, site.end_byte if site is not None else None)
            if got is None or sp.node.id in seen:
                continue
            seen.add(sp.node.id)
            yield _report(ctx, gf, sp, hkey, sites, got)


def _blocker(paths, fn, sp, hkey, mode, others, locked_at):
    """The (file, function, release point, lock op) of a goroutine that must take `hkey`'s lock
    before it lets the wait `sp` end (for a receive: every function that could end it must);
    else None."""
    kinds = _RELEASES[sp.what]
    found = None
    for gf2, fn2, rel, takes, held_at, adds in others:
        if fn2 == fn:
            continue
        for r in rel:
            if r.what not in kinds or not _same_object(paths, sp.key, r.key):
                continue
            if r.what == "Done" and (fn2.type != "func_literal"
                                     or any(_same_object(paths, r.key, a.key) for a in adds)):
                continue  # a goroutine that counts itself (Add in it) or of unknown start
            held_here = {k for k, _ in held_at.get(r.node.id, ())}
            blocking = next((t for t in takes if (r.deferred or t.call.start_byte < r.node.start_byte)
                             and t.key not in held_here  # sent under the lock: waits only if not yet
                             and not (t.mode == "R" and mode == "R")
                             and _related(paths, sp.key, hkey, r.key, t.key)
                             and _not_past(fn, sp, fn2, t, locked_at)), None)
            if blocking is None:
                if sp.what == "recv":
                    return None  # this sender or closer can end the wait without the lock
                continue
            found = found or (gf2, fn2, r, blocking)
    return found


def _not_past(fn, sp, fn2, take, locked_at) -> bool:
    """The other goroutine cannot already be past its Lock: it takes the lock in a loop (it
    comes back for it until told to stop), or it is a goroutine the waiting function starts
    after it has taken the lock and before the wait (it cannot get the lock in between)."""
    p = take.call.parent
    while p is not None and p != fn2:
        if p.type in ("for_statement", "func_literal"):
            if p.type == "for_statement":
                return True
            break
        p = p.parent
    if fn2.type != "func_literal":
        return False
    start = fn2.parent.parent if fn2.parent is not None else None  # go f() / g.Go(f)
    if start is None or locked_at is None or not (locked_at <= start.start_byte < sp.node.start_byte):
        return False
    return enclosing_function(start) == fn


def _callee_adds(ctx, lf, fn) -> list:
    """The wg.Add points of the functions of the package that `fn` calls directly."""
    from goconc.analysis import CALLGRAPH

    cg = ctx.analysis.result(CALLGRAPH)
    fid = cg.func_id(fn)
    out = []
    for site in cg.calls_from(fid) if fid is not None else ():
        if site.callee.kind == "func" and site.callee.id is not None:
            info = cg.info(site.callee.id)
            if info is not None:
                out.extend(p for p in lf.sync_points(info.file).get(info.node.id, ()) if p.what == "Add")
    return out


def _same_object(paths, a, b) -> bool:
    """Two paths (of two functions) that name the same WaitGroup or channel: equal (a global,
    or a variable a literal captures), or the same field of the same type."""
    if a == b:
        return True
    if not hasattr(a, "root") or not hasattr(b, "root") or not a.steps or not b.steps:
        return False
    ca = paths.field_class(a)
    return ca is not None and ca == paths.field_class(b)


def _related(paths, wait_key, lock_key, rel_key, take_key) -> bool:
    """The lock hangs off the waited-for object as the taken lock does off the released one:
    the same paths (captured variables, globals), or after the longest common prefix of each
    pair, the same fields (`s.done`/`s.mu` in one method, `s.done`/`s.mu` in the other), with
    locks of one class."""
    if wait_key == rel_key and lock_key == take_key:
        return True
    if not all(hasattr(k, "root") for k in (wait_key, lock_key, rel_key, take_key)):
        return False
    if wait_key.root != lock_key.root or rel_key.root != take_key.root:
        return False

    def rest(x, y):
        n = 0
        while n < len(x.steps) and n < len(y.steps) and x.steps[n] == y.steps[n]:
            n += 1
        return x.steps[n:], y.steps[n:]

    if rest(wait_key, lock_key) != rest(rel_key, take_key):
        return False
    cl = paths.field_class(lock_key)
    return cl is not None and cl == paths.field_class(take_key)


def _report(ctx, gf, sp, hkey, sites, got):
    gf2, fn2, r, take = got
    held_at = next((s[2] for s in sorted(sites, key=lambda s: s[2].start_byte) if s[0] == hkey), None)
    lock = take.text or str(hkey)
    wait = " ".join(gf.node_text(sp.node).split())
    if len(wait) > 40:
        wait = wait[:37] + "..."
    who = _name(gf2, fn2)
    rel_text = " ".join(gf2.node_text(r.node).split())
    if len(rel_text) > 40:
        rel_text = rel_text[:37] + "..."
    where = f"{gf2.path.rsplit('/', 1)[-1]}:{line_of(take.call)}"
    how = f"{take.via}() locks {lock}" if take.via else f"locks {lock}"
    line = f" (locked at line {line_of(held_at)})" if held_at is not None else ""
    msg = (f"{wait} waits while holding {hkey}{line}, but {who}, which must get to {rel_text} to end "
           f"the wait, first {how} at {where}: neither can go on; release the lock before waiting")
    related = [ctx.related(take.call, f"{who} waits for the lock here"),
               ctx.related(r.node, f"and only then gets to {rel_text}")]
    if held_at is not None:
        related.insert(0, ctx.related(held_at, f"{hkey} locked here"))
    return ctx.report(sp.node, msg, related=related)


def _name(gf, fn) -> str:
    if fn.type == "func_literal":
        p = fn.parent.parent if fn.parent is not None else None
        if p is not None and p.type == "go_statement":
            return f"the goroutine started at line {line_of(p)}"
    return func_name(gf, fn)
