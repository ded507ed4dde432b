"""A review as Markdown (readable in a terminal, pasteable into a pull request) or JSON.

Pure: a Review in, text out. The sections follow what a reviewer answers: the model (goroutines,
channels, locks, exported types, context), the findings grouped under the part of the model
they break, the tests to add, and the assumptions.
"""

from __future__ import annotations

import dataclasses
import json

from goconc import __version__
from goconc.review import PackageReview, Review

_PARTS = (  # rule family -> the part of the model its findings break
    ("goroutine", "Goroutines and channels"), ("channel", "Goroutines and channels"),
    ("runtime", "Goroutines and channels"), ("waitgroup", "WaitGroups"), ("mutex", "Locks"),
    ("race", "Shared memory"), ("atomic", "Shared memory"), ("context", "Context"), ("engine", "The analysis itself"),
)
_ORDER = ["Goroutines and channels", "WaitGroups", "Locks", "Shared memory", "Context", "The analysis itself"]


_RUNTIME = {"GC9001": "Shared memory", "GC9004": "Shared memory", "GC9006": "WaitGroups", "GC9007": "Locks"}


def _part(code: str) -> str:
    from goconc.registry import FAMILIES

    if code in _RUNTIME:  # what the race detector and the runtime report, by what broke
        return _RUNTIME[code]

    family = FAMILIES.get(code[2:3], "engine")
    return next((part for fam, part in _PARTS if fam == family), "The analysis itself")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _locs(locs, limit: int = 4) -> str:
    if not locs:
        return "none"
    shown = ", ".join(f"{loc.path.rsplit('/', 1)[-1]}:{loc.line}" for loc in locs[:limit])
    return shown + (f" (+{len(locs) - limit})" if len(locs) > limit else "")


def _go_version(v) -> str:
    if v is None:
        return ("the Go version is unknown (no go.mod with a go line above the package): loop variables "
                "may be shared by all iterations (before Go 1.22) or not")
    semantics = ("each loop iteration has its own variables" if tuple(v) >= (1, 22)
                 else "loop variables are shared by all iterations (goroutines that capture one race on it)")
    return f"Go {v[0]}.{v[1]} (go.mod): {semantics}"


def markdown(rev: Review) -> str:
    out = []
    for pr in rev.packages:
        out.append(_package(pr, rev))
    if rev.problems:
        out.append("## Not analysed\n\n" + "".join(f"- `{p.path}`: {p.message}\n" for p in rev.problems))
    if not out:
        out.append("No Go package found to review.\n")
    return "\n".join(out)


