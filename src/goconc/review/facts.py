"""The concurrency model of one package, as facts with their lines: the goroutines it starts and
how each one stops, its channels (made where, buffer, who sends, receives and closes), the
locks of its structs and the fields each one guards, its exported types against what their
doc promises, and the functions that take a context.

Everything is read from the package model (goconc.gomodel) and the shared analyses
(FIELD_ACCESSES: which lock is held at each field access); nothing is guessed. What the
source does not settle is said as unknown with the reason ("runs h.serve of another
package"), never dressed up as a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from goconc.gomodel import GoSite, Package, enclosing_function, named
from goconc.rules._helpers import doc_comment
from goconc.source import GoFile, Node


@dataclass(frozen=True)
class Loc:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Goroutine:
    at: Loc
    started_in: str  # the function whose body has the go statement
    runs: str  # "a function literal", "s.loop", "worker"
    captures: list[str]
    stops: str  # how it ends, in words (or why that is unknown)
    known: bool  # whether `stops` is established (False: unknown)
    forever: bool = False  # nothing in it leaves its loop
    blocks_on: list[str] = field(default_factory=list)  # channel operations outside a select with default
    lines: tuple[int, int] = (0, 0)  # the lines of what it runs, when that is a literal
    findings: list[str] = field(default_factory=list)  # findings inside it (filled by the review)


@dataclass
class Channel:
    name: str  # the variable (in function F) or Type.field
    elem: str
    buffer: str  # "unbuffered", "buffered (N)"
    made: list[Loc] = field(default_factory=list)
    sends: list[Loc] = field(default_factory=list)
    receives: list[Loc] = field(default_factory=list)
    closes: list[Loc] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)  # where it leaves the code this table can follow


@dataclass
class Guard:
    field: str
    lock: str  # the lock most of its accesses hold ("" when none)
    guarded: int
    total: int
    unguarded: list[Loc] = field(default_factory=list)


@dataclass
class LockedType:
    name: str
    locks: list[str]  # "mu (sync.RWMutex)"
    guards: list[Guard]


@dataclass
class TypeSafety:
    name: str
    at: Loc
    doc: str  # "safe for concurrent use" | "not safe for concurrent use" | "" (says nothing)
    sees: str  # what the analysis sees
    verdict: str  # agrees | contradicts | undocumented | unknown


@dataclass
class ContextUse:
    func: str
    at: Loc
    honours: str  # how the function uses its context
    known: bool


@dataclass
class PackageFacts:
    name: str
    directory: str
    import_path: str
    go_version: tuple[int, int] | None
    goroutines: list[Goroutine] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    locked_types: list[LockedType] = field(default_factory=list)
    types: list[TypeSafety] = field(default_factory=list)
    contexts: list[ContextUse] = field(default_factory=list)
    gomaxprocs: list[Loc] = field(default_factory=list)
    caller_duties: list[str] = field(default_factory=list)
    has_test_main: bool = False
    test_names: set[str] = field(default_factory=set)


_LOCKS = {"Mutex", "RWMutex"}
_SAFE = re.compile(rb"\b(safe|ok|okay)\s+(for|to\s+use\s+(from|by|with))\s+(concurrent|simultaneous|parallel|multiple)"
                   rb"|\b(concurrency|goroutine|thread)[- ]safe\b|\bmay be (used|called) (from|by) (multiple|many|several|any) "
                   rb"goroutines?\b", re.I)
_UNSAFE = re.compile(rb"\bnot\s+(safe|thread[- ]safe|goroutine[- ]safe|concurrency[- ]safe)\b", re.I)
_DUTY = re.compile(r"[^.]*\b(must|must not|should not|do not|don't|only after|before calling|after calling)\b[^.]*\.",
                   re.I)


def _loc(gf: GoFile, node: Node) -> Loc:
    return Loc(gf.path, node.start_point[0] + 1)


def _func_name(pkg: Package, gf: GoFile, fn: Node | None) -> str:
    """`F`, `T.M`, or `F (a literal in it)` for the function a node is in."""
    if fn is None:
        return "package scope"
    top = fn
    while top.parent is not None and top.type == "func_literal":
        up = enclosing_function(top.parent) if top.parent is not None else None
        if up is None:
            break
        top = up
    name = top.child_by_field_name("name")
    text = gf.node_text(name) if name is not None else "?"
    if top.type == "method_declaration":
        fd = pkg.func_decl(top, gf)
        if fd is not None and fd.recv_base:
            text = f"{fd.recv_base}.{text}"
    return text + (" (a function literal in it)" if fn.type == "func_literal" else "")


def _sources(pkg: Package):
    """The package's files without its tests: the model is of the code the tests exercise."""
    return [gf for gf in pkg.files if not gf.path.endswith("_test.go")]


