"""Tests a review proposes for a package, as Go files that compile: a leak check TestMain, a
`-race -count` stress test of each exported type that guards its fields with a lock, and a
cancellation test of each exported function that takes a context.

Only what can be written without guessing is written: a method is called only when every
parameter has a builtin type whose zero value is a valid argument, a type is built only
through a `NewT` constructor of that kind (or as `&T{}` when its zero value has no nil map or
channel to trip on), and a name the package's tests already use is never reused. What was
left out is said, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from goconc.gomodel import FuncDecl, Package, T, named
from goconc.review.facts import PackageFacts

_ZERO = {"string": '""', "bool": "false", "error": "nil", "any": "nil", "byte": "0", "rune": "0"}
_NUMERIC = {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
            "float32", "float64"}
_STOPS = ("Close", "Stop", "Shutdown", "Wait")
_GOROUTINES, _ROUNDS = 8, 1000


@dataclass
class Suggestion:
    title: str
    file: str  # where it goes, relative to the package directory
    code: str  # a whole Go file
    run: str  # the command that runs it
    why: str


@dataclass
class Suggestions:
    tests: list[Suggestion] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def _zero(t: T | None) -> str | None:
    if t is None:
        return None
    if t.kind == "named" and t.pkg == "":
        if t.name in _ZERO:
            return _ZERO[t.name]
        if t.name in _NUMERIC:
            return "0"
        return None
    if t.kind == "slice" and t.elem is not None and t.elem.kind == "named" and t.elem.pkg == "" \
            and t.elem.name in ("byte", "string", "int"):
        return "nil"
    if t.kind == "interface":
        return "nil"
    return None


def _args(pkg: Package, fd: FuncDecl, skip_first: bool = False) -> list[str] | None:
    params = fd.params[1:] if skip_first else fd.params
    out = []
    for _, t in params:
        z = _zero(t)
        if z is None:
            return None
        out.append(z)
    return out


def _call(expr: str, fd: FuncDecl, args: list[str]) -> str:
    call = f"{expr}({', '.join(args)})"
    n = len(fd.results)
    return call if n == 0 else ("_ = " if n == 1 else ", ".join(["_"] * n) + " = ") + call


def _constructor(pkg: Package, tname: str) -> tuple[str, str] | tuple[None, str]:
    """(Go expression building a *T or T, "") or (None, why not)."""
    fd = pkg.funcs.get(f"New{tname}") or (pkg.funcs.get("New") if len(
        [n for n in pkg.types if n[:1].isupper()]) == 1 else None)
    if fd is not None:
        fd = pkg.func_decl(fd.node, fd.file) or fd
        res = fd.results[0] if fd.results else None
        if fd.params:  # a zero size, count or timeout can make a value that never works (New(0) workers)
            return None, f"{fd.name} takes arguments whose values cannot be chosen for you"
        if res is None or res.deref() != named("", tname):
            return None, f"{fd.name} does not return a {tname}"
        return f"{fd.name}()", ", _" * (len(fd.results) - 1)
    fields = pkg.fields(named("", tname)) or []
    if any(f.type is not None and f.type.kind in ("map", "chan") for f in fields):
        return None, f"it has no New{tname} and its zero value has a nil map or channel"
    return f"&{tname}{{}}", ""


def _stress(pkg: Package, facts: PackageFacts, tname: str, target: str) -> Suggestion | str:
    test = f"Test{tname}ConcurrentUse"
    if test in facts.test_names:
        return f"{tname}: the package's tests already have a {test}"
    build, extra = _constructor(pkg, tname)
    if build is None:
        return f"{tname}: {extra}"
    methods = pkg.methods.get(tname, {})
    calls, stop, skipped = [], None, []
    for name in sorted(methods):
        if not name[:1].isupper():
            continue
        fd = pkg.func_decl(methods[name].node, methods[name].file) or methods[name]
        args = _args(pkg, fd)
        if name in _STOPS:
            if args == []:
                stop = stop or _call(f"v.{name}", fd, [])
            continue
        if fd.results and fd.results[0] is not None and fd.results[0].deref() == named("", tname):
            skipped.append(name)  # a builder (WithX() *T) configures the value: not for concurrent use
            continue
        if args is None:
            skipped.append(name)
            continue
        calls.append(_call(f"v.{name}", fd, args))
    if not calls:
        return f"{tname}: no exported method can be called with zero values"
    lines = "\n".join(f"\t\t\t\t{c}" for c in calls)
    assign = f"v{extra} := {build}" if extra else f"v := {build}"
    body = f"""// {test} calls the methods of one {tname} from {_GOROUTINES} goroutines at once. Run it
