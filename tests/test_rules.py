"""Every rule against its fixture folder: tests/testdata/rules/<family>/<rule>/.

Fixtures are compilable Go with `// want "regexp"` comments; a missing or unexpected finding
fails the test. Some rules have extra sibling folders (`<rule>_go121`, ...) for version
dependent behaviour; every folder whose name starts with the rule's module name is used.
"""

from __future__ import annotations

import os

import pytest
from conftest import TESTDATA, needs_go

import wantcomments
from goconc.engine import analyze_files
from goconc.loader import collect
from goconc.registry import all_rules

RULES_DIR = os.path.join(TESTDATA, "rules")


def _rule_dirs():
    out = []
    for r in all_rules():
        if r.code.startswith("GC0") or r.dynamic:
            continue  # engine findings; runtime findings are tested on real programs (test_race_*.py)
        family, module = r.module.split(".")[-2:]
        base = os.path.join(RULES_DIR, family)
        if not os.path.isdir(base):
            out.append(pytest.param(r, None, id=f"{r.code}-{r.name}-MISSING"))
            continue
        dirs = sorted(d for d in os.listdir(base) if d == module or d.startswith(module + "_"))
        if not dirs:
            out.append(pytest.param(r, None, id=f"{r.code}-{r.name}-MISSING"))
        for d in dirs:
            out.append(pytest.param(r, os.path.join(base, d), id=f"{r.code}-{d}"))
    return out


def run_fixture(rule, folder):
    units, problems = collect([folder])
    assert not problems, problems
    findings = []
    expectations = []
    for u in units:
        mod = u.module
        res = analyze_files(u.files, [rule], go_version=mod.go_version if mod else None,
                            module_path=mod.path if mod else "", directory=u.dir)
        assert not res.problems, res.problems
        findings.extend(d for d in res.diagnostics if d.code == rule.code or d.code.startswith("GC0"))
        for p in u.files:
            with open(p, encoding="utf-8") as f:
                expectations.extend(wantcomments.parse(p, f.read()))
    return expectations, findings


@pytest.mark.parametrize("rule,folder", _rule_dirs())
def test_rule_fixtures(rule, folder):
    assert folder is not None, f"{rule.code} {rule.name} has no fixture folder under {RULES_DIR}"
    expectations, findings = run_fixture(rule, folder)
    assert any(not e.todo for e in expectations), f"{folder}: no `// want` expectation: a rule needs positive cases"
    problems = wantcomments.check(expectations, findings)
    assert not problems, "\n".join(problems)


def _fixture_modules():
    mods = []
    for dirpath, dirnames, filenames in os.walk(RULES_DIR):
        if "go.mod" in filenames:
            mods.append(dirpath)
    return sorted(mods)


@needs_go
@pytest.mark.parametrize("module", _fixture_modules(), ids=lambda p: os.path.relpath(p, RULES_DIR))
def test_fixtures_compile_and_are_gofmt_clean(module):
    """Fixtures are real Go: they build (tests included) and are gofmt-formatted."""
    import subprocess

    env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", GOWORK="off")
    fmt = subprocess.run(["gofmt", "-l", "."], cwd=module, capture_output=True, text=True, env=env)
    assert fmt.returncode == 0 and fmt.stdout == "", f"gofmt -l: {fmt.stdout}{fmt.stderr}"
    build = subprocess.run(["go", "test", "-count=1", "-run", "^$", "-vet=off", "./..."], cwd=module,
                           capture_output=True, text=True, env=env, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr


def test_loop_variable_capture_is_silent_from_go_1_22():
    """The same goroutine that GC7004 reports under go 1.21 is fine under go 1.22."""
    from goconc.registry import find

    rule = find("GC7004")
    _, found = run_fixture(rule, os.path.join(RULES_DIR, "race", "go122_loop_variables"))
    assert found == []
    _, old = run_fixture(rule, os.path.join(RULES_DIR, "race", "loop_variable_capture"))
    assert any(d.span.path.endswith("a.go") and d.span.start.line == 18 for d in old)


def test_time_after_in_loop_is_silent_from_go_1_23():
    """The event loop that GC4004 reports under go 1.22 is fine under go 1.23."""
    from goconc.registry import find

    rule = find("GC4004")
    _, found = run_fixture(rule, os.path.join(RULES_DIR, "channel", "go123_timers"))
    assert found == []
    _, old = run_fixture(rule, os.path.join(RULES_DIR, "channel", "time_after_in_loop"))
    assert sorted(d.span.start.line for d in old) == [18, 32]