def _walk(node: Node, *, into_literals: bool = False):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for c in reversed(n.named_children):
            if c.type == "func_literal" and not into_literals:
                continue
            stack.append(c)


# ---- goroutines ---------------------------------------------------------------------------


def _body_of_started(pkg: Package, gf: GoFile, site: GoSite) -> tuple[GoFile, Node | None, str]:
    """(file, body, what it runs) of the function a goroutine runs; body None when the source
    does not show it (another package, a func value)."""
    if site.body is not None:
        return gf, site.body.child_by_field_name("body"), "a function literal"
    fn = site.call.child_by_field_name("function")
    if fn is None:
        return gf, None, "?"
    text = gf.node_text(fn)
    if fn.type == "identifier" and text in pkg.funcs:
        fd = pkg.funcs[text]
        return fd.file, fd.body, text
    if fn.type == "selector_expression":
        operand, name = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        t = pkg.type_of(gf, operand)
        base = t.deref() if t is not None else None
        if base is not None and base.kind == "named" and base.pkg == "" and name is not None:
            fd = pkg.method(base, gf.node_text(name))
            if fd is not None:
                return fd.file, fd.body, text
    return gf, None, text


def _exits(gf: GoFile, loop: Node) -> list[tuple[Node, str]]:
    """The statements that leave `loop`: returns, a break of this loop (not of a select or switch
    inside it), goto, and calls that end the goroutine or the program."""
    label = None
    if loop.parent is not None and loop.parent.type == "labeled_statement":
        lab = loop.parent.child_by_field_name("label")
        label = gf.node_text(lab) if lab is not None else None
    out = []
    for n in _walk(loop.child_by_field_name("body") or loop):
        if n.type == "return_statement":
            out.append((n, "return"))
        elif n.type == "goto_statement":
            out.append((n, "goto"))
        elif n.type == "break_statement":
            target = n.named_children[0] if n.named_children else None
            if target is not None and label is not None and gf.node_text(target) == label:
                out.append((n, "break"))
            elif target is None and _innermost_breakable(n) == loop:
                out.append((n, "break"))
        elif n.type == "call_expression":
            text = gf.node_text(n.child_by_field_name("function") or n)
            if text in ("runtime.Goexit", "os.Exit", "panic", "log.Fatal", "log.Fatalf", "log.Panic", "t.Fatal",
                        "t.Fatalf", "t.FailNow", "b.Fatal", "b.Fatalf"):
                out.append((n, text))
    return out


def _innermost_breakable(n: Node) -> Node | None:
    p = n.parent
    while p is not None:
        if p.type in ("for_statement", "select_statement", "expression_switch_statement", "type_switch_statement"):
            return p
        if p.type in ("func_literal", "function_declaration", "method_declaration"):
            return None
        p = p.parent
    return None


def _case_of(n: Node) -> Node | None:
    p = n.parent
    while p is not None and p.type not in ("communication_case", "for_statement", "func_literal"):
        p = p.parent
    return p if p is not None and p.type == "communication_case" else None


def _first_in_case(node: Node, case: Node) -> bool:
    """Whether `node` is the first statement of a select case's body."""
    body = [c for c in case.named_children if c != case.child_by_field_name("communication") and c.type != "comment"]
    if body and body[0].type == "statement_list":
        body = [c for c in body[0].named_children if c.type != "comment"]
    return bool(body) and body[0] == node


