"""Path-sensitive lock state per function, shared by the mutex rules.

A forward must-analysis over the function's CFG: which locks are held on *every* path to a
point, `(key, mode)` with mode "W" (Lock) or "R" (RLock). A lock is only tracked when the source
shows its type (sync.Mutex / sync.RWMutex / sync.Locker, directly or through an embedded field)
and its receiver expression is stable (identifiers, fields, indexes; no calls). Anything that may
release a lock behind our back ends tracking conservatively: a call to a function of this package
that releases a lock it did not take, the lock's Unlock used as a method value, a release in
another closure of the same function that did not take the lock, or a reassignment of a variable
the key mentions. Keys follow embedded fields to the lock (`s.Lock()` is `s.Mutex`) and local
aliases (`mu := &c.mu` is `c.mu`).

The analysis runs once per function and yields `Event`s; the rules pick the kinds they own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from goconc.analysis import CALLGRAPH
from goconc.gomodel import FUNC_NODES, enclosing_function, top_function
from goconc.model import Problem
from goconc.queries import compile_query, run_captures
from goconc.rules._helpers import assigned_names, key_of, root_names
from goconc.source import GoFile, Node

_WS = re.compile(r"\s+")
ACQUIRE = {"Lock": "W", "RLock": "R"}
RELEASE = {"Unlock": "W", "RUnlock": "R"}


@dataclass(frozen=True)
class LockOp:
    key: str
    op: str  # Lock | Unlock | RLock | RUnlock
    call: Node
    kind: str  # Mutex | RWMutex | Locker
    deferred: bool
    roots: frozenset[str]
    text: str = ""  # the receiver as written (`s` for `s.Lock()` on an embedded mutex)

    @property
    def mode(self) -> str:
        return ACQUIRE.get(self.op) or RELEASE[self.op]


@dataclass(frozen=True)
class Event:
    kind: str  # "double" | "mismatch" | "leak" | "defer_lock"
    op: LockOp  # the offending op (for "leak": the acquiring Lock)
    other: Node | None  # the earlier Lock (double / mismatch) or the leaking return
    mode_held: str = ""
    path: tuple[tuple[Node, str], ...] = ()  # for "leak": decisions on the way (see _branches)


@dataclass
class FuncLocks:
    events: list[Event] = field(default_factory=list)


@dataclass
class FuncItems:
    """What one function does with locks: ("op", LockOp), ("value", key, node),
    ("release_all", call)."""

    fn: Node
    items: list = field(default_factory=list)


# held (key, mode), must; sites (key, mode, op), may; deferred keys, may; acquired keys, must
State = tuple[frozenset, frozenset, frozenset, frozenset]


def function_ops(analysis, gf: GoFile) -> dict[int, FuncItems]:
    """Per function (by node id): its lock ops, method-value releases and helper calls."""
    memo_key = f"lockops:{id(gf)}"
    got = analysis.memo.get(memo_key)
    if got is not None:
        return got
    pkg = analysis.pkg
    out: dict[int, FuncItems] = {}
    if b"Lock()" not in gf.src:
        analysis.memo[memo_key] = out
        return out
    caps = run_captures(compile_query("goconc.rules.mutex", "lock_calls.scm"), gf.root)
    releasers = _releasers(analysis)

    def put(owner: Node, item: tuple) -> None:
        fi = out.get(owner.id)
        if fi is None:
            fi = out[owner.id] = FuncItems(owner)
        fi.items.append(item)

    for call in caps.get("call", ()):
        fn_node = call.child_by_field_name("function")
        recv = fn_node.child_by_field_name("operand") if fn_node is not None else None
        fld = fn_node.child_by_field_name("field") if fn_node is not None else None
        if recv is None or fld is None:
            continue
        op = gf.node_text(fld)
        rt = pkg.type_of(gf, recv)
        kind = pkg.lock_kind(rt)
        if kind is None:
            continue
        if op in ("RLock", "RUnlock") and kind == "Mutex":
            continue
        key, roots = _lock_key(pkg, gf, recv, rt)
        if key is None:
            continue
        owner, deferred = _owner(call)
        if owner is None:
            continue
        put(owner, ("op", LockOp(key, op, call, kind, deferred, roots, _WS.sub("", gf.node_text(recv)))))
    _drop_balanced_deferred_closures(out)
    for mv in caps.get("method_value", ()):
        parent = mv.parent
        if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == mv:
            continue  # an ordinary call, handled above
        owner = enclosing_function(mv)
        recv = mv.child_by_field_name("operand")
        if owner is not None and recv is not None:
            key, _ = _lock_key(pkg, gf, recv, pkg.type_of(gf, recv))
            put(owner, ("value", key or key_of(gf, recv), mv))
    cg = None
    for oc in caps.get("other_call", ()):
        fn_node = oc.child_by_field_name("function")
        if fn_node is None:
            continue
        name_node = fn_node if fn_node.type == "identifier" else fn_node.child_by_field_name("field")
        if name_node is None:
            continue
        name = gf.node_text(name_node)
        if name in ("Lock", "Unlock", "RLock", "RUnlock"):
            continue
        local = fn_node.type == "identifier" and pkg.lookup(gf, fn_node) is not None
        if name not in releasers and not local:
            continue
        # What the call really calls (Engine v2's call graph): a releaser of this package by
        # identity, not by name; `f.Close()` on an *os.File is not `func (s *S) Close()`, and
        # `unlock()` with `unlock = r.stopReading` is stopReading.
        if cg is None:
            cg = analysis.result(CALLGRAPH)
        callee = cg.callee(gf, oc)
        if callee.kind == "func":
            if callee.id not in releaser_ids(analysis):
                continue
        elif callee.kind in ("external", "builtin", "conversion"):
            continue  # another package's function, or no call at all
        elif name not in releasers:
            continue  # a func value of unknown origin: not followed (as any other call)
        owner = enclosing_function(oc)
        if owner is not None:
            put(owner, ("release_all", oc))
    analysis.memo[memo_key] = out
    return out


def _ops_by_top(analysis, gf: GoFile) -> dict[int, list[FuncItems]]:
    """function_ops grouped by the top-level function each function lies in (memoised)."""
    memo_key = f"lockops-by-top:{id(gf)}"
    got = analysis.memo.get(memo_key)
    if got is None:
        got = {}
        for fi in function_ops(analysis, gf).values():
            top = top_function(fi.fn)
            if top is not None:
                got.setdefault(top.id, []).append(fi)
        analysis.memo[memo_key] = got
    return got


def _lock_key(pkg, gf: GoFile, recv: Node, rt) -> tuple[str | None, frozenset[str]]:
    """The key of the lock `recv` denotes, and the variables it depends on.

    Locks reached through embedded fields get the full path (`s.Lock()` on a struct embedding
    `sync.Mutex` is `s.Mutex`, as is `s.Mutex.Lock()`), and a local `mu := &c.mu` (never
    reassigned, see the "kill" events) is `c.mu`."""
    target = recv
    roots = root_names(gf, recv)
    if recv.type == "identifier":
        d = pkg.lookup(gf, recv)
        v = d.value if d is not None and d.how in ("define", "var") and d.nvalues == 1 else None
        if v is not None and v.type == "unary_expression":
            op = v.child_by_field_name("operator")
            inner = v.child_by_field_name("operand")
            if op is not None and gf.node_text(op) == "&" and inner is not None \
                    and inner.type in ("selector_expression", "index_expression", "identifier") \
                    and key_of(gf, inner) is not None:
                target = inner
                roots = roots | root_names(gf, inner)
    key = key_of(gf, target)
    if key is None:
        return None, roots
    t = rt
    for _ in range(4):
        base = t.deref() if t is not None else None
        if base is None or base.pkg == "sync":
            break
        embedded = pkg.lock_field(t)
        if not embedded:
            break
        key = f"{key}.{embedded}"
        t = pkg.field_type(t, embedded)
    return key, roots


def _drop_balanced_deferred_closures(out: dict[int, FuncItems]) -> None:
    """`defer func() { mu.Lock(); ...; mu.Unlock() }()` is a critical section of its own that
    runs at return: it neither releases nor takes the lock for the function deferring it."""
    for fi in out.values():
        groups: dict[int, list[LockOp]] = {}
        for it in fi.items:
            if it[0] == "op" and it[1].deferred:
                lit = enclosing_function(it[1].call)
                if lit is not None and lit != fi.fn:
                    groups.setdefault(lit.id, []).append(it[1])
        drop = set()
        for ops in groups.values():
            taken = {o.key for o in ops if o.op in ACQUIRE}
            balanced = taken & {o.key for o in ops if o.op in RELEASE}
            drop.update(id(o) for o in ops if o.key in balanced)
        if drop:
            fi.items = [it for it in fi.items if not (it[0] == "op" and id(it[1]) in drop)]


def _owner(call: Node) -> tuple[Node | None, bool]:
    """The function a lock call belongs to, and whether it runs deferred.

    `defer mu.Unlock()` and `defer func() { ...; mu.Unlock() }()` belong to the function with
    the defer statement and are deferred."""
    p = call.parent
    if p is not None and p.type == "defer_statement":
        return enclosing_function(call), True
    fn = enclosing_function(call)
    if fn is not None and fn.type == "func_literal":
        lit_call = fn.parent
        if lit_call is not None and lit_call.type == "call_expression" and lit_call.parent is not None \
                and lit_call.parent.type == "defer_statement":
            # inside a deferred closure: only direct statements of the closure count
            return enclosing_function(lit_call), True
    return fn, False


def unbalanced_keys(items: list) -> set[str]:
    """Keys that a function (a closure, usually) does not use as a critical section of its
    own: its first operation on the lock is not an acquire, its last (deferred releases run
    last) is not a release, or it releases in a mode it never took. Such a function changes
    the lock's state for whoever calls it."""
    by_key: dict[str, list[LockOp]] = {}
    for it in items:
        if it[0] == "op":
            by_key.setdefault(it[1].key, []).append(it[1])
    return {k for k, ops in by_key.items() if not _balanced(ops)}


