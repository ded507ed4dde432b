"""The driver of `goconc check`: load, parse once, build the package model, run rules,
apply suppressions, sort.

    paths -> loader (go.mod, skip rules) -> directory units
          -> worker (one process per CPU): parse each file once -> packages -> rules -> findings
          -> main process: merge, sort, dedupe

Trees never cross process boundaries: workers get paths and send back plain findings.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from goconc import suppress
from goconc.analysis import AnalysisFailed
from goconc.gomodel import Package
from goconc.loader import DirUnit, collect, is_generated, is_ignored_by_build_tag, read_regular
from goconc.queries import file_captures
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
        from goconc.analysis import Pass

        self.pkg = pkg
        self.memo: dict[str, object] = {}
        self.pass_ = Pass(pkg)
        self.notes = self.pass_.notes
        self.reported_failures: set[str] = set()  # rules already reported for a failed analysis

    def result(self, analyzer):
        """The result of a declared analysis (goconc.analysis) on this package, computed once;
        raises AnalysisFailed when it (or one it requires) failed."""
        return self.pass_.result(analyzer)

    def cfg(self, gf: GoFile, fn: Node):
        """The control-flow graph of a function declaration or literal (memoised)."""
        return self.pass_.cfg(gf, fn)


class _Reporting:
    """Findings and locations of a rule's context; `file_of(node)` says which file a node is
    in, so a finding goes to its own file whatever the context."""

    rule: Rule

    def file_of(self, node: Node) -> GoFile:
        raise NotImplementedError

    def span(self, node: Node, end: Node | None = None) -> Span:
        return self.file_of(node).span(node, end)

    def related(self, node: Node, message: str) -> Related:
        return Related(self.span(node), message)

    def report(self, node: Node, message: str, *, end: Node | None = None,
               related: Sequence[Related] = (), fixes: Sequence[Fix] = ()) -> Diagnostic:
        r = self.rule
        return Diagnostic(r.code, r.name, r.severity, message, self.span(node, end), tuple(related), tuple(fixes))


@dataclass
class FileContext(_Reporting):
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

    def captures(self, node: Node | None = None) -> dict[str, list[Node]]:
        """Captures of the rule's query over the file (or over `node` of it), each list in
        source order, from the file's index."""
        r = self.rule
        if r.query is None:
            return {}
        return file_captures(self.file, r.module.rsplit(".", 1)[0], r.query, node)

    def file_of(self, node: Node) -> GoFile:
        """The file a node is in: this one, or another file of the package (a method declared
        elsewhere, the struct holding the lock)."""
        return _file_of(self.file, self.analysis.pkg, node)


@dataclass
class PackageContext(_Reporting):
    """The read-only view a package-scope rule gets: every file of one package at once."""

    rule: Rule
    analysis: Analysis

    @property
    def pkg(self) -> Package:
        return self.analysis.pkg

    @property
    def files(self) -> list[GoFile]:
        return self.analysis.pkg.files

    def file_of(self, node: Node) -> GoFile:
        return _file_of(None, self.analysis.pkg, node)


def _file_of(hint: GoFile | None, pkg: Package, node: Node) -> GoFile:
    root = node
    while root.parent is not None:
        root = root.parent
    if hint is not None and hint.root == root:
        return hint
    for gf in pkg.files:
        if gf.root == root:
            return gf
    raise ValueError("node of a file that is not in this package")


# --------------------------------------------------------------------------------------------
# Running


@dataclass
class UnitResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    files: int = 0
    packages: int = 0
    generated: int = 0  # files skipped as generated code
    cacheable: bool = True


class _OverBudget(BaseException):
    """The per-file time budget ran out (raised by a timer signal; BaseException, so that a
    rule's own `except Exception` cannot swallow it)."""


class _PackageOverBudget(BaseException):
    """The package-wide analyses ran out of the package's time."""


class _PackageClock:
    """What is left of a package's time for its package-wide analyses (the call graph, lock
    summaries): `seconds` a file times its number of files."""

    def __init__(self, seconds: float | None) -> None:
        self.left = seconds


