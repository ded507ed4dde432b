"""Tests for goconc.cfg: control-flow graph construction and dataflow helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import tree_sitter_go
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tree_sitter import Language, Node, Parser

from goconc.cfg import (
    CFG,
    Block,
    CallKind,
    build_cfg,
    default_classify_call,
    find_path,
    forward,
)

PARSER = Parser(Language(tree_sitter_go.language()))
GO_SRC = "/usr/local/go/src"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def parse_func(body: str, *, preamble: str = "") -> tuple[Node, bytes]:
    """Parse ``func f() { <body> }`` and return (body block node, source)."""
    src = f"package p\n{preamble}\nfunc f() {{\n{body}\n}}\n".encode()
    tree = PARSER.parse(src)
    for fn in tree.root_node.named_children:
        if fn.type == "function_declaration":
            b = fn.child_by_field_name("body")
            assert b is not None
            return b, src
    raise AssertionError("no function")


def cfg_of(body: str, classify=None) -> CFG:
    node, src = parse_func(body)
    return build_cfg(node, classify, src=src)


def text(n: Node) -> str:
    assert n.text is not None
    return n.text.decode()


def blk(cfg: CFG, stmt_text: str) -> Block:
    """The unique block containing a node whose text is exactly ``stmt_text``."""
    found = [b for b in cfg.blocks for n in b.nodes if text(n) == stmt_text]
    assert len(found) == 1, (stmt_text, found)
    return found[0]


def node(cfg: CFG, stmt_text: str) -> Node:
    for b in cfg.blocks:
        for n in b.nodes:
            if text(n) == stmt_text:
                return n
    raise AssertionError(stmt_text)


def node_texts(b: Block) -> list[str]:
    return [text(n) for n in b.nodes]


def reaches(cfg: CFG, a: Block, b: Block) -> bool:
    return find_path(cfg, a, b) is not None


def check_invariants(cfg: CFG) -> None:
    for i, b in enumerate(cfg.blocks):
        assert b.index == i
        assert len(set(map(id, b.succs))) == len(b.succs), "duplicate edge"
        for s in b.succs:
            assert b in s.preds
        for p in b.preds:
            assert b in p.succs
        for n in b.nodes:
            assert cfg.block_of(n) is b
    assert not cfg.entry.preds
    for e in (cfg.exit, cfg.panic_exit, cfg.fatal_exit):
        assert not e.succs and not e.nodes
    for b in cfg.blocks:
        for n in b.nodes:
            if n.type == "return_statement":
                assert b.nodes[-1] is n
                assert b.succs == [cfg.exit]


# ---------------------------------------------------------------------------
# basic shapes
# ---------------------------------------------------------------------------


def test_straight_line() -> None:
    cfg = cfg_of("a()\nb()\n// comment\n;\nx++")
    check_invariants(cfg)
    b = blk(cfg, "a()")
    assert node_texts(b) == ["a()", "b()", "x++"]
    assert cfg.entry.succs == [b]
    assert b.succs == [cfg.exit]
    assert [x.kind for x in cfg.blocks[:4]] == ["entry", "exit", "panic_exit", "fatal_exit"]


def test_early_return_in_if_reaches_exit() -> None:
    cfg = cfg_of("if x := g(); x > 0 {\n\treturn\n}\nafter()\nreturn")
    check_invariants(cfg)
    head = blk(cfg, "x > 0")
    assert node_texts(head) == ["x := g()", "x > 0"]
    ret = node(cfg, "return")  # the first one
    rb = cfg.block_of(ret)
    assert rb is not None and rb.succs == [cfg.exit]
    assert rb in head.succs
    after = blk(cfg, "after()")
    assert after in cfg.reachable()
    assert reaches(cfg, head, after)
    assert not reaches(cfg, rb, after)
    assert len(cfg.exit.preds) == 2


def test_if_else_chain_joins() -> None:
    cfg = cfg_of("if a {\n x()\n} else if b {\n y()\n} else {\n z()\n}\nw()")
    check_invariants(cfg)
    w = blk(cfg, "w()")
    for s in ("x()", "y()", "z()"):
        assert blk(cfg, s).succs == [w]
    # the `b` test is only reached from the `a` test
    assert blk(cfg, "b").preds == [blk(cfg, "a")]
    # no direct edge from a's test to the join: there is a final else
    assert w not in blk(cfg, "a").succs and w not in blk(cfg, "b").succs


def test_if_without_else_has_false_edge() -> None:
    cfg = cfg_of("if c {\n x()\n}\ny()")
    assert blk(cfg, "y()") in blk(cfg, "c").succs


def test_if_both_branches_return_makes_rest_unreachable() -> None:
    cfg = cfg_of("if c {\n return\n} else {\n panic(1)\n}\ndead()")
    check_invariants(cfg)
    d = blk(cfg, "dead()")
    assert d.preds == [] and d not in cfg.reachable()


# ---------------------------------------------------------------------------
# loops
# ---------------------------------------------------------------------------


def test_three_clause_for() -> None:
    cfg = cfg_of("for i := 0; i < n; i++ {\n body()\n}\nafter()")
    check_invariants(cfg)
    init = blk(cfg, "i := 0")
    head = blk(cfg, "i < n")
    upd = blk(cfg, "i++")
    body = blk(cfg, "body()")
    after = blk(cfg, "after()")
    assert head in init.succs
    assert set(head.succs) == {body, after}
    assert body.succs == [upd] and upd.succs == [head]


def test_statement_after_infinite_for_is_unreachable() -> None:
    cfg = cfg_of("for {\n work()\n}\ndead()")
    check_invariants(cfg)
    dead = blk(cfg, "dead()")
    assert dead.preds == []
    assert dead not in cfg.reachable()
    assert cfg.exit not in cfg.reachable()


def test_infinite_for_with_break_reaches_after() -> None:
    cfg = cfg_of("for {\n if done() {\n  break\n }\n}\nafter()")
    check_invariants(cfg)
    after = blk(cfg, "after()")
    assert blk(cfg, "break").succs == [after]
    assert after in cfg.reachable() and cfg.exit in cfg.reachable()


def test_condition_only_for() -> None:
    cfg = cfg_of("for x < 3 {\n x++\n}\nafter()")
    head = blk(cfg, "x < 3")
    assert set(head.succs) == {blk(cfg, "x++"), blk(cfg, "after()")}
    assert head in blk(cfg, "x++").succs


def test_range_loop_head_holds_range_clause() -> None:
    cfg = cfg_of("for k, v := range m {\n use(k, v)\n}\nafter()")
    check_invariants(cfg)
    rc = node(cfg, "k, v := range m")
    assert rc.type == "range_clause"
    head = cfg.block_of(rc)
    assert head is not None
    assert set(head.succs) == {blk(cfg, "use(k, v)"), blk(cfg, "after()")}
    assert head in blk(cfg, "use(k, v)").succs


def test_labeled_break_leaves_both_loops() -> None:
    cfg = cfg_of(
        "outer:\nfor i := 0; i < n; i++ {\n for {\n  if c {\n   break outer\n  }\n  inner()\n }\n}\nafter()"
    )
    check_invariants(cfg)
    brk = blk(cfg, "break outer")
    assert brk.succs == [blk(cfg, "after()")]
    # the inner infinite loop can only be left via `break outer`
    assert blk(cfg, "i++").preds == []


def test_continue_goes_to_update_or_head() -> None:
    cfg = cfg_of("for i := 0; i < n; i++ {\n if c {\n  continue\n }\n x()\n}")
    assert blk(cfg, "continue").succs == [blk(cfg, "i++")]
    cfg = cfg_of("for _, v := range xs {\n if v {\n  continue\n }\n x()\n}")
    assert blk(cfg, "continue").succs == [blk(cfg, "_, v := range xs")]


def test_labeled_continue_targets_outer_loop() -> None:
    cfg = cfg_of(
        "outer:\nfor i := 0; i < n; i++ {\n for j := 0; j < m; j++ {\n  continue outer\n }\n}"
    )
    assert blk(cfg, "continue outer").succs == [blk(cfg, "i++")]


# ---------------------------------------------------------------------------
# switch / select
# ---------------------------------------------------------------------------


def test_switch_without_default_has_edge_to_after() -> None:
    cfg = cfg_of("switch x := f(); x {\ncase 1, 2:\n a()\ncase 3:\n b()\n}\nafter()")
    check_invariants(cfg)
    head = blk(cfg, "x := f()")
    assert node_texts(head) == ["x := f()", "x"]
    after = blk(cfg, "after()")
    assert after in head.succs
    case1 = blk(cfg, "1")
    assert node_texts(case1) == ["1", "2"]
    assert case1 in head.succs and blk(cfg, "a()") in case1.succs
    assert blk(cfg, "a()").succs == [after] and blk(cfg, "b()").succs == [after]


def test_switch_with_default_has_no_direct_edge_to_after() -> None:
    cfg = cfg_of("switch x {\ncase 1:\n a()\ndefault:\n d()\n}\nafter()")
    check_invariants(cfg)
    head = blk(cfg, "x")
    after = blk(cfg, "after()")
    assert after not in head.succs
    assert blk(cfg, "d()") in head.succs


def test_fallthrough_goes_to_next_case_body() -> None:
    cfg = cfg_of("switch x {\ncase 1:\n a()\n fallthrough\ncase 2:\n b()\n}\nafter()")
    check_invariants(cfg)
    ft = blk(cfg, "fallthrough")
    assert node_texts(ft) == ["a()", "fallthrough"]
    assert ft.succs == [blk(cfg, "b()")]  # skips the `2` test
    assert blk(cfg, "after()") not in ft.succs


def test_break_inside_switch_leaves_switch_not_loop() -> None:
    cfg = cfg_of("for {\n switch x {\n case 1:\n  break\n }\n inloop()\n}\nafter()")
    check_invariants(cfg)
    assert blk(cfg, "break").succs == [blk(cfg, "inloop()")]
    assert blk(cfg, "after()").preds == []


def test_type_switch_header_and_cases() -> None:
    cfg = cfg_of("switch y := v.(type) {\ncase int, string:\n a(y)\ncase nil:\n b()\n}")
    check_invariants(cfg)
    head = blk(cfg, "v")
    assert node_texts(head) == ["v", "y"]
    types = blk(cfg, "int")
    assert node_texts(types) == ["int", "string"]
    assert types in head.succs
    assert blk(cfg, "a(y)") in types.succs


def test_select_cases_each_get_a_block() -> None:
    cfg = cfg_of(
        "select {\ncase v := <-in:\n use(v)\ncase out <- 1:\n sent()\ncase <-done:\n return\ndefault:\n idle()\n}\nafter()"
    )
    check_invariants(cfg)
    first = cfg.entry.succs[0]
    assert len(first.succs) == 4
    recv = blk(cfg, "v := <-in")
    assert recv.nodes[0].type == "receive_statement"
    assert node_texts(recv) == ["v := <-in", "use(v)"]
    send = blk(cfg, "out <- 1")
    assert send.nodes[0].type == "send_statement"
    assert {recv, send, blk(cfg, "<-done")} <= set(first.succs)
    assert blk(cfg, "<-done").succs == [cfg.exit]
    after = blk(cfg, "after()")
    assert set(after.preds) == {recv, send, blk(cfg, "idle()")}


def test_empty_select_blocks_forever() -> None:
    cfg = cfg_of("setup()\nselect {}\ndead()")
    check_invariants(cfg)
    b = blk(cfg, "setup()")
    assert b.succs == []
    assert blk(cfg, "dead()").preds == []
    assert cfg.exit not in cfg.reachable()


def test_break_inside_select_leaves_select() -> None:
    cfg = cfg_of("for {\n select {\n case <-c:\n  break\n }\n loop()\n}")
    assert blk(cfg, "break").succs == [blk(cfg, "loop()")]


# ---------------------------------------------------------------------------
# goto / labels
# ---------------------------------------------------------------------------


def test_goto_backward_loop() -> None:
    cfg = cfg_of("i := 0\nL:\ni++\nif i < 10 {\n goto L\n}\ndone()")
    check_invariants(cfg)
    label_block = blk(cfg, "i++")
    g = blk(cfg, "goto L")
    assert g.succs == [label_block]
    assert label_block in blk(cfg, "i := 0").succs
    assert reaches(cfg, label_block, g)
    assert blk(cfg, "done()") in cfg.reachable()


def test_goto_forward_skips_code() -> None:
    cfg = cfg_of("if c {\n goto end\n}\nmiddle()\nend:\nlast()")
    check_invariants(cfg)
    last = blk(cfg, "last()")
    assert blk(cfg, "goto end").succs == [last]
    assert last in blk(cfg, "middle()").succs


def test_label_at_end_of_body() -> None:
    cfg = cfg_of("goto L\ndead()\nL:")
    check_invariants(cfg)
    assert cfg.exit in cfg.reachable()
    assert blk(cfg, "dead()") not in cfg.reachable()


# ---------------------------------------------------------------------------
# terminating calls, defers, nested functions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "target"),
    [
        ("panic(err)", "panic_exit"),
        ("t.Fatal(err)", "panic_exit"),
        ("t.Fatalf(\"%v\", err)", "panic_exit"),
        ("b.FailNow()", "panic_exit"),
        ("t.SkipNow()", "panic_exit"),
        ("runtime.Goexit()", "panic_exit"),
        ("log.Panicf(\"x\")", "panic_exit"),
        ("os.Exit(1)", "fatal_exit"),
        ("syscall.Exit(2)", "fatal_exit"),
        ("log.Fatal(err)", "fatal_exit"),
        ("log.Fatalln(err)", "fatal_exit"),
    ],
)
def test_terminating_calls(call: str, target: str) -> None:
    cfg = cfg_of(f"if bad {{\n {call}\n}}\nafter()\n{call}\ndead()")
    check_invariants(cfg)
    tgt = getattr(cfg, target)
    assert len(tgt.preds) == 2
    assert all(p.nodes[-1].type == "expression_statement" for p in tgt.preds)
    assert blk(cfg, "dead()").preds == []
    assert blk(cfg, "after()") in cfg.reachable()
    assert cfg.exit not in cfg.reachable()


def test_calls_only_classified_as_whole_statements() -> None:
    cfg = cfg_of("defer panic(1)\ngo os.Exit(1)\nx := f(panic)\nlog.Printf(\"x\")\nafter()")
    check_invariants(cfg)
    assert not cfg.panic_exit.preds and not cfg.fatal_exit.preds
    assert blk(cfg, "after()").succs == [cfg.exit]


def test_default_classify_call_directly() -> None:
    cfg = cfg_of("panic(1)")
    call = cfg.panic_exit.preds[0].nodes[-1].named_children[0]
    assert call.type == "call_expression"
    assert default_classify_call(call) == "panic"
    assert default_classify_call(call, cfg_of_src("panic(1)")) == "panic"


def cfg_of_src(body: str) -> bytes:
    return parse_func(body)[1]


def test_custom_classifier() -> None:
    def classify(call: Node) -> CallKind:
        fn = call.child_by_field_name("function")
        return "exit" if fn is not None and fn.text == b"die" else None

    cfg = cfg_of("die()\npanic(1)", classify)
    assert blk(cfg, "die()").succs == [cfg.fatal_exit]
    assert not cfg.panic_exit.preds  # custom classifier replaces the default
    assert blk(cfg, "panic(1)").preds == []


def test_classifier_exception_is_tolerated() -> None:
    def boom(call: Node) -> CallKind:
        raise RuntimeError("x")

    cfg = cfg_of("a()\nb()", boom)
    assert blk(cfg, "a()").succs == [cfg.exit]


def test_defers_recorded_in_source_order() -> None:
    cfg = cfg_of(
        "mu.Lock()\ndefer mu.Unlock()\ngo func() {\n defer inner()\n return\n}()\nif c {\n defer d()\n}\nafter()"
    )
    check_invariants(cfg)
    assert [text(d) for d in cfg.defers] == ["defer mu.Unlock()", "defer d()"]
    assert blk(cfg, "defer mu.Unlock()") is blk(cfg, "mu.Lock()")
    # the func literal's return does not end the outer block
    assert blk(cfg, "after()") in cfg.reachable()
    assert len(cfg.exit.preds) == 1


def test_block_of_descendants_and_func_literals() -> None:
    node_, src = parse_func("x := f(a)\ngo func() {\n inner()\n}()")
    cfg = build_cfg(node_, src=src)
    stmt = node(cfg, "x := f(a)")
    b = cfg.block_of(stmt)
    assert b is not None
    call = stmt.child_by_field_name("right").named_children[0]  # type: ignore[union-attr]
    assert call.type == "call_expression"
    assert cfg.block_of(call) is b
    # nodes inside a nested func literal belong to another function
    inner = [n for n in _walk(node_, into_literals=True) if n.type == "expression_statement"]
    assert [text(n) for n in inner] == ["inner()"]
    assert cfg.block_of(inner[0]) is None


def test_nested_block_statement_is_inlined() -> None:
    cfg = cfg_of("a()\n{\n b()\n}\nc()")
    assert node_texts(blk(cfg, "a()")) == ["a()", "b()", "c()"]


def test_error_nodes_do_not_crash() -> None:
    for body in (
        "x := \nif { } for range { case: }",
        "select { case }\ngo; defer;",
        "switch x.(type) { case: fallthrough }; break; continue; goto; L: L:",
        "}}}{{{ ))(",
        "for x := range {\n case 1: default: }} else {",
    ):
        src = f"package p\nfunc f() {{\n{body}\n}}\n".encode()
        root = PARSER.parse(src).root_node
        assert root.has_error
        for n in _walk(root, into_literals=True):
            if n.type in ("block", "ERROR", "statement_list"):
                check_invariants(build_cfg(n, src=src))
                check_invariants(build_cfg(n))


def test_statement_list_argument() -> None:
    node_, src = parse_func("a()\nreturn")
    sl = node_.named_children[0]
    assert sl.type == "statement_list"
    cfg = build_cfg(sl, src=src)
    assert blk(cfg, "a()").succs == [cfg.exit]


def test_deep_nesting_does_not_crash() -> None:
    depth = 600
    body = "if x {\n" * depth + "a()\n" + "}\n" * depth
    cfg = cfg_of(body)
    check_invariants(cfg)
    assert cfg.approximate  # the innermost levels are opaque: rules must not trust its paths
    chain = " else if c {\n}" * 2000
    cfg = cfg_of("if c {\n}" + chain + "\nafter()")
    check_invariants(cfg)
    assert blk(cfg, "after()") in cfg.reachable()
    assert not cfg_of("if x {\n a()\n}\n").approximate


# ---------------------------------------------------------------------------
# dataflow
# ---------------------------------------------------------------------------

LockState = frozenset[str]


def lock_transfer(b: Block, state: LockState) -> LockState:
    s = set(state)
    for n in b.nodes:
        t = n.text
        if t == b"mu.Lock()":
            s.add("mu")
        elif t == b"mu.Unlock()":
            s.discard("mu")
    return frozenset(s)


def must_meet(states: list[LockState]) -> LockState:
    return frozenset.intersection(*states)


def may_meet(states: list[LockState]) -> LockState:
    return frozenset().union(*states)


def held_at_returns(cfg: CFG, meet) -> list[bool]:
    res = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=meet)
    return [("mu" in res[p][1]) for p in cfg.exit.preds if p in res]


def test_must_lock_held_at_early_return() -> None:
    cfg = cfg_of("mu.Lock()\nif c {\n return\n}\nmu.Unlock()\nreturn")
    res = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=must_meet)
    early = cfg.block_of(node(cfg, "c"))
    assert early is not None
    ret_blocks = cfg.exit.preds
    assert len(ret_blocks) == 2
    held = {b.index: "mu" in res[b][1] for b in ret_blocks}
    assert sorted(held.values()) == [False, True]
    assert res[cfg.exit][0] == frozenset()  # meet over both returns


def test_must_conditional_lock_not_held_at_join() -> None:
    cfg = cfg_of("if c {\n mu.Lock()\n}\nwork()\nif c {\n mu.Unlock()\n}\nreturn")
    res = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=must_meet)
    join = blk(cfg, "work()")
    assert res[join][0] == frozenset()
    assert held_at_returns(cfg, must_meet) == [False]
    # a may-analysis does see the lock possibly held at the join
    res_may = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=may_meet)
    assert res_may[join][0] == frozenset({"mu"})


def test_must_analysis_through_loop() -> None:
    cfg = cfg_of("mu.Lock()\nfor i := 0; i < n; i++ {\n work()\n}\nreturn")
    res = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=must_meet)
    assert res[blk(cfg, "work()")][0] == frozenset({"mu"})
    assert held_at_returns(cfg, must_meet) == [True]
    cfg = cfg_of("for i := 0; i < n; i++ {\n mu.Lock()\n work()\n mu.Unlock()\n}\nreturn")
    res = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=must_meet)
    assert res[blk(cfg, "i < n")][0] == frozenset()
    assert held_at_returns(cfg, must_meet) == [False]


def test_forward_skips_unreached_and_top() -> None:
    cfg = cfg_of("return\ndead()")
    res = forward(cfg, init=0, transfer=lambda b, s: s + 1, meet=max)
    dead = blk(cfg, "dead()")
    assert dead not in res and cfg.panic_exit not in res
    assert res[cfg.exit] == (2, 3)
    res = forward(cfg, init=0, transfer=lambda b, s: s + 1, meet=max, top=-1)
    assert res[dead] == (-1, -1)


def test_forward_terminates_on_non_converging_transfer() -> None:
    cfg = cfg_of("for {\n spin()\n}")
    res = forward(cfg, init=0, transfer=lambda b, s: s + 1, meet=max)
    assert blk(cfg, "spin()") in res


def test_find_path_with_through_predicate() -> None:
    cfg = cfg_of("mu.Lock()\nif c {\n mu.Unlock()\n return\n}\nwork()\nreturn")
    start = blk(cfg, "mu.Lock()")

    def no_unlock(b: Block) -> bool:
        return not any(n.text == b"mu.Unlock()" for n in b.nodes)

    path = find_path(cfg, start, cfg.exit, no_unlock)
    assert path is not None
    assert path[0] is start and path[-1] is cfg.exit
    assert blk(cfg, "work()") in path
    for a, b in zip(path, path[1:]):
        assert b in a.succs
    # without the `work()` branch, every path goes through the unlock
    assert find_path(cfg, start, cfg.exit, lambda b: no_unlock(b) and b is not blk(cfg, "work()")) is None
    assert find_path(cfg, start, start) == [start]
    assert find_path(cfg, cfg.exit, start) is None


# ---------------------------------------------------------------------------
# property-based: random structured Go bodies
# ---------------------------------------------------------------------------

_LEAVES = [
    "a()",
    "x++",
    "ch <- 1",
    "v := <-ch",
    "defer d()",
    "go g()",
    "return",
    "panic(1)",
    "t.Fatal()",
    "os.Exit(1)",
    "break",
    "continue",
    "goto L1",
    "goto L2",
    "fallthrough",
    "mu.Lock()",
    "mu.Unlock()",
]


_FORMS = [
    ("if c {{\n{0}\n}}", 1),
    ("if c {{\n{0}\n}} else {{\n{1}\n}}", 2),
    ("if c {{\n{0}\n}} else if d {{\n{1}\n}}", 2),
    ("for i := 0; i < n; i++ {{\n{0}\n}}", 1),
    ("for {{\n{0}\n}}", 1),
    ("for _, v := range xs {{\n{0}\n}}", 1),
    ("switch x {{\ncase 1:\n{0}\ncase 2, 3:\n{1}\n}}", 2),
    ("switch x {{\ncase 1:\n{0}\ndefault:\n{1}\n}}", 2),
    ("switch y := v.(type) {{\ncase int:\n{0}\n}}", 1),
    ("select {{\ncase <-ch:\n{0}\ncase ch <- 1:\n{1}\n}}", 2),
    ("select {{}}", 0),
    ("L1:\nfor {{\n{0}\n}}", 1),
    ("L2:\n{{\n{0}\n}}", 1),
    ("{{\n{0}\n}}", 1),
]


def _render(form: int, a: list[str], b: list[str]) -> str:
    fmt, _ = _FORMS[form]
    return fmt.format("\n".join(a), "\n".join(b))


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    part = st.lists(children, max_size=3)
    return st.builds(_render, st.integers(0, len(_FORMS) - 1), part, part)


_STMT = st.recursive(st.sampled_from(_LEAVES), _compound, max_leaves=20)
_BODY = st.lists(_STMT, min_size=0, max_size=6).map(lambda xs: "\n".join(xs))


def _walk(n: Node, *, into_literals: bool = False) -> Iterator[Node]:
    stack = [n]
    while stack:
        x = stack.pop()
        yield x
        if into_literals or x.type != "func_literal":
            stack.extend(reversed(x.children))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BODY)
def test_random_bodies_graph_invariants(body: str) -> None:
    node_, src = parse_func(body)
    cfg = build_cfg(node_, src=src)
    check_invariants(cfg)

    # every simple statement in the source is placed in some block
    for n in _walk(node_):
        if n.type in ("expression_statement", "send_statement", "inc_statement", "go_statement"):
            if n.parent is not None and n.parent.type in ("statement_list", "block", "labeled_statement"):
                assert cfg.block_of(n) is not None, text(n)
    assert len(cfg.defers) == body.count("defer d()")

    # terminating calls end their block with the right edge
    for b in cfg.blocks:
        for i, n in enumerate(b.nodes):
            if n.text in (b"panic(1)", b"t.Fatal()"):
                assert i == len(b.nodes) - 1 and b.succs == [cfg.panic_exit]
            elif n.text == b"os.Exit(1)":
                assert i == len(b.nodes) - 1 and b.succs == [cfg.fatal_exit]

    # an identity analysis reaches exactly the reachable blocks
    reach = cfg.reachable()
    res = forward(cfg, init=True, transfer=lambda b, s: s, meet=all)
    assert set(res) == reach
    for b in cfg.blocks:
        assert (find_path(cfg, cfg.entry, b) is not None) == (b in reach)

    # must-analysis states are always subsets of may-analysis states
    must = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=must_meet)
    may = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=may_meet)
    for b in must:
        assert must[b][0] <= may[b][0] and must[b][1] <= may[b][1]


# ---------------------------------------------------------------------------
# smoke test on the Go standard library
# ---------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.isdir(GO_SRC), reason="Go stdlib source not available")
def test_stdlib_smoke() -> None:
    files: list[str] = []
    for root, dirs, names in os.walk(GO_SRC):
        dirs.sort()
        files.extend(os.path.join(root, f) for f in sorted(names) if f.endswith(".go"))
    assert files
    step = max(1, len(files) // 300)
    sample = files[::step][:300]
    n_funcs = 0
    for path in sample:
        with open(path, "rb") as fh:
            src = fh.read()
        tree = PARSER.parse(src)
        stack = [tree.root_node]
        while stack:
            n = stack.pop()
            if n.type in ("function_declaration", "method_declaration", "func_literal"):
                body = n.child_by_field_name("body")
                if body is not None:
                    cfg = build_cfg(body, src=src)
                    n_funcs += 1
                    for b in cfg.blocks:
                        for s in b.succs:
                            assert b in s.preds, path
                        for p in b.preds:
                            assert b in p.succs, path
                    for d in cfg.defers:
                        assert cfg.block_of(d) is not None, path
            stack.extend(n.named_children)
    assert n_funcs > 1000


def test_constant_false_and_true_conditions_prune_the_dead_branch() -> None:
    cfg = cfg_of("if false {\n\treturn\n}\nx()\nif true {\n\ty()\n} else {\n\tz()\n}\n")
    check_invariants(cfg)
    ret = blk(cfg, "return")
    assert not reaches(cfg, cfg.entry, ret)  # `if false` body is dead
    assert reaches(cfg, cfg.entry, blk(cfg, "y()"))
    assert not reaches(cfg, cfg.entry, blk(cfg, "z()"))  # `else` of `if true` is dead


def test_range_over_a_ticker_channel_never_ends_by_itself() -> None:
    cfg = cfg_of("for range time.NewTicker(d).C {\n\tif done() {\n\t\tbreak\n\t}\n}\nafter()\n"
                 "for range time.Tick(d) {\n\tx()\n}\nnever()\n")
    check_invariants(cfg)
    assert reaches(cfg, cfg.entry, blk(cfg, "after()"))  # through the break
    assert not reaches(cfg, cfg.entry, blk(cfg, "never()"))
    plain = cfg_of("for range ch {\n\tx()\n}\nafter()\n")
    assert reaches(plain, plain.entry, blk(plain, "after()"))


def test_forward_says_whether_it_converged() -> None:
    """A solver stopped by its bound must say so: its states are not a fixpoint."""
    cfg = cfg_of("mu.Lock()\nfor i := 0; i < n; i++ {\n if c {\n  mu.Unlock()\n }\n work()\n}\nreturn")
    assert forward(cfg, init=frozenset(), transfer=lock_transfer, meet=must_meet).converged
    cut = forward(cfg, init=frozenset(), transfer=lock_transfer, meet=must_meet, budget=2)
    assert not cut.converged

    # a state that never stops changing (a counter) cannot converge, whatever the bound
    def counting(block, state):
        return state + 1

    loop = forward(cfg, init=0, transfer=counting, meet=max)
    assert not loop.converged


def _fors(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type == "for_statement":
            out.append(n)
        stack.extend(reversed(n.named_children))
    return out


def test_loop_records_its_head_and_blocks() -> None:
    body = "for i := 0; i < n; i++ {\n\tif x {\n\t\tbreak\n\t}\n\ty()\n}\nz()"
    node, src = parse_func(body)
    cfg = build_cfg(node, None, src=src)
    loop_node = _fors(node)[0]
    loop = cfg.loop(loop_node)
    assert loop is not None
    assert loop.head is blk(cfg, "i < n")
    inside = {b.index for b in (blk(cfg, "x"), blk(cfg, "break"), blk(cfg, "y()"), blk(cfg, "i++"))}
    assert inside <= loop.blocks
    assert blk(cfg, "z()").index not in loop.blocks  # the block after the loop is not the loop's
    assert blk(cfg, "i := 0").index not in loop.blocks
    assert cfg.loop(node) is None


def test_nested_loop_blocks_belong_to_both() -> None:
    body = "for {\n\tfor j := range s {\n\t\tuse(j)\n\t}\n\tafter()\n}"
    node, src = parse_func(body)
    cfg = build_cfg(node, None, src=src)
    outer_node, inner_node = _fors(node)
    outer, inner = cfg.loop(outer_node), cfg.loop(inner_node)
    assert outer is not None and inner is not None
    assert blk(cfg, "use(j)").index in inner.blocks and blk(cfg, "use(j)").index in outer.blocks
    assert blk(cfg, "after()").index in outer.blocks and blk(cfg, "after()").index not in inner.blocks