def _balanced(ops: list[LockOp]) -> bool:
    seq = sorted(ops, key=lambda o: (o.deferred, o.call.start_byte))
    if not seq or seq[0].op not in ACQUIRE or seq[-1].op not in RELEASE:
        return False
    taken = {ACQUIRE[o.op] for o in seq if o.op in ACQUIRE}
    return all(RELEASE[o.op] in taken for o in seq if o.op in RELEASE)


_LOCK_METHODS = ("Lock", "Unlock", "RLock", "RUnlock", "RLocker", "TryLock", "TryRLock")
_VALUE_PARENTS = frozenset({"argument_list", "return_statement", "literal_element", "keyed_element",
                            "send_statement", "var_spec", "short_var_declaration", "assignment_statement",
                            "expression_list"})


def _value_use(node: Node) -> tuple[Node, bool] | None:
    """When `node` is used as a value that can leave the function (an argument, a result, an
    assigned or stored value), the outermost expression of that use and whether it went
    through `&`; None for a receiver, a field access or a declaration."""
    n, addr = node, False
    p = n.parent
    while p is not None and (p.type == "parenthesized_expression" or p.type == "unary_expression"):
        if p.type == "unary_expression":
            op = p.child_by_field_name("operator")
            if op is None or op.type != "&":
                return None
            addr = True
        n, p = p, p.parent
    if p is None or p.type not in _VALUE_PARENTS:
        return None
    if p.type == "expression_list":
        q = p.parent
        if q is None or q.type in ("short_var_declaration", "assignment_statement") \
                and q.child_by_field_name("left") == p:
            return None
    elif p.type in ("short_var_declaration", "assignment_statement") and p.child_by_field_name("right") != n:
        return None
    elif p.type == "var_spec" and p.child_by_field_name("value") != n:
        return None
    elif p.type == "send_statement" and p.child_by_field_name("value") != n:
        return None
    return n, addr


