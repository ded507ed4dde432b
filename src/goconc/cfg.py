"""Intra-procedural control-flow graphs for Go function bodies.

Model
=====

:func:`build_cfg` turns the ``block`` node of one Go function body (a
``function_declaration``, ``method_declaration`` or ``func_literal``) into a
:class:`CFG` made of basic :class:`Block` objects.  Nested ``func_literal``
bodies are *not* entered: they are separate functions with their own CFG.  A
statement that merely contains a literal (``go func() {...}()``) is an ordinary
node of its block.

Every CFG has four distinguished blocks, created first (indices 0..3):

* ``entry`` -- empty, one edge to the first body block;
* ``exit`` -- normal return: every ``return`` statement and falling off the
  end of the body lead here;
* ``panic_exit`` -- ``panic(...)`` and goroutine-exit calls
  (``runtime.Goexit()``, ``t.Fatal(...)``, ``t.FailNow()``, ...): the
  goroutine unwinds and deferred calls still run;
* ``fatal_exit`` -- ``os.Exit``, ``log.Fatal*``, ``syscall.Exit``: the
  process ends and deferred calls do *not* run.

The exit blocks have no nodes and no successors.

What goes into ``Block.nodes``
------------------------------

``nodes`` lists, in execution order, the tree-sitter nodes that execute in the
block:

* simple statements as-is: ``expression_statement``, ``assignment_statement``,
  ``short_var_declaration``, ``var_declaration``/``const_declaration``/
  ``type_declaration``, ``inc_statement``/``dec_statement``,
  ``send_statement``, ``go_statement``, ``defer_statement``, and any unknown
  node type (including ``ERROR`` nodes);
* jump statements as-is, as the last node of their block: ``return_statement``
  (edge to ``exit``), ``break_statement``, ``continue_statement``,
  ``goto_statement``, ``fallthrough_statement`` (edge to their target), and
  classified terminating calls (edge to ``panic_exit``/``fatal_exit``);
* for compound statements only the parts that execute:

  - ``if``: the ``initializer`` then the ``condition``, in the block that
    branches;
  - ``for``: the ``initializer`` in the block before the loop; the
    ``condition`` (or the whole ``range_clause`` for a range loop) in the loop
    head block; the ``update`` in its own block, which is the target of
    ``continue`` and loops back to the head;
  - ``switch``: the ``initializer`` then the ``value`` (expression switch) or
    the ``value`` then the ``alias`` (type switch: ``alias := value.(type)``)
    in the head block; each case's value expressions (the expressions of an
    ``expression_case``'s ``expression_list``, the types of a ``type_case``)
    in a test block of their own, followed by the case body block (the target
    of a ``fallthrough`` from the previous case);
  - ``select``: the block holding the preceding statements branches to one
    block per case (no successors at all for ``select {}``); each
    ``communication_case``'s communication node (``send_statement``,
    ``receive_statement`` or expression) is the first node of that case's
    block;
  - ``labeled_statement``: the label starts a fresh block (the target of
    ``goto``); the inner statement is then processed normally (it is never
    appended wholesale).

``empty_statement`` and ``comment`` nodes are skipped.  Code following a jump
or terminating call in the same statement list is placed in a fresh block with
no predecessors (unreachable).  Blocks may be empty; the graph is not
minimised.  ``preds`` always mirror ``succs`` and there are no duplicate edges.

Dataflow
========

:func:`forward` is a classic worklist forward analysis over a CFG; it works
for must-analyses (``meet`` = intersection) as well as may-analyses
(``meet`` = union).  :func:`find_path` finds a shortest block path between two
blocks whose intermediate blocks satisfy a predicate.
"""

from __future__ import annotations


import heapq
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from tree_sitter import Node

__all__ = [
    "Block",
    "CFG",
    "CallKind",
    "build_cfg",
    "default_classify_call",
    "forward",
    "find_path",
]

CallKind = Literal["panic", "goexit", "exit"] | None
"""Classification of a call that is a whole statement: ``"panic"`` and
``"goexit"`` end the goroutine (defers run), ``"exit"`` ends the process."""

