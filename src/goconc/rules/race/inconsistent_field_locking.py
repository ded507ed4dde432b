"""a field that its mutex guards everywhere but here

## What it does
Finds an access to a struct field without the mutex that guards it elsewhere: the struct has
a `sync.Mutex` or `sync.RWMutex` field, the accesses to the field in at least three functions
(more functions than access it without) hold that lock, and this one does not, in a method or goroutine
that runs without it. The unguarded access is reported with guarded ones as related
locations.

## Why is this bad?
A lock protects a field only if every access takes it. One read or write without it races
with the guarded writes: the reader sees a half-updated value (a torn string or slice
header, a stale counter), a map read during a write crashes the program, and the race
detector reports it whenever a test runs the two together. The unguarded access is usually a
getter, a `String` method, a metrics snapshot or an error path added later.

## Example
```go
type Cache struct {
	mu    sync.Mutex
	items map[string]string
	hits  int
}

func (c *Cache) Get(k string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits++
	return c.items[k]
}

func (c *Cache) Put(k, v string) {
	c.mu.Lock()
	c.items[k] = v
	c.mu.Unlock()
}

func (c *Cache) Len() int {
	return len(c.items) // no lock: races with Put
}
```

## Use instead
```go
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
```

## Limitations
The lock must be a direct field of the struct (named, or an embedded `sync.Mutex` or
`sync.RWMutex`), and "held" means held on every path to the access, as the lock analysis of
GC3002 sees it (a read lock counts). An access counts as unguarded only in an exported function or method that the package
never names anywhere else (an entry point: no call, no method value) and that takes no lock
itself, or in a goroutine literal that takes none (and whose starter does not hold the lock
while it waits for a Wait or a receive); any other access without the lock (a
helper the package may call with the lock held) is left out of the count, as are accesses in
function
literals that are not goroutines (callbacks may run under the caller's lock), functions
deferred by their callers, methods with a value receiver (a copy), functions named
`...Locked` or documented as called with the lock held, constructors (`New...`, `new...`,
`init...`, `make...`), values the function just made, and test files. The field must be
written somewhere outside constructors (a field set once is safe to read), and a reported read
needs a write elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from goconc.gomodel import enclosing_function, top_function
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import doc_comment, strip_comments
from goconc.rules.race._shared import HELD_DOC, freshly_made, in_constructor

_LOCK_WORDS = frozenset({"Mutex", "RWMutex"})
_WORD = re.compile(rb"\b\w+\b")


@dataclass(frozen=True)
class _Access:
    gf: object
    node: object  # the selector expression x.f
    fn: object  # the function it runs in
    write: bool
    state: str  # "guarded" | "unguarded" | "unknown"
    lock: str  # the lock field that guards it ("" when unguarded)


def _lock_fields(pkg) -> dict[str, tuple[list[str], set[str]]]:
    """Struct types of the package with lock fields: name -> (lock field names, other fields)."""
    out = {}
    for name in list(pkg.types):
        from goconc.gomodel import T

        fields = pkg.fields(T("named", name))
        if not fields:
            continue
        locks = [f.name for f in fields if pkg.lock_kind(f.type) in _LOCK_WORDS
                 and (not f.embedded or f.name in _LOCK_WORDS)]
        if locks:
            others = {f.name for f in fields if not f.embedded and f.name not in locks
                      and not _sync_type(f.type)}
            out[name] = (locks, others)
    return out


def _sync_type(t) -> bool:
    base = t.deref() if t is not None else None
    return base is not None and base.kind == "named" and base.pkg in ("sync", "sync/atomic")


def _accesses(p) -> dict[tuple[str, str], list[_Access]]:
    """Package-wide (the FIELD_ACCESSES analysis): every access to a non-lock field of a struct
    with a lock, with whether that lock is held there."""
    from goconc.analysis import PATHS
    from goconc.rules.mutex._lockflow import LOCKS

    got: dict = {}
    pkg = p.pkg
    types = _lock_fields(pkg)
    if not types:
        return got
    words = {f for _, others in types.values() for f in others}
    if not words:
        return got
    pat = re.compile(rb"\.(?:%s)\b" % b"|".join(re.escape(w.encode()) for w in sorted(words)))
    judge = _Judge(pkg, p.result(LOCKS), p.result(PATHS))
    found = []
    for gf in pkg.files:
        if gf.path.endswith("_test.go") or not pat.search(gf.src):
            continue
        stack = [gf.root]
        while stack:
            n = stack.pop()
            stack.extend(n.named_children)
            if n.type != "selector_expression":
                continue
            fld = n.child_by_field_name("field")
            if fld is None or gf.node_text(fld) not in words:
                continue
            operand = n.child_by_field_name("operand")
            try:
                t = pkg.type_of(gf, operand)
            except RecursionError:
                continue  # an expression too deep to type: left out
            base = t.deref() if t is not None else None
            if base is None or base.kind != "named" or base.pkg != "" or base.name not in types:
                continue
            locks, others = types[base.name]
            name = gf.node_text(fld)
            if name not in others or _not_a_read(gf, n):
                continue
            found.append((gf, n, operand, base.name, name, locks))
    for gf, n, operand, tname, name, locks in found:
        try:
            state, lock = judge.state(gf, n, operand, locks)
        except RecursionError:
            state, lock = "unknown", ""
        got.setdefault((tname, name), []).append(_Access(gf, n, enclosing_function(n), _written(gf, n), state, lock))
    return got


def _analyzer():
    from goconc.analysis import CALLGRAPH, PATHS, Analyzer
    from goconc.rules.mutex._lockflow import LOCKS

    return Analyzer("fieldlocking", "accesses to the fields of structs with a lock, and whether it is held",
                    run=_accesses, requires=(CALLGRAPH, PATHS, LOCKS))


FIELD_ACCESSES = _analyzer()


class _Judge:
    def __init__(self, pkg, lf, paths) -> None:
        self.pkg, self.lf, self.paths = pkg, lf, paths
        self._words: dict | None = None
        self._contract: dict = {}
        self._takes: dict = {}

    def contract(self, gf, fn) -> bool:
        got = self._contract.get(fn.id)
        if got is None:
            got = self._contract[fn.id] = _held_by_contract(gf, fn)
        return got

    def state(self, gf, node, operand, locks) -> tuple[str, str]:
        fn = enclosing_function(node)
        if fn is None or _before_sharing(self.pkg, gf, node, operand, fn):
            return "unknown", ""
        if fn.type == "func_literal" and not _goroutine_literal(fn):
            return "unknown", ""  # a callback: may run under its caller's lock
        if self.contract(gf, fn):
            return "unknown", ""
        base = self.paths.of(gf, operand)
        if base is None:
            return "unknown", ""
        held = _held(self.lf, gf, fn, node)
        if held is None:
            return "unknown", ""
        for lk in locks:
            key = base.field(lk)
            if any(h[0] == key for h in held):
                return "guarded", lk
        takes = self._takes.get(fn.id)
        if takes is None:
            takes = self._takes[fn.id] = _takes_lock(gf, fn)
        if fn.type == "func_literal":
            # a goroutine starts with no lock held; unless its starter holds the lock and
            # waits for it before letting go
            if takes or self._waited_under_lock(gf, fn, base, locks):
                return "unknown", ""
            return "unguarded", ""
        if base.root.kind == "recv" and _value_receiver(fn):
            return "unknown", ""
        name = fn.child_by_field_name("name")
        text = gf.node_text(name) if name is not None else ""
        if takes or not text[:1].isupper() or self.mentions(text) > 1:
            return "unknown", ""  # it locks elsewhere in its body, or the package may call it under the lock
        return "unguarded", ""  # an exported entry point, never named elsewhere in the package

    def _waited_under_lock(self, gf, lit, base, locks) -> bool:
        go_stmt = lit.parent.parent
        starter = enclosing_function(go_stmt)
        held = _held(self.lf, gf, starter, go_stmt) if starter is not None else None
        if not held or not any(h[0] == base.field(lk) for h in held for lk in locks):
            return False
        after = gf.src[go_stmt.end_byte:starter.end_byte]
        return b".Wait()" in after or b"<-" in after

    def mentions(self, word: str) -> int:
        """How often the package's source names `word` (its declaration included)."""
        if self._words is None:
            self._words = {}
            for gf in self.pkg.files:
                if gf.path.endswith("_test.go"):
                    continue  # tests call everything; they are not the package's callers
                for w in _WORD.findall(strip_comments(gf.src)):
                    self._words[w] = self._words.get(w, 0) + 1
        return self._words.get(word.encode(), 0)


