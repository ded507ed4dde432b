"""Goroutines that run at the same time, and what they write that they share.

The shape behind most data races found in real Go code (Chabbi and Ramanathan, PLDI 2022): a
loop starts one goroutine per item, and each goroutine writes a variable of the function that
started it (`err = e`, `count++`, `results = append(results, r)`, `seen[k] = true`). Every
instance writes the same variable, and nothing orders the writes.

`loop_writes(ctx)` finds them: for each goroutine literal started in a loop (`go func() {...}()`,
`g.Go(func...)`, `wg.Go(func...)`), the writes its own body makes (not those of the literals
inside it) to a variable declared outside that loop (a package-level one too), or to a field or
map element reached from one. It stays quiet, for the whole goroutine, when anything may order the instances or guard the
writes:
- the goroutine takes a lock or calls anything whose name has the word (`mu.Lock()`,
  `s.lock()`, `withRLock`, `acquire`), runs a `once.Do(func...)`, defers a release function it
  was handed (`defer release()`), or both receives and sends (or closes): a semaphore, a relay
  waiting for its turn, a handshake with its starter;
- the loop waits anywhere in its body (`wg.Wait()`, a receive or a `select` case on anything but
  `ctx.Done()`, a timer or a ticker, a lock; a wait at the top of the body runs after the
  previous goroutine started), sends before the `go` statement (a semaphore, unless made here
  with a constant size of 2 or more), leaves right after it (`return`, `break`), or starts it
  under a latch (`if !started { started = true; go ... }`);
- an errgroup whose limit may be 1 (`SetLimit` with anything but a constant above 1, or a group
  that is a field or a parameter, whose limit may be set elsewhere).
A write only one goroutine can reach is not counted: under `if x.CompareAndSwap(...)`, `if
n.Add(-1) == 0` or `if i == 0`, or in a select case next to a `default`. A variable declared in
the loop (the loop's own variables included) is one per iteration and is not shared. A slice
element written by index (`out[i] = r`) is each goroutine's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from goconc.gomodel import Decl, GoSite, enclosing_function
from goconc.rules._helpers import _WS, FUNC_NODES, loop_ancestor
from goconc.source import Node


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
    if _guarded(ctx, body) or _serialised(ctx, site, loop, fn):
        return None
    writes = []
    seen = set()
    for stmt, kind, target in _written(gf, body):
        if _write_guarded(gf, stmt, body):
            continue
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


def _flat(gf, n: Node) -> str:
    """The node's text without white space (`s.results`, `c . mu` -> `c.mu`)."""
    return _WS.sub("", gf.node_text(n))


def _same(gf, a: Node, b: Node) -> bool:
    return _flat(gf, a) == _flat(gf, b)


def _int(gf, n: Node) -> int:
    """The value of an int literal (`8`, `1_000`, `0x10`)."""
    return int(gf.node_text(n).replace("_", ""), 0)


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
    if root is None or gf.node_text(root) == "_":
        return None  # `_ = v` writes nothing
    d = pkg.lookup(gf, root)
    if d is None:
        d = _package_var(pkg, gf.node_text(root))
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
    return Write(stmt, kind, d, _flat(gf, target), target)


def _package_var(pkg, name: str) -> Decl | None:
    """A package-level variable of that name (no local hides it: the lookup found none), as a
    Decl without a function."""
    got = pkg.var_ident(name)
    if got is None:
        return None
    ident = got[1]
    return Decl(name, ident, 0, 0, 0, ident.parent, how="var", func=None)


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