def escaped_keys(analysis, gf: GoFile, top: Node) -> frozenset[str]:
    """Keys of the locks that leave `top` (closures included) in a way the analysis does not
    follow: their address passed, returned or stored (`util.Release(&s.mu)`, `l = &mu`),
    a pointer to them or the lock as a `sync.Locker` passed on, a method value of them
    (`up := mu.Lock`), or `rw.RLocker()`. `mu := &c.mu` is an alias the analysis follows, not
    an escape (uses of `mu` are checked in turn). Memoised per function."""
    memo_key = f"lock-escapes:{top.id}"
    got = analysis.memo.get(memo_key)
    if got is not None:
        return got
    pkg = analysis.pkg
    out: set[str] = set()
    homes: set[str] = set()
    text = gf.src[top.start_byte:top.end_byte]
    stack = [top] if (b"Lock" in text or b"Mutex" in text or b"Locker" in text) else []
    while stack:
        n = stack.pop()
        t = n.type
        if t == "selector_expression":
            fld = n.child_by_field_name("field")
            operand = n.child_by_field_name("operand")
            if fld is not None and operand is not None and gf.node_text(fld) in _LOCK_METHODS:
                p = n.parent
                called = p is not None and p.type == "call_expression" and p.child_by_field_name("function") == n
                if not called or gf.node_text(fld) == "RLocker":
                    rt = pkg.type_of(gf, operand)
                    if pkg.lock_kind(rt) is not None:
                        key, _ = _lock_key(pkg, gf, operand, rt)
                        if key is not None:
                            out.add(key)
                            homes.add(lock_home(pkg, gf, operand, rt))
        if t in ("identifier", "selector_expression", "index_expression"):
            use = _value_use(n)
            if use is not None:
                outer, addr = use
                rt = pkg.type_of(gf, n)
                kind = pkg.lock_kind(rt)
                if kind is not None and (addr or kind == "Locker" or (rt is not None and rt.kind == "pointer")) \
                        and not _alias_definition(pkg, gf, outer, addr):
                    key, _ = _lock_key(pkg, gf, n, rt)
                    if key is not None:
                        out.add(key)
                        homes.add(lock_home(pkg, gf, n, rt))
        stack.extend(n.named_children)
    got = analysis.memo[memo_key] = frozenset(out)
    analysis.memo[f"lock-escape-homes:{top.id}"] = frozenset(homes)
    return got


