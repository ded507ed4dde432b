"""Parsing once, repairing what tree-sitter-go cannot read, and confirming syntax errors."""

from __future__ import annotations

import pytest
from conftest import needs_go
from hypothesis import given, settings
from hypothesis import strategies as st

from goconc import runner, source

NEW_EXPR = b"package p\n\nfunc f() *uint64 {\n\tp := new(uint64(3))\n\treturn p\n}\n"
LOCAL_MAKE = b"package p\n\nfunc g() int {\n\tmake := func(n int) int { return n }\n\treturn make(100)\n}\n"
BROKEN = b"package p\n\nfunc ok() {}\n\nfunc f() {\n\tx := 1 +\n}\n"


@pytest.mark.parametrize("src", [NEW_EXPR, LOCAL_MAKE])
def test_valid_go_that_tree_sitter_misreads_is_repaired(src):
    gf = source.load("a.go", src, confirm_with_gofmt=False)
    assert gf.syntax is None
    assert not gf.root.has_error
    assert len(gf.text) == len(gf.src)  # byte offsets are unchanged
    assert gf.package == "p"


def test_real_syntax_error_without_a_toolchain(monkeypatch):
    monkeypatch.setattr(runner, "find_gofmt", lambda: None)
    gf = source.load("a.go", BROKEN)
    assert gf.syntax is not None and gf.syntax.confirmed
    assert gf.syntax.line in (6, 7)
    # ok() parses fine; f() is broken and rules must not report inside it
    assert gf.broken and all(s >= BROKEN.index(b"func f") for s, _ in gf.broken)


@needs_go
def test_real_syntax_error_confirmed_by_gofmt():
    gf = source.load("a.go", BROKEN)
    assert gf.syntax is not None and gf.syntax.confirmed
    assert gf.syntax.line == 7 and "expected operand" in gf.syntax.message


@needs_go
def test_unreadable_but_valid_go_is_not_reported(monkeypatch):
    # Pretend the repair did not exist: gofmt says the file is fine, so it is no syntax error.
    monkeypatch.setattr(source, "_recover_builtin_calls", lambda text, tree: (text, tree))
    gf = source.load("a.go", NEW_EXPR)
    assert gf.syntax is not None and not gf.syntax.confirmed
    assert gf.broken


def test_gofmt_timing_out_is_neither_an_error_nor_cached(monkeypatch):
    def slow(src):
        raise TimeoutError("gofmt -e did not finish in 30 s")

    monkeypatch.setattr(source, "_gofmt_errors", slow)
    gf = source.load("a.go", BROKEN)
    assert gf.syntax is not None and not gf.syntax.confirmed and gf.syntax.retry
    assert gf.broken  # rules still keep out of the unreadable part


def test_binary_non_utf8_and_large_are_source_errors(monkeypatch):
    with pytest.raises(source.SourceError, match="binary"):
        source.load("a.go", b"package p\x00")
    with pytest.raises(source.SourceError, match="UTF-8"):
        source.load("a.go", b"package p // \xff\n")
    monkeypatch.setattr(source, "MAX_FILE_SIZE", 10)
    with pytest.raises(source.SourceError, match="too large"):
        source.load("a.go", b"package p\n// long enough\n")


def test_positions_are_one_based_byte_columns():
    gf = source.load("a.go", "package p\n\n// é\nvar x = 1\n".encode(), confirm_with_gofmt=False)
    var = gf.root.named_children[-1]
    assert gf.pos(var).line == 4 and gf.pos(var).column == 1
    assert gf.offset_pos(var.start_byte) == gf.pos(var)


TOKENS = list("{}()[];:=+-*/&|!<>.,\"'` \n\tabcxyz019_") + [
    "func", "go ", "new(", "make(", "select", "defer ", "mu.Lock()", "mu.Unlock()", "wg.Add(1)",
    "wg.Done()", "return", "for ", "if ", "switch ", "case ", "break", "goto L", "L:", "\n"]
code = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)


@settings(max_examples=60, deadline=None)
@given(code)
def test_any_text_loads_without_crashing(body):
    src = ("package p\n\nfunc f() {\n" + body + "\n}\n").encode()
    gf = source.load("a.go", src, confirm_with_gofmt=False)
    assert len(gf.text) == len(src)


@settings(max_examples=80, deadline=None)
@given(code)
def test_rules_never_fail_on_arbitrary_code(tmp_path_factory, body):
    """Whatever the input, every rule runs without an internal error (GC0004)."""
    from goconc.engine import analyze_files
    from goconc.registry import select

    d = tmp_path_factory.mktemp("fuzz")
    p = d / "a.go"
    p.write_text("package p\n\nimport \"sync\"\n\nvar mu sync.Mutex\nvar wg sync.WaitGroup\n\n"
                 "func f() {\n" + body + "\n}\n")
    res = analyze_files([str(p)], select(["ALL"], None))
    assert not [d for d in res.diagnostics if d.code == "GC0004"]
