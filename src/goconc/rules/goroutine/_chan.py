"""Local channels shared by a function and the goroutines it starts (GC1002, GC1003)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from goconc.gomodel import enclosing_function

_OK_USES = frozenset({"len", "cap"})
_TEST_FAIL = ("Error", "Errorf", "Fatal", "Fatalf", "Fail", "Failf", "FailNow", "Skip", "Skipf", "SkipNow")


def unbuffered_local(ctx, make_call):
    """For `make(chan T)` (or a constant capacity 0) assigned to a local variable: that
    variable's identifier, its declaration and the function it is local to; else None."""
    gf, pkg = ctx.file, ctx.pkg
    args = make_call.child_by_field_name("arguments")
    vals = [a for a in args.named_children if a.type != "comment"]
    if len(vals) > 2 or (len(vals) == 2 and not (vals[1].type == "int_literal" and gf.node_text(vals[1]) == "0")):
        return None  # buffered (or a capacity we do not know)
    var = assigned_var(make_call)
    decl = pkg.lookup(gf, var) if var is not None else None
    if decl is None or decl.how not in ("define", "var") or decl.func is None:
        return None
    return var, decl, decl.func


def assigned_var(call):
    """The identifier `call` is assigned to (`ch := make(...)`, `var ch = ...`, and one of
    `a, b := make(...), make(...)`)."""
    p = call.parent
    if p is None or p.type != "expression_list":
        return None
    values = [c for c in p.named_children if c.type != "comment"]
    if call not in values:
        return None
    i = values.index(call)
    q = p.parent
    if q is None:
        return None
    if q.type in ("short_var_declaration", "assignment_statement"):
        left = q.child_by_field_name("left")
        if q.child_by_field_name("right") != p or left is None:
            return None
        targets = [c for c in left.named_children if c.type != "comment"]
    elif q.type == "var_spec":
        targets = q.children_by_field_name("name")
    else:
        return None
    if len(targets) != len(values):
        return None
    target = targets[i]
    return target if target.type == "identifier" else None


@dataclass
class Goroutine:
    """A goroutine that sends on the channel: the function it runs (a literal, or a function
    of the package started as `go worker(ch)`), the go statement, the file of that function,
    and its sends."""

    body: object
    go_stmt: object
    file: object
    sends: list


@dataclass
class ChannelUses:
    sends: list  # send_statements, in goroutines `fn` starts
    receives: list  # `<-ch` expressions, in `fn` itself
    goroutines: list  # Goroutine: those that send, in source order of their go statements
    plain: bool  # no receive is a select case
    select_sends: bool  # some send is a select case


def channel_uses(ctx, fn, decl, closes: list | None = None) -> ChannelUses | None:
    """How a local channel is used: sent to by goroutines `fn` starts with `go func() {...}()`
    or `go func(c chan<- T) {...}(ch)` (plain or select sends), received from by `fn` itself, and nothing else but len/cap and one more
    assignment; None when it is used in any other way (passed, stored, returned, closed,
    ranged over, used by another closure, sent to by `fn`). With a `closes` list, `fn` may
    close it too (`close(ch)`, `defer close(ch)`, or in a literal `fn` defers), and range over
    it (a receive): the close calls are added to the list."""
    gf, pkg = ctx.file, ctx.pkg
    sends, receives, lits = [], [], {}
    plain = True
    select_sends = False
    defined = 0
    for n in uses_of(gf, pkg, fn.child_by_field_name("body"), decl.node):
        p = n.parent
        owner = enclosing_function(n)
        if p.type == "send_statement" and p.child_by_field_name("channel") == n:
            if owner == fn:
                return None  # the function sends itself
            if p.parent is not None and p.parent.type == "communication_case":
                select_sends = True  # a send that may give up (or not be taken)
            go_stmt = go_literal(owner, fn, ctx)
            if go_stmt is None:
                return None
            sends.append(p)
            lits.setdefault(go_stmt.id, Goroutine(owner, go_stmt, gf, [])).sends.append(p)
            continue
        if p.type == "unary_expression" and gf.node_text(p.child_by_field_name("operator")) == "<-":
            if owner != fn:
                return None
            receives.append(p)
            if _in_select(p):
                plain = False
            continue
        if closes is not None and p.type == "range_clause" and p.child_by_field_name("right") == n and owner == fn:
            receives.append(p)  # `for v := range ch`: receives until ch is closed
            continue
        if p.type == "argument_list":
            call = p.parent
            f = call.child_by_field_name("function") if call is not None else None
            if f is not None and f.type == "identifier" and gf.node_text(f) in _OK_USES:
                continue
            if closes is not None and f is not None and f.type == "identifier" and gf.node_text(f) == "close" \
                    and (owner == fn or deferred_literal(owner, fn)) and _builtin(ctx, call):
                closes.append(call)
                continue
            # `go func(c chan<- T) { ... c <- v }(ch)`: the literal's parameter is the channel;
            # `go worker(ch)`, `go s.produce(ch)`: the parameter of a function of the package
            go_stmt = call.parent if call is not None else None
            if f is None or go_stmt is None or go_stmt.type != "go_statement" or owner != fn \
                    or call.child_by_field_name("arguments") != p:
                return None
            args = [a for a in p.named_children if a.type != "comment"]
            if f.type == "func_literal":
                body, bgf = f, gf
            else:
                info = _started_function(ctx, call)
                if info is None:
                    return None
                body, bgf = info.node, info.file
            got = _param_sends(bgf, pkg, body, _param_ident(body, args, n))
            if got is None:
                return None
            param_sends, in_select = got
            sends.extend(param_sends)
            select_sends = select_sends or in_select
            if param_sends:
                lits[go_stmt.id] = Goroutine(body, go_stmt, bgf, param_sends)
            continue
        if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement" \
                and p.parent.child_by_field_name("left") == p:
            defined += 1  # `ch = make(...)` once; any other assignment: not followed
            if defined > 1 or owner != fn:
                return None
            continue
        return None
    return ChannelUses(sends, receives, sorted(lits.values(), key=lambda g: g.go_stmt.start_byte), plain, select_sends)