S = TypeVar("S")

#: Nesting depth beyond which a compound statement is kept as one opaque node
#: (protects against Python recursion limits on pathological inputs).
MAX_NESTING = 150

_NodeKey = tuple[int, int, str]


def _key(node: Node) -> _NodeKey:
    return (node.start_byte, node.end_byte, node.type)


@dataclass(eq=False)
class Block:
    """A basic block.  Hashable and compared by identity."""

    index: int
    kind: str  # "entry", "exit", "panic_exit", "fatal_exit" or "body"
    nodes: list[Node] = field(default_factory=list)
    succs: list[Block] = field(default_factory=list)
    preds: list[Block] = field(default_factory=list)

    def __repr__(self) -> str:  # avoid recursing through succs/preds
        return (
            f"Block({self.index}, {self.kind}, nodes={len(self.nodes)}, "
            f"succs={[b.index for b in self.succs]}, "
            f"preds={[b.index for b in self.preds]})"
        )


@dataclass(frozen=True, eq=False)
class Loop:
    """A `for` statement in the graph: its head (where every iteration starts, the condition's
    block) and the indices of its blocks (head, body and update; not the block after it)."""

    head: Block
    blocks: frozenset[int]


@dataclass
class CFG:
    """Control-flow graph of one function body."""

    entry: Block
    exit: Block
    panic_exit: Block
    fatal_exit: Block
    blocks: list[Block]
    defers: list[Node]
    _index: dict[_NodeKey, Block] = field(default_factory=dict, repr=False)
    _loops: dict[_NodeKey, Loop] = field(default_factory=dict, repr=False)
    #: True when part of the body is not modelled (nesting beyond MAX_NESTING, or the stack ran
    #: out): paths through it are unknown, so path-sensitive rules must not trust this graph.
    approximate: bool = False

    def block_of(self, node: Node) -> Block | None:
        """Return the block whose ``nodes`` contains ``node``.

        Nodes are matched by ``(start_byte, end_byte, type)``.  If ``node`` is
        not itself a block node, its ancestors are tried, so any node inside a
        simple statement maps to that statement's block; the search stops (and
        returns ``None``) at a nested ``func_literal``, whose body belongs to
        another function.
        """
        n: Node | None = node
        index = self._index
        while n is not None:
            b = index.get(_key(n))
            if b is not None:
                return b
            if n.type == "func_literal" or n.type in _FUNC_DECLS:
                return None
            n = n.parent
        return None

    def loop(self, for_stmt: Node) -> Loop | None:
        """The loop a `for_statement` of this function builds (None for another node)."""
        return self._loops.get(_key(for_stmt))

    def reachable(self) -> set[Block]:
        """Blocks reachable from ``entry`` (including ``entry``)."""
        seen = {self.entry}
        stack = [self.entry]
        while stack:
            for s in stack.pop().succs:
                if s not in seen:
                    seen.add(s)
                    stack.append(s)
        return seen


_FUNC_DECLS = frozenset({"function_declaration", "method_declaration"})

# ---------------------------------------------------------------------------
# Call classification
# ---------------------------------------------------------------------------

_GOEXIT_METHODS = frozenset({b"Fatal", b"Fatalf", b"FailNow", b"SkipNow", b"Skip", b"Skipf"})
_LOG_FATAL = frozenset({b"Fatal", b"Fatalf", b"Fatalln"})
_LOG_PANIC = frozenset({b"Panic", b"Panicf", b"Panicln"})


def _node_text(node: Node, src: bytes | None) -> bytes:
    if src is not None:
        return src[node.start_byte : node.end_byte]
    t = node.text
    return t if t is not None else b""


