"""Function identity and call resolution (Engine v2 step 1), against a compilable fixture whose
`// callee "..."` comments say what each call on the line resolves to."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import TESTDATA, needs_go

from goconc.callgraph import FuncId, build
from goconc.gomodel import Package
from goconc.source import load

FIXTURE = os.path.join(TESTDATA, "engine", "callgraph")
_WANT = re.compile(r'//\s*callee((?:\s+"[^"]*")+)')


def _package(directory: str) -> Package:
    files = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".go"):
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                files.append(load(path, f.read()))
    return Package(files[0].package, directory, files)


def _nodes(node, kind):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == kind:
            yield n
        stack.extend(n.named_children)


def _calls(node):
    return _nodes(node, "call_expression")


@pytest.fixture(scope="module")
def graph():
    return build(_package(FIXTURE))


def test_every_annotated_call_resolves_as_written(graph):
    gf = graph.pkg.files[0]
    by_line: dict[int, list] = {}
    for call in _calls(gf.root):
        by_line.setdefault(call.start_point[0] + 1, []).append(call)
    for n in _nodes(gf.root, "type_conversion_expression"):  # generic[int](2) is read as a conversion
        if graph.site(n) is not None:
            by_line.setdefault(n.start_point[0] + 1, []).append(n)
    checked = 0
    problems = []
    for lineno, line in enumerate(gf.src.decode().splitlines(), 1):
        m = _WANT.search(line)
        if not m:
            continue
        want = re.findall(r'"([^"]*)"', m.group(1))
        calls = sorted(by_line.get(lineno, []), key=lambda c: c.start_byte)
        got = [str(graph.site(c).callee) for c in calls]
        if got != want:
            problems.append(f"line {lineno}: want {want}, got {got}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 40


def test_unrelated_method_of_the_same_name_is_not_the_callee(graph):
    """Issue 9: `func (s *S) Close()` must not be what `f.Close()` on an *os.File calls."""
    gf = graph.pkg.files[0]
    closes = [s for s in graph.sites if s.node.type == "call_expression"
              and gf.node_text(s.node.child_by_field_name("function")).endswith(".Close")]
    assert {str(s.callee) for s in closes} == {"os.File.Close", "S.Close"}
    callers = {str(s.caller) for s in graph.callers_of(FuncId("", "S", "Close"))}
    assert callers == {"calls"}


def test_literals_are_numbered_like_go_ssa(graph):
    lits = sorted(str(f) for f in graph.funcs if f.is_literal)
    assert lits == ["init$1", "literals$1", "literals$2", "literals$3", "literals$3$1", "literals$4",
                    "literals$5", "literals$6", "literals$7", "stopReading$1", "waitGroupGo$1"]
    assert graph.funcs[FuncId("", None, "literals$3$1")].parent == FuncId("", None, "literals$3")
    assert {str(f) for f in graph.funcs if f.name.startswith("init#")} == {"init#1", "init#2"}


def test_go_defer_and_library_goroutine_edges(graph):
    kinds = {(str(s.caller), str(s.callee), s.kind) for s in graph.sites}
    assert ("literals", "literals$2", "go") in kinds
    assert ("literals", "literals$3", "defer") in kinds
    assert ("waitGroupGo", "waitGroupGo$1", "go") in kinds  # wg.Go(func() {...}) runs it as a goroutine
    assert ("stopReading$1", "S.unlock", "call") in kinds


def test_sccs_are_bottom_up_and_find_recursion(graph):
    comps = graph.sccs()
    pos = {f: i for i, comp in enumerate(comps) for f in comp}
    assert [FuncId("", None, "even"), FuncId("", None, "odd")] in comps
    # a callee's component comes before its caller's
    for s in graph.sites:
        if s.callee.kind == "func" and s.callee.id in pos and s.caller in pos and s.callee.id != s.caller:
            if pos[s.callee.id] != pos[s.caller]:
                assert pos[s.callee.id] < pos[s.caller], (s.caller, s.callee)
    assert graph.recursive(FuncId("", None, "self")) and graph.recursive(FuncId("", None, "even"))
    assert not graph.recursive(FuncId("", None, "helper"))


def test_enclosing_function(graph):
    gf = graph.pkg.files[0]
    got = {str(graph.enclosing(c)) for c in _calls(gf.root) if gf.node_text(c) == "unlock()"}
    assert got == {"literals", "stopReading$1"}


def test_deep_nesting_does_not_exhaust_the_stack(tmp_path):
    depth = 3000
    body = "func() {\n" * depth + "_ = len(\"x\")\n" + "}()\n" * depth
    src = f"package p\n\nfunc f() {{\n{body}}}\n"
    p = tmp_path / "deep.go"
    p.write_text(src)
    try:
        gf = load(str(p), src.encode())
    except Exception:  # the parser itself may refuse such depth; that is the loader's business
        pytest.skip("the parser refused the file")
    g = build(Package("p", str(tmp_path), [gf]))
    assert sum(1 for f in g.funcs if f.is_literal) == depth


@needs_go
def test_fixture_is_valid_go():
    go = shutil.which("go")
    proc = subprocess.run([go, "vet", "./..."], cwd=os.path.dirname(FIXTURE), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([shutil.which("gofmt") or "gofmt", "-l", "."], cwd=os.path.dirname(FIXTURE),
                          capture_output=True, text=True)
    assert proc.stdout == ""


def test_callee_of_one_call_agrees_with_the_listed_graph():
    """`callee()` answers for one call without listing its function's calls; same answers."""
    pkg = _package(FIXTURE)
    quick, listed = build(pkg), build(pkg)
    gf = pkg.files[0]
    calls = list(_calls(gf.root))
    got = [str(quick.callee(gf, c)) for c in calls]
    assert not quick._listed  # nothing was listed for it
    assert got == [str(listed.site(c).callee) for c in calls]
