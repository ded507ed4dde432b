"""Lock summaries (Engine v2, step 4): what calling a function does to its caller's locks,
checked against the `// summary "..."` expectations of a fixture, every function of it."""

from __future__ import annotations

import os
import re

from conftest import TESTDATA
from test_callgraph import _package

from goconc.engine import Analysis
from goconc.rules.mutex._lockflow import facts

FIXTURE = os.path.join(TESTDATA, "engine", "locksummary")
DECLS = ("function_declaration", "method_declaration")


def test_every_function_has_the_summary_its_comment_says():
    pkg = _package(FIXTURE)
    lf = facts(Analysis(pkg))
    (gf,) = pkg.files
    lines = gf.src.decode().splitlines()
    want, got = {}, {}
    for node in gf.root.named_children:
        if node.type not in DECLS:
            continue
        line = node.start_point[0] + 1
        text = lines[line - 1]
        m = re.search(r"// summary(.*)$", text)
        want[line] = re.findall(r'"([^"]*)"', m.group(1)) if m else []
        got[line] = lf.summary(lf.cg.func_id(node)).facts()
    assert got == want
    assert sum(1 for v in want.values() if v) >= 15