class _Budget:
    """A per-file time limit, enforced with a timer signal where one can be set (the main
    thread of a process on POSIX); elsewhere it is not enforced.

    The timer's exception can be swallowed where Python cannot raise it (a garbage collector
    callback, a __del__): so the timer repeats until the file is done, and `expired` stays
    set, which the caller checks once the rules return.

    Package-wide analyses a rule asks for on the way (analysis.Pass runs them inside
    `paused()`) stop the file's clock and run on the package's: the first file of a large
    package must not pay for all of them."""

    def __init__(self, seconds: float | None, package: _PackageClock | None = None,
                 analysis: Analysis | None = None) -> None:
        import signal
        import threading

        self.seconds = seconds
        self.expired = False
        self.package_expired = False
        self.package = package
        self.analysis = analysis
        self._depth = 0
        self.active = bool(seconds) and hasattr(signal, "setitimer") \
            and threading.current_thread() is threading.main_thread()

    def __enter__(self):
        if self.active:
            import signal

            def expired(signum, frame):
                if _importing(frame):
                    return  # never in the middle of an import (it would leave a half-made module): the timer repeats
                if self._depth:
                    self.package_expired = True
                    raise _PackageOverBudget
                self.expired = True
                raise _OverBudget

            self._old = signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.2)
            if self.analysis is not None and self.package is not None and self.package.left is not None:
                self.analysis.pass_.pausing = self.paused
        return self

    @contextlib.contextmanager
    def paused(self):
        import signal
        import time

        if self._depth:  # an analysis another one requires: already on the package's clock
            yield
            return
        file_left, _ = signal.getitimer(signal.ITIMER_REAL)
        start = time.monotonic()
        self._depth += 1
        signal.setitimer(signal.ITIMER_REAL, max(self.package.left, 0.001), 0.2)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._depth -= 1
            self.package.left -= time.monotonic() - start
            signal.setitimer(signal.ITIMER_REAL, max(file_left, 0.001), 0.2)

    def __exit__(self, *exc) -> None:
        if self.active:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
            if self.analysis is not None:
                self.analysis.pass_.pausing = contextlib.nullcontext


def _importing(frame) -> bool:
    """Whether the interrupted code is inside Python's import machinery."""
    depth = 0
    while frame is not None and depth < 200:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame, depth = frame.f_back, depth + 1
    return False


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
                  sources: dict[str, bytes | OSError] | None = None, include_generated: bool = False,
                  file_timeout: float | None = None, max_file_size: int | None = None) -> UnitResult:
    """Analyse the given .go files of one directory (grouped into packages by package clause).

    Generated files (`// Code generated ... DO NOT EDIT.`) are skipped unless
    `include_generated`; a file whose analysis takes longer than `file_timeout` seconds is
    reported as a problem, without findings, and the run goes on."""
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
        if not include_generated and is_generated(src):
            res.generated += 1
            continue
        if max_file_size is not None and len(src) > max_file_size:
            res.problems.append(Problem(shown, f"{_size_text(len(src))}, larger than the {_size_text(max_file_size)} "
                                               "limit; skipped (raise --max-file-size to analyse it)"))
            continue
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
        marks = len(res.problems), len(res.diagnostics), len(res.notes)
        try:
            found, skipped, analysis = _run_package(pkg, rules, codes, res, file_timeout, display, directory)
        except _PackageOverBudget:  # what the package reported so far is replaced by one problem
            del res.problems[marks[0]:], res.diagnostics[marks[1]:], res.notes[marks[2]:]
            res.problems.append(Problem(display(directory) if display else directory,
                                        f"the package-wide analyses of package {name} took longer than "
                                        f"{file_timeout:g} s a file; package skipped (raise --file-timeout to "
                                        "analyse it)"))
            res.cacheable = False
            continue
        by_file: dict[str, list[Diagnostic]] = {}
        for d in found:
            by_file.setdefault(d.span.path, []).append(d)
        for gf in pfiles:
            if gf.path not in skipped:
                res.diagnostics.extend(suppress.apply(gf, by_file.get(gf.path, []), enabled))
        res.notes.extend(analysis.notes)
    return res