def default_classify_call(call: Node, src: bytes | None = None) -> CallKind:
    """Classify a ``call_expression`` by the text of its callee.

    ``src`` is the source the tree was parsed from; when ``None`` the node's
    own ``.text`` is used.  Rules:

    * ``panic(...)``, ``log.Panic/Panicf/Panicln(...)`` -> ``"panic"``;
    * ``runtime.Goexit()`` and ``<ident>.Fatal/Fatalf/FailNow/SkipNow/Skip/
      Skipf(...)`` (testing.T/B/TB style) -> ``"goexit"``;
    * ``os.Exit``, ``syscall.Exit``, ``log.Fatal/Fatalf/Fatalln`` ->
      ``"exit"``;
    * anything else -> ``None``.
    """
    try:
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        t = fn.type
        if t == "identifier":
            return "panic" if _node_text(fn, src) == b"panic" else None
        if t != "selector_expression":
            return None
        operand = fn.child_by_field_name("operand")
        fld = fn.child_by_field_name("field")
        if operand is None or fld is None or operand.type != "identifier":
            return None
        pkg = _node_text(operand, src)
        name = _node_text(fld, src)
        if pkg == b"log":
            if name in _LOG_FATAL:
                return "exit"
            if name in _LOG_PANIC:
                return "panic"
            return None
        if name == b"Exit" and (pkg == b"os" or pkg == b"syscall"):
            return "exit"
        if pkg == b"runtime":
            return "goexit" if name == b"Goexit" else None
        if name in _GOEXIT_METHODS:
            return "goexit"
        return None
    except Exception:  # pragma: no cover - defensive
        return None


# ---------------------------------------------------------------------------
# Builder
# ---------------------------------------------------------------------------

_SKIP = frozenset({"comment", "empty_statement"})
_CASE_TYPES = frozenset({"expression_case", "type_case", "default_case", "communication_case"})


class _Frame:
    """A break/continue target: a loop, switch or select being built."""

    __slots__ = ("kind", "label", "brk", "cont", "fall", "_b")

    def __init__(self, b: _Builder, kind: str, label: bytes | None) -> None:
        self._b = b
        self.kind = kind  # "loop", "switch" or "select"
        self.label = label
        self.brk: Block | None = None  # created lazily: only if someone breaks/exits
        self.cont: Block | None = None  # loops only
        self.fall: Block | None = None  # switch: body of the next case

    def break_target(self) -> Block:
        if self.brk is None:
            self.brk = self._b.new()
        return self.brk