def lock_home(pkg, gf: GoFile, expr: Node, rt) -> str:
    """Where the lock `expr` lives, in terms that hold across functions: `T.f` for a field f
    of a named type T (`T.Mutex` for an embedded one), `var.x` for a package variable x,
    "" for a local or when it cannot be told."""
    target = expr
    if expr.type == "identifier":
        d = pkg.lookup(gf, expr)
        v = d.value if d is not None and d.how in ("define", "var") and d.nvalues == 1 else None
        if v is not None and v.type == "unary_expression" and v.child_by_field_name("operand") is not None:
            target = v.child_by_field_name("operand")
        elif d is None:
            base = rt.deref() if rt is not None else None
            if base is not None and base.kind == "named" and base.pkg == "" and pkg.lock_field(rt):
                return f"{base.name}.{pkg.lock_field(rt)}"
            return f"var.{gf.node_text(expr)}"
        else:
            base = rt.deref() if rt is not None else None
            if base is not None and base.kind == "named" and base.pkg == "" and pkg.lock_field(rt):
                return f"{base.name}.{pkg.lock_field(rt)}"  # &s of a struct embedding the lock
            return ""
    while target.type == "parenthesized_expression" and target.named_children:
        target = target.named_children[0]
    if target.type == "identifier" and target is not expr:
        return lock_home(pkg, gf, target, pkg.type_of(gf, target))
    if target.type != "selector_expression":
        return ""
    operand = target.child_by_field_name("operand")
    fld = target.child_by_field_name("field")
    if operand is None or fld is None:
        return ""
    ot = pkg.type_of(gf, operand)
    base = ot.deref() if ot is not None else None
    if base is None or base.kind != "named":
        return ""
    t = pkg.type_of(gf, target)
    emb = pkg.lock_field(t) if t is not None and t.deref().pkg != "sync" else None
    return f"{base.name}.{gf.node_text(fld)}" + (f".{emb}" if emb else "")


