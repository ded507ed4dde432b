"""Declared analyses (Engine v2 step 3): computed once, shared, and a failure is reported for
each rule that depends on it, never lost."""

from __future__ import annotations

import pytest
from test_cli import BUGGY, write

from goconc import analysis as A
from goconc.analysis import AnalysisFailed, Analyzer, Pass


def test_results_are_computed_once_and_requirements_first():
    calls = []
    base = Analyzer("base", "", run=lambda p: calls.append("base") or 1)
    top = Analyzer("top", "", requires=(base,), run=lambda p: calls.append("top") or p.result(base) + 1)
    p = Pass(object())
    assert p.result(top) == 2 and p.result(top) == 2 and p.result(base) == 1
    assert calls == ["base", "top"]


def test_a_failure_is_remembered_and_names_the_analysis_that_failed():
    runs = []

    def boom(p):
        runs.append(1)
        raise KeyError("x")

    base = Analyzer("base", "", run=boom)
    top = Analyzer("top", "", requires=(base,), run=lambda p: 1)
    p = Pass(object())
    for a in (top, base, top):
        with pytest.raises(AnalysisFailed) as exc:
            p.result(a)
        assert exc.value.analyzer == "base" and "KeyError" in exc.value.cause
    assert runs == [1] and p.failed(base) and p.failed(top)


def test_a_cycle_of_requirements_is_an_error_not_a_hang():
    a = Analyzer("a", "", run=lambda p: p.result(a))
    with pytest.raises(AnalysisFailed) as exc:
        Pass(object()).result(a)
    assert "requires itself" in exc.value.cause


def test_callgraph_and_paths_analyzers(tmp_path):
    from goconc.engine import Analysis
    from goconc.gomodel import Package
    from goconc.source import load

    path = write(tmp_path, "p/c.go", BUGGY)
    gf = load(path, open(path, "rb").read())
    an = Analysis(Package("p", str(tmp_path), [gf]))
    g = an.result(A.CALLGRAPH)
    assert an.result(A.PATHS).cg is g
    assert {str(f) for f in g.funcs} == {"C.Inc"}


def test_a_failed_analysis_is_one_internal_error_per_rule_and_package(tmp_path, monkeypatch):
    """A crash in a shared analysis must not silently drop the findings of the rules on it."""
    from click.testing import CliRunner

    import dataclasses

    from goconc import callgraph, registry
    from goconc.cli import main

    def broken(pkg, path=""):
        raise ValueError("boom")

    monkeypatch.setattr(callgraph, "build", broken)
    rule = registry.find("GC3002")

    def needs_callgraph(ctx):
        ctx.analysis.result(A.CALLGRAPH)
        yield from rule.check(ctx)

    monkeypatch.setitem(registry._RULES, "GC3002", dataclasses.replace(rule, check=needs_callgraph))
    write(tmp_path, "p/a.go", BUGGY)
    write(tmp_path, "p/b.go", BUGGY.replace("type C", "type D").replace("(c *C)", "(c *D)"))
    res = CliRunner().invoke(main, ["check", "-q", "-j", "1", "--select", "GC3002", str(tmp_path)])
    lines = [ln for ln in res.stdout.splitlines() if "(GC0004)" in ln]
    assert len(lines) == 1, res.stdout
    assert "rule GC3002 skipped this package because analysis callgraph failed: ValueError: boom" in lines[0]
    assert res.exit_code == 1


# --- time: package-wide analyses run on the package's clock, not on the file's -------------


def _engine_pass():
    from goconc import engine
    from goconc.gomodel import Package

    return engine, engine.Analysis(Package("p", "", []))


def test_an_analysis_asked_for_by_a_file_stops_that_file_s_clock():
    import time

    engine, analysis = _engine_pass()
    slow = Analyzer("slow", "", run=lambda p: time.sleep(0.4) or 7)
    clock = engine._PackageClock(5.0)
    with engine._Budget(0.2, clock, analysis) as budget:
        assert analysis.result(slow) == 7  # 0.4 s, over the file's 0.2 s: not charged to the file
        time.sleep(0.05)
    assert not budget.expired and not budget.package_expired
    assert 4.4 < clock.left < 4.7  # charged to the package
    with pytest.raises(engine._OverBudget), engine._Budget(0.2, clock, analysis):
        time.sleep(0.5)  # the file's own work still has its limit


def test_package_wide_analyses_over_the_package_s_time_stop_the_package():
    import time

    engine, analysis = _engine_pass()
    slow = Analyzer("slow", "", run=lambda p: time.sleep(1.0))
    with pytest.raises(engine._PackageOverBudget), engine._Budget(5.0, engine._PackageClock(0.2), analysis):
        analysis.result(slow)
    import contextlib

    assert analysis.pass_.pausing is contextlib.nullcontext  # the hook is taken down again
    assert analysis.result(Analyzer("fast", "", run=lambda p: 1)) == 1
