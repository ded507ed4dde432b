#!/usr/bin/env python3
"""Regenerate docs/ from the rule modules (tests/test_docs.py fails when it is stale)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from goconc.docs import generate  # noqa: E402

root = os.path.join(os.path.dirname(__file__), "..", "docs")
files = generate()
rules_dir = os.path.join(root, "rules")
os.makedirs(rules_dir, exist_ok=True)
for name in os.listdir(rules_dir):
    if f"rules/{name}" not in files:
        os.remove(os.path.join(rules_dir, name))
for rel, text in files.items():
    with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
        f.write(text)
print(f"wrote {len(files)} files under docs/")
