"""Where a function closes channels and sends on them, and what is closed on every path
(GC4001, GC4002).

A channel is its access path (`ch`, `s.done`, `c.conns[2]`; an element reached through a
variable index is not one channel and is left out). `flow(ctx, fn)` follows the function's
control-flow graph with the channels closed on *every* path to each point (a must analysis: a
channel closed on one branch only is not closed after the join), and the deferred closes
registered on every path. A channel stops being closed where its variable (or a prefix of its
path) is assigned, its address is taken, or, for a field, where a function of the package
(or an unknown one) is called on its root: that call may make a new channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from goconc.gomodel import FUNC_NODES, enclosing_function
from goconc.source import Node

_DEFER = "defer_statement"


@dataclass(frozen=True)
class ChanOp:
    kind: str  # "close" | "send"
    node: Node  # the close(...) call, or the send statement
    chan: Node  # the channel expression
    key: object  # its AccessPath
    deferred: bool  # `defer close(ch)`, or a close at the top level of a deferred literal
    stmt: Node  # the statement of the function's own body that runs it (the defer statement)


@dataclass
class Flow:
    """What one function's closes and sends meet on its paths."""

    twice: list = field(default_factory=list)  # (op, earlier close sites): closed again
    deferred_twice: list = field(default_factory=list)  # (op, earlier deferred close sites)
    at_return: list = field(default_factory=list)  # (deferred op, explicit close sites): both close it
    sends: list = field(default_factory=list)  # (send op, close sites)
    every_iteration: list = field(default_factory=list)  # (op, loop): closed by every iteration


def _paths(ctx):
    from goconc.analysis import PATHS

    return ctx.analysis.result(PATHS)


def _callgraph(ctx):
    from goconc.analysis import CALLGRAPH

    return ctx.analysis.result(CALLGRAPH)


def _key(ctx, expr: Node):
    k = _paths(ctx).of(ctx.file, expr, exact=True)
    if k is None or any(s.startswith("[") and s[1:-1] and not s[1].isdigit() and s[1] != '"' for s in k.steps):
        return None  # `chans[i]`: which element is the index's business
    return k


def ops(ctx) -> dict[int, list[ChanOp]]:
    """The file's closes and sends of channels it can name, by the function that runs them."""
    gf = ctx.file
    memo = f"chan-ops:{id(gf)}"
    got = ctx.analysis.memo.get(memo)
    if got is not None:
        return got
    got = {}
    if b"close(" in gf.src or b"<-" in gf.src:
        from goconc.queries import captures

        caps = captures(gf, "sync_points", None, package="goconc.rules.mutex")
        cg = _callgraph(ctx)
        for call in caps.get("close", ()):
            callee = cg.callee(gf, call)
            if callee.kind != "builtin" or callee.name != "close":
                continue
            args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
            if len(args) != 1:
                continue
            op = _close_op(ctx, call, args[0])
            if op is not None:
                got.setdefault(enclosing_function(op.stmt).id, []).append(op)
        for send in caps.get("send", ()):
            ch = send.child_by_field_name("channel")
            fn = enclosing_function(send)
            key = _key(ctx, ch) if ch is not None and fn is not None else None
            if key is not None:
                got.setdefault(fn.id, []).append(ChanOp("send", send, ch, key, False, send))
    for v in got.values():
        v.sort(key=lambda o: o.node.start_byte)
    ctx.analysis.memo[memo] = got
    return got


def _close_op(ctx, call: Node, arg: Node) -> ChanOp | None:
    key = _key(ctx, arg)
    fn = enclosing_function(call)
    if key is None or fn is None:
        return None
    p = call.parent
    if p is not None and p.type == _DEFER:
        return ChanOp("close", call, arg, key, True, p)  # defer close(ch)
    if p is None or p.type != "expression_statement":
        return None
    if fn.type == "func_literal":
        # a close at the top level of a deferred literal's body runs when the function returns
        body = fn.child_by_field_name("body")
        lit_call = fn.parent
        stmt = lit_call.parent if lit_call is not None else None
        top = p.parent is not None and (p.parent == body or (p.parent.type == "statement_list" and p.parent.parent == body))
        if lit_call is not None and lit_call.type == "call_expression" and lit_call.child_by_field_name("function") == fn \
                and stmt is not None and stmt.type == _DEFER:
            return ChanOp("close", call, arg, key, True, stmt) if top else None
    return ChanOp("close", call, arg, key, False, p)


def flows(ctx):
    """The Flow of each function of the file that closes a channel, leaving out the test
    literals that provoke the panic on purpose."""
    for mine in ops(ctx).values():
        fn = enclosing_function(mine[0].stmt)
        f = flow(ctx, fn)
        if f is not None and not on_purpose(ctx, fn):
            yield f


