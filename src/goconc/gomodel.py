"""The per-package model that rules share: imports, types, functions, local variable types,
goroutine sites.

Everything here is derived from syntax alone. Where the source does not state a type plainly
(a call into another package, an untyped constant, a type parameter), the answer is `None`
("unknown") and rules that need the type stay quiet. Facts are computed lazily and memoised, so a
rule that asks nothing costs nothing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from goconc.source import GoFile, Node

# --------------------------------------------------------------------------------------------
# Types


@dataclass(frozen=True)
class T:
    """A type as written in the source.

    kind: named | pointer | slice | array | map | chan | func | struct | interface | typeparam |
    tuple. `pkg` is the import path for types of other packages ("" for this package's types and
    predeclared ones); `elem`/`key` for composite kinds; `items` for tuples (multiple results).
    """

    kind: str
    name: str = ""
    pkg: str = ""
    elem: T | None = None
    key: T | None = None
    items: tuple[T | None, ...] = ()
    embeds: tuple[T, ...] = ()  # for an anonymous struct: the types of its embedded fields

    def __str__(self) -> str:
        k = self.kind
        if k == "named":
            short = self.pkg.rsplit("/", 1)[-1]
            return f"{short}.{self.name}" if self.pkg else self.name
        if k == "pointer":
            return f"*{self.elem}"
        if k == "slice":
            return f"[]{self.elem}"
        if k == "array":
            return f"[...]{self.elem}"
        if k == "map":
            return f"map[{self.key}]{self.elem}"
        if k == "chan":
            return f"chan {self.elem}"
        if k == "tuple":
            return "(" + ", ".join(str(i) for i in self.items) + ")"
        return self.name or k

    def is_named(self, pkg: str, *names: str) -> bool:
        return self.kind == "named" and self.pkg == pkg and self.name in names

    def deref(self) -> T:
        return self.elem if self.kind == "pointer" and self.elem is not None else self


def is_errgroup(t: T | None) -> bool:
    """errgroup.Group of golang.org/x/sync, or of a fork or vendored copy (path ends /errgroup)."""
    return t is not None and t.kind == "named" and t.name == "Group" and \
        (t.pkg == ERRGROUP or t.pkg.endswith("/errgroup"))


def named(pkg: str, name: str) -> T:
    return T("named", name, pkg)


def ptr(t: T) -> T:
    return T("pointer", elem=t)


CONTEXT = named("context", "Context")
CANCEL = named("context", "CancelFunc")
CANCEL_CAUSE = named("context", "CancelCauseFunc")
ERRGROUP = "golang.org/x/sync/errgroup"

# Results of well-known constructors in other packages.
KNOWN_FUNCS: dict[tuple[str, str], T] = {
    ("context", "Background"): CONTEXT,
    ("context", "TODO"): CONTEXT,
    ("context", "WithValue"): CONTEXT,
    ("context", "WithoutCancel"): CONTEXT,
    ("context", "WithCancel"): T("tuple", items=(CONTEXT, CANCEL)),
    ("context", "WithTimeout"): T("tuple", items=(CONTEXT, CANCEL)),
    ("context", "WithDeadline"): T("tuple", items=(CONTEXT, CANCEL)),
    ("context", "WithCancelCause"): T("tuple", items=(CONTEXT, CANCEL_CAUSE)),
    ("context", "WithTimeoutCause"): T("tuple", items=(CONTEXT, CANCEL)),
    ("context", "WithDeadlineCause"): T("tuple", items=(CONTEXT, CANCEL)),
    ("sync", "NewCond"): ptr(named("sync", "Cond")),
    ("time", "NewTimer"): ptr(named("time", "Timer")),
    ("time", "NewTicker"): ptr(named("time", "Ticker")),
    ("time", "AfterFunc"): ptr(named("time", "Timer")),
    ("time", "After"): T("chan", elem=named("time", "Time")),
    ("time", "Tick"): T("chan", elem=named("time", "Time")),
    (ERRGROUP, "WithContext"): T("tuple", items=(ptr(named(ERRGROUP, "Group")), CONTEXT)),
}

# Value types that must not be copied after first use (what go vet's copylocks tracks).
LOCK_TYPES: dict[str, frozenset[str]] = {
    "sync": frozenset({"Mutex", "RWMutex", "WaitGroup", "Once", "Cond", "Map", "Pool"}),
    "sync/atomic": frozenset({"Int32", "Int64", "Uint32", "Uint64", "Uintptr", "Bool", "Pointer", "Value"}),
}

BUILTINS_NEW = ("new", "_nw")  # `_nw` is how source.py respells Go 1.26's new(expr)
BUILTINS_MAKE = ("make", "_mk_")

_SCOPE_NODES = frozenset({
    "block", "if_statement", "for_statement", "expression_switch_statement", "type_switch_statement",
    "select_statement", "expression_case", "type_case", "default_case", "communication_case",
    "func_literal", "function_declaration", "method_declaration",
})
FUNC_NODES = frozenset({"function_declaration", "method_declaration", "func_literal"})


# --------------------------------------------------------------------------------------------
# Declarations


@dataclass(eq=False)
class Field:
    name: str
    type: T
    embedded: bool
    node: Node


@dataclass(eq=False)
class TypeDecl:
    name: str
    node: Node  # the type_spec / type_alias
    file: GoFile
    type_node: Node
    alias: bool
    tparams: frozenset[str]


@dataclass(eq=False)
class FuncDecl:
    name: str
    node: Node
    file: GoFile
    recv_name: str | None = None
    recv_type: T | None = None
    recv_base: str | None = None  # the receiver's type name, without * and type arguments
    params: list[tuple[str, T | None]] = field(default_factory=list)
    results: list[T | None] = field(default_factory=list)
    tparams: frozenset[str] = frozenset()

    @property
    def body(self) -> Node | None:
        return self.node.child_by_field_name("body")


@dataclass(eq=False)
class Decl:
    """A local name: a parameter, `var`, `:=`, range or select-receive variable."""

    name: str
    node: Node  # the identifier
    visible_from: int
    scope_end: int
    scope_start: int
    source: Node | None  # the declaring construct
    type_node: Node | None = None  # explicit type, if written
    value: Node | None = None  # the initialising expression
    index: int = 0  # position among several names for one value
    nvalues: int = 1
    how: str = ""  # "param", "var", "define", "range", "recv", "typeswitch", "const"
    func: Node | None = None  # the innermost function (declaration or literal) declaring it


@dataclass(eq=False)
class GoSite:
    """A place where a goroutine starts: `go f(...)`, `g.Go(func...)`, `wg.Go(func...)`."""

    node: Node  # the go_statement, or the Go(...) call
    kind: str  # "go", "errgroup", "waitgroup"
    call: Node  # the call_expression being run
    body: Node | None  # the func_literal when the goroutine runs one
    receiver: Node | None = None  # `g` / `wg` for Go(...) calls
    file: GoFile | None = None


# --------------------------------------------------------------------------------------------
# The package


class Package:
    def __init__(self, name: str, directory: str, files: list[GoFile],
                 go_version: tuple[int, int] | None = None, module_path: str = "") -> None:
        self.name = name
        self.dir = directory
        self.files = files
        self.go_version = go_version
        self.module_path = module_path
        self.types: dict[str, TypeDecl] = {}
        self.funcs: dict[str, FuncDecl] = {}
        self.methods: dict[str, dict[str, FuncDecl]] = {}
        self.var_nodes: dict[str, tuple[GoFile, Node]] = {}
        # Functions declared in more than one file (x_linux.go and x_plan9.go): the model keeps
        # the first; which one is built is unknown, so rules should not rely on its body.
        self.declared_twice: set[tuple[str, str]] = set()
        self._imports: dict[int, dict[str, str]] = {}
        self._scopes: dict[int, FuncScope] = {}
        self._field_cache: dict[str, list[Field] | None] = {}
        self._lock_words: re.Pattern[bytes] | None = None
        self._memo_lock_fields: frozenset[str] | None = None
        self._tops: dict[int, tuple[list[int], list[Node]]] = {}
        self._tparams: dict[int, frozenset[str]] = {}
        # type_of and lookup answers per node; a type asked while some declaration's type is
        # being computed (its recursion guard up) is not kept
        self._type_memo: dict[int, T | None] = {}
        self._lookup_memo: dict[int, Decl | None] = {}
        self._computing = 0
        self._index()

    # ---- top-level index -------------------------------------------------------------------

    def _index(self) -> None:
        for gf in self.files:
            for decl in gf.root.named_children:
                t = decl.type
                if t == "type_declaration":
                    for spec in decl.named_children:
                        if spec.type in ("type_spec", "type_alias"):
                            self._add_type(gf, spec)
                elif t == "function_declaration":
                    name = decl.child_by_field_name("name")
                    if name is not None:
                        fd = FuncDecl(gf.node_text(name), decl, gf)
                        if fd.name in self.funcs:
                            self.declared_twice.add(("", fd.name))
                        self.funcs.setdefault(fd.name, fd)
                elif t == "method_declaration":
                    name = decl.child_by_field_name("name")
                    recv = decl.child_by_field_name("receiver")
                    if name is not None and recv is not None:
                        fd = FuncDecl(gf.node_text(name), decl, gf)
                        self._receiver(gf, recv, fd)
                        if fd.recv_base:
                            ms = self.methods.setdefault(fd.recv_base, {})
                            if fd.name in ms:
                                self.declared_twice.add((fd.recv_base, fd.name))
                            ms.setdefault(fd.name, fd)
                elif t == "var_declaration":
                    for spec in _var_specs(decl):
                        for n in spec.children_by_field_name("name"):
                            self.var_nodes.setdefault(gf.node_text(n), (gf, spec))

    def var_ident(self, name: str) -> tuple[GoFile, Node] | None:
        """The file and identifier declaring package-level variable `name`."""
        got = self.var_nodes.get(name)
        if got is None:
            return None
        vgf, spec = got
        ident = next((n for n in spec.children_by_field_name("name") if vgf.node_text(n) == name), None)
        return (vgf, ident) if ident is not None else None

    def _add_type(self, gf: GoFile, spec: Node) -> None:
        name = spec.child_by_field_name("name")
        tnode = spec.child_by_field_name("type")
        if name is None or tnode is None:
            return
        tps = spec.child_by_field_name("type_parameters")
        self.types.setdefault(gf.node_text(name), TypeDecl(
            gf.node_text(name), spec, gf, tnode, spec.type == "type_alias", _tparam_names(gf, tps)))

    def _receiver(self, gf: GoFile, recv: Node, fd: FuncDecl) -> None:
        for p in recv.named_children:
            if p.type != "parameter_declaration":
                continue
            n = p.child_by_field_name("name")
            tn = p.child_by_field_name("type")
            fd.recv_name = gf.node_text(n) if n is not None else None
            if tn is None:
                return
            inner = tn
            if inner.type == "pointer_type":  # the pointed-to type is not a named field
                inner = inner.named_children[0] if inner.named_children else None
            if inner is not None and inner.type == "parenthesized_type":
                inner = inner.named_children[0] if inner.named_children else None
            if inner is not None and inner.type == "generic_type":
                # func (b *Box[T]) ...: T is a type parameter of the method
                args = inner.child_by_field_name("type_arguments")
                names = set()
                if args is not None:
                    for a in args.named_children:
                        names.add(gf.node_text(a))
                fd.tparams = frozenset(names)
                inner = inner.child_by_field_name("type")
            if inner is not None and inner.type == "type_identifier":
                fd.recv_base = gf.node_text(inner)
            fd.recv_type = self.resolve_type(tn, gf, fd.tparams)
            return

    # ---- imports ---------------------------------------------------------------------------

    def imports(self, gf: GoFile) -> dict[str, str]:
        """Local package name -> import path for one file (blank and dot imports left out)."""
        key = id(gf)
        got = self._imports.get(key)
        if got is not None:
            return got
        result: dict[str, str] = {}
        for decl in gf.root.named_children:
            if decl.type != "import_declaration":
                if decl.type in ("function_declaration", "method_declaration", "type_declaration"):
                    break
                continue
            specs = decl.named_children
            if specs and specs[0].type == "import_spec_list":
                specs = specs[0].named_children
            for spec in specs:
                if spec.type != "import_spec":
                    continue
                pnode = spec.child_by_field_name("path")
                if pnode is None:
                    continue
                path = gf.node_text(pnode).strip('"`')
                nnode = spec.child_by_field_name("name")
                if nnode is not None:
                    local = gf.node_text(nnode)
                    if local in ("_", "."):
                        continue
                else:
                    local = _default_import_name(path)
                result[local] = path
        self._imports[key] = result
        return result

    def import_path(self, gf: GoFile, ident: Node) -> str | None:
        """The import path `ident` names (e.g. the `sync` of `sync.NewCond`), unless shadowed."""
        name = gf.node_text(ident)
        path = self.imports(gf).get(name)
        if path is None:
            return None
        if self.lookup(gf, ident) is not None:
            return None  # a local variable, parameter... of that name
        return path

    # ---- types -----------------------------------------------------------------------------

    def resolve_type(self, node: Node | None, gf: GoFile, tparams: frozenset[str] = frozenset()) -> T | None:
        if node is None:
            return None
        k = node.type
        if k == "type_identifier":
            name = gf.node_text(node)
            if name in tparams:
                return T("typeparam", name)
            return named("", name)
        if k == "qualified_type":
            pk = node.child_by_field_name("package")
            nm = node.child_by_field_name("name")
            if pk is None or nm is None:
                return None
            path = self.imports(gf).get(gf.node_text(pk))
            if path is None:
                return None
            return named(path, gf.node_text(nm))
        if k == "pointer_type":
            inner = node.named_children[0] if node.named_children else None
            e = self.resolve_type(inner, gf, tparams)
            return ptr(e) if e is not None else None
        if k in ("slice_type", "array_type", "implicit_length_array_type"):
            e = self.resolve_type(node.child_by_field_name("element"), gf, tparams)
            return T("slice" if k == "slice_type" else "array", elem=e) if e is not None else None
        if k == "map_type":
            return T("map", key=self.resolve_type(node.child_by_field_name("key"), gf, tparams),
                     elem=self.resolve_type(node.child_by_field_name("value"), gf, tparams))
        if k == "channel_type":
            return T("chan", elem=self.resolve_type(node.child_by_field_name("value"), gf, tparams))
        if k == "generic_type":
            base = self.resolve_type(node.child_by_field_name("type"), gf, tparams)
            return base
        if k == "parenthesized_type":
            return self.resolve_type(node.named_children[0] if node.named_children else None, gf, tparams)
        if k == "function_type":
            return T("func", name=gf.node_text(node))
        if k == "struct_type":
            return self._anonymous_struct(node, gf, tparams)
        if k == "interface_type":
            return T("interface", name=gf.node_text(node))
        if k == "type_elem" and len(node.named_children) == 1:
            return self.resolve_type(node.named_children[0], gf, tparams)
        return None

    def _anonymous_struct(self, node: Node, gf: GoFile, tparams: frozenset[str]) -> T:
        """`struct{...}` written in place: its field types in `items`, embedded ones in `embeds`."""
        items: list[T | None] = []
        embeds: list[T] = []
        texts: list[str] = []
        fl = node.named_children[0] if node.named_children else None
        for fdecl in fl.named_children if fl is not None else ():
            if fdecl.type != "field_declaration":
                continue
            texts.append(" ".join(gf.node_text(fdecl).split()))
            ft = self.resolve_type(fdecl.child_by_field_name("type"), gf, tparams)
            if fdecl.children_by_field_name("name"):
                items.append(ft)
            elif ft is not None:
                if any(c.type == "*" and not c.is_named for c in fdecl.children):
                    ft = ptr(ft)
                items.append(ft)
                embeds.append(ft)
        return T("struct", name="struct{" + "; ".join(texts) + "}", items=tuple(items), embeds=tuple(embeds))

    def local_type(self, t: T | None) -> TypeDecl | None:
        if t is not None and t.kind == "named" and t.pkg == "":
            return self.types.get(t.name)
        return None

    def underlying(self, t: T | None, depth: int = 0) -> T | None:
        """Follow this package's named types to what they are defined as (struct, map, ...)."""
        while t is not None and depth < 10:
            td = self.local_type(t)
            if td is None:
                return t
            t = self.resolve_type(td.type_node, td.file, td.tparams)
            depth += 1
        return t

    def fields(self, t: T | None) -> list[Field] | None:
        """The declared fields of a struct type of this package (None when unknown)."""
        td = self.local_type(t.deref() if t is not None and t.kind == "pointer" else t)
        if td is None:
            return None
        return self._fields(td.name)

    def _fields(self, name: str) -> list[Field] | None:
        if name in self._field_cache:
            return self._field_cache[name]
        got = self._field_cache[name] = self._compute_fields(name)
        return got

    def _compute_fields(self, name: str) -> list[Field] | None:
        td = self.types.get(name)
        if td is None:
            return None
        node = td.type_node
        depth = 0
        while node.type != "struct_type":
            # type A B: follow local named definitions to a struct
            if node.type == "type_identifier" and depth < 10:
                nxt = self.types.get(td.file.node_text(node))
                if nxt is None:
                    return None
                td = nxt
                node = td.type_node
                depth += 1
                continue
            return None
        out: list[Field] = []
        fl = node.named_children[0] if node.named_children else None
        if fl is None:
            return out
        gf = td.file
        for fdecl in fl.named_children:
            if fdecl.type != "field_declaration":
                continue
            tnode = fdecl.child_by_field_name("type")
            ftype = self.resolve_type(tnode, gf, td.tparams)
            names = fdecl.children_by_field_name("name")
            if names:
                for n in names:
                    if ftype is not None:
                        out.append(Field(gf.node_text(n), ftype, False, n))
            elif ftype is not None and tnode is not None:
                # an embedded *T is written as an anonymous `*` token before the type
                if any(c.type == "*" and not c.is_named for c in fdecl.children):
                    ftype = ptr(ftype)
                base = ftype.deref()
                out.append(Field(base.name or gf.node_text(tnode), ftype, True, fdecl))
        return out

    def field_type(self, t: T | None, name: str, depth: int = 0) -> T | None:
        """Type of field `name` of struct type t (or *t), including promoted fields."""
        if t is None or depth > 4:
            return None
        base = t.deref()
        if base.kind == "named" and base.pkg == "sync" and name == "Mutex":
            return None
        fields = self.fields(base)
        if fields is None:
            return None
        for f in fields:
            if f.name == name:
                return f.type
        found = None
        for f in fields:
            if f.embedded:
                got = self.field_type(f.type, name, depth + 1)
                if got is not None:
                    if found is not None:
                        return None  # ambiguous selector
                    found = got
        return found

    def field_path(self, t: T | None, name: str, depth: int = 0) -> tuple[str, ...] | None:
        """The embedded fields a selector `x.name` goes through on a struct type t (or *t) of
        this package: () for a field of its own, ("Base",) for one promoted from an embedded
        Base; None when not known (another package's type, ambiguous, no such field)."""
        if t is None or depth > 4:
            return None
        fields = self.fields(t.deref())
        if fields is None:
            return None
        if any(f.name == name for f in fields):
            return ()
        found = None
        for f in fields:
            if f.embedded:
                sub = self.field_path(f.type, name, depth + 1)
                if sub is not None:
                    if found is not None:
                        return None  # ambiguous selector
                    found = (f.name,) + sub
        return found

    def method(self, t: T | None, name: str) -> FuncDecl | None:
        if t is None:
            return None
        base = t.deref()
        if base.kind == "named" and base.pkg == "":
            return self.methods.get(base.name, {}).get(name)
        return None

    def lock_in(self, t: T | None) -> str | None:
        """If a value of type t holds a lock (copying it copies the lock), the lock's type name
        ("sync.Mutex"), else None. Pointers, slices, maps and channels do not hold one."""
        return self._lock_in(t, frozenset())

    def _lock_in(self, t: T | None, seen: frozenset[str]) -> str | None:
        if t is None:
            return None
        if t.kind == "named":
            if t.pkg:
                if t.name in LOCK_TYPES.get(t.pkg, ()):
                    return f"{t.pkg}.{t.name}"
                return None
            if t.name in seen:
                return None
            td = self.types.get(t.name)
            if td is None:
                return None
            seen = seen | {t.name}
            inner = self.resolve_type(td.type_node, td.file, td.tparams)
            if inner is not None and inner.kind == "struct":
                for f in self._fields(td.name) or ():
                    got = self._lock_in(f.type, seen)
                    if got:
                        return got
                return None
            return self._lock_in(inner, seen)
        if t.kind == "array":
            return self._lock_in(t.elem, seen)
        if t.kind == "struct":
            for it in t.items:
                got = self._lock_in(it, seen)
                if got:
                    return got
        return None

    def lock_words(self) -> re.Pattern[bytes]:
        """A regexp that a declaration's source must match to copy a lock value: names of
        lock-holding types (ours and sync's); of our functions, variables and fields whose
        declared type mentions one. A cheap byte-level prefilter for the copy rule."""
        got = self._lock_words
        if got is None:
            holders = {n for n in self.types if self.lock_in(named("", n))}
            words = {name for pkg_names in LOCK_TYPES.values() for name in pkg_names} | holders
            holder_re = re.compile(r"\b(?:%s)\b|\b(?:sync|atomic)\." % "|".join(sorted(holders) or ["$^"]))
            for fd in list(self.funcs.values()) + [m for ms in self.methods.values() for m in ms.values()]:
                res = fd.node.child_by_field_name("result")
                if res is not None and holder_re.search(fd.file.node_text(res)):
                    words.add(fd.name)
            for name, (vgf, spec) in self.var_nodes.items():
                tn = spec.child_by_field_name("type")
                if tn is not None and holder_re.search(vgf.node_text(tn)):
                    words.add(name)
            for td in self.types.values():
                for f in self._fields(td.name) or ():
                    if holder_re.search(str(f.type)) or self.lock_in(f.type):
                        words.add(f.name)
            pattern = rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in sorted(words)) + rb")\b"
            got = self._lock_words = re.compile(pattern)
        return got

    def lock_field_names(self) -> frozenset[str]:
        """Names of struct fields (of this package's types) whose values hold a lock."""
        got = self._memo_lock_fields
        if got is None:
            names = set()
            for tname in self.types:
                for f in self._fields(tname) or ():
                    if self.lock_in(f.type):
                        names.add(f.name)
            got = self._memo_lock_fields = frozenset(names)
        return got

    def lock_kind(self, t: T | None, depth: int = 0) -> str | None:
        """'Mutex', 'RWMutex' or 'Locker' when t (or *t) has that lock's methods, else None.

        Methods promoted through an embedded field count; a defined type (`type M sync.Mutex`)
        has no methods and does not. A type that embeds itself (`type T struct{ *T }`) stops
        after a few levels."""
        if t is None or depth > 8:
            return None
        base = t.deref()
        if base.kind == "named":
            if base.pkg == "sync":
                if base.name in ("Mutex", "RWMutex"):
                    return base.name
                if base.name == "Locker":
                    return "Locker"
                return None
            td = self.local_type(base)
            if td is not None and td.alias:
                return self.lock_kind(self.resolve_type(td.type_node, td.file, td.tparams), depth + 1)
            fields = self.fields(base)
            if fields:
                if base.name in self.methods and {"Lock", "Unlock"} & set(self.methods[base.name]):
                    return None  # its own Lock/Unlock: unknown semantics
                kinds = {self.lock_kind(f.type, depth + 1) for f in fields if f.embedded} - {None}
                if len(kinds) == 1:
                    return kinds.pop()
        elif base.kind == "struct" and base.embeds:
            kinds = {self.lock_kind(e, depth + 1) for e in base.embeds} - {None}
            if len(kinds) == 1:
                return kinds.pop()
        return None

    def is_waitgroup(self, t: T | None, method: str = "") -> bool:
        """t is sync.WaitGroup (or a pointer to it, or an alias of it), or a struct of this
        package that embeds one and so gets its `method` by promotion."""
        if t is None:
            return False
        base = t.deref()
        if base.is_named("sync", "WaitGroup"):
            return True
        if base.kind != "named" or base.pkg != "":
            return False
        td = self.local_type(base)
        if td is None:
            return False
        if td.alias:
            inner = self.resolve_type(td.type_node, td.file, td.tparams)
            return inner is not None and inner.deref().is_named("sync", "WaitGroup")
        if not method or method in self.methods.get(base.name, {}):
            return False  # its own method of that name
        embedded = [f for f in self.fields(base) or () if f.embedded]
        return len([f for f in embedded if f.type.deref().is_named("sync", "WaitGroup")]) == 1

    def lock_field(self, t: T | None) -> str | None:
        """Name of the embedded field through which t gets Lock/Unlock (e.g. 'Mutex')."""
        if t is not None and t.deref().kind == "struct":
            for e in t.deref().embeds:
                if self.lock_kind(e):
                    return e.deref().name or None
            return None
        for f in self.fields(t.deref() if t else None) or ():
            if f.embedded and self.lock_kind(f.type):
                return f.name
        return None

    # ---- functions and scopes --------------------------------------------------------------

    def declared_once(self, fd: FuncDecl) -> bool:
        """fd is the package's only declaration of that function or method."""
        return (fd.recv_base or "", fd.name) not in self.declared_twice

    def func_decl(self, node: Node, gf: GoFile | None = None) -> FuncDecl | None:
        """The FuncDecl for a function_declaration / method_declaration node."""
        name = node.child_by_field_name("name")
        if name is None:
            return None
        gf = gf or self.file_of(node)
        text = gf.node_text(name) if gf else ""
        if node.type == "function_declaration":
            fd = self.funcs.get(text)
        else:
            fd = None
            for ms in self.methods.values():
                cand = ms.get(text)
                if cand is not None and cand.node == node:
                    fd = cand
                    break
        if fd is not None and fd.node == node:
            self._signature(fd)
            return fd
        return None

    def _signature(self, fd: FuncDecl) -> None:
        if fd.params or fd.results or getattr(fd, "_sig", False):
            return
        fd._sig = True  # type: ignore[attr-defined]
        gf = fd.file
        tps = fd.node.child_by_field_name("type_parameters")
        if tps is not None:
            fd.tparams = fd.tparams | _tparam_names(gf, tps)
        fd.params = list(_param_list(self, gf, fd.node.child_by_field_name("parameters"), fd.tparams))
        res = fd.node.child_by_field_name("result")
        if res is None:
            fd.results = []
        elif res.type == "parameter_list":
            fd.results = [t for _, t in _param_list(self, gf, res, fd.tparams)]
        else:
            fd.results = [self.resolve_type(res, gf, fd.tparams)]

    def file_of(self, node: Node) -> GoFile | None:
        root = node
        while root.parent is not None:
            root = root.parent
        for gf in self.files:
            if gf.root == root:
                return gf
        return None

    def scope(self, gf: GoFile, fn: Node) -> FuncScope:
        """Declarations of one top-level function (including its nested literals)."""
        key = fn.id
        sc = self._scopes.get(key)
        if sc is None:
            sc = self._scopes[key] = FuncScope(self, gf, fn)
        return sc

    def lookup(self, gf: GoFile, ident: Node) -> Decl | None:
        """The local declaration `ident` refers to, or None (package level / builtin / unknown)."""
        key = ident.id
        memo = self._lookup_memo
        if key in memo:
            return memo[key]
        top = self.top_func(gf, ident)
        got = None if top is None else self.scope(gf, top).lookup(gf.node_text(ident), ident.start_byte)
        memo[key] = got
        return got

    def top_func(self, gf: GoFile, node: Node) -> Node | None:
        """The outermost function around `node` (fast path: a top-level declaration)."""
        tops = self._tops.get(id(gf))
        if tops is None:
            decls = gf.root.named_children
            tops = self._tops[id(gf)] = ([d.start_byte for d in decls], decls)
        starts, decls = tops
        i = bisect.bisect_right(starts, node.start_byte) - 1
        if i < 0 or node.end_byte > decls[i].end_byte:
            return None
        d = decls[i]
        if d.type in ("function_declaration", "method_declaration"):
            return d
        return top_function(node)  # a func literal in a package-level var

    def type_of(self, gf: GoFile, expr: Node | None) -> T | None:
        """The static type of an expression, when the source makes it evident."""
        if expr is None:
            return None
        key = expr.id
        memo = self._type_memo
        if key in memo:
            return memo[key]
        guarded = self._computing
        t = _TypeOf(self, gf).of(expr, 0)
        if not guarded:
            memo[key] = t
        return t

    def tparams_at(self, node: Node, gf: GoFile | None = None) -> frozenset[str]:
        """Type parameter names in scope at `node` (of its enclosing generic function)."""
        gf = gf or self.file_of(node)
        top = self.top_func(gf, node) if gf is not None else None
        if top is None:
            return frozenset()
        got = self._tparams.get(top.id)
        if got is None:
            fd = self.func_decl(top, gf)
            got = self._tparams[top.id] = fd.tparams if fd is not None else frozenset()
        return got

    # ---- goroutines ------------------------------------------------------------------------

    def go_sites(self, gf: GoFile, within: Node) -> Iterator[GoSite]:
        """Goroutine starts anywhere inside `within`, nested ones included."""
        from goconc.queries import captures

        for node in captures(gf, "go_sites", within).get("site", ()):
            site = self.go_site(gf, node)
            if site is not None:
                yield site

    def captures(self, gf: GoFile, site: GoSite) -> list[Decl]:
        """Local variables of enclosing functions that the goroutine's literal uses (its free
        variables), in order of first use. Empty for `go f(x)`: arguments are copied."""
        body = site.body
        if body is None:
            return []
        from goconc.queries import captures as run_query

        out: list[Decl] = []
        seen: set[int] = set()
        for ident in run_query(gf, "identifiers", body).get("id", ()):
            d = self.lookup(gf, ident)
            if d is None or id(d) in seen:
                continue
            if body.start_byte <= d.node.start_byte < body.end_byte:
                continue  # declared inside the literal (its parameters included)
            seen.add(id(d))
            out.append(d)
        return out

    def go_site(self, gf: GoFile, node: Node) -> GoSite | None:
        if node.type == "go_statement":
            call = node.named_children[0] if node.named_children else None
            if call is None or call.type != "call_expression":
                return None
            fn = call.child_by_field_name("function")
            body = fn if fn is not None and fn.type == "func_literal" else None
            return GoSite(node, "go", call, body, file=gf)
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if fn is None or fn.type != "selector_expression" or args is None:
                return None
            field_ = fn.child_by_field_name("field")
            if field_ is None or gf.node_text(field_) != "Go":
                return None
            lits = [a for a in args.named_children if a.type != "comment"]
            if len(lits) != 1 or lits[0].type != "func_literal":
                return None
            recv = fn.child_by_field_name("operand")
            rt = self.type_of(gf, recv)
            if rt is None:
                return None
            base = rt.deref()
            if is_errgroup(base):
                return GoSite(node, "errgroup", node, lits[0], recv, gf)
            if self.is_waitgroup(rt, "Go"):
                return GoSite(node, "waitgroup", node, lits[0], recv, gf)
        return None


