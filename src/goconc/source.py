"""One Go source file: bytes, tree-sitter tree, positions, and how much of it can be trusted.

Each file is parsed once. tree-sitter-go 0.25 cannot parse two forms of valid Go: Go 1.26's
`new(expr)` (e.g. `new(uint64(3))`) and calls of a local variable or function named `make` or
`new` with ordinary arguments. When a parse has errors, we retry with the offending `new(` /
`make(` spelled as an ordinary identifier of the same length (`_nw(` / `_mk_(`), which keeps every
byte offset. Whatever errors remain are checked with `gofmt -e` when a Go toolchain is present:
only errors gofmt confirms become `parse-error` findings. In both cases the top-level declarations
that still hold ERROR nodes are "broken": rules do not report inside them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
import re
from dataclasses import dataclass, field

import tree_sitter as ts
import tree_sitter_go as tsgo

from goconc.model import Position, Span

Node = ts.Node

MAX_FILE_SIZE = 8 * 1024 * 1024


@functools.cache
def language() -> ts.Language:
    return ts.Language(tsgo.language())


@functools.cache
def parser() -> ts.Parser:
    return ts.Parser(language())


class SourceError(Exception):
    """The file cannot be analysed at all (binary, not UTF-8, too large)."""


_BUILTIN_CALL = re.compile(rb"\b(new|make)\(")
_RENAMED = {b"new": b"_nw", b"make": b"_mk_"}


@dataclass
class SyntaxProblem:
    line: int
    column: int
    message: str
    confirmed: bool  # confirmed by gofmt (or no toolchain to ask)
    retry: bool = False  # unconfirmed because gofmt timed out: the result must not be cached


@dataclass(eq=False)
class GoFile:
    path: str
    src: bytes  # the bytes on disk
    text: bytes  # the bytes that were parsed (same length as src)
    tree: ts.Tree
    package: str = ""
    go_version: tuple[int, int] | None = None
    broken: list[tuple[int, int]] = field(default_factory=list)
    syntax: SyntaxProblem | None = None
    is_test: bool = False
    _line_starts: list[int] | None = None
    index: object = None  # queries.FileIndex, built at the first query on the file

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def node_text(self, node: Node) -> str:
        return self.text[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def pos(self, node: Node) -> Position:
        r, c = node.start_point
        return Position(r + 1, c + 1, node.start_byte)

    def end_pos(self, node: Node) -> Position:
        r, c = node.end_point
        return Position(r + 1, c + 1, node.end_byte)

    def span(self, node: Node, end: Node | None = None) -> Span:
        return Span(self.path, self.pos(node), self.end_pos(end or node))

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.src.find
            i = find(b"\n")
            while i >= 0:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def offset_pos(self, offset: int) -> Position:
        import bisect

        starts = self._starts()
        line = bisect.bisect_right(starts, offset) - 1
        return Position(line + 1, offset - starts[line] + 1, offset)

    def line_pos(self, line: int, column: int) -> Position:
        """The position of a 1-based line and byte column (clamped to the file)."""
        starts = self._starts()
        line = min(max(line, 1), len(starts))
        return Position(line, column, min(starts[line - 1] + max(column, 1) - 1, len(self.src)))

    def is_broken(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.broken)


def load(path: str, src: bytes, *, confirm_with_gofmt: bool = True) -> GoFile:
    """Parse `src` (the contents of `path`). Raises SourceError for input that is not Go text."""
    if len(src) > MAX_FILE_SIZE:
        raise SourceError(f"file too large ({len(src) // 1024} KiB > {MAX_FILE_SIZE // 1024} KiB limit); skipped")
    if b"\0" in src:
        raise SourceError("binary file (contains NUL bytes), not Go source; skipped")
    try:
        src.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 (byte offset {exc.start}); Go source must be UTF-8; skipped") from None

    text = src
    tree = parser().parse(text)
    if tree.root_node.has_error:
        text, tree = _recover_builtin_calls(text, tree)

    gf = GoFile(path=path, src=src, text=text, tree=tree, is_test=path.endswith("_test.go"))
    root = tree.root_node
    for child in root.named_children:
        if child.type == "package_clause":
            for c in child.named_children:
                if c.type == "package_identifier":
                    gf.package = gf.node_text(c)
            break
    if root.has_error:
        gf.broken = [(c.start_byte, c.end_byte) for c in root.children if c.has_error or c.is_error]
        first = _first_error(root)
        line, col = (first.start_point[0] + 1, first.start_point[1] + 1) if first else (1, 1)
        try:
            confirmation = _gofmt_errors(src) if confirm_with_gofmt else None
        except TimeoutError:
            confirmation = False
        if confirmation is False:  # gofmt was asked but did not answer: neither claim an error nor cache
            gf.syntax = SyntaxProblem(line, col, "goconc's parser cannot read this and gofmt did not answer "
                                      "in time to confirm a syntax error", False, retry=True)
        elif confirmation is None:  # no toolchain to ask: trust tree-sitter
            gf.syntax = SyntaxProblem(line, col, _describe(gf, first), True)
        elif confirmation:
            gline, gcol, gmsg = _parse_gofmt(confirmation, line, col)
            gf.syntax = SyntaxProblem(gline, gcol, gmsg, True)
        else:
            gf.syntax = SyntaxProblem(line, col, "valid Go that goconc's parser cannot read here", False)
        if not gf.package:
            gf.package = _package_by_regex(src)
    return gf


def _gofmt_errors(src: bytes) -> str | None:
    from goconc.runner import gofmt_errors

    return gofmt_errors(src)


_GOFMT_LINE = re.compile(r"^[^:\n]*:(\d+):(\d+):\s*(.*)$", re.M)


def _parse_gofmt(out: str, line: int, col: int) -> tuple[int, int, str]:
    m = _GOFMT_LINE.search(out)
    if not m:
        return line, col, "syntax error"
    return int(m.group(1)), int(m.group(2)), m.group(3).strip()


def _describe(gf: GoFile, node: Node | None) -> str:
    if node is None:
        return "syntax error"
    if node.is_missing:
        return f"syntax error: missing {node.type!r}"
    snippet = gf.node_text(node).split("\n", 1)[0][:30]
    return f"syntax error near {snippet!r}" if snippet else "syntax error"


def _error_nodes(node: Node) -> Iterator[Node]:
    """ERROR and MISSING nodes under `node`, outermost only, in source order."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            yield n
        elif n.has_error:
            stack.extend(reversed(n.children))


