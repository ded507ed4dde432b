"""Tree-sitter queries (`.scm` files), compiled once per process and run from one place.

A rule's query sits next to its module (`rules/<family>/<rule>.scm`); queries the engine and
the model share live in `goconc/scm/`. Queries only find candidates; Python decides.

tree-sitter walks the whole tree for any query, however few nodes it matches, so fifteen queries
over a file were fifteen walks of it. The file index runs every query goconc knows (the engine's
and each registered rule's) as one combined query, once per file, and answers each question
("the calls inside this function", "this rule's captures over the file") from that one walk:
`captures(gf, name)` and `file_captures(gf, package, filename, node)`. The answer is the one the
query run on `node` alone would give: a capture counts when the root of the pattern that made it
is `node` or inside it.
"""

from __future__ import annotations

import bisect
import functools
import operator
from dataclasses import dataclass
from importlib import resources

import tree_sitter as ts

from goconc.source import GoFile, Node, language

# The engine's own queries in the index, besides the rules' (which the registry lists). Left
# out: queries asked only of a few small nodes whose captures are most of a file (every
# identifier, every value expression): run on those nodes alone they cost less than indexing.
ENGINE_QUERIES: tuple[tuple[str, str], ...] = (
    ("goconc.scm", "assignments.scm"),
    ("goconc.scm", "calls.scm"),
    ("goconc.scm", "decls.scm"),
    ("goconc.scm", "go_sites.scm"),
    ("goconc.scm", "literals.scm"),
    ("goconc.rules.mutex", "lock_calls.scm"),
    ("goconc.rules.mutex", "sync_points.scm"),
    ("goconc.rules.waitgroup", "wg_calls.scm"),
)
NOT_INDEXED: frozenset[tuple[str, str]] = frozenset({
    ("goconc.scm", "identifiers.scm"),  # the free variables of a goroutine's literal
    ("goconc.rules.mutex", "lock_escapes.scm"),  # values leaving a function that takes a lock
})


def _text(package: str, filename: str) -> str:
    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")


@functools.cache
def compile_query(package: str, filename: str) -> ts.Query:
    return ts.Query(language(), _text(package, filename))


def run_captures(query: ts.Query, node: Node) -> dict[str, list[Node]]:
    """Captures of a query run on its own over `node` (a query outside the index)."""
    got = ts.QueryCursor(query).captures(node)
    for nodes in got.values():
        _sort(nodes)
    return got


_START = operator.attrgetter("start_byte")
_END = operator.attrgetter("end_byte")


def _sort(nodes: list[Node]) -> None:
    """Source order (tree-sitter gives each capture's nodes in no useful order); of two nodes
    starting together, the outer first. The order of two over the very same bytes (`x` and the
    expression list around it) is unspecified."""
    nodes.sort(key=_END, reverse=True)  # two stable sorts on C keys: cheaper than one on a tuple
    nodes.sort(key=_START)


# --------------------------------------------------------------------------------------------
# Capture names made unique per pattern, with the depth of each below its pattern's root


@dataclass(frozen=True)
class Capture:
    query: tuple[str, str]  # (package, filename)
    name: str  # as written in that query
    depth: int  # tree levels between the captured node and its pattern's root (0: the root)


