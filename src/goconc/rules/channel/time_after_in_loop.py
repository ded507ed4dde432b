"""time.After in an event loop before Go 1.23: a timer per turn

## What it does
Finds `time.After(d)` as a case of a `select` that is the body of an event loop (a statement
of a `for` loop's own body, with another case that receives values: `case m := <-msgs`), in a module whose
`go` version is below 1.23.

## Why is this bad?
Before Go 1.23 a timer is not freed until it fires. Each turn of the loop makes a new one for
the `select` and drops it when another case wins, so a loop that turns faster than `d` keeps
one live timer per turn: with `d` a minute and a thousand messages a second, sixty thousand
timers and their channels. Memory grows with the load, and the garbage collector cannot help.
From Go 1.23 (the `go` line of go.mod), unreferenced timers are collected at once.

## Example
```go
for {
	select {
	case m := <-msgs:
		handle(m)
	case <-time.After(time.Minute):
		return errIdle
	}
}
```

## Use instead
```go
idle := time.NewTimer(time.Minute)
defer idle.Stop()
for {
	select {
	case m := <-msgs:
		handle(m)
		if !idle.Stop() {
			<-idle.C
		}
		idle.Reset(time.Minute)
	case <-idle.C:
		return errIdle
	}
}
```
Or raise the module to `go 1.23`.

## Limitations
Only `time.After` of the standard library (the import named as written), directly as the
communication of a `select` case, where the `select` is a statement of a `for` loop's body (not
nested in an `if`) and another of its cases receives a value (`case m := <-msgs`; a bare
`case <-ctx.Done()` or `<-quit` fires once and is not a stream); test files are skipped (their loops end
with the test). The
version is the module's `go` line, raised by a `//go:build go1.N` constraint of the file; when
it is unknown nothing is reported. `time.Tick` outside `main` is left to staticcheck's SA1015.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import file_go_version, imported_calls

_FIXED = (1, 23)


@rule(code="GC4004", name="time-after-in-loop", severity=Severity.WARNING)
def check(ctx):
    gf = ctx.file
    if b"time.After(" not in gf.src and b".After(" not in gf.src:
        return
    if gf.path.endswith("_test.go"):
        return  # a test's loop ends with the test
    version = file_go_version(gf, gf.go_version or ctx.pkg.go_version)
    if version is None or tuple(version) >= _FIXED:
        return
    for call, _ in imported_calls(ctx.pkg, gf, "time", "After"):
        loop = _select_loop(call)
        if loop is None:
            continue
        yield ctx.report(
            call,
            f"time.After in a select inside the loop at line {loop.start_point[0] + 1} makes a timer every turn "
            f"that lives until it fires (before Go 1.23; this module says go {version[0]}.{version[1]}): a loop "
            f"that turns faster than the timeout keeps one per turn; make one time.NewTimer before the loop "
            f"and Reset it, or raise the module to go 1.23",
            related=[ctx.related(loop, "the loop")],
        )


def _select_loop(call):
    """The `for` around the select whose case communication is `<-call`."""
    recv = call.parent
    if recv is None or recv.type != "unary_expression":
        return None
    comm = recv.parent
    if comm is not None and comm.type == "receive_statement":
        comm = comm.parent if comm.parent is not None and comm.parent.type == "communication_case" else None
        case = comm
    else:
        case = comm if comm is not None and comm.type == "communication_case" else None
    if case is None:
        return None
    sel = case.parent
    if sel is None or sel.type != "select_statement":
        return None
    # an event loop: the select is a statement of the loop's own body, and another case
    # receives (the messages that make the loop turn faster than the timeout)
    block = sel.parent.parent if sel.parent is not None and sel.parent.type == "statement_list" else sel.parent
    loop = block.parent if block is not None and block.type == "block" else None
    if loop is None or loop.type != "for_statement" or loop.child_by_field_name("body") != block:
        return None
    for other in sel.named_children:
        if other.type == "communication_case" and other != case:
            comm = other.child_by_field_name("communication")
            if comm is not None and comm.type == "receive_statement" and comm.child_by_field_name("left") is not None:
                return loop  # `case m := <-msgs`: a stream of values (a bare `<-quit` fires once)
    return None
