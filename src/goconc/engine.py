"""The driver of `goconc check`: load, parse once, build the package model, run rules,
apply suppressions, sort.

    paths -> loader (go.mod, skip rules) -> directory units
          -> worker (one process per CPU): parse each file once -> packages -> rules -> findings
          -> main process: merge, sort, dedupe

Trees never cross process boundaries: workers get paths and send back plain findings.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from goconc import suppress
from goconc.gomodel import Package
from goconc.loader import DirUnit, collect, is_ignored_by_build_tag, read_regular
from goconc.queries import run_captures, run_matches
from goconc.model import (
    INTERNAL_ERROR,
    PARSE_ERROR,
    Diagnostic,
    Fix,
    Position,
    Problem,
    Related,
    RunResult,
    Severity,
    Span,
    engine_diagnostic,
)
from goconc.registry import Rule, all_rules
from goconc.source import GoFile, Node, SourceError, load


# --------------------------------------------------------------------------------------------
# What a rule sees


class Analysis:
    """Facts shared by every rule on one package, computed on demand and memoised."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self._cfgs: dict[int, object] = {}
        self.memo: dict[str, object] = {}
        self.notes: list[Problem] = []

    def cfg(self, gf: GoFile, fn: Node):
        """The control-flow graph of a function declaration or literal (memoised)."""
        from goconc import cfg as cfgmod
        from goconc.rules._helpers import call_classifier

        key = fn.id
        got = self._cfgs.get(key)
        if got is None:
            body = fn.child_by_field_name("body")
            if body is None:
                return None
            got = cfgmod.build_cfg(body, call_classifier(self.pkg, gf))
            if got.approximate:  # paths unknown in part: path-sensitive rules stay quiet here
                self.notes.append(Problem(f"{gf.path}:{fn.start_point[0] + 1}",
                                          "function too deeply nested to follow its paths; "
                                          "path-sensitive rules skipped it"))
            self._cfgs[key] = got
        return None if got.approximate else got


@dataclass
class FileContext:
    """The read-only view one rule gets of one file."""

    rule: Rule
    file: GoFile
    analysis: Analysis

    @property
    def pkg(self) -> Package:
        return self.analysis.pkg

    def text(self, node: Node) -> str:
        return self.file.node_text(node)

    def type_of(self, expr: Node):
        return self.pkg.type_of(self.file, expr)

    def captures(self) -> dict[str, list[Node]]:
        """Captures of the rule's query over the file, each list in source order."""
        q = self.rule.compiled_query()
        return run_captures(q, self.file.root) if q is not None else {}

    def matches(self) -> list[tuple[int, dict[str, list[Node]]]]:
        q = self.rule.compiled_query()
        return run_matches(q, self.file.root) if q is not None else []

    def span(self, node: Node, end: Node | None = None) -> Span:
        return self.file.span(node, end)

    def related(self, node: Node, message: str) -> Related:
        return Related(self.file.span(node), message)

    def report(self, node: Node, message: str, *, end: Node | None = None,
               related: Sequence[Related] = (), fixes: Sequence[Fix] = ()) -> Diagnostic:
        r = self.rule
        return Diagnostic(r.code, r.name, r.severity, message, self.file.span(node, end),
                          tuple(related), tuple(fixes))


# --------------------------------------------------------------------------------------------
# Running


@dataclass
class UnitResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    files: int = 0
    packages: int = 0
    cacheable: bool = True


def read_sources(paths: Sequence[str]) -> dict[str, bytes | OSError]:
    """The bytes of each file, or the error that stopped reading it.

    Files are opened without blocking and must be regular files: a file swapped for a FIFO after
    the walk must not hang the run."""
    out: dict[str, bytes | OSError] = {}
    for p in paths:
        try:
            out[p] = read_regular(p)
        except OSError as exc:
            out[p] = exc
    return out


def analyze_files(paths: Sequence[str], rules: Sequence[Rule], *, go_version=None, module_path: str = "",
                  directory: str = "", display=None,
                  sources: dict[str, bytes | OSError] | None = None) -> UnitResult:
    """Analyse the given .go files of one directory (grouped into packages by package clause)."""
    res = UnitResult()
    files: list[GoFile] = []
    codes = {r.code for r in rules}
    if sources is None:
        sources = read_sources(paths)
    for p in paths:
        shown = display(p) if display else p
        src = sources[p]
        if isinstance(src, OSError):
            res.problems.append(Problem(shown, src.strerror or str(src)))
            continue
        if is_ignored_by_build_tag(src):
            continue  # //go:build ignore: the go tool never builds it
        try:
            gf = load(shown, src)
        except SourceError as exc:
            res.problems.append(Problem(shown, str(exc)))
            continue
        except RecursionError:
            res.problems.append(Problem(shown, "file too deeply nested to parse; skipped"))
            continue
        gf.go_version = go_version
        files.append(gf)
        res.files += 1
        if gf.syntax is not None:
            if gf.syntax.confirmed and PARSE_ERROR[0] in codes:
                at = gf.line_pos(gf.syntax.line, gf.syntax.column)
                res.diagnostics.append(engine_diagnostic(PARSE_ERROR, Severity.ERROR, gf.syntax.message,
                                                         Span(shown, at, at)))
            else:
                res.notes.append(Problem(f"{shown}:{gf.syntax.line}", gf.syntax.message + "; skipped that declaration"))
                res.cacheable = res.cacheable and not gf.syntax.retry

    by_pkg: dict[str, list[GoFile]] = {}
    for gf in files:
        by_pkg.setdefault(gf.package, []).append(gf)
    enabled = {r.code for r in rules} | {r.name for r in rules}
    for name, pfiles in sorted(by_pkg.items()):
        res.packages += 1
        pkg = Package(name, directory, pfiles, go_version, module_path)
        analysis = Analysis(pkg)
        for gf in pfiles:
            found: list[Diagnostic] = []
            for r in rules:
                try:
                    for d in r.check(FileContext(r, gf, analysis)) or ():
                        if not gf.broken or not gf.is_broken(d.span.start.offset):
                            found.append(d)
                except RecursionError:
                    res.problems.append(Problem(gf.path, f"{r.code} {r.name}: code too deeply nested; rule skipped"))
                except Exception as exc:  # a rule bug must not stop the run
                    if INTERNAL_ERROR[0] not in codes:
                        continue
                    where = traceback.extract_tb(exc.__traceback__)[-1]
                    res.diagnostics.append(engine_diagnostic(
                        INTERNAL_ERROR, Severity.ERROR,
                        f"internal error in rule {r.code} ({type(exc).__name__}: {exc} at "
                        f"{os.path.basename(where.filename)}:{where.lineno}); please report it",
                        Span(gf.path, Position(1, 1), Position(1, 1))))
            res.diagnostics.extend(suppress.apply(gf, found, enabled))
        res.notes.extend(analysis.notes)
    return res


