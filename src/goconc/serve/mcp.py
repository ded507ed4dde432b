"""`goconc mcp`: the Model Context Protocol server coding agents use (stdio transport).

Tools (each result is structured, its schema in serve/schema.py):

    check          analyse paths of the workspace (as `goconc check -f json`)
    rules, rule    the rule list, and one rule's documentation
    fix            the fixes of the findings: a diff; written only with apply=true
    race           run the tests under the race detector (runs the user's code)
    explain        a race report, panic or goroutine dump explained
    review         the concurrency model of packages, their findings, tests to add, assumptions
    patterns, new  the verified concurrency patterns, and one generated (and verified)

The server is confined to the workspace root it was started in: every path and package
pattern is resolved against it and refused when it leaves it (serve/workspace.py). Bad input
is an error result with a one-line message, never a crash of the server. Nothing but the
protocol is written to stdout: every `go` command runs with its output captured
(goconc.runner), and the analysis workers are started by a fork server, not forked from the
threads that serve requests.
"""

from __future__ import annotations

import os
import re
import sys

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations

from goconc import __version__
from goconc.serve import schema as S
from goconc.serve.workspace import OutsideRoot, Workspace

_GO_DURATION = re.compile(r"^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$")

INSTRUCTIONS = """\
goconc finds goroutine leaks, deadlocks and data races in Go code, and writes correct concurrent Go.
Use `check` on the code you read or change (it is fast and reads only); every finding has a rule code
that `rule` documents (why it is a bug, the fix, what the rule cannot see). Before calling a
concurrency fix done, run `race` on the packages it touches: it runs their tests under the race
detector with a goroutine-leak check. `explain` reads a race report, panic or goroutine dump pasted
from logs. `review` gives the concurrency model of packages (goroutines and how they stop, channels,
locks and what they guard) with tests to add. `new` generates a verified pattern (worker pool, pipeline, graceful shutdown, ...) with
its tests. Paths are relative to the workspace root; paths outside it are refused."""


