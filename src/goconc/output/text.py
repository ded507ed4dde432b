r"""`path:line:col: message (CODE)` lines, as go vet and staticcheck print them.

Each related location follows its finding as an indented note that names the place at the end:

    p/c.go:11:2: lock on c.mu is not released ... (GC3002)
        note: returns with c.mu still locked (p/c.go:13:3)

so that CI problem matchers (`^(.+?):(\d+):(\d+): (.*)$`, with or without leading whitespace,
and actions/setup-go's `go` matcher) see one annotation per finding, not one per related
location: no `:line:col: ` appears in a note line. With a terminal, each finding is followed by
a short code frame (rich) and the same notes.
"""

from __future__ import annotations

from goconc.model import Diagnostic, Related


def line(d: Diagnostic) -> str:
    s = d.span
    return f"{s.path}:{s.start.line}:{s.start.column}: {d.message} ({d.code})"


NOTE_INDENT = "    "


def note(r: Related) -> str:
    """A related location, without the indentation: `note: message (path:line:col)`."""
    s = r.span
    return f"note: {r.message} ({s.path}:{s.start.line}:{s.start.column})"


def render(diags: list[Diagnostic]) -> str:
    out = []
    for d in diags:
        out.append(line(d))
        for r in d.related:
            out.append(NOTE_INDENT + note(r))
    return "\n".join(out) + ("\n" if out else "")


def print_rich(diags: list[Diagnostic], console, read_source) -> None:
    """Findings with code frames, for a terminal. `read_source(path)` returns the file's text."""
    from rich.syntax import Syntax
    from rich.text import Text

    for d in diags:
        s = d.span
        head = Text()
        head.append(f"{s.path}:{s.start.line}:{s.start.column}", style="bold")
        head.append(": ")
        sev_style = {"error": "bold red", "warning": "yellow", "info": "cyan"}[d.severity.value]
        head.append(d.message)
        head.append(f" ({d.code} {d.name})", style=sev_style)
        console.print(head, soft_wrap=True)
        text = read_source(s.path)
        if text is not None:
            first = max(1, s.start.line - 1)
            last = s.start.line + 1
            console.print(Syntax(text, "go", line_numbers=True, line_range=(first, last),
                                 highlight_lines={s.start.line}, word_wrap=False, indent_guides=False,
                                 background_color="default"))
        for r in d.related:
            rel = Text(NOTE_INDENT)
            rel.append("note: ", style="dim")
            rel.append(r.message)  # plain text: a message may contain [brackets]
            rel.append(f" ({r.span.path}:{r.span.start.line}:{r.span.start.column})", style="dim")
            console.print(rel, soft_wrap=True)
        console.print()