def _display_path(p: str) -> str:
    """Paths as the user sees them: relative to the working directory when inside it."""
    if os.path.isabs(p):
        rel = os.path.relpath(p)
        return p if rel.startswith("..") else rel
    return os.path.normpath(p)


def _run_unit(args: tuple[DirUnit, tuple[str, ...], str | None]) -> UnitResult:
    unit, codes, cache_dir = args
    rules = [r for r in all_rules() if r.code in codes]
    mod = unit.module
    sources = read_sources(unit.files)
    store = key = None
    if cache_dir is not None and not any(isinstance(v, OSError) for v in sources.values()):
        from goconc.cache import Cache
        from goconc.runner import find_gofmt

        store = Cache(cache_dir)
        settings = (codes, mod.path if mod else "", mod.go_version if mod else None, unit.dir, find_gofmt())
        key = store.key(settings, [(_display_path(p), sources[p]) for p in unit.files])  # type: ignore[misc]
        hit = store.get(key)
        if isinstance(hit, UnitResult):
            return hit
    res = analyze_files(unit.files, rules, go_version=mod.go_version if mod else None,
                        module_path=mod.path if mod else "", directory=unit.dir, display=_display_path,
                        sources=sources)
    if store is not None and key is not None and res.cacheable \
            and not any(d.code == INTERNAL_ERROR[0] for d in res.diagnostics):
        store.put(key, res)
    return res


def check_paths(paths: Sequence[str], rules: Sequence[Rule], *, jobs: int | None = None,
                cache: bool = False, cache_dir: str | None = None) -> RunResult:
    """Analyse the Go code named by CLI arguments; deterministic output whatever `jobs` is.

    With `cache`, unchanged directories reuse the findings of an earlier run (see cache.py)."""
    units, problems = collect(list(paths))
    for u in units:
        u.size = sum(_size(f) for f in u.files)
    codes = tuple(r.code for r in rules)
    if cache:
        from goconc.cache import Cache, cache_root

        cache_dir = cache_dir or cache_root()
        Cache(cache_dir)  # create it (and drop other builds' entries) once, before the workers
    else:
        cache_dir = None
    work = [(u, codes, cache_dir) for u in sorted(units, key=lambda u: -u.size)]  # big first: balance
    jobs = jobs or os.cpu_count() or 1
    out = RunResult(problems=list(problems))
    notes: list[Problem] = []
    for ur in _map(work, jobs):
        out.diagnostics.extend(ur.diagnostics)
        out.problems.extend(ur.problems)
        notes.extend(ur.notes)
        out.files += ur.files
        out.packages += ur.packages
    out.diagnostics = sort_unique(out.diagnostics)
    out.problems.sort(key=lambda p: p.path)
    out.notes = sorted(notes, key=lambda p: p.path)
    return out


def _map(work: list, jobs: int) -> Iterator[UnitResult]:
    """Results of `_run_unit` over `work`, in any order (the caller sorts).

    A worker that dies (killed for memory, a crash in the parser's C code) must not lose the
    run: the units it left unfinished are run again one at a time, each in a fresh process, and
    a unit that kills its process again is reported as a problem."""
    if jobs <= 1 or len(work) <= 1:
        for w in work:
            yield _run_unit(w)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    all_rules()  # import rule modules before forking
    ctx = _mp_context()
    left: list = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=ctx) as ex:
        futures = [(w, ex.submit(_run_unit, w)) for w in work]
        for w, fut in futures:
            try:
                yield fut.result()
            except BrokenProcessPool:
                left.append(w)
    for w in left:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
            try:
                yield ex.submit(_run_unit, w).result()
            except BrokenProcessPool:
                unit = w[0]
                yield UnitResult(problems=[Problem(_display_path(unit.dir),
                                                   "the analysis process died on this directory "
                                                   "(out of memory or a crash); skipped")])


def _mp_context():
    import multiprocessing as mp

    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def sort_unique(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in sorted(diags, key=lambda d: d.sort_key):
        key = (d.sort_key, d.span.end)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    return out