def _received(gf: GoFile, case: Node) -> str | None:
    """The channel expression a select case receives from (`<-ctx.Done()` -> "ctx.Done()")."""
    comm = case.child_by_field_name("communication")
    if comm is None:
        return None
    for n in _walk(comm):
        if n.type == "unary_expression" and gf.node_text(n).startswith("<-"):
            operand = n.child_by_field_name("operand")
            return gf.node_text(operand) if operand is not None else None
    return None


def _stops(pkg: Package, gf: GoFile, body: Node | None, runs: str) -> tuple[str, bool, bool]:
    """How a goroutine whose function body is `body` ends: (words, known, forever)."""
    if body is None:
        return f"unknown: it runs {runs}, whose body is not in this package", False, False
    loops = [n for n in _walk(body) if n.type == "for_statement"]
    outer = [lp for lp in loops if not any(o is not lp and o.start_byte <= lp.start_byte and lp.end_byte <= o.end_byte
                                           for o in loops)]
    if not outer:
        return "returns when its body ends (it has no loop)", True, False
    words = []
    forever = False
    for loop in outer:
        line = loop.start_point[0] + 1
        rng = next((c for c in loop.named_children if c.type == "range_clause"), None)
        cond = next((c for c in loop.named_children if c.type not in ("block", "range_clause", "for_clause", "comment")),
                    None)
        clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
        exits = _exits(gf, loop)
        signals, later, plain = [], [], []
        for node, kind in exits:
            case = _case_of(node)
            src = _received(gf, case) if case is not None else None
            if src is None:
                plain.append((node, kind))
            elif kind == "return" and _first_in_case(node, case):
                signals.append(src)  # the case's own statement: it returns as soon as it receives
            else:
                later.append((src, node))
        if rng is not None:
            right = rng.child_by_field_name("right")
            t = pkg.type_of(gf, right) if right is not None else None
            what = gf.node_text(right) if right is not None else "?"
            if t is not None and t.kind == "chan":
                words.append(f"its loop (line {line}) ends when `{what}` is closed")
            else:
                words.append(f"its loop (line {line}) ends after ranging over `{what}`")
        elif cond is not None or (clause is not None and clause.child_by_field_name("condition") is not None):
            c = cond if cond is not None else clause.child_by_field_name("condition")
            words.append(f"its loop (line {line}) ends when `{gf.node_text(c)}` is false")
        elif not exits:
            words.append(f"nothing stops it: its loop (line {line}) has no return, break or cancellation case")
            forever = True
            continue
        for src in dict.fromkeys(signals):
            if src.endswith(".Done()"):
                words.append(f"it returns when `{src[: -len('.Done()')]}` is cancelled")
            else:
                words.append(f"it returns when `{src}` receives a value or is closed")
        for src, node in later[:2]:
            words.append(f"it can return after a receive from `{src}` (line {node.start_point[0] + 1})")
        for node, kind in plain[:2]:
            words.append(f"it leaves its loop at line {node.start_point[0] + 1} ({kind})")
    return "; ".join(words), True, forever


def _blocking(gf: GoFile, body: Node | None) -> list[str]:
    """The channel operations of a body that may wait: sends and receives outside a select,
    and selects without a default case (function literals inside left out)."""
    if body is None:
        return []
    out = []
    for n in _walk(body):
        line = n.start_point[0] + 1
        if n.type == "select_statement":
            if not any(c.type == "default_case" for c in n.named_children):
                out.append(f"a select (line {line})")
        elif n.type in ("send_statement", "unary_expression", "range_clause") and _case_of(n) is None:
            if n.type == "send_statement":
                ch = n.child_by_field_name("channel")
                out.append(f"send on `{gf.node_text(ch) if ch is not None else '?'}` (line {line})")
            elif n.type == "unary_expression" and gf.node_text(n).startswith("<-"):
                ch = n.child_by_field_name("operand")
                out.append(f"receive from `{gf.node_text(ch) if ch is not None else '?'}` (line {line})")
    return out


