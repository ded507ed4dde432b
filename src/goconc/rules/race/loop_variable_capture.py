"""a loop variable used by a closure outliving its iteration

## What it does
In a module whose `go` directive is below 1.22, finds a function literal that uses a variable
declared by its loop (`for i := 0; ...` or `for k, v := range ...`) and runs after the
iteration moves on: a goroutine (`go func() {...}()`, errgroup's or WaitGroup's `Go`), a
deferred call (`defer func() {...}()`), or a parallel subtest (`t.Run(name, func(t *testing.T)
{ t.Parallel(); ... })`, from its `t.Parallel()` call on: what comes before runs in the
iteration). Any use in the literal counts, not only one in its last statement (which is all
`go vet`'s loopclosure checks).

## Why is this bad?
Before Go 1.22 a loop has one variable for all its iterations. The goroutine reads it while the
loop is already writing the next value: a data race, and usually every goroutine sees the same,
last element. Deferred calls run when the function returns and all see the final value; parallel
subtests start only after the loop is done and all test the last case.

## Example
```go
for _, job := range jobs {
	wg.Add(1)
	go func() {
		defer wg.Done()
		log.Printf("running %s", job.Name)
		job.Run()
	}()
}
```

## Use instead
```go
for _, job := range jobs {
	job := job // one variable per iteration (or move the module to go 1.22)
	wg.Add(1)
	go func() {
		defer wg.Done()
		log.Printf("running %s", job.Name)
		job.Run()
	}()
}
```

## Limitations
Only when the module's `go` version is known (from go.mod) and below 1.22 (a file's
`//go:build go1.22` line raises it for that file); at 1.22 and above each iteration has its own
variables and nothing is reported. A closure followed in its block by a `return`, a `goto` or a
`break` out of the loop is not reported (the loop never moves on). A goroutine the loop waits for in the
same iteration, after starting it (`wg.Wait()`, a receive, a lock), is not reported. Only
literals written in the loop are checked, not a function value built elsewhere; `go f(v)`
copies its arguments and is fine.
"""

from __future__ import annotations

from goconc.gomodel import enclosing_function
from goconc.model import Severity
from goconc.queries import captures as run_query
from goconc.registry import rule
from goconc.rules._helpers import file_go_version, funcs_in, is_testing_type, loop_ancestor
from goconc.rules.race._shared import _breaks, _callee_name, _own_nodes, _waits


def _loop_vars(ctx, loop):
    """The Decls a for statement declares with `:=`, by node id."""
    out = {}
    for c in loop.named_children:
        if c.type == "range_clause":
            left = c.child_by_field_name("left")
            if left is not None and any(not k.is_named and k.type == ":=" for k in c.children):
                ids = [i for i in left.named_children if i.type == "identifier"]
            else:
                ids = []
        elif c.type == "for_clause":
            init = c.child_by_field_name("initializer")
            ids = []
            if init is not None and init.type == "short_var_declaration":
                left = init.child_by_field_name("left")
                ids = [i for i in (left.named_children if left is not None else ()) if i.type == "identifier"]
        else:
            continue
        for i in ids:
            d = ctx.pkg.lookup(ctx.file, i)
            if d is not None and d.node == i:
                out[id(d)] = d
    return out


def _closures(ctx, fn, sites):
    """(literal, how, statement) for the literals of fn that outlive their iteration: goroutines
    (of `sites`, the file's go sites by the function starting them), deferred literals,
    parallel subtests."""
    gf = ctx.file
    for site in sites.get(fn.id, ()):
        if site.body is not None:
            yield site.body, "goroutine", site.node
    for n in _own_nodes(fn):
        if n.type == "defer_statement":
            call = n.named_children[0] if n.named_children else None
            f = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
            if f is not None and f.type == "func_literal":
                yield f, "deferred call", n
        elif n.type == "call_expression" and _callee_name(gf, n) == "Run":
            args = n.child_by_field_name("arguments")
            argv = [a for a in (args.named_children if args is not None else ()) if a.type != "comment"]
            f = n.child_by_field_name("function")
            if len(argv) == 2 and argv[1].type == "func_literal" and f is not None and f.type == "selector_expression" \
                    and is_testing_type(ctx.type_of(f.child_by_field_name("operand"))) \
                    and _calls_parallel(ctx, argv[1]):
                yield argv[1], "parallel subtest", n


def _calls_parallel(ctx, lit):
    """The subtest's `t.Parallel()` call, if it has one."""
    for n in _own_nodes(lit):
        if n.type == "call_expression" and _callee_name(ctx.file, n) == "Parallel":
            return n
    return None


def _waited_after(ctx, stmt, loop) -> bool:
    """After `stmt`, the loop body waits (Wait, a receive, a lock) before the iteration ends."""
    body = loop.child_by_field_name("body")
    return any(n.start_byte >= stmt.end_byte and _waits(ctx, n) for n in _own_nodes(body))


def _leaves_after(stmt, loop) -> bool:
    """A statement after `stmt` in its block leaves the loop (return, goto, a break of this
    loop): the loop never writes its variables again."""
    block = stmt.parent
    for sib in (block.named_children if block is not None else ()):
        if sib.start_byte < stmt.end_byte:
            continue
        if sib.type in ("return_statement", "goto_statement"):
            return True
        if sib.type == "break_statement" and _breaks(sib, loop):
            return True
    return False


@rule(code="GC7004", name="loop-variable-capture", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    version = file_go_version(gf, gf.go_version or ctx.pkg.go_version)
    if version is None or tuple(version) >= (1, 22) or b"for " not in gf.src:
        return
    seen = set()
    sites: dict[int, list] = {}
    for site in ctx.pkg.go_sites(gf, gf.root):
        owner = enclosing_function(site.node)
        if owner is not None:
            sites.setdefault(owner.id, []).append(site)
    for fn in funcs_in(gf.root):
        for lit, how, stmt in _closures(ctx, fn, sites):
            loop = loop_ancestor(stmt, fn)
            while loop is not None:
                if id(lit) in seen:
                    break
                decls = _loop_vars(ctx, loop)
                # a subtest runs in the iteration until it calls t.Parallel(): only later uses count
                after = _calls_parallel(ctx, lit).end_byte if how == "parallel subtest" else 0
                use = _first_use(ctx, lit, decls, after) if decls else None
                if use is not None and not (how == "goroutine" and _waited_after(ctx, stmt, loop)) \
                        and not _leaves_after(stmt, loop):
                    seen.add(id(lit))
                    name = gf.node_text(use)
                    line = loop.start_point[0] + 1
                    yield ctx.report(use, f"{name} is the variable of the loop at line {line}, one for all its "
                                          f"iterations before Go 1.22 (this module says go "
                                          f"{version[0]}.{version[1]}): this {how} runs after the loop moves on "
                                          f"and sees a later value; copy it ({name} := {name}) before the "
                                          f"{'go statement' if how == 'goroutine' else 'closure'}, pass it as an "
                                          f"argument, or move the module to go 1.22",
                                     related=[ctx.related(stmt, f"the {how} starts here")])
                    break
                loop = loop_ancestor(loop, fn)


def _first_use(ctx, lit, decls, after: int = 0):
    """The first identifier in the literal (from byte `after` on) that refers to one of the
    loop's variables."""
    gf = ctx.file
    for ident in run_query(gf, "identifiers", lit).get("id", ()):
        if ident.start_byte < after:
            continue
        d = ctx.pkg.lookup(gf, ident)
        if d is not None and id(d) in decls and d.node != ident:
            return ident
    return None
