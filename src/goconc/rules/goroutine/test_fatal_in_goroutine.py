"""t.Fatal or FailNow called from a goroutine the test started

## What it does
Finds `t.Fatal`, `t.Fatalf`, `t.FailNow`, `t.Skip`, `t.Skipf` and `t.SkipNow` (on a
`*testing.T`, `*testing.B`, `*testing.F` or `testing.TB`) called inside a goroutine that the test
started: a `go` statement, `errgroup.Group.Go` or `sync.WaitGroup.Go`. The `t` may be captured,
passed to the goroutine's function literal as an argument, or copied (`tt := t`). Also finds a
function or method of the package that calls one of them on its testing parameter, when it is
started with `go helper(t)` or called from such a goroutine (`go func() { mustGet(t, u) }()`).
And testify's `require` assertions in such a goroutine, which call `t.FailNow` when they fail:
`require.NoError(t, err)` (with the test's `t` or a suite's `s.T()`), `r.NoError(err)` on an
`r := require.New(t)` made outside the goroutine, and `s.Require().NoError(err)` in a testify
suite.

## Why is this bad?
These methods call `runtime.Goexit`, which ends only the goroutine it runs on. Called from
another goroutine they do not stop the test: the test function carries on with a failure it
does not know about, may block forever waiting for a result the goroutine never sends, or
finishes before the goroutine reports, which panics ("Fail in goroutine after Test has
completed"). The testing package documents that they must be called from the test's goroutine.

## Example
```go
func TestFetch(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := fetch(); err != nil {
			t.Fatal(err)
		}
	}()
	<-done
}
```

## Use instead
```go
func TestFetch(t *testing.T) {
	errc := make(chan error, 1)
	go func() {
		_, err := fetch()
		errc <- err
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
```

## Limitations
The receiver must be a variable whose declared type is one of the testing types. A `t` that is
a parameter of a function literal inside the goroutine (a subtest's `t` in `t.Run`) is that
subtest's own and is not reported; other testing values declared inside the goroutine are
followed only through plain copies (`tt := t`). Helpers are followed one level deep (a helper
that reaches `Fatal` through another helper is not reported), and only functions and methods of
the same package that are declared once (a function declared again in a file for another
platform, as in `x_plan9_test.go`, is not followed). The bodies of `b.RunParallel` also run on
other goroutines but are not checked. errgroup is recognised by its import path
(`golang.org/x/sync/errgroup`, or any path ending in `/errgroup`), and function values (`go work()`) are not followed.
testify is recognised by its import paths (`github.com/stretchr/testify/require` and `/suite`); a
suite must be a struct of the package that embeds `suite.Suite`; helpers that call `require`
are not followed.
"""

from __future__ import annotations

import re

from goconc.model import Related, Severity
from goconc.queries import file_captures
from goconc.registry import rule
from goconc.rules._helpers import declared_callee, is_testing_type, method_call

_GO_START = re.compile(rb"\bgo\s+(?:func\b|[\w.]+\s*[(\[])|\.Go\(")


def _inside(node, lit) -> bool:
    return lit.start_byte <= node.start_byte and node.end_byte <= lit.end_byte


