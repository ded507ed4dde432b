"""a field or variable used with sync/atomic and also plainly

## What it does
Finds a struct field or package-level variable that the package reads or writes through
`sync/atomic` (`atomic.AddInt64(&s.n, 1)`, `atomic.LoadInt32(&state)`, `StoreUint32`, `Swap`,
`CompareAndSwap`, `And`, `Or`) and that some other code of the package reads or writes
plainly (`s.n++`, `if state == closed`, `s.n = 0`). The plain access is reported, with an
atomic one as the related location.

## Why is this bad?
Atomic operations order memory only against other atomic operations on the same word. A plain
read next to an atomic write is a data race: the compiler may keep the value in a register,
reorder it, or tear it on 32-bit platforms, and the race detector reports it whenever both run
together. Code that is "atomic almost everywhere" usually grew a fast path or a debug print
that forgot.

## Example
```go
type Pool struct{ closed int32 }

func (p *Pool) Close() { atomic.StoreInt32(&p.closed, 1) }

func (p *Pool) Get() (*Conn, error) {
	if p.closed == 1 { // a plain read of a field written atomically
		return nil, ErrClosed
	}
	...
}
```

## Use instead
```go
func (p *Pool) Get() (*Conn, error) {
	if atomic.LoadInt32(&p.closed) == 1 {
		return nil, ErrClosed
	}
	...
}
```
Or make the field an `atomic.Int32`, whose methods are the only way to reach it.

## Limitations
Fields are identified by their struct type and name (through the receiver's or operand's
type as the source states it), package-level variables by name; locals are not checked (a
plain read after `wg.Wait()` is the common, correct way to collect a counter). Plain accesses
that usually run before the value is shared are not reported: in a function named `New...`,
`new...` or `init`, on a value the function itself just made (`s := &S{}`), and in test files
(tests read counters after waiting for the goroutines). Nor are plain accesses in a function
that takes a lock (`Lock`, `RLock`, `lock()`) or whose name says it runs with one held
(`...Locked`): a design where the atomic side holds the same lock is not compared. Also quiet:
a function whose comments (or doc comment) say why no atomic is needed ("no need for an
atomic", "non-atomic", "racy", "benign", "exclusive access", "world stopped", load-acquire
and the like), a read that a `CompareAndSwap` of the same
function validates, a blank `_ = s.n`, a read after a `Wait()` in the same function, a
field of a local struct value (a copy), `unsafe.Offsetof`, a function documented as called
with a lock held, an access before a `go` statement of the function (ordered before the
goroutine), and a struct declared more than once in the package (per platform). Passing the
address (`&s.n`) to another function is not a plain access. A plain access ordered by other
means (a channel handshake) is still reported.
"""

from __future__ import annotations

import re

from goconc.gomodel import enclosing_function, top_function
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import doc_comment, imported_calls
from goconc.rules.race._shared import HELD_DOC, freshly_made, in_constructor

_ATOMIC = re.compile(r"^(Add|Load|Store|Swap|CompareAndSwap|And|Or)(Int32|Int64|Uint32|Uint64|Uintptr|Pointer)$")
_DELIBERATE = re.compile(rb"//.*(?:no need (?:for|to use|of) (?:an? )?atomic|need(?:s)? not be atomic|non-?atomic|"
                         rb"\bracy\b|benign|exclusive access|world (?:is )?stopped|no other goroutine|"
                         rb"load-acquire|load-consume|store-release)", re.I)
_LOCKS = re.compile(rb"\.(?:R?Lock|TryR?Lock)\(\)|\block\(\)")


