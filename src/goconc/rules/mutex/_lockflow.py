"""Path-sensitive lock state per function, and lock summaries across calls; shared by the
mutex rules.

A forward must-analysis over the function's CFG: which locks are held on *every* path to a
point, `(key, mode)` with mode "W" (Lock) or "R" (RLock). A lock's key is its access path
(goconc.accesspath, elements by their index as written), never its text. A lock is only
tracked when the source shows its type (sync.Mutex / sync.RWMutex / sync.Locker, directly or
through an embedded field) and its receiver is a location (identifiers, fields, indexes; no
calls). Keys follow embedded fields to the lock (`s.Lock()` is `s.Mutex`) and local aliases
(`mu := &c.mu` is `c.mu`).

Calls are followed through function summaries (`LockSummary`), computed bottom-up over the
package's call graph (a fixpoint for recursive functions): a function of the package that
returns with its receiver's lock held (`func (s *S) lock() { s.mu.Lock() }`), releases a lock
its caller holds, or takes and releases one on every path, does so at each call, with the
callee's receiver and parameters replaced by the caller's arguments. Anything that may release
a lock behind our back ends tracking conservatively: a callee whose effect on locks is not
known (it lets a lock escape, releases one through a method value, or did not converge), a
call through a func value of unknown origin named like such a function, the lock's Unlock used
as a method value, a release in another closure of the same function that did not take the
lock, or a reassignment of a variable the key mentions.

The analysis runs once per function and yields `Event`s; the rules pick the kinds they own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from goconc.accesspath import AccessPath
from goconc.analysis import CALLGRAPH, PATHS, Analyzer
from goconc.gomodel import FUNC_NODES, enclosing_function, top_function
from goconc.model import Problem
from goconc.queries import file_captures
from goconc.rules._helpers import assigned_names, key_of, root_names
from goconc.source import GoFile, Node

_WS = re.compile(r"\s+")
ACQUIRE = {"Lock": "W", "RLock": "R"}
RELEASE = {"Unlock": "W", "RUnlock": "R"}
_OP = {("acquire", "W"): "Lock", ("acquire", "R"): "RLock", ("release", "W"): "Unlock", ("release", "R"): "RUnlock"}


@dataclass(frozen=True)
class LockOp:
    key: object  # the lock's identity: an AccessPath (or ("text", ...) for a method value's lock)
    op: str  # Lock | Unlock | RLock | RUnlock
    call: Node
    kind: str  # Mutex | RWMutex | Locker
    deferred: bool
    roots: frozenset[str]
    text: str = ""  # the receiver as written (`s` for `s.Lock()` on an embedded mutex)
    via: str = ""  # an op a call of the package performs: the called function as written (`s.lock`)
    transient: bool = False  # via a callee that takes and releases the lock: checked, state unchanged

    @property
    def mode(self) -> str:
        return ACQUIRE.get(self.op) or RELEASE[self.op]


@dataclass(frozen=True)
class Event:
    kind: str  # "double" | "mismatch" | "leak" | "jump" | "defer_lock" | "order"
    op: LockOp  # the offending op (for "leak": the acquiring Lock; "order": the later Lock)
    other: Node | None  # the earlier Lock (double / mismatch / order) or the leaking return
    mode_held: str = ""
    path: tuple[tuple[Node, str], ...] = ()  # for "leak": decisions on the way (see _branches)
    held: object = None  # for "order": the key of the lock held when op takes another one
    skipped: LockOp | None = None  # for "jump": the release the break or continue skips


@dataclass(frozen=True)
class SyncPoint:
    """A point where a goroutine waits for another (`wg.Wait()`, a plain receive) or lets
    others go on (`wg.Done()`, a send, `close(ch)`), on the WaitGroup or channel at `key`."""

    what: str  # Wait | recv | Done | send | close
    key: object  # AccessPath of the WaitGroup or channel
    node: Node
    deferred: bool = False


@dataclass
class FuncLocks:
    events: list[Event] = field(default_factory=list)
    # waits reached with locks held on every path: (SyncPoint, held (key, mode) pairs, lock sites)
    waits: list = field(default_factory=list)
    # Done / send / close points reached with locks held on every path: node id -> held pairs
    held_at: dict = field(default_factory=dict)
    # node -> the (key, mode) pairs held on every path to it (before its own statement), or
    # None when that is not known (the node is not reached, or the flow gave up)
    held_before: object = None


@dataclass
class FuncItems:
    """What one function does with locks: ("op", LockOp), ("value", key, node),
    ("release_all", call)."""

    fn: Node
    items: list = field(default_factory=list)


Lock = tuple[AccessPath, str, str]  # path (in the callee's terms), mode W/R, kind Mutex/RWMutex/Locker


@dataclass(frozen=True)
class LockSummary:
    """What calling a function does to its caller's locks (paths rooted at its receiver,
    parameters or package variables)."""

    acquires: frozenset[Lock] = frozenset()  # held on every normal return: "returns with s.mu held"
    releases: frozenset[Lock] = frozenset()  # released on some path without taking it first
    locks: frozenset[Lock] = frozenset()  # taken on every path to a normal return
    opaque: frozenset[AccessPath] = frozenset()  # locks it may change in ways not followed (escaped)
    unknown: bool = False  # may change any of its caller's locks in ways not followed

    def facts(self) -> list[str]:
        """The summary as sentences (fixtures' `// summary "..."` expectations)."""
        if self.unknown:
            return ["lock effects unknown"]
        out = []
        for p, m, _ in sorted(self.acquires, key=_lock_order):
            out.append(f"returns with {p} {'read-locked' if m == 'R' else 'held'}")
        for p, m, _ in sorted(self.releases, key=_lock_order):
            out.append(f"{'read-unlocks' if m == 'R' else 'unlocks'} the caller's {p}")
        for p, m, _ in sorted(self.locks - self.acquires, key=_lock_order):
            out.append(f"{'read-locks' if m == 'R' else 'locks'} {p}")
        for p in sorted(self.opaque, key=str):
            out.append(f"lets {p} escape")
        return out

    @property
    def empty(self) -> bool:
        return not (self.acquires or self.releases or self.locks or self.opaque or self.unknown)


def _lock_order(lock: Lock) -> tuple:
    return (str(lock[0]), lock[1])


EMPTY = LockSummary()
UNKNOWN = LockSummary(unknown=True)


# held (key, mode), must; sites (key, mode, op), may; deferred keys, may; acquired (key, mode), must
State = tuple[frozenset, frozenset, frozenset, frozenset]


# How many calls deep a lock effect is followed up the call graph (a summary is computed for
# functions at most this far above one that locks): deeper chains are rare, and each level
# resolves the calls of every name of the level below.
_CALL_DEPTH = 4


def facts(analysis) -> LockFacts:
    return analysis.result(LOCKS)


class LockFacts:
    """The lock analysis of one package: per file its lock ops, per function its events and
    its summary. Values are stored once computed."""

    def __init__(self, p) -> None:
        self.p = p
        self.pkg = p.pkg
        self.cg = p.result(CALLGRAPH)
        self.paths = p.result(PATHS)
        self._ops: dict[int, dict[int, FuncItems]] = {}
        self._flows: dict[int, FuncLocks] = {}
        self._summaries: dict = {}
        self._provisional: dict = {}
        self._relevant: frozenset | None = None
        self._release_names: frozenset[str] | None = None
        self._solving = False
        self._names: frozenset[str] | None = None
        self._sync: dict[int, dict[int, list[SyncPoint]]] = {}
        self._lit_summaries: dict = {}
        self._lit_busy: set = set()
        self._incomplete = False  # a summary was asked for before it was computed
        self._final = False  # the flow under way uses final summaries only: its results are kept
        self._assigned: dict = {}
        self._in_file: dict[str, list[Node]] | None = None
        self._call_items: dict[int, list] = {}
        self._by_top: dict[int, dict[int, list[FuncItems]]] = {}
        self.memo: dict[str, object] = {}  # escaped_keys, package_escaped_homes

    # ---- direct ops --------------------------------------------------------------------

    def ops(self, gf: GoFile) -> dict[int, FuncItems]:
        got = self._ops.get(id(gf))
        if got is None:
            got = self._ops[id(gf)] = self._direct_ops(gf)
        return got

    def _direct_ops(self, gf: GoFile) -> dict[int, FuncItems]:
        pkg = self.pkg
        out: dict[int, FuncItems] = {}
        if b"Lock()" not in gf.src:
            return out
        caps = file_captures(gf, "goconc.rules.mutex", "lock_calls.scm")

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
            key, roots = self.lock_key(gf, recv, rt)
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
                key, _ = self.lock_key(gf, recv, pkg.type_of(gf, recv))
                put(owner, ("value", key or ("text", key_of(gf, recv)), mv))
        return out

    def sync_points(self, gf: GoFile) -> dict[int, list[SyncPoint]]:
        """Per function (node id) of the file, its WaitGroup waits and Dones, plain channel
        receives, sends and closes (not those in a select: a select may take another case),
        with the access path of the WaitGroup or channel."""
        got = self._sync.get(id(gf))
        if got is not None:
            return got
        got = self._sync[id(gf)] = {}
        src = gf.src
        if b"<-" not in src and b"Wait()" not in src and b"Done()" not in src and b"close(" not in src:
            return got
        pkg = self.pkg
        caps = file_captures(gf, "goconc.rules.mutex", "sync_points.scm")
        points: list[tuple[str, Node, Node]] = []
        for call in caps.get("wg_call", ()):
            f = call.child_by_field_name("function")
            fld = f.child_by_field_name("field") if f is not None else None
            recv = f.child_by_field_name("operand") if f is not None else None
            if fld is not None and recv is not None and pkg.is_waitgroup(pkg.type_of(gf, recv)):
                points.append((gf.node_text(fld), call, recv))
        for what, cap in (("recv", "receive"), ("send", "send"), ("close", "close")):
            for n in caps.get(cap, ()):
                ch = n.child_by_field_name("operand") if what == "recv" else \
                    n.child_by_field_name("channel") if what == "send" else \
                    next((a for a in n.child_by_field_name("arguments").named_children if a.type != "comment"), None)
                if ch is None or _in_select_case(n):
                    continue
                t = pkg.underlying(pkg.type_of(gf, ch))
                if t is not None and t.kind == "chan":
                    points.append((what, n, ch))
        for what, n, target in points:
            key = self.paths.of(gf, target)
            owner = enclosing_function(n)
            if key is None or owner is None:
                continue
            p = n.parent
            deferred = p is not None and p.type == "defer_statement"
            got.setdefault(owner.id, []).append(SyncPoint(what, key, n, deferred))
        return got

    def lock_key(self, gf: GoFile, recv: Node, rt) -> tuple[AccessPath | None, frozenset[str]]:
        """The access path of the lock `recv` denotes, and the variables it depends on.

        Locks reached through embedded fields get the full path (`s.Lock()` on a struct
        embedding `sync.Mutex` is `s.Mutex`, as is `s.Mutex.Lock()`), and a local `mu := &c.mu`
        (never reassigned) is `c.mu`."""
        pkg = self.pkg
        roots = root_names(gf, recv)
        if recv.type == "identifier":
            d = pkg.lookup(gf, recv)
            v = d.value if d is not None and d.how in ("define", "var") and d.nvalues == 1 else None
            if v is not None and v.type == "unary_expression":
                inner = v.child_by_field_name("operand")
                if inner is not None:
                    roots = roots | root_names(gf, inner)
        key = self.paths.of(gf, recv, exact=True)
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
            key = key.field(embedded)
            t = pkg.field_type(t, embedded)
        return key, roots

    # ---- summaries ---------------------------------------------------------------------

    def relevant(self) -> frozenset:
        """The declared functions whose summary may not be empty: those with lock ops of their
        own (deferred closures included) and their callers, up to _CALL_DEPTH calls above."""
        if self._relevant is None:
            cg = self.cg
            seeds = set()
            for gf in self.pkg.files:
                for fi in self.ops(gf).values():
                    if fi.fn.type in ("function_declaration", "method_declaration") \
                            and any(i[0] != "op" or not i[1].deferred or i[1].op in RELEASE for i in fi.items):
                        fid = cg.func_id(fi.fn)
                        if fid is not None:
                            seeds.add(fid)
            out = set(seeds)
            new = set(seeds)
            for _ in range(_CALL_DEPTH):
                more = set()
                for site in cg.callers_of_any(new):
                    c = site.caller
                    if c.is_literal:  # a closure deferred by its function runs as part of it
                        info = cg.info(c)
                        parent = info.parent if info is not None else None
                        call = info.node.parent if info is not None else None
                        if parent is None or parent.is_literal or call is None or call.type != "call_expression" \
                                or call.parent is None or call.parent.type != "defer_statement":
                            continue
                        c = parent
                    if c not in out:
                        more.add(c)
                if not more:
                    break
                out |= more
                new = more
            self._relevant = frozenset(out)
        return self._relevant

    def summary(self, fid) -> LockSummary:
        got = self._summaries.get(fid)
        if got is not None:
            return got
        got = self._provisional.get(fid)
        if got is not None:
            return got
        if fid.is_literal or fid not in self.relevant():
            return EMPTY
        if not self._solving:
            self.solve_all()
            return self._summaries.get(fid) or EMPTY
        self._incomplete = True  # asked for by a closure before its turn: not known yet
        return EMPTY

    def solve_all(self) -> None:
        """Every summary of the package, bottom-up, in one pass (once)."""
        if not self._solving:
            self._solving = True
            for comp in self.cg.sccs(sorted(self.relevant()), within=self.relevant()):
                self._solve(comp)

    def _solve(self, comp: list) -> None:
        """Summaries of one strongly connected component, by rounds until none changes (6,
        else unknown). A function that cannot reach itself needs one round; the flows of the
        round that changed nothing are final and kept for the rules."""
        single = len(comp) == 1 and not self._reaches_itself(comp[0])
        for f in comp:
            self._provisional[f] = EMPTY
        flows: dict = {}
        try:
            for _ in range(6):
                changed = False
                self._final = single
                for f in comp:
                    info = self.cg.info(f)
                    self._incomplete = False
                    fl, s = self._flow(info.file, info.node) if info is not None else (None, EMPTY)
                    flows[f] = (info, None if self._incomplete else fl)
                    if s != self._provisional[f]:
                        self._provisional[f] = s
                        changed = True
                if single or not changed:
                    break
            else:
                flows = {}
                for f in comp:
                    self._provisional[f] = UNKNOWN
            for f in comp:
                self._summaries[f] = self._provisional[f]
            for info, fl in flows.values():
                if info is not None and fl is not None:
                    self._flows.setdefault(info.node.id, fl)
        finally:
            self._final = False
            for f in comp:
                self._provisional.pop(f, None)

    def _reaches_itself(self, f) -> bool:
        """f's flow may use f's own summary: it, or a literal inside it, calls f."""
        cg = self.cg
        info = cg.info(f)
        if info is None:
            return True
        fns = [f]
        if info.top is not None:
            fns.extend(lit for start, end, lit in cg.literals_in(info.top)
                       if info.node.start_byte <= start < info.node.end_byte)
        for g in fns:
            for site in cg.calls_named(g, {f.name}):
                if site.callee.kind == "func" and site.callee.id == f:
                    return True
        return False

    def release_names(self) -> frozenset[str]:
        """Names of the package's functions and methods that release a lock without a
        critical section of their own around it (their first op on it is a release, or their
        last is not one; or an Unlock passed as a value): what a call through an interface or
        a func value of unknown origin with such a name is taken for. From their own ops, so
        that it is known before any summary is."""
        if self._release_names is None:
            names = set()
            for gf in self.pkg.files:
                for fi in self.ops(gf).values():
                    if fi.fn.type not in ("function_declaration", "method_declaration"):
                        continue
                    name = fi.fn.child_by_field_name("name")
                    if name is None or gf.node_text(name) in _LOCK_METHODS:
                        continue
                    if any(i[0] == "value" for i in fi.items) or (
                            any(i[0] == "op" and i[1].op in RELEASE for i in fi.items) and unbalanced_keys(fi.items)):
                        names.add(gf.node_text(name))
            self._release_names = frozenset(names)
        return self._release_names

    def call_items(self, gf: GoFile, fn: Node) -> list:
        """The lock ops the calls of `fn` perform, from their callees' summaries (calls in a
        closure it defers count as deferred), and ("release_all", call) for a call whose effect
        is not known."""
        got = self._call_items.get(fn.id)
        if got is not None:
            return got
        cg = self.cg
        fid = cg.func_id(fn)
        out: list = []
        if fid is None:
            return out
        names = self._callee_names()
        sites = [(s, s.kind == "defer") for s in cg.calls_named(fid, names)]
        for s, _ in list(sites):
            if s.kind == "defer" and s.callee.kind == "func" and s.callee.id.is_literal:
                sites.extend((t, True) for t in cg.calls_named(s.callee.id, names))
        release = None
        for site, deferred in sites:
            if site.kind == "go":
                continue
            callee = site.callee
            if callee.kind == "func":
                if callee.id.is_literal:
                    if site.kind != "call" or site.node.child_by_field_name("function") is None \
                            or site.node.child_by_field_name("function").type != "func_literal":
                        continue  # only a literal called where it is written: func() { ... }()
                    summ = self._literal_summary(callee.id)
                else:
                    summ = self.summary(callee.id)
                if summ.empty:
                    continue
                out.extend(self._effects(site, summ, deferred))
            elif callee.kind in ("dynamic", "unknown"):
                if release is None:
                    release = self.release_names()
                if site.name in release:
                    out.append(("release_all", site.node))
        if (self._final and not self._incomplete) or not self._provisional:
            self._call_items[fn.id] = out
        return out

    def _literal_summary(self, fid) -> LockSummary:
        """The summary of a literal called in place (`func() { mu.Lock(); ... }()`), from its
        own flow; EMPTY while that flow is under way (its closures' checks ask again)."""
        got = self._lit_summaries.get(fid)
        if got is not None:
            return got
        if fid in self._lit_busy:
            return EMPTY
        info = self.cg.info(fid)
        if info is None:
            return EMPTY
        self._lit_busy.add(fid)
        try:
            _, got = self._flow(info.file, info.node)
        finally:
            self._lit_busy.discard(fid)
        if not self._provisional:
            self._lit_summaries[fid] = got
        return got

    def _callee_names(self) -> frozenset[str]:
        """The names a call must have to matter to a caller's lock state: those of the
        functions with a summary, and those taken for a release when the callee is not known."""
        if self._names is None:
            self._names = frozenset(f.name for f in self.relevant()) | self.release_names()
        return self._names

    def _effects(self, site, summ: LockSummary, deferred: bool) -> list:
        if summ.unknown:
            return [("release_all", site.node)]
        fn_node = site.node.child_by_field_name("function")
        callee = site.callee
        literal = callee.id is not None and callee.id.is_literal  # func() { ... }() called in place
        via = "func" if literal else _WS.sub("", site.file.node_text(fn_node)) if fn_node is not None else site.name
        out: list = []
        # a method value bound before the call (`f := s.get; s = t; f()`) to a receiver that the
        # caller reassigns: which value it was bound to is not followed
        rebound = callee.recv is not None and not (
            site.node.start_byte <= callee.recv.start_byte < site.node.end_byte) and bool(
            root_names(site.file, callee.recv) & self.assigned_in(site.caller))

        def caller_path(path):
            if literal and path.root.func != callee.id:
                return path  # captured from the function around it: already the caller's
            return self.paths.substitute(path, site, exact=True)

        def op(lock: Lock, what: str, transient: bool = False) -> LockOp | None:
            q = caller_path(lock[0])
            if q is None or "[]" in q.steps:
                return None
            text = str(q) if literal and q is lock[0] else self._written(site, lock[0], q)
            return LockOp(q, _OP[what, lock[1]], site.node, lock[2], deferred, _path_roots(q), text, via, transient)

        for path in sorted(summ.opaque, key=str):
            q = caller_path(path)
            if q is not None:
                out.append(("value", q, site.node))  # the caller cannot follow this lock either
        for lock in sorted(summ.releases, key=_lock_order):
            o = op(lock, "release")
            if o is not None:  # else a lock the caller cannot name (`f().mu`): not one it holds
                out.append(("op", o))
        if deferred or rebound:
            return out  # a deferred call's locking is not followed
        # what it takes and releases again, between what it releases and what it returns
        # with held (a callee that drops the caller's lock around a call-out does not take
        # the other lock while holding the caller's)
        released = {(lk[0], lk[1]) for lk in summ.releases}
        for lock in sorted(summ.locks - summ.acquires, key=_lock_order):
            if (lock[0], lock[1]) not in released:
                o = op(lock, "acquire", transient=True)
                if o is not None:
                    out.append(("op", o))
        for lock in sorted(summ.acquires, key=_lock_order):
            o = op(lock, "acquire")
            if o is not None:
                out.append(("op", o))
        return out

    def assigned_in(self, fid) -> frozenset[str]:
        """Names assigned (`=`, `op=`) anywhere in a function, closures included."""
        got = self._assigned.get(fid)
        if got is None:
            info = self.cg.info(fid)
            got = self._assigned[fid] = _assigned_names(info.file, info.node) if info is not None else frozenset()
        return got

    def _written(self, site, callee_path: AccessPath, q: AccessPath) -> str:
        """How the caller would write the lock a callee takes: the receiver or argument as
        written, then the callee's fields (`d.lock()` on a promoted method: `d.mu`; an embedded
        sync.Mutex: just `state`)."""
        callee = site.callee
        root = callee_path.root
        base = None
        if root.kind == "recv" and callee.recv is not None:
            base = site.file.node_text(callee.recv)
        elif root.kind == "param" and root.index >= 0:
            args = site.node.child_by_field_name("arguments")
            vals = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            if root.index < len(vals):
                base = site.file.node_text(vals[root.index]).lstrip("&")
        steps = list(callee_path.steps) if base is not None else list(q.steps)
        base = _WS.sub("", base) if base is not None else q.root.name
        if steps and steps[-1] in _EMBEDDED_LOCKS:
            steps.pop()
        return base + "".join(st if st.startswith("[") else "." + st for st in steps)

    # ---- flow --------------------------------------------------------------------------

    def items(self, gf: GoFile, fn: Node) -> list:
        fi = self.ops(gf).get(fn.id)
        own = fi.items if fi is not None else []
        return own + self.call_items(gf, fn)

    def by_top(self, gf: GoFile) -> dict[int, list[FuncItems]]:
        """Lock ops grouped by the top-level function each function lies in."""
        got = self._by_top.get(id(gf))
        if got is None:
            got = self._by_top[id(gf)] = {}
            for fi in self.ops(gf).values():
                top = top_function(fi.fn)
                if top is not None:
                    got.setdefault(top.id, []).append(fi)
        return got

    def analyze(self, gf: GoFile, fn: Node) -> FuncLocks:
        got = self._flows.get(fn.id)
        if got is None:
            got, _ = self._flow(gf, fn)
            self._flows[fn.id] = got
        return got

    def functions(self, gf: GoFile) -> list[Node]:
        """The functions of `gf` with lock ops of their own or calls that take or release
        locks (in source order)."""
        if self._in_file is None:
            self._in_file = {}
            for f in self.relevant():
                info = self.cg.info(f)
                if info is not None:
                    self._in_file.setdefault(info.file.path, []).append(info.node)
        fns = {fi.fn.id: fi.fn for fi in self.ops(gf).values()}
        for n in self._in_file.get(gf.path, ()):
            fns.setdefault(n.id, n)
        return sorted(fns.values(), key=lambda n: n.start_byte)
def _nothing_held(node: Node) -> frozenset:
    return frozenset()


def _in_select_case(n: Node) -> bool:
    """`n` is the communication of a select case (or the receive inside one)."""
    for _ in range(4):
        p = n.parent
        if p is None:
            return False
        if p.type == "communication_case":
            return True
        if p.type not in ("receive_statement", "expression_statement", "expression_list", "send_statement"):
            return False
        n = p
    return False


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


def escaped_keys(lf: LockFacts, gf: GoFile, top: Node) -> frozenset:
    """Keys of the locks that leave `top` (closures included) in a way the analysis does not
    follow: their address passed, returned or stored (`util.Release(&s.mu)`, `l = &mu`),
    a pointer to them or the lock as a `sync.Locker` passed on, a method value of them
    (`up := mu.Lock`), or `rw.RLocker()`. `mu := &c.mu` is an alias the analysis follows, not
    an escape (uses of `mu` are checked in turn). Memoised per function."""
    memo_key = f"lock-escapes:{top.id}"
    got = lf.memo.get(memo_key)
    if got is not None:
        return got
    pkg = lf.pkg
    out: set[str] = set()
    homes: set[str] = set()
    text = gf.src[top.start_byte:top.end_byte]
    if b"Lock" in text or b"Mutex" in text or b"Locker" in text:
        caps = file_captures(gf, "goconc.rules.mutex", "lock_escapes.scm", top)
    else:
        caps = {}
    for fld in caps.get("method", ()):
        n = fld.parent
        operand = n.child_by_field_name("operand")
        if operand is None or n.child_by_field_name("field") != fld:
            continue
        p = n.parent
        called = p is not None and p.type == "call_expression" and p.child_by_field_name("function") == n
        if not called or gf.node_text(fld) == "RLocker":
            rt = pkg.type_of(gf, operand)
            if pkg.lock_kind(rt) is not None:
                key, _ = lf.lock_key(gf, operand, rt)
                if key is not None:
                    out.add(key)
                    homes.add(lock_home(pkg, gf, operand, rt))
    seen: set[int] = set()
    for v in caps.get("value", ()):
        n = v
        while True:  # down through ( ) and & to the location used as a value
            if n.type == "parenthesized_expression" and n.named_children:
                n = n.named_children[0]
            elif n.type == "unary_expression" and n.child_by_field_name("operator") is not None \
                    and n.child_by_field_name("operator").type == "&":
                n = n.child_by_field_name("operand")
            else:
                break
        if n is None or n.type not in ("identifier", "selector_expression", "index_expression") or n.id in seen:
            continue
        seen.add(n.id)
        use = _value_use(n)
        if use is None:
            continue
        outer, addr = use
        rt = pkg.type_of(gf, n)
        kind = pkg.lock_kind(rt)
        if kind is not None and (addr or kind == "Locker" or (rt is not None and rt.kind == "pointer")) \
                and not _alias_definition(pkg, gf, outer, addr):
            key, _ = lf.lock_key(gf, n, rt)
            if key is not None:
                out.add(key)
                homes.add(lock_home(pkg, gf, n, rt))
    got = lf.memo[memo_key] = frozenset(out)
    lf.memo[f"lock-escape-homes:{top.id}"] = frozenset(homes)
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
    """`mu := &c.mu` / `var mu = &c.mu`: the local alias lock_key follows."""
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
    return _package_escaped_homes(facts(analysis))


def _package_escaped_homes(lf: LockFacts) -> frozenset[str]:
    """The homes (see lock_home) of the locks that escape somewhere in the package (see
    escaped_keys), package-level declarations included. A lock stored elsewhere (`c.l = &c.mu`
    in a constructor) may be released through that copy in any function: a fix that trusts
    the function's own view of the lock needs this set not to name it. Memoised per package."""
    got = lf.memo.get("lock-escapes-pkg")
    if got is None:
        homes: set[str] = set()
        for gf in lf.pkg.files:
            for c in gf.root.named_children:
                if c.type in FUNC_NODES or b"&" in gf.src[c.start_byte:c.end_byte] \
                        or b"Lock" in gf.src[c.start_byte:c.end_byte]:
                    escaped_keys(lf, gf, c)
                    homes.update(lf.memo.get(f"lock-escape-homes:{c.id}", ()))
        got = lf.memo["lock-escapes-pkg"] = frozenset(homes)
    return got




def _releases(s: LockSummary) -> bool:
    """The function may release a lock its caller holds (or its effect is not known)."""
    return s.unknown or bool(s.releases)


def _exportable(key) -> bool:
    """A path a caller can name: rooted at the receiver, a parameter or a package variable,
    through fields and constant indexes only."""
    if not isinstance(key, AccessPath) or key.root.kind not in ("recv", "param", "global"):
        return False
    return all(not s.startswith("[") or s[1:-1].isdigit() or s[1:2] in "\"'" for s in key.steps)


def _flow(self: LockFacts, gf: GoFile, fn: Node) -> tuple[FuncLocks, LockSummary]:
    """Events of one function and its summary (see LockFacts)."""
    result = FuncLocks(held_before=_nothing_held)
    items = self.items(gf, fn)
    if not items:
        return result, EMPTY
    unknown = any(i[0] == "release_all" for i in items)
    if not any(i[0] == "op" and not i[1].deferred for i in items):
        # only deferred ops (and unknown calls): no state to follow; deferred releases of a
        # lock the function never takes release its caller's
        rel = frozenset((i[1].key, i[1].mode, i[1].kind) for i in items
                        if i[0] == "op" and i[1].op in RELEASE and _exportable(i[1].key))
        return result, LockSummary(releases=rel, unknown=unknown, opaque=frozenset(
            i[1] for i in items if i[0] == "value" and _exportable(i[1])))
    result.held_before = None
    if all(i[0] == "op" and i[1].via and (i[1].transient or i[1].op in RELEASE) for i in items):
        return result, _unsure(self, gf, fn, _calls_only(gf, fn, items))
    cfg = self.p.cfg(gf, fn)
    if cfg is None:
        return result, UNKNOWN
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
        for other in self.by_top(gf).get(top.id, ()):
            if other.fn == fn:
                continue
            if any(i[0] == "release_all" for i in self.call_items(gf, other.fn)):
                return result, UNKNOWN  # a closure calls a helper that releases locks: nothing is known
            opaque.update(unbalanced_keys(other.items))
            opaque.update(i[1] for i in other.items if i[0] == "value")
    opaque.update(escaped_keys(self, gf, top or fn))
    ops_sorted = sorted(items, key=lambda i: _start(i))
    starts = [_start(i) for i in ops_sorted]
    released_keys = {i[1].key for i in items if i[0] == "op" and i[1].op in RELEASE}
    kinds = {i[1].key: i[1].kind for i in items if i[0] == "op"}

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
    entry_held: set[tuple] = set()  # (key, mode): released before taken on some path

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
                    if record:  # the order locks are taken in: op while each other held lock
                        for k, m in held:
                            if k != op.key and k not in opaque:
                                _add(events, seen_events, Event("order", op, _site(sites, k), m, held=k))
                    acquired = acquired | {(op.key, mode)}
                    if op.transient:
                        continue
                    held = held | {(op.key, mode)}
                    sites = sites | {(op.key, mode, op.call)}
                else:
                    mode = RELEASE[op.op]
                    modes = {m for (k, m) in held if k == op.key}
                    if record and modes and mode not in modes and op.kind == "RWMutex" and not op.via:
                        first = _site(sites, op.key)
                        _add(events, seen_events, Event("mismatch", op, first, modes.pop()))
                    if op.deferred:
                        deferred = deferred | {(op.key, mode)}
                    else:
                        if record and not any(a[0] == op.key for a in acquired):
                            # on some path this function releases it before taking it: the
                            # caller holds it (unlock, call out, relock), or takes it conditionally
                            entry_held.add((op.key, mode))
                        held = frozenset(h for h in held if h[0] != op.key)
                        sites = frozenset(s for s in sites if s[0] != op.key)
            elif tag == "release_all":
                held = frozenset()
                deferred = deferred | {("*", "")}
            elif tag == "kill":
                names = ev[1]
                keep = {h for h in held if not (_roots(h[0], ops_by_key) & names)}
                if len(keep) != len(held):
                    held = frozenset(keep)
        return held, sites, deferred, acquired

    ops_by_key: dict = {}
    for i in items:
        if i[0] == "op":
            ops_by_key[i[1].key] = ops_by_key.get(i[1].key, frozenset()) | i[1].roots

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
        self.p.notes.append(Problem(f"{gf.path}:{fn.start_point[0] + 1}",
                                    "lock states did not converge in this function; lock rules skipped it"))
        return result, UNKNOWN

    # Replay each reached block once with its fixpoint in-state, recording events.
    for b, (in_state, _out) in states.items():
        st = in_state
        for n in b.nodes:
            st = step(st, n, True)

    def held_before(node: Node):
        b = cfg.block_of(node)
        if b is None or b not in states:
            return None
        st = states[b][0]
        for n in b.nodes:
            if n.start_byte <= node.start_byte < n.end_byte:
                break
            st = step(st, n, False)
        return frozenset(h for h in st[0] if h[0] not in opaque)

    result.held_before = held_before

    # Waits reached with locks held on every path, and the locks held where others are let go
    # on (for lock-held-while-waiting).
    for sp in self.sync_points(gf).get(fn.id, ()):
        if sp.deferred or sp.what == "Add":
            continue
        b = cfg.block_of(sp.node)
        if b is None or b not in states:
            continue
        st = states[b][0]
        for n in b.nodes:
            if n.start_byte <= sp.node.start_byte < n.end_byte:
                break
            st = step(st, n, False)
        held = frozenset(h for h in st[0] if h[0] not in opaque)
        if held and sp.what in ("Wait", "recv"):
            result.waits.append((sp, held, st[1]))
        elif held:
            result.held_at[sp.node.id] = held

    exits = [states[p][1] for p in cfg.exit.preds if p in states]
    deferred_keys = {d[0] for st in exits for d in st[2]}

    # Leaks: a return reached with a lock held on every path, not released by a defer,
    # where the function does release that lock later in the source (so this return skips it).
    entry_keys = {k for k, _ in entry_held}
    for pred in cfg.exit.preds:
        if pred not in states:
            continue
        held, sites, deferred, _ = states[pred][1]
        if not held or any(d[0] == "*" for d in deferred):
            continue
        ret = pred.nodes[-1] if pred.nodes and pred.nodes[-1].type == "return_statement" else None
        if ret is None:
            continue
        dkeys = {d[0] for d in deferred}
        for key, mode in sorted(held, key=lambda h: (str(h[0]), h[1])):
            if key in dkeys or key not in released_keys or key in opaque or key in entry_keys:
                continue  # entry_held: unlock-then-relock of a lock the caller holds
            # a release after the return in the source (a deferred one too: the return comes
            # before the defer is registered) shows the function means to release it
            later = [i[1] for i in items if i[0] == "op" and i[1].key == key and i[1].op in RELEASE
                     and RELEASE[i[1].op] == mode and i[1].call.start_byte > ret.end_byte]
            if not later:
                continue
            site = _site(sites, key)
            acquire = next((i[1] for i in items if i[0] == "op" and i[1].call == site
                            and i[1].key == key and i[1].op in ACQUIRE), None)
            if acquire is None:
                continue
            path = _branches(cfg, find_path, acquire.call, pred)
            _add(events, seen_events, Event("leak", acquire, ret, mode, path))
    _jump_leaks(gf, fn, cfg, states, items, opaque, entry_keys, events, seen_events)
    result.events = sorted(events, key=lambda e: (e.op.call.start_byte, e.kind))

    # The summary, in terms the caller can name.
    if "*" in deferred_keys:
        unknown = True
    acquires: frozenset = frozenset()
    locks: frozenset = frozenset()
    if exits:
        held_exit = frozenset.intersection(*[st[0] for st in exits])
        acquired_exit = frozenset.intersection(*[st[3] for st in exits])
        acquires = frozenset((k, m, kinds.get(k, "Mutex")) for k, m in held_exit
                             if k not in deferred_keys and _exportable(k))
        locks = frozenset((k, m, kinds.get(k, "Mutex")) for k, m in acquired_exit if _exportable(k))
    else:
        acquired_exit = frozenset()
    taken = {k for k, _ in acquired_exit}
    releases = {(k, m, kinds.get(k, "Mutex")) for k, m in entry_held if _exportable(k)}
    releases |= {(k, m, kinds.get(k, "Mutex")) for st in exits for k, m in st[2]
                 if k != "*" and k not in taken and _exportable(k)}
    summ = LockSummary(acquires, frozenset(releases), locks, frozenset(k for k in opaque if _exportable(k)), unknown)
    return result, _unsure(self, gf, fn, summ)


LockFacts._flow = _flow

_EXITS = re.compile(rb"\b(return|goto|panic)\b")
# statements that evaluate a call written directly in them (`f()`, `return f()`, `x := f()`)
_ALWAYS_RUN = frozenset({"expression_statement", "return_statement", "short_var_declaration",
                         "assignment_statement"})


_BREAKABLE = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement",
                        "select_statement"})


