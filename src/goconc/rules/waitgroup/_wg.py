"""WaitGroup calls and the goroutines that make them, shared by the GC2xxx rules.

A *goroutine* here is a function body that some `go` statement (or `wg.Go` / errgroup `Go`
call) runs: a function literal, or a function or method of the package started by name
(`go worker(&wg, jobs)`, `go s.loop()`). Calls inside it name the WaitGroup as the goroutine
sees it (`wg`, a parameter); `outer_ref` translates such a name into the starting function's
terms through the arguments of the `go` call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from goconc.gomodel import GoSite, enclosing_function
from goconc.queries import file_captures
from goconc.rules._helpers import ancestors, declared_callee, key_of, method_call
from goconc.source import GoFile, Node

Ref = tuple[str, int]  # (receiver key, start byte of its root variable's declaration or -1)


@dataclass(frozen=True)
class WGCall:
    key: str  # the receiver as written, normalised (`wg`, `s.wg`)
    ref: Ref  # the key plus which variable its root names: tells shadowed names apart
    method: str  # Add | Done | Wait | Go
    call: Node
    recv: Node
    deferred: bool  # `defer wg.Done()` or inside `defer func() { ... }()`
    owner: Node | None  # the function (declaration or literal) it runs in


@dataclass(eq=False)
class Goroutine:
    """One start of a goroutine: where (`site`) and which function body runs (`fn` in `gf`)."""

    site: GoSite
    fn: Node  # func_literal, function_declaration or method_declaration
    gf: GoFile
    helper: str | None = None  # the function's name when started by name


# --------------------------------------------------------------------------------------------
# WaitGroup calls


def wg_calls(ctx, gf: GoFile | None = None) -> list[WGCall]:
    """Every Add/Done/Wait/Go call on a visibly sync.WaitGroup receiver in a file (memoised)."""
    gf = gf or ctx.file
    memo = f"wgcalls:{id(gf)}"
    got = ctx.analysis.memo.get(memo)
    if got is not None:
        return got
    out: list[WGCall] = []
    ctx.analysis.memo[memo] = out
    if not _may_use_waitgroup(ctx, gf):
        return out
    pkg = ctx.pkg
    for call in file_captures(gf, "goconc.rules.waitgroup", "wg_calls.scm").get("call", ()):
        mc = method_call(gf, call)
        recv, method = mc.recv, mc.method
        if not is_waitgroup(pkg, pkg.type_of(gf, recv), method):
            continue
        key = key_of(gf, recv)
        if key is None:
            continue
        owner = enclosing_function(call)
        deferred = call.parent is not None and call.parent.type == "defer_statement"
        if not deferred and owner is not None and owner.type == "func_literal":
            lit_call = owner.parent
            if lit_call is not None and lit_call.type == "call_expression" and lit_call.parent is not None \
                    and lit_call.parent.type == "defer_statement":
                deferred, owner = True, enclosing_function(lit_call)
        out.append(WGCall(key, ref_of(ctx, gf, recv, key), method, call, recv, deferred, owner))
    return out


def is_waitgroup(pkg, t, method: str = "") -> bool:
    """See Package.is_waitgroup."""
    return pkg.is_waitgroup(t, method)


def root_ident(expr: Node | None) -> Node | None:
    """The variable at the root of `x`, `x.f.g`, `&x.f`, `(*p).f`, `a[i].wg`."""
    n = expr
    while n is not None:
        t = n.type
        if t == "identifier":
            return n
        if t == "selector_expression" or t == "index_expression":
            n = n.child_by_field_name("operand")
        elif t == "unary_expression":
            n = n.child_by_field_name("operand")
        elif t == "parenthesized_expression":
            n = n.named_children[0] if n.named_children else None
        else:
            return None
    return None


def ref_of(ctx, gf: GoFile, expr: Node, key: str | None = None) -> Ref | None:
    key = key if key is not None else key_of(gf, expr)
    if key is None:
        return None
    root = root_ident(expr)
    decl = ctx.pkg.lookup(gf, root) if root is not None else None
    return (key, decl.node.start_byte if decl is not None else -1)


def _may_use_waitgroup(ctx, gf: GoFile) -> bool:
    """Cheap prefilter: some file of the package names WaitGroup, and this file calls
    Add, Done, Wait or Go."""
    memo = ctx.analysis.memo
    pkg_has = memo.get("pkg-has-waitgroup")
    if pkg_has is None:
        pkg_has = memo["pkg-has-waitgroup"] = any(b"WaitGroup" in f.src for f in ctx.pkg.files)
    src = gf.src
    return pkg_has and (b".Done()" in src or b".Add(" in src or b".Wait()" in src or b".Go(" in src)


def calls_in(ctx, g: Goroutine, method: str | None = None) -> Iterator[WGCall]:
    """WaitGroup calls that run in the goroutine's function itself (deferred closures included)."""
    memo = f"wgcalls-by-owner:{id(g.gf)}"
    by_owner = ctx.analysis.memo.get(memo)
    if by_owner is None:  # index once per file: a file with many goroutines stays linear
        by_owner = {}
        for c in wg_calls(ctx, g.gf):
            if c.owner is not None:
                by_owner.setdefault(c.owner.id, []).append(c)
        ctx.analysis.memo[memo] = by_owner
    for c in by_owner.get(g.fn.id, ()):
        if method is None or c.method == method:
            yield c