def _run_package(pkg: Package, rules: Sequence[Rule], codes: set[str], res: UnitResult,
                 file_timeout: float | None, display, directory: str):
    """Every rule on one package: (findings, paths of the files skipped, the analysis)."""
    pfiles = pkg.files
    analysis = Analysis(pkg)
    clock = _PackageClock(file_timeout * len(pfiles) if file_timeout else None)
    found: list[Diagnostic] = []  # of every file of the package: a rule may report in another file
    skipped: set[str] = set()
    file_rules = [r for r in rules if r.scope == "file"]
    package_rules = [r for r in rules if r.scope == "package"]
    for gf in pfiles:
        try:
            with _Budget(file_timeout, clock, analysis) as budget:
                got = _run_rules(file_rules, gf, analysis, codes, res)
            if budget.package_expired:
                raise _PackageOverBudget
            if budget.expired:  # the timer fired where its exception was swallowed
                raise _OverBudget
        except _OverBudget:
            res.problems.append(Problem(gf.path, f"analysis took longer than {file_timeout:g} s; skipped "
                                                 "(raise --file-timeout to analyse it)"))
            res.cacheable = False
            skipped.add(gf.path)
            res.notes.extend(analysis.notes)
            analysis = Analysis(pkg)  # facts computed half-way must not reach the other files
            continue
        found.extend(got)
    if package_rules:
        try:
            with _Budget(file_timeout * len(pfiles) if file_timeout else None, clock, analysis) as budget:
                got = _run_rules(package_rules, None, analysis, codes, res)
            if budget.package_expired:
                raise _PackageOverBudget
            if budget.expired:
                raise _OverBudget
            found.extend(got)
        except _OverBudget:
            res.problems.append(Problem(display(directory) if display else directory,
                                        f"the package-wide rules took longer than {file_timeout:g} s a file; "
                                        "skipped (raise --file-timeout to run them)"))
            res.cacheable = False
    return found, skipped, analysis


def _size_text(n: int) -> str:
    return f"{n / 1048576:.1f} MiB" if n >= 1048576 else f"{n / 1024:.0f} KiB"


def _run_rules(rules: Sequence[Rule], gf: GoFile | None, analysis: Analysis, codes: set[str],
               res: UnitResult) -> list[Diagnostic]:
    """Every rule on one file (or, with gf None, the package-scope rules on the package); a
    rule that crashes is an internal-error finding, not the end."""
    found: list[Diagnostic] = []
    files = {f.path: f for f in analysis.pkg.files}
    at = gf if gf is not None else analysis.pkg.files[0]  # where a crash of a package rule is reported
    for r in rules:
        try:
            ctx = FileContext(r, gf, analysis) if gf is not None else PackageContext(r, analysis)
            for d in r.check(ctx) or ():
                home = files.get(d.span.path)
                if home is None or not home.broken or not home.is_broken(d.span.start.offset):
                    found.append(d)
        except RecursionError:
            res.problems.append(Problem(at.path, f"{r.code} {r.name}: code too deeply nested; rule skipped"))
        except AnalysisFailed as exc:  # one finding per rule and package, never a silent loss
            if INTERNAL_ERROR[0] in codes and r.code not in analysis.reported_failures:
                analysis.reported_failures.add(r.code)
                res.diagnostics.append(engine_diagnostic(
                    INTERNAL_ERROR, Severity.ERROR,
                    f"internal error: rule {r.code} skipped this package because {exc}; please report it",
                    Span(at.path, Position(1, 1), Position(1, 1))))
        except Exception as exc:  # a rule bug must not stop the run
            if INTERNAL_ERROR[0] not in codes:
                continue
            where = traceback.extract_tb(exc.__traceback__)[-1]
            res.diagnostics.append(engine_diagnostic(
                INTERNAL_ERROR, Severity.ERROR,
                f"internal error in rule {r.code} ({type(exc).__name__}: {exc} at "
                f"{os.path.basename(where.filename)}:{where.lineno}); please report it",
                Span(at.path, Position(1, 1), Position(1, 1))))
    return found


