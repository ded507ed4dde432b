"""Small syntax helpers shared by rules: calls, receivers, names, enclosing constructs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from goconc.gomodel import FUNC_NODES, Package, T, enclosing_function
from goconc.source import GoFile, Node

TESTING_TYPES = ("T", "B", "F", "TB")
GOEXIT_METHODS = frozenset({"Fatal", "Fatalf", "FailNow", "SkipNow", "Skip", "Skipf"})


@dataclass(frozen=True)
class MethodCall:
    """`recv.method(args)`."""

    call: Node
    recv: Node
    method: str
    args: list[Node]


def method_call(gf: GoFile, node: Node | None) -> MethodCall | None:
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    recv = fn.child_by_field_name("operand")
    fld = fn.child_by_field_name("field")
    if recv is None or fld is None:
        return None
    args = node.child_by_field_name("arguments")
    arg_nodes = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    return MethodCall(node, recv, gf.node_text(fld), arg_nodes)


def statement_call(stmt: Node) -> Node | None:
    """The call of an expression statement / defer / go statement, if that is all it is."""
    if stmt.type in ("expression_statement", "defer_statement", "go_statement"):
        kids = stmt.named_children
        if len(kids) == 1 and kids[0].type == "call_expression":
            return kids[0]
    return None


_WS = re.compile(r"\s+")


def key_of(gf: GoFile, expr: Node) -> str | None:
    """A stable textual key for an lvalue-like expression (x, x.f, p.f[i], (*p).f), or None
    when the expression contains calls or other parts whose value may change between uses."""
    stack = [expr]
    while stack:
        n = stack.pop()
        t = n.type
        if t in ("identifier", "field_identifier", "int_literal", "interpreted_string_literal",
                 "raw_string_literal", "package_identifier"):
            continue
        if t in ("selector_expression", "parenthesized_expression", "index_expression"):
            stack.extend(n.named_children)
            continue
        if t == "binary_expression" and n.parent is not None and n.parent.type in (
                "index_expression", "binary_expression", "parenthesized_expression"):
            stack.extend(n.named_children)  # an index computed from stable parts: a[i%n]
            continue
        if t == "unary_expression":
            op = n.child_by_field_name("operator")
            if op is not None and gf.node_text(op) in ("*", "&"):
                stack.extend(n.named_children)
                continue
        if t == "interpreted_string_literal_content":
            continue
        return None
    text = _WS.sub("", gf.node_text(expr))
    if text.startswith("(*") and text.endswith(")") and text.count("(") == 1:
        text = text[2:-1]  # (*p) is p for method calls
    return text.replace("(*", "(").lstrip("&")


def identifiers(node: Node) -> Iterator[Node]:
    """Identifiers inside `node`, not descending into function literals."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            yield n
        elif n.type != "func_literal":
            stack.extend(n.named_children)


def root_names(gf: GoFile, key_expr: Node) -> frozenset[str]:
    return frozenset(gf.node_text(i) for i in identifiers(key_expr))


def assigned_names(gf: GoFile, node: Node) -> set[str]:
    """Variables a statement (or CFG node) (re)binds: := / = / var / range / ++ / receive."""
    t = node.type
    out: set[str] = set()
    targets: list[Node] = []
    if t in ("short_var_declaration", "assignment_statement", "range_clause", "receive_statement"):
        left = node.child_by_field_name("left")
        if left is not None:
            targets = left.named_children if left.type == "expression_list" else [left]
    elif t in ("inc_statement", "dec_statement"):
        targets = node.named_children[:1]
    elif t == "var_declaration":
        for c in node.named_children:
            specs = c.named_children if c.type == "var_spec_list" else [c]
            for s in specs:
                for nm in s.children_by_field_name("name"):
                    out.add(gf.node_text(nm))
    elif t == "for_statement":
        return out
    for tg in targets:
        if tg.type == "identifier":
            out.add(gf.node_text(tg))
        elif tg.type == "index_expression":
            # a[i] = x changes what a[i] holds, but not the key `a[i]` of a lock
            pass
    # statements with nested simple statements (if initialisers are separate CFG nodes)
    return out


def in_func(node: Node, fn: Node) -> bool:
    """True when the innermost function around `node` is `fn`."""
    return enclosing_function(node) == fn


def ancestors(node: Node, stop: Node | None = None) -> Iterator[Node]:
    p = node.parent
    while p is not None and p != stop:
        yield p
        p = p.parent


def is_testing_type(t: T | None) -> bool:
    return t is not None and t.deref().is_named("testing", *TESTING_TYPES)


