"""Pure parsers for what Go prints about concurrency: text in, model.py dataclasses out.

Formats (see ECOSYSTEM.md section 6, and `runtime/traceback.go`, `runtime/race/output_test.go`):

- race reports: a block between two lines of 18 `=`, starting `WARNING: DATA RACE`; access
  headers `Read at 0x.. by goroutine 7:` / `Previous write at 0x.. by main goroutine:`; frames as
  `  pkg.F()` + `      /path/f.go:12 +0x1d`; `Goroutine 7 (running) created at:`.
- goroutine dumps: `goroutine 7 [chan send, 2 minutes]:` (with `gp= m=` after throws, `(leaked)`
  from the goroutineleak profile, `{labels}` since Go 1.27), frames `pkg.F(args)` +
  `\t/path/f.go:12 +0x1d`, and `created by pkg.G in goroutine 1` (Go 1.21+; older releases omit
  ` in goroutine N`).
- crashes: `panic: msg` (with `[recovered]` variants) or `fatal error: msg`, then the goroutines.
- `go test -json` event streams (test2json), including the build events of Go 1.24+.

Nothing here starts a process or reads a file; every function is tested on captured output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from goconc.race.model import Access, Crash, Creation, Frame, Goroutine, RaceReport, TestOutput

_RULE = "=================="
_ACCESS = re.compile(
    r"^(?P<prev>Previous )?(?P<atomic>[Aa]tomic )?(?P<kind>[Rr]ead|[Ww]rite) at (?P<addr>0x[0-9a-fA-F]+) "
    r"by (?:goroutine (?P<g>\d+)|(?P<main>main goroutine)):\s*$")
_CREATED_AT = re.compile(r"^Goroutine (?P<g>\d+) \((?P<state>[a-z ]+)\) created at:\s*$")
_LOCATION = re.compile(r"^\s+(?P<file>\S.*?):(?P<line>\d+)(?: \+0x[0-9a-fA-F]+)?(?: fp=\S+ sp=\S+ pc=\S+)?\s*$")
_GOROUTINE = re.compile(
    r"^goroutine (?P<id>\d+)(?: [a-z]+=\S+)* \[(?P<status>[^\]]*)\](?: \{.*\})?:\s*$")
_CREATED_BY = re.compile(r"^created by (?P<func>\S+?)(?: in goroutine (?P<parent>\d+))?\s*$")
_CRASH = re.compile(r"^(?P<kind>panic|fatal error): (?P<msg>.*?)\s*$")
_MINUTES = re.compile(r"^(\d+) minutes$")


# --------------------------------------------------------------------------------------------
# Frames


def decode_log(data: bytes) -> str:
    """Logs as they come: UTF-8 (with or without BOM) or UTF-16 (Windows PowerShell `>`), CRLF."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        text = data.decode("utf-8-sig", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_call(text: str) -> tuple[str, str] | None:
    """`pkg.(*T).M(0x1, {0x2})` -> (`pkg.(*T).M`, `0x1, {0x2}`); None when not a call line."""
    text = text.strip()
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
            if depth == 0:
                func = text[:i]
                return (func, text[i + 1:-1]) if func and " " not in func else None
    return None


def _frames(lines: list[str], i: int) -> tuple[list[Frame], Frame | None, int | None, int]:
    """Frames starting at lines[i]: (frames, created-by frame, parent goroutine, next index).

    Stops at a blank line or at anything that is not a frame."""
    frames: list[Frame] = []
    created: Frame | None = None
    parent: int | None = None
    n = len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            break
        stripped = line.strip()
        if stripped.startswith("...") and "frames elided" in stripped:
            i += 1
            continue
        cb = _CREATED_BY.match(stripped)
        if cb:
            loc = _LOCATION.match(lines[i + 1]) if i + 1 < n else None
            created = Frame(cb.group("func"), loc.group("file") if loc else "", int(loc.group("line")) if loc else 0)
            parent = int(cb.group("parent")) if cb.group("parent") else None
            i += 2 if loc else 1
            continue
        call = _split_call(stripped)
        loc = _LOCATION.match(lines[i + 1]) if i + 1 < n else None
        if call is None or loc is None:
            break
        frames.append(Frame(call[0], loc.group("file"), int(loc.group("line")), call[1]))
        i += 2
    return frames, created, parent, i