def _alias_definition(pkg, gf: GoFile, outer: Node, addr: bool) -> bool:
    """`mu := &c.mu` / `var mu = &c.mu`: the local alias _lock_key follows."""
    if not addr or outer.type != "unary_expression":
        return False
    p = outer.parent
    if p is not None and p.type == "expression_list":
        if len(p.named_children) != 1:
            return False
        p = p.parent
    if p is None or p.type not in ("short_var_declaration", "var_spec"):
        return False
    left = p.child_by_field_name("left") if p.type == "short_var_declaration" else p.child_by_field_name("name")
    if left is not None and left.type == "expression_list":
        left = left.named_children[0] if len(left.named_children) == 1 else None
    if left is None or left.type != "identifier":
        return False
    d = pkg.lookup(gf, left)
    return d is not None and d.node == left


def package_escaped_homes(analysis) -> frozenset[str]:
    """The homes (see lock_home) of the locks that escape somewhere in the package (see
    escaped_keys), package-level declarations included. A lock stored elsewhere (`c.l = &c.mu`
    in a constructor) may be released through that copy in any function: a fix that trusts
    the function's own view of the lock needs this set not to name it. Memoised per package."""
    got = analysis.memo.get("lock-escapes-pkg")
    if got is None:
        homes: set[str] = set()
        for gf in analysis.pkg.files:
            for c in gf.root.named_children:
                if c.type in FUNC_NODES or b"&" in gf.src[c.start_byte:c.end_byte] \
                        or b"Lock" in gf.src[c.start_byte:c.end_byte]:
                    escaped_keys(analysis, gf, c)
                    homes.update(analysis.memo.get(f"lock-escape-homes:{c.id}", ()))
        got = analysis.memo["lock-escapes-pkg"] = frozenset(homes)
    return got


_LOCK_CALL = re.compile(rb"\.R?(Lock|Unlock)(\(\)|\))")
_RECV_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]()*&%+-")


def _receiver_before(text: bytes, end: int) -> bytes:
    """The receiver text written just before `.Lock()` (scanning back at most 100 bytes)."""
    i = end
    stop = max(0, end - 100)
    while i > stop and text[i - 1] in _RECV_CHARS:
        i -= 1
    return text[i:end]


def _releasers(analysis) -> frozenset[str]:
    """Names of this package's functions and methods that may change a lock's state for their
    caller: they release a lock they did not take (`func (c *C) unlockAndWake() { c.mu.Unlock();
    ... }`), release and take it back in another mode (`rw.RUnlock(); rw.Lock()`, an upgrade),
    pass an Unlock on as a function value, or call such a function. A function whose every
    lock it releases is taken first and released last (a critical section of its own) leaves
    its caller's lock state as it was and is not one; nor is one that only locks."""
    got = analysis.memo.get("releasers")
    if got is None:
        from goconc.callgraph import FuncId

        names = set()
        ids = set()
        pkg = analysis.pkg
        for fd in list(pkg.funcs.values()) + [m for ms in pkg.methods.values() for m in ms.values()]:
            body = fd.body
            if body is None:
                continue
            text = fd.file.text[body.start_byte:body.end_byte]
            if b"Unlock" not in text:
                continue
            seqs: dict[bytes, list[tuple[bool, int, bool, str]]] = {}
            for m in _LOCK_CALL.finditer(text):
                if m.group(2) == b")" and m.group(1) != b"Unlock":
                    continue
                recv = _receiver_before(text, m.start())
                before = text[:m.start() - len(recv)].rstrip()
                deferred = before.endswith(b"defer")
                release = m.group(1) == b"Unlock"
                mode = "R" if text[m.start() + 1:m.start() + 2] == b"R" else "W"
                seqs.setdefault(recv, []).append((deferred, m.start(), release, mode))
            if any(not _balanced_text(seq) for seq in seqs.values()):
                names.add(fd.name)
                ids.add(FuncId("", fd.recv_base, fd.name))
        analysis.memo["releaser-ids"] = frozenset(ids)
        got = analysis.memo["releasers"] = frozenset(names)
    return got


