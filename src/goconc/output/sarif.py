"""SARIF 2.1.0, as GitHub code scanning accepts it.

- `tool.driver.rules[]` carries every rule that ran, with its docs as help (markdown).
- Lines and columns are 1-based; `run.columnKind` is `unicodeCodePoints` and columns are
  converted from goconc's byte columns for non-ASCII lines. `endColumn` is exclusive.
- Related locations are linked from the message (`[text](id)`), the only way GitHub shows them.
- `partialFingerprints.primaryLocationLineHash` is computed with the same rolling-hash scheme as
  GitHub's upload-sarif action, so alerts stay stable even when uploaded through the REST API.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from goconc import __version__
from goconc.model import RunResult, Severity, Span
from goconc.registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_URI = "https://github.com/goconc/goconc/blob/main/docs/rules/{name}.md"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def _descriptor(r: Rule) -> dict:
    what = r.section("What it does") or r.summary
    return {
        "id": r.code,
        "name": "".join(p.capitalize() for p in r.name.split("-")),  # must differ from id
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": what[:1024]},
        "help": {"text": r.doc, "markdown": r.doc},
        "helpUri": HELP_URI.format(name=r.name),
        "defaultConfiguration": {"level": _LEVEL[r.severity], "enabled": r.enabled_by_default},
        "properties": {"tags": ["concurrency", r.family], "precision": "high",
                       "problem.severity": _PROBLEM[r.severity]},
    }


def render(result: RunResult, rules: list[Rule], read_source: Callable[[str], str | None]) -> str:
    lines_cache: dict[str, list[str] | None] = {}
    hashes_cache: dict[str, dict[int, str]] = {}

    def lines_of(path: str) -> list[str] | None:
        if path not in lines_cache:
            text = read_source(path)
            lines_cache[path] = text.split("\n") if text is not None else None
        return lines_cache[path]

    def column(path: str, line: int, byte_col: int) -> int:
        ls = lines_of(path)
        if not ls or line - 1 >= len(ls):
            return byte_col
        raw = ls[line - 1].encode("utf-8")
        return len(raw[:byte_col - 1].decode("utf-8", "ignore")) + 1

    def region(s: Span) -> dict:
        return {"startLine": s.start.line, "startColumn": column(s.path, s.start.line, s.start.column),
                "endLine": s.end.line, "endColumn": column(s.path, s.end.line, s.end.column)}

    def location(s: Span, ident: int | None = None, message: str | None = None) -> dict:
        loc: dict = {"physicalLocation": {"artifactLocation": {"uri": _uri(s.path), "uriBaseId": "%SRCROOT%"},
                                          "region": region(s)}}
        if ident is not None:
            loc["id"] = ident
        if message:
            loc["message"] = {"text": message}
        return loc

    known = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d in result.diagnostics:
        msg = d.message
        related = []
        for i, r in enumerate(d.related, start=1):
            related.append(location(r.span, i, r.message))
            msg += f" [{_md_escape(r.message)}]({i})"
        res: dict = {
            "ruleId": d.code,
            "level": _LEVEL[d.severity],
            "message": {"text": msg},
            "locations": [location(d.span)],
        }
        if d.code in known:
            res["ruleIndex"] = known[d.code]
        if related:
            res["relatedLocations"] = related
        fp = _fingerprint(d.span, read_source, hashes_cache)
        if fp:
            res["partialFingerprints"] = {"primaryLocationLineHash": fp}
        if d.fixes:
            res["fixes"] = [{
                "description": {"text": f.title},
                "artifactChanges": [{
                    "artifactLocation": {"uri": _uri(e.path), "uriBaseId": "%SRCROOT%"},
                    "replacements": [{"deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
                                      "insertedContent": {"text": e.new}}],
                } for e in f.edits],
            } for f in d.fixes]
        results.append(res)

    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "goconc",
                "semanticVersion": __version__,
                "version": __version__,
                "informationUri": "https://github.com/goconc/goconc",
                "rules": [_descriptor(r) for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _cwd_uri()}},
            "results": results,
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": p.message},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(p.path)}}}]}
                    for p in result.problems
                ],
            }],
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


def _md_escape(s: str) -> str:
    return s.replace("[", "\\[").replace("]", "\\]")


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/:")


def _cwd_uri() -> str:
    import os
    from pathlib import Path

    return Path(os.getcwd()).as_uri() + "/"


def _fingerprint(span: Span, read_source, cache: dict[str, dict[int, str]]) -> str | None:
    hashes = cache.get(span.path)
    if hashes is None:
        text = read_source(span.path)
        hashes = cache[span.path] = line_hashes(text) if text is not None else {}
    return hashes.get(span.start.line)


_MASK = (1 << 64) - 1
_BLOCK = 100
_MOD = 37


def line_hashes(text: str) -> dict[int, str]:
    """primaryLocationLineHash for every line of `text` (line number -> "hexhash:n").

    A rolling hash over a 100-character window that starts at each line, ignoring spaces and
    tabs, with CR and CRLF read as LF and the end of the file marked by 65535. Characters are
    UTF-16 code units, as in JavaScript."""
    out: dict[int, str] = {}
    window = [0] * _BLOCK
    line_at = [-1] * _BLOCK
    first_mod = pow(_MOD, _BLOCK, 1 << 64)
    h = 0
    idx = 0
    line_no = 0
    line_start = True
    prev_cr = False
    counts: dict[str, int] = {}

    def emit() -> None:
        key = format(h & _MASK, "x")
        counts[key] = counts.get(key, 0) + 1
        out[line_at[idx]] = f"{key}:{counts[key]}"
        line_at[idx] = -1

    def push(c: int) -> None:
        nonlocal h, idx
        begin = window[idx]
        window[idx] = c
        h = (_MOD * h + c - first_mod * begin) & _MASK
        idx = (idx + 1) % _BLOCK

    units = text.encode("utf-16-le")
    codes = [units[i] | (units[i + 1] << 8) for i in range(0, len(units), 2)]
    codes.append(65535)
    for c in codes:
        if c in (32, 9) or (prev_cr and c == 10):
            prev_cr = False
            continue
        if c == 13:
            c = 10
            prev_cr = True
        else:
            prev_cr = False
        if line_at[idx] != -1:
            emit()
        if line_start:
            line_start = False
            line_no += 1
            line_at[idx] = line_no
        if c == 10:
            line_start = True
        push(c)
    for _ in range(_BLOCK):
        if line_at[idx] != -1:
            emit()
        push(0)
    return out