def goroutines(pkg: Package) -> list[Goroutine]:
    out = []
    for gf in _sources(pkg):
        for site in pkg.go_sites(gf, gf.root):
            body_file, body, runs = _body_of_started(pkg, gf, site)
            stops, known, forever = _stops(pkg, body_file, body, runs)
            captured = [d.name for d in pkg.captures(gf, site)]
            kind = {"errgroup": " (errgroup Go)", "waitgroup": " (WaitGroup.Go)"}.get(site.kind, "")
            g = Goroutine(_loc(gf, site.node), _func_name(pkg, gf, enclosing_function(site.node)),
                          runs + kind, captured, stops, known, forever, _blocking(body_file, body))
            if site.body is not None:
                g.lines = (site.body.start_point[0] + 1, site.body.end_point[0] + 1)
            out.append(g)
    return out


# ---- channels -----------------------------------------------------------------------------


def _chan_make(gf: GoFile, n: Node) -> tuple[str, str] | None:
    """(element type, buffer words) for `make(chan T[, n])`."""
    if n.type != "call_expression" or gf.node_text(n.child_by_field_name("function") or n) != "make":
        return None
    args = [a for a in (n.child_by_field_name("arguments") or n).named_children if a.type != "comment"]
    if not args or args[0].type != "channel_type":
        return None
    elem = gf.node_text(args[0]).replace("chan", "", 1).strip().lstrip("<-").strip()
    if len(args) == 1 or gf.node_text(args[1]) == "0":
        return elem, "unbuffered"
    return elem, f"buffered ({gf.node_text(args[1])})"


def _chan_key(pkg: Package, gf: GoFile, expr: Node | None):
    """The identity of a channel expression: the local declaration, or (type, field)."""
    while expr is not None and expr.type == "parenthesized_expression":
        expr = expr.named_children[0] if expr.named_children else None
    if expr is None:
        return None
    if expr.type == "identifier":
        d = pkg.lookup(gf, expr)
        if d is not None:
            return ("local", id(d.node))
        if gf.node_text(expr) in pkg.var_nodes:
            return ("global", gf.node_text(expr))
        return None
    if expr.type == "selector_expression":
        t = pkg.type_of(gf, expr.child_by_field_name("operand"))
        base = t.deref() if t is not None else None
        name = expr.child_by_field_name("field")
        if base is not None and base.kind == "named" and base.pkg == "" and name is not None:
            owner = _owner(pkg, base, gf.node_text(name))
            return ("field", owner, gf.node_text(name)) if owner else None
    return None


def _owner(pkg: Package, t, name: str) -> str | None:
    """The struct type that declares field `name` of t, through embedded fields (a promoted
    field is its embedded type's); None when the model cannot tell."""
    path = pkg.field_path(t, name)
    if path is None:
        return None
    for step in path:
        t = pkg.field_type(t, step)
        t = t.deref() if t is not None else None
        if t is None or t.kind != "named" or t.pkg != "":
            return None
    return t.name


def _made_into(pkg: Package, gf: GoFile, call: Node):
    """(key, name) of what a make(chan) is stored in: `ch := make(...)`, `s.ch = make(...)`,
    `T{ch: make(...)}`."""
    p = call.parent
    if p is not None and p.type == "literal_element":  # tree-sitter-go wraps keyed values
        p = p.parent
    if p is not None and p.type == "keyed_element":
        key = p.named_children[0] if p.named_children else None
        lit = p.parent.parent if p.parent is not None else None
        if key is not None and lit is not None and lit.type == "composite_literal":
            t = pkg.resolve_type(lit.child_by_field_name("type"), gf)
            base = t.deref() if t is not None else None
            if base is not None and base.kind == "named" and base.pkg == "":
                k = gf.node_text(key.named_children[0] if key.named_children else key)
                return ("field", base.name, k), f"{base.name}.{k}"
        return None
    if p is None or p.type != "expression_list":
        return None
    values = [c for c in p.named_children if c.type != "comment"]
    i = values.index(call) if call in values else -1
    q = p.parent
    if q is None or i < 0:
        return None
    if q.type in ("short_var_declaration", "assignment_statement", "var_spec"):
        left = q.child_by_field_name("left") if q.type != "var_spec" else None
        targets = [c for c in left.named_children if c.type != "comment"] if left is not None else \
            [c for c in q.children_by_field_name("name")]
        if i < len(targets):
            tgt = targets[i]
            key = _chan_key(pkg, gf, tgt)
            if key is not None:
                where = _func_name(pkg, gf, enclosing_function(call))
                name = gf.node_text(tgt)
                if key[0] == "field":
                    return key, f"{key[1]}.{key[2]}"
                return key, f"{name} (in {where})" if key[0] == "local" else name
    return None