def _words(name: str) -> list[str]:
    """camelCase / snake_case words, lower-cased: withRLock -> [with, r, lock]."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)]


_LOCK_WORDS = frozenset({"lock", "rlock", "locked", "locking", "acquire", "mutex", "mu"})


def _lockish(name: str) -> bool:
    """A name that takes or runs under a lock: Lock, RLock, TryLock, s.lock(), withLock,
    acquire (not isBlocked, Clock)."""
    return any(w in _LOCK_WORDS for w in _words(name))


def _callee_name(gf, call: Node) -> str:
    f = call.child_by_field_name("function")
    name = f.child_by_field_name("field") if f is not None and f.type == "selector_expression" else f
    return gf.node_text(name) if name is not None and name.type in ("identifier", "field_identifier") else ""


def _is_signal_receive(gf, ch: Node) -> bool:
    """A receive that orders nothing between the goroutines: ctx.Done(), time.After(...),
    a ticker's or timer's C."""
    if ch.type == "call_expression":
        return _callee_name(gf, ch) in ("Done", "After", "Tick")
    return ch.type == "selector_expression" and gf.node_text(ch.child_by_field_name("field") or ch) == "C"


def _receives(ctx, n: Node) -> Node | None:
    """The channel `n` receives from: `<-ch`, or a `for ... range ch` loop; else None."""
    gf = ctx.file
    if n.type == "unary_expression":
        op = n.child_by_field_name("operator")
        if op is not None and gf.node_text(op) == "<-":
            return n.child_by_field_name("operand")
    elif n.type == "for_statement":
        for c in n.named_children:
            if c.type == "range_clause":
                r = c.child_by_field_name("right")
                t = ctx.pkg.type_of(gf, r) if r is not None else None
                if t is not None and t.kind == "chan":
                    return r
    return None


def _waits(ctx, n: Node) -> bool:
    """`n` may wait for another goroutine: a receive (or `range` over a channel) on anything
    but ctx.Done(), a timer or a ticker, a `Wait`, a lock."""
    ch = _receives(ctx, n)
    if ch is not None:
        return not _is_signal_receive(ctx.file, ch)
    if n.type == "call_expression":
        name = _callee_name(ctx.file, n)
        return name == "Wait" or _lockish(name)
    return False


def _guarded(ctx, body: Node) -> bool:
    """The goroutine takes a lock (or calls anything named like one), runs a Once, defers a
    release function it was handed (`release := s.acquire(); defer release()`), or both
    receives and sends (or closes): a semaphore, a relay waiting for its turn, a handshake with
    its starter, any of which may order the writes."""
    gf = ctx.file
    sends = recvs = False
    stack = [body]
    while stack:  # nested literals included: a lock taken through a helper closure still counts
        n = stack.pop()
        t = n.type
        if t == "call_expression":
            name = _callee_name(gf, n)
            if _lockish(name):
                return True
            args = n.child_by_field_name("arguments")
            if name == "Do" and args is not None and any(a.type == "func_literal" for a in args.named_children):
                return True  # once.Do(func() {...})
            if name == "close":
                sends = True
            f = n.child_by_field_name("function")
            if f is not None and f.type == "identifier" and n.parent is not None and n.parent.type == "defer_statement" \
                    and name not in ("close", "recover", "panic", "print", "println"):
                d = ctx.pkg.lookup(gf, f)
                if d is not None:
                    return True  # defer release(): a local func value, maybe a lock's release
        elif t == "send_statement":
            sends = True
        else:
            ch = _receives(ctx, n)
            if ch is not None and not _is_signal_receive(gf, ch):
                recvs = True
        stack.extend(n.named_children)
    return sends and recvs


def _write_guarded(gf, stmt: Node, body: Node) -> bool:
    """Only one goroutine can get to this write: under `if x.CompareAndSwap(...)`, `if
    n.Add(-1) == 0`, `if i == 0`, or in a select case that has a default (a send that only one
    wins)."""
    p = stmt.parent
    while p is not None and p != body:
        if p.type == "if_statement":
            cond = p.child_by_field_name("condition")
            if cond is not None and _single_winner(gf, cond):
                return True
        elif p.type == "communication_case":
            sel = p.parent
            while sel is not None and sel.type != "select_statement":
                sel = sel.parent
            if sel is not None and any(c.type == "default_case" for c in _cases(sel)):
                return True
        p = p.parent
    return False


def _cases(sel: Node):
    for c in sel.named_children:
        if c.type == "block" or c.type == "statement_list":
            yield from c.named_children
        else:
            yield c


def _single_winner(gf, cond: Node) -> bool:
    stack = [cond]
    while stack:
        n = stack.pop()
        if n.type == "call_expression" and re.match(r"(CompareAndSwap|Swap|Add)", _callee_name(gf, n)):
            return True
        if n.type == "binary_expression":
            op = n.child_by_field_name("operator")
            if op is not None and gf.node_text(op) == "==" and any(
                    c.type == "int_literal" for c in (n.child_by_field_name("left"), n.child_by_field_name("right"))
                    if c is not None):
                return True
        stack.extend(n.named_children)
    return False


def _serialised(ctx, site: GoSite, loop: Node, fn: Node) -> bool:
    """The loop may run its goroutines one at a time: it waits somewhere in its body (a
    receive, a `select`, a `Wait`, a lock; at the top of the body too, which runs after the
    previous iteration's goroutine started), takes a semaphore that may be of size 1 before
    starting one, leaves right after, starts it only once (a latch), or the errgroup's limit may
    be 1."""
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
        if t == "send_statement" and not after and not _wide_semaphore(ctx, n):
            return True  # a semaphore taken before the goroutine starts, maybe of size 1
        if after and t in ("return_statement", "break_statement", "goto_statement"):
            if t != "break_statement" or _breaks(n, loop):
                return True
        if _waits(ctx, n):  # select cases included
            return True
    if _latched(gf, site, lbody):
        return True
    if site.kind == "errgroup" and site.receiver is not None:
        return not _limit_above_one(ctx, fn, site.receiver)
    return False


def _wide_semaphore(ctx, send: Node) -> bool:
    """A send on a channel made in this function with a constant capacity of 2 or more (a
    semaphore that lets several goroutines run at once)."""
    ch = send.child_by_field_name("channel")
    if ch is None or ch.type != "identifier":
        return False
    d = ctx.pkg.lookup(ctx.file, ch)
    v = d.value if d is not None else None
    if v is None or v.type != "call_expression" or _callee_name(ctx.file, v) != "make":
        return False
    args = [a for a in (v.child_by_field_name("arguments").named_children) if a.type != "comment"]
    if len(args) != 2 or args[1].type != "int_literal":
        return False
    return _int(ctx.file, args[1]) >= 2


def _latched(gf, site: GoSite, lbody: Node) -> bool:
    """`if !started { started = true; go ... }`: the go statement sits under an if whose
    condition reads a variable its block assigns."""
    p = site.node.parent
    while p is not None and p != lbody:
        if p.type == "if_statement":
            cond = p.child_by_field_name("condition")
            block = p.child_by_field_name("consequence")
            if cond is not None and block is not None:
                names = {gf.node_text(i) for i in _own_nodes(cond) if i.type == "identifier"}
                for n in _own_nodes(block):
                    if n.type == "assignment_statement":
                        left = n.child_by_field_name("left")
                        if left is not None and any(gf.node_text(c) in names for c in left.named_children):
                            return True
        p = p.parent
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


def _limit_above_one(ctx, fn: Node, recv: Node) -> bool:
    """The errgroup is a variable of the function with no SetLimit in it, or only constant
    limits above 1 (or < 0, no limit). A group that is a field or a parameter may have had its
    limit set elsewhere: unknown."""
    gf = ctx.file
    if recv.type != "identifier":
        return False
    d = ctx.pkg.lookup(gf, recv)
    if d is None or d.how == "param" or not (fn.start_byte <= d.node.start_byte < fn.end_byte):
        return False
    name = _flat(gf, recv)
    for n in _own_nodes(fn):
        if n.type != "call_expression":
            continue
        f = n.child_by_field_name("function")
        if f is None or f.type != "selector_expression":
            continue
        fld = f.child_by_field_name("field")
        op = f.child_by_field_name("operand")
        if fld is None or op is None or gf.node_text(fld) != "SetLimit" \
                or _flat(gf, op) != name:
            continue
        args = n.child_by_field_name("arguments")
        arg = args.named_children[0] if args is not None and args.named_children else None
        if arg is None or arg.type != "int_literal":
            return False
        if _int(gf, arg) in (0, 1):
            return False
    return True



def report_writes(ctx, kind: str, message):
    """A finding at each write of `kind` by the goroutines loops start, with `message(write)`
    and, as related locations, the go statement and the shared variable's declaration."""
    for g in loop_writes(ctx):
        for w in g.writes:
            if w.kind == kind:
                yield ctx.report(w.stmt, message(w), related=_related(ctx, g, w))


def _related(ctx, g: LoopGoroutine, w: Write) -> list:
    line = g.loop.start_point[0] + 1
    return [ctx.related(g.site.node, f"goroutines started here, one per iteration of the loop at line {line}"),
            ctx.related(w.decl.node, f"{w.decl.name} declared here, outside the loop" if w.decl.func is not None
                        else f"{w.decl.name} declared here, a package-level variable")]


# --------------------------------------------------------------------------------------------
# Before the value is shared (GC7005, GC7006)

CONSTRUCTOR = re.compile(r"^(New|new|init|Init|make|Make)")
HELD_DOC = re.compile(rb"(?i)//.*(?:\b(?:lock|locks|mutex|mu|rlock|read lock|write lock)\b.{0,40}\b(?:held|hold|holds|holding)\b|"
                      rb"\b(?:held|hold|holds|holding)\b.{0,40}\b(?:lock|mutex|mu)\b|locked by (?:the )?caller|"
                      rb"caller (?:must )?(?:lock|hold))")


def in_constructor(gf, top) -> bool:
    """`top` is named like a constructor (`New...`, `new...`, `init...`, `make...`)."""
    name = top.child_by_field_name("name") if top is not None else None
    return name is not None and CONSTRUCTOR.match(gf.node_text(name)) is not None


def freshly_made(pkg, gf, expr, through_index: bool = False) -> bool:
    """The variable at the root of `expr` (`s` of `s.a.f`, and of `s.a[i].f` when
    `through_index`) is a local the function made itself (`s := &S{...}`, `new(S)`, `S{}`):
    not shared yet."""
    steps = ("selector_expression", "parenthesized_expression") + (("index_expression",) if through_index else ())
    root = expr
    while root is not None and root.type in steps:
        root = root.child_by_field_name("operand") if root.type != "parenthesized_expression" else (
            root.named_children[0] if root.named_children else None)
    d = pkg.lookup(gf, root) if root is not None and root.type == "identifier" else None
    if d is None or d.how not in ("define", "var") or d.value is None:
        return False
    v = gf.node_text(d.value).lstrip()
    return v.startswith("&") or v.startswith("new(") or "{" in v.split("(", 1)[0]
