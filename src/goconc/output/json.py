"""One JSON document with a versioned schema.

    {"version": 1, "tool": {"name": "goconc", "version": "0.1.0"},
     "findings": [{"code", "name", "severity", "message", "path",
                   "start": {"line", "column", "offset"}, "end": {...},
                   "related": [{"message", "path", "start", "end"}],
                   "fixes": [{"title", "applicability", "edits": [{"path", "start", "end", "new"}]}]}],
     "problems": [{"path", "message"}],
     "summary": {"files", "packages", "findings"}}

Lines and columns are 1-based (columns count bytes, as go/token); offsets are 0-based bytes.
"""

from __future__ import annotations

import json as _json

from goconc import __version__
from goconc.model import Diagnostic, Position, RunResult, Span

SCHEMA_VERSION = 1


def _pos(p: Position) -> dict:
    return {"line": p.line, "column": p.column, "offset": p.offset}


def _loc(s: Span) -> dict:
    return {"path": s.path, "start": _pos(s.start), "end": _pos(s.end)}


def finding(d: Diagnostic) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        **_loc(d.span),
        "related": [{"message": r.message, **_loc(r.span)} for r in d.related],
        "fixes": [
            {"title": f.title, "applicability": f.applicability.value,
             "edits": [{"path": e.path, "start": e.start, "end": e.end, "new": e.new} for e in f.edits]}
            for f in d.fixes
        ],
    }


def document(result: RunResult) -> dict:
    """The document as plain data (what `render` prints; the MCP server's structured result)."""
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "goconc", "version": __version__},
        "findings": [finding(d) for d in result.diagnostics],
        "problems": [{"path": p.path, "message": p.message} for p in result.problems],
        "summary": {"files": result.files, "packages": result.packages, "findings": len(result.diagnostics)},
    }


def render(result: RunResult) -> str:
    return _json.dumps(document(result), indent=2) + "\n"