def _display_path(p: str) -> str:
    """Paths as the user sees them: relative to the working directory when inside it."""
    if os.path.isabs(p):
        rel = os.path.relpath(p)
        return p if rel.startswith("..") else rel
    return os.path.normpath(p)


@dataclass(frozen=True)
class RunOptions:
    """Settings of a run that reach the workers (and the cache key)."""

    include_generated: bool = False
    file_timeout: float | None = None
    max_file_size: int | None = None


def _run_unit(args: tuple[DirUnit, tuple[str, ...], str | None, RunOptions]) -> UnitResult:
    unit, codes, cache_dir, opts = args
    rules = [r for r in all_rules() if r.code in codes]
    mod = unit.module
    sources = read_sources(unit.files)
    store = key = None
    if cache_dir is not None and not any(isinstance(v, OSError) for v in sources.values()):
        from goconc.cache import Cache
        from goconc.runner import find_gofmt

        store = Cache(cache_dir)
        settings = (codes, mod.path if mod else "", mod.go_version if mod else None, unit.dir, find_gofmt(),
                    opts.include_generated, opts.max_file_size)
        key = store.key(settings, [(_display_path(p), sources[p]) for p in unit.files])  # type: ignore[misc]
        hit = store.get(key)
        if isinstance(hit, UnitResult):
            return hit
    res = analyze_files(unit.files, rules, go_version=mod.go_version if mod else None,
                        module_path=mod.path if mod else "", directory=unit.dir, display=_display_path,
                        sources=sources, include_generated=opts.include_generated, file_timeout=opts.file_timeout,
                        max_file_size=opts.max_file_size)
    if store is not None and key is not None and res.cacheable \
            and not any(d.code == INTERNAL_ERROR[0] for d in res.diagnostics):
        store.put(key, res)
    return res


def check_paths(paths: Sequence[str], rules: Sequence[Rule], *, jobs: int | None = None,
                cache: bool = False, cache_dir: str | None = None, options: RunOptions = RunOptions(),
                progress=None, plan=None) -> RunResult:
    """Analyse the Go code named by CLI arguments; deterministic output whatever `jobs` is.

    With `cache`, unchanged directories reuse the findings of an earlier run (see cache.py).
    `progress(done, total, directory)` is called in this process as each directory is done.
    A `plan` (config.Plan) drops excluded files and chooses each directory's rules."""
    units, problems = collect(list(paths))
    if plan is not None:
        units = plan.prune(units)
    for u in units:
        u.size = sum(_size(f) for f in u.files)
    codes = tuple(r.code for r in rules)
    if cache:
        from goconc.cache import Cache, cache_root

        cache_dir = cache_dir or cache_root()
        Cache(cache_dir)  # create it (and drop other builds' entries) once, before the workers
    else:
        cache_dir = None
    work = [(u, plan.codes(u) if plan is not None else codes, cache_dir, options)
            for u in sorted(units, key=lambda u: -u.size)]  # big first: balance
    jobs = jobs or os.cpu_count() or 1
    out = RunResult(problems=list(problems))
    notes: list[Problem] = []
    if progress is not None:
        progress(0, len(work), None)
    for done, (unit, ur) in enumerate(_map(work, jobs), 1):
        if progress is not None:
            progress(done, len(work), unit.dir)
        out.generated += ur.generated
        out.diagnostics.extend(ur.diagnostics)
        out.problems.extend(ur.problems)
        notes.extend(ur.notes)
        out.files += ur.files
        out.packages += ur.packages
    out.diagnostics = sort_unique(out.diagnostics)
    out.problems.sort(key=lambda p: p.path)
    out.notes = sorted(notes, key=lambda p: p.path)
    return out


