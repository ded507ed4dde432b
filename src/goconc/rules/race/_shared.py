"""Goroutines that run at the same time, and what they write that they share.

The shape behind most data races found in real Go code (Chabbi and Ramanathan, PLDI 2022): a
loop starts one goroutine per item, and each goroutine writes a variable of the function that
started it (`err = e`, `count++`, `results = append(results, r)`, `seen[k] = true`). Every
instance writes the same variable, and nothing orders the writes.

`loop_writes(ctx)` finds them: for each goroutine literal started in a loop (`go func() {...}()`,
`g.Go(func...)`, `wg.Go(func...)`), the writes its own body makes (not those of the literals
inside it) to a variable declared outside that loop, or to a field or map element reached from
one. It stays quiet, for the whole goroutine, when anything may order the instances or guard the
writes:
- the goroutine takes a lock or calls anything named like one (`mu.Lock()`, `s.lock()`), or
  runs a `sync.Once`, or uses a channel both ways (a semaphore it takes and gives back), or
  waits for its turn on a channel of its own (`<-turn[id]`, a relay);
- the loop waits after starting it (`wg.Wait()`, a receive, a `select`, a lock), sends before it
  (a semaphore that may be of size 1), or leaves right after it (`return`, `break`);
- an errgroup whose limit is not a constant above 1 (`g.SetLimit(1)` runs one at a time).
A variable declared in the loop (the loop's own variables included: one per iteration since Go
1.22) is not shared. A slice element written by index (`out[i] = r`) is each goroutine's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from goconc.gomodel import Decl, GoSite, enclosing_function
from goconc.rules._helpers import FUNC_NODES, loop_ancestor
from goconc.source import Node

_LOCKISH = re.compile(r"(?i)lock")  # Lock, RLock, TryLock, lock(), withLock, Unlock ...


@dataclass(frozen=True)
class Write:
    stmt: Node  # the assignment, ++/-- statement or delete(...) call
    kind: str  # "map" (m[k] = v, delete), "append" (s = append(s, ...)), "assign" (x = v, x++)
    decl: Decl  # the shared variable at the root of the written location
    where: str  # the location as written: "m", "s.results", "stats"
    target: Node  # the written expression (the map for a map write)


@dataclass(frozen=True)
class LoopGoroutine:
    site: GoSite
    loop: Node  # the innermost for statement around the go statement, in the same function
    fn: Node  # the function starting the goroutines
    writes: tuple[Write, ...]


def loop_writes(ctx) -> list[LoopGoroutine]:
    """The goroutine literals of the file started once per iteration of a loop, with the shared
    locations each writes (memoised per file)."""
    gf = ctx.file
    memo = f"race-loop-writes:{id(gf)}"
    got = ctx.analysis.memo.get(memo)
    if got is not None:
        return got
    got = []
    if b"go " in gf.src or b".Go(" in gf.src:
        for site in ctx.pkg.go_sites(gf, gf.root):
            g = _loop_goroutine(ctx, site)
            if g is not None:
                got.append(g)
    ctx.analysis.memo[memo] = got
    return got


def _loop_goroutine(ctx, site: GoSite) -> LoopGoroutine | None:
    body = site.body
    if body is None:
        return None
    fn = enclosing_function(site.node)
    loop = loop_ancestor(site.node, fn)
    if fn is None or loop is None:
        return None
    gf = ctx.file
    if _guarded(gf, body) or _serialised(ctx, site, loop, fn):
        return None
    writes = []
    seen = set()
    for stmt, kind, target in _written(gf, body):
        w = _shared(ctx, stmt, kind, target, loop, body)
        if w is not None and (id(w.decl), w.where, w.kind) not in seen:
            seen.add((id(w.decl), w.where, w.kind))
            writes.append(w)
    return LoopGoroutine(site, loop, fn, tuple(writes)) if writes else None


# --------------------------------------------------------------------------------------------
# What the goroutine writes


def _own_nodes(body: Node):
    """The nodes of a literal's body, not those of the literals inside it."""
    stack = [body]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(c for c in reversed(n.named_children) if c.type not in FUNC_NODES)