def _first_error(node: Node) -> Node | None:
    return next(_error_nodes(node), None)


def _error_rows(node: Node) -> set[int]:
    rows: set[int] = set()
    for n in _error_nodes(node):
        rows.update(range(max(0, n.start_point[0] - 1), n.end_point[0] + 1))
    return rows


def _count_errors(node: Node) -> int:
    return sum(1 for _ in _error_nodes(node))


def _recover_builtin_calls(text: bytes, tree: ts.Tree) -> tuple[bytes, ts.Tree]:
    """Respell `new(`/`make(` near parse errors as same-length identifiers and reparse.

    A batch of respellings is kept only when it reduces the number of errors.
    """
    errors = _count_errors(tree.root_node)
    for _ in range(4):
        rows = _error_rows(tree.root_node)
        if not rows:
            break
        line_starts = [0] + [m.end() for m in re.finditer(rb"\n", text)]
        buf = bytearray(text)
        changed = False
        for row in rows:
            if row >= len(line_starts):
                continue
            start = line_starts[row]
            end = line_starts[row + 1] if row + 1 < len(line_starts) else len(text)
            for m in _BUILTIN_CALL.finditer(text, start, end):
                word = m.group(1)
                buf[m.start(1):m.end(1)] = _RENAMED[word]
                changed = True
        if not changed:
            break
        cand = bytes(buf)
        cand_tree = parser().parse(cand)
        cand_errors = _count_errors(cand_tree.root_node)
        if cand_errors >= errors:
            break
        text, tree, errors = cand, cand_tree, cand_errors
        if errors == 0:
            break
    return text, tree


_PKG_RE = re.compile(rb"^package\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


def _package_by_regex(src: bytes) -> str:
    m = _PKG_RE.search(src)
    return m.group(1).decode() if m else ""
