"""Access paths: the identity of a memory location, never its text (Engine v2, step 2).

A path is a root (a receiver, parameter, result, local or package-level variable, identified
by its declaration) and a list of steps: `.f` a field, `[]` some element of a slice, array or
map, `[k]` the element at a constant index or key. Locks, WaitGroups, channels and shared
variables are keyed by path:

    s.mu.Lock()         -> s.mu          (root: receiver s of (*S).Lock... of the enclosing method)
    c.peers[i].mu       -> c.peers[].mu
    d.mu                -> d.Base.mu     (mu promoted from an embedded Base: one spelling per location)
    mu := &s.mu; mu.Lock()  -> s.mu      (a local whose one definition is &path is that path)

Pointers are transparent: `&x`, `*x`, `(x)` and `x` name the same location for our purposes,
as `p.f` and `(*p).f` do in Go. What reassigning a pointer variable could alias is not
tracked; a local is followed to its definition only when it has exactly one.

Captured variables keep the root of the function that declares them: `mu` inside a goroutine's
literal is the same root as `mu` in the function around it.

At a call site, `substitute` maps a callee's path to the caller's: the receiver to the receiver
expression (through the embedded fields of a promoted method), parameter i to argument i;
the callee's locals and results do not exist for the caller (None).
"""

from __future__ import annotations

from dataclasses import dataclass

from goconc.callgraph import CallGraph, CallSite, FuncId
from goconc.gomodel import Decl
from goconc.rules._helpers import key_of
from goconc.source import GoFile, Node


@dataclass(frozen=True)
class Root:
    kind: str  # recv | param | result | local | global
    name: str
    func: FuncId | None = None  # the declaring function (None for package-level variables)
    index: int = -1  # parameter position, for substitution (-1 for the receiver and locals)
    decl: int = -1  # byte offset of the declaring identifier: shadowed names are other roots


@dataclass(frozen=True)
class AccessPath:
    root: Root
    steps: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.root.name + "".join(s if s.startswith("[") else "." + s for s in self.steps)

    def field(self, name: str) -> AccessPath:
        return AccessPath(self.root, self.steps + (name,))


