"""The registry's invariants: codes, names, docs and queries of every rule."""

from __future__ import annotations

import re

import pytest

from goconc.registry import DOC_SECTIONS, REQUIRED_SECTIONS, SelectorError, all_rules, find, select


def test_codes_and_names_are_unique_and_well_formed():
    rules = all_rules()
    codes = [r.code for r in rules]
    names = [r.name for r in rules]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    for r in rules:
        assert re.fullmatch(r"GC\d{4}", r.code), r.code
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", r.name), r.name
        assert r.family != "other", r.code


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_docs_have_the_fixed_sections(rule):
    s = rule.summary
    assert s and len(s) <= 60, f"summary must be 1-60 chars: {s!r}"
    assert not s.endswith("."), "summary has no final period"
    first = s.split()[0]
    assert first == first.lower() or "." in first, f"summary starts lower case (or with a Go name): {s!r}"
    sections = rule.section
    for title in REQUIRED_SECTIONS:
        assert sections(title), f"{rule.code} lacks '## {title}'"
    if rule.fix.value != "none":
        assert sections("Fix safety"), f"{rule.code} has a fix but no '## Fix safety'"
    from goconc.registry import doc_sections

    order = [t for t in doc_sections(rule.doc) if t in DOC_SECTIONS]
    assert order == [t for t in DOC_SECTIONS if t in order], f"sections out of order: {order}"


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.query], ids=lambda r: r.code)
def test_queries_compile(rule):
    assert rule.compiled_query() is not None


def test_find_by_code_or_name():
    assert find("GC3002").name == "lock-not-released"
    assert find("gc3002").code == "GC3002"
    assert find("lock-not-released").code == "GC3002"
    assert find("nope") is None


def test_select_and_ignore():
    default = select(None, None)
    assert all(r.enabled_by_default for r in default)
    assert "GC2004" not in {r.code for r in default}  # info rules are off by default
    always = {"GC0001", "GC0004"}  # parse-error and internal-error: only --ignore hides them
    assert {r.code for r in select(["GC3"], None)} == \
        {r.code for r in all_rules() if r.code.startswith("GC3")} | always
    assert {r.code for r in select(["GC3"], ["parse-error"])} == \
        {r.code for r in all_rules() if r.code.startswith("GC3")} | {"GC0004"}
    assert {r.code for r in select(["ALL"], ["GC3", "waitgroup-add-in-goroutine"])} == \
        {r.code for r in all_rules() if not r.code.startswith("GC3") and r.code != "GC2001" and not r.dynamic}
    assert {r.code for r in select(None, None, dynamic=True)} == {r.code for r in all_rules() if r.dynamic}
    with pytest.raises(SelectorError, match="found by `goconc race`"):
        select(["data-race"], None)
    with pytest.raises(SelectorError):
        select(["GC9"], None)