def _started_function(ctx, call):
    """The function or method of the package that `go f(...)` starts (its FuncInfo), when the
    call graph resolves it and its body is known; else None."""
    from goconc.analysis import CALLGRAPH

    cg = ctx.analysis.result(CALLGRAPH)
    callee = cg.callee(ctx.file, call)
    if callee.kind != "func" or callee.id is None or callee.id.is_literal:
        return None
    info = cg.info(callee.id)
    if info is None or info.node.child_by_field_name("body") is None \
            or (info.decl is not None and (info.decl.recv_base or "", info.decl.name) in ctx.pkg.declared_twice):
        return None
    return info


def uses_of(gf, pkg, body, declared):
    """The identifiers in `body` that refer to the variable declared at identifier
    `declared` (the declaring identifier itself left out)."""
    name = gf.node_text(declared)
    stack = [body]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        stack.extend(n.named_children)
        if n.type != "identifier" or n == declared or gf.node_text(n) != name:
            continue
        d = pkg.lookup(gf, n)
        if d is not None and d.node == declared:
            yield n


def _param_ident(lit, args, arg):
    """The parameter name of `lit` that argument `arg` is passed to (None: variadic, unnamed)."""
    if arg not in args:
        return None
    i = args.index(arg)
    params = lit.child_by_field_name("parameters")
    names = []
    for pd in params.named_children if params is not None else ():
        if pd.type == "variadic_parameter_declaration":
            return None
        if pd.type == "parameter_declaration":
            ns = pd.children_by_field_name("name")
            names.extend(ns if ns else [None])
    return names[i] if i < len(names) else None


def _param_sends(gf, pkg, lit, param):
    """The sends on `param` in the literal's own body (and whether one is a select case);
    None when the parameter is used in any other way."""
    if param is None:
        return None
    out, in_select = [], False
    for n in uses_of(gf, pkg, lit.child_by_field_name("body"), param):
        p = n.parent
        if p.type == "send_statement" and p.child_by_field_name("channel") == n and enclosing_function(n) == lit:
            out.append(p)
            in_select = in_select or (p.parent is not None and p.parent.type == "communication_case")
            continue
        if p.type == "argument_list":
            call = p.parent
            f = call.child_by_field_name("function") if call is not None else None
            if f is not None and f.type == "identifier" and gf.node_text(f) in _OK_USES:
                continue
        return None
    return out, in_select