# --------------------------------------------------------------------------------------------
# Scopes


class FuncScope:
    """Local declarations of one top-level function and its nested function literals."""

    def __init__(self, pkg: Package, gf: GoFile, fn: Node) -> None:
        self.pkg = pkg
        self.gf = gf
        self.fn = fn
        self.by_name: dict[str, list[Decl]] = {}
        self._types: dict[int, T | None] = {}
        self._collect()

    def _add(self, d: Decl) -> None:
        self.by_name.setdefault(d.name, []).append(d)

    def _collect(self) -> None:
        from goconc.queries import captures

        gf = self.gf
        text = gf.node_text
        for how, nodes in captures(gf, "decls", self.fn).items():
            for nm in nodes:
                name = text(nm)
                if name == "_":
                    continue
                owner = nm.parent
                if owner is None:
                    continue
                if how == "param":
                    plist = owner.parent
                    fn = plist.parent if plist is not None else None
                    if fn is None or fn.type not in FUNC_NODES:
                        continue  # a parameter of a function *type*, not a declaration
                    kind = "variadic" if owner.type == "variadic_parameter_declaration" else "param"
                    self._add(Decl(name, nm, fn.start_byte, fn.end_byte, fn.start_byte, owner,
                                   owner.child_by_field_name("type"), how=kind, func=fn))
                elif how in ("var", "const"):
                    spec = owner
                    decl = spec.parent
                    while decl is not None and decl.type not in ("var_declaration", "const_declaration"):
                        decl = decl.parent
                    if decl is None:
                        continue
                    scope = _enclosing_scope(decl)
                    vals = spec.child_by_field_name("value")
                    values = [v for v in vals.named_children if v.type != "comment"] if vals is not None else []
                    names = spec.children_by_field_name("name")
                    i = next((k for k, n in enumerate(names) if n == nm), 0)
                    value, idx, nv = _value_for(values, len(names), i)
                    self._add(Decl(name, nm, spec.end_byte, scope.end_byte, scope.start_byte, spec,
                                   spec.child_by_field_name("type"), value, idx, nv, how, enclosing_function(nm)))
                elif how == "typeswitch":
                    sw = owner.parent
                    if sw is not None:
                        self._add(Decl(name, nm, sw.start_byte, sw.end_byte, sw.start_byte, sw, how="typeswitch",
                                       func=enclosing_function(nm)))
                else:  # define, range, recv: the `left` expression_list of a statement
                    stmt = owner.parent
                    if stmt is None:
                        continue
                    if how in ("range", "recv") and not _has_token(stmt, ":="):
                        continue
                    names = [c for c in owner.named_children if c.type == "identifier"]
                    i = next((k for k, n in enumerate(names) if n == nm), 0)
                    right = stmt.child_by_field_name("right")
                    if how == "range":
                        scope = stmt.parent if stmt.parent is not None else stmt
                        self._add(Decl(name, nm, stmt.end_byte, scope.end_byte, scope.start_byte, stmt, None,
                                       right, i, -2, "range", enclosing_function(nm)))
                        continue
                    scope = _enclosing_scope(stmt)
                    if right is not None and right.type == "expression_list":
                        values = [v for v in right.named_children if v.type != "comment"]
                    else:
                        values = [right] if right is not None else []
                    value, idx, nv = _value_for(values, len(names), i)
                    self._add(Decl(name, nm, stmt.end_byte, scope.end_byte, scope.start_byte, stmt, None,
                                   value, idx, nv, how, enclosing_function(nm)))

    def lookup(self, name: str, at: int) -> Decl | None:
        best = None
        for d in self.by_name.get(name, ()):
            if d.node.start_byte == at:
                return d  # the declaring identifier itself
            if d.scope_start <= at < d.scope_end and d.visible_from <= at:
                if best is None or d.visible_from >= best.visible_from:
                    best = d
        return best

    def decls(self) -> Iterator[Decl]:
        for ds in self.by_name.values():
            yield from ds

    def type_of_decl(self, d: Decl) -> T | None:
        key = d.node.id
        if key in self._types:
            return self._types[key]
        self._types[key] = None  # recursion guard
        self.pkg._computing += 1
        try:
            t = self._compute(d)
        finally:
            self.pkg._computing -= 1
        self._types[key] = t
        return t

    def _compute(self, d: Decl) -> T | None:
        pkg, gf = self.pkg, self.gf
        tparams = pkg.tparams_at(d.node, gf)
        if d.how in ("param", "variadic"):
            t = pkg.resolve_type(d.type_node, gf, tparams)
            if d.how == "variadic" and t is not None:
                return T("slice", elem=t)
            return t
        if d.how in ("typeswitch", "const"):
            return pkg.resolve_type(d.type_node, gf, tparams) if d.type_node is not None else None
        if d.type_node is not None:
            return pkg.resolve_type(d.type_node, gf, tparams)
        if d.value is None:
            return None
        if d.how == "range":
            rt = pkg.underlying(pkg.type_of(gf, d.value))
            if rt is None:
                return None
            if rt.kind == "pointer" and rt.elem is not None:
                rt = pkg.underlying(rt.elem)
                if rt is None or rt.kind != "array":
                    return None
            if rt.kind in ("slice", "array"):
                return named("", "int") if d.index == 0 else rt.elem
            if rt.kind == "map":
                return rt.key if d.index == 0 else rt.elem
            if rt.kind == "chan":
                return rt.elem if d.index == 0 else None
            return None
        if d.how == "recv":
            v = d.value
            if v.type == "unary_expression":
                ops = v.named_children
                ct = pkg.underlying(pkg.type_of(gf, ops[0])) if ops else None
                if ct is not None and ct.kind == "chan" and d.index == 0:
                    return ct.elem
            return None
        vt = pkg.type_of(gf, d.value)
        if d.nvalues == 2 and vt is not None and vt.kind != "tuple" and _comma_ok(d.value):
            return vt if d.index == 0 else named("", "bool")  # v, ok := m[k] / x.(T) / <-ch
        if d.nvalues > 1 or (d.nvalues == 1 and d.index > 0):
            if vt is not None and vt.kind == "tuple" and d.index < len(vt.items):
                return vt.items[d.index]
            return None
        if vt is not None and vt.kind == "tuple":
            return vt.items[0] if len(vt.items) == 1 else None
        return vt