def _jump_loop(jump: Node) -> Node | None:
    """The `for` statement a `break` leaves or a `continue` starts again (None when a `break`
    leaves a switch or select, or the target is not found)."""
    label = next((c for c in jump.named_children if c.type == "label_name"), None)
    name = label.text if label is not None else None
    n = jump.parent
    while n is not None and n.type not in FUNC_NODES:
        if name is None:
            if n.type == "for_statement" or (jump.type == "break_statement" and n.type in _BREAKABLE):
                return n if n.type == "for_statement" else None
        elif n.type == "labeled_statement":
            lbl = next((c for c in n.named_children if c.type == "label_name"), None)
            if lbl is not None and lbl.text == name:
                inner = next((c for c in n.named_children if c.type != "label_name" and c.type != "comment"), None)
                return inner if inner is not None and inner.type == "for_statement" else None
        n = n.parent
    return None


def _jump_leaks(gf: GoFile, fn: Node, cfg, states, items: list, opaque, entry_keys, events: list, seen: set) -> None:
    """`break` or `continue` with a lock held on every path to it, where the loop's body took
    the lock and releases it later (so the jump skips the release), and where the other ways
    into the next iteration (continue) or out of the loop (break) do not hold it: the state
    the jump carries is not the one the code after it expects. The lock must be the same one
    in every iteration: its path has no index, and none of its variables is declared or
    assigned in the loop (a range variable, `n = n.next`). A `break` counts only when nothing
    after the loop releases the lock, no deferred release covers it, and the function does
    not tell its caller whether it holds it (a bool result: a try-lock helper); the function
    then returns with the lock held on that path alone."""
    try_lock = _returns_bool(gf, fn)
    varying: dict[int, frozenset[str]] = {}
    for b, (_in, out) in states.items():
        if not b.nodes or len(b.succs) != 1 or b.nodes[-1].type not in ("break_statement", "continue_statement"):
            continue
        jump = b.nodes[-1]
        if jump.type == "break_statement" and try_lock:
            continue
        loop = _jump_loop(jump)
        body = loop.child_by_field_name("body") if loop is not None else None
        if body is None:
            continue
        held, sites, deferred, _ = out
        if not held or any(d[0] == "*" for d in deferred):
            continue
        target = b.succs[0]
        if jump.type == "continue_statement":
            update = None
            for c in loop.named_children:
                if c.type == "for_clause":
                    update = c.child_by_field_name("update")
            if update is not None and target.nodes and target.nodes[0].id == update.id and target.succs:
                target = target.succs[0]  # the loop's head, past its update statement
        if target not in states:
            continue
        expected = states[target][0][0]
        dkeys = {d[0] for d in deferred}
        for key, mode in sorted(held, key=lambda h: (str(h[0]), h[1])):
            if (key, mode) in expected or key in opaque or key in entry_keys or key in dkeys:
                continue
            site = _site(sites, key)
            if site is None or not (body.start_byte <= site.start_byte < body.end_byte):
                continue
            acquire = next((i[1] for i in items if i[0] == "op" and i[1].call == site
                            and i[1].key == key and i[1].op in ACQUIRE), None)
            if acquire is None or "[" in str(key):
                continue
            if loop.id not in varying:
                varying[loop.id] = _loop_bound_names(gf, loop)
            if acquire.roots & varying[loop.id]:
                continue  # another lock each iteration (`for _, sh := range shards`)
            later = [i[1] for i in items if i[0] == "op" and i[1].key == key and i[1].op in RELEASE
                     and RELEASE[i[1].op] == mode and not i[1].deferred
                     and jump.end_byte <= i[1].call.start_byte < body.end_byte]
            if not later:
                continue
            if jump.type == "break_statement" and any(
                    (i[0] == "release_all" or (i[0] == "op" and i[1].key == key and i[1].op in RELEASE))
                    and _start(i) >= loop.end_byte for i in items):
                continue  # released after the loop: the break may mean to keep it until then
            # the release the jump skips: the body's own (a statement of the body's top level),
            # else the last one
            top = [r for r in later if _top_level(r.call, body)]
            _add(events, seen, Event("jump", acquire, jump, mode, skipped=(top or later)[-1]))