def _package(pr: PackageReview, rev: Review) -> str:
    f = pr.facts

    def none(sentence: str) -> str:
        return f"Nothing here concerns {f.focus}." if f.focus else sentence

    title = f"`{f.import_path}`" + (f", {f.focus.split(' ', 1)[0]} `{f.focus.split(' ', 1)[1]}`" if f.focus else "")
    lines = [f"# Concurrency review: {title}", "",
             f"Package `{f.name}` in `{f.directory}`. Every line below is what goconc's analysis established; "
             "\"unknown\" says what it could not.", ""]

    lines += [f"## Goroutines ({len(f.goroutines)})", ""]
    if f.goroutines:
        lines += ["| Started at | In | Runs | Captures | How it stops |", "| --- | --- | --- | --- | --- |"]
        for g in f.goroutines:
            stops = g.stops
            if g.blocks_on:
                stops += "; it may wait on " + ", ".join(g.blocks_on[:3]) + (" and more" if len(g.blocks_on) > 3 else "")
            if g.findings:
                stops += " (see " + ", ".join(g.findings) + ")"
            flag = "**" if g.forever or g.findings else ""
            lines.append(f"| `{g.at}` | `{_cell(g.started_in)}` | {_cell(g.runs)} | "
                         f"{', '.join(f'`{c}`' for c in g.captures) or 'nothing'} | {flag}{_cell(stops)}{flag} |")
    elif f.maybe_started:
        lines.append("The analysis found no go statement in the package.")
    else:
        lines.append(none("The package starts no goroutine."))
    if f.maybe_started:
        lines += ["", "These calls may start goroutines through another package (unknown: the code that starts "
                      "them is not in this package): " + ", ".join(f"`{m}`" for m in f.maybe_started[:8])
                  + (f" and {len(f.maybe_started) - 8} more" if len(f.maybe_started) > 8 else "") + "."]
    if f.starts_on_import:
        lines += ["", "Goroutines start when the package is imported (package variables or init): "
                  + "; ".join(f.starts_on_import) + ". They outlive every test unless something stops them."]
    lines.append("")

    lines += [f"## Channels ({len(f.channels)})", ""]
    if f.channels:
        lines += ["| Channel | Of | Buffer | Made | Sends | Receives | Closes |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for c in f.channels:
            def ops(locs, c=c):
                if not c.escapes:
                    return _locs(locs)
                return (_locs(locs) + " + " if locs else "") + f"unknown ({c.escapes[0]})"
            lines.append(f"| `{_cell(c.name)}` | `{_cell(c.elem)}` | {c.buffer} | {_locs(c.made)} | {ops(c.sends)} | "
                         f"{ops(c.receives)} | {ops(c.closes)} |")
        lines += ["", "Only channels made in this package are listed, with the operations on them the analysis "
                      "can follow; \"unknown\" where the channel leaves that code (returned, passed on)."]
    else:
        lines.append(none("The package makes no channel."))
    lines.append("")

    lines += ["## Locks and the fields they guard", ""]
    if f.locked_types:
        lines += ["An access is judged where who holds which lock is known: in exported functions and methods "
                  "the package never calls itself, and in goroutines; accesses in helpers (which may run under "
                  "the caller's lock), constructors and callbacks are not judged.", ""]
        for lt in f.locked_types:
            lines.append(f"- `{lt.name}`: {', '.join(f'`{x}`' for x in lt.locks)}")
            for g in lt.guards:
                rest = f"; {g.not_judged} more not judged" if g.not_judged else ""
                if g.lock:
                    not_at = f"; not held at {_locs(g.unguarded)}" if g.unguarded else ""
                    lines.append(f"  - `{g.field}`: `{g.lock}` held at {g.guarded} of the {g.total} accesses judged"
                                 f"{not_at}{rest}")
                else:
                    lines.append(f"  - `{g.field}`: no lock held at the {g.total} accesses judged{rest}")
            if not lt.guards:
                lines.append("  - unknown: no field access the analysis could follow")
    else:
        lines.append(none("No struct of the package has a `sync.Mutex` or `sync.RWMutex` field."))
    lines.append("")

    lines += ["## Exported types and concurrent use", ""]
    if f.types:
        lines += ["| Type | Its doc says | The analysis sees | Verdict |", "| --- | --- | --- | --- |"]
        for t in f.types:
            lines.append(f"| `{t.name}` ({t.at.path.rsplit('/', 1)[-1]}:{t.at.line}) | {t.doc or 'nothing'} | "
                         f"{_cell(t.sees)} | {t.verdict} |")
    else:
        lines.append(none("No exported struct type has a lock or an atomic field, or says whether it is safe "
                          "for concurrent use."))
    lines.append("")

    lines += ["## Context", ""]
    if f.contexts:
        for c in f.contexts:
            lines.append(f"- `{c.func}` ({c.at.path.rsplit('/', 1)[-1]}:{c.at.line}) {c.honours}"
                         + ("" if c.known else " (unknown here)"))
    else:
        lines.append(none("No function of the package takes a `context.Context`."))
    lines.append("")

    lines += [f"## Findings ({len(pr.findings)})", ""]
    if rev.race:
        lines += [f"`goconc check` and `goconc race` ({rev.race_note}).", ""]
    else:
        lines += ["From `goconc check`; `goconc review --race` adds what the tests show under the race detector.", ""]
    if pr.findings:
        parts: dict[str, list] = {}
        for d in pr.findings:
            parts.setdefault(_part(d.code), []).append(d)
        for part in _ORDER:
            if part not in parts:
                continue
            lines += [f"### {part}", ""]
            for d in parts[part]:
                lines.append(f"- **{d.code}** `{d.name}` at `{d.span.path}:{d.span.start.line}`: {d.message}")
                for r in d.related[:3]:
                    lines.append(f"  - {r.message} (`{r.span.path}:{r.span.start.line}`)")
                for fx in d.fixes:
                    lines.append(f"  - fix ({fx.applicability.value}): {fx.title}; `goconc fix"
                                 f"{' --unsafe-fixes' if fx.applicability.value == 'unsafe' else ''} {d.span.path}`")
            lines.append("")
    else:
        lines += ["None.", ""]

    lines += ["## Tests to add", ""]
    if pr.suggestions.tests:
        for s in pr.suggestions.tests:
            lines += [f"### {s.title[0].upper()}{s.title[1:]}", "", f"{s.why}. Save as `{s.file}` in `{f.directory}`, "
                      f"then run `{s.run}`.", "", "```go", s.code.rstrip("\n"), "```", ""]
    else:
        lines += ["None that can be written without guessing.", ""]
    if pr.suggestions.left_out:
        lines += ["Left out: " + "; ".join(pr.suggestions.left_out) + ".", ""]

    lines += ["## Assumptions", "", f"- {_go_version(f.go_version)}."]
    sets = [u.at for u in f.gomaxprocs if u.sets]
    reads = [u.at for u in f.gomaxprocs if not u.sets]
    if sets:
        lines.append(f"- GOMAXPROCS is set by the code at {_locs(sets)}.")
    if reads:
        lines.append(f"- GOMAXPROCS is read at {_locs(reads)} (runtime.GOMAXPROCS(0)): what is sized by it "
                     "(workers, buffers) changes with the number of CPUs; GOMAXPROCS=1 is worth a test run.")
    if not f.gomaxprocs:
        lines.append("- GOMAXPROCS: the package never sets it; nothing above depends on a number of CPUs, and "
                     "races show more often with GOMAXPROCS > 1 (`go test -cpu 1,4`).")
    for duty in f.caller_duties:
        lines.append(f"- Callers: {duty}.")
    lines.append("")
    return "\n".join(lines)


def to_json(rev: Review) -> str:
    from goconc.output.json import finding

    def facts(pr: PackageReview) -> dict:
        d = dataclasses.asdict(pr.facts)
        d["test_names"] = sorted(d["test_names"])
        return d

    doc = {
        "version": 1,
        "tool": {"name": "goconc", "version": __version__},
        "race": rev.race, "race_note": rev.race_note,
        "packages": [{"model": facts(pr), "findings": [finding(d) for d in pr.findings],
                      "tests": [dataclasses.asdict(s) for s in pr.suggestions.tests],
                      "tests_left_out": pr.suggestions.left_out} for pr in rev.packages],
        "problems": [{"path": p.path, "message": p.message} for p in rev.problems],
    }
    return json.dumps(doc, indent=2) + "\n"
