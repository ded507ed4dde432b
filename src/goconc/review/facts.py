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

from goconc.gomodel import GoSite, Package, enclosing_function, named, top_function
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
    lock: str  # the lock most of its judged accesses hold ("" when none)
    guarded: int
    total: int  # accesses judged: in entry points and goroutines, where who holds what is known
    unguarded: list[Loc] = field(default_factory=list)
    not_judged: int = 0  # accesses in helpers, constructors, callbacks: the lock may or may not be held


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
class ProcsUse:
    at: Loc
    sets: bool  # runtime.GOMAXPROCS(n) with n != 0; else it only reads it


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
    gomaxprocs: list[ProcsUse] = field(default_factory=list)
    starts_on_import: list[str] = field(default_factory=list)  # goroutines started by init / package vars
    caller_duties: list[str] = field(default_factory=list)
    maybe_started: list[str] = field(default_factory=list)  # `x.Go(f)` of another package's type
    focus: str = ""  # "type T", "function F", "method T.M" when the review is of one of them
    has_test_main: bool = False
    test_names: set[str] = field(default_factory=set)


_LOCKS = {"Mutex", "RWMutex"}
_SAFE = re.compile(rb"\bsafe\b[^.]{0,40}\b(concurrent|simultaneous|parallel)"
                   rb"|\b(concurrency|goroutine|thread)[- ]safe\b"
                   rb"|\bfrom (any number of|multiple|many|several|any|other|concurrent) goroutines\b"
                   rb"|\bsafe to call from multiple\b", re.I)
