#!/usr/bin/env python3
"""The proof matrix of `goconc new`: every pattern, default and non-default parameters.

    python scripts/patterns_matrix.py            # table of checks, wall time, one benchmark per pattern

Each cell is generated into a fresh module and verified as tests/test_patterns.py does
(gofmt, go mod tidy -diff, go vet, go test -race -count=20 with the leak check, goconc check);
the "tests" column counts the generated Test functions (the adversarial tests of the doc's
promises among them); then the default cell's benchmark runs. A measurement and a report, not
a test.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from goconc import patterns as P  # noqa: E402
from goconc.patterns.verify import RACE_COUNT, benchmark, verify  # noqa: E402
from test_patterns import NON_DEFAULT  # noqa: E402


def main() -> int:
    start = time.monotonic()
    steps_names = None
    rows = []
    benches = {}
    with tempfile.TemporaryDirectory(prefix="goconc-matrix-") as tmp:
        for name, pat in P.PATTERNS.items():
            for kind, params in (("default", {}), ("custom", NON_DEFAULT[name])):
                values = P.resolve(pat, params)
                d = os.path.join(tmp, f"{name}-{kind}")
                P.generate(pat, values, d, module=f"example.com/{values['package']}")
                t0 = time.monotonic()
                steps = verify(d)
                steps_names = [s.name for s in steps]
                tests = sum(len(re.findall(r"(?m)^func Test[A-Z]", open(os.path.join(d, f), encoding="utf-8").read()))
                            for f in os.listdir(d) if f.endswith("_test.go"))
                rows.append((f"{name} ({kind})", [s.ok for s in steps], tests, time.monotonic() - t0))
                if kind == "default":
                    benches[name] = benchmark(d)
    total = time.monotonic() - start
    head = "| cell | " + " | ".join(steps_names or []) + " | tests | seconds |"
    print(head)
    print("|" + "---|" * (len(steps_names or []) + 3))
    for cell, oks, tests, secs in rows:
        print(f"| {cell} | " + " | ".join("pass" if ok else "FAIL" for ok in oks) + f" | {tests} | {secs:.1f} |")
    print(f"\nmatrix wall time: {total:.1f} s ({len(rows)} cells, go test -race -count={RACE_COUNT})\n")
    for name, line in benches.items():
        print(f"{name}: {line.strip() or '(no benchmark output)'}")
    return 0 if all(all(oks) for _, oks, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
