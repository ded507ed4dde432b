"""SARIF 2.1.0, as GitHub code scanning accepts it.

- `tool.driver.rules[]` carries every rule that ran; `help.markdown` is the rule's page (as
  `goconc rule` prints it) and `help.text` the same without markdown.
- `run.automationDetails.id` is `<category>/`: `goconc-check/`, `goconc-race/` or
  `goconc-explain/` by default, so the findings of each command upload side by side instead of
  replacing each other (`--sarif-category` picks another). The upload-sarif action's own
  `category` input does not override an id the file already has.
- Artifact URIs are relative to the repository root (the git work tree around the working
  directory, else the working directory), with `uriBaseId` `%SRCROOT%` defined in
  `run.originalUriBaseIds`; files outside the root keep absolute `file://` URIs.
- Lines and columns are 1-based; `run.columnKind` is `unicodeCodePoints` and columns are
  converted from goconc's byte columns for non-ASCII lines. `endColumn` is exclusive.
- Related locations are linked from the message (`[text](id)`), the only way GitHub shows them.
- `partialFingerprints.primaryLocationLineHash` is computed with the same rolling-hash scheme as
  GitHub's upload-sarif action (a hash of the text from the finding's line on, not of its
  number), so an alert keeps its identity when edits above it shift its line, also when the
  file is uploaded through the REST API, which computes nothing. The hashed text is the next
  100 characters from the line on, spaces and tabs not counted: an edit of the lines just
  below a finding, or at the end of a file that ends within them, makes it a new alert, as
  with upload-sarif's own fingerprints.
- Fixes become `fixes[].artifactChanges[].replacements[]` (byte offsets, plus lines and columns
  when the source is readable), each region relative to the file as it is, before any of the
  replacements. GitHub ignores them; other SARIF viewers can apply them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from goconc import __version__
from goconc.model import Diagnostic, Fix, RunResult, Severity, Span
from goconc.output.locations import Locator
from goconc.registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_URI = "https://github.com/goconc/goconc/blob/main/docs/rules/{name}.md"
SRCROOT = "%SRCROOT%"
DEFAULT_CATEGORY = "goconc-{command}"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def automation_id(category: str) -> str:
    """`category/` as upload-sarif writes it: GitHub takes the text up to the last `/` as the
    category, so `goconc-check` and `goconc-check/` are the same category."""
    return category if category.endswith("/") else category + "/"


def _descriptor(r: Rule) -> dict:
    from goconc.docs import render_rule

    what = r.section("What it does") or r.summary
    markdown = render_rule(r)
    return {
        "id": r.code,
        "name": "".join(p.capitalize() for p in r.name.split("-")),  # must differ from id
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": plain_text(what)[:1024]},
        "help": {"text": plain_text(markdown), "markdown": markdown},
        "helpUri": HELP_URI.format(name=r.name),
        "defaultConfiguration": {"level": _LEVEL[r.severity], "enabled": r.enabled_by_default},
        "properties": {"tags": ["concurrency", r.family], "precision": "high",
                       "problem.severity": _PROBLEM[r.severity]},
    }


def plain_text(md: str) -> str:
    """A rule page without markdown: headings as plain lines, code blocks indented by four
    spaces instead of fenced, `code` without backticks, [text](url) as text (url)."""
    import re

    out: list[str] = []
    in_code = False
    for line in md.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append(("    " + line).rstrip())
            continue
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            line = m.group(1)
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", line)
        line = re.sub(r"\*\*([^*]+)\*\*", r"\1", line)
        out.append(re.sub(r"`([^`]*)`", r"\1", line))
    return "\n".join(out).strip("\n") + "\n"


def render(result: RunResult, rules: list[Rule], read_source: Callable[[str], str | None], *,
           category: str = "goconc", root: str | None = None) -> str:
    """The SARIF log of one run. `category` names the analysis for code scanning (see the
    module docs); `root` is the directory URIs are relative to (default: the repository root)."""
    loc = Locator(read_source, root)
    hashes_cache: dict[str, dict[int, str]] = {}

    def artifact(path: str) -> dict:
        rel = loc.relative(path)
        if rel is None:
            return {"uri": loc.absolute_uri(path)}
        return {"uri": _uri(rel), "uriBaseId": SRCROOT}

    def region(s: Span) -> dict:
        return {"startLine": s.start.line, "startColumn": loc.column(s.path, s.start.line, s.start.column),
                "endLine": s.end.line, "endColumn": loc.column(s.path, s.end.line, s.end.column)}

    def location(s: Span, ident: int | None = None, message: str | None = None) -> dict:
        out: dict = {"physicalLocation": {"artifactLocation": artifact(s.path), "region": region(s)}}
        if ident is not None:
            out["id"] = ident
        if message:
            out["message"] = {"text": message}
        return out

    def fix(f: Fix) -> dict:
        changes: list[dict] = []
        by_path: dict[str, dict] = {}
        for e in f.edits:
            change = by_path.get(e.path)
            if change is None:
                change = by_path[e.path] = {"artifactLocation": artifact(e.path), "replacements": []}
                changes.append(change)
            deleted: dict = {"byteOffset": e.start, "byteLength": e.end - e.start}
            start, end = loc.line_col(e.path, e.start), loc.line_col(e.path, e.end)
            if start and end:
                deleted.update(startLine=start[0], startColumn=start[1], endLine=end[0], endColumn=end[1])
            change["replacements"].append({"deletedRegion": deleted, "insertedContent": {"text": e.new}})
        return {"description": {"text": f.title}, "artifactChanges": changes}

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
        fp = _fingerprint(d, loc, hashes_cache)
        if fp:
            res["partialFingerprints"] = {"primaryLocationLineHash": fp}
        if d.fixes:
            res["fixes"] = [fix(f) for f in d.fixes]
        results.append(res)

    notifications = []
    for p in result.problems:
        note: dict = {"level": "error", "message": {"text": f"{p.path}: {p.message}"}}
        if p.path and os.path.exists(p.path):  # not a package path of go test, a missing argument
            note["locations"] = [{"physicalLocation": {"artifactLocation": artifact(p.path)}}]
        notifications.append(note)

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
            "automationDetails": {"id": automation_id(category)},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {SRCROOT: {"uri": loc.root_uri()}},
            "results": results,
            "invocations": [{
                "executionSuccessful": True,
                "workingDirectory": {"uri": loc.absolute_uri(os.getcwd()).rstrip("/") + "/"},
                "toolExecutionNotifications": notifications,
            }],
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


def _md_escape(s: str) -> str:
    return s.replace("[", "\\[").replace("]", "\\]")


def _uri(rel: str) -> str:
    from urllib.parse import quote

    return quote(rel, safe="/")


def _fingerprint(d: Diagnostic, loc: Locator, cache: dict[str, dict[int, str]]) -> str | None:
    path = d.span.path
    hashes = cache.get(path)
    if hashes is None:
        text = loc.text(path)
        hashes = cache[path] = line_hashes(text) if text is not None else {}
    return hashes.get(d.span.start.line)


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