def _returns_bool(gf: GoFile, fn: Node) -> bool:
    res = fn.child_by_field_name("result")
    return res is not None and re.search(rb"\bbool\b", gf.src[res.start_byte:res.end_byte]) is not None


def _loop_bound_names(gf: GoFile, loop: Node) -> frozenset[str]:
    """Variables declared or assigned anywhere in the loop (its clause and body)."""
    out: set[str] = set()
    stack = [loop]
    while stack:
        n = stack.pop()
        stack.extend(n.named_children)
        if n.type in ("short_var_declaration", "assignment_statement", "range_clause", "var_declaration",
                      "inc_statement", "dec_statement"):
            out |= assigned_names(gf, n)
    return frozenset(out)


def _top_level(call: Node, body: Node) -> bool:
    stmt = call.parent
    p = stmt.parent if stmt is not None else None
    return p is not None and (p == body or (p.type == "statement_list" and p.parent == body))


def _calls_only(gf: GoFile, fn: Node, items: list) -> LockSummary:
    """The summary of a function whose only lock ops are calls that lock and release again
    or release (it holds no lock, so it has no events), without a CFG: it locks what such a
    call locks when the call is written directly in a statement of the body itself (`f()`,
    `return f()`, `x := f()`) with no return, goto or panic before it, so it runs on every
    path to a return; it may release what its calls release."""
    body = fn.child_by_field_name("body")
    locks = set()
    releases = set()
    for _, op in items:
        lock = (op.key, op.mode, op.kind)
        if op.op in RELEASE:
            if _exportable(op.key):
                releases.add(lock)
            continue
        if op.deferred or not _exportable(op.key) or body is None:
            continue
        stmt = op.call.parent
        while stmt is not None and stmt.type == "expression_list":
            stmt = stmt.parent
        block = stmt.parent if stmt is not None else None
        if block is not None and block.type == "statement_list":
            block = block.parent
        if stmt is not None and block == body and stmt.type in _ALWAYS_RUN \
                and not _EXITS.search(gf.src, body.start_byte, stmt.start_byte):
            locks.add(lock)
    return LockSummary(releases=frozenset(releases), locks=frozenset(locks))