def build(root: str) -> MCPServer:
    """The server for the workspace at `root` (the process's working directory must be it:
    paths in findings are shown relative to it)."""
    ws = Workspace(root)
    server = MCPServer("goconc", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                open_world_hint=False)

    def paths_of(paths: list[str] | str | None) -> list[str]:
        if isinstance(paths, str):
            paths = [paths]
        try:
            return [ws.resolve(p) for p in (paths or ["./..."])]
        except OutsideRoot as exc:
            raise ToolError(str(exc)) from None

    def check_report(result) -> S.CheckReport:
        from goconc.output import json as out_json

        return S.CheckReport.model_validate(out_json.document(result))

    @server.tool(annotations=read_only)
    def check(paths: list[str] | str | None = None, select: list[str] | str | None = None,
              ignore: list[str] | str | None = None) -> S.CheckReport:
        """Analyse Go code of the workspace for concurrency bugs: goroutine leaks, deadlocks, lock and
        WaitGroup misuse, channel misuse, data races found in the source.

        paths: files, directories (walked recursively) and DIR/... patterns, relative to the workspace
        root (default ./...). select / ignore: rule codes, code prefixes (GC3) or names; ALL for every
        rule. The workspace's .goconc.toml applies as for `goconc check`."""
        from goconc.config import CheckRun, ConfigError, UsageProblem
        from goconc.registry import SelectorError

        try:
            setup = CheckRun(paths_of(paths), _listed(select), _listed(ignore), None)
            result = setup.finish(setup.analyse(cache=True))
        except (SelectorError, UsageProblem, ConfigError) as exc:
            raise ToolError(str(exc)) from None
        return check_report(result)

    @server.tool(annotations=read_only)
    def rules(all: bool = False) -> S.RuleList:  # noqa: A002 - the CLI's --all
        """The rules goconc knows: code, name, severity, whether on by default, summary, fix. With
        all=false, rules that are off by default are left out."""
        from goconc.registry import all_rules

        return S.RuleList(rules=[_rule_info(r) for r in all_rules()
                                 if all or r.enabled_by_default or r.code.startswith("GC0")])

    @server.tool(annotations=read_only)
    def rule(key: str) -> S.RuleDoc:
        """The documentation of one rule, by code (GC3002) or name (lock-not-released): what it
        finds, why it is a bug, an example, the fix, and the limits of what it can see."""
        from goconc.docs import render_rule
        from goconc.registry import find

        r = find(key.strip())
        if r is None:
            raise ToolError(f"unknown rule {key!r} (the `rules` tool lists them)")
        return S.RuleDoc(rule=_rule_info(r), markdown=render_rule(r))

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True,
                                             idempotent_hint=True, open_world_hint=False))
    def fix(paths: list[str] | str | None = None, apply: bool = False, unsafe: bool = False,
            select: list[str] | str | None = None, ignore: list[str] | str | None = None) -> S.FixReport:
        """The fixes of the findings in paths (as for check), as a unified diff. Nothing is written
        unless apply=true; then each file is written once, atomically. unsafe=true also takes the
        fixes that may change behaviour (each rule's 'Fix safety' says how)."""
        from goconc import fixes as F
        from goconc.config import ConfigError, Plan
        from goconc.engine import check_paths
        from goconc.model import RunResult
        from goconc.registry import SelectorError

        targets = paths_of(paths)
        try:
            plan = Plan(targets, selects=_listed(select), ignores=_listed(ignore), jobs=None)
            rules_ = plan.rules_for(plan.root)
            run = F.fix_paths(targets, rules_, unsafe=unsafe, jobs=plan.jobs, plan=plan)
        except (SelectorError, ConfigError) as exc:
            raise ToolError(str(exc)) from None
        problems = list(run.problems)
        changed = list(run.files)
        diagnostics = run.diagnostics
        if apply:
            written: list = []
            F.write_fixed(changed, problems, written, refuse=lambda f: None if ws.contains(f.real) else
                          f"a link to {os.path.realpath(f.real)}, outside the workspace root; not written")
            if len(written) < len(changed):
                diagnostics = plan.finish(check_paths(targets, rules_, jobs=plan.jobs, plan=plan).diagnostics)
            changed = written
        remaining = RunResult(diagnostics=diagnostics, problems=problems, files=run.files_seen,
                              packages=run.packages)
        return S.FixReport(applied=apply, diff="".join(F.unified_diff(f.path, f.before, f.after) for f in changed),
                           files=[S.FixedFile(path=f.path, fixed=[code for code, _ in f.fixed]) for f in changed],
                           remaining=check_report(remaining))

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True,
                                             idempotent_hint=False, open_world_hint=True))
    async def race(packages: list[str] | str | None = None, runs: int = 1, timeout: str = "3m", count: int = 3,
                   run: str | None = None, tags: str | None = None, with_check: bool = False) -> S.RaceReport:
        """Run the packages' tests under the race detector and report data races, deadlocks, goroutine
        leaks and runtime crashes, each at the line of the user's code. THIS RUNS THE USER'S CODE (go test
        builds and executes the tests and what they call): use it on code you trust, as you would run
        `go test`. Needs the Go toolchain. Cancelling the call stops the tests.

        packages: directories of the workspace (./..., ./pkg); import paths are refused. runs: how many
        times the whole set is run (1-100; more runs find rarer races). timeout: per test binary, a Go
        duration (0: none). count: go test -count per run (1-100). run: a go test -run regexp. with_check:
        also run check on the packages and link the static findings the race detector confirms."""
        import anyio

        from goconc import runner

        if isinstance(packages, str):
            packages = [packages]
        try:
            pkgs = [ws.package_pattern(p) for p in (packages or ["./..."])]
        except OutsideRoot as exc:
            raise ToolError(str(exc)) from None
        if not (1 <= runs <= 100 and 1 <= count <= 100):
            raise ToolError("runs and count must be between 1 and 100")
        if not (timeout == "0" or _GO_DURATION.fullmatch(timeout)):
            raise ToolError(f"timeout {timeout!r} is not a Go duration (e.g. 90s, 3m; 0 for none)")
        from goconc.race import run as racerun

        if racerun.duration_seconds(timeout) > 86400:
            raise ToolError(f"timeout {timeout} is more than 24h")
        opts = racerun.Options(packages=pkgs, runs=runs, timeout=timeout, count=count, run=run, tags=tags,
                               cwd=ws.root)
        work = runner.Scope()

        def go() -> S.RaceReport:
            with runner.scope(work):
                return _race(ws, opts, with_check, check_report)

        try:
            return await anyio.to_thread.run_sync(go, abandon_on_cancel=True)
        except anyio.get_cancelled_exc_class():
            work.cancel()  # the go test processes die now; the thread unwinds and removes its files
            raise

    @server.tool(annotations=read_only)
    def explain(report: str | None = None, path: str | None = None) -> S.ExplainReport:
        """Explain a Go race detector report, runtime panic ('all goroutines are asleep', 'concurrent map
        writes') or goroutine dump (SIGQUIT, /debug/pprof/goroutine?debug=2): what raced or what is
        blocked on what, the likely cause, and the fix. Give the text as report, or a file of the
        workspace as path."""
        from goconc.engine import _display_path
        from goconc.loader import read_lines, read_regular
        from goconc.race import explain as ex
        from goconc.race import findings as F
        from goconc.race import parser

        if (report is None) == (path is None):
            raise ToolError("give either report (the text) or path (a file of the workspace)")
        if path is not None:
            try:
                data = read_regular(os.path.join(ws.root, ws.resolve(path)), 64 << 20)
            except OutsideRoot as exc:
                raise ToolError(str(exc)) from None
            except OSError as exc:
                raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from None
            report = parser.decode_log(data)
        def lines_inside(p: str):  # a report can name any file: only the workspace's are read
            return read_lines(p) if ws.contains(p) else None

        loc = F.Locator(goroot=None, display=_display_path, read_lines=lines_inside, source_dirs=(ws.root,))
        items = ex.explain(report or "", loc)
        if not items:
            raise ToolError("found no race report, runtime panic or goroutine dump to explain")
        from goconc.output import json as out_json

        return S.ExplainReport(explanations=[
            S.Explanation(finding=S.Finding.model_validate(out_json.finding(i.finding)), facts=i.facts,
                          cause=i.cause, fix=i.fix) for i in items])

    @server.tool(annotations=read_only)
    def review(paths: list[str] | str | None = None, only: str | None = None) -> S.ReviewReport:
        """A senior engineer's concurrency review of the packages in paths (default ./...): the
        goroutines and how each one stops, the channels (made where, buffer, who sends, receives,
        closes), the locks and the fields each guards, exported types against what their doc promises,
        context use, the findings of check grouped under what they break, tests to add (Go that
        compiles), and the assumptions. Claims the analysis could not establish say "unknown" and why.
        only: one type T, function F or method T.M, for what concerns it alone.
        (To add what the tests show under the race detector, call `race` on the same packages.)"""
        import json as _json

        from goconc.config import ConfigError
        from goconc.review import render
        from goconc.review import review as run_review

        from goconc.review import NotFound

        try:
            rev = run_review(paths_of(paths), focus=only or None)
        except (ConfigError, NotFound) as exc:
            raise ToolError(str(exc)) from None
        doc = _json.loads(render.to_json(rev))
        return S.ReviewReport(markdown=render.markdown(rev), packages=doc["packages"],
                              problems=[S.Problem.model_validate(p) for p in doc["problems"]])

    @server.tool(annotations=read_only)
    def patterns() -> S.PatternList:
        """The concurrency patterns `new` generates (worker pool, pipeline, fan-out/fan-in, graceful
        shutdown, rate limiter, pub/sub, ...): when to use each, and its parameters with defaults."""
        from goconc import patterns as P

        return S.PatternList(patterns=[
            S.PatternInfo(name=p.name, summary=p.summary, when=p.doc,
                          params=[S.PatternParam(name=q.name, default=q.default, help=q.help, choices=list(q.choices))
                                  for q in p.params])
            for p in P.PATTERNS.values()])

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True,
                                             idempotent_hint=False, open_world_hint=False))
    def new(pattern: str, directory: str | None = None, params: dict[str, str | int | float | bool] | None = None,
            module: str | None = None, force: bool = False, verify: bool = False) -> S.Generated:
        """Generate a verified concurrency pattern (see `patterns`) with its tests, benchmark and doc into
        directory (default: ./PACKAGE) of the workspace. params: the pattern's parameters by name
        (e.g. {"workers": "8", "in": "string"}). Inside an existing module the files join it; elsewhere a
        new module is made (module: its path). Existing files are not overwritten unless force=true.
        verify=true then proves the code as goconc's own suite does (gofmt, go vet, go test -race with a
        leak check, goconc check; needs Go, takes a minute or more)."""
        from goconc import patterns as P
        from goconc import runner
        from goconc.engine import _display_path

        pat = P.PATTERNS.get(pattern)
        if pat is None:
            raise ToolError(f"unknown pattern {pattern!r}; one of: {', '.join(P.PATTERNS)}")
        if verify and (runner.find_go() is None or runner.find_gofmt() is None):
            raise ToolError("verify needs the Go toolchain: no go or gofmt found (install Go, or set GOCONC_GO)")
        try:
            values = P.resolve(pat, {k.replace("-", "_"): str(v).lower() if isinstance(v, bool) else str(v)
                                     for k, v in (params or {}).items()})
            target = ws.resolve(directory or values["package"])
            result = P.generate(pat, values, os.path.join(ws.root, target), force=force, module=module)
        except (P.PatternError, OutsideRoot) as exc:
            raise ToolError(_tool_words(str(exc))) from None
        except OSError as exc:
            raise ToolError(f"cannot write {directory or target}: {exc.strerror or exc}") from None
        verified, lines = None, []
        if verify:
            from goconc.patterns.verify import verify_generated

            lines, verified = verify_generated(result)
        return S.Generated(pattern=pat.name, directory=_display_path(result.directory),
                           import_path=result.import_path, module_created=result.module_created,
                           written=[_display_path(p) for p in result.written], todo=list(result.todo),
                           verified=verified, verification=list(lines))

    return server


