"""Output formats as pure functions of findings."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goconc.model import Diagnostic, Position, Related, RunResult, Severity, Span
from goconc.output import github, text
from goconc.output.sarif import line_hashes, plain_text


def _diag(line=3, col=2, related=()):
    span = Span("a/b.go", Position(line, col, 10), Position(line, col + 5, 15))
    return Diagnostic("GC3002", "lock-not-released", Severity.ERROR, "msg here", span, tuple(related))


def test_text_lines():
    rel = Related(Span("a/b.go", Position(7, 3), Position(7, 9)), "returns here")
    out = text.render([_diag(related=[rel])])
    assert out == "a/b.go:3:2: msg here (GC3002)\n    note: returns here (a/b.go:7:3)\n"
    assert text.render([]) == ""


# What CI systems use to find diagnostics in a log: the go vet / GitHub "problem matcher" form,
# the same with leading whitespace, and actions/setup-go's `go` matcher (not anchored).
MATCHERS = [
    re.compile(r"^(.+?):(\d+):(\d+): (.*)$"),
    re.compile(r"^\s*(.+?):(\d+):(\d+): (.*)$"),
    re.compile(r"((?:\.{0,2}\/|\.{0,2}\\)(?:.+\.go)):(?:(\d+):(\d+):)? (.*)"),
]


def _matched(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if any(m.search(ln) for m in MATCHERS)]


def _all_findings() -> list[Diagnostic]:
    """Real findings with related locations: the shipped example and every captured runtime
    output (races, deadlocks, leaks, crashes)."""
    import race_capture
    from conftest import ROOT, TESTDATA

    from goconc.engine import check_paths
    from goconc.race import findings as F
    from goconc.race import leakcheck, parser
    from goconc.registry import select

    diags = list(check_paths([os.path.join(ROOT, "examples")], select(["ALL"], None)).diagnostics)
    loc = F.Locator(goroot=race_capture.GOROOT)
    race_dir = os.path.join(TESTDATA, "race")
    for name in sorted(os.listdir(race_dir)):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(race_dir, name), encoding="utf-8") as f:
            data = f.read()
        if name.startswith("leak_"):
            dump = leakcheck.parse_leak_file(data)
            diags += F.blocked_findings(dump.leaked(), loc, F.GOROUTINE_LEAK, "after the tests", only_blocking=False)
            continue
        diags += F.race_findings(parser.parse_races(data), loc)
        for c in parser.parse_crashes(data):
            diags += F.crash_findings(c, loc)
    return diags


def test_problem_matchers_see_each_finding_once_and_no_related_line():
    diags = _all_findings()
    assert len(diags) > 15 and sum(len(d.related) for d in diags) > 20  # the test has something to see
    out = text.render(diags)
    assert _matched(out) == [text.line(d) for d in diags]
    # a note still names its place, readable and clickable
    assert any(ln.startswith("    note: ") and ln.endswith(")") and ".go:" in ln for ln in out.splitlines())


def test_rich_output_uses_the_same_notes():
    import io

    from rich.console import Console

    rel = Related(Span("a/b.go", Position(7, 3), Position(7, 9)), "returns here")
    buf = io.StringIO()
    text.print_rich([_diag(related=[rel])], Console(file=buf, width=200, color_system=None), lambda p: None)
    lines = buf.getvalue().splitlines()
    assert "    note: returns here (a/b.go:7:3)" in lines
    assert _matched(buf.getvalue()) == [lines[0]]


def test_line_hashes_one_per_line_and_stable():
    src = "package p\n\nfunc f() {\n\tx := 1\n}\n"
    h = line_hashes(src)
    assert sorted(h) == [1, 2, 3, 4, 5, 6]
    assert all(v.split(":")[1] == "1" for v in h.values())
    assert line_hashes(src) == h


def test_line_hashes_ignore_spaces_tabs_and_crlf():
    a = "package p\nfunc f() {\n\tx := 1\n}\n"
    b = "package  p\r\nfunc f(){\r\n        x:=1\r\n}\r\n"
    assert line_hashes(a) == line_hashes(b)


def test_identical_windows_are_numbered():
    src = "x\n" * 5
    values = [line_hashes(src)[i] for i in range(1, 6)]
    # the last lines see different windows (end of file); equal windows get :1, :2 ...
    assert len(set(values)) == 5


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_line_hashes_cover_every_line(s):
    h = line_hashes(s)
    lines = s.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert set(h) <= set(range(1, lines + 1))
    for v in h.values():
        hexpart, n = v.split(":")
        assert int(hexpart, 16) < 2**64 and int(n) >= 1


def test_json_roundtrip_fields():
    import json

    from goconc.output import json as out_json

    doc = json.loads(out_json.render(RunResult(diagnostics=[_diag()], files=1, packages=1)))
    assert doc["findings"][0]["end"] == {"line": 3, "column": 7, "offset": 15}
    assert doc["problems"] == []


def test_json_carries_fixes():
    import json

    from goconc.model import Applicability, Edit, Fix
    from goconc.output import json as out_json

    d = _diag()
    d = Diagnostic(d.code, d.name, d.severity, d.message, d.span,
                   fixes=(Fix("defer the unlock", (Edit("a/b.go", 10, 15, "defer x"),), Applicability.UNSAFE),))
    (f,) = json.loads(out_json.render(RunResult(diagnostics=[d])))["findings"][0]["fixes"]
    assert f == {"title": "defer the unlock", "applicability": "unsafe",
                 "edits": [{"path": "a/b.go", "start": 10, "end": 15, "new": "defer x"}]}


# --- primaryLocationLineHash: the vectors of github/codeql-action src/fingerprints.test.ts ---------

CODEQL_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
      "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
    *[(src, ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
             "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"])
      for src in (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
                  " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
                  " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                  " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n")],
    ("Lorem ipsum dolor sit amet.\n" * 10,
     ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4",
      "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1",
      "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
]


@pytest.mark.parametrize("src,expected", CODEQL_VECTORS)
def test_line_hashes_are_those_of_upload_sarif(src, expected):
    h = line_hashes(src)
    assert [h[i] for i in range(1, len(expected) + 1)] == expected
    assert len(h) == len(expected)


# --- --format github -----------------------------------------------------------------------


def test_github_escaping_follows_actions_toolkit():
    assert github.escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert github.escape_property("100% a:b,c\n") == "100%25 a%3Ab%2Cc%0A"
    assert github.command("warning", {"file": "x,y.go", "line": 3}, "m") == "::warning file=x%2Cy.go,line=3::m"
    assert github.command("error", {}, "m") == "::error::m"


def _github(diags, root, sources=None, problems=()):
    from goconc.model import Problem

    sources = sources or {}
    result = RunResult(diagnostics=list(diags), problems=[Problem(*p) for p in problems])
    return github.render(result, sources.get, root=root)


def test_github_annotation_of_a_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rel = Related(Span("a/b.go", Position(7, 3), Position(7, 9)), "returns with mu, still locked")
    out = _github([_diag(related=[rel])], str(tmp_path))
    assert out == ("::error file=a/b.go,line=3,endLine=3,col=2,endColumn=7,title=GC3002 lock-not-released"
                   "::msg here%0Anote: returns with mu, still locked (a/b.go:7:3)\n")
    assert _github([], str(tmp_path)) == ""


def test_github_severities_columns_and_multiline_spans(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = {"a/b.go": "package p\n\n// é\n\tx /* é */ := 1\n"}
    one = Span("a/b.go", Position(4, 12), Position(4, 14))  # byte column 12: 11 bytes before it, 10 characters
    two = Span("a/b.go", Position(3, 1), Position(4, 3))
    out = _github([Diagnostic("GC2004", "x", Severity.WARNING, "w", one),
                   Diagnostic("GC2005", "y", Severity.INFO, "i: 50%", two)], str(tmp_path), src).splitlines()
    assert out[0] == "::warning file=a/b.go,line=4,endLine=4,col=11,endColumn=13,title=GC2004 x::w"
    assert out[1] == "::notice file=a/b.go,line=3,endLine=4,col=1,title=GC2005 y::i: 50%25"  # no endColumn


def test_github_file_is_relative_to_the_repository_root(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc").mkdir()
    monkeypatch.chdir(tmp_path / "svc")
    outside = str(tmp_path.parent / "elsewhere.go")
    d_out = Diagnostic("GC3002", "n", Severity.ERROR, "m", Span(outside, Position(1, 1), Position(1, 2)))
    out = github.render(RunResult(diagnostics=[_diag(), d_out]), lambda p: None).splitlines()
    assert out[0].startswith("::error file=svc/a/b.go,line=3,")
    assert out[1].startswith(f"::error file={github.escape_property(outside)},line=1,")


def test_github_problems_are_errors_without_a_file(tmp_path):
    out = _github([], str(tmp_path), problems=[("p/bin.go", "binary file")])
    assert out == "::error title=goconc::p/bin.go: binary file\n"


def test_github_lines_are_one_per_finding_on_real_findings():
    diags = _all_findings()
    out = github.render(RunResult(diagnostics=diags), lambda p: None).splitlines()
    assert len(out) == len(diags)
    assert all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,endLine=\d+,col=\d+,", ln) for ln in out)
    assert _matched("\n".join(out)) == []  # a problem matcher would not count them twice


def test_plain_text_help_has_no_markdown():
    md = "# x (GC1)\n\n## What it does\nUses `mu` and [docs](https://x/y).\n```go\nfunc f() {}\n```\n"
    assert plain_text(md) == "x (GC1)\n\nWhat it does\nUses mu and docs (https://x/y).\n    func f() {}\n"


def test_repository_root(tmp_path, monkeypatch):
    from goconc.output.locations import repo_root

    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    (tmp_path / "repo" / "svc" / "p").mkdir(parents=True)
    (tmp_path / "ws" / "svc").mkdir(parents=True)
    real = os.path.realpath
    assert repo_root(str(tmp_path / "ws" / "svc")) == real(tmp_path / "ws" / "svc")  # no git: where goconc runs
    (tmp_path / "repo" / ".git").write_text("gitdir: /elsewhere\n")  # a worktree or submodule
    assert repo_root(str(tmp_path / "repo" / "svc" / "p")) == real(tmp_path / "repo")
    # a GitHub checkout without .git: the workspace, when goconc runs inside it
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "ws"))
    assert repo_root(str(tmp_path / "ws" / "svc")) == real(tmp_path / "ws")
    assert repo_root(str(tmp_path / "repo" / "svc")) == real(tmp_path / "repo")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "w"))  # a prefix of "ws", not a parent
    assert repo_root(str(tmp_path / "ws" / "svc")) == real(tmp_path / "ws" / "svc")