@rule(code="GC1001", name="test-fatal-in-goroutine", severity=Severity.ERROR, query="test_fatal_in_goroutine.scm")
def check(ctx):
    pkg, gf = ctx.pkg, ctx.file
    if b"testing" not in gf.src or not _GO_START.search(gf.src):
        return
    sites = list(pkg.go_sites(gf, gf.root))
    if not sites:
        return
    bodies = sorted((s for s in sites if s.body is not None), key=lambda s: s.body.end_byte - s.body.start_byte)

    def innermost(node):
        return next((s for s in bodies if _inside(node, s.body)), None)

    src = gf.src
    if b".Fatal" in src or b".FailNow(" in src or b".Skip" in src:
        for call in ctx.captures().get("call", ()):
            mc = method_call(gf, call)
            recv = mc.recv
            site = innermost(call)
            if site is None or not _outside_test(ctx, recv, site):
                continue
            name, method = ctx.text(recv), mc.method
            yield ctx.report(call, f"{name}.{method} called from a goroutine the test started: it ends only "
                                   f"this goroutine, not the test; report the error with {name}.Error "
                                   f"(or send it back) and return",
                             related=[ctx.related(site.node, "goroutine started here")])
    if bodies and (b"testify/require" in src or b"testify/suite" in src):
        for call, shown, method, site in _testify_calls(ctx, bodies, innermost):
            instead = f"{shown[:-len('Require()')]}Assert().{method}" if shown.endswith(".Require()") \
                else f"assert.{method}"
            yield ctx.report(call, f"{shown}.{method} called from a goroutine the test started: when it fails it "
                                   f"calls t.FailNow, which ends only this goroutine, not the test; use {instead} "
                                   f"(it marks the test failed and returns) or send the error back to the test",
                             related=[ctx.related(site.node, "goroutine started here")])
    for site in sites:
        if site.body is None and site.kind == "go":
            found = _helper_call(ctx, site.call)
            if found is not None:
                fd, pname, method, where, related = found
                yield ctx.report(site.node, f"{fd.name} calls {pname}.{method} ({where}) and is started as a "
                                            f"goroutine: {method} ends only that goroutine, not the test; "
                                            "call it without go, or report errors back to the test",
                                 related=related)
    if not bodies:
        return
    for call in _calls(bodies):
        site = innermost(call)
        if site is None:
            continue
        found = _helper_call(ctx, call, site)
        if found is None:
            continue
        fd, pname, method, where, related = found
        yield ctx.report(call, f"{fd.name} calls {pname}.{method} ({where}) and is called from a goroutine "
                               f"the test started: {method} ends only this goroutine, not the test; report the "
                               "error back to the test instead",
                         related=[ctx.related(site.node, "goroutine started here"), *related])


def _outside_test(ctx, recv, site, depth: int = 0) -> bool:
    """`recv` is a testing value that belongs to another goroutine than `site`'s: declared
    outside the goroutine's function, a parameter of it (passed in by the `go` call), or a
    copy of either (`t := t`)."""
    decl = ctx.pkg.lookup(ctx.file, recv)
    if decl is None:
        return False
    if _inside(decl.node, site.body):
        if decl.how == "param":
            if not (site.kind == "go" and decl.func == site.body):
                return False  # a parameter of a function inside: a subtest's own t (t.Run)
        elif decl.how == "define" and decl.nvalues == 1 and decl.value is not None \
                and decl.value.type == "identifier" and depth < 3:
            return _outside_test(ctx, decl.value, site, depth + 1)
        else:
            return False  # declared inside the goroutine from something else: unknown
    return is_testing_type(ctx.type_of(recv))


def _calls(bodies):
    """Calls inside goroutine bodies that may be helper calls: `f(..)` or `x.m(..)` with arguments."""
    for n in _all_calls(bodies):
        if n.parent is not None and n.parent.type != "go_statement":
            args = n.child_by_field_name("arguments")
            if args is not None and args.named_child_count:
                yield n


def _method_names(ctx) -> frozenset[str]:
    memo = ctx.analysis.memo
    got = memo.get("gc1001-method-names")
    if got is None:
        got = memo["gc1001-method-names"] = frozenset(n for ms in ctx.pkg.methods.values() for n in ms)
    return got


def _callee(ctx, gf, call):
    """The function or method of this package that `call` calls, if it is evident."""
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "selector_expression":
        fld = fn.child_by_field_name("field")
        if fld is None or gf.node_text(fld) not in _method_names(ctx):
            return None  # cheap: no method of that name in the package
    return declared_callee(ctx, gf, call)