def channels(pkg: Package) -> list[Channel]:
    chans: dict = {}
    for gf in _sources(pkg):
        for n in _walk(gf.root, into_literals=True):
            made = _chan_make(gf, n)
            if made is None:
                continue
            into = _made_into(pkg, gf, n)
            if into is None:
                continue
            key, name = into
            ch = chans.get(key)
            if ch is None:
                ch = chans[key] = Channel(name, made[0], made[1])
            elif ch.buffer != made[1]:
                ch.buffer = "varies"
            ch.made.append(_loc(gf, n))
    if not chans:
        return []
    params = _bound_params(pkg, chans)
    for gf in _sources(pkg):
        for n in _walk(gf.root, into_literals=True):
            op = None
            if n.type == "send_statement":
                op, expr = "sends", n.child_by_field_name("channel")
            elif n.type == "unary_expression" and gf.node_text(n).startswith("<-"):
                op, expr = "receives", n.child_by_field_name("operand")
            elif n.type == "range_clause":
                op, expr = "receives", n.child_by_field_name("right")
            elif n.type == "call_expression" and gf.node_text(n.child_by_field_name("function") or n) == "close":
                args = [a for a in (n.child_by_field_name("arguments") or n).named_children if a.type != "comment"]
                op, expr = "closes", args[0] if len(args) == 1 else None
            if op is None:
                continue
            key = _chan_key(pkg, gf, expr)
            key = params.get(key, key)
            ch = chans.get(key)
            if ch is not None:
                getattr(ch, op).append(_loc(gf, n))
    for gf in _sources(pkg):
        for n in _walk(gf.root, into_literals=True):
            if n.type not in ("identifier", "selector_expression") or n.parent is None:
                continue
            up = n.parent
            where = None
            if up.type == "expression_list" and up.parent is not None and up.parent.type == "return_statement":
                where = f"returned at {gf.path.rsplit('/', 1)[-1]}:{n.start_point[0] + 1}"
            elif up.type == "argument_list":
                call = up.parent
                fn = call.child_by_field_name("function") if call is not None else None
                name = gf.node_text(fn) if fn is not None else ""
                if name not in ("close", "len", "cap") and not (fn is not None and fn.type == "func_literal") \
                        and name not in pkg.funcs:
                    where = f"passed to {name} at {gf.path.rsplit('/', 1)[-1]}:{n.start_point[0] + 1}"
            if where is None:
                continue
            key = _chan_key(pkg, gf, n)
            key = params.get(key, key)
            if key in chans:
                chans[key].escapes.append(where)
    return sorted(chans.values(), key=lambda c: (c.made[0].path, c.made[0].line))


def _bound_params(pkg: Package, chans: dict) -> dict:
    """Parameters that receive a known channel at every call of their function in the package
    (one level: `go worker(jobs)` binds worker's parameter to jobs)."""
    bound: dict = {}
    for gf in pkg.files:
        for n in _walk(gf.root, into_literals=True):
            if n.type != "call_expression":
                continue
            fn = n.child_by_field_name("function")
            params = None
            if fn is not None and fn.type == "func_literal":
                params, pfile = fn.child_by_field_name("parameters"), gf
            elif fn is not None and fn.type == "identifier" and gf.node_text(fn) in pkg.funcs:
                fd = pkg.funcs[gf.node_text(fn)]
                params, pfile = fd.node.child_by_field_name("parameters"), fd.file
            if params is None:
                continue
            names = [ident for p in params.named_children if p.type == "parameter_declaration"
                     for ident in p.children_by_field_name("name")]
            args = [a for a in (n.child_by_field_name("arguments") or n).named_children if a.type != "comment"]
            for ident, arg in zip(names, args, strict=False):
                key = _chan_key(pkg, gf, arg)
                if key in chans:
                    d = pkg.lookup(pfile, ident)
                    if d is not None:
                        pk = ("local", id(d.node))
                        bound[pk] = key if bound.get(pk, key) == key else None
    return {k: v for k, v in bound.items() if v is not None}