// with the race detector: go test -race -count=20 -run {test}
func {test}(t *testing.T) {{
\t{assign}
\tvar wg sync.WaitGroup
\tfor g := 0; g < {_GOROUTINES}; g++ {{
\t\twg.Add(1)
\t\tgo func() {{
\t\t\tdefer wg.Done()
\t\t\tfor i := 0; i < {_ROUNDS}; i++ {{
{lines}
\t\t\t}}
\t\t}}()
\t}}
\twg.Wait()
""" + (f"\t{stop}\n" if stop else "") + "}\n"
    why = f"{tname} guards its fields with a lock, so it is meant to be shared between goroutines"
    if skipped:
        why += f"; not called (arguments that cannot be chosen for you, or they configure it): {', '.join(skipped)}"
    return Suggestion(f"stress test of {tname}", "", body, f"go test -race -count=20 -run '^{test}$' {target}", why)


def _cancellation(pkg: Package, facts: PackageFacts, fd: FuncDecl, target: str) -> Suggestion | str:
    label = f"{fd.recv_base}.{fd.name}" if fd.recv_base else fd.name
    test = f"Test{fd.recv_base or ''}{fd.name}HonoursCancellation"
    if test in facts.test_names:
        return f"{label}: the package's tests already have a {test}"
    args = _args(pkg, fd, skip_first=True)
    if args is None:
        return f"{label}: takes arguments whose values cannot be chosen for you"
    setup = ""
    expr = fd.name
    if fd.recv_base:
        build, extra = _constructor(pkg, fd.recv_base)
        if build is None:
            return f"{label}: {extra}"
        setup = f"\tv{extra} := {build}\n"
        expr = f"v.{fd.name}"
    call = _call(expr, fd, ["ctx", *args])
    note = f"\n// goconc: the arguments are zero values; give ones that make {label} do real work, so the test\n" \
           "// shows that it stops when cancelled." if args else ""
    body = f"""// {test} checks that {label} returns soon after its context is cancelled.{note}
func {test}(t *testing.T) {{
{setup}\tctx, cancel := context.WithCancel(context.Background())
\tcancel()
\tdone := make(chan struct{{}})
\tgo func() {{
\t\tdefer close(done)
\t\t{call}
\t}}()
\tselect {{
\tcase <-done:
\tcase <-time.After(2 * time.Second):
\t\tt.Fatal("{label} did not return within 2s of its context being cancelled")
\t}}
}}
"""
    return Suggestion(f"cancellation test of {label}", "", body, f"go test -race -run '^{test}$' {target}",
                      f"{label} takes a context and watches it; a caller that cancels it expects it to return")


def suggest(pkg: Package, facts: PackageFacts, directory: str) -> Suggestions:
    out = Suggestions()
    target = "." if directory in ("", ".") else directory if directory.startswith(("/", "./")) else "./" + directory
    # the leak check
    if facts.goroutines:
        clash = {"TestMain", "checkNoLeaks", "leftover", "leakMarker"} & (facts.test_names | set(pkg.funcs) |
                                                                         set(pkg.types))
        if facts.starts_on_import:
            out.left_out.append("leak check: goroutines start when the package is imported ("
                                + facts.starts_on_import[0] + "), and a leak check would report them after "
                                "every test run")
        elif facts.has_test_main:
            out.left_out.append("leak check: the package has its own TestMain (add the check to it: "
                                "after m.Run, fail when a goroutine of the package is still alive)")
        elif clash:
            out.left_out.append(f"leak check: the package already declares {', '.join(sorted(clash))}")
        else:
            tmpl = resources.files("goconc.patterns").joinpath("templates/common/leak_test.go.tmpl").read_text()
            tmpl = tmpl.split("\n// returnsWithin", 1)[0].rstrip("\n") + "\n"  # the check; not the pattern helpers
            out.tests.append(Suggestion("leak check", "goconc_leak_test.go", tmpl.replace("{{pkg}}", pkg.name),
                                        f"go test {target}",
                                        "The package starts goroutines; this fails the test run when one of "
                                        "them is still alive after the tests"))
    # stress tests and cancellation tests, in one file
    parts: list[Suggestion] = []
    for ts in facts.types:
        if ts.verdict in ("agrees", "undocumented", "contradicts") and any(
                lt.name == ts.name for lt in facts.locked_types) and ts.doc != "not safe for concurrent use":
            got = _stress(pkg, facts, ts.name, target)
            (parts.append(got) if isinstance(got, Suggestion) else out.left_out.append("stress test of " + got))
    for use in facts.contexts:
        if not use.known or not use.honours.startswith("watches"):
            continue
        fd = _decl_named(pkg, use.func)
        if fd is None or not fd.name[:1].isupper() or (fd.recv_base and not fd.recv_base[:1].isupper()):
            continue
        fd = pkg.func_decl(fd.node, fd.file) or fd
        if not fd.params or not (fd.params[0][1] is not None and fd.params[0][1].is_named("context", "Context")):
            continue
        got = _cancellation(pkg, facts, fd, target)
        (parts.append(got) if isinstance(got, Suggestion) else out.left_out.append("cancellation test of " + got))
    if parts:
        imports = ["sync", "testing"] if any(p.title.startswith("stress") for p in parts) else ["testing"]
        if any(p.title.startswith("cancellation") for p in parts):
            imports = sorted(set(imports) | {"context", "testing", "time"})
        head = f"package {pkg.name}\n\nimport (\n" + "".join(f'\t"{i}"\n' for i in imports) + ")\n"
        code = head + "".join("\n" + p.code for p in parts)
        out.tests.append(Suggestion(", ".join(p.title for p in parts), "goconc_review_test.go", code,
                                    "; ".join(p.run for p in parts), "; ".join(p.why for p in parts)))
    return out


def _decl_named(pkg: Package, label: str) -> FuncDecl | None:
    if "." in label:
        t, _, m = label.partition(".")
        return pkg.methods.get(t, {}).get(m)
    return pkg.funcs.get(label)