def _unsure(lf: LockFacts, gf: GoFile, fn: Node, summ: LockSummary) -> LockSummary:
    """Locks whose identity the caller cannot trust become "lets it escape": those rooted at a
    receiver or parameter the function reassigns (`for n.parent != nil { n = n.parent }` then
    `n.mu.Lock()` locks another node), and a lock it returns with held while the value that
    holds it leaves the function (`db.mu.Lock(); return &Txn{db: db}`: released later as
    `t.db.mu`, a name the caller does not connect to `db.mu`)."""
    if summ.empty or summ.unknown:
        return summ
    fid = lf.cg.func_id(fn)
    assigned = lf.assigned_in(fid) if fid is not None else frozenset()
    escaping = _escaping_roots(gf, fn) if summ.acquires else frozenset()

    def bad(lock, held=False) -> bool:
        root = lock[0].root
        return root.kind in ("recv", "param") and (root.name in assigned or held and root.name in escaping)

    drop = {lk[0] for lk in summ.releases | summ.locks if bad(lk)} | {lk[0] for lk in summ.acquires if bad(lk, True)}
    if not drop:
        return summ
    keep = lambda locks: frozenset(lk for lk in locks if lk[0] not in drop)  # noqa: E731
    return LockSummary(keep(summ.acquires), keep(summ.releases), keep(summ.locks),
                       summ.opaque | frozenset(drop), summ.unknown)