def _listed(v: list[str] | str | None) -> list[str]:
    return [v] if isinstance(v, str) else list(v or [])


def _tool_words(message: str) -> str:
    """A message written for the CLI, in the tool's words: --force -> force=true, --x -> params.x."""
    message = message.replace("--force", "force=true").replace("--dir", "directory").replace("--module", "module")
    return re.sub(r"--([a-z][a-z-]*)", lambda m: "params." + m.group(1).replace("-", "_"), message)


def _race(ws: Workspace, opts, with_check: bool, check_report) -> S.RaceReport:
    from goconc.config import CheckRun
    from goconc.engine import _display_path, sort_unique
    from goconc.loader import read_lines
    from goconc.race import run as racerun
    from goconc.registry import select

    try:
        result = racerun.run(opts, display=_display_path, read_lines=read_lines)
    except racerun.GoMissing as exc:
        raise ToolError(str(exc)) from None
    if result.runs == 0 and result.problems:
        raise ToolError("nothing was run: " + "; ".join(str(p) for p in result.problems[:3]))
    codes = {r.code for r in select(None, None, dynamic=True)}
    diags = [d for d in result.diagnostics if d.code in codes]
    if with_check and result.dirs:
        setup = CheckRun([os.path.relpath(d, ws.root) for d in result.dirs], [], [], None)
        static = setup.finish(setup.analyse(cache=True))  # the workspace's configuration applies
        confirmed, dynamic = racerun.cross_link(static.diagnostics, diags)
        diags = confirmed + dynamic
        result.problems.extend(static.problems)
    result.diagnostics = sort_unique(diags)
    doc = check_report(result).model_dump()
    return S.RaceReport(**doc, runs=result.runs, seconds=round(result.seconds, 1),
                        failed_tests=result.failed_tests, go_version=result.go_version)