def releaser_ids(analysis) -> frozenset:
    """The FuncIds of the functions and methods `_releasers` names (by their declarations)."""
    _releasers(analysis)
    return analysis.memo["releaser-ids"]


def transitive_releasers(analysis) -> frozenset[str]:
    """_releasers, plus the functions of the package that call one, at any depth (`func (c *C)
    a() { c.b() }` where b releases). Too coarse for the flow analysis (a function that calls
    a releaser for a lock of its own is one too), but what a fix that trusts "nothing else
    releases this lock" must rule out."""
    got = analysis.memo.get("releasers-transitive")
    if got is None:
        names = set(_releasers(analysis)) - set(_LOCK_METHODS)  # a type's own Unlock: not followed
        pkg = analysis.pkg
        bodies = [(fd.name, fd.file.text[fd.body.start_byte:fd.body.end_byte])
                  for fd in list(pkg.funcs.values()) + [m for ms in pkg.methods.values() for m in ms.values()]
                  if fd.body is not None]
        while names:
            calls = re.compile(rb"\b(?:%s)\s*\(" % b"|".join(re.escape(n.encode()) for n in sorted(names)))
            more = {name for name, text in bodies if name not in names and calls.search(text)}
            if not more:
                break
            names |= more
        got = analysis.memo["releasers-transitive"] = frozenset(names)
    return got


def _balanced_text(seq: list[tuple[bool, int, bool, str]]) -> bool:
    """See _balanced; for a helper's text, when it releases at all (one that only locks is a
    lock helper, which the flow analysis does not follow either way)."""
    seq = sorted(seq)
    if not any(r for _, _, r, _ in seq):
        return True
    if seq[0][2] or not seq[-1][2]:
        return False
    taken = {m for _, _, r, m in seq if not r}
    return all(m in taken for _, _, r, m in seq if r)


