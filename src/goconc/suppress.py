"""In-source suppressions.

    x.mu.Lock() //goconc:ignore GC3002 released by the caller, see unlockAll
    //goconc:ignore lock-not-released released by the caller
    x.mu.Lock()
    //goconc:file-ignore GC3005 barrier idiom used throughout this file

A line directive applies to its own line and, when it stands alone on its line, to the next
line. A reason is required. A directive that suppressed nothing is reported (unused-suppression),
but only when every rule it names ran, so `--select` does not make valid directives look stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from goconc.model import (
    MALFORMED_SUPPRESSION,
    UNUSED_SUPPRESSION,
    Diagnostic,
    Position,
    Severity,
    Span,
    engine_diagnostic,
)
from goconc.registry import find
from goconc.source import GoFile

_DIRECTIVE = re.compile(rb"//goconc:(ignore|file-ignore)\b[ \t]*([^\r\n]*)")
_CODE = re.compile(r"^(GC\d{4}|[a-z][a-z0-9]*(?:-[a-z0-9]+)*)$")


@dataclass
class Directive:
    start: Position  # of the comment
    end: Position
    keys: list[str]  # rule codes (names and lower-case codes are resolved when parsing)
    file_wide: bool
    applies_to: set[int] = field(default_factory=set)
    used: bool = False


def parse(gf: GoFile) -> tuple[list[Directive], list[Diagnostic]]:
    """Directives of a file, plus findings for malformed ones."""
    src = gf.src
    if b"//goconc:" not in src:
        return [], []
    directives: list[Directive] = []
    bad: list[Diagnostic] = []
    root = gf.root
    for m in _DIRECTIVE.finditer(src):
        at = root.descendant_for_byte_range(m.start(), m.start() + 1)
        if at is None or at.type != "comment":
            continue  # inside a string literal, or text the parser could not read
        start = gf.offset_pos(m.start())
        end = gf.offset_pos(m.end())
        kind = m.group(1).decode()
        rest = m.group(2).decode("utf-8", "replace").strip()
        parts = rest.split(None, 1)
        keys = [k for k in parts[0].split(",") if k] if parts else []
        reason = parts[1].strip() if len(parts) > 1 else ""
        problem = None
        if not keys:
            problem = f"//goconc:{kind} needs a rule code or name, then a reason"
        elif not all(_CODE.match(k.lower()) for k in keys):
            problem = f"//goconc:{kind}: {parts[0]!r} is not a rule code or name"
        elif any(find(k) is None for k in keys):
            unknown = next(k for k in keys if find(k) is None)
            problem = f"//goconc:{kind}: unknown rule {unknown!r} (see `goconc rules`)"
        elif not reason:
            problem = f"//goconc:{kind} {parts[0]} needs a reason after the rule"
        if problem:
            from goconc.model import Position, Span

            bad.append(Diagnostic(MALFORMED_SUPPRESSION[0], MALFORMED_SUPPRESSION[1], Severity.WARNING,
                                  problem, Span(gf.path, start, Position(end.line, end.column, m.end()))))
            continue
        codes = [find(k).code for k in keys]  # type: ignore[union-attr]  # gc3002, names: one spelling
        d = Directive(start, end, codes, kind == "file-ignore")
        line_start = src.rfind(b"\n", 0, m.start()) + 1
        alone = src[line_start:m.start()].strip() == b""
        d.applies_to = {start.line}
        if alone:
            d.applies_to.add(start.line + 1)
        directives.append(d)
    return directives, bad


def apply(gf: GoFile, diags: Iterable[Diagnostic], enabled: set[str]) -> list[Diagnostic]:
    """Drop suppressed findings; add malformed and unused directive findings."""
    diags = list(diags)
    directives, out = parse(gf)
    if MALFORMED_SUPPRESSION[0] not in enabled:
        out = []
    if not directives:
        return diags + out
    for d in diags:
        hit = False
        for dr in directives:
            if d.code in dr.keys and (dr.file_wide or d.span.start.line in dr.applies_to):
                dr.used = True
                hit = True
        if not hit:
            out.append(d)
    for dr in directives:
        if dr.used or not all(k in enabled for k in dr.keys):
            continue
        if UNUSED_SUPPRESSION[0] not in enabled and UNUSED_SUPPRESSION[1] not in enabled:
            continue
        what = "file-ignore" if dr.file_wide else "ignore"
        out.append(engine_diagnostic(UNUSED_SUPPRESSION, Severity.WARNING,
                                     f"//goconc:{what} {','.join(dr.keys)} suppressed nothing; remove it",
                                     Span(gf.path, dr.start, dr.end)))
    return out