def split_captures(text: str, prefix: str) -> tuple[str, dict[str, tuple[str, int]]]:
    """Rename every capture `@name` of a query to `@{prefix}{i}_{j}__name`, i the pattern it is
    in and j its occurrence there, and say how deep below its pattern's root each capture sits
    (counting the node patterns, `(type ...)` or `(_)`, around it; alternations `[...]`,
    groupings `((a) (b))` and predicates `(#eq? ...)` are not tree levels). Returns
    (new text, {new name: (name, depth)})."""
    out: list[str] = []
    names: dict[str, tuple[str, int]] = {}
    stack: list[str] = []  # "n" node, "g" grouping, "b" alternation, "p" predicate
    pattern = -1
    seen: dict[str, list[str]] = {}  # name -> its new names in the current pattern
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == ";":  # comment to the end of the line
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([" and not stack:
            pattern += 1
            seen = {}
        if c == "(":
            k = i + 1
            while k < n and text[k].isspace():
                k += 1
            nxt = text[k] if k < n else ""
            stack.append("p" if nxt == "#" else "g" if nxt in "([\"" else "n")
        elif c == "[":
            stack.append("b")
        elif c in ")]":
            if not stack:
                raise ValueError(f"unbalanced {c!r} in query at offset {i}")
            stack.pop()
        elif c == "@":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_.-"):
                j += 1
            name = text[i + 1:j]
            if pattern < 0:
                raise ValueError(f"capture @{name} outside a pattern")
            if "p" in stack:  # a predicate refers to a capture of its pattern
                got = seen.get(name, [])
                if len(got) != 1:
                    raise ValueError(f"predicate on @{name}, which its pattern captures {len(got)} times")
                new = got[0]
            else:
                mine = seen.setdefault(name, [])
                new = f"{prefix}{pattern}_{len(mine)}__{name}"
                mine.append(new)
                names[new] = (name, stack.count("n"))
            out.append("@" + new)
            i = j
            continue
        out.append(c)
        i += 1
    if stack:
        raise ValueError("unbalanced query: a pattern is not closed")
    return "".join(out), names


def _index_queries() -> list[tuple[str, str]]:
    from goconc.registry import all_rules

    seen = dict.fromkeys(ENGINE_QUERIES)
    for r in all_rules():
        if r.query is not None:
            seen.setdefault((r.module.rsplit(".", 1)[0], r.query))
    return [k for k in seen if k not in NOT_INDEXED]


@functools.cache
def _combined() -> tuple[ts.Query, dict[str, Capture], frozenset[tuple[str, str]]]:
    texts: list[str] = []
    captures: dict[str, Capture] = {}
    parts = _index_queries()
    for k, key in enumerate(parts):
        text, names = split_captures(_text(*key), f"q{k}p")
        texts.append(text)
        for new, (name, depth) in names.items():
            captures[new] = Capture(key, name, depth)
    return ts.Query(language(), "\n".join(texts)), captures, frozenset(parts)


# --------------------------------------------------------------------------------------------
# The index of one file


class FileIndex:
    """Every indexed query's captures over one file, from one walk of it."""

    def __init__(self, root: Node) -> None:
        query, names, self.queries = _combined()
        # (query, name) -> the lists of its renamed captures, each with its depth
        self._raw: dict[tuple[str, str], dict[str, list[tuple[list[Node], int]]]] = {}
        for new, nodes in ts.QueryCursor(query).captures(root).items():
            cap = names[new]
            self._raw.setdefault(cap.query, {}).setdefault(cap.name, []).append((nodes, cap.depth))
        self._tables: dict[tuple[str, str], dict[str, tuple[list[Node], list[int] | int]]] = {}

    def _table(self, key: tuple[str, str]) -> dict[str, tuple[list[Node], list[int] | int]]:
        """name -> (nodes in source order, their depths: one for all when they share it)."""
        got = self._tables.get(key)
        if got is None:
            got = self._tables[key] = {}
            for name, segments in self._raw.pop(key, {}).items():
                if len(segments) == 1:
                    nodes, depth = segments[0]
                    _sort(nodes)
                    got[name] = (nodes, depth)
                    continue
                depth_of: dict[int, int] = {}
                merged = []
                for nodes, depth in segments:
                    for n in nodes:
                        d = depth_of.get(n.id)
                        if d is None:
                            depth_of[n.id] = depth
                            merged.append(n)
                        elif depth < d:  # two patterns captured it: it is in when either root is
                            depth_of[n.id] = depth
                _sort(merged)
                got[name] = (merged, [depth_of[n.id] for n in merged])
        return got

    def captures(self, key: tuple[str, str], node: Node | None = None) -> dict[str, list[Node]]:
        """The captures of query `key` that running it on `node` (the whole file when None) gives,
        each list in source order."""
        table = self._table(key)
        if node is None or node.parent is None:
            return {name: list(nodes) for name, (nodes, _) in table.items()}
        lo, hi = node.start_byte, node.end_byte
        out: dict[str, list[Node]] = {}
        for name, (nodes, depths) in table.items():
            a = bisect.bisect_left(nodes, lo, key=_START)
            b = bisect.bisect_right(nodes, hi, lo=a, key=_START)
            got = []
            for k in range(a, b):
                c = nodes[k]
                if c.end_byte <= hi and _root_within(c, depths if isinstance(depths, int) else depths[k], node):
                    got.append(c)
            if got:
                out[name] = got
        return out


def _root_within(c: Node, depth: int, node: Node) -> bool:
    """Whether the root of the pattern that captured `c`, `depth` levels above it, is `node` or
    one of its descendants, given that `c` lies within node's bytes."""
    if (c.start_byte, c.end_byte) == (node.start_byte, node.end_byte):
        # `node` itself, a descendant spanning the same bytes (a one-child chain) or an ancestor
        p, d = c, 0
        while p is not None and (p.start_byte, p.end_byte) == (node.start_byte, node.end_byte):
            if p == node:
                return d >= depth
            p, d = p.parent, d + 1
        return False
    # c is a proper descendant of node: its root is within node unless node is less than
    # `depth` levels above c
    p = c
    for _ in range(depth - 1):
        p = p.parent
        if p == node:
            return False
    return True


def index(gf: GoFile) -> FileIndex:
    got = gf.index
    if got is None:
        got = gf.index = FileIndex(gf.root)
    return got


def file_captures(gf: GoFile, package: str, filename: str, node: Node | None = None) -> dict[str, list[Node]]:
    """Captures of query `package`/`filename` over `node` of file gf (the whole file when None),
    each list in source order; from the file's index when the query is in it."""
    key = (package, filename)
    ix = index(gf)
    if key in ix.queries:
        return ix.captures(key, node)
    return run_captures(compile_query(package, filename), node if node is not None else gf.root)


def captures(gf: GoFile, name: str, node: Node | None = None, package: str = "goconc.scm") -> dict[str, list[Node]]:
    """Captures of the shared query `name`.scm over `node` of gf, each list in source order."""
    return file_captures(gf, package, name + ".scm", node)