def flow(ctx, fn: Node) -> Flow | None:
    """The closes and sends of `fn` against what is closed on every path to them (memoised)."""
    gf = ctx.file
    memo = f"chan-flow:{id(gf)}:{fn.id}"
    if memo in ctx.analysis.memo:
        return ctx.analysis.memo[memo]
    got = None
    mine = ops(ctx).get(fn.id, [])
    if any(o.kind == "close" for o in mine):
        got = _flow(ctx, fn, mine)
    ctx.analysis.memo[memo] = got
    return got


def _flow(ctx, fn: Node, mine: list[ChanOp]) -> Flow | None:
    from goconc.cfg import forward

    cfg = ctx.analysis.cfg(ctx.file, fn)
    if cfg is None or cfg.approximate:
        return None
    closed_keys = {o.key for o in mine if o.kind == "close"}
    mine = [o for o in mine if o.key in closed_keys]
    by_node: dict[int, list] = {}
    for b in cfg.blocks:
        for n in b.nodes:
            evs: list = [o for o in mine if n.start_byte <= o.stmt.start_byte < n.end_byte]
            kills = _kills(ctx, n, closed_keys)
            if kills:
                evs.append(("kill", kills))
            if evs:
                by_node[n.id] = evs
    out = Flow()
    seen: set = set()
    returns = _may_return(cfg)  # nodes after which the function may still return (or panic)

    # state: (keys closed on every path, close sites on some path, deferred closes pending on
    # every path as (key, by literal), deferred close sites on some path). `defer close(ch)`
    # evaluates its channel when the defer statement runs: it stays bound to that channel, so
    # a close of it while the defer is pending is a double close whatever comes after, and a
    # new channel in the variable detaches it. A close in a deferred literal reads the variable
    # when the function returns: it meets whatever is closed at each return.
    def step(st, n, record):
        closed, sites, deferred, dsites = st
        for ev in by_node.get(n.id, ()):
            if isinstance(ev, tuple):
                kills = ev[1]
                closed = frozenset(k for k in closed if k not in kills)
                sites = frozenset(s for s in sites if s[0] not in kills)
                deferred = frozenset(d for d in deferred if d[1] or d[0] not in kills)
                dsites = frozenset(s for s in dsites if s[2] or s[0] not in kills)
                continue
            op: ChanOp = ev
            if op.kind == "send":
                if record and op.key in closed:
                    _once(seen, out.sends, op, _sites(sites, op.key))
                continue
            if op.deferred:
                lit = op.node.parent != op.stmt
                if record and any(d[0] == op.key for d in deferred):
                    _once(seen, out.deferred_twice, op, _sites(dsites, op.key))
                elif record and not lit and op.key in closed:
                    _once(seen, out.at_return, op, _sites(sites, op.key))  # closed, then deferred
                deferred = deferred | {(op.key, lit)}
                dsites = dsites | {(op.key, op.node, lit)}
                continue
            if record and op.key in closed:
                _once(seen, out.twice, op, _sites(sites, op.key))
            elif record and (op.key, False) in deferred and n.id in returns:
                pending = _sites(dsites, op.key)
                defer_op = next((o for o in mine if o.deferred and pending and o.node == pending[0]), None)
                if defer_op is not None:
                    _once(seen, out.at_return, defer_op, [op.node])  # closed while the defer is pending
            closed = closed | {op.key}
            sites = sites | {(op.key, op.node)}
        return closed, sites, deferred, dsites

    def transfer(block, st):
        for n in block.nodes:
            st = step(st, n, False)
        return st

    def meet(states):
        return (frozenset.intersection(*[s[0] for s in states]), frozenset().union(*[s[1] for s in states]),
                frozenset.intersection(*[s[2] for s in states]), frozenset().union(*[s[3] for s in states]))

    empty = frozenset()
    states = forward(cfg, init=(empty, empty, empty, empty), transfer=transfer, meet=meet)
    if not states.converged:
        return None
    for b, (st, _o) in states.items():
        for n in b.nodes:
            st = step(st, n, True)
    for pred in cfg.exit.preds:  # deferred literals, at each return
        if pred not in states:
            continue
        closed, sites, deferred, dsites = states[pred][1]
        for key in sorted({d[0] for d in deferred if d[1]} & closed, key=str):
            first = _sites(frozenset((d[0], d[1]) for d in dsites if d[2]), key)
            defer_op = next((o for o in mine if o.deferred and first and o.node == first[0]), None)
            if defer_op is not None:
                _once(seen, out.at_return, defer_op, _sites(sites, key))
    for op in mine:
        if op.kind == "close" and not op.deferred:
            loop = _every_iteration(ctx, cfg, fn, op)
            if loop is not None:
                out.every_iteration.append((op, loop))
    return out