def _assigned_names(gf: GoFile, fn: Node) -> frozenset[str]:
    from goconc.queries import captures

    out = set()
    for a in captures(gf, "assignments", fn).get("assign", ()):
        left = a.child_by_field_name("left")
        for t in (left.named_children if left is not None else ()):
            if t.type == "identifier":
                out.add(gf.node_text(t))
    return frozenset(out)


def _escaping_roots(gf: GoFile, fn: Node) -> frozenset[str]:
    """Variables of `fn` used as a value that can leave it (returned, stored, passed)."""
    out = set()
    stack = [fn.child_by_field_name("body")]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if n.type == "identifier":
            if _value_use(n) is not None:
                out.add(gf.node_text(n))
            continue
        stack.extend(n.named_children)
    return frozenset(out)


def _path_roots(q: AccessPath) -> frozenset[str]:
    """The variables a substituted lock path depends on: its root and those of its indexes."""
    names = {q.root.name}
    for st in q.steps:
        if st.startswith("["):
            names.update(_IDENT.findall(st))
    return frozenset(names)


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EMBEDDED_LOCKS = frozenset({"Mutex", "RWMutex"})


def _locks(p) -> LockFacts:
    lf = LockFacts(p)
    lf.solve_all()  # package-wide work, done here: it counts against the package's time, not a file's
    return lf


LOCKS = Analyzer("locks", "lock state per function and lock summaries across calls", run=_locks,
                 requires=(CALLGRAPH, PATHS))

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
    k = (ev.kind, ev.op.call.start_byte, ev.other.start_byte if ev.other is not None else -1, str(ev.held))
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
