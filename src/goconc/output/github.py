"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=p/c.go,line=11,endLine=11,col=2,endColumn=12,title=GC3002 lock-not-released::lock on c.mu ...

Printed to the log of a workflow step, each line becomes an annotation on the pull request's
diff (GitHub shows at most 10 errors and 10 warnings per step; the log and SARIF have all).
- Severity: error -> `::error`, warning -> `::warning`, info -> `::notice`.
- `file` is relative to the repository root (the git work tree around the working directory),
  which is what GitHub resolves it against, also when goconc runs in a subdirectory; a file
  outside the root keeps its absolute path (GitHub shows such annotations without a file).
- `col`/`endColumn` count characters (code points), not bytes; `endColumn` is sent only when
  the finding starts and ends on one line, as GitHub's annotations require.
- Related locations are added to the message as `note:` lines, so one finding stays one
  annotation.
- Escaping as actions/toolkit's `command.ts`: in the message `%`, CR and LF become `%25`,
  `%0D`, `%0A`; in property values also `:` and `,` (`%3A`, `%2C`).
- Input that could not be analysed (`Problem`s) becomes an `::error` without a file.
"""

from __future__ import annotations

from collections.abc import Callable

from goconc.model import Diagnostic, RunResult, Severity
from goconc.output.locations import Locator

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def command(name: str, props: dict[str, str | int], message: str) -> str:
    """`::name k=v,k=v::message` with both parts escaped."""
    head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
    return f"::{name}{' ' + head if head else ''}::{escape_data(message)}"


def annotation(d: Diagnostic, loc: Locator) -> str:
    s = d.span
    path = loc.relative(s.path) or s.path
    props: dict[str, str | int] = {"file": path, "line": s.start.line, "endLine": s.end.line,
                                   "col": loc.column(s.path, s.start.line, s.start.column)}
    if s.end.line == s.start.line:
        props["endColumn"] = loc.column(s.path, s.end.line, s.end.column)
    props["title"] = f"{d.code} {d.name}"
    notes = []
    for r in d.related:
        rs = r.span
        col = loc.column(rs.path, rs.start.line, rs.start.column)
        notes.append(f"note: {r.message} ({loc.relative(rs.path) or rs.path}:{rs.start.line}:{col})")
    message = "\n".join([d.message, *notes])
    return command(_COMMAND[d.severity], props, message)


def render(result: RunResult, read_source: Callable[[str], str | None], *, root: str | None = None) -> str:
    loc = Locator(read_source, root)
    out = [command("error", {"title": "goconc"}, str(p)) for p in result.problems]
    out += [annotation(d, loc) for d in result.diagnostics]
    return "\n".join(out) + ("\n" if out else "")
