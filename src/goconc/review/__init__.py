"""`goconc review PATH`: what a senior Go concurrency engineer answers when asked to look at a
package, every claim backed by a fact of the analysis or a finding with its line.

    review(paths)  -> per package: the model (facts.py: goroutines and how each stops,
                      channels, locks and the fields they guard, exported types against their
                      doc, context use), the findings of check (and of race with --race)
                      grouped under the part of the model they break, the tests to add
                      (suggest.py: Go that compiles), and the assumptions
    render.py      -> Markdown (the default; rich in a terminal) or JSON

The packages are parsed once here for the facts; the findings come from the same engine as
`goconc check` (configuration and cache included).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from goconc.model import Diagnostic, Problem
from goconc.review.facts import PackageFacts
from goconc.review.suggest import Suggestions

_GUARDS = re.compile(r"which guards (\w+)\.\w+")


class NotFound(LookupError):
    """--only names nothing the packages declare."""


@dataclass
class PackageReview:
    facts: PackageFacts
    findings: list[Diagnostic]
    suggestions: Suggestions


@dataclass
class Review:
    packages: list[PackageReview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    race: bool = False  # whether the tests were run
    race_note: str = ""  # how they were run, or why not


def review(paths: Sequence[str], *, race: bool = False, race_options=None, focus: str | None = None) -> Review:
    """The review of the packages under `paths`; with `focus` (a type `T`, a function `F` or a
    method `T.M`), only what concerns it, in the packages that declare it."""
    from goconc.analysis import AnalysisFailed
    from goconc.config import CheckRun
    from goconc.engine import Analysis, _display_path, read_sources
    from goconc.gomodel import Package
    from goconc.loader import collect, is_generated, is_ignored_by_build_tag
    from goconc.review import facts as F
    from goconc.review.suggest import suggest
    from goconc.rules.race.inconsistent_field_locking import FIELD_ACCESSES
    from goconc.source import SourceError, load

    setup = CheckRun(list(paths), [], [], None)
    checked = setup.finish(setup.analyse(cache=True))
    out = Review(problems=list(checked.problems))
    diags = list(checked.diagnostics)
    if race:
        diags, out.race_note = _race(paths, checked, race_options, out)
        out.race = True
    units, problems = collect(list(paths))
    units = setup.plan.prune(units)
    for unit in units:
        sources = read_sources(unit.files)
        files = []
        for p in unit.files:
            src = sources[p]
            if isinstance(src, OSError) or is_ignored_by_build_tag(src) or is_generated(src):
                continue
            try:
                gf = load(_display_path(p), src)
            except (SourceError, RecursionError):
                continue
            gf.go_version = unit.module.go_version if unit.module else None
            files.append(gf)
        by_pkg: dict[str, list] = {}
        for gf in files:
            by_pkg.setdefault(gf.package, []).append(gf)
        main = [n for n in by_pkg if not n.endswith("_test")]
        for name in sorted(main):
            pfiles = by_pkg[name] + by_pkg.get(name + "_test", [])
            mod = unit.module
            pkg = Package(name, unit.dir, pfiles, mod.go_version if mod else None, mod.path if mod else "")
            try:
                accesses = Analysis(pkg).result(FIELD_ACCESSES)
            except (AnalysisFailed, RecursionError):
                accesses = {}
            here = os.path.abspath(unit.dir)
            mine = [d for d in diags if os.path.dirname(os.path.abspath(d.span.path)) == here]
            facts = F.collect(pkg, _import_path(unit), accesses, _by_type(pkg, mine))
            for g in facts.goroutines:
                g.findings = [f"{d.code} at line {d.span.start.line}" for d in mine if d.span.path == g.at.path
                              and g.lines[0] <= d.span.start.line <= g.lines[1]]
            pr = PackageReview(facts, mine, None)
            if focus is not None and not _narrow(pr, pkg, focus):
                continue
            pr.suggestions = suggest(pkg, facts, _display_path(unit.dir))  # of what is left
            out.packages.append(pr)
    if focus is not None and not out.packages:
        raise NotFound(f"no package under {' '.join(paths)} declares a type, function or method {focus!r}")
    return out


def _narrow(pr: PackageReview, pkg, focus: str) -> bool:
    """Keep only what concerns `focus` (T, F or T.M) in a package review; False when the
    package does not declare it."""
    tname, _, method = focus.partition(".")
    if method:
        fd = pkg.methods.get(tname, {}).get(method)
        decls = [fd] if fd is not None else []
    elif tname in pkg.types:
        decls = list(pkg.methods.get(tname, {}).values())
        td = pkg.types[tname]
    else:
        fd = pkg.funcs.get(tname)
        decls = [fd] if fd is not None else []
    is_type = not method and tname in pkg.types
    if not decls and not is_type:
        return False
    spans = [(fd.file.path, fd.node.start_point[0] + 1, fd.node.end_point[0] + 1) for fd in decls]
    if is_type:
        spans.append((td.file.path, td.node.start_point[0] + 1, td.node.end_point[0] + 1))

    def inside(path: str, line: int) -> bool:
        return any(p == path and a <= line <= b for p, a, b in spans)

    f = pr.facts
    f.goroutines = [g for g in f.goroutines if inside(g.at.path, g.at.line)]
    f.channels = [c for c in f.channels if (is_type and c.name.startswith(tname + "."))
                  or any(inside(m.path, m.line) for m in c.made)]
    f.locked_types = [lt for lt in f.locked_types if (is_type or method) and lt.name == tname]
    f.types = [t for t in f.types if (is_type or method) and t.name == tname]
    f.contexts = [c for c in f.contexts if inside(c.at.path, c.at.line)]
    f.caller_duties = [d for d in f.caller_duties if d.split(":")[0].split(" ")[-1].split(".")[0] == tname
                       or d.startswith(f"call {tname}.")]
    f.maybe_started = [m for m in f.maybe_started if any(m.endswith(f"({p.rsplit('/', 1)[-1]}:{ln})")
                                                         for p, a, b in spans for ln in range(a, b + 1))]
    pr.findings = [d for d in pr.findings if inside(d.span.path, d.span.start.line)]
    f.focus = f"{'type' if is_type else 'method' if method else 'function'} {focus}"
    return True


def _import_path(unit) -> str:
    mod = unit.module
    if mod is None:
        return unit.dir
    rel = os.path.relpath(os.path.abspath(unit.dir), os.path.dirname(os.path.abspath(mod.gomod)))
    if mod.path == "std":  # GOROOT/src: the standard library's import paths have no module prefix
        return rel
    return mod.path if rel == "." else f"{mod.path}/{rel}"


def _by_type(pkg, findings: list[Diagnostic]) -> dict[str, list[str]]:
    """Findings that concern an exported type: in one of its methods, or naming a field it guards."""
    ranges = []
    for tname, methods in pkg.methods.items():
        for fd in methods.values():
            ranges.append((fd.file.path, fd.node.start_point[0] + 1, fd.node.end_point[0] + 1, tname))
    out: dict[str, list[str]] = {}
    for d in findings:
        m = _GUARDS.search(d.message)
        names = {m.group(1)} if m else {t for path, a, b, t in ranges
                                        if path == d.span.path and a <= d.span.start.line <= b}
        for t in names:
            out.setdefault(t, []).append(f"{d.code} {d.name} at {d.span.path}:{d.span.start.line}")
    return out


def _race(paths, checked, options, out: Review) -> tuple[list[Diagnostic], str]:
    """The static findings, with those of `goconc race` on the same packages added (and the
    static ones it confirms marked)."""
    from goconc.engine import _display_path, sort_unique
    from goconc.loader import read_lines
    from goconc.race import run as racerun
    from goconc.registry import select

    opts = options or racerun.Options()
    opts.packages = [p if p.startswith(("/", ".")) else "./" + p for p in paths] or ["./..."]
    try:
        result = racerun.run(opts, display=_display_path, read_lines=read_lines)
    except racerun.GoMissing as exc:
        return list(checked.diagnostics), f"not run: {exc}"
    codes = {r.code for r in select(None, None, dynamic=True)}
    dynamic = [d for d in result.diagnostics if d.code in codes]
    confirmed, dynamic = racerun.cross_link(list(checked.diagnostics), dynamic)
    out.problems.extend(result.problems)
    note = f"{result.runs} run(s) of go test -race, {result.seconds:.0f} s, {result.go_version}"
    return sort_unique(confirmed + dynamic), note