# --------------------------------------------------------------------------------------------
# Expression types


class _TypeOf:
    def __init__(self, pkg: Package, gf: GoFile) -> None:
        self.pkg = pkg
        self.gf = gf

    def of(self, e: Node | None, depth: int) -> T | None:
        if e is None or depth > 12:
            return None
        pkg, gf = self.pkg, self.gf
        k = e.type
        if k == "identifier":
            d = pkg.lookup(gf, e)
            if d is not None:
                if d.how == "typeswitch":
                    return self.case_type(d, e)
                top = pkg.top_func(gf, e)
                return pkg.scope(gf, top).type_of_decl(d) if top is not None else None
            name = gf.node_text(e)
            vn = pkg.var_nodes.get(name)
            if vn is not None:
                vgf, spec = vn
                tn = spec.child_by_field_name("type")
                if tn is not None:
                    return pkg.resolve_type(tn, vgf)
                vals = spec.child_by_field_name("value")
                names = spec.children_by_field_name("name")
                if vals is not None and len(vals.named_children) == len(names) and vgf is gf and depth < 6:
                    idx = [gf.node_text(n) for n in names].index(name)
                    return self.of(vals.named_children[idx], depth + 1)
            return None
        if k == "parenthesized_expression":
            return self.of(e.named_children[0] if e.named_children else None, depth + 1)
        if k == "composite_literal":
            tn = e.child_by_field_name("type")
            return pkg.resolve_type(tn, gf, pkg.tparams_at(e, gf)) if tn is not None else None
        if k == "unary_expression":
            op = e.child_by_field_name("operator")
            operand = e.child_by_field_name("operand")
            opt = gf.node_text(op) if op is not None else ""
            if opt == "&":
                inner = self.of(operand, depth + 1)
                return ptr(inner) if inner is not None else None
            if opt == "*":
                inner = self.of(operand, depth + 1)
                return inner.elem if inner is not None and inner.kind == "pointer" else None
            if opt == "<-":
                inner = pkg.underlying(self.of(operand, depth + 1))
                return inner.elem if inner is not None and inner.kind == "chan" else None
            return None
        if k == "selector_expression":
            operand = e.child_by_field_name("operand")
            fld = e.child_by_field_name("field")
            if operand is None or fld is None:
                return None
            if operand.type == "identifier":
                path = pkg.import_path(gf, operand)
                if path is not None:
                    return None  # pkg.Var of another package: unknown
            ot = self.of(operand, depth + 1)
            return pkg.field_type(ot, gf.node_text(fld))
        if k == "index_expression":
            ot = pkg.underlying(self.of(e.child_by_field_name("operand"), depth + 1))
            if ot is not None and ot.kind == "pointer":
                ot = pkg.underlying(ot.elem)
                if ot is None or ot.kind != "array":
                    return None
            if ot is not None and ot.kind in ("slice", "array", "map"):
                return ot.elem
            return None
        if k == "type_assertion_expression":
            tn = e.child_by_field_name("type")
            return pkg.resolve_type(tn, gf, pkg.tparams_at(e, gf))
        if k == "call_expression":
            return self.call(e, depth)
        return None

    def case_type(self, d: Decl, e: Node) -> T | None:
        """`switch x := v.(type) { case *A: ... x ... }`: in a clause that lists one type, x
        has that type; elsewhere (several types, default) the type of v, which we leave unknown."""
        sw = d.source
        n = e.parent
        while n is not None and n.parent is not None and n.parent != sw:
            n = n.parent
        if n is None or n.type != "type_case":
            return None
        types = [c for c in n.children_by_field_name("type") if c.is_named]
        if len(types) != 1 or self.gf.node_text(types[0]) == "nil":
            return None
        return self.pkg.resolve_type(types[0], self.gf, self.pkg.tparams_at(e, self.gf))

    def call(self, e: Node, depth: int) -> T | None:
        pkg, gf = self.pkg, self.gf
        fn = e.child_by_field_name("function")
        args = e.child_by_field_name("arguments")
        if fn is None:
            return None
        if fn.type == "identifier":
            name = gf.node_text(fn)
            if pkg.lookup(gf, fn) is not None:
                return None  # a local func value
            if name in BUILTINS_NEW or name in BUILTINS_MAKE:
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is None:
                    return None
                t = pkg.resolve_type(first, gf, pkg.tparams_at(e, gf)) if _is_type_node(first) else None
                if t is None and first.type in ("identifier",):
                    # new(T) where T parses as an identifier: a type only if we know it as one
                    nm = gf.node_text(first)
                    if nm in pkg.types:
                        t = named("", nm)
                if t is None:
                    return None
                return ptr(t) if name in BUILTINS_NEW else t
            fd = pkg.funcs.get(name)
            if fd is not None:
                return _results(pkg, fd)
            if name in pkg.types:  # conversion T(x)
                return named("", name)
            return None
        if fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            fld = fn.child_by_field_name("field")
            if operand is None or fld is None:
                return None
            mname = gf.node_text(fld)
            if operand.type == "identifier":
                path = pkg.import_path(gf, operand)
                if path is not None:
                    if mname == "WithContext" and path.endswith("/errgroup"):  # x/sync and its forks
                        return T("tuple", items=(ptr(named(path, "Group")), CONTEXT))
                    return KNOWN_FUNCS.get((path, mname))
            ot = self.of(operand, depth + 1)
            md = pkg.method(ot, mname)
            if md is not None:
                return _results(pkg, md)
            return None
        if fn.type == "parenthesized_expression":
            # (*T)(x) or (T)(x): conversions
            inner = fn.named_children[0] if fn.named_children else None
            if inner is not None and _is_type_node(inner):
                return pkg.resolve_type(inner, gf, pkg.tparams_at(e, gf))
        return None


