"""`goconc race` and `goconc explain`: what the Go runtime printed, turned into findings.

    parser.py    pure functions: race reports, panics, fatal errors, goroutine dumps,
                 `go test -json` streams -> the dataclasses of model.py
    findings.py  pure functions: those dataclasses -> Diagnostics tied to source lines
    leakcheck.py the overlay that checks for leaked goroutines after a package's tests
    run.py       drives `go test` through goconc.runner (the only place that starts processes)
    explain.py   `goconc explain`: a report pasted from production logs, explained
"""