class _Builder:
    def __init__(self, classify: Callable[[Node], CallKind], src: bytes | None) -> None:
        self.classify = classify
        self.src = src
        self.blocks: list[Block] = []
        self.entry = self.new("entry")
        self.exit = self.new("exit")
        self.panic_exit = self.new("panic_exit")
        self.fatal_exit = self.new("fatal_exit")
        self.defers: list[Node] = []
        self.index: dict[_NodeKey, Block] = {}
        self.loops: dict[_NodeKey, Loop] = {}
        self.labels: dict[bytes, Block] = {}
        self.defined_labels: set[bytes] = set()
        self.frames: list[_Frame] = []
        self.edges: set[tuple[int, int]] = set()
        self.current: Block | None = None
        self.depth = 0
        self.approximate = False

    # -- graph primitives ----------------------------------------------------

    def new(self, kind: str = "body") -> Block:
        b = Block(len(self.blocks), kind)
        self.blocks.append(b)
        return b

    def link(self, a: Block | None, b: Block) -> None:
        if a is None:
            return
        k = (a.index, b.index)
        if k in self.edges:
            return
        self.edges.add(k)
        a.succs.append(b)
        b.preds.append(a)

    def cur(self) -> Block:
        """The block being filled; a fresh unreachable one after a jump."""
        c = self.current
        if c is None:
            c = self.current = self.new()
        return c

    def add(self, node: Node, block: Block | None = None) -> Block:
        b = block if block is not None else self.cur()
        b.nodes.append(node)
        self.index[_key(node)] = b
        return b

    def jump(self, node: Node, target: Block) -> None:
        """Append ``node`` and end the current block with an edge to ``target``."""
        self.link(self.add(node), target)
        self.current = None

    def text(self, node: Node) -> bytes:
        return _node_text(node, self.src)

    def label_block(self, name: bytes) -> Block:
        b = self.labels.get(name)
        if b is None:
            b = self.labels[name] = self.new()
        return b

    # -- statement lists -----------------------------------------------------

    @staticmethod
    def stmts_of(block: Node) -> Iterator[Node]:
        """Statements of a ``block`` (with or without ``statement_list``)."""
        for c in block.named_children:
            if c.type == "statement_list":
                yield from c.named_children
            else:
                yield c

    @staticmethod
    def case_body(case: Node) -> Iterator[Node]:
        """Body statements of a case clause: everything after the ``:``."""
        started = False
        for c in case.children:
            if not started:
                if c.type == ":":
                    started = True
                continue
            if not c.is_named:
                continue
            if c.type == "statement_list":
                yield from c.named_children
            else:
                yield c

    def stmt_list(self, stmts: Iterable[Node]) -> None:
        for s in stmts:
            self.stmt(s)

    # -- statements ------------------------------------------------------------

    def stmt(self, node: Node, label: bytes | None = None) -> None:
        t = node.type
        if t in _SKIP:
            return
        handler = _COMPOUND.get(t)
        if handler is not None:
            if self.depth >= MAX_NESTING:
                self.add(node)  # too deep: keep as an opaque node
                self.approximate = True
                return
            self.depth += 1
            try:
                handler(self, node, label)
            finally:
                self.depth -= 1
            return
        if t == "expression_statement":
            self.expression_statement(node)
        elif t == "return_statement":
            self.jump(node, self.exit)
        elif t == "defer_statement":
            self.defers.append(node)
            self.add(node)
        elif t == "break_statement":
            self.break_stmt(node)
        elif t == "continue_statement":
            self.continue_stmt(node)
        elif t == "goto_statement":
            lbl = self.label_name(node)
            if lbl is None:
                self.add(node)
            else:
                self.jump(node, self.label_block(lbl))
        elif t == "fallthrough_statement":
            self.fallthrough_stmt(node)
        else:
            self.add(node)

    def label_name(self, node: Node) -> bytes | None:
        for c in node.named_children:
            if c.type == "label_name":
                return self.text(c)
        return None

    def expression_statement(self, node: Node) -> None:
        expr = None
        for c in node.named_children:
            if c.type != "comment":
                expr = c
                break
        kind: CallKind = None
        if expr is not None and expr.type == "call_expression":
            try:
                kind = self.classify(expr)
            except Exception:
                kind = None
        if kind == "panic" or kind == "goexit":
            self.jump(node, self.panic_exit)
        elif kind == "exit":
            self.jump(node, self.fatal_exit)
        else:
            self.add(node)

    def break_stmt(self, node: Node) -> None:
        lbl = self.label_name(node)
        frame = None
        for f in reversed(self.frames):
            if lbl is None or f.label == lbl:
                frame = f
                break
        if frame is None:  # invalid Go: treat as a no-op
            self.add(node)
            return
        self.jump(node, frame.break_target())

    def continue_stmt(self, node: Node) -> None:
        lbl = self.label_name(node)
        target = None
        for f in reversed(self.frames):
            if f.kind == "loop" and (lbl is None or f.label == lbl):
                target = f.cont
                break
        if target is None:  # invalid Go: treat as a no-op
            self.add(node)
            return
        self.jump(node, target)

    def fallthrough_stmt(self, node: Node) -> None:
        for f in reversed(self.frames):
            if f.kind == "switch":
                self.jump(node, f.fall if f.fall is not None else f.break_target())
                return
        self.add(node)  # invalid Go

    # -- compound statements ---------------------------------------------------

    def block_stmt(self, node: Node, label: bytes | None) -> None:
        self.stmt_list(self.stmts_of(node))

    def labeled(self, node: Node, label: bytes | None) -> None:
        name = None
        inner = None
        for c in node.named_children:
            if c.type == "label_name":
                if name is None:
                    name = self.text(c)
            elif c.type != "comment" and inner is None:
                inner = c
        if name is not None:
            if name in self.defined_labels:  # duplicate label (invalid Go)
                lb = self.new()
            else:
                self.defined_labels.add(name)
                lb = self.label_block(name)
            self.link(self.current, lb)
            self.current = lb
        if inner is not None:
            self.stmt(inner, name)

    def if_stmt(self, node: Node, label: bytes | None) -> None:
        ends: list[Block | None] = []
        n: Node | None = node
        while n is not None:  # iterate else-if chains instead of recursing
            init = n.child_by_field_name("initializer")
            cond = n.child_by_field_name("condition")
            cons = n.child_by_field_name("consequence")
            alt = n.child_by_field_name("alternative")
            if init is not None:
                self.add(init)
            if cond is not None:
                self.add(cond)
            head = self.cur()
            # `if false { ... }` / `if true { ... } else { ... }`: the dead branch has no edge
            const = self.text(cond).strip() if cond is not None and cond.type in ("true", "false") else b""
            then = self.new()
            if const != b"false":
                self.link(head, then)
            self.current = then
            if cons is not None:
                self.stmt(cons)
            ends.append(self.current)
            n = None
            if alt is None:
                if const != b"true":
                    ends.append(head)
            else:
                other = self.new()
                if const != b"true":
                    self.link(head, other)
                self.current = other
                if alt.type == "if_statement":
                    n = alt
                else:
                    self.stmt(alt)
                    ends.append(self.current)
        live = [e for e in ends if e is not None]
        if not live:
            self.current = None
            return
        after = self.new()
        for e in live:
            self.link(e, after)
        self.current = after

    def for_stmt(self, node: Node, label: bytes | None) -> None:
        body = node.child_by_field_name("body")
        clause = None
        for c in node.named_children:
            if c.type != "comment" and (body is None or _key(c) != _key(body)):
                clause = c
                break
        init = cond = update = None
        is_range = False
        if clause is not None:
            if clause.type == "for_clause":
                init = clause.child_by_field_name("initializer")
                cond = clause.child_by_field_name("condition")
                update = clause.child_by_field_name("update")
            elif clause.type == "range_clause":
                is_range = True
                cond = clause
            else:
                cond = clause  # `for cond { ... }`
        if init is not None:
            self.add(init)
        first = len(self.blocks)
        head = self.new()
        self.link(self.cur(), head)
        if cond is not None:
            self.add(cond, head)
        frame = _Frame(self, "loop", label)
        if update is not None:
            upd = self.new()
            self.add(update, upd)
            self.link(upd, head)
            frame.cont = upd
        else:
            frame.cont = head
        entry = self.new()
        self.link(head, entry)
        if cond is not None and not (is_range and self._never_closed(clause)):
            self.link(head, frame.break_target())
        self.current = entry
        self.frames.append(frame)
        try:
            if body is not None:
                self.stmt(body)
        finally:
            self.frames.pop()
        self.link(self.current, frame.cont)
        self.loops[_key(node)] = Loop(head, frozenset(
            i for i in range(first, len(self.blocks)) if frame.brk is None or i != frame.brk.index))
        self.current = frame.brk

    _TICKER = re.compile(rb"^(?:time\.Tick\(.*\)|time\.NewTicker\(.*\)\.C)$", re.S)

    def _never_closed(self, clause: Node) -> bool:
        """`range time.Tick(d)` / `range time.NewTicker(d).C`: a ticker channel is never
        closed, so such a loop ends only through break, return or goto."""
        right = clause.child_by_field_name("right")
        return right is not None and self._TICKER.match(self.text(right).strip()) is not None

    def switch_stmt(self, node: Node, label: bytes | None) -> None:
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.add(init)
        value = node.child_by_field_name("value")
        if value is not None:
            self.add(value)
        if node.type == "type_switch_statement":
            alias = node.child_by_field_name("alias")
            if alias is not None:
                self.add(alias)
        head = self.cur()
        frame = _Frame(self, "switch", label)
        cases = [c for c in node.named_children if c.type in _CASE_TYPES]
        bodies: list[Block] = []
        has_default = False
        for c in cases:
            if c.type == "expression_case":
                vals = c.child_by_field_name("value")
                exprs = [] if vals is None else [v for v in vals.named_children if v.type != "comment"]
            elif c.type == "type_case":
                exprs = [v for v in c.children_by_field_name("type") if v.is_named]
            else:
                has_default = True
                exprs = []
            test = self.new()
            self.link(head, test)
            for e in exprs:
                self.add(e, test)
            if exprs:
                b = self.new()
                self.link(test, b)
            else:
                b = test
            bodies.append(b)
        if not has_default:
            self.link(head, frame.break_target())
        self.frames.append(frame)
        try:
            for i, c in enumerate(cases):
                frame.fall = bodies[i + 1] if i + 1 < len(bodies) else None
                self.current = bodies[i]
                self.stmt_list(self.case_body(c))
                if self.current is not None:
                    self.link(self.current, frame.break_target())
        finally:
            self.frames.pop()
        self.current = frame.brk

    def select_stmt(self, node: Node, label: bytes | None) -> None:
        head = self.cur()
        frame = _Frame(self, "select", label)
        self.frames.append(frame)
        try:
            for c in node.named_children:
                if c.type not in _CASE_TYPES:
                    continue
                b = self.new()
                self.link(head, b)
                comm = c.child_by_field_name("communication")
                if comm is not None:
                    self.add(comm, b)
                self.current = b
                self.stmt_list(self.case_body(c))
                if self.current is not None:
                    self.link(self.current, frame.break_target())
        finally:
            self.frames.pop()
        self.current = frame.brk

    # -- driver --------------------------------------------------------------

    def build(self, body: Node) -> CFG:
        first = self.new()
        self.link(self.entry, first)
        self.current = first
        if body.type == "block":
            self.stmt_list(self.stmts_of(body))
        else:  # tolerate being handed a statement_list or a single statement
            self.stmt_list(body.named_children if body.type == "statement_list" else [body])
        self.link(self.current, self.exit)
        return CFG(
            entry=self.entry,
            exit=self.exit,
            panic_exit=self.panic_exit,
            fatal_exit=self.fatal_exit,
            blocks=self.blocks,
            defers=self.defers,
            _index=self.index,
            _loops=self.loops,
            approximate=self.approximate,
        )