def _written(gf, body: Node):
    """(statement, kind, written expression) for each write of the literal's own body."""
    for n in _own_nodes(body):
        t = n.type
        if t == "assignment_statement":
            left = n.child_by_field_name("left")
            right = n.child_by_field_name("right")
            lefts = [c for c in (left.named_children if left is not None else ()) if c.type != "comment"]
            rights = [c for c in (right.named_children if right is not None else ()) if c.type != "comment"]
            for k, e in enumerate(lefts):
                r = rights[k] if len(rights) == len(lefts) else None
                yield n, "append" if r is not None and _appends_to(gf, r, e) else "assign", e
        elif t in ("inc_statement", "dec_statement"):
            if n.named_children:
                yield n, "assign", n.named_children[0]
        elif t == "call_expression":
            f = n.child_by_field_name("function")
            args = n.child_by_field_name("arguments")
            if f is not None and f.type == "identifier" and gf.node_text(f) == "delete" and args is not None \
                    and args.named_children:
                yield n, "delete", args.named_children[0]


def _appends_to(gf, right: Node, left: Node) -> bool:
    """right is `append(left, ...)`."""
    if right.type != "call_expression":
        return False
    f = right.child_by_field_name("function")
    args = right.child_by_field_name("arguments")
    if f is None or f.type != "identifier" or gf.node_text(f) != "append" or args is None or not args.named_children:
        return False
    return _same(gf, args.named_children[0], left)


def _same(gf, a: Node, b: Node) -> bool:
    return re.sub(r"\s+", "", gf.node_text(a)) == re.sub(r"\s+", "", gf.node_text(b))


def _shared(ctx, stmt: Node, kind: str, target: Node, loop: Node, body: Node) -> Write | None:
    """The write, when what it writes is shared by every goroutine the loop starts."""
    gf, pkg = ctx.file, ctx.pkg
    if kind == "delete" or target.type == "index_expression":
        operand = target if kind == "delete" else target.child_by_field_name("operand")
        t = pkg.underlying(pkg.type_of(gf, operand)) if operand is not None else None
        if t is None or t.kind != "map":
            return None  # a slice or array element by index: each goroutine its own
        kind, target = "map", operand
    root = _root(target)
    if root is None:
        return None
    d = pkg.lookup(gf, root)
    if d is None or d.how == "const":
        return None
    if loop.start_byte <= d.node.start_byte < loop.end_byte:
        return None  # declared in the loop: one per iteration
    if body.start_byte <= d.node.start_byte < body.end_byte:
        return None
    if kind == "assign" and target.type == "selector_expression":
        t = pkg.type_of(gf, target)
        if t is None:
            return None  # a field we cannot type may be a method value, an embedded lock...
    return Write(stmt, kind, d, re.sub(r"\s+", "", gf.node_text(target)), target)


def _root(e: Node) -> Node | None:
    """The variable at the root of `x`, `x.f.g`, `(x).f`; None for anything else (`*p`,
    `a[i].f`, a call)."""
    while e is not None:
        if e.type == "identifier":
            return e
        if e.type == "selector_expression":
            e = e.child_by_field_name("operand")
        elif e.type == "parenthesized_expression":
            e = e.named_children[0] if e.named_children else None
        else:
            return None
    return None


# --------------------------------------------------------------------------------------------
# What may order the goroutines or guard their writes


def _guarded(gf, body: Node) -> bool:
    """The goroutine takes a lock, runs a Once, or takes and gives back a semaphore."""
    sends, recvs = set(), set()
    stack = [body]
    while stack:  # nested literals included: a lock taken through a helper closure still counts
        n = stack.pop()
        t = n.type
        if t == "call_expression":
            f = n.child_by_field_name("function")
            name = f.child_by_field_name("field") if f is not None and f.type == "selector_expression" else f
            if name is not None and name.type in ("identifier", "field_identifier"):
                text = gf.node_text(name)
                if _LOCKISH.search(text) or text == "Do":
                    return True
        elif t == "send_statement":
            ch = n.child_by_field_name("channel")
            if ch is not None:
                sends.add(re.sub(r"\s+", "", gf.node_text(ch)))
        elif t == "unary_expression" and n.child_by_field_name("operator") is not None \
                and gf.node_text(n.child_by_field_name("operator")) == "<-":
            ch = n.child_by_field_name("operand")
            if ch is not None:
                recvs.add(re.sub(r"\s+", "", gf.node_text(ch)))
                if ch.type == "index_expression" and n.parent is not None and n.parent.type == "expression_statement":
                    return True  # `<-chans[id]`: waits for its turn on a channel of its own (a relay)
        stack.extend(n.named_children)
    return bool(sends & recvs)