# ---- locks and the fields they guard ---------------------------------------------------------


def locked_types(pkg: Package, accesses: dict) -> list[LockedType]:
    """Struct types with a sync.Mutex or RWMutex field, and the lock each field's accesses hold."""
    out = []
    for name in sorted(pkg.types):
        fields = pkg.fields(named("", name))
        if not fields:
            continue
        locks = [(f.name, pkg.lock_kind(f.type)) for f in fields if pkg.lock_kind(f.type) in _LOCKS]
        if not locks:
            continue
        guards = []
        for f in fields:
            if f.embedded or any(f.name == lk for lk, _ in locks):
                continue
            acc = [a for a in accesses.get((name, f.name), []) if a.state != "unknown"]
            if not acc:
                continue
            held: dict[str, int] = {}
            for a in acc:
                if a.state == "guarded":
                    held[a.lock] = held.get(a.lock, 0) + 1
            lock = max(held, key=held.get) if held else ""
            unguarded = [_loc(a.gf, a.node) for a in acc if a.state == "unguarded"]
            guards.append(Guard(f.name, lock, held.get(lock, 0), len(acc), unguarded))
        out.append(LockedType(name, [f"{lk} (sync.{kind})" for lk, kind in locks], guards))
    return out


# ---- exported types: the doc's promise against what the analysis sees -----------------------------


def type_safety(pkg: Package, locked: list[LockedType], findings_by_type: dict[str, list[str]]) -> list[TypeSafety]:
    by_name = {t.name: t for t in locked}
    out = []
    for name, td in sorted(pkg.types.items()):
        if not name[:1].isupper() or td.alias or td.file.path.endswith("_test.go"):
            continue
        fields = pkg.fields(named("", name))
        if fields is None:
            continue  # not a struct
        doc = doc_comment(td.file, td.node.parent if td.node.parent is not None else td.node)
        if not doc:
            doc = doc_comment(td.file, td.node)
        claim = "not safe for concurrent use" if _UNSAFE.search(doc) else \
            "safe for concurrent use" if _SAFE.search(doc) else ""
        atomics = [f.name for f in fields if f.type is not None and f.type.deref().kind == "named"
                   and f.type.deref().pkg == "sync/atomic"]
        lt = by_name.get(name)
        bad = findings_by_type.get(name, [])
        if lt is not None:
            guarded = [g for g in lt.guards if g.lock]
            sees = f"{', '.join(lt.locks)} guarding " + (", ".join(g.field for g in guarded) if guarded
                                                          else "no field the analysis could follow")
            if atomics:
                sees += f"; atomic fields {', '.join(atomics)}"
        elif atomics:
            sees = f"atomic fields {', '.join(atomics)} and no lock"
        else:
            sees = "no lock and no atomic field"
        if bad:
            sees += "; but " + "; ".join(bad)
        if claim == "safe for concurrent use":
            verdict = "contradicts" if bad else "agrees" if lt is not None or atomics else "unknown"
        elif claim:
            verdict = "agrees" if lt is None or not bad else "agrees"
        else:
            verdict = "undocumented" if lt is not None or atomics else "unknown"
        if not claim and lt is None and not atomics:
            continue  # a plain value type that says nothing: nothing to review
        out.append(TypeSafety(name, _loc(td.file, td.node), claim, sees, verdict))
    return out


# ---- context ---------------------------------------------------------------------------------


