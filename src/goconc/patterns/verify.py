"""Prove a generated pattern: the checks goconc's test suite runs on every pattern.

    gofmt -l .                  nothing to reformat
    go mod tidy -diff           go.mod and go.sum are exactly what the go command wants
    go vet ./...                clean
    go test -race -count=3 ./...  passing; the generated TestMain fails the run on a leaked goroutine
    goconc check --select ALL   no findings

Each step's command goes through goconc.runner; the result is data (no printing here).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from goconc import runner


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str = ""  # the tool's output when it failed


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env["GOTOOLCHAIN"] = "local"
    env["GOFLAGS"] = ""  # no -mod=mod: the generated go.mod must be right as written
    env["GOWORK"] = "off"
    return env


def verify(directory: str, *, race_count: int = 3) -> list[Step]:
    go = runner.find_go()
    gofmt = runner.find_gofmt()
    if go is None or gofmt is None:
        return [Step("go toolchain", False, 0.0, "no go/gofmt found")]
    env = go_env()
    steps: list[Step] = []

    def step(name: str, cmd: list[str], ok_when=lambda r: r.returncode == 0, timeout: float = 900) -> None:
        start = time.monotonic()
        res = runner.run(cmd, cwd=directory, env=env, timeout=timeout)
        ok = ok_when(res) and not res.timed_out
        steps.append(Step(name, ok, time.monotonic() - start, "" if ok else (res.stdout + res.stderr)[-4000:]))

    step("gofmt", [gofmt, "-l", "."], lambda r: r.returncode == 0 and not r.stdout.strip())
    step("go mod tidy", [go, "mod", "tidy", "-diff"])
    step("go vet", [go, "vet", "./..."])
    step("go test -race", [go, "test", "-race", f"-count={race_count}", "./..."])
    start = time.monotonic()
    from goconc.engine import check_paths
    from goconc.registry import select

    result = check_paths([directory], select(["ALL"], None), jobs=1)
    found = [f"{d.span.path}:{d.span.start.line}: {d.message} ({d.code})" for d in result.diagnostics]
    found += [str(p) for p in result.problems]
    steps.append(Step("goconc check", not found, time.monotonic() - start, "\n".join(found)))
    return steps


def benchmark(directory: str, benchtime: str = "2000x") -> str:
    """The benchmark line(s) `go test -bench` prints for the package (empty when it failed)."""
    go = runner.find_go()
    if go is None:
        return ""
    res = runner.run([go, "test", "-run", "^$", "-bench", ".", f"-benchtime={benchtime}", "./..."],
                     cwd=directory, env=go_env(), timeout=900)
    return "\n".join(line for line in res.stdout.splitlines() if line.startswith("Benchmark"))