def _atomic_sites(ctx) -> dict:
    """Package-wide: the atomic accesses by key, ("field", type, name) or ("var", name)
    (memoised)."""
    memo = ctx.analysis.memo
    got = memo.get("atomic-sites")
    if got is not None:
        return got
    got = {}
    memo["atomic-sites"] = got
    pkg = ctx.pkg
    for gf in pkg.files:
        if b"atomic." not in gf.src:
            continue
        for call, _ in imported_calls(pkg, gf, "sync/atomic", _ATOMIC):
            args = call.child_by_field_name("arguments")
            first = next((a for a in args.named_children if a.type != "comment"), None) if args else None
            if first is None or first.type != "unary_expression" or gf.node_text(first.child_by_field_name("operator")) != "&":
                continue
            key = _key(pkg, gf, first.child_by_field_name("operand"))
            if key is not None:
                got.setdefault(key, []).append((gf, call))
    return got


def _key(pkg, gf, expr):
    if expr is None:
        return None
    if expr.type == "selector_expression":
        operand, fld = expr.child_by_field_name("operand"), expr.child_by_field_name("field")
        if operand is None or fld is None:
            return None
        if operand.type == "identifier" and pkg.import_path(gf, operand) is not None:
            return None  # pkg.Var of another package
        t = pkg.type_of(gf, operand)
        base = t.deref() if t is not None else None
        if base is None or base.kind != "named" or base.pkg != "" or not base.name:
            return None
        return ("field", base.name, gf.node_text(fld))
    if expr.type == "identifier":
        name = gf.node_text(expr)
        if pkg.lookup(gf, expr) is None and name in pkg.var_nodes:
            return ("var", name)
    return None