def _held(lf, gf, fn, node):
    """The locks held on every path to `node` in `fn`, or None when not known."""
    at = lf.analyze(gf, fn).held_before
    return at(node) if at is not None else None


def _takes_lock(gf, fn) -> bool:
    """The function's own body locks something (`x.mu.Lock()`, `x.RLock()`, a `lock()` helper)."""
    body = gf.src[fn.start_byte:fn.end_byte]
    return re.search(rb"\.(?:R?Lock|TryR?Lock)\(\)|\block\w*\(", body) is not None


def _goroutine_literal(lit) -> bool:
    call = lit.parent
    return call is not None and call.type == "call_expression" and call.child_by_field_name("function") == lit \
        and call.parent is not None and call.parent.type == "go_statement"


def _value_receiver(fn) -> bool:
    recv = fn.child_by_field_name("receiver")
    return recv is not None and b"*" not in recv.text


def _held_by_contract(gf, fn) -> bool:
    """A function named `...Locked`, or documented as called with the lock held."""
    top = fn if fn.type != "func_literal" else top_function(fn)
    if top is None:
        return False
    name = top.child_by_field_name("name")
    if name is not None and "locked" in gf.node_text(name).lower():
        return True
    return HELD_DOC.search(doc_comment(gf, top)) is not None



