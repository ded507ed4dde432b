"""Analyses as declared units (Engine v2, step 3), after go/analysis's Analyzer.

An `Analyzer` is a value: a name, a doc line, the analyzers it requires, and a `run(pass_)`
that returns its typed result. A `Pass` is one package's view: `pass_.result(A)` runs A once
(after what A requires), memoises its result, and shares it with every rule and analyzer that
asks. Results are stored only once computed: an analyzer that fails (raises) is recorded as
failed, and every later request for it, or for anything that requires it, raises
`AnalysisFailed` naming the analyzer that failed first, so a rule that depends on it reports
one internal error instead of silently losing its findings.

    CALLGRAPH = Analyzer("callgraph", "function identity and calls", run=lambda p: callgraph.build(p.pkg))
    PATHS = Analyzer("accesspath", "access paths", requires=(CALLGRAPH,),
                     run=lambda p: Paths(p.result(CALLGRAPH)))
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class Analyzer:
    name: str
    doc: str
    run: Callable[[Pass], Any] = field(repr=False)
    requires: tuple[Analyzer, ...] = ()


class AnalysisFailed(Exception):
    """An analysis (or one it requires) failed on this package."""

    def __init__(self, analyzer: str, cause: str) -> None:
        super().__init__(f"analysis {analyzer} failed: {cause}")
        self.analyzer = analyzer
        self.cause = cause


@dataclass
class _Failure:
    analyzer: str
    cause: str


class Pass:
    """One package's analyses, each computed at most once."""

    def __init__(self, pkg) -> None:
        self.pkg = pkg
        self._results: dict[int, Any] = {}
        self._running: set[int] = set()
        self._cfgs: dict[int, Any] = {}
        self.notes: list = []  # goconc.model.Problem: what an analysis could not do, shown with -v
        # wraps each analyzer's run: the driver stops a file's clock there (package-wide work
        # has the package's own time limit)
        self.pausing: Callable[[], Any] = contextlib.nullcontext

    def cfg(self, gf, fn):
        """The control-flow graph of a function declaration or literal (memoised); None when
        the function has no body or is too deeply nested to follow (with a note)."""
        from goconc import cfg as cfgmod
        from goconc.model import Problem
        from goconc.rules._helpers import call_classifier

        got = self._cfgs.get(fn.id)
        if got is None:
            body = fn.child_by_field_name("body")
            if body is None:
                return None
            got = cfgmod.build_cfg(body, call_classifier(self.pkg, gf))
            if got.approximate:  # paths unknown in part: path-sensitive rules stay quiet here
                self.notes.append(Problem(f"{gf.path}:{fn.start_point[0] + 1}",
                                          "function too deeply nested to follow its paths; "
                                          "path-sensitive rules skipped it"))
            self._cfgs[fn.id] = got
        return None if got.approximate else got

    def result(self, a: Analyzer) -> Any:
        key = id(a)
        got = self._results.get(key, _MISSING)
        if isinstance(got, _Failure):
            raise AnalysisFailed(got.analyzer, got.cause)
        if got is not _MISSING:
            return got
        if key in self._running:
            raise RuntimeError(f"analysis {a.name} requires itself")
        self._running.add(key)
        try:
            for req in a.requires:
                self.result(req)
            with self.pausing():
                value = a.run(self)
        except AnalysisFailed as exc:  # something it requires failed
            self._results[key] = _Failure(exc.analyzer, exc.cause)
            raise
        except RecursionError:
            self._results[key] = _Failure(a.name, "code too deeply nested")
            raise AnalysisFailed(a.name, "code too deeply nested") from None
        except Exception as exc:  # noqa: BLE001 - an analysis bug must not stop the run
            where = traceback.extract_tb(exc.__traceback__)[-1]
            import os

            cause = f"{type(exc).__name__}: {exc} at {os.path.basename(where.filename)}:{where.lineno}"
            self._results[key] = _Failure(a.name, cause)
            raise AnalysisFailed(a.name, cause) from exc
        finally:
            self._running.discard(key)
        self._results[key] = value
        return value

    def failed(self, a: Analyzer) -> bool:
        return isinstance(self._results.get(id(a)), _Failure)


_MISSING = object()


def _callgraph(p: Pass):
    from goconc import callgraph

    return callgraph.build(p.pkg)


def _paths(p: Pass):
    from goconc.accesspath import Paths

    return Paths(p.result(CALLGRAPH))


CALLGRAPH = Analyzer("callgraph", "function identity and call resolution", run=_callgraph)
PATHS = Analyzer("accesspath", "access paths of locks, channels and variables", run=_paths, requires=(CALLGRAPH,))