def calls_within(ctx, gf: GoFile, node: Node, method: str | None = None) -> Iterator[WGCall]:
    """WaitGroup calls anywhere inside `node`, nested function literals included."""
    for c in wg_calls(ctx, gf):
        if node.start_byte <= c.call.start_byte and c.call.end_byte <= node.end_byte \
                and (method is None or c.method == method):
            yield c


def in_loop(call: WGCall, body: Node) -> bool:
    """True when the call sits in a loop inside `body` (it counts iterations, not the goroutine).

    Unlike loop_ancestor this looks through a deferred closure: `defer func() { for ... {
    wg.Done() } }()` is a loop of Dones all the same."""
    return any(a.type == "for_statement" for a in ancestors(call.call, body))


# --------------------------------------------------------------------------------------------
# Goroutines

def package_goroutines(ctx) -> list[Goroutine]:
    """Goroutine starts of the package that may matter to WaitGroup rules (memoised per
    package): function literals in files that make WaitGroup calls, and `go f(...)` /
    `go x.m(...)` of a function of the package that makes them."""
    memo = ctx.analysis.memo
    got = memo.get("wg-goroutines")
    if got is not None:
        return got
    out: list[Goroutine] = []
    memo["wg-goroutines"] = out
    pkg = ctx.pkg
    with_calls = {id(gf) for gf in pkg.files if wg_calls(ctx, gf)}
    if not with_calls:
        return out
    helpers = set()
    for gf in pkg.files:
        if id(gf) in with_calls:
            for c in wg_calls(ctx, gf):
                if c.owner is not None and c.owner.type != "func_literal":
                    name = c.owner.child_by_field_name("name")
                    if name is not None:
                        helpers.add(gf.node_text(name))
    helper_start = re.compile(rb"\bgo\s+(?:[\w.]+\.)?(?:%s)\s*\(" % b"|".join(
        re.escape(h.encode()) for h in sorted(helpers))) if helpers else None
    for gf in pkg.files:
        literals = id(gf) in with_calls
        if not literals and (helper_start is None or not helper_start.search(gf.src)):
            continue
        for site in pkg.go_sites(gf, gf.root):
            if site.body is not None:
                if literals:
                    out.append(Goroutine(site, site.body, gf))
                continue
            if site.kind != "go" or helper_start is None:
                continue
            fd = callee(ctx, gf, site.call)
            if fd is not None and fd.body is not None and fd.name in helpers:
                out.append(Goroutine(site, fd.node, fd.file, fd.name))
    return out