def contexts(pkg: Package) -> list[ContextUse]:
    out = []
    for gf in _sources(pkg):
        for decl in gf.root.named_children:
            if decl.type not in ("function_declaration", "method_declaration"):
                continue
            fd = pkg.func_decl(decl, gf)
            if fd is None or fd.body is None:
                continue
            ctx = next((p for p, t in fd.params if t is not None and t.is_named("context", "Context")), None)
            if ctx is None:
                continue
            name = _func_name(pkg, gf, decl)
            if ctx == "_":
                out.append(ContextUse(name, _loc(gf, decl), "ignores it (the parameter is named _)", True))
                continue
            uses = [n for n in _walk(fd.body, into_literals=True)
                    if n.type == "identifier" and gf.node_text(n) == ctx]
            if not uses:
                out.append(ContextUse(name, _loc(gf, decl), f"never uses `{ctx}`: cancelling it does not stop "
                                                             "this function", True))
                continue
            done = [u for u in uses if u.parent is not None and u.parent.type == "selector_expression"
                    and gf.node_text(u.parent).endswith((".Done", ".Err"))]
            passed = [u for u in uses if u.parent is not None and u.parent.type == "argument_list"]
            if done:
                out.append(ContextUse(name, _loc(gf, decl), f"watches `{gf.node_text(done[0].parent)}()` "
                                                             f"(line {done[0].start_point[0] + 1})", True))
            elif passed:
                call = passed[0].parent.parent
                callee = gf.node_text(call.child_by_field_name("function") or call)
                out.append(ContextUse(name, _loc(gf, decl), f"passes `{ctx}` on to `{callee}` (line "
                                                             f"{call.start_point[0] + 1}), which decides", False))
            else:
                out.append(ContextUse(name, _loc(gf, decl), f"uses `{ctx}` without watching Done or Err", False))
    return out


# ---- assumptions -------------------------------------------------------------------------------


def gomaxprocs(pkg: Package) -> list[Loc]:
    out = []
    for gf in pkg.files:
        if b"GOMAXPROCS" not in gf.src:
            continue
        for n in _walk(gf.root, into_literals=True):
            if n.type == "call_expression" and gf.node_text(n.child_by_field_name("function") or n) == \
                    "runtime.GOMAXPROCS":
                out.append(_loc(gf, n))
    return out


def caller_duties(pkg: Package) -> list[str]:
    """What callers must do, as the code says it: the stop methods of types that start
    goroutines or hold resources, types with locks that must not be copied, and the doc
    sentences of exported declarations that say must / do not / only after."""
    out = []
    for name, methods in sorted(pkg.methods.items()):
        if not name[:1].isupper():
            continue
        stop = [m for m in ("Close", "Stop", "Shutdown", "Wait") if m in methods]
        if stop:
            out.append(f"call {name}.{stop[0]} when done with a {name}")
    for gf in _sources(pkg):
        for decl in gf.root.named_children:
            if decl.type not in ("function_declaration", "method_declaration", "type_declaration"):
                continue
            name = decl.child_by_field_name("name")
            if decl.type == "type_declaration":
                spec = next((c for c in decl.named_children if c.type == "type_spec"), None)
                name = spec.child_by_field_name("name") if spec is not None else None
            if name is None or not gf.node_text(name)[:1].isupper():
                continue
            text = " ".join(line.strip().lstrip("/").strip() for line in
                            doc_comment(gf, decl).decode("utf-8", "replace").splitlines())
            for m in _DUTY.finditer(text):
                sentence = m.group(0).strip()
                if sentence:
                    out.append(f"{gf.node_text(name)}: \"{sentence}\" ({gf.path}:{decl.start_point[0] + 1})")
    return out


def collect(pkg: Package, import_path: str, accesses: dict, findings_by_type: dict[str, list[str]]) -> PackageFacts:
    locked = locked_types(pkg, accesses)
    facts = PackageFacts(pkg.name, pkg.dir, import_path, pkg.go_version)
    facts.goroutines = goroutines(pkg)
    facts.channels = channels(pkg)
    facts.locked_types = locked
    facts.types = type_safety(pkg, locked, findings_by_type)
    facts.contexts = contexts(pkg)
    facts.gomaxprocs = gomaxprocs(pkg)
    facts.caller_duties = caller_duties(pkg)
    for gf in pkg.files:
        if gf.path.endswith("_test.go"):
            if b"func TestMain(" in gf.src:
                facts.has_test_main = True
            facts.test_names.update(m.decode() for m in re.findall(rb"^func (\w+)\(", gf.src, re.M))
    return facts