def _helper_call(ctx, call, site=None):
    """`helper(..., t, ...)` where helper is a function of the package that calls Fatal (or
    FailNow, Skip...) on that testing parameter. With `site`, `t` must belong to another
    goroutine than the site's."""
    pkg, gf = ctx.pkg, ctx.file
    args = call.child_by_field_name("arguments")
    if args is None:
        return None
    argv = [a for a in args.named_children if a.type != "comment"]
    if not any(a.type == "identifier" for a in argv):
        return None
    fd = _callee(ctx, gf, call)
    if fd is None or fd.body is None:
        return None
    pkg._signature(fd)
    for i, (pname, ptype) in enumerate(fd.params):
        if i >= len(argv) or not pname or not is_testing_type(ptype):
            continue
        a = argv[i]
        if a.type != "identifier":
            continue
        if site is not None:
            if not _outside_test(ctx, a, site):
                continue
        elif not is_testing_type(ctx.type_of(a)):
            continue
        hit = _fatal_on_param(ctx, fd, pname)
        if hit is None or not ctx.pkg.declared_once(fd):
            continue
        method, node = hit
        line = node.start_point[0] + 1
        where = f"line {line}" if fd.file is gf else f"{fd.file.path.rsplit('/', 1)[-1]}:{line}"
        related = [Related(fd.file.span(node), f"{fd.name} calls {pname}.{method} here")]
        return fd, pname, method, where, related
    return None


def _fatal_on_param(ctx, fd, pname):
    """The first Fatal-like call on parameter `pname` that runs in fd's own goroutine (not in a
    goroutine fd starts, not on a subtest's `t` that shadows it), memoised."""
    memo = ctx.analysis.memo
    key = f"gc1001:{fd.node.id}:{pname}"
    if key in memo:
        return memo[key]
    memo[key] = None
    text = fd.file.text
    body = fd.body
    if not any(text.find(f".{m}".encode(), body.start_byte, body.end_byte) >= 0 for m in ("Fatal", "FailNow", "Skip")):
        return None
    r = ctx.rule
    for call in file_captures(fd.file, r.module.rsplit(".", 1)[0], r.query, body).get("call", ()):
        mc = method_call(fd.file, call)
        recv = mc.recv
        if fd.file.node_text(recv) != pname:
            continue
        decl = ctx.pkg.lookup(fd.file, recv)
        if decl is None or decl.func != fd.node or decl.how != "param":
            continue
        p = call.parent
        nested_go = False
        while p is not None and p != body:
            if p.type == "go_statement":
                nested_go = True
                break
            p = p.parent
        if nested_go:
            continue
        memo[key] = (mc.method, call)
        return memo[key]
    return None




_REQUIRE = "github.com/stretchr/testify/require"
_SUITE = "github.com/stretchr/testify/suite"


def _testify_calls(ctx, bodies, innermost):
    """testify's require assertions run in a goroutine the test started: `require.NoError(t,
    err)` (with t, or a suite's `s.T()`, from outside the goroutine), `r.NoError(err)` on an
    `r := require.New(t)` made outside it, `s.Require().NoError(err)` on a testify suite `s`.
    Each calls t.FailNow when it fails. (calls, as shown, method name, site)"""
    pkg, gf = ctx.pkg, ctx.file
    imports = pkg.imports(gf)
    suites = _SUITE in imports.values()
    for call in _all_calls(bodies):
        mc = method_call(gf, call)
        if mc is None:
            continue
        operand, method = mc.recv, mc.method
        if not method[:1].isupper() or method in ("New", "T", "Require", "Assert", "Run"):
            continue
        site = innermost(call)
        if site is None or not _runs_on(call, site.body):
            continue
        shown = gf.node_text(operand)
        if operand.type == "identifier" and pkg.import_path(gf, operand) == _REQUIRE:
            if mc.args and _test_value_outside(ctx, mc.args[0], site):
                yield call, shown, method, site
        elif operand.type == "identifier":
            d = pkg.lookup(gf, operand)
            if d is None or not _require_assertions(ctx, operand, d):
                continue
            if not _inside(d.node, site.body) or _made_for(ctx, d, site):
                yield call, shown, method, site
        elif suites and operand.type == "call_expression":
            inner = operand.child_by_field_name("function")
            args = operand.child_by_field_name("arguments")
            if inner is None or inner.type != "selector_expression" or args is None or args.named_child_count:
                continue
            name = inner.child_by_field_name("field")
            root = inner.child_by_field_name("operand")
            if name is None or gf.node_text(name) != "Require" or root is None or root.type != "identifier":
                continue
            d = pkg.lookup(gf, root)
            if d is not None and not _inside(d.node, site.body) and _is_suite(ctx, root):
                yield call, shown, method, site


