"""`goconc explain`: a race report, panic or goroutine dump pasted from logs, explained.

explain(text) finds every race report, crash and goroutine dump in the text and returns, for
each finding: the structured facts (who accessed what, who waits on what), the likely cause in
terms of goconc's rule catalogue, and the fix. Pure: reading the source for code frames is the
Locator's job (its read_lines), and printing is the CLI's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from goconc.model import Diagnostic
from goconc.race import findings as F
from goconc.race import parser
from goconc.race.model import Crash, Goroutine, RaceReport


@dataclass
class Explanation:
    finding: Diagnostic
    facts: list[str] = field(default_factory=list)
    cause: str = ""
    fix: str = ""


def explain(text: str, loc: F.Locator) -> list[Explanation]:
    out: list[Explanation] = []
    for d, r in F.race_groups(parser.parse_races(text), loc):
        out.append(_race(d, r, loc))
    crashes = parser.parse_crashes(text)
    for c in crashes:
        waiting = _waiting_at(c.goroutines, loc)
        for d in F.crash_findings(c, loc):
            out.append(_crash(d, c, loc, waiting))
    if not crashes:  # a bare dump: SIGQUIT, /debug/pprof/goroutine?debug=2, a log
        gs = parser.parse_goroutines(text)
        waiting = _waiting_at(gs, loc)
        for d in F.blocked_findings(gs, loc, F.DEADLOCK, "in this dump", only_blocking=True):
            out.append(_blocked(d, gs, waiting, loc))
    return out


def _waiting_at(goroutines, loc: F.Locator) -> dict[tuple[str, int], list[Goroutine]]:
    """Goroutines by the (shown path, line) of their top user frame: computed once per dump."""
    by: dict[tuple[str, int], list[Goroutine]] = {}
    for g in goroutines:
        f = loc.user_frame(g.frames)
        if f is not None:
            by.setdefault((loc.span(f).path, f.line), []).append(g)
    return by


def _line_text(loc: F.Locator, file: str, line: int) -> str:
    local = loc.local(file)
    lines = loc.lines_of(local) if local else None
    return lines[line - 1].strip() if lines and 0 < line <= len(lines) else ""


def _race(d: Diagnostic, r: RaceReport, loc: F.Locator) -> Explanation:
    ex = Explanation(d)
    frames = []
    for a in r.accesses:
        f = loc.user_frame(a.stack)
        frames.append(f)
        when = "earlier" if a.previous else "at the moment of the report"
        kind = F._access_words(a.stack, a.kind, a.atomic)
        where = f"{f.short_func} at {loc.short(f)}" if f else "the standard library"
        ex.facts.append(f"{kind} by {F._who(a.goroutine)} in {where} ({when})")
    for c in r.creations:
        cf = loc.user_frame(c.stack)
        if cf is not None:
            ex.facts.append(f"goroutine {c.goroutine} ({c.state}) was started by {cf.short_func} at {loc.short(cf)}")
    is_map = any(F._access_words(a.stack, a.kind, False).startswith("map") for a in r.accesses)
    f0, f1 = (frames + [None, None])[:2]
    texts = [_line_text(loc, f.file, f.line) for f in (f0, f1) if f is not None]
    if is_map:
        ex.cause = "a map used by several goroutines without a lock (maps are not safe for concurrent use)"
        ex.fix = ("guard every access to the map with one sync.Mutex (or sync.RWMutex for many readers), or give "
                  "the map a single owner goroutine that others talk to over channels; sync.Map suits "
                  "write-once, read-many keys")
    elif any(t.startswith("for ") for t in texts):
        ex.cause = ("a loop variable captured by a goroutine: before Go 1.22 every iteration shares one variable "
                    "(the module's go.mod `go` line decides)")
        ex.fix = "pass the variable to the goroutine as an argument, copy it (`i := i`), or raise go.mod to go 1.22+"
    elif f0 is not None and f1 is not None and (f0.func.startswith(f1.func + ".func")
                                                or f1.func.startswith(f0.func + ".func")):
        ex.cause = ("a variable of the enclosing function captured by the goroutine it starts, and used by both "
                    "(a shared `err` or result variable is the classic case)")
        ex.fix = ("give the goroutine its own variables and hand results back over a channel or through "
                  "errgroup; read shared variables only after the goroutine is known to be done")
    elif f0 is not None and f1 is not None and (f0.file, f0.line) == (f1.file, f1.line):
        ex.cause = "the same read-modify-write (x++, x += n, append) run by several goroutines at once"
        ex.fix = "use sync/atomic (atomic.Int64.Add) for counters, or hold a sync.Mutex around the update"
    else:
        ex.cause = "two goroutines use the same memory, at least one writing, with nothing ordering them"
        ex.fix = ("protect the data with one sync.Mutex held by every access, or pass ownership over a "
                  "channel; a WaitGroup.Wait or channel receive before the second access also orders them")
    return ex


_CRASH_FIX = {
    F.CONCURRENT_MAP[0]: ("a map used by several goroutines without a lock",
                          "guard the map with a sync.Mutex, or merge per-goroutine maps after wg.Wait()"),
    F.CLOSED_CHANNEL[0]: ("a channel closed while others could still send on it (or closed twice)",
                          "let the one owner of the channel close it, after every sender is done "
                          "(wg.Wait() then close); receivers never close"),
    F.WAITGROUP_MISUSE[0]: ("Done called more often than Add counted, or Add racing with Wait",
                            "call Add(1) before each `go`, and exactly one `defer wg.Done()` at the top of the "
                            "goroutine (rules GC2001, GC2002)"),
    F.UNLOCK_UNLOCKED[0]: ("a path that releases the lock twice, or releases a lock it never took",
                           "`mu.Lock(); defer mu.Unlock()` and no other Unlock in that function"),
}


def _crash(d: Diagnostic, c: Crash, loc: F.Locator, waiting) -> Explanation:
    if d.code == F.DEADLOCK[0]:
        return _blocked(d, c.goroutines, waiting, loc)
    ex = Explanation(d)
    ex.facts.append(f"{c.kind}: {c.message}")
    g = c.goroutines[0] if c.goroutines else None
    if g is not None:
        f = loc.user_frame(g.frames)
        if f is not None:
            ex.facts.append(f"in goroutine {g.id} at {f.short_func} ({loc.short(f)})")
        if g.created_by is not None and loc.is_user(g.created_by):
            ex.facts.append(f"goroutine {g.id} was started at {loc.short(g.created_by)}")
    ex.cause, ex.fix = _CRASH_FIX.get(d.code, ("", ""))
    return ex


def _blocked(d: Diagnostic, goroutines, waiting, loc: F.Locator) -> Explanation:
    ex = Explanation(d)
    here = waiting.get((d.span.path, d.span.start.line), [])
    state = here[0].state if here else ""
    for g in here[:5]:
        by = f" (started at {loc.short(g.created_by)})" if g.created_by and loc.is_user(g.created_by) else ""
        mins = f" for {g.minutes} minutes" if g.minutes else ""
        ex.facts.append(f"goroutine {g.id} waits in {state}{mins}{by}")
    locks = sum(1 for g in goroutines if g.state.startswith(("sync.Mutex.Lock", "sync.RWMutex")))
    if state.startswith(("sync.Mutex.Lock", "sync.RWMutex")):
        if locks >= 2:
            ex.cause = ("goroutines waiting for locks that other waiting goroutines hold: two locks taken in "
                        "opposite orders (AB-BA), or a lock never released (rule GC3002)")
            ex.fix = ("take nested locks in one global order everywhere, or avoid holding one lock while taking "
                      "another; `defer mu.Unlock()` right after every Lock")
        else:
            ex.cause = "a lock that is never released: some path returned or panicked while holding it (rule GC3002)"
            ex.fix = "`mu.Lock(); defer mu.Unlock()`, or unlock on every return path"
    elif state.startswith("chan send"):
        ex.cause = "a send that no goroutine will ever receive: the receiver returned early (timeout, error)"
        ex.fix = "give the channel a buffer of 1 for a single result, or select on ctx.Done() beside the send"
    elif state.startswith("chan receive"):
        ex.cause = "a receive from a channel that no goroutine will send on or close"
        ex.fix = "close the channel when the producer is done (its owner closes), or select on ctx.Done()"
    elif state.startswith("select"):
        ex.cause = "a select none of whose cases can proceed: no sender, no receiver, no cancellation"
        ex.fix = "add a `case <-ctx.Done(): return` and cancel the context when the work is abandoned"
    elif state.startswith(("sync.WaitGroup.Wait", "semacquire")):
        ex.cause = ("Wait for a counter that never reaches zero: a Done that did not run (early return, "
                    "panic; rule GC2002) or an Add counted too many")
        ex.fix = "`defer wg.Done()` as the first statement of each goroutine, and Add exactly once per goroutine"
    elif state.startswith("sync.Cond.Wait"):
        ex.cause = "a Cond.Wait whose Signal or Broadcast never comes (or came before the Wait)"
        ex.fix = "wait in a loop on the condition itself, and Broadcast after every change of it"
    return ex