def _rule_info(r) -> S.RuleInfo:
    return S.RuleInfo(code=r.code, name=r.name, severity=r.severity.value, enabled_by_default=r.enabled_by_default,
                      summary=r.summary, fix=r.fix.value, dynamic=r.dynamic)


def serve(root: str) -> None:
    """Serve over stdio until the client closes the connection (or SIGTERM, SIGHUP, Ctrl-C);
    then every go command still running is killed, the requests' threads get a few seconds to
    remove their temporary files, and the process exits without waiting for more."""
    import signal
    import threading
    import time

    from goconc import engine, loader, runner

    os.chdir(root)
    engine.START_METHOD = "forkserver"
    loader.CONFINE_TO = os.path.realpath(root)

    def stop(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, stop)
    code = 0
    try:
        build(root).run()
    except KeyboardInterrupt:
        code = 130
    except BaseException as exc:  # noqa: BLE001 - the client went away, or the SDK failed: one line, no traceback
        if not _gone(exc):
            print(f"goconc mcp: stopped: {exc!r}", file=sys.stderr)
            code = 1
    finally:
        runner.EVERYTHING.cancel()
        deadline = time.monotonic() + 5
        while threading.active_count() > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        sys.stderr.flush()
        os._exit(code)


def _gone(exc: BaseException) -> bool:
    """Whether an exception (or every one of a group) says the client closed the connection."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_gone(e) for e in exc.exceptions)
    return isinstance(exc, (BrokenPipeError, ConnectionResetError, EOFError))