def analyze(analysis, gf: GoFile, fn: Node) -> FuncLocks:
    """Lock events of one function (declaration or literal), memoised."""
    memo_key = f"locks:{fn.id}"
    got = analysis.memo.get(memo_key)
    if got is not None:
        return got
    result = FuncLocks()
    analysis.memo[memo_key] = result
    fi = function_ops(analysis, gf).get(fn.id)
    items = fi.items if fi is not None else None
    if not items or not any(i[0] == "op" and not i[1].deferred for i in items):
        return result
    cfg = analysis.cfg(gf, fn)
    if cfg is None:
        return result
    from goconc.cfg import find_path, forward

    # Keys released through a method value (cleanup(mu.Unlock)), or by another goroutine or
    # closure of the same top-level function that does not lock them itself (a lock used as a
    # signal, or released for us by a callback): never report them.
    # The same for a closure that changes the lock's state for its caller (`func() {
    # rw.RUnlock(); rw.Lock() }()`, an upgrade) rather than being a critical section of its
    # own, and for a lock whose address (or a method value of it) leaves the function: what
    # it does there is not seen.
    opaque = {i[1] for i in items if i[0] == "value"}
    top = top_function(fn)
    if top is not None:
        for other in _ops_by_top(analysis, gf).get(top.id, ()):
            if other.fn == fn:
                continue
            if any(i[0] == "release_all" for i in other.items):
                return result  # a closure calls a helper that releases locks: nothing is known
            opaque.update(unbalanced_keys(other.items))
            opaque.update(i[1] for i in other.items if i[0] == "value")
    opaque.update(escaped_keys(analysis, gf, top or fn))
    ops_sorted = sorted(items, key=lambda i: _start(i))
    starts = [_start(i) for i in ops_sorted]
    released_keys = {i[1].key for i in items if i[0] == "op" and i[1].op in RELEASE}

    import bisect

    def items_in(node: Node) -> list:
        lo = bisect.bisect_left(starts, node.start_byte)
        hi = bisect.bisect_left(starts, node.end_byte)
        return ops_sorted[lo:hi]

    # Per CFG node: its events in order, computed once.
    node_events: dict[int, list] = {}
    for b in cfg.blocks:
        for n in b.nodes:
            evs = []
            its = items_in(n) if n.type not in FUNC_NODES else []
            evs.extend(its)
            names = assigned_names(gf, n)
            if names:
                evs.append(("kill", names))
            node_events[n.id] = evs

    events: list[Event] = []
    seen_events: set[tuple] = set()
    entry_held: set[str] = set()

    def step(state: State, n: Node, record: bool) -> State:
        held, sites, deferred, acquired = state
        for ev in node_events.get(n.id, ()):
            tag = ev[0]
            if tag == "op":
                op: LockOp = ev[1]
                if op.key in opaque:
                    continue
                if op.op in ACQUIRE:
                    prior = [m for (k, m) in held if k == op.key]
                    if op.deferred:
                        # `defer mu.Lock()` while mu is held: never released, locked again at return
                        if record and prior:
                            _add(events, seen_events, Event("defer_lock", op, _site(sites, op.key), prior[0]))
                        continue
                    mode = ACQUIRE[op.op]
                    if record and prior:
                        first = _site(sites, op.key)
                        _add(events, seen_events, Event("double", op, first, prior[0]))
                    held = held | {(op.key, mode)}
                    sites = sites | {(op.key, mode, op.call)}
                    acquired = acquired | {op.key}
                else:
                    mode = RELEASE[op.op]
                    modes = {m for (k, m) in held if k == op.key}
                    if record and modes and mode not in modes and op.kind == "RWMutex":
                        first = _site(sites, op.key)
                        _add(events, seen_events, Event("mismatch", op, first, modes.pop()))
                    if op.deferred:
                        deferred = deferred | {op.key}
                    else:
                        if record and op.key not in acquired:
                            # on some path this function releases it before taking it: the
                            # caller holds it (unlock, call out, relock), or takes it conditionally
                            entry_held.add(op.key)
                        held = frozenset(h for h in held if h[0] != op.key)
                        sites = frozenset(s for s in sites if s[0] != op.key)
            elif tag == "release_all":
                held = frozenset()
                deferred = deferred | {"*"}
            elif tag == "kill":
                names = ev[1]
                keep = {h for h in held if not (_roots(h[0], ops_by_key) & names)}
                if len(keep) != len(held):
                    held = frozenset(keep)
        return held, sites, deferred, acquired

    ops_by_key: dict[str, frozenset[str]] = {}
    for i in items:
        if i[0] == "op":
            ops_by_key[i[1].key] = i[1].roots

    def transfer(block, state: State) -> State:
        for n in block.nodes:
            state = step(state, n, False)
        return state

    def meet(states: list[State]) -> State:
        held = frozenset.intersection(*[s[0] for s in states])
        sites = frozenset().union(*[s[1] for s in states])
        deferred = frozenset().union(*[s[2] for s in states])
        acquired = frozenset.intersection(*[s[3] for s in states])
        return held, sites, deferred, acquired

    init: State = (frozenset(), frozenset(), frozenset(), frozenset())
    states = forward(cfg, init=init, transfer=transfer, meet=meet)
    if not states.converged:  # lock states not known on every path: stay quiet
        analysis.notes.append(Problem(f"{gf.path}:{fn.start_point[0] + 1}",
                                      "lock states did not converge in this function; lock rules skipped it"))
        return result

    # Replay each reached block once with its fixpoint in-state, recording events.
    for b, (in_state, _out) in states.items():
        st = in_state
        for n in b.nodes:
            st = step(st, n, True)

    # Leaks: a return reached with a lock held on every path, not released by a defer,
    # where the function does release that lock later in the source (so this return skips it).
    for pred in cfg.exit.preds:
        if pred not in states:
            continue
        held, sites, deferred, _ = states[pred][1]
        if not held or "*" in deferred:
            continue
        ret = pred.nodes[-1] if pred.nodes and pred.nodes[-1].type == "return_statement" else None
        if ret is None:
            continue
        for key, mode in sorted(held):
            if key in deferred or key not in released_keys or key in opaque or key in entry_held:
                continue  # entry_held: unlock-then-relock of a lock the caller holds
            # a release after the return in the source (a deferred one too: the return comes
            # before the defer is registered) shows the function means to release it
            later = [i[1] for i in items if i[0] == "op" and i[1].key == key and i[1].op in RELEASE
                     and RELEASE[i[1].op] == mode and i[1].call.start_byte > ret.end_byte]
            if not later:
                continue
            site = _site(sites, key)
            acquire = next((i[1] for i in items if i[0] == "op" and i[1].call == site), None)
            if acquire is None:
                continue
            path = _branches(cfg, find_path, acquire.call, pred)
            _add(events, seen_events, Event("leak", acquire, ret, mode, path))
    result.events = sorted(events, key=lambda e: (e.op.call.start_byte, e.kind))
    return result