def _map(work: list, jobs: int) -> Iterator[tuple[DirUnit, UnitResult]]:
    """(unit, result of `_run_unit`) over `work`, in the order they finish (the caller sorts).

    A worker that dies (killed for memory, a crash in the parser's C code) must not lose the
    run: the units it left unfinished are run again one at a time, each in a fresh process, and
    a unit that kills its process again is reported as a problem.

    Ctrl-C (or SIGTERM, turned into KeyboardInterrupt by the CLI) reaches only this process:
    the workers ignore SIGINT, and are killed here at once instead of finishing their work."""
    if jobs <= 1 or len(work) <= 1:
        for w in work:
            yield w[0], _run_unit(w)
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    all_rules()  # import rule modules before forking
    ctx = _mp_context()
    left: list = []
    ex = ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=ctx, initializer=_worker_init)
    try:
        pending = {ex.submit(_run_unit, w): w for w in work}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                w = pending.pop(fut)
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    left.append(w)
                    continue
                yield w[0], res
    except BaseException:
        _kill_pool(ex)
        raise
    ex.shutdown(wait=True)
    for w in left:
        ex = ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_worker_init)
        try:
            try:
                res = ex.submit(_run_unit, w).result()
            except BrokenProcessPool:
                res = UnitResult(problems=[Problem(_display_path(w[0].dir),
                                                   "the analysis process died on this directory "
                                                   "(out of memory or a crash); skipped")])
        except BaseException:
            _kill_pool(ex)
            raise
        ex.shutdown(wait=True)
        yield w[0], res


def _worker_init() -> None:
    """In each worker: Ctrl-C is the parent's to handle (it kills the workers); a terminal's
    SIGINT to the whole process group must not print a traceback per worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # the CLI's handlers (raise KeyboardInterrupt) are the parent's
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _kill_pool(ex) -> None:
    """Stop a process pool now: kill its workers and do not wait for their tasks."""
    import signal

    procs = list((getattr(ex, "_processes", None) or {}).values())
    for p in procs:
        try:
            os.kill(p.pid, signal.SIGKILL)
        except (OSError, AttributeError, TypeError):
            pass
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.join(timeout=1)


# How analysis workers start: fork (fast) for the CLI; a server whose requests run in threads
# sets "forkserver" (forking a threaded process can copy a lock another thread holds).
START_METHOD = "fork"


def _mp_context():
    import multiprocessing as mp

    return mp.get_context(START_METHOD) if START_METHOD in mp.get_all_start_methods() else None


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


STDIN_NAME = "<stdin>"


def check_stdin(data: bytes, path: str | None, rules: Sequence[Rule], *, options: RunOptions = RunOptions(),
                keep=None) -> RunResult:
    """Analyse `data` as if it were the file at `path` (an editor's unsaved buffer): the go.mod
    is found from its directory and its package siblings are read from disk (those `keep`
    accepts), but only its own findings and problems are kept. Nothing is cached or written.
    Without `path`, the code is analysed alone, as STDIN_NAME, in the working directory's module."""
    from goconc.loader import ModuleFinder, _is_go_file

    directory = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
    own = os.path.normpath(path) if path else STDIN_NAME
    files = [own]
    if path:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            names = []
        for name in names:
            sib = os.path.join(os.path.dirname(own), name)
            if _is_go_file(name) and os.path.abspath(sib) != os.path.abspath(own) and os.path.isfile(sib) \
                    and (keep is None or keep(sib)):
                files.append(sib)
    sources = read_sources(files[1:])
    sources[own] = data
    mod = ModuleFinder().find(directory)
    shown = _display_path(own) if path else STDIN_NAME
    res = analyze_files(files, rules, go_version=mod.go_version if mod else None,
                        module_path=mod.path if mod else "", directory=directory, display=_display_path,
                        sources=sources, include_generated=options.include_generated,
                        file_timeout=options.file_timeout, max_file_size=options.max_file_size)
    mine = not is_ignored_by_build_tag(data) and (options.include_generated or not is_generated(data))

    def own_problem(p: Problem) -> bool:
        return p.path == shown or p.path.startswith(shown + ":")

    return RunResult(diagnostics=sort_unique(d for d in res.diagnostics if d.span.path == shown),
                     problems=[p for p in res.problems if own_problem(p)],
                     notes=[p for p in res.notes if own_problem(p)],
                     files=int(mine), packages=int(mine),
                     generated=int(not is_ignored_by_build_tag(data) and not mine))