def call_classifier(pkg: Package, gf: GoFile) -> Callable[[Node], str | None]:
    """How a call statement ends control flow: "panic", "goexit" (t.Fatal, runtime.Goexit:
    deferred calls run), "exit" (os.Exit, log.Fatal: the process ends), or None."""

    def classify(call: Node) -> str | None:
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        if fn.type == "identifier":
            if gf.node_text(fn) == "panic" and pkg.lookup(gf, fn) is None and "panic" not in pkg.funcs:
                return "panic"
            return None
        if fn.type != "selector_expression":
            return None
        operand = fn.child_by_field_name("operand")
        fld = fn.child_by_field_name("field")
        if operand is None or fld is None:
            return None
        name = gf.node_text(fld)
        if operand.type == "identifier":
            path = pkg.import_path(gf, operand)
            if path is not None:
                if path == "os" and name == "Exit" or path == "syscall" and name == "Exit":
                    return "exit"
                if path == "log" and name in ("Fatal", "Fatalf", "Fatalln"):
                    return "exit"
                if path == "log" and name in ("Panic", "Panicf", "Panicln"):
                    return "panic"
                if path == "runtime" and name == "Goexit":
                    return "goexit"
                return None
        if name in GOEXIT_METHODS:
            if is_testing_type(pkg.type_of(gf, operand)):
                return "goexit"
            if name.startswith("Fatal"):
                return "exit"  # a logger's Fatal: assume it ends the process
        return None

    return classify


def funcs_in(node: Node) -> Iterator[Node]:
    """Function declarations and literals inside node (node included)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in FUNC_NODES:
            yield n
        stack.extend(n.named_children)


def loop_ancestor(node: Node, stop: Node | None) -> Node | None:
    """The innermost for statement around `node`, within the same function."""
    for a in ancestors(node, stop):
        if a.type in FUNC_NODES:
            return None
        if a.type == "for_statement":
            return a
    return None


def declared_callee(ctx, gf, call):
    """The function or method declared in this package that `call` calls by name, `f(...)` or
    `x.m(...)` (not a promoted method, not a func value), resolved by the call graph (Engine
    v2): a FuncDecl, or None (another package, a builtin, a func value, a literal, unknown)."""
    from goconc.analysis import CALLGRAPH

    fn = call.child_by_field_name("function")
    if fn is None or fn.type not in ("identifier", "selector_expression"):
        return None
    if fn.type == "identifier" and ctx.pkg.lookup(gf, fn) is not None:
        return None  # a local func value: not followed here
    cg = ctx.analysis.result(CALLGRAPH)
    c = cg.callee(gf, call)
    if c.kind != "func" or c.id is None or c.id.is_literal or c.via:
        return None
    info = cg.info(c.id)
    return info.decl if info is not None else None


_BUILD = re.compile(rb"^//go:build (.*)$", re.M)
_GO_TAG = re.compile(r"(!?)\bgo1\.(\d+)\b")


def file_go_version(gf: GoFile, module: tuple[int, int] | None) -> tuple[int, int] | None:
    """The language version of the file: the module's (`module`), raised by a `//go:build
    go1.N` line; None when neither says."""
    head = gf.src[:gf.src.find(b"\npackage ") + 1 if b"\npackage " in gf.src else 2048]
    m = _BUILD.search(head)
    if m is not None:
        expr = m.group(1).decode("utf-8", "replace")
        tags = [(neg, int(minor)) for neg, minor in _GO_TAG.findall(expr)]
        if "||" not in expr:
            ups = [minor for neg, minor in tags if not neg]
            if ups and (module is None or max(ups) > module[1]):
                return (1, max(ups))
    return module


def doc_comment(gf: GoFile, decl: Node) -> bytes:
    """The `//` comment lines right above a declaration (its doc comment), as written."""
    start = decl.start_byte
    lines = gf.src[max(0, start - 4096):start].split(b"\n")
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    out = []
    for line in reversed(lines):
        if not line.strip().startswith(b"//"):
            break
        out.append(line)
    return b"\n".join(reversed(out))


_COMMENT = re.compile(rb"//[^\n]*|/\*.*?\*/", re.S)


def strip_comments(src: bytes) -> bytes:
    """The source without its comments (a `//` inside a string literal cuts that line short)."""
    return _COMMENT.sub(b"", src)


def imported_calls(pkg: Package, gf: GoFile, import_path: str, name: re.Pattern | str) -> Iterator[tuple[Node, str]]:
    """Calls `p.F(...)` in gf of a function of the package `import_path` (however its import
    is named) whose name F matches `name` (a compiled pattern, or the exact name): (call, F)."""
    from goconc.queries import captures

    for call in captures(gf, "calls", None).get("call", ()):
        f = call.child_by_field_name("function")
        if f is None or f.type != "selector_expression":
            continue
        op, fld = f.child_by_field_name("operand"), f.child_by_field_name("field")
        if op is None or fld is None or op.type != "identifier":
            continue
        fname = gf.node_text(fld)
        if (fname != name if isinstance(name, str) else not name.match(fname)) \
                or pkg.import_path(gf, op) != import_path:
            continue
        yield call, fname


def line_of(node: Node) -> int:
    """The 1-based line a node starts on, as messages name it."""
    return node.start_point[0] + 1
