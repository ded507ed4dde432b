"""Prove a generated pattern: the checks goconc's test suite runs on every pattern.

    gofmt -l .                  nothing to reformat
    go mod tidy -diff           go.mod and go.sum are exactly what the go command wants (a new
                                module only: inside the user's module it is theirs to tidy)
    go vet ./...                clean
    go test -race -count=20 ./...  passing, twenty times, with the adversarial tests of every
                                promise of the doc; the generated TestMain fails the run on a
                                leaked goroutine
    goconc check --select ALL   no findings

`goconc new --verify` and the test suite (tests/test_patterns.py, scripts/patterns_matrix.py)
run the same steps.

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


RACE_COUNT = 20  # runs of the race-detected tests: enough for the adversarial tests to bite


def verify(directory: str, *, race_count: int = RACE_COUNT, tidy: bool = True, skip_go: str = "") -> list[Step]:
    """The proof steps, in order. tidy=False leaves out `go mod tidy -diff` (a package inside
    someone's module); skip_go, when set, is why the steps that build the package cannot run
    (a dependency still to `go get`): they are reported as failed with that reason."""
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
    if skip_go:
        steps += [Step(name, False, 0.0, skip_go) for name in ("go vet", "go test -race")]
    else:
        if tidy:
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


def verify_generated(gen, *, race_count: int = RACE_COUNT) -> tuple[list[str], bool]:
    """`goconc new --verify`: the steps on what generate() wrote, as lines to print (a one-line
    verdict per step, then what the failed ones printed) and whether all passed. Inside an
    existing module `go mod tidy` is left out (the module is the user's), and a dependency the
    module still lacks means the package cannot be built yet: go vet and go test say so."""
    skip = f"not run: the module lacks a dependency; first run: {'; '.join(gen.todo)}" if gen.todo else ""
    steps = verify(gen.directory, race_count=race_count, tidy=gen.module_created, skip_go=skip)
    width = max(len(s.name) for s in steps)
    lines = ["verify:"]
    for s in steps:
        first = s.detail.strip().splitlines()[0] if s.detail.strip() else ""
        verdict = f"ok ({s.seconds:.1f} s)" if s.ok else ("FAIL" + (f": {first}" if first else ""))
        lines.append(f"  {s.name:<{width}}  {verdict}")
    for s in steps:
        if not s.ok and s.detail.strip() and s.detail != skip:
            tail = s.detail.strip().splitlines()[-40:]
            lines.append(f"{s.name} said:")
            lines += ["    " + line for line in tail]
    return lines, all(s.ok for s in steps)
