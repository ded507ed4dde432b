"""Tree-sitter queries (`.scm` files), compiled once per process and run from one place.

A rule's query sits next to its module (`rules/<family>/<rule>.scm`); queries the engine and
the model share live in `goconc/scm/`. Queries only find candidates; Python decides.
"""

from __future__ import annotations

import functools
from importlib import resources

import tree_sitter as ts

from goconc.source import Node, language


@functools.cache
def compile_query(package: str, filename: str) -> ts.Query:
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    return ts.Query(language(), text)


def captures(name: str, node: Node, package: str = "goconc.scm") -> dict[str, list[Node]]:
    """Captures of the shared query `name`.scm over `node`, each list in source order."""
    return run_captures(compile_query(package, name + ".scm"), node)


def run_captures(query: ts.Query, node: Node) -> dict[str, list[Node]]:
    got = ts.QueryCursor(query).captures(node)
    for nodes in got.values():
        nodes.sort(key=lambda n: n.start_byte)
    return got


def run_matches(query: ts.Query, node: Node) -> list[tuple[int, dict[str, list[Node]]]]:
    return ts.QueryCursor(query).matches(node)
