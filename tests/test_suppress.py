"""//goconc:ignore directives."""

from __future__ import annotations

import textwrap

from goconc.engine import analyze_files
from goconc.registry import select

SRC = textwrap.dedent("""\
    package p

    import "sync"

    type C struct{ mu sync.Mutex }

    func (c *C) A(fail bool) {
    	c.mu.Lock() //goconc:ignore GC3002 released by the caller on failure
    	if fail {
    		return
    	}
    	c.mu.Unlock()
    }

    func (c *C) B(fail bool) {
    	//goconc:ignore lock-not-released released by the caller on failure
    	c.mu.Lock()
    	if fail {
    		return
    	}
    	c.mu.Unlock()
    }

    func (c *C) D(fail bool) {
    	c.mu.Lock()
    	if fail {
    		return
    	}
    	c.mu.Unlock()
    }

    func (c *C) E() {
    	c.mu.Lock() //goconc:ignore GC3002 nothing to suppress here
    	_ = c
    	c.mu.Unlock() //goconc:ignore GC3002
    	_ = "//goconc:ignore GC3002 in a string"
    }
    """)


def analyze(tmp_path, src, rules=None):
    p = tmp_path / "c.go"
    p.write_text(src)
    return analyze_files([str(p)], rules if rules is not None else select(None, None)).diagnostics


def by_line(diags):
    return sorted((d.span.start.line, d.code) for d in diags)


def test_line_and_line_above_and_unused_and_malformed(tmp_path):
    got = by_line(analyze(tmp_path, SRC))
    assert got == [
        (25, "GC3002"),  # D: not suppressed
        (33, "GC0002"),  # E: suppresses nothing
        (35, "GC0003"),  # E: no reason
    ]


def test_unused_is_not_reported_when_the_rule_did_not_run(tmp_path):
    got = by_line(analyze(tmp_path, SRC, select(["GC2", "GC0"], None)))
    assert got == [(35, "GC0003")]


def test_messages(tmp_path):
    diags = {d.code: d for d in analyze(tmp_path, SRC)}
    assert diags["GC0002"].message == "//goconc:ignore GC3002 suppressed nothing; remove it"
    assert diags["GC0003"].message == "//goconc:ignore GC3002 needs a reason after the rule"


def test_file_ignore(tmp_path):
    src = "//goconc:file-ignore GC3002 legacy code, tracked in #12\n" + SRC
    got = by_line(analyze(tmp_path, src))
    assert (26, "GC3002") not in got and not any(c == "GC3002" for _, c in got)


def test_bad_rule_name(tmp_path):
    src = SRC.replace("//goconc:ignore GC3002 released", "//goconc:ignore Not_A_Rule! released")
    msgs = [d.message for d in analyze(tmp_path, src) if d.code == "GC0003"]
    assert "//goconc:ignore: 'Not_A_Rule!' is not a rule code or name" in msgs


def test_unknown_rule_is_malformed_and_spelling_does_not_matter(tmp_path):
    src = SRC.replace("//goconc:ignore GC3002 released", "//goconc:ignore lock-not-releasd released")
    msgs = [d.message for d in analyze(tmp_path, src) if d.code == "GC0003"]
    assert "//goconc:ignore: unknown rule 'lock-not-releasd' (see `goconc rules`)" in msgs
    lower = SRC.replace("//goconc:ignore GC3002 released", "//goconc:ignore gc3002 released")
    assert by_line(analyze(tmp_path, lower)) == by_line(analyze(tmp_path, SRC))
