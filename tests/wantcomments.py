r"""analysistest-style expectations in Go fixtures.

    x.mu.Lock() // want "not released" `line \d+`
    y := z      // todo-want "copies lock"   (a known false negative)

Each quoted (Go "..." or `raw`) regexp on a line must match the message of a distinct finding
reported on that line; any finding without a matching expectation is unexpected. A
`todo-want` marks a known miss: the test fails once the rule starts reporting it, so that
someone promotes the marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WANT = re.compile(r"//\s*(want|todo-want)\s+(.*)$")
_PATTERN = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`')


@dataclass
class Expectation:
    path: str
    line: int
    patterns: list[str] = field(default_factory=list)
    todo: bool = False


def _unquote(s: str) -> str:
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)) if m.group(1) in '"\\nt' else "\\" + m.group(1), s)


def parse(path: str, text: str) -> list[Expectation]:
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        m = _WANT.search(line)
        if not m:
            continue
        pats = []
        for pm in _PATTERN.finditer(m.group(2)):
            pats.append(_unquote(pm.group(1)) if pm.group(1) is not None else pm.group(2))
        if pats:
            out.append(Expectation(path, i, pats, m.group(1) == "todo-want"))
    return out


def check(expectations: list[Expectation], findings) -> list[str]:
    """Problems, as readable lines: missing expected findings, unexpected ones, fixed todos."""
    problems: list[str] = []
    by_line: dict[tuple[str, int], list] = {}
    for d in findings:
        by_line.setdefault((d.span.path, d.span.start.line), []).append(d)
    for exp in expectations:
        got = by_line.get((exp.path, exp.line), [])
        for pat in exp.patterns:
            hit = next((d for d in got if re.search(pat, d.message)), None)
            if exp.todo:
                if hit is not None:
                    problems.append(f"{exp.path}:{exp.line}: todo-want {pat!r} is now reported; "
                                    f"promote it to want: {hit.message}")
                    got.remove(hit)
                continue
            if hit is None:
                msgs = "; ".join(d.message for d in got) or "nothing"
                problems.append(f"{exp.path}:{exp.line}: want {pat!r}, got {msgs}")
            else:
                got.remove(hit)
    for (path, line), rest in sorted(by_line.items()):
        for d in rest:
            problems.append(f"{path}:{line}: unexpected finding: {d.message} ({d.code})")
    return problems