class Paths:
    """Access paths of the expressions of one package (uses its call graph for FuncIds)."""

    def __init__(self, cg: CallGraph) -> None:
        self.cg = cg
        self.pkg = cg.pkg

    def of(self, gf: GoFile, expr: Node | None, depth: int = 0, *, exact: bool = False) -> AccessPath | None:
        """The path an expression denotes, or None when it is not a location we can name (a
        call's result, a literal, an expression whose variable is unknown).

        With `exact`, an element is named by its index as written (`a[i]`, `a[i%n]`: the same
        element while i and n are not reassigned, which the caller must watch) and an index
        that is not such an expression (a call, a receive) gives None: for identities that
        must not merge two elements, such as a lock held."""
        if expr is None or depth > 16:
            return None
        t = expr.type
        if t == "parenthesized_expression":
            return self.of(gf, expr.named_children[0] if expr.named_children else None, depth + 1, exact=exact)
        if t == "unary_expression":
            op = expr.child_by_field_name("operator")
            if op is not None and gf.node_text(op) in ("&", "*"):
                return self.of(gf, expr.child_by_field_name("operand"), depth + 1, exact=exact)
            return None
        if t == "identifier":
            return self._ident(gf, expr, depth)
        if t == "selector_expression":
            operand = expr.child_by_field_name("operand")
            fld = expr.child_by_field_name("field")
            if operand is None or fld is None:
                return None
            if operand.type == "identifier" and self.pkg.import_path(gf, operand) is not None:
                return AccessPath(Root("global", gf.node_text(expr), None))  # pkg.Var of another package
            base = self.of(gf, operand, depth + 1, exact=exact)
            if base is None:
                return None
            name = gf.node_text(fld)
            via = self.pkg.field_path(self.pkg.type_of(gf, operand), name)
            return AccessPath(base.root, base.steps + (via or ()) + (name,))  # d.mu is d.Base.mu
        if t == "index_expression":
            operand = expr.child_by_field_name("operand")
            index = expr.child_by_field_name("index")
            base = self.of(gf, operand, depth + 1, exact=exact)
            if base is None:
                return None
            if index is not None and index.type in ("int_literal", "interpreted_string_literal", "rune_literal"):
                return AccessPath(base.root, base.steps + (f"[{gf.node_text(index)}]",))
            if exact:
                text = key_of(gf, index) if index is not None else None
                return AccessPath(base.root, base.steps + (f"[{text}]",)) if text is not None else None
            return AccessPath(base.root, base.steps + ("[]",))
        return None

    def _ident(self, gf: GoFile, ident: Node, depth: int) -> AccessPath | None:
        name = gf.node_text(ident)
        d = self.pkg.lookup(gf, ident)
        if d is None:
            if name in self.pkg.var_nodes:
                return AccessPath(Root("global", name, None))
            return None
        return self.of_decl(gf, d, depth)

    def of_decl(self, gf: GoFile, d: Decl, depth: int = 0) -> AccessPath | None:
        fn = self.cg.func_id(d.func) if d.func is not None else None
        if d.how in ("param", "variadic"):
            kind, index = self._param_kind(d)
            return AccessPath(Root(kind, d.name, fn, index, d.node.start_byte))
        # a local whose one definition is a location (`mu := &s.mu`) is that location
        if d.how in ("define", "var") and d.value is not None and d.nvalues == 1 and self._defined_once(gf, d):
            v = d.value
            while v.type == "parenthesized_expression" and v.named_children:
                v = v.named_children[0]
            if v.type == "unary_expression":
                op = v.child_by_field_name("operator")
                if op is not None and gf.node_text(op) == "&":
                    target = self.of(gf, v.child_by_field_name("operand"), depth + 1)
                    if target is not None:
                        return target
        return AccessPath(Root("local", d.name, fn, -1, d.node.start_byte))

    def _param_kind(self, d: Decl) -> tuple[str, int]:
        """receiver, parameter i, or named result."""
        owner = d.source  # the parameter_declaration
        plist = owner.parent if owner is not None else None
        fn = plist.parent if plist is not None else None
        if fn is None:
            return "param", -1
        if fn.type == "method_declaration" and plist == fn.child_by_field_name("receiver"):
            return "recv", -1
        if plist == fn.child_by_field_name("result"):
            return "result", -1
        i = 0
        for p in plist.named_children:
            if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            names = p.children_by_field_name("name")
            if not names:
                i += 1
                continue
            for n in names:
                if n == d.node:
                    return "param", i
                i += 1
        return "param", -1

    def _defined_once(self, gf: GoFile, d: Decl) -> bool:
        """No assignment to d after its declaration, and its address is not taken."""
        r = self.cg._resolver
        defs = r._definitions(gf, d) if r is not None else None
        return defs is not None and len(defs) == 1

    def field_class(self, path: AccessPath) -> str | None:
        """The type-level name of the location a path ends in: the named type of the last
        object reached through a pointer (or the root's), then the fields inside that value:
        `Server.mu` for `s.mu`, `c.srv.mu` and `srvs[i].mu` alike when those are *Server (every
        instance's field is one class), `Session.st.mu` for a mutex inside a value field of
        type guarded (not `guarded.mu`: the Session is what is locked); `mu` for a
        package-level variable. None for a path that is a variable itself or whose types are
        not known."""
        pkg = self.pkg
        root = path.root
        if root.kind == "global":
            if not path.steps:
                return root.name
            t = self._global_type(root.name)
        else:
            t = self._root_type(root)
        if not path.steps or t is None:
            return None
        owner = t.deref()
        if owner.kind != "named":
            return None
        suffix: list[str] = []
        last = len(path.steps) - 1
        for i, st in enumerate(path.steps):
            if st.startswith("["):
                u = pkg.underlying(t.deref())
                t = u.elem if u is not None and u.kind in ("slice", "array", "map") else None
                suffix.append("[]")
            else:
                t = pkg.field_type(t, st)
                suffix.append("." + st)
            if t is None:
                return None
            if t.kind == "pointer" and t.deref().kind == "named" and i < last:
                owner, suffix = t.deref(), []  # a new object: what follows is its field
        if not suffix or suffix[-1] == "[]":
            return None
        return f"{owner}{''.join(suffix)}"

    def _root_type(self, root: Root):
        info = self.cg.info(root.func) if root.func is not None else None
        if info is None or root.decl < 0:
            return None
        gf = info.file
        node = gf.root.named_descendant_for_byte_range(root.decl, root.decl + len(root.name))
        if node is None or node.type != "identifier" or gf.node_text(node) != root.name:
            return None
        return self.pkg.type_of(gf, node)

    def _global_type(self, name: str):
        """The type of a package-level variable, as the model types its name."""
        got = self.pkg.var_ident(name)
        return self.pkg.type_of(*got) if got is not None else None

    # ---- calls -----------------------------------------------------------------------------

    def substitute(self, path: AccessPath, site: CallSite, *, exact: bool = False) -> AccessPath | None:
        """The caller's path for a path of the callee at `site` (None: the callee's own);
        `exact` as in `of`, for the caller's side."""
        callee = site.callee
        root = path.root
        if root.kind == "global":
            return path
        if callee.id is None or root.func != callee.id:
            return None
        gf = site.file
        if root.kind == "recv":
            if callee.recv is None:
                return None
            base = self.of(gf, callee.recv, exact=exact)
            if base is None:
                return None
            return AccessPath(base.root, base.steps + tuple(callee.via) + path.steps)
        if root.kind == "param" and root.index >= 0:
            args = site.node.child_by_field_name("arguments")
            vals = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            if root.index >= len(vals) or any(a.type == "variadic_argument" for a in vals):
                return None
            base = self.of(gf, vals[root.index], exact=exact)
            if base is None:
                return None
            return AccessPath(base.root, base.steps + path.steps)
        return None