def _results(pkg: Package, fd: FuncDecl) -> T | None:
    pkg._signature(fd)
    if fd.tparams:
        return None
    if len(fd.results) == 1:
        return fd.results[0]
    if len(fd.results) > 1:
        return T("tuple", items=tuple(fd.results))
    return None


_TYPE_NODES = frozenset({
    "type_identifier", "qualified_type", "pointer_type", "slice_type", "array_type", "map_type",
    "channel_type", "generic_type", "struct_type", "interface_type", "function_type",
    "implicit_length_array_type", "parenthesized_type",
})


def _is_type_node(n: Node) -> bool:
    return n.type in _TYPE_NODES


# --------------------------------------------------------------------------------------------
# Helpers


def _comma_ok(v: Node) -> bool:
    """A map index, type assertion or receive: the expressions that give a second, bool
    value when two names are assigned from them."""
    while v.type == "parenthesized_expression" and v.named_children:
        v = v.named_children[0]
    if v.type in ("index_expression", "type_assertion_expression"):
        return True
    op = v.child_by_field_name("operator") if v.type == "unary_expression" else None
    return op is not None and op.type == "<-"


def _value_for(values: list[Node], nnames: int, i: int) -> tuple[Node | None, int, int]:
    """The expression that gives the i-th of nnames declared names its value, the index into
    that expression's results, and how many values there are: `a, b := x, y` -> (y, 0, 1) for
    b; `a, b := f()` -> (f(), 1, 2); anything else -> (None, i, 0)."""
    if len(values) == nnames:
        return values[i], 0, 1
    if len(values) == 1:
        return values[0], i, nnames
    return None, i, 0