def _serialised(ctx, site: GoSite, loop: Node, fn: Node) -> bool:
    """The loop may run its goroutines one at a time: it waits after starting one, takes a
    semaphore before, leaves right after, or the errgroup's limit may be 1."""
    gf = ctx.file
    lbody = loop.child_by_field_name("body")
    if lbody is None:
        return True
    start, end = site.node.start_byte, site.node.end_byte
    for n in _own_nodes(lbody):
        if start <= n.start_byte < end:
            continue  # the goroutine's own statement
        t = n.type
        after = n.start_byte >= end
        if t == "send_statement" and not after:
            return True  # a semaphore taken before the goroutine starts
        if after and t in ("select_statement", "return_statement", "break_statement", "goto_statement"):
            if t != "break_statement" or _breaks(n, loop):
                return True
        if after and t == "unary_expression" and gf.node_text(n).startswith("<-"):
            return True
        if after and t == "for_statement" and _ranges_over_channel(ctx, n):
            return True
        if t == "call_expression" and after:
            f = n.child_by_field_name("function")
            name = f.child_by_field_name("field") if f is not None and f.type == "selector_expression" else f
            if name is not None and name.type in ("identifier", "field_identifier"):
                text = gf.node_text(name)
                if text == "Wait" or _LOCKISH.search(text):
                    return True
    if site.kind == "errgroup" and site.receiver is not None:
        return not _limit_above_one(gf, fn, site.receiver)
    return False


def _breaks(brk: Node, loop: Node) -> bool:
    """A `break` that leaves `loop` (not an inner loop, switch or select)."""
    label = brk.named_children[0] if brk.named_children else None
    if label is not None:
        return True  # a labelled break may leave it; assume it does
    p = brk.parent
    while p is not None and p != loop:
        if p.type in ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"):
            return False
        p = p.parent
    return p == loop


def _ranges_over_channel(ctx, loop: Node) -> bool:
    for c in loop.named_children:
        if c.type == "range_clause":
            r = c.child_by_field_name("right")
            t = ctx.pkg.type_of(ctx.file, r) if r is not None else None
            return t is None or t.kind == "chan"
    return False


def _limit_above_one(gf, fn: Node, recv: Node) -> bool:
    """The errgroup has no SetLimit in the function, or only constant limits above 1 (or < 0,
    no limit)."""
    name = re.sub(r"\s+", "", gf.node_text(recv))
    for n in _own_nodes(fn):
        if n.type != "call_expression":
            continue
        f = n.child_by_field_name("function")
        if f is None or f.type != "selector_expression":
            continue
        fld = f.child_by_field_name("field")
        op = f.child_by_field_name("operand")
        if fld is None or op is None or gf.node_text(fld) != "SetLimit" \
                or re.sub(r"\s+", "", gf.node_text(op)) != name:
            continue
        args = n.child_by_field_name("arguments")
        arg = args.named_children[0] if args is not None and args.named_children else None
        if arg is None or arg.type != "int_literal":
            return False
        v = int(gf.node_text(arg).replace("_", ""), 0)
        if v in (0, 1):
            return False
    return True



def related_for(ctx, g: LoopGoroutine, w: Write) -> list:
    """The go statement and the declaration of the shared variable."""
    line = g.loop.start_point[0] + 1
    return [ctx.related(g.site.node, f"goroutines started here, one per iteration of the loop at line {line}"),
            ctx.related(w.decl.node, f"{w.decl.name} declared here, outside the loop")]
