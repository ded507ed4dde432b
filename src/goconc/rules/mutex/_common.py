"""Glue between the lock-flow analysis and the rules that report its events."""

from __future__ import annotations

from collections.abc import Iterator

from goconc.rules._helpers import line_of  # noqa: F401 - re-exported for the lock rules
from goconc.rules.mutex._lockflow import Event, facts


def events(ctx, kind: str) -> Iterator[Event]:
    """Events of `kind` in every function of the file that uses a lock (or calls a function
    of the package that takes or releases one)."""
    lf = facts(ctx.analysis)
    for fn in lf.functions(ctx.file):
        for ev in lf.analyze(ctx.file, fn).events:
            if ev.kind == kind:
                yield ev


def func_name(gf, fn) -> str:
    """How a function is named in a message: `(*Conn).Close`, `flush`, `a func literal in
    Serve`."""
    from goconc.gomodel import top_function

    if fn.type == "func_literal":
        top = top_function(fn)
        return f"a func literal in {func_name(gf, top)}" if top is not None and top != fn else "a func literal"
    name = fn.child_by_field_name("name")
    text = gf.node_text(name) if name is not None else "?"
    if fn.type == "method_declaration":
        recv = fn.child_by_field_name("receiver")
        tn = None
        for p in recv.named_children if recv is not None else ():
            tn = p.child_by_field_name("type")
        if tn is not None:
            return f"({' '.join(gf.node_text(tn).split())}).{text}"
    return text


def op_text(ev_op) -> str:
    return f"{ev_op.text}.{ev_op.op}()"


def fn_items(ctx, call) -> list:
    """The lock items (see _lockflow.FuncItems) of the function a lock call belongs to."""
    from goconc.rules.mutex._lockflow import _owner

    owner, _ = _owner(call)
    return facts(ctx.analysis).items(ctx.file, owner) if owner is not None else []


def released_elsewhere(items: list, key: str) -> bool:
    """The function may release `key` through something the analysis does not follow: a helper
    of the package that releases locks, or the lock's Unlock used as a function value."""
    return any(it[0] == "release_all" or (it[0] == "value" and it[1] == key) for it in items)


def calls_unseen_release(ctx, call) -> bool:
    """The function of `call` (closures included) calls something that may release a lock
    without the flow analysis seeing it: a function of the package whose summary releases a
    lock its caller holds (or is not known), or a func value of unknown origin."""
    from goconc.analysis import CALLGRAPH
    from goconc.gomodel import FUNC_NODES, top_function
    from goconc.rules.mutex._lockflow import _releases

    top = top_function(call)
    if top is None:
        return True
    lf = facts(ctx.analysis)
    cg = ctx.analysis.result(CALLGRAPH)
    stack = [top]
    while stack:
        n = stack.pop()
        stack.extend(n.named_children)
        if n.type not in FUNC_NODES:
            continue
        fid = cg.func_id(n)
        if fid is None:
            return True
        for site in cg.calls_from(fid):
            c = site.callee
            if c.kind == "func" and not c.id.is_literal and _releases(lf.summary(c.id)):
                return True
            if c.kind in ("dynamic", "unknown") and (
                    site.node.child_by_field_name("function").type == "identifier"
                    or site.name in lf.release_names()):
                return True  # a func value that is no literal of this function, or a method like a releaser
    return False


def escapes_in_package(ctx, op) -> bool:
    """Some function of the package lets this lock go as a value (its address passed, stored
    or returned, a method value of it, `RLocker()`): a copy made there may release it in this
    function without a call the analysis sees (`c.l = &c.mu` in a constructor, `c.l.Unlock()`
    here). Locks are matched by where they live (`T.mu`, a package variable); one whose home
    cannot be told counts as escaped unless it is local to the function."""
    from goconc.rules.mutex._lockflow import lock_home, package_escaped_homes

    fn = op.call.child_by_field_name("function")
    recv = fn.child_by_field_name("operand") if fn is not None else None
    if recv is None:
        return True
    home = lock_home(ctx.pkg, ctx.file, recv, ctx.pkg.type_of(ctx.file, recv))
    if not home:
        return _outside_locals(ctx, recv)
    return home in package_escaped_homes(ctx.analysis)


def _outside_locals(ctx, recv) -> bool:
    """The lock is not a variable of the function (or reached from a parameter of an unnamed
    type): it may be shared with code this function does not show."""
    from goconc.rules._helpers import identifiers

    ids = list(identifiers(recv))
    if not ids:
        return True
    d = ctx.pkg.lookup(ctx.file, ids[0])
    return d is None or d.how not in ("define", "var")


def method_name_node(call):
    """The `Unlock` of `x.mu.Unlock()`."""
    fn = call.child_by_field_name("function")
    return fn.child_by_field_name("field") if fn is not None else None


def fix_blocked(ctx, op) -> bool:
    """A fix of `op`'s lock must not be offered: a copy of the lock made elsewhere in the
    package may release it here, or a callee may release (or upgrade) it out of sight."""
    return escapes_in_package(ctx, op) or calls_unseen_release(ctx, op.call)