def _var_specs(decl: Node) -> list[Node]:
    out = []
    for c in decl.named_children:
        if c.type == "var_spec":
            out.append(c)
        elif c.type == "var_spec_list":
            out.extend(s for s in c.named_children if s.type == "var_spec")
    return out


def _tparam_names(gf: GoFile, tps: Node | None) -> frozenset[str]:
    if tps is None:
        return frozenset()
    names = set()
    for d in tps.named_children:
        for n in d.children_by_field_name("name"):
            names.add(gf.node_text(n))
    return frozenset(names)


def _param_list(pkg: Package, gf: GoFile, pl: Node | None, tparams: frozenset[str]):
    if pl is None:
        return
    for p in pl.named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        t = pkg.resolve_type(p.child_by_field_name("type"), gf, tparams)
        if p.type == "variadic_parameter_declaration" and t is not None:
            t = T("slice", elem=t)
        names = p.children_by_field_name("name")
        if names:
            for n in names:
                yield gf.node_text(n), t
        else:
            yield "", t


def _has_token(n: Node, tok: str) -> bool:
    for c in n.children:
        if not c.is_named and c.type == tok:
            return True
    return False


def _enclosing_scope(n: Node) -> Node:
    p = n.parent
    while p is not None and p.type not in _SCOPE_NODES:
        p = p.parent
    return p if p is not None else n


def top_function(n: Node) -> Node | None:
    """The outermost function declaration (or package-level func literal) containing n."""
    found = None
    p = n
    while p is not None:
        if p.type in FUNC_NODES:
            found = p
        p = p.parent
    return found


def enclosing_function(n: Node) -> Node | None:
    """The innermost function declaration or literal containing n (n itself excluded)."""
    p = n.parent
    while p is not None:
        if p.type in FUNC_NODES:
            return p
        p = p.parent
    return None


def _default_import_name(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    # gopkg.in/yaml.v3 -> yaml ; github.com/x/y/v2 -> y
    if last.startswith("v") and last[1:].isdigit() and "/" in path:
        last = path.rsplit("/", 2)[-2]
    if ".v" in last:
        last = last.split(".v", 1)[0]
    return last.removeprefix("go-").replace("-", "_").replace(".", "_")