def go_literal(lit, fn, ctx=None):
    """The statement that starts `lit` as a goroutine, written directly in `fn`: `go func()
    {...}()`, or (with ctx) `g.Go(func() error {...})` of an errgroup.Group or a
    sync.WaitGroup; else None."""
    if lit is None or lit.type != "func_literal":
        return None
    call = lit.parent
    if call is not None and call.type == "argument_list" and ctx is not None:
        c = call.parent
        site = ctx.pkg.go_site(ctx.file, c) if c is not None and c.type == "call_expression" else None
        stmt = c.parent if site is not None and site.body == lit else None
        if stmt is not None and stmt.type == "expression_statement" and enclosing_function(stmt) == fn:
            return stmt
        return None
    stmt = call.parent if call is not None and call.type == "call_expression" else None
    if stmt is None or stmt.type != "go_statement" or call.child_by_field_name("function") != lit:
        return None
    return stmt if enclosing_function(stmt) == fn else None


def path_to(cfg, start, first, target, ops):
    """A block path from `start`, the block of node `first`, to the block of `target` (a node
    of the same function) that passes none of `ops` (see escape) before reaching `target`;
    None when every path to it passes one, or `target` is not reached after `first`."""
    goal = cfg.block_of(target)
    if goal is None:
        return None
    if any(r.start_byte < target.start_byte and goal.nodes and goal.nodes[0].start_byte <= r.start_byte
           for r in ops):
        return None  # passed in the target's own block, before it
    if goal is start:
        if first.start_byte < target.start_byte and not any(
                first.start_byte < r.start_byte < target.start_byte for r in ops):
            return [start]
        return None
    path = escape(cfg, start, ops, goal)
    return path + [goal] if path is not None else None


def _builtin(ctx, call) -> bool:
    """The call is of the builtin (`close` not shadowed by a function or variable)."""
    from goconc.analysis import CALLGRAPH

    return ctx.analysis.result(CALLGRAPH).callee(ctx.file, call).kind == "builtin"


def deferred_literal(lit, fn) -> bool:
    """`lit` is a func literal that `fn` defers: `defer func() {...}()`."""
    if lit is None or lit.type != "func_literal":
        return False
    call = lit.parent
    stmt = call.parent if call is not None else None
    return call.type == "call_expression" and call.child_by_field_name("function") == lit \
        and stmt is not None and stmt.type == "defer_statement" and enclosing_function(stmt) == fn


def escape(cfg, start, ops, goal=None, accept=None):
    """A block path from `start` to a normal return (or to block `goal`) that goes through
    none of `ops` (nodes: the channel's receives, or its sends), not leaving a loop with one of
    them in its body through the loop's condition (taken to run as often as needed); None when
    there is none. With `accept`, a way into the goal counts only from a block it accepts."""
    receives = ops
    goal = goal or cfg.exit

    def receives_in(b):
        return any(n.start_byte <= r.start_byte < n.end_byte for n in b.nodes for r in receives)

    barred = set()  # (head, exit) edges of loops whose body receives
    for b in cfg.blocks:
        if len(b.succs) != 2 or not b.nodes:
            continue
        cond = b.nodes[-1]
        loop = cond.parent
        if loop is not None and loop.type == "for_clause":
            loop = loop.parent
        if loop is None or loop.type != "for_statement":
            continue
        body = loop.child_by_field_name("body")
        if body is not None and any(body.start_byte <= r.start_byte < body.end_byte for r in receives):
            barred.add((b.index, b.succs[1].index))
    if receives_in(start):
        return None
    parent = {start: None}
    queue = deque([start])
    while queue:
        b = queue.popleft()
        for s in b.succs:
            if s in parent or (b.index, s.index) in barred:
                continue
            if s is goal and accept is not None and not accept(b):
                continue
            parent[s] = b
            if s is goal:
                path = [b]
                while parent[path[-1]] is not None:
                    path.append(parent[path[-1]])
                return list(reversed(path))
            if s.kind == "body" and not receives_in(s):
                queue.append(s)
    return None




def _in_select(recv) -> bool:
    """The receive is (part of) a select case's communication."""
    n = recv
    for _ in range(3):
        p = n.parent
        if p is None:
            return False
        if p.type == "communication_case":
            return p.child_by_field_name("communication") == n
        if p.type not in ("receive_statement", "expression_statement", "expression_list"):
            return False
        n = p
    return False