_Handler = Callable[[_Builder, Node, "bytes | None"], None]
_COMPOUND: dict[str, _Handler] = {
    "block": _Builder.block_stmt,
    "labeled_statement": _Builder.labeled,
    "if_statement": _Builder.if_stmt,
    "for_statement": _Builder.for_stmt,
    "expression_switch_statement": _Builder.switch_stmt,
    "type_switch_statement": _Builder.switch_stmt,
    "select_statement": _Builder.select_stmt,
}


def _fallback_cfg(body: Node, src: bytes | None) -> CFG:
    """Trivial straight-line CFG used if building the real one fails."""
    b = _Builder(lambda _c: None, src)
    only = b.new()
    b.link(b.entry, only)
    b.link(only, b.exit)
    try:
        for s in b.stmts_of(body):
            if s.type not in _SKIP:
                b.add(s, only)
                if s.type == "defer_statement":
                    b.defers.append(s)
    except Exception:  # pragma: no cover - defensive
        pass
    return CFG(b.entry, b.exit, b.panic_exit, b.fatal_exit, b.blocks, b.defers, b.index, approximate=True)


def build_cfg(
    body: Node,
    classify_call: Callable[[Node], CallKind] | None = None,
    *,
    src: bytes | None = None,
) -> CFG:
    """Build the control-flow graph of a function body.

    ``body`` is the ``block`` node of a function/method declaration or of a
    ``func_literal``.  ``classify_call`` is consulted for every statement that
    is a bare call (an ``expression_statement`` whose expression is a
    ``call_expression``); it receives the ``call_expression`` node.  When it
    is ``None``, :func:`default_classify_call` is used with ``src`` (the bytes
    the tree was parsed from; if ``None`` the nodes' ``.text`` is used).

    Pathological nesting that exhausts the stack gives a straight-line fallback
    CFG marked ``approximate``; any other exception is a bug and propagates (the
    engine reports it as an internal error rather than analysing a wrong graph).
    """
    classify: Callable[[Node], CallKind]
    if classify_call is None:

        def classify(call: Node) -> CallKind:
            return default_classify_call(call, src)

    else:
        classify = classify_call
    try:
        return _Builder(classify, src).build(body)
    except RecursionError:
        return _fallback_cfg(body, src)