def goroutines_run_in(ctx) -> list[Goroutine]:
    """Goroutines whose function is in this file, one per function (the first start wins)."""
    seen: set[int] = set()
    out = []
    if not wg_calls(ctx):
        return out
    for g in package_goroutines(ctx):
        if g.gf is ctx.file and g.fn.id not in seen:
            seen.add(g.fn.id)
            out.append(g)
    return out


def starts_of(ctx, g: Goroutine) -> list[Goroutine]:
    """Every start of the same function."""
    return [h for h in package_goroutines(ctx) if h.fn == g.fn]


def goroutines_started_in(ctx) -> list[Goroutine]:
    """Goroutines whose `go` statement (or Go call) is in this file."""
    if not wg_calls(ctx):
        return []
    return [g for g in package_goroutines(ctx) if g.site.file is ctx.file]


def callee(ctx, gf: GoFile, call: Node):
    """The FuncDecl of this package that a call names: `f(...)` or `x.m(...)`; None when the
    package declares that name more than once (files for other platforms)."""
    fd = declared_callee(ctx, gf, call)
    return fd if fd is not None and ctx.pkg.declared_once(fd) else None


def _param_args(g: Goroutine) -> dict[str, Node] | None:
    """Parameter (and receiver) names of the goroutine's function -> the argument expressions
    the `go` call passes (None when the function is variadic or the call is unusual)."""
    site = g.site
    if site.kind != "go":
        return {}
    gf, fn, call = g.gf, g.fn, site.call
    args = call.child_by_field_name("arguments")
    argv = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    out: dict[str, Node] = {}
    if fn.type == "method_declaration":
        recv = fn.child_by_field_name("receiver")
        f = call.child_by_field_name("function")
        operand = f.child_by_field_name("operand") if f is not None and f.type == "selector_expression" else None
        if recv is not None and operand is not None:
            for p in recv.named_children:
                for n in p.children_by_field_name("name"):
                    out[gf.node_text(n)] = operand
    plist = fn.child_by_field_name("parameters")
    i = 0
    for p in plist.named_children if plist is not None else ():
        if p.type == "variadic_parameter_declaration":
            return None
        if p.type != "parameter_declaration":
            continue
        names = p.children_by_field_name("name")
        for n in names or [None]:
            if i >= len(argv):
                return None
            if n is not None:
                out[gf.node_text(n)] = argv[i]
            i += 1
    return out


def outer_ref(ctx, g: Goroutine, c: WGCall) -> Ref | None:
    """The WaitGroup of call `c` (made inside the goroutine) in the terms of the function
    that starts the goroutine; None when it is the goroutine's own or cannot be told."""
    root = root_ident(c.recv)
    if root is None:
        return None
    decl = ctx.pkg.lookup(g.gf, root)
    if decl is None:
        return c.ref  # a package-level WaitGroup
    if not (g.fn.start_byte <= decl.node.start_byte < g.fn.end_byte):
        return c.ref  # captured by a function literal
    if decl.how not in ("param",) or decl.func != g.fn:
        return None  # declared inside the goroutine: its own WaitGroup
    params = _param_args(g)
    name = g.gf.node_text(root)
    arg = params.get(name) if params else None
    if arg is None or not c.key.startswith(name):
        return None
    ak = key_of(g.site.file, arg)
    if ak is None:
        return None
    key = ak + c.key[len(name):]
    return ref_of(ctx, g.site.file, arg, key)


def passes(gf: GoFile, call: Node, key: str) -> bool:
    """The call hands the WaitGroup (or the value holding it) to the callee as an argument."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    root = key.split(".", 1)[0].split("[", 1)[0]
    for a in args.named_children:
        k = key_of(gf, a)
        if k is not None and (k == key or k == root):
            return True
    return False


def calls_under(node: Node) -> Iterator[Node]:
    """Call expressions inside node (node included), function literals included."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            yield n
        stack.extend(n.named_children)