def _branches(cfg, find_path, call: Node, goal) -> tuple[tuple[Node, str], ...]:
    """The decisions on the way from the block of `call` to `goal`: if/for conditions with the
    outcome taken ("true": into the body, "false"), and switch/select cases taken ("case")."""
    start = None
    for b in cfg.blocks:
        for n in b.nodes:
            if n.start_byte <= call.start_byte < n.end_byte:
                start = b
                break
        if start is not None:
            break
    if start is None:
        return ()
    path = find_path(cfg, start, goal) or []
    out: list[tuple[Node, str]] = []
    for b, nxt in zip(path, path[1:]):
        if len(b.succs) < 2:
            continue
        case = _case_of(nxt.nodes[0]) if nxt.nodes else None
        if case is not None:
            out.append((case, "case"))  # the switch or select case taken
            continue
        if len(b.succs) != 2 or not b.nodes:
            continue
        cond = b.nodes[-1]
        parent = cond.parent
        if parent is None or parent.type not in ("if_statement", "for_statement", "for_clause") \
                or parent.child_by_field_name("condition") != cond:
            continue
        out.append((cond, "true" if nxt is b.succs[0] else "false"))
    return tuple(out)


def _case_of(node: Node) -> Node | None:
    """The switch/select case clause whose values (or communication) `node` is."""
    p = node.parent
    for _ in range(2):
        if p is None:
            return None
        if p.type in ("expression_case", "type_case", "communication_case"):
            return p
        p = p.parent
    return None


def _add(events: list[Event], seen: set, ev: Event) -> None:
    k = (ev.kind, ev.op.call.start_byte, ev.other.start_byte if ev.other is not None else -1)
    if k not in seen:
        seen.add(k)
        events.append(ev)


def _site(sites: frozenset, key: str) -> Node | None:
    cands = [s[2] for s in sites if s[0] == key]
    return min(cands, key=lambda n: n.start_byte) if cands else None


def _roots(key: str, ops_by_key: dict[str, frozenset[str]]) -> frozenset[str]:
    return ops_by_key.get(key, frozenset())


def _start(item) -> int:
    if item[0] == "op":
        return item[1].call.start_byte
    return item[2].start_byte if item[0] == "value" else item[1].start_byte
