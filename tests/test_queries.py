"""The file index: one combined query per file gives, for every indexed query and any node, the
captures that query run on that node alone gives."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

import pytest

from goconc import queries
from goconc.source import load

HERE = os.path.dirname(__file__)


def test_split_captures_renames_per_pattern_and_occurrence_with_depths():
    text = '''; a comment with @not_a_capture and (parens
(call_expression
  function: [
    (identifier) @callee
    (selector_expression field: (field_identifier) @callee)
  ] (#not-eq? @other "x(@y)")) @call
[(a) (b)] @alt
((identifier) @id (#eq? @id "make"))
'''
    with pytest.raises(ValueError, match="@other"):
        queries.split_captures(text, "z")
    text = text.replace("@other", "@call_fn").replace(") @call\n", ") @call_fn\n", 1)
    text = text.replace("(#not-eq? @call_fn", "(#not-eq? @callee")
    with pytest.raises(ValueError, match="captures 2 times"):
        queries.split_captures(text, "z")
    text = text.replace("(#not-eq? @callee \"x(@y)\")", "")
    new, names = queries.split_captures(text, "z")
    assert names == {
        "z0_0__callee": ("callee", 1), "z0_1__callee": ("callee", 2), "z0_0__call_fn": ("call_fn", 0),
        "z1_0__alt": ("alt", 0), "z2_0__id": ("id", 0),  # a grouping is not a level
    }
    assert "@not_a_capture" in new  # comments are left alone
    assert '(#eq? @z2_0__id "make")' in new  # a predicate names its own pattern's capture


def _sample_files():
    files = sorted(glob.glob(os.path.join(HERE, "testdata", "rules", "**", "*.go"), recursive=True))
    go = shutil.which("go")
    if go:
        root = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
        for rel in ("sync/mutex.go", "sync/waitgroup.go", "context/context.go", "net/http/transport.go",
                    "os/exec/exec.go"):
            p = os.path.join(root, "src", rel)
            if os.path.exists(p):
                files.append(p)
    return files


def _direct(key, node):
    got = queries.run_captures(queries.compile_query(*key), node)
    out = {}
    for name, nodes in got.items():
        seen, uniq = set(), []
        for n in nodes:
            if n.id not in seen:
                seen.add(n.id)
                uniq.append(n)
        out[name] = uniq
    return out


def _ids(caps):
    """Source order; the order of two captures over the very same bytes (`x` and the expression
    list around it) is left unspecified."""
    out = {}
    for name, nodes in caps.items():
        got = [(n.start_byte, -n.end_byte, n.type) for n in nodes]
        assert got == sorted(got, key=lambda t: t[:2])
        if got:
            out[name] = sorted(got)
    return out


def test_index_answers_what_each_query_run_alone_answers():
    files = _sample_files()
    assert len(files) > 40
    _, _, keys = queries._combined()
    assert ("goconc.scm", "calls.scm") in keys and ("goconc.rules.mutex", "copied_lock.scm") in keys
    checked = 0
    for path in files:
        with open(path, "rb") as f:
            gf = load(path, f.read())
        nodes = [None]
        stack = [gf.root]
        while stack:  # every function, literal and block, plus call arguments (literals' parents)
            n = stack.pop()
            if n.type in ("function_declaration", "method_declaration", "func_literal", "block", "argument_list"):
                nodes.append(n)
            stack.extend(n.children)
        for key in sorted(keys):
            for node in nodes:
                want = _ids(_direct(key, node if node is not None else gf.root))
                got = _ids(queries.file_captures(gf, *key, node))
                assert got == want, (path, key, node and (node.type, node.start_point))
                checked += 1
    assert checked > 10000


def test_whole_file_and_one_function():
    gf = load("x.go", b"package p\n\nfunc f() { g(); h(func() { k() }) }\n\nfunc z() { y() }\n")
    assert queries.file_captures(gf, "goconc.rules.goroutine", "leaked_sender.scm") == {}
    caps = queries.captures(gf, "calls")
    assert [gf.node_text(n) for n in caps["call"]] == ["g()", "h(func() { k() })", "k()", "y()"]
    f = gf.root.named_children[1]
    assert [gf.node_text(n) for n in queries.captures(gf, "calls", f)["call"]] == \
        ["g()", "h(func() { k() })", "k()"]