def reports_failure(ctx, path, gf=None) -> bool:
    """The path (of a function of file `gf`, by default the rule's file) reports a test
    failure (t.Error, t.Fatal, ... on a testing.T/B/TB, or Ginkgo's Fail): the leak is a
    symptom of a failure already reported."""
    from goconc.rules._helpers import is_testing_type

    gf = gf or ctx.file
    in_test = gf.path.endswith("_test.go")
    for b in path:
        stack = list(b.nodes)
        while stack:
            n = stack.pop()
            if n.type == "func_literal":
                continue
            stack.extend(n.named_children)
            if n.type != "call_expression":
                continue
            f = n.child_by_field_name("function")
            if f is None:
                continue
            if f.type == "identifier" and gf.node_text(f) in ("Fail", "Failf"):
                return True
            if f.type == "selector_expression":
                fld = f.child_by_field_name("field")
                name = gf.node_text(fld) if fld is not None else ""
                args = n.child_by_field_name("arguments")
                if name in ("Fail", "Failf", "FailNow") or (name in _TEST_FAIL and (
                        in_test and args is not None and args.named_child_count > 0  # not err.Error()
                        or is_testing_type(ctx.pkg.type_of(gf, f.child_by_field_name("operand"))))):
                    return True  # t.Error, s.FailNow (testify suites), require.FailNow, ...
    return False


def is_main(ctx, fn) -> bool:
    """`fn` is func main of package main (or init): its return ends the program's goroutines."""
    if fn.type != "function_declaration" or ctx.file.package != "main":
        return False
    name = fn.child_by_field_name("name")
    return name is not None and ctx.file.node_text(name) in ("main", "init")


def in_receiving_loop(node, receives, fn) -> bool:
    """`node` is inside a loop of `fn` whose body receives from the channel."""
    p = node.parent
    while p is not None and p != fn:
        if p.type == "for_statement":
            body = p.child_by_field_name("body")
            if body is not None and any(body.start_byte <= r.start_byte < body.end_byte for r in receives):
                return True
        p = p.parent
    return False


def left_through(path, ret):
    """The select case that the escaping path leaves through: the last case clause it enters
    (not a receive from the channel), when the return is in that case's body."""
    found = None
    for b in path:
        if b.nodes:
            n = b.nodes[0]
            p = n.parent
            if p is not None and p.type == "communication_case" and p.child_by_field_name("communication") == n:
                found = (n, p)
    if found is None or not (found[1].start_byte <= ret.start_byte < found[1].end_byte):
        return None
    return found[0]


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def waits_for(ctx, fn, g):
    """The Wait calls of `fn` (not deferred) that wait for goroutine `g` (a literal) to finish
    after its sends: `wg.Wait()` of a WaitGroup whose Done the literal defers or calls after
    its first send, or the Wait of the errgroup or WaitGroup whose Go runs it."""
    from goconc.queries import file_captures
    from goconc.rules._helpers import key_of, method_call
    from goconc.rules.waitgroup._wg import wg_calls

    gf = ctx.file
    if g.body.type != "func_literal" or g.file is not gf:
        return
    site = ctx.pkg.go_site(gf, g.go_stmt.named_children[0]) if g.go_stmt.type == "expression_statement" else None
    if site is not None and site.receiver is not None:
        # g.Go(func...) / wg.Go(func...): counted until the function returns, after its sends
        key = key_of(gf, site.receiver)
        for call in file_captures(gf, "goconc.rules.waitgroup", "wg_calls.scm", fn).get("call", ()):
            mc = method_call(gf, call)
            if mc is not None and mc.method == "Wait" and key is not None and key_of(gf, mc.recv) == key \
                    and enclosing_function(call) == fn and (call.parent is None or call.parent.type != "defer_statement"):
                yield call
        return
    first_send = min(s.end_byte for s in g.sends)
    refs = {c.ref for c in wg_calls(ctx) if c.owner == g.body and c.method == "Done"
            and (c.deferred or c.call.start_byte >= first_send)}
    if not refs or any(c.owner == g.body and c.method == "Done" and not c.deferred and c.call.start_byte < first_send
                       for c in wg_calls(ctx)):
        return  # a Done before the send lets Wait return
    for c in wg_calls(ctx):
        if c.method == "Wait" and c.owner == fn and not c.deferred and c.ref in refs:
            yield c.call


def waited_on(ctx, fn, g, path) -> bool:
    """A Wait for goroutine `g` lies on the block path: the path never gets past it while the
    goroutine is stuck in its send (GC2005's finding, not a leak or a panic)."""
    waits = list(waits_for(ctx, fn, g))
    return any(n.start_byte <= w.start_byte < n.end_byte for b in path for n in b.nodes for w in waits)
