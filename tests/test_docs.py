"""docs/ is generated from the rule modules; fail when it is stale."""

from __future__ import annotations

import os

from conftest import ROOT

from goconc.docs import generate, render_rule
from goconc.registry import all_rules


def test_generated_docs_are_up_to_date():
    docs = os.path.join(ROOT, "docs")
    expected = generate()
    stale = []
    for rel, text in expected.items():
        path = os.path.join(docs, rel)
        try:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(rel)
        except FileNotFoundError:
            stale.append(rel + " (missing)")
    extra = sorted(set(f"rules/{n}" for n in os.listdir(os.path.join(docs, "rules"))) - set(expected))
    assert not stale and not extra, (
        f"docs/ is stale: {stale + extra}; run `python scripts/gen_docs.py` and commit the result")


def test_rule_page_has_title_facts_and_sections():
    r = next(r for r in all_rules() if r.code == "GC3002")
    page = render_rule(r)
    assert page.startswith("# lock-not-released (GC3002)\n")
    assert "- Severity: error" in page
    for title in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Limitations"):
        assert title in page
