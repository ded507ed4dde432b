"""Engine v2 step 9: package-scope rules, and findings routed to the file their node is in,
with that file's suppressions."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner
from test_cli import write

from goconc import registry
from goconc.cli import main
from goconc.model import Severity
from goconc.registry import Rule

A = textwrap.dedent("""\
    package p

    import "sync"

    type S struct {
    	mu sync.Mutex
    }
    """)

B = textwrap.dedent("""\
    package p

    func (s *S) Get() {} //goconc:ignore GC8888 reviewed: Get is fine
    func (s *S) Put() {}
    """)


def _methods(files):
    for gf in files:
        for decl in gf.root.named_children:
            if decl.type == "method_declaration":
                yield gf, decl


def _rule(monkeypatch, code, scope, check):
    registry.all_rules()  # load the real rules first (the registry loads them only when empty)
    r = Rule(code=code, name=f"probe-{scope}", severity=Severity.ERROR, summary="probe", doc="probe\n",
             module=__name__, check=check, scope=scope)
    monkeypatch.setitem(registry._RULES, code, r)
    return r


def _run(tmp_path, code):
    res = CliRunner().invoke(main, ["check", "-q", "-j", "1", "--select", code, str(tmp_path)])
    return res, [ln for ln in res.stdout.splitlines() if not ln.startswith(" ")]


def test_a_package_rule_runs_once_and_reports_in_each_file_with_its_suppressions(tmp_path, monkeypatch):
    calls = []

    def check(ctx):
        calls.append(sorted(gf.path.rsplit("/", 1)[-1] for gf in ctx.files))
        for gf, decl in _methods(ctx.files):
            yield ctx.report(decl.child_by_field_name("name"), f"method {gf.node_text(decl.child_by_field_name('name'))}",
                             related=[ctx.related(ctx.files[0].root.named_children[-1], "type here")])

    _rule(monkeypatch, "GC8888", "package", check)
    write(tmp_path, "p/a.go", A)
    write(tmp_path, "p/b.go", B)
    res, lines = _run(tmp_path, "GC8888")
    assert calls == [["a.go", "b.go"]]  # once, with both files
    assert lines == [f"{tmp_path}/p/b.go:4:13: method Put (GC8888)"]  # Get suppressed by b.go's directive
    assert f"note: type here ({tmp_path}/p/a.go:5:1)" in res.stdout
    assert res.exit_code == 1


def test_a_file_rule_reporting_a_node_of_another_file_reports_it_there(tmp_path, monkeypatch):
    def check(ctx):
        if not ctx.file.path.endswith("a.go"):
            return
        for gf, decl in _methods(ctx.pkg.files):  # the methods are in b.go
            yield ctx.report(decl.child_by_field_name("name"), "seen from a.go")

    _rule(monkeypatch, "GC8887", "file", check)
    write(tmp_path, "p/a.go", A)
    write(tmp_path, "p/b.go", B.replace("GC8888", "GC8887"))
    res, lines = _run(tmp_path, "GC8887")
    assert lines == [f"{tmp_path}/p/b.go:4:13: seen from a.go (GC8887)"]  # not a.go's path, and Get suppressed


def test_a_crash_in_a_package_rule_is_one_internal_error(tmp_path, monkeypatch):
    def check(ctx):
        raise ZeroDivisionError("x")
        yield

    _rule(monkeypatch, "GC8886", "package", check)
    write(tmp_path, "p/a.go", A)
    write(tmp_path, "p/b.go", B)
    res, lines = _run(tmp_path, "GC8886")
    assert len(lines) == 1 and "internal error in rule GC8886 (ZeroDivisionError: x" in lines[0]


def test_scope_is_checked_when_a_rule_is_declared():
    with pytest.raises(ValueError, match="scope must be 'file' or 'package'"):
        registry.rule(code="GC8885", name="bad-scope", severity=Severity.ERROR, scope="module")
