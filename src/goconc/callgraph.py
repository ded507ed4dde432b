"""Function identity and the call graph of one package (Engine v2, step 1).

Every function, method and function literal of a package gets a `FuncId`; every call, `go` and
`defer` in it is resolved to a `Callee`:

- `func`: a function or method of this package, or a literal (called directly, or through a
  local variable whose every definition is that literal / that function / that method value);
- `external`: a function or method of another package (import path, receiver type name where
  the receiver's type is known), e.g. `sync.Mutex.Lock` for `s.mu.Lock()`;
- `builtin` (len, close, panic, ...) and `conversion` (`T(x)`);
- `dynamic`: a call through an interface method or a func value the source does not pin down;
- `unknown`: the receiver's type is not evident from the source.

Rules never compare names: they compare FuncIds. Literals are named as go/ssa names them: the
enclosing function's name, `$`, and the literal's 1-based position among the literals directly
inside it (`Serve$1`, `Serve$1$2`); literals in package-level initialisers belong to `init`.

The graph has call, go and defer edges (a literal run by `errgroup.Group.Go`, `sync.WaitGroup.Go`
is a go edge too); `sccs()` gives its strongly connected components callees first, the order in
which bottom-up summaries are computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from goconc.gomodel import FUNC_NODES, Decl, FuncDecl, Package, T, is_errgroup
from goconc.source import GoFile, Node

_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")

BUILTINS = frozenset({
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new",
    "panic", "print", "println", "real", "recover",
})


@dataclass(frozen=True)
class FuncId:
    """A function's identity: import path ("" for the package being analysed), receiver type
    name for methods (without `*` or type arguments), name (`f$1` for literals)."""

    pkg: str
    recv: str | None
    name: str

    def __lt__(self, other: FuncId) -> bool:
        return (self.pkg, self.recv or "", self.name) < (other.pkg, other.recv or "", other.name)

    def __str__(self) -> str:
        prefix = f"{self.pkg}." if self.pkg else ""
        return f"{prefix}{self.recv}.{self.name}" if self.recv else f"{prefix}{self.name}"

    @property
    def is_literal(self) -> bool:
        return "$" in self.name


@dataclass(frozen=True)
class Callee:
    kind: str  # func | external | builtin | conversion | dynamic | unknown
    id: FuncId | None = None
    name: str = ""  # the builtin's name, or what was called for dynamic/unknown calls
    recv: Node | None = None  # the receiver expression (x in x.M(), or in `f := x.M`), when a method
    via: tuple[str, ...] = ()  # embedded fields a promoted method is reached through (s.Lock() -> ("Mutex",))

    def __str__(self) -> str:
        if self.id is not None:
            return str(self.id)
        return f"{self.kind}:{self.name}" if self.name else self.kind


@dataclass(eq=False)
class FuncInfo:
    id: FuncId
    node: Node  # function_declaration, method_declaration or func_literal
    file: GoFile
    decl: FuncDecl | None = None  # for declared functions and methods
    parent: FuncId | None = None  # for literals: the function they appear in
    top: Node | None = None  # the top-level declaration it is part of


@dataclass(eq=False)
class CallSite:
    node: Node  # the call_expression
    kind: str  # call | go | defer
    caller: FuncId
    callee: Callee
    file: GoFile
    name: str = ""  # the called name as written (`f`, the M of x.M, "" for a literal): resolution prefilter


@dataclass(eq=False)
class CallGraph:
    """Functions are numbered when the graph is built; calls are resolved when first asked
    about (a rule that looks at one function pays for that function's calls only)."""

    pkg: Package
    path: str = ""
    _funcs: dict[FuncId, FuncInfo] = field(default_factory=dict)
    _by_node: dict[int, FuncId] = field(default_factory=dict)
    _raw: dict[FuncId, list[CallSite]] = field(default_factory=dict)  # per caller, unresolved
    _resolved: set[FuncId] = field(default_factory=set)
    _site_of: dict[int, CallSite] = field(default_factory=dict)
    _by_name: dict[str, list[CallSite]] = field(default_factory=dict)
    _literals: dict[FuncId, int] = field(default_factory=dict)  # literals numbered so far, per parent
    _resolver: _Resolver | None = None
    _callees: dict[int, Callee] = field(default_factory=dict)  # callee() answers for unlisted calls
    _tops: dict[str, list[tuple[Node, FuncId]]] = field(default_factory=dict)  # per file, in order
    _lits_in: dict[int, list[tuple[int, int, FuncId]]] = field(default_factory=dict)  # per top decl
    _listed: set[int] = field(default_factory=set)  # top decls whose calls are listed
    _numbered: set[int] = field(default_factory=set)  # top decls whose literals are numbered
    _top_of: dict[int, tuple[GoFile, FuncId]] = field(default_factory=dict)  # top decl id -> file, owner
    _all_listed: bool = False
    _all_numbered: bool = False
    _in_top: dict[int, list[CallSite]] = field(default_factory=dict)  # call sites per top decl
    _words: dict[int, frozenset[str]] = field(default_factory=dict)  # identifiers per top decl

    # ---- queries ---------------------------------------------------------------------------

    @property
    def funcs(self) -> dict[FuncId, FuncInfo]:
        """Every function of the package, literals included (numbers them all)."""
        if not self._all_numbered:
            for top_id in list(self._top_of):
                self._number(top_id)
            self._all_numbered = True
        return self._funcs

    def info(self, f: FuncId) -> FuncInfo | None:
        return self._funcs.get(f)

    def func_id(self, node: Node) -> FuncId | None:
        """The FuncId of a function_declaration, method_declaration or func_literal node."""
        got = self._by_node.get(node.id)
        if got is None and node.type == "func_literal":
            top = _top_decl(node)
            if top is not None:
                self._number(top.id)
                got = self._by_node.get(node.id)
        return got

    def enclosing(self, node: Node) -> FuncId | None:
        """The innermost function (declaration or literal) around `node`."""
        p = node.parent
        while p is not None:
            if p.type in FUNC_NODES:
                return self.func_id(p)
            p = p.parent
        return None

    def _number(self, top_id: int) -> None:
        """Number the literals of one top-level declaration (all the package-level
        initialisers at once: their literals share init's numbering, in file order)."""
        if top_id in self._numbered or top_id not in self._top_of:
            return
        gf, owner = self._top_of[top_id]
        if owner == INIT:
            group = [(t, o) for path, tops in self._tops.items() for t, o in tops if o == INIT]
        else:
            group = [(t, o) for t, o in self._tops[gf.path] if t.id == top_id]
        from goconc.queries import captures

        for top, o in group:
            self._numbered.add(top.id)
            lits = captures(self._top_of[top.id][0], "literals", top).get("lit", [])
            if lits:
                _number_literals(self, self._top_of[top.id][0], [(top, o)], lits)

    def site(self, call: Node) -> CallSite | None:
        """The resolved call at a call_expression node."""
        s = self._site_of.get(call.id)
        if s is None and not self._all_listed:
            f = self.enclosing(call)
            if f is not None:
                self._list(f)
                s = self._site_of.get(call.id)
            else:
                self._list_all()  # a call in a package-level initialiser
                s = self._site_of.get(call.id)
        if s is not None:
            self._resolve_site(s)
        return s

    def callee(self, gf: GoFile, call: Node) -> Callee:
        """What one call (a call_expression, or f[T](x)) calls, without listing the calls of
        the function around it: the cheap question a rule asks about the call in front of it."""
        s = self._site_of.get(call.id)
        if s is not None:
            self._resolve_site(s)
            return s.callee
        got = self._callees.get(call.id)
        if got is None:
            got = self._callees[call.id] = self._resolver.resolve(gf, call)
        return got

    def calls_from(self, f: FuncId) -> list[CallSite]:
        """Every call, go and defer in f's own body (not in the literals inside it)."""
        self._list(f)
        self._resolve(f)
        return self._raw.get(f, [])

    def calls_named(self, f: FuncId, names) -> list[CallSite]:
        """The calls of f's own body that may call a function of this package named in
        `names`: calls of such a name, through a local name, or of a literal. Only these are
        resolved (a prefilter for analyses that follow a few functions)."""
        self._list(f)
        if f in self._resolved:
            return [s for s in self._raw.get(f, ()) if s.name in names or not s.name or self._local(s)]
        out = []
        for s in list(self._raw.get(f, ())):
            if s.name in names or not s.name or self._local(s):
                self._resolve_site(s)
                out.append(s)
        return out

    def literals_in(self, top: Node) -> list[tuple[int, int, FuncId]]:
        """The literals of one top-level declaration: (start byte, end byte, FuncId), in
        source order."""
        self._number(top.id)
        return self._lits_in.get(top.id, [])

    def _local(self, s: CallSite) -> bool:
        """A call through a name that is no package-level function, type or builtin (a local
        variable: `f()`, f := s.get): it may call any function."""
        name = s.name
        pkg = self.pkg
        return bool(name) and name not in pkg.funcs and name not in pkg.types and name not in BUILTINS \
            and name not in _PREDECLARED_TYPES and s.node.type == "call_expression" \
            and s.node.child_by_field_name("function").type == "identifier"

    def callers_of(self, f: FuncId) -> list[CallSite]:
        """Every call site in the package whose callee is f. Only the sites that can name f
        are resolved: calls of a name equal to f's (a literal: of no name), and calls of names
        that are no package-level function, type or builtin (local variables)."""
        return self.callers_of_any({f})

    def callers_of_any(self, targets) -> list[CallSite]:
        """Every call site whose callee is one of `targets` (see callers_of), in one pass.
        Only the top-level declarations whose text names a target are listed: a call (or a
        local bound to a function) that resolves to one names it there."""
        names = {"" if f.is_literal else f.name for f in targets}
        if "" in names or not names:
            self._list_all()
            tops = None
        else:
            files = {gf.path: gf for gf in self.pkg.files}
            tops = set()
            for path, pairs in self._tops.items():
                src = files[path].src
                for top, owner in pairs:
                    words = self._words.get(top.id)
                    if words is None:
                        words = self._words[top.id] = frozenset(
                            w.decode() for w in _WORD.findall(src, top.start_byte, top.end_byte))
                    if words.isdisjoint(names):
                        continue
                    tops.add(top.id)
                    if top.id not in self._listed:
                        self._number(top.id)
                        self._listed.add(top.id)
                        _list_calls(self, files[path], top, owner)
        local = self._local
        if tops is None:
            everything = [s for sites in self._by_name.values() for s in sites]
        else:
            everything = [s for t in tops for s in self._in_top.get(t, ())]
        cands = [s for s in everything if s.name in names or local(s)]
        out = []
        seen = set()
        for s in cands:
            if id(s) in seen:
                continue
            seen.add(id(s))
            self._resolve_site(s)
            if s.callee.kind == "func" and s.callee.id in targets:
                out.append(s)
        return sorted(out, key=lambda s: (s.file.path, s.node.start_byte))

    @property
    def sites(self) -> list[CallSite]:
        """Every call site of the package, resolved (resolves them all)."""
        self._list_all()
        for f in list(self._raw):
            self._resolve(f)
        return [s for f in sorted(self._raw) for s in self._raw[f]]

    def _resolve_site(self, s: CallSite) -> None:
        if s.callee.kind != "pending":
            return
        r = self._resolver
        s.callee = r.resolve(s.file, s.node)
        lit = r.goroutine_literal(s.file, s)
        if lit is not None:  # g.Go(func() {...}), wg.Go(func() {...}): the literal runs as a goroutine
            self._raw[s.caller].append(CallSite(s.node, "go", s.caller, Callee("func", lit), s.file, "$lit"))

    def _list(self, f: FuncId) -> None:
        info = self._funcs.get(f)
        if info is None:  # init: the package-level initialisers
            self._list_all()
            return
        top = info.top
        if top is not None and top.id not in self._listed:
            self._number(top.id)
            self._listed.add(top.id)
            owner = self._by_node.get(top.id, INIT)
            _list_calls(self, info.file, top, owner)

    def _list_all(self) -> None:
        if self._all_listed:
            return
        self._all_listed = True
        files = {gf.path: gf for gf in self.pkg.files}
        for path, tops in self._tops.items():
            for top, owner in tops:
                if top.id not in self._listed:
                    self._number(top.id)
                    self._listed.add(top.id)
                    _list_calls(self, files[path], top, owner)

    def _resolve(self, f: FuncId) -> None:
        if f in self._resolved:
            return
        self._resolved.add(f)
        for s in list(self._raw.get(f, [])):
            self._resolve_site(s)

    def sccs(self, roots=None, within=None, nested: bool = False) -> list[list[FuncId]]:
        """Strongly connected components over edges to this package's functions, callees
        before callers (Tarjan's order, the order of bottom-up summaries); each component
        sorted. With `roots`, only the part of the graph they reach (and only its calls are
        resolved); with `within` (a set of FuncIds), only edges between its members (and only
        the calls that may name one are resolved). With `nested`, a function's edges include
        those of the literals inside it (what its closures call is part of what it does)."""
        index: dict[FuncId, int] = {}
        low: dict[FuncId, int] = {}
        on_stack: set[FuncId] = set()
        stack: list[FuncId] = []
        out: list[list[FuncId]] = []
        counter = 0
        succ: dict[FuncId, list[FuncId]] = {}
        funcs = self.funcs  # numbers every literal once

        names = None if within is None else {f.name for f in within if not f.is_literal}

        def own(f: FuncId) -> list[CallSite]:
            return self.calls_from(f) if names is None else self.calls_named(f, names)

        def successors(f: FuncId) -> list[FuncId]:
            got = succ.get(f)
            if got is None:
                fs = [f]
                info = self._funcs.get(f)
                if nested and info is not None and info.top is not None:
                    start, end = info.node.start_byte, info.node.end_byte
                    fs.extend(lit for a, _, lit in self.literals_in(info.top) if start < a < end)
                got = succ[f] = sorted({s.callee.id for g in fs for s in own(g)
                                        if s.callee.kind == "func" and s.callee.id in funcs
                                        and (within is None or s.callee.id in within)})
            return got

        for root in sorted(funcs) if roots is None else sorted(roots):
            if root in index:
                continue
            work = [(root, iter(successors(root)))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                v, it = work[-1]
                advanced = False
                for w in it:
                    if w not in index:
                        index[w] = low[w] = counter
                        counter += 1
                        stack.append(w)
                        on_stack.add(w)
                        work.append((w, iter(successors(w))))
                        advanced = True
                        break
                    if w in on_stack:
                        low[v] = min(low[v], index[w])
                if advanced:
                    continue
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(sorted(comp))
        return out

    def recursive(self, f: FuncId) -> bool:
        """f is in a cycle (calls itself, directly or through others)."""
        for comp in self.sccs([f]):
            if f in comp:
                return len(comp) > 1 or any(s.callee.id == f for s in self.calls_from(f))
        return False


# --------------------------------------------------------------------------------------------
# Building


def build(pkg: Package, path: str = "") -> CallGraph:
    """The call graph of `pkg`; `path` is its import path ("" when unknown).

    Built eagerly: the FuncIds of declared functions and methods. When first needed, per
    top-level declaration: its literals' FuncIds and its call sites. When first asked about,
    per function: its callees. A rule that looks at one function pays for that function."""
    g = CallGraph(pkg, path)
    g._resolver = _Resolver(pkg, g)
    decls = {fd.node.id: fd for fd in pkg.funcs.values()}
    for ms in pkg.methods.values():
        decls.update((fd.node.id, fd) for fd in ms.values())
    inits = 0
    for gf in pkg.files:
        tops: list[tuple[Node, FuncId]] = []
        for decl in gf.root.named_children:
            t = decl.type
            if t in ("function_declaration", "method_declaration"):
                fd = decls.get(decl.id)
                name = decl.child_by_field_name("name")
                if name is None:
                    continue
                text = gf.node_text(name)
                if t == "method_declaration":
                    if fd is None or fd.recv_base is None:
                        continue  # a method of a type we cannot name, or declared twice
                    fid = FuncId("", fd.recv_base, fd.name)
                elif text == "init":  # several per package: init#1, init#2 (as go/ssa names them)
                    inits += 1
                    fid = FuncId("", None, f"init#{inits}")
                    fd = fd or FuncDecl("init", decl, gf)
                elif fd is None:
                    continue  # declared in two files (x_linux.go, x_plan9.go): the model keeps the first
                else:
                    fid = FuncId("", None, fd.name)
                if text == "_" or fid in g._funcs:
                    continue
                _add(g, FuncInfo(fid, decl, gf, fd, top=decl))
                tops.append((decl, fid))
            elif t in ("var_declaration", "const_declaration"):
                tops.append((decl, INIT))
        g._tops.setdefault(gf.path, []).extend(tops)
        for top, owner in tops:
            g._top_of[top.id] = (gf, owner)
    return g


INIT = FuncId("", None, "init")  # the package initialiser: what package-level var literals belong to


def _number_literals(g: CallGraph, gf: GoFile, tops: list[tuple[Node, FuncId]], lits: list[Node]) -> None:
    """Give each literal its FuncId: a sweep in source order over the top-level declarations
    and the literals, keeping the literals that are open around the current one."""
    counters = g._literals
    i = 0
    open_: list[tuple[int, FuncId]] = []
    for lit in lits:  # in source order
        start = lit.start_byte
        while i < len(tops) and tops[i][0].end_byte <= start:
            i += 1
        if i >= len(tops) or tops[i][0].start_byte > start:
            continue  # outside any declaration (cannot happen in valid Go)
        top, owner = tops[i]
        while open_ and (open_[-1][0] <= start or open_[-1][2] is not top):
            open_.pop()
        parent = open_[-1][1] if open_ else owner
        n = counters.get(parent, 0) + 1
        counters[parent] = n
        fid = FuncId("", parent.recv, f"{parent.name}${n}")
        _add(g, FuncInfo(fid, lit, gf, None, parent, top=top))
        g._lits_in.setdefault(top.id, []).append((lit.start_byte, lit.end_byte, fid))
        open_.append((lit.end_byte, fid, top))


def _top_decl(node: Node) -> Node | None:
    """The top-level declaration (child of the source file) containing `node`."""
    p = node
    while p.parent is not None and p.parent.type != "source_file":
        p = p.parent
    return p if p.parent is not None else None


def _add(g: CallGraph, info: FuncInfo) -> None:
    g._funcs[info.id] = info
    g._by_node[info.node.id] = info.id


def _list_calls(g: CallGraph, gf: GoFile, top: Node, owner: FuncId) -> None:
    """The call sites of one top-level declaration, each given to the innermost function
    around it (unresolved)."""
    from goconc.queries import captures

    spans = g._lits_in.get(top.id, [])
    open_: list[tuple[int, FuncId]] = []
    j = 0
    pkg = g.pkg
    for node in captures(gf, "calls", top).get("call", []):  # in source order
        start = node.start_byte
        # literals that start before the call (strictly: `func(){}()` is a call around its literal)
        while j < len(spans) and spans[j][0] < start:
            while open_ and open_[-1][0] <= spans[j][0]:
                open_.pop()
            open_.append((spans[j][1], spans[j][2]))
            j += 1
        while open_ and open_[-1][0] <= start:
            open_.pop()
        fn = open_[-1][1] if open_ else owner
        if node.type == "call_expression" or _generic_call(gf, node, pkg):
            s = CallSite(node, _call_kind(node), fn, Callee("pending"), gf, _called_name(gf, node))
            g._raw.setdefault(fn, []).append(s)
            g._site_of[node.id] = s
            g._by_name.setdefault(s.name, []).append(s)
            g._in_top.setdefault(top.id, []).append(s)


def _called_name(gf: GoFile, node: Node) -> str:
    """`f` for f(x) and f[T](x), `M` for x.M(y), "" for anything else (a literal called)."""
    fn = node.child_by_field_name("function") if node.type == "call_expression" else node.child_by_field_name("type")
    while fn is not None and fn.type in ("parenthesized_expression", "generic_type", "index_expression"):
        fn = (fn.child_by_field_name("type") or fn.child_by_field_name("operand")
              or (fn.named_children[0] if fn.named_children else None))
    if fn is None:
        return ""
    if fn.type in ("identifier", "type_identifier"):
        return gf.node_text(fn)
    if fn.type == "selector_expression":
        f = fn.child_by_field_name("field")
        return gf.node_text(f) if f is not None else ""
    return ""


def _generic_call(gf: GoFile, node: Node, pkg: Package) -> bool:
    """`f[int](x)`, which tree-sitter reads as a conversion to the type `f[int]`: a call when f
    is a generic function of the package."""
    ty = node.child_by_field_name("type")
    if ty is None or ty.type != "generic_type":
        return False
    name = ty.child_by_field_name("type")
    return name is not None and gf.node_text(name) in pkg.funcs and gf.node_text(name) not in pkg.types


def _call_kind(call: Node) -> str:
    p = call.parent
    if p is not None and p.type == "go_statement":
        return "go"
    if p is not None and p.type == "defer_statement":
        return "defer"
    return "call"


# --------------------------------------------------------------------------------------------
# Resolution


class _Resolver:
    def __init__(self, pkg: Package, g: CallGraph) -> None:
        self.pkg = pkg
        self.g = g
        self._defs: dict[int, dict[int, list[Node | None]]] = {}  # top func -> decl ident id -> definitions
        self._escapes: dict[int, set[int]] = {}
        self._methods: dict = {}  # (receiver type, method name) -> what _find_method found

    def resolve(self, gf: GoFile, call: Node) -> Callee:
        if call.type == "type_conversion_expression":
            return self.callee_of(gf, call, 0)
        fn = call.child_by_field_name("function")
        return self.callee_of(gf, fn, 0) if fn is not None else Callee("unknown")

    def callee_of(self, gf: GoFile, fn: Node, depth: int) -> Callee:
        pkg = self.pkg
        if depth > 8:
            return Callee("unknown")
        while fn.type == "parenthesized_expression" and fn.named_children:
            inner = fn.named_children[0]
            if _is_type(inner):
                return Callee("conversion", name=gf.node_text(inner))
            fn = inner
        if fn.type == "generic_type" or (fn.type == "index_expression" and fn.child_by_field_name("operand")):
            operand = fn.child_by_field_name("type") or fn.child_by_field_name("operand")
            if operand is not None:
                return self.callee_of(gf, operand, depth + 1)  # f[int](x)
        t = fn.type
        if t == "type_conversion_expression":  # generic[int](x) parses as a conversion
            return self.callee_of(gf, fn.child_by_field_name("type"), depth + 1)
        if t == "func_literal":
            lit = self.g.func_id(fn)
            return Callee("func", lit) if lit is not None else Callee("unknown")
        if t == "identifier":
            name = gf.node_text(fn)
            d = pkg.lookup(gf, fn)
            if d is not None:
                return self._local(gf, d, depth)
            if name in pkg.funcs:
                return Callee("func", FuncId("", None, name))
            if name in pkg.types:
                return Callee("conversion", name=name)
            if name in BUILTINS:
                return Callee("builtin", name=name)
            if name in pkg.var_nodes:
                return Callee("dynamic", name=name)  # a package-level func variable
            return Callee("conversion", name=name) if name in _PREDECLARED_TYPES else Callee("unknown", name=name)
        if t == "selector_expression":
            operand = fn.child_by_field_name("operand")
            fld = fn.child_by_field_name("field")
            if operand is None or fld is None:
                return Callee("unknown")
            mname = gf.node_text(fld)
            if operand.type == "identifier":
                path = pkg.import_path(gf, operand)
                if path is not None:
                    return Callee("external", FuncId(path, None, mname))
            return self.method(gf, operand, mname)
        if t == "type_identifier" and gf.node_text(fn) in pkg.funcs and gf.node_text(fn) not in pkg.types:
            return Callee("func", FuncId("", None, gf.node_text(fn)))  # the f of f[int](x)
        if t in ("array_type", "slice_type", "map_type", "chan_type", "pointer_type", "function_type",
                 "interface_type", "struct_type", "qualified_type", "type_identifier"):
            return Callee("conversion", name=gf.node_text(fn))
        return Callee("dynamic", name=gf.node_text(fn)[:40])

    def method(self, gf: GoFile, operand: Node, mname: str) -> Callee:
        """The method `mname` called on `operand`, promoted ones included."""
        pkg = self.pkg
        ot = pkg.type_of(gf, operand)
        if ot is None:
            return Callee("unknown", name=mname, recv=operand)
        if ot.deref().kind == "named":  # a named type's method set is fixed: look it up once
            key = (ot, mname)
            found = self._methods.get(key, _MISSING)
            if found is _MISSING:
                found = self._methods[key] = self._find_method(ot, mname, (), 0)
        else:
            found = self._find_method(ot, mname, (), 0)
        if found is None:
            return Callee("unknown", name=mname, recv=operand)
        kind, fid, via = found
        return Callee(kind, fid, name=mname if kind == "dynamic" else "", recv=operand, via=via)

    def _find_method(self, t: T, mname: str, via: tuple[str, ...], depth: int):
        pkg = self.pkg
        if depth > 4:
            return None
        base = t.deref()
        if base.kind == "named" and base.pkg:
            if not mname[:1].isupper():
                return None  # another package's unexported methods cannot be called from here
            return ("external", FuncId(base.pkg, base.name, mname), via)
        if base.kind != "named":
            u = pkg.underlying(base)
            if u is not None and u.kind == "interface":
                return ("dynamic", None, via)
            if u is not None and u.kind == "struct":
                return self._promoted(u, mname, via, depth)
            return None
        md = pkg.method(base, mname)
        if md is not None:
            return ("func", FuncId("", md.recv_base, md.name), via)
        u = pkg.underlying(base)
        if u is None:
            return None
        if u.kind == "interface":
            return ("dynamic", None, via)
        if u.kind == "named" and u.pkg:  # type T sync.Mutex: no methods of sync.Mutex on T
            return None
        return self._promoted(base, mname, via, depth)

    def _promoted(self, t: T, mname: str, via: tuple[str, ...], depth: int):
        fields = self.pkg.fields(t)
        if not fields:
            return None
        hits = []
        for f in fields:
            if not f.embedded:
                continue
            got = self._find_method(f.type, mname, via + (f.name,), depth + 1)
            if got is not None:
                hits.append(got)
        if len(hits) == 1:
            return hits[0]
        if hits and len({(k, i) for k, i, _ in hits}) == 1:
            return hits[0]
        return None  # ambiguous at one depth (a compile error) or not found

    # ---- local func values -------------------------------------------------------------

    def _local(self, gf: GoFile, d: Decl, depth: int) -> Callee:
        """A call through a local variable: pinned down when every definition of it is the same
        function (a literal, a function name, or a method value) and its address is not taken."""
        name = d.name
        if d.how in ("param", "variadic", "range", "recv", "typeswitch"):
            return Callee("dynamic", name=name)
        defs = self._definitions(gf, d)
        if defs is None or not defs:
            return Callee("dynamic", name=name)
        got: list[Callee] = []
        for v in defs:
            if v is None:
                return Callee("dynamic", name=name)
            if v.type == "selector_expression":  # a method value: x.M (not a call)
                operand = v.child_by_field_name("operand")
                fld = v.child_by_field_name("field")
                if operand is None or fld is None:
                    return Callee("dynamic", name=name)
                if operand.type == "identifier" and self.pkg.import_path(gf, operand) is not None:
                    c = Callee("external", FuncId(self.pkg.import_path(gf, operand), None, gf.node_text(fld)))
                else:
                    c = self.method(gf, operand, gf.node_text(fld))
            elif v.type in ("func_literal", "identifier", "parenthesized_expression"):
                c = self.callee_of(gf, v, depth + 1)
            else:
                return Callee("dynamic", name=name)
            if c.kind not in ("func", "external"):
                return Callee("dynamic", name=name)
            got.append(c)
        first = got[0]
        if all(c.id == first.id and _same_text(gf, c.recv, first.recv) for c in got):
            return first
        return Callee("dynamic", name=name)

    def _definitions(self, gf: GoFile, d: Decl) -> list[Node | None] | None:
        """Every value assigned to `d`: its initialiser and each later `d = v`; None when its
        address is taken or it is assigned in a way we do not follow (tuple assignment from a
        call, op-assignment)."""
        top = self.pkg.top_func(gf, d.node)
        if top is None:
            return None
        table = self._defs.get(top.id)
        if table is None:
            table = self._defs[top.id] = {}
            self._escapes[top.id] = set()
            self._scan(gf, top, table, self._escapes[top.id])
        if d.node.id in self._escapes[top.id]:
            return None
        out: list[Node | None] = []
        if d.value is not None:
            out.append(d.value if d.nvalues == 1 else None)  # `f, err := g()`: a result we do not follow
        elif d.how != "var":
            return None  # `var f func()` is nil until assigned; anything else we do not follow
        out.extend(table.get(d.node.id, []))
        return out

    def _scan(self, gf: GoFile, top: Node, table: dict[int, list[Node | None]], escapes: set[int]) -> None:
        from goconc.queries import captures

        caps = captures(gf, "assignments", top)
        for n in caps.get("assign", ()):
            left = n.child_by_field_name("left")
            right = n.child_by_field_name("right")
            op = next((c for c in n.children if not c.is_named), None)
            lhs = [c for c in left.named_children if c.type != "comment"] if left is not None else []
            rhs = [c for c in right.named_children if c.type != "comment"] if right is not None else []
            plain = op is not None and gf.node_text(op) == "="
            for i, target in enumerate(lhs):
                if target.type != "identifier":
                    continue
                decl = self.pkg.lookup(gf, target)
                if decl is None:
                    continue
                value = rhs[i] if plain and len(rhs) == len(lhs) else None
                table.setdefault(decl.node.id, []).append(value)
        for arg in caps.get("addr", ()):
            decl = self.pkg.lookup(gf, arg)
            if decl is not None:
                escapes.add(decl.node.id)

    # ---- goroutines run through a library --------------------------------------------------

    def goroutine_literal(self, gf: GoFile, s: CallSite) -> FuncId | None:
        """The literal `g.Go(func() error {...})` (errgroup) or `wg.Go(func() {...})` runs."""
        c = s.callee
        if c.kind != "external" or c.id is None or c.id.name != "Go" or c.recv is None:
            return None
        rt = self.pkg.type_of(gf, c.recv)
        if rt is None or not (is_errgroup(rt.deref()) or self.pkg.is_waitgroup(rt, "Go")):
            return None
        args = s.node.child_by_field_name("arguments")
        lits = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if len(lits) == 1 and lits[0].type == "func_literal":
            return self.g.func_id(lits[0])
        return None


_MISSING = object()

_PREDECLARED_TYPES = frozenset({
    "bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int", "int8", "int16", "int32",
    "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "any",
})


def _is_type(n: Node) -> bool:
    return n.type in ("pointer_type", "array_type", "slice_type", "map_type", "chan_type", "function_type",
                      "interface_type", "struct_type", "qualified_type", "generic_type")


def _same_text(gf: GoFile, a: Node | None, b: Node | None) -> bool:
    if a is None or b is None:
        return a is b
    return gf.node_text(a) == gf.node_text(b)