_UNSAFE = re.compile(rb"\bnot\s+(safe|thread[- ]safe|goroutine[- ]safe|concurrency[- ]safe)\b|\bunsafe for concurrent", re.I)
_DUTY = re.compile(r"\b(must|must not|do not|never call|only after|before calling|after calling)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


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
            ft = pkg.field_type(base, gf.node_text(name))
            if ft is not None and ft.kind == "func":
                return gf, None, f"the function value in field `{text}`"
    if fn.type == "identifier":
        d = pkg.lookup(gf, fn)
        if d is not None:
            return gf, None, f"the function value `{text}`"
    return gf, None, text


def _func_value_calls(pkg: Package, gf: GoFile, body: Node) -> list[str]:
    """Function values a body calls that it does not define: parameters and captured variables
    of func type (`f()` in `go func() { defer wg.Done(); f() }()`)."""
    out = []
    for n in _walk(body):
        if n.type != "identifier" or n.parent is None or n.parent.type not in ("call_expression", "argument_list"):
            continue
        if n.parent.type == "call_expression" and n.parent.child_by_field_name("function") != n:
            continue
        d = pkg.lookup(gf, n)
        if d is None or body.start_byte <= d.node.start_byte < body.end_byte:
            continue
        t = pkg.type_of(gf, n)
        if t is not None and t.kind == "func":  # called here, or handed to what runs it (h.pc.Try(f))
            out.append(gf.node_text(n))
    return list(dict.fromkeys(out))


def _given_by_callers(pkg: Package, gf: GoFile, site: GoSite, name: str) -> list[str]:
    """What the callers of the function enclosing `site` pass as its parameter `name`:
    `r.run (api.go:636)`, for a helper such as raft's goFunc(f func())."""
    top = top_function(site.node)
    if top is None:
        return []
    idents = _params(top)
    index = next((i for i, p in enumerate(idents) if gf.node_text(p) == name), None)
    if index is None:
        return []
    out = []
    for other in _sources(pkg):
        for n in _walk(other.root, into_literals=True):
            if n.type != "call_expression":
                continue
            got = callee(pkg, other, n)
            if got is None or got[1] != top:
                continue
            args = [a for a in (n.child_by_field_name("arguments") or n).named_children if a.type != "comment"]
            if index < len(args):
                text = other.node_text(args[index]).split("\n")[0][:40]
                out.append(f"{text} ({other.path.rsplit('/', 1)[-1]}:{n.start_point[0] + 1})")
    return out


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


def _stops(pkg: Package, gf: GoFile, body: Node | None, runs: str, table=None) -> tuple[str, bool, bool]:
    """How a goroutine whose function body is `body` ends: (words, known, forever)."""
    if body is None:
        if runs.startswith("the function value"):
            return f"unknown: it runs {runs}, set elsewhere", False, False
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
            chans = table.of(gf, right) if table is not None and right is not None else []
            if chans and all(not c.closes and not c.escapes for c in chans):
                words.append(f"its loop (line {line}) ranges over `{what}`, which nothing in the package closes")
            elif t is not None and t.kind == "chan":
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


def goroutines(pkg: Package, table=None) -> list[Goroutine]:
    out = []
    for gf in _sources(pkg):
        for site in pkg.go_sites(gf, gf.root):
            body_file, body, runs = _body_of_started(pkg, gf, site)
            stops, known, forever = _stops(pkg, body_file, body, runs, table)
            values = _func_value_calls(pkg, body_file, body) if body is not None and site.body is not None else []
            if values and not forever:
                given = _given_by_callers(pkg, gf, site, values[0])
                stops = (f"unknown: it runs `{values[0]}`, a function its caller gives"
                         + (f" (its callers give {', '.join(given[:6])}{' and more' if len(given) > 6 else ''})"
                            if given else "") + "; " + stops)
                known = False
            captured = [d.name for d in pkg.captures(gf, site)]
            kind = {"errgroup": " (errgroup Go)", "waitgroup": " (WaitGroup.Go)"}.get(site.kind, "")
            g = Goroutine(_loc(gf, site.node), _func_name(pkg, gf, enclosing_function(site.node)),
                          runs + kind, captured, stops, known, forever, _blocking(body_file, body))
            if site.body is not None:
                g.lines = (site.body.start_point[0] + 1, site.body.end_point[0] + 1)
            out.append(g)
    return out


# ---- channels -----------------------------------------------------------------------------


def _chan_make(gf: GoFile, n: Node, pkg: Package | None = None) -> tuple[str, str] | None:
    """(element type, buffer words) for `make(chan T[, n])`."""
    if n.type != "call_expression" or gf.node_text(n.child_by_field_name("function") or n) != "make":
        return None
    args = [a for a in (n.child_by_field_name("arguments") or n).named_children if a.type != "comment"]
    if not args:
        return None
    if args[0].type == "channel_type":
        elem = gf.node_text(args[0]).replace("chan", "", 1).strip().lstrip("<-").strip()
    elif args[0].type in ("type_identifier", "identifier") and pkg is not None:
        under = pkg.underlying(named("", gf.node_text(args[0])))  # `type limiter chan struct{}`
        if under is None or under.kind != "chan":
            return None
        elem = str(under.elem) if under.elem is not None else "?"
    else:
        return None
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


def callee(pkg: Package, gf: GoFile, call: Node):
    """(file, function node) of what a call runs when the package declares it: a function, a
    method of a package type, or a literal called in place; else None."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "func_literal":
        return gf, fn
    if fn.type == "identifier" and gf.node_text(fn) in pkg.funcs and pkg.lookup(gf, fn) is None:
        fd = pkg.funcs[gf.node_text(fn)]
        return fd.file, fd.node
    if fn.type == "selector_expression":
        operand, name = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        t = pkg.type_of(gf, operand) if operand is not None else None
        base = t.deref() if t is not None else None
        if base is not None and base.kind == "named" and base.pkg == "" and name is not None:
            fd = _method(pkg, base, gf.node_text(name))
            if fd is not None:
                return fd.file, fd.node
    return None


def _method(pkg: Package, t, name: str, depth: int = 0):
    """The method `name` of a package type, its own or promoted from an embedded field."""
    fd = pkg.method(t, name)
    if fd is not None or depth > 3:
        return fd
    found = None
    for f in pkg.fields(t.deref()) or ():
        base = f.type.deref() if f.embedded and f.type is not None else None
        if base is not None and base.kind == "named" and base.pkg == "":
            got = _method(pkg, base, name, depth + 1)
            if got is not None:
                if found is not None and got is not found:
                    return None  # ambiguous
                found = got
    return found


def _params(fn: Node) -> list[Node]:
    params = fn.child_by_field_name("parameters")
    return [ident for p in (params.named_children if params is not None else ())
            if p.type in ("parameter_declaration", "variadic_parameter_declaration")
            for ident in p.children_by_field_name("name")]


class _Channels:
    """The channels made in the package, and every expression that holds one of them: a
    variable or field it was assigned to, a parameter it was passed to (any number of
    channels can reach one parameter: its operations count for each)."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.made: dict = {}
        self.links: dict = {}  # key of an expression -> keys of the made channels it may hold
        for gf in _sources(pkg):
            for n in _walk(gf.root, into_literals=True):
                made = _chan_make(gf, n, pkg)
                into = _made_into(pkg, gf, n) if made is not None else None
                if into is None:
                    continue
                key, name = into
                ch = self.made.get(key)
                if ch is None:
                    ch = self.made[key] = Channel(name, made[0], made[1])
                elif ch.buffer != made[1]:
                    ch.buffer = "varies"
                ch.made.append(_loc(gf, n))
        if self.made:
            for _ in range(3):  # links through links: a parameter passed on, a copy of a copy
                self._link()

    def targets(self, key) -> set:
        if key is None:
            return set()
        return {key} if key in self.made else self.links.get(key, set())

    def of(self, gf: GoFile, expr: Node | None) -> list[Channel]:
        return [self.made[k] for k in sorted(self.targets(_chan_key(self.pkg, gf, expr)), key=str)]

    def _add(self, key, targets: set) -> None:
        if key is not None and targets and key not in self.made:
            self.links.setdefault(key, set()).update(targets)

    def _link(self) -> None:
        pkg = self.pkg
        for gf in _sources(pkg):
            for n in _walk(gf.root, into_literals=True):
                if n.type == "call_expression":
                    got = callee(pkg, gf, n)
                    if got is None:
                        continue
                    pfile, fn = got
                    args = [a for a in (n.child_by_field_name("arguments") or n).named_children if a.type != "comment"]
                    for ident, arg in zip(_params(fn), args, strict=False):
                        t = self.targets(_chan_key(pkg, gf, arg))
                        d = pkg.lookup(pfile, ident) if t else None
                        if d is not None:
                            self._add(("local", id(d.node)), t)
                elif n.type in ("short_var_declaration", "assignment_statement"):
                    left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                    if left is None or right is None:
                        continue
                    lhs = [c for c in left.named_children if c.type != "comment"]
                    rhs = [c for c in right.named_children if c.type != "comment"]
                    if len(lhs) == len(rhs):
                        for lt, rt in zip(lhs, rhs, strict=True):
                            self._add(_chan_key(pkg, gf, lt), self.targets(_chan_key(pkg, gf, rt)))
                elif n.type == "keyed_element" and len(n.named_children) == 2:
                    k, v = n.named_children
                    v = v.named_children[0] if v.type == "literal_element" and v.named_children else v
                    lit = n.parent.parent if n.parent is not None else None
                    if lit is None or lit.type != "composite_literal":
                        continue
                    t = pkg.resolve_type(lit.child_by_field_name("type"), gf)
                    base = t.deref() if t is not None else None
                    if base is not None and base.kind == "named" and base.pkg == "":
                        fname = gf.node_text(k.named_children[0] if k.named_children else k)
                        owner = _owner(pkg, base, fname)
                        if owner:
                            self._add(("field", owner, fname), self.targets(_chan_key(pkg, gf, v)))


def channels(pkg: Package, table: _Channels | None = None) -> list[Channel]:
    table = table or _Channels(pkg)
    if not table.made:
        return []
    for gf in _sources(pkg):
        for n in _walk(gf.root, into_literals=True):
            op = expr = None
            if n.type == "send_statement":
                op, expr = "sends", n.child_by_field_name("channel")
            elif n.type == "unary_expression" and gf.node_text(n).startswith("<-"):
                op, expr = "receives", n.child_by_field_name("operand")
            elif n.type == "range_clause":
                op, expr = "receives", n.child_by_field_name("right")
            elif n.type == "call_expression" and gf.node_text(n.child_by_field_name("function") or n) == "close":
                args = [a for a in (n.child_by_field_name("arguments") or n).named_children if a.type != "comment"]
                op, expr = "closes", args[0] if len(args) == 1 else None
            if op is not None:
                for ch in table.of(gf, expr):
                    getattr(ch, op).append(_loc(gf, n))
                continue
            if n.type not in ("identifier", "selector_expression") or n.parent is None:
                continue
            up, where = n.parent, None
            short = gf.path.rsplit("/", 1)[-1]
            if up.type == "expression_list" and up.parent is not None and up.parent.type == "return_statement":
                where = f"returned at {short}:{n.start_point[0] + 1}"
            elif up.type == "argument_list" and up.parent is not None:
                call = up.parent
                fn = call.child_by_field_name("function")
                name = gf.node_text(fn) if fn is not None else ""
                if name not in ("close", "len", "cap") and callee(pkg, gf, call) is None:
                    where = f"passed to {name} at {short}:{n.start_point[0] + 1}"
            if where is not None:
                for ch in table.of(gf, n):
                    if where not in ch.escapes:
                        ch.escapes.append(where)
    return sorted(table.made.values(), key=lambda c: (c.made[0].path, c.made[0].line))


# ---- locks and the fields they guard ---------------------------------------------------------


def locked_types(pkg: Package, accesses: dict) -> list[LockedType]:
    """Struct types with a sync.Mutex or RWMutex field, and the lock each field's accesses hold."""
    out = []
    for name in sorted(pkg.types):
        if pkg.types[name].file.path.endswith("_test.go"):
            continue
        fields = pkg.fields(named("", name))
        if not fields:
            continue
        locks = [(f.name, f.type.deref().name) for f in fields
                 if f.type is not None and f.type.deref().kind == "named" and f.type.deref().pkg == "sync"
                 and f.type.deref().name in _LOCKS]
        if not locks:
            continue
        guards = []
        for f in fields:
            if f.embedded or any(f.name == lk for lk, _ in locks):
                continue
            every = accesses.get((name, f.name), [])
            acc = [a for a in every if a.state != "unknown"]
            if not acc:
                continue
            held: dict[str, int] = {}
            for a in acc:
                if a.state == "guarded":
                    held[a.lock] = held.get(a.lock, 0) + 1
            lock = max(held, key=held.get) if held else ""
            unguarded = [_loc(a.gf, a.node) for a in acc if a.state == "unguarded"]
            guards.append(Guard(f.name, lock, held.get(lock, 0), len(acc), unguarded, len(every) - len(acc)))
        out.append(LockedType(name, [f"{lk} (sync.{kind})" for lk, kind in locks], guards))
    return out


# ---- exported types: the doc's promise against what the analysis sees -----------------------------


def atomic_fields(pkg: Package) -> dict[str, list[str]]:
    """Fields of the package's structs that sync/atomic functions take the address of
    (`atomic.AddInt32(&p.running, 1)`): type -> field names."""
    from goconc.rules._helpers import imported_calls

    out: dict[str, list[str]] = {}
    any_name = re.compile(r"\w+")
    for gf in _sources(pkg):
        if b"sync/atomic" not in gf.src:
            continue
        for call, _ in imported_calls(pkg, gf, "sync/atomic", any_name):
            args = [a for a in (call.child_by_field_name("arguments") or call).named_children if a.type != "comment"]
            if not args or args[0].type != "unary_expression" or not gf.node_text(args[0]).startswith("&"):
                continue
            sel = args[0].child_by_field_name("operand")
            if sel is None or sel.type != "selector_expression":
                continue
            t = pkg.type_of(gf, sel.child_by_field_name("operand"))
            base = t.deref() if t is not None else None
            name = sel.child_by_field_name("field")
            if base is not None and base.kind == "named" and base.pkg == "" and name is not None:
                owner = _owner(pkg, base, gf.node_text(name)) or base.name
                fields = out.setdefault(owner, [])
                if gf.node_text(name) not in fields:
                    fields.append(gf.node_text(name))
    return out


def type_safety(pkg: Package, locked: list[LockedType], findings_by_type: dict[str, list[str]]) -> list[TypeSafety]:
    by_name = {t.name: t for t in locked}
    by_atomic = atomic_fields(pkg)
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
        through = [n for n in by_atomic.get(name, []) if n not in atomics]
        lockers = [f.name for f in fields if f.type is not None and f.type.deref().is_named("sync", "Locker")]
        for f in fields:  # an embedded struct's fields are this type's too
            base = f.type.deref() if f.embedded and f.type is not None else None
            if base is not None and base.kind == "named" and base.pkg == "":
                through += [f"{base.name}.{n}" for n in by_atomic.get(base.name, [])]
                lockers += [f"{base.name}.{g.name}" for g in pkg.fields(base) or ()
                            if g.type is not None and g.type.deref().is_named("sync", "Locker")]
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
        elif lockers:
            sees = f"a sync.Locker ({', '.join(lockers)}; what it guards is not followed)"
        else:
            sees = "no lock" + ("" if through else " and no atomic field")
        if through:
            sees += f"; sync/atomic functions on {', '.join(through[:6])}" + (" and more" if len(through) > 6 else "")
        if bad:
            sees += "; but " + "; ".join(bad)
        if claim == "safe for concurrent use":
            verdict = "contradicts" if bad else "agrees" if lt is not None or atomics or through or lockers \
                else "unknown"
        elif claim:
            verdict = "agrees"
        else:
            verdict = "undocumented" if lt is not None or atomics or through or lockers else "unknown"
        if not claim and lt is None and not atomics and not through and not lockers:
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
                target = gf.node_text(call.child_by_field_name("function") or call)
                out.append(ContextUse(name, _loc(gf, decl), f"passes `{ctx}` on to `{target}` (line "
                                                             f"{call.start_point[0] + 1}); whether that watches it "
                                                             "is not followed", False))
            else:
                out.append(ContextUse(name, _loc(gf, decl), f"uses `{ctx}` without watching Done or Err", False))
    return out


# ---- assumptions -------------------------------------------------------------------------------


def gomaxprocs(pkg: Package) -> list[ProcsUse]:
    out = []
    for gf in _sources(pkg):
        if b"GOMAXPROCS" not in gf.src:
            continue
        for n in _walk(gf.root, into_literals=True):
            if n.type == "call_expression" and gf.node_text(n.child_by_field_name("function") or n) == \
                    "runtime.GOMAXPROCS":
                args = gf.node_text(n.child_by_field_name("arguments") or n).strip("() ")
                out.append(ProcsUse(_loc(gf, n), args not in ("0", "")))
    return out


def caller_duties(pkg: Package) -> list[str]:
    """What callers must do, as the code says it: the stop methods of types that start
    goroutines or hold resources, types with locks that must not be copied, and the doc
    sentences of exported declarations that say must / do not / only after."""
    out = []
    for name, methods in sorted(pkg.methods.items()):
        td = pkg.types.get(name)
        if not name[:1].isupper() or td is None or td.file.path.endswith("_test.go"):
            continue
        stop = [m for m in ("Close", "Stop", "Shutdown", "Wait") if m in methods
                and _has_statements(methods[m].body)]
        if stop:
            out.append(f"call {name}.{stop[0]} when done with it")
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
            for sentence in _SENTENCE.split(text):
                if _DUTY.search(sentence):
                    out.append(f"{gf.node_text(name)}: \"{sentence.strip()}\" ({gf.path}:{decl.start_point[0] + 1})")
    return out


def _maybe_started(pkg: Package) -> list[str]:
    """`x.Go(f)` calls on values of other packages' types that the model does not know as a
    goroutine start (conc's WaitGroup, a pool): they may start one."""
    out = []
    for gf in _sources(pkg):
        if b".Go(" not in gf.src:
            continue
        known = {site.node.start_byte for site in pkg.go_sites(gf, gf.root)}
        for n in _walk(gf.root, into_literals=True):
            if n.type != "call_expression" or n.start_byte in known:
                continue
            fn = n.child_by_field_name("function")
            if fn is None or fn.type != "selector_expression" or callee(pkg, gf, n) is not None:
                continue
            name = fn.child_by_field_name("field")
            if name is not None and gf.node_text(name) == "Go":
                out.append(f"{gf.node_text(n).split(chr(10))[0][:50]} ({gf.path.rsplit('/', 1)[-1]}:"
                           f"{n.start_point[0] + 1})")
    return out


def _starts_on_import(pkg: Package) -> list[str]:
    """Goroutines that package variables' initialisers or init functions start, directly or
    through functions of the package (followed 6 calls deep)."""
    roots = []
    for gf in _sources(pkg):
        for decl in gf.root.named_children:
            if decl.type == "var_declaration":
                specs = [c for c in _walk(decl) if c.type == "var_spec"]
                roots += [(gf, spec, "the package variable " + ", ".join(gf.node_text(n) for n in
                                                                          spec.children_by_field_name("name")))
                          for spec in specs]
            elif decl.type == "function_declaration" and gf.node_text(decl.child_by_field_name("name") or decl) == "init":
                roots.append((gf, decl, "init"))
    out = []
    for gf, root, what in roots:
        seen, frontier = set(), [(gf, root)]
        for _ in range(6):
            nxt = []
            for f, node in frontier:
                for n in _walk(node, into_literals=True):
                    if n.type == "go_statement" or (n.type == "call_expression" and pkg.go_site(f, n) is not None):
                        where = f"{f.path.rsplit('/', 1)[-1]}:{n.start_point[0] + 1}"
                        line = f"{what} ({gf.path.rsplit('/', 1)[-1]}:{root.start_point[0] + 1}) starts the goroutine at {where}"
                        if line not in out:
                            out.append(line)
                    elif n.type == "call_expression":
                        got = callee(pkg, f, n)
                        if got is not None and got[1].type != "func_literal" and got[1].id not in seen:
                            seen.add(got[1].id)
                            nxt.append(got)
            frontier = nxt
    return out


def _has_statements(body: Node | None) -> bool:
    return body is not None and any(c.type not in ("comment", "{", "}") for c in body.named_children)


def collect(pkg: Package, import_path: str, accesses: dict, findings_by_type: dict[str, list[str]]) -> PackageFacts:
    locked = locked_types(pkg, accesses)
    facts = PackageFacts(pkg.name, pkg.dir, import_path, pkg.go_version)
    table = _Channels(pkg)
    facts.channels = channels(pkg, table)
    facts.goroutines = goroutines(pkg, table)
    facts.maybe_started = _maybe_started(pkg)
    facts.starts_on_import = _starts_on_import(pkg)
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