# ---------------------------------------------------------------------------
# Dataflow
# ---------------------------------------------------------------------------


def _reverse_postorder(entry: Block) -> list[Block]:
    order: list[Block] = []
    seen = {entry}
    stack: list[tuple[Block, int]] = [(entry, 0)]
    while stack:
        b, i = stack[-1]
        if i < len(b.succs):
            stack[-1] = (b, i + 1)
            s = b.succs[i]
            if s not in seen:
                seen.add(s)
                stack.append((s, 0))
        else:
            stack.pop()
            order.append(b)
    order.reverse()
    return order


class Dataflow(dict):
    """`{block: (in_state, out_state)}`, and whether the solver reached its fixpoint
    (`converged`); states of an unconverged run are not sound and path-sensitive rules must
    not report from them."""

    converged: bool = True


def forward(
    cfg: CFG,
    *,
    init: S,
    transfer: Callable[[Block, S], S],
    meet: Callable[[list[S]], S],
    top: S | None = None,
    budget: int | None = None,
) -> Dataflow:
    """Forward worklist dataflow analysis.

    ``in[entry] = init``; for any other block ``in[b] = meet([out[p] for p in
    b.preds if p reached])`` (``meet`` always receives a non-empty list, even
    with a single element); ``out[b] = transfer(b, in[b])``.  States must be
    comparable with ``==``; iteration stops at the fixpoint or after a
    generous bound (``50 * len(blocks) + 1000`` block visits).

    Returns ``{block: (in_state, out_state)}`` for every block reached from
    ``entry``, a `Dataflow` whose ``converged`` says whether the fixpoint was
    reached within the bound.  If ``top`` is not ``None``, unreached blocks are
    included too, mapped to ``(top, top)``.  Unreached predecessors never take
    part in a meet.
    """
    order = _reverse_postorder(cfg.entry)
    rank = {b: i for i, b in enumerate(order)}
    in_s: dict[Block, Any] = {}
    out_s: dict[Block, Any] = {}
    heap: list[int] = list(range(len(order)))  # already a valid heap
    queued = set(heap)
    budget = 50 * len(cfg.blocks) + 1000 if budget is None else budget
    entry = cfg.entry
    while heap and budget > 0:
        budget -= 1
        i = heapq.heappop(heap)
        queued.discard(i)
        b = order[i]
        if b is entry:
            state = init
        else:
            incoming = [out_s[p] for p in b.preds if p in out_s]
            if not incoming:
                continue
            state = meet(incoming)
        new_out = transfer(b, state)
        in_s[b] = state
        changed = b not in out_s or out_s[b] != new_out
        out_s[b] = new_out
        if changed:
            for s in b.succs:
                j = rank.get(s)
                if j is not None and j not in queued:
                    queued.add(j)
                    heapq.heappush(heap, j)
    result = Dataflow((b, (in_s[b], out_s[b])) for b in order if b in out_s)
    result.converged = not heap
    if top is not None:
        for b in cfg.blocks:
            if b not in result:
                result[b] = (top, top)
    return result


def find_path(
    cfg: CFG,
    start: Block,
    goal: Block,
    through: Callable[[Block], bool] = lambda b: True,
) -> list[Block] | None:
    """Shortest block path ``[start, ..., goal]`` (inclusive) or ``None``.

    Every block strictly between ``start`` and ``goal`` must satisfy
    ``through``; ``start`` and ``goal`` themselves are not tested.  If
    ``start is goal`` the result is ``[start]``.
    """
    if start is goal:
        return [start]
    parent: dict[Block, Block] = {start: start}
    queue: deque[Block] = deque([start])
    while queue:
        b = queue.popleft()
        for s in b.succs:
            if s in parent:
                continue
            if s is goal:
                path = [goal, b]
                while b is not start:
                    b = parent[b]
                    path.append(b)
                path.reverse()
                return path
            parent[s] = b
            if through(s):
                queue.append(s)
    return None