# --------------------------------------------------------------------------------------------
# Race reports


def parse_races(text: str, *, test: str | None = None, package: str | None = None) -> list[RaceReport]:
    """Every `WARNING: DATA RACE` block of `text`, in order."""
    lines = text.splitlines()
    out: list[RaceReport] = []
    i, n = 0, len(lines)
    while i < n:
        if lines[i].strip() == "WARNING: DATA RACE" and i > 0 and lines[i - 1].strip() == _RULE:
            start = i - 1
            end = i + 1
            while end < n and lines[end].strip() != _RULE:
                end += 1
            report = _race_block(lines[i + 1:end], test, package, "\n".join(lines[start:end + 1]))
            if report is not None:
                out.append(report)
            i = end + 1
            continue
        i += 1
    return out


def _race_block(lines: list[str], test: str | None, package: str | None, text: str) -> RaceReport | None:
    accesses: list[Access] = []
    creations: list[Creation] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i].strip()
        m = _ACCESS.match(line)
        if m:
            frames, _, _, i = _frames(lines, i + 1)
            accesses.append(Access(m.group("kind").lower(), bool(m.group("prev")), bool(m.group("atomic")),
                                   m.group("addr"), None if m.group("main") else int(m.group("g")),
                                   tuple(frames)))
            continue
        m = _CREATED_AT.match(line)
        if m:
            frames, _, _, i = _frames(lines, i + 1)
            creations.append(Creation(int(m.group("g")), m.group("state"), tuple(frames)))
            continue
        i += 1  # blank lines, and lines a future release may add
    if not accesses:
        return None
    accesses.sort(key=lambda a: a.previous)  # the current access first
    return RaceReport(tuple(accesses), tuple(creations), test, package, text)


# --------------------------------------------------------------------------------------------
# Goroutine dumps and crashes


def parse_goroutines(text: str) -> list[Goroutine]:
    """Every `goroutine N [...]:` block of `text`, in order."""
    return _goroutines(text.splitlines(), 0)[0]


def _goroutines(lines: list[str], i: int, *, stop_at_text: bool = False) -> tuple[list[Goroutine], int]:
    out: list[Goroutine] = []
    n = len(lines)
    while i < n:
        m = _GOROUTINE.match(lines[i].strip())
        if not m:
            if stop_at_text and out and lines[i].strip() and not lines[i].startswith(("\t", " ")):
                break  # the dump has ended: `FAIL pkg`, `exit status 2`, ...
            i += 1  # blank, or `\tgoroutine running on other thread; stack unavailable`
            continue
        frames, created, parent, i = _frames(lines, i + 1)
        state, minutes, leaked, locked = _status(m.group("status"))
        out.append(Goroutine(int(m.group("id")), state, minutes, leaked, locked, tuple(frames), created, parent))
    return out, i


_LABELS = re.compile(r" labels:\{.*\}")


def _status(status: str) -> tuple[str, int, bool, bool]:
    status = _LABELS.sub("", status)  # Go 1.26 GODEBUG=tracebacklabels=1: `[select labels:{"k": "v"}]`
    parts = [p.strip() for p in status.split(",")]
    state = parts[0] if parts else ""
    leaked = False
    for suffix in (" (durable)", " (leaked)"):
        if state.endswith(suffix):
            leaked = leaked or suffix == " (leaked)"
            state = state[:-len(suffix)]
    minutes, locked = 0, False
    for p in parts[1:]:
        mm = _MINUTES.match(p)
        if mm:
            minutes = int(mm.group(1))
        elif p == "locked to thread":
            locked = True
    return state, minutes, leaked, locked


_RECOVERED = re.compile(r"\s*\[recovered(?:, repanicked)?\]$")