def _may_return(cfg) -> set[int]:
    """Ids of the CFG nodes from whose block the function can return or panic (deferred calls
    run), not only end the process (`os.Exit`, `log.Fatal`) or loop for good."""
    lives = {cfg.exit, cfg.panic_exit}
    stack = [cfg.exit, cfg.panic_exit]
    while stack:
        for p in stack.pop().preds:
            if p not in lives:
                lives.add(p)
                stack.append(p)
    return {n.id for b in lives for n in b.nodes}


def _once(seen: set, into: list, op: ChanOp, *rest) -> None:
    k = (id(into), op.node.id, tuple(n.id for n in rest[0]) if rest and isinstance(rest[0], list) else ())
    if k not in seen:
        seen.add(k)
        into.append((op, *rest))


def _sites(sites, key) -> list[Node]:
    return sorted((s[1] for s in sites if s[0] == key), key=lambda n: n.start_byte)


def _kills(ctx, n: Node, keys: set) -> frozenset:
    """The channels whose identity statement `n` may change (nested literals included)."""
    gf = ctx.file
    paths = _paths(ctx)
    cg = None
    out = set()
    stack = [n]
    while stack:
        x = stack.pop()
        stack.extend(x.named_children)
        t = x.type
        if t in ("assignment_statement", "short_var_declaration"):
            left = x.child_by_field_name("left")
            for tg in (left.named_children if left is not None else ()):
                p = paths.of(gf, tg)
                if p is None:
                    if tg.type != "identifier":
                        out.update(keys)  # `*f() = ...`: anything
                    continue
                out.update(k for k in keys if k.root == p.root and k.steps[:len(p.steps)] == p.steps)
        elif t == "unary_expression":
            op = x.child_by_field_name("operator")
            if op is not None and gf.node_text(op) == "&":
                p = paths.of(gf, x.child_by_field_name("operand"))
                out.update(k for k in keys if p is None or k.root == p.root)
        elif t == "call_expression":
            cg = cg or _callgraph(ctx)
            callee = cg.callee(gf, x)
            if callee.kind in ("builtin", "conversion", "external"):
                continue
            # a function of the package (or one we cannot see) may store a new channel in a
            # package-level variable, or in a field of anything it is handed; a func value
            # (a closure of this function) may assign its locals too
            names = {gf.node_text(i) for i in _identifiers(x)}
            local_closure = callee.kind != "func" or (callee.id is not None and callee.id.is_literal)
            out.update(k for k in keys if k.root.kind == "global" or (k.steps and k.root.name in names)
                       or (local_closure and k.root.kind == "local"))
    return frozenset(out)


def _identifiers(n: Node):
    stack = [n]
    while stack:
        x = stack.pop()
        if x.type == "identifier":
            yield x
        stack.extend(x.named_children)


def _every_iteration(ctx, cfg, fn: Node, op: ChanOp):
    """The innermost loop of `fn` around a close that every iteration runs and that can start
    another iteration after it, when the channel is made outside that loop and nothing in the
    loop changes which channel it is; else None."""
    loop = None
    p = op.stmt.parent
    while p is not None and p != fn and p.type not in FUNC_NODES:
        if p.type == "for_statement":
            loop = p
            break
        p = p.parent
    if loop is None:
        return None
    lp = cfg.loop(loop)
    blk = cfg.block_of(op.stmt)
    if lp is None or blk is None or blk.index not in lp.blocks:
        return None
    root = op.key.root
    if root.decl >= 0 and loop.start_byte <= root.decl < loop.end_byte:
        return None  # one channel per iteration
    if _kills(ctx, loop, {op.key}):
        return None
    inside = lp.blocks
    # another iteration can start after the close
    seen = {blk}
    stack = [blk]
    back = False
    while stack and not back:
        for s in stack.pop().succs:
            if s is lp.head:
                back = True
                break
            if s.index in inside and s not in seen:
                seen.add(s)
                stack.append(s)
    if not back:
        return None
    # and no iteration goes round without it
    seen = {lp.head}
    stack = [lp.head]
    while stack:
        for s in stack.pop().succs:
            if s is lp.head:
                return None  # round without closing
            if s is blk or s.index not in inside or s in seen:
                continue
            seen.add(s)
            stack.append(s)
    return loop


def on_purpose(ctx, fn: Node) -> bool:
    """`fn` is a function literal of a test file handed to another function or stored as a
    value (`assertPanics(t, func() {...})`, a table of cases): a test that provokes the panic."""
    if fn is None or fn.type != "func_literal" or not ctx.file.path.endswith("_test.go"):
        return False
    p = fn.parent
    if p is not None and p.type == "call_expression" and p.child_by_field_name("function") == fn:
        return False  # called in place (or by go/defer)
    return True
