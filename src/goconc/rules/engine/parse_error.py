"""the file is not valid Go

## What it does
Reports a Go source file that does not parse, at the line of the first syntax error. When a Go
toolchain is installed, goconc asks `gofmt -e` to confirm the error and reports gofmt's message.

## Why is this bad?
Code that does not compile cannot run; and goconc cannot analyse the declarations around the
error, so other findings in that part of the file are missing.

## Example
```go
func f() {
	x := 1 +
}
```

## Use instead
```go
func f() {
	x := 1 + 2
	_ = x
}
```

## Limitations
goconc's parser (tree-sitter-go) cannot read a few valid constructs, such as Go 1.26's
`new(expr)` in some positions. goconc repairs the known cases, and never reports valid Go as a
syntax error when `gofmt` is available to confirm: such code is skipped quietly (`--verbose`
prints a note). Without a Go toolchain, the parser's own verdict is reported.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC0001", name="parse-error", severity=Severity.ERROR)
def check(ctx):
    """Emitted by the engine while loading files."""
    return ()