def parse_crashes(text: str) -> list[Crash]:
    """Every `panic:` / `fatal error:` of `text`, with the goroutines printed after it.

    A panic re-raised by the testing package prints `panic: X [recovered]` then `panic: X`:
    such a chain is one crash."""
    lines = text.splitlines()
    out: list[Crash] = []
    i, n = 0, len(lines)
    while i < n:
        m = _CRASH.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        kind, msg = m.group("kind"), _RECOVERED.sub("", m.group("msg"))
        running: list[str] = []
        i += 1
        dump = False
        while i < n:
            line = lines[i]
            if _GOROUTINE.match(line.strip()):
                dump = True
                break
            if _CRASH.match(line):  # the re-panic of a recovered panic: one crash, first message
                i += 1
                continue
            if line.strip() == "running tests:":
                i += 1
                while i < n and lines[i].startswith("\t\t"):
                    running.append(lines[i].strip().split(" ", 1)[0])
                    i += 1
                continue
            if line.strip() and not line.startswith(("\t", " ", "[")):
                break  # ordinary output again: this crash printed no goroutines
            i += 1
        if not dump:
            out.append(Crash(kind, msg, (), tuple(running), "\n".join(lines[start:i])))
            continue
        goroutines, i = _goroutines(lines, i, stop_at_text=True)
        out.append(Crash(kind, msg, tuple(goroutines), tuple(running), "\n".join(lines[start:i])))
    return out


def is_blocking_state(state: str) -> bool:
    """Wait reasons of a goroutine blocked on a channel or a sync primitive (it needs another
    goroutine to go on), as opposed to running, sleeping or waiting for I/O or a syscall."""
    return state.startswith(("chan send", "chan receive", "select", "sync.", "semacquire", "sync.Cond.Wait")) \
        or state in ("sleep on synctest bubble",)


def group_goroutines(goroutines: Iterable[Goroutine]) -> list[tuple[Goroutine, int]]:
    """Goroutines with the same state, stack and creation site, as panicparse groups them: one
    representative and the count, in order of first appearance."""
    groups: dict[tuple, list[Goroutine]] = {}
    for g in goroutines:
        key = (g.state, tuple((f.func, f.file, f.line) for f in g.frames),
               (g.created_by.func, g.created_by.file, g.created_by.line) if g.created_by else None)
        groups.setdefault(key, []).append(g)
    return [(gs[0], len(gs)) for gs in groups.values()]


# --------------------------------------------------------------------------------------------
# go test -json


def _tested_package(import_path: str) -> str:
    """`a/b_test [a/b.test]` and `a/b [a/b.test]` -> `a/b`: the package go test reports on."""
    head, _, bracket = import_path.partition(" [")
    if bracket.endswith(".test]"):
        return bracket[:-len(".test]")]
    return head


def parse_test_json(text: str) -> dict[str, TestOutput]:
    """`go test -json` output -> one TestOutput per package, in order of first appearance.

    Lines that are not JSON (early errors of the go command on stderr) are kept under the
    package "" as build output."""
    out: dict[str, TestOutput] = {}

    def pkg(name: str) -> TestOutput:
        got = out.get(name)
        if got is None:
            got = out[name] = TestOutput(name)
        return got

    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            pkg("").build_output += line + "\n"
            continue
        if not isinstance(ev, dict):
            continue
        action = ev.get("Action", "")
        if "ImportPath" in ev:  # a BuildEvent (Go 1.24+)
            p = pkg(_tested_package(str(ev["ImportPath"])))
            if action == "build-output":
                p.build_output += ev.get("Output", "")
            elif action == "build-fail":
                p.build_failed = True
            continue
        name = ev.get("Package")
        if not name:
            continue
        p = pkg(name)
        test = ev.get("Test")
        if ev.get("FailedBuild"):
            p.build_failed = True
        if action == "output":
            o = ev.get("Output", "")
            p.output += o
            if test:
                top = test.split("/", 1)[0]
                p.by_test[top] = p.by_test.get(top, "") + o
            elif o.startswith("?") and "[no test files]" in o:
                p.no_test_files = True
        elif action in ("pass", "fail"):
            if test:
                if action == "fail" and test not in p.failed_tests:
                    p.failed_tests.append(test)
            else:
                p.passed = action == "pass"
                p.elapsed = ev.get("Elapsed")
        elif action == "skip" and not test:
            p.passed = True
    return out