def _require_assertions(ctx, ident, d) -> bool:
    """`r` is testify's *require.Assertions: typed so, or made by `require.New(t)`."""
    t = ctx.type_of(ident)
    t = t.deref() if t is not None else None
    if t is not None and t.kind == "named" and t.pkg == _REQUIRE and t.name == "Assertions":
        return True
    v = d.value
    if v is None or v.type != "call_expression" or d.nvalues != 1:
        return False
    f = v.child_by_field_name("function")
    if f is None or f.type != "selector_expression":
        return False
    pk, name = f.child_by_field_name("operand"), f.child_by_field_name("field")
    return pk is not None and pk.type == "identifier" and name is not None and ctx.text(name) == "New" \
        and ctx.pkg.import_path(ctx.file, pk) == _REQUIRE


def _runs_on(call, body) -> bool:
    """The call runs on the goroutine of literal `body`: in it, or in a literal inside it that
    is called in place, deferred or passed to a call (a callback, `db.View(func...)`, taken to
    run there); not in one sent away, stored or handed to `t.Cleanup` (which runs it on the
    test's goroutine)."""
    from goconc.gomodel import enclosing_function

    fn = enclosing_function(call)
    while fn is not None and fn != body:
        parent = fn.parent
        if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == fn:
            pass  # called in place (or deferred)
        elif parent is not None and parent.type == "argument_list" and parent.parent is not None:
            f = parent.parent.child_by_field_name("function")
            name = f.child_by_field_name("field") if f is not None and f.type == "selector_expression" else f
            if name is not None and name.text in (b"Cleanup",):
                return False
        else:
            return False
        fn = enclosing_function(fn)
    return fn == body


def _made_for(ctx, d, site) -> bool:
    """`r := require.New(t)` made inside the goroutine from a test value of outside it."""
    v = d.value
    args = v.child_by_field_name("arguments") if v is not None and v.type == "call_expression" else None
    argv = [a for a in (args.named_children if args is not None else ()) if a.type != "comment"]
    return len(argv) == 1 and _test_value_outside(ctx, argv[0], site)


def _all_calls(bodies):
    """Every call inside the goroutine bodies (nested literals included), once."""
    seen = set()
    for s in bodies:
        stack = [s.body]
        while stack:
            n = stack.pop()
            if n.type == "call_expression" and n.id not in seen:
                seen.add(n.id)
                yield n
            stack.extend(n.named_children)


def _test_value_outside(ctx, arg, site) -> bool:
    """`t` (a testing value from outside the goroutine) or `s.T()` on a suite from outside it."""
    if arg.type == "identifier":
        return _outside_test(ctx, arg, site)
    if arg.type == "call_expression":
        f = arg.child_by_field_name("function")
        if f is not None and f.type == "selector_expression":
            name, root = f.child_by_field_name("field"), f.child_by_field_name("operand")
            if name is not None and ctx.text(name) == "T" and root is not None and root.type == "identifier":
                d = ctx.pkg.lookup(ctx.file, root)
                return d is not None and not _inside(d.node, site.body) and _is_suite(ctx, root)
    return False


def _is_suite(ctx, ident) -> bool:
    """A value of a struct type of this package that embeds testify's suite.Suite."""
    pkg = ctx.pkg
    if _SUITE not in pkg.imports(ctx.file).values() and not any(
            _SUITE in pkg.imports(f).values() for f in pkg.files):
        return False
    t = ctx.type_of(ident)
    t = t.deref() if t is not None else None
    fields = pkg.fields(t) if t is not None else None
    for f in fields or ():
        ft = getattr(f, "type", None)
        if getattr(f, "embedded", False) and ft is not None and ft.kind == "named" and ft.name == "Suite" \
                and ft.pkg == _SUITE:
            return True
    return False
