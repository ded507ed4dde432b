"""Output formats as pure functions of findings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from goconc.model import Diagnostic, Position, Related, RunResult, Severity, Span
from goconc.output import text
from goconc.output.sarif import line_hashes


def _diag(line=3, col=2, related=()):
    span = Span("a/b.go", Position(line, col, 10), Position(line, col + 5, 15))
    return Diagnostic("GC3002", "lock-not-released", Severity.ERROR, "msg here", span, tuple(related))


def test_text_lines():
    rel = Related(Span("a/b.go", Position(7, 3), Position(7, 9)), "returns here")
    out = text.render([_diag(related=[rel])])
    assert out == "a/b.go:3:2: msg here (GC3002)\n\ta/b.go:7:3: returns here\n"
    assert text.render([]) == ""


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
