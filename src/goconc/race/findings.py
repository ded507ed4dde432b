"""What the runtime printed (model.py) -> findings tied to source lines (pure functions).

Each finding sits on the user frame nearest the top of the stack that matters (the first access
of a race, the goroutine that panicked, where a blocked goroutine waits); standard-library and
runtime frames are trimmed. Related locations carry the other access and the goroutines' creation
sites. Reports of the same pair of source lines are merged, with a count.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from goconc.model import Diagnostic, Position, Related, Severity, Span
from goconc.race.model import Crash, Frame, Goroutine, RaceReport

ADDED_FILE = "zz_goconc_leakcheck_test.go"  # the leak check goconc adds (leakcheck.py)
from goconc.race.parser import is_blocking_state

DATA_RACE = ("GC9001", "data-race", Severity.ERROR)
DEADLOCK = ("GC9002", "deadlock", Severity.ERROR)
GOROUTINE_LEAK = ("GC9003", "goroutine-leak", Severity.WARNING)
CONCURRENT_MAP = ("GC9004", "concurrent-map-access", Severity.ERROR)
CLOSED_CHANNEL = ("GC9005", "closed-channel-misuse", Severity.ERROR)
WAITGROUP_MISUSE = ("GC9006", "waitgroup-misuse", Severity.ERROR)
UNLOCK_UNLOCKED = ("GC9007", "unlock-of-unlocked-mutex", Severity.ERROR)

# Runtime messages -> (rule, explanation). Strings from $GOROOT/src (ECOSYSTEM.md 6.3).
CRASH_KINDS: list[tuple[str, tuple[str, str, Severity], str]] = [
    ("concurrent map writes", CONCURRENT_MAP, "two goroutines wrote this map at the same time"),
    ("concurrent map read and map write", CONCURRENT_MAP, "a goroutine read this map while another wrote it"),
    ("concurrent map iteration and map write", CONCURRENT_MAP,
     "a goroutine ranged over this map while another wrote it"),
    ("concurrent map clone and map write", CONCURRENT_MAP, "maps.Clone ran while another goroutine wrote the map"),
    ("send on closed channel", CLOSED_CHANNEL, "a send on a channel that another goroutine had already closed"),
    ("close of closed channel", CLOSED_CHANNEL, "the channel was closed twice"),
    ("close of nil channel", CLOSED_CHANNEL, "close of a nil channel"),
    ("sync: negative WaitGroup counter", WAITGROUP_MISUSE, "Done was called more times than Add counted"),
    ("sync: WaitGroup misuse: Add called concurrently with Wait", WAITGROUP_MISUSE,
     "Add ran while another goroutine was already in Wait"),
    ("sync: WaitGroup is reused before previous Wait has returned", WAITGROUP_MISUSE,
     "the WaitGroup was reused before the previous Wait returned"),
    ("sync: unlock of unlocked mutex", UNLOCK_UNLOCKED, "Unlock of a mutex that was not locked"),
    ("sync: Unlock of unlocked RWMutex", UNLOCK_UNLOCKED, "Unlock of an RWMutex that was not locked"),
    ("sync: RUnlock of unlocked RWMutex", UNLOCK_UNLOCKED, "RUnlock of an RWMutex that was not read-locked"),
    ("all goroutines are asleep - deadlock!", DEADLOCK, "every goroutine is blocked"),
]


@dataclass
class Locator:
    """Turns frames into spans: which frames are user code, how a path is shown, which line
    column a finding starts at. `source_dirs` maps paths printed on another machine (production
    logs, CI) onto a local checkout by their longest matching suffix."""

    goroot: str | None = None
    display: Callable[[str], str] = lambda p: p
    read_lines: Callable[[str], list[str] | None] = lambda p: None
    source_dirs: tuple[str, ...] = ()
    _index: dict[str, list[str]] | None = field(default=None, repr=False)
    _resolved: dict[str, str | None] = field(default_factory=dict, repr=False)
    _spans: dict[tuple[str, int], Span] = field(default_factory=dict, repr=False)
    _lines: dict[str, list[str] | None] = field(default_factory=dict, repr=False)

    def is_user(self, f: Frame) -> bool:
        return not f.is_std(self.goroot) and f.line > 0 \
            and not f.file.endswith(("_testmain.go", "/" + ADDED_FILE))  # the go command's and goconc's own

    def user_frame(self, frames: Iterable[Frame]) -> Frame | None:
        return next((f for f in frames if self.is_user(f)), None)

    def local(self, path: str) -> str | None:
        """The local file for a printed path: itself, or the best suffix match under source_dirs."""
        if path in self._resolved:
            return self._resolved[path]
        found: str | None = None
        if not self.source_dirs and os.path.isfile(path):
            found = path
        elif self.source_dirs:
            if self._index is None:
                self._index = {}
                for d in self.source_dirs:
                    for dirpath, dirnames, filenames in os.walk(d):
                        dirnames[:] = [x for x in dirnames if not x.startswith(".")]
                        for name in filenames:
                            if name.endswith(".go"):
                                self._index.setdefault(name, []).append(os.path.join(dirpath, name))
            parts = path.replace("\\", "/").split("/")
            best = 0
            for cand in self._index.get(parts[-1], ()):
                cparts = cand.split(os.sep)
                k = 0
                while k < min(len(parts), len(cparts)) and parts[-1 - k] == cparts[-1 - k]:
                    k += 1
                if k > best:
                    best, found = k, cand
        self._resolved[path] = found
        return found

    def span(self, f: Frame) -> Span:
        key = (f.file, f.line)
        got = self._spans.get(key)
        if got is None:
            got = self._spans[key] = self._span(f)
        return got

    def lines_of(self, local: str) -> list[str] | None:
        if local not in self._lines:
            self._lines[local] = self.read_lines(local)  # once per file, however many lines are named
        return self._lines[local]

    def _span(self, f: Frame) -> Span:
        local = self.local(f.file)
        shown = self.display(local) if local else f.file
        col = end = 1
        lines = self.lines_of(local) if local else None
        if lines and 0 < f.line <= len(lines):
            text = lines[f.line - 1].rstrip("\r")
            col = len(text) - len(text.lstrip(" \t")) + 1
            end = len(text.encode("utf-8")) + 1  # the whole statement: the runtime names lines, not columns
        return Span(shown, Position(f.line, col), Position(f.line, max(col, end)))

    def short(self, f: Frame) -> str:
        return f"{os.path.basename(f.file)}:{f.line}"


def _diag(kind: tuple[str, str, Severity], message: str, span: Span, related: Iterable[Related] = ()) -> Diagnostic:
    return Diagnostic(kind[0], kind[1], kind[2], message, span, tuple(related))


def _times(n: int) -> str:
    return "" if n <= 1 else f" (seen {n} times)"


# --------------------------------------------------------------------------------------------
# Data races


def _access_words(stack: tuple[Frame, ...], kind: str, atomic: bool) -> str:
    top = stack[0].func if stack else ""
    what = "map " if top.startswith(("runtime.map", "internal/runtime/maps.")) else ""
    if top.startswith(("runtime.slicecopy", "runtime.growslice")):
        what = "slice "
    return ("atomic " if atomic else "") + what + kind


def race_findings(reports: Iterable[RaceReport], loc: Locator) -> list[Diagnostic]:
    """One finding per pair of racing source lines, however often it was reported."""
    return [d for d, _ in race_groups(reports, loc)]


def race_groups(reports: Iterable[RaceReport], loc: Locator) -> list[tuple[Diagnostic, RaceReport]]:
    """race_findings, each with the first report it stands for."""
    merged: dict[tuple, list[RaceReport]] = {}
    for r in reports:
        frames = [loc.user_frame(a.stack) for a in r.accesses]
        if all(f is None for f in frames):
            continue  # both accesses inside the standard library: nothing of the user's to show
        pair = tuple(sorted((f.file, f.line) for f in frames if f is not None))
        merged.setdefault(pair, []).append(r)
    out = []
    for group in merged.values():
        r = group[0]
        first, other = _primary(r, loc)
        f0 = loc.user_frame(first.stack)
        assert f0 is not None
        words0 = _access_words(first.stack, first.kind, first.atomic)
        related: list[Related] = []
        msg = f"data race: {words0} in {f0.short_func} ({_who(first.goroutine)})"
        if other is not None:
            f1 = loc.user_frame(other.stack)
            words1 = _access_words(other.stack, other.kind, other.atomic)
            if f1 is not None:
                msg += f" races with a {words1} in {f1.short_func} at {loc.short(f1)} ({_who(other.goroutine)})"
                related.append(Related(loc.span(f1), f"the other access: {words1} by {_who(other.goroutine)}"))
            else:
                msg += f" races with a {words1} by {_who(other.goroutine)} in the standard library"
        tests = sorted({g.test for g in group if g.test})
        if tests:
            msg += f"; during {', '.join(tests[:3])}" + ("..." if len(tests) > 3 else "")
        msg += _times(len(group))
        related += _started_here(loc, [(loc.user_frame(c.stack), c.goroutine) for c in r.creations])
        out.append((_diag(DATA_RACE, msg, loc.span(f0), _unique(related)), r))
    return out


def _primary(r: RaceReport, loc: Locator):
    """(the access a finding sits on, the other one). Which access the detector prints first
    depends on timing; the finding must not: the write when only one access writes, else the
    access of the earlier source line."""
    if len(r.accesses) < 2:
        return r.accesses[0], None
    a, b = r.accesses[0], r.accesses[1]
    fa, fb = loc.user_frame(a.stack), loc.user_frame(b.stack)
    if fb is None:
        return a, b
    if fa is None or (b.kind == "write") != (a.kind == "write"):
        return (b, a) if b.kind == "write" or fa is None else (a, b)
    return (a, b) if (fa.file, fa.line) <= (fb.file, fb.line) else (b, a)


def _who(g: int | None) -> str:
    return "main goroutine" if g is None else f"goroutine {g}"


def _unique(related: list[Related]) -> list[Related]:
    seen = set()
    out = []
    for r in related:
        key = (r.span.path, r.span.start.line, r.message)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


# --------------------------------------------------------------------------------------------
# Crashes, deadlocks, leaks


def crash_kind(message: str) -> tuple[tuple[str, str, Severity], str] | None:
    for text, kind, why in CRASH_KINDS:
        if message.startswith(text):
            return kind, why
    return None


def crash_findings(crash: Crash, loc: Locator, *, test: str | None = None) -> list[Diagnostic]:
    """A runtime panic or fatal error that is a concurrency bug; a test timeout is a deadlock."""
    if crash.message.startswith("test timed out after"):
        tests = ", ".join(crash.running_tests) or test or "the test"
        return blocked_findings(crash.goroutines, loc, DEADLOCK,
                                f"when {tests} timed out after {crash.message.rsplit(' ', 1)[-1]}",
                                only_blocking=True)
    known = crash_kind(crash.message)
    if known is None:
        return []
    kind, why = known
    if kind is DEADLOCK:
        return blocked_findings(crash.goroutines, loc, DEADLOCK, "when the runtime found every goroutine asleep "
                                "(fatal error: all goroutines are asleep - deadlock!)", only_blocking=False)
    g = crash.goroutines[0] if crash.goroutines else None
    f = loc.user_frame(_after_last_panic(g.frames)) if g else None
    if f is None:
        return []
    related = _started_here(loc, [(g.created_by, g.id)]) if g is not None else []
    where = f" during {test}" if test else ""
    msg = f"{crash.kind}: {crash.message} in {f.short_func}{where}: {why}"
    return [_diag(kind, msg, loc.span(f), related)]


def _after_last_panic(frames: tuple[Frame, ...]) -> tuple[Frame, ...]:
    """The frames below the last `panic(...)` call: a deferred function that recovers and panics
    again sits above it, and the code that really failed below it."""
    last = max((i for i, f in enumerate(frames) if f.func == "panic"), default=-1)
    return frames[last + 1:] if 0 <= last < len(frames) - 1 else frames


def blocked_findings(goroutines: Iterable[Goroutine], loc: Locator, kind: tuple[str, str, Severity],
                     when: str, *, only_blocking: bool = True) -> list[Diagnostic]:
    """Blocked goroutines, grouped by where they wait and on what (as panicparse groups them)."""
    groups: dict[tuple, list[tuple[Goroutine, Frame]]] = {}
    for g in goroutines:
        if g.state in ("running", "runnable", "syscall") or (only_blocking and not is_blocking_state(g.state)):
            continue
        f = loc.user_frame(g.frames)
        if f is None:
            continue
        groups.setdefault((g.state, f.file, f.line), []).append((g, f))
    out = []
    for (state, _, _), members in groups.items():
        g, f = members[0]
        n = len(members)
        noun = "goroutine" if n == 1 else "goroutines"
        minutes = max(m.minutes for m, _ in members)
        waited = f", waiting {minutes} minutes" if minutes else ""
        verb = "leaked" if kind is GOROUTINE_LEAK else "blocked"
        msg = f"{n} {noun} {verb} in {state} in {f.short_func}{waited} {when}"
        related = _started_here(loc, [(m.created_by, m.id) for m, _ in members])
        out.append(_diag(kind, msg, loc.span(f), related))
    return out


def _started_here(loc: Locator, sites: Iterable[tuple[Frame | None, int]]) -> list[Related]:
    """One related location per creation site in user code, naming the goroutines started there."""
    by: dict[tuple[str, int], tuple[Frame, list[int]]] = {}
    for f, gid in sites:
        if f is not None and loc.is_user(f):
            by.setdefault((f.file, f.line), (f, []))[1].append(gid)
    return [Related(loc.span(f), _started(ids)) for f, ids in by.values()]


def _started(ids: list[int]) -> str:
    if len(ids) == 1:
        return f"goroutine {ids[0]} was started here"
    return f"goroutines {', '.join(map(str, sorted(ids)))} were started here"