def _before_sharing(pkg, gf, node, operand, fn) -> bool:
    return in_constructor(gf, top_function(node) or fn) or freshly_made(pkg, gf, operand, through_index=True)


def _not_a_read(gf, n) -> bool:
    """A method value or call (`s.f()` on a func field is still a read, but `s.m()` of a
    method has no field here), `&s.f` (handed on), or x.f.g (another location)."""
    p = n.parent
    if p is None:
        return True
    if p.type == "unary_expression" and gf.node_text(p.child_by_field_name("operator")) == "&":
        return True
    return p.type == "selector_expression" and p.child_by_field_name("operand") == n


def _written(gf, n) -> bool:
    """s.f = v, s.f++, s.f[k] = v, delete(s.f, k), s.f = append(...)."""
    target = n
    p = n.parent
    if p is not None and p.type == "index_expression" and p.child_by_field_name("operand") == n:
        target, p = p, p.parent
    if p is not None and p.type == "expression_list":
        q = p.parent
        return q is not None and q.type in ("assignment_statement", "short_var_declaration") \
            and q.child_by_field_name("left") == p
    if p is not None and p.type in ("inc_statement", "dec_statement"):
        return True
    if p is not None and p.type == "argument_list" and target is n:
        call = p.parent
        f = call.child_by_field_name("function") if call is not None else None
        return f is not None and f.type == "identifier" and gf.node_text(f) == "delete" \
            and p.named_children and p.named_children[0] == n
    return False


@rule(code="GC7006", name="inconsistent-field-locking", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if gf.path.endswith("_test.go") or b"sync" not in gf.src and not any(b"sync." in f.src for f in ctx.pkg.files):
        return
    for (tname, fname), accs in ctx.analysis.result(FIELD_ACCESSES).items():
        mine = [a for a in accs if a.gf is gf and a.state == "unguarded"]
        if not mine:
            continue
        guarded = [a for a in accs if a.state == "guarded"]
        unguarded = [a for a in accs if a.state == "unguarded"]
        by_lock: dict[str, list] = {}
        for a in guarded:
            if a.lock:
                by_lock.setdefault(a.lock, []).append(a)
        if not by_lock:
            continue
        lock, held = max(by_lock.items(), key=lambda kv: len(kv[1]))
        g_funcs = {a.fn.id for a in guarded}
        u_funcs = {a.fn.id for a in unguarded}
        if len(g_funcs) < 3 or len(g_funcs) <= len(u_funcs):
            continue  # no clear convention that the lock guards this field
        writes = [a for a in accs if a.write and a.state != "unknown"]
        if not writes:
            continue
        done = set()
        for a in sorted(mine, key=lambda a: a.node.start_byte):
            if a.fn.id in done:
                continue
            if not a.write and not any(w.node != a.node for w in writes):
                continue
            done.add(a.fn.id)
            what = "written" if a.write else "read"
            recv = " ".join(gf.node_text(a.node.child_by_field_name("operand")).split())
            sample = sorted(held, key=lambda x: (x.gf.path, x.node.start_byte))[:2]
            yield ctx.report(
                a.node,
                f"{recv}.{fname} is {what} here without {recv}.{lock}, which guards {tname}.{fname} in "
                f"{len(g_funcs)} other functions: this races with their {'accesses' if a.write else 'writes'} "
                f"when they run at the same time; take {recv}.{lock} here",
                related=[ctx.related(x.node, f"{tname}.{fname} accessed with {lock} held") for x in sample],
            )