@rule(code="GC7005", name="mixed-atomic-access", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if gf.path.endswith("_test.go"):
        return
    sites = _atomic_sites(ctx)
    if not sites:
        return
    sites = _shared_sites(ctx, sites)
    fields = {k[2] for k in sites if k[0] == "field"}
    names = {k[1] for k in sites if k[0] == "var"}
    words = fields | names
    if not words or not re.search(rb"\b(?:%s)\b" % b"|".join(re.escape(w.encode()) for w in sorted(words)), gf.src):
        return
    pkg = ctx.pkg
    seen = set()
    cands = []
    stack = [gf.root]
    while stack:
        n = stack.pop()
        stack.extend(n.named_children)
        if n.type in ("selector_expression", "identifier"):
            cands.append(n)
    for n in sorted(cands, key=lambda x: x.start_byte):
        if n.type == "selector_expression":
            fld = n.child_by_field_name("field")
            if fld is None or gf.node_text(fld) not in fields:
                continue
        elif n.type == "identifier":
            if gf.node_text(n) not in names or n.parent is None or n.parent.type == "selector_expression" \
                    and n.parent.child_by_field_name("field") == n:
                continue
        key = _key(pkg, gf, n)
        if key is None or key not in sites or key in seen or _copy(pkg, gf, n):
            continue
        if not _plain(gf, n) or _before_sharing(ctx, n):
            continue
        seen.add(key)  # one finding per field and file: the first plain access
        what = f"{key[1]}.{key[2]}" if key[0] == "field" else key[1]
        agf, acall = sites[key][0]
        fn_name = " ".join(agf.node_text(acall.child_by_field_name("function")).split())
        access = "written" if _written(n) else "read"
        yield ctx.report(
            n,
            f"{what} is {access} here plainly, but is accessed with {fn_name} elsewhere: mixing atomic and plain "
            f"access to one variable is a data race; use the atomic functions here too (or make it an "
            f"atomic type)",
            related=[ctx.related(acall, f"{fn_name} on {what}")],
        )


def _plain(gf, n) -> bool:
    """The expression reads or writes the value: not an `&x` (handed to an atomic or another
    function), not a method value or a call's function."""
    p = n.parent
    if p is None:
        return False
    if p.type == "unary_expression" and gf.node_text(p.child_by_field_name("operator")) == "&":
        return False
    if p.type == "call_expression" and p.child_by_field_name("function") == n:
        return False
    if p.type == "selector_expression" and p.child_by_field_name("operand") == n:
        return False  # x.f.g: another location
    if p.type in ("field_declaration", "keyed_element", "literal_element") and n.type == "identifier":
        return False
    if p.type == "var_spec" or p.type == "parameter_declaration":
        return False
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement":
        left = p.parent.child_by_field_name("left")
        if left is not None and p.parent.child_by_field_name("right") == p and gf.node_text(left).strip() == "_":
            return False  # `_ = x.f`: touches the value on purpose (a race-detector hint)
    return True


def _copy(pkg, gf, n) -> bool:
    """`snap.n` on a local or parameter that holds a struct value (a copy, not the shared one),
    or an operand of unsafe.Offsetof (no read at all)."""
    p = n.parent
    while p is not None and p.type in ("argument_list", "parenthesized_expression"):
        if p.type == "argument_list" and p.parent is not None and \
                " ".join(gf.node_text(p.parent.child_by_field_name("function")).split()) == "unsafe.Offsetof":
            return True
        p = p.parent
    if n.type != "selector_expression":
        return False
    operand = n.child_by_field_name("operand")
    if operand is None or operand.type != "identifier" or pkg.lookup(gf, operand) is None:
        return False
    t = pkg.type_of(gf, operand)
    return t is not None and t.kind == "named"


def _written(n) -> bool:
    p = n.parent
    if p is not None and p.type == "expression_list":
        q = p.parent
        return q is not None and q.type in ("assignment_statement", "short_var_declaration") \
            and q.child_by_field_name("left") == p
    return p is not None and p.type in ("inc_statement", "dec_statement")


def _before_sharing(ctx, n) -> bool:
    """In a constructor, on a value the function itself just made, or in a function that takes
    a lock or says it runs with one held: the access may be ordered there."""
    gf, pkg = ctx.file, ctx.pkg
    fn = enclosing_function(n)
    top = top_function(n) or fn
    if top is None:
        return True  # a package-level initialiser
    name = top.child_by_field_name("name")
    if in_constructor(gf, top):
        return True
    if name is not None and "locked" in gf.node_text(name).lower():
        return True  # `flushLocked`: runs with a lock held
    body = gf.src[top.start_byte:top.end_byte]
    if _LOCKS.search(body):
        return True  # takes a lock: the atomic side may take it too (a regime we cannot compare)
    if _DELIBERATE.search(doc_comment(gf, top)) or _DELIBERATE.search(body):
        return True  # the author says why no atomic is needed here
    if HELD_DOC.search(doc_comment(gf, top)):
        return True  # "the caller must hold mu": a regime we do not compare
    if b".Wait()" in gf.src[top.start_byte:n.start_byte]:
        return True  # after a Wait: the goroutines that wrote it are done
    if re.search(rb"\bCompareAndSwap", body):
        return True  # an optimistic read that a CAS of the same function validates
    if re.search(rb"\bgo\s", gf.src[n.end_byte:top.end_byte]):
        return True  # before a go statement of the function: ordered before the goroutine
    return n.type == "selector_expression" and freshly_made(pkg, gf, n.child_by_field_name("operand"))


def _shared_sites(ctx, sites) -> dict:
    """The atomic sites of struct types declared once (memoised per package)."""
    memo = ctx.analysis.memo
    got = memo.get("atomic-sites-once")
    if got is None:
        counts = _struct_counts(ctx.pkg)
        got = memo["atomic-sites-once"] = {
            k: v for k, v in sites.items() if k[0] != "field" or counts.get(k[1], 0) == 1}
    return got


_STRUCT = re.compile(rb"(?m)^[ \t]*(?:type[ \t]+)?(\w+)[ \t]+struct[ \t]*\{")


def _struct_counts(pkg) -> dict[str, int]:
    """How many times each struct type is declared in the package's files (once per platform
    file for some)."""
    got: dict[str, int] = {}
    for gf in pkg.files:
        for m in _STRUCT.finditer(gf.src):
            name = m.group(1).decode()
            got[name] = got.get(name, 0) + 1
    return got
