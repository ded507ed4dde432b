"""Command line: `goconc check`, `goconc rules`, `goconc rule`.

Findings and machine output go to stdout; problems, notes and summaries to stderr.
Exit codes: 0 no findings, 1 findings (or input that could not be analysed), 2 usage or fatal error.
Heavy modules (tree-sitter, rules, rich) are imported inside the commands that need them.
"""

from __future__ import annotations

import sys

import click

from goconc import __version__
from goconc.loader import read_lines as _read_lines
from goconc.loader import read_source as _read_source

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


_OUTPUT_ERRNOS = frozenset({"ENOSPC", "EIO", "EDQUOT", "EFBIG", "EBADF", "EROFS"})


class _Main(click.Group):
    """The command group, with goconc's answers to what click would otherwise print as
    "Aborted!" (exit 1, which means findings) or a traceback: Ctrl-C anywhere is one line and
    exit 130; output that cannot be written (stdout on a full disk) is one line and exit 2; a
    reader that left (`goconc check | head`) is not an error."""

    def invoke(self, ctx):
        try:
            try:
                rv = super().invoke(ctx)
            except SystemExit:
                _flush_stdout()
                raise
            _flush_stdout()
            return rv
        except KeyboardInterrupt:
            _interrupted("goconc: interrupted")
        except BrokenPipeError:
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_FINDINGS)
        except OSError as exc:
            import errno

            if errno.errorcode.get(exc.errno or 0) not in _OUTPUT_ERRNOS:
                raise
            import os

            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush
            except OSError:
                pass
            click.echo(f"goconc: cannot write the output: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_ERROR)


def _flush_stdout() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="goconc")
def main() -> None:
    """goconc: finds goroutine leaks, deadlocks and data races in Go code."""
    _ensure_streams()


def _ensure_streams() -> None:
    """Started with stdout or stderr closed (`goconc check >&-`), Python has None there: write
    to the null device instead of failing on the first print."""
    import os

    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def _keep_in_meta(ctx, param, value):
    """Options only the output formats read: kept in ctx.meta, not passed to every command."""
    ctx.meta[f"goconc.{param.name}"] = value
    return value


def _sarif_category() -> str:
    """--sarif-category, else goconc-<command> (check and race results upload side by side)."""
    from goconc.output.sarif import DEFAULT_CATEGORY

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return DEFAULT_CATEGORY.format(command="check")
    return ctx.meta.get("goconc.sarif_category") or DEFAULT_CATEGORY.format(command=ctx.info_name)


def _not_empty(ctx, param, value):
    """An option given an empty value (`--diff-base "$BASE_REF"` with the variable unset) is a
    mistake, not the option left out: say so instead of silently doing something else."""
    if value is not None and value == "":
        raise click.BadParameter("must not be empty", ctx=ctx, param=param)
    return value


def _output_options(f):
    """The options every command that prints findings shares."""
    for opt in reversed([
        click.option("--select", "selects", multiple=True, metavar="RULES",
                     help="Only these rules: codes, code prefixes (GC3) or names, comma-separated. ALL for every rule."),
        click.option("--ignore", "ignores", multiple=True, metavar="RULES",
                     help="Skip these rules (same forms as --select)."),
        click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
                     envvar="GOCONC_FORMAT", show_default=True,
                     help="Output format (github: GitHub Actions annotations)."),
        click.option("--sarif-category", metavar="NAME", envvar="GOCONC_SARIF_CATEGORY", expose_value=False,
                     callback=_keep_in_meta,
                     help="SARIF automationDetails category (default goconc-<command>); give each upload of "
                          "the same command its own, e.g. per module of a monorepo."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), callback=_not_empty,
                     help="Write findings to FILE."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True),
        click.option("--statistics", is_flag=True, help="Print the number of findings per rule to stderr."),
        click.option("-v", "--verbose", is_flag=True, help="Also print notes (e.g. code the parser could not read)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress and no summary line on stderr."),
    ]):
        f = opt(f)
    return f


def _config_options(f):
    """--config and --no-config (check and config)."""
    f = click.option("--no-config", is_flag=True, help="Use no configuration file.")(f)
    return click.option("--config", "config_file", metavar="FILE", type=click.Path(dir_okay=False), callback=_not_empty,
                        help="Use FILE for every path instead of the nearest .goconc.toml.")(f)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: number of CPUs).")
@click.option("--no-cache", is_flag=True, envvar="GOCONC_NO_CACHE",
              help="Analyse everything again instead of reusing the findings for unchanged directories.")
@click.option("--include-generated", is_flag=True,
              help="Also analyse generated files (`// Code generated ... DO NOT EDIT.`), skipped by default.")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="SECONDS", help="A file whose analysis takes longer is reported and skipped.")
@click.option("--max-file-size", type=click.FloatRange(min=0, min_open=True), default=2.0, show_default=True,
              metavar="MIB", help="A larger file is reported and skipped (memory grows with file size).")
@_output_options
@_config_options
@click.option("--baseline", metavar="FILE", callback=_not_empty, help="Hide the findings recorded in FILE by --write-baseline.")
@click.option("--write-baseline", metavar="FILE", callback=_not_empty, help="Record the current findings in FILE (and show none).")
@click.option("--diff-base", metavar="REF", callback=_not_empty,
              help="Only findings on lines changed since the git revision REF (committed, staged, unstaged, untracked).")
@click.option("--stdin-filename", metavar="PATH", callback=_not_empty,
              help="With - as the path: the file the code read from stdin is (for messages, go.mod, its package).")
def check(paths, jobs, no_cache, include_generated, file_timeout, max_file_size, selects, ignores, fmt, output,
          exit_zero, color, statistics, verbose, quiet, **config_opts) -> None:
    """Analyse Go code: files, directories (walked recursively) and DIR/... patterns.

    With no PATHS, analyses ./... . vendor/, testdata/ and directories starting with . or _
    are skipped unless named explicitly, and so are generated files. Findings of unchanged
    directories are reused from the cache in $GOCONC_CACHE (default ~/.cache/goconc);
    --no-cache analyses everything again.

    Settings come from the nearest .goconc.toml (or goconc.toml) above each file; flags
    override them (see docs/configuration.md). `goconc check -` reads one file from stdin.
    """
    from goconc.config import CheckRun, ConfigError, UsageProblem
    from goconc.engine import RunOptions
    from goconc.registry import SelectorError, split_list

    try:
        setup = CheckRun(list(paths), split_list(selects), split_list(ignores), jobs, **config_opts)
    except (SelectorError, UsageProblem) as exc:
        raise click.UsageError(str(exc)) from None
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:  # while reading stdin
        _interrupted("goconc: interrupted")
    if output:
        _check_output_path(output)  # before the analysis, not after minutes of it
    if setup.stdin and color == "auto":
        color = "never"  # code frames would show the file on disk, not the code read from stdin
    _interrupt_on_termination()
    options = RunOptions(include_generated=include_generated, file_timeout=file_timeout,
                         max_file_size=int(max_file_size * 1048576))
    try:
        with _progress(quiet, color) as progress:
            result = setup.analyse(cache=not no_cache and not setup.stdin, options=options, progress=progress)
        result = setup.finish(result)
        if setup.message:
            click.echo(f"goconc: {setup.message}", err=True)
        code = _report(result, setup.rules(), fmt, output, color, statistics, verbose, exit_zero, quiet=quiet)
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _interrupted("goconc: interrupted")
    sys.exit(code)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--unsafe-fixes", is_flag=True,
              help="Also apply fixes that may change behaviour (each rule's 'Fix safety' says how).")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff on stdout; write nothing.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: number of CPUs).")
@_output_options
@_config_options
def fix(paths, unsafe_fixes, diff, jobs, selects, ignores, fmt, output, exit_zero, color, statistics, verbose,
        quiet, config_file, no_config) -> None:
    """Apply the fixes of the findings in PATHS (as for check), then report what remains.

    Only safe fixes are applied unless --unsafe-fixes. Fixed files are gofmt-formatted when Go is
    installed and the file was; a file whose fixed code would not parse is left unchanged. Each
    file is written once, atomically, keeping its mode and owner (a symlink's target is written).
    Generated files are never fixed. The configuration applies as for check: excluded files
    and the findings it ignores are not fixed.

    Exit codes: 0 no finding remains, 1 findings remain or a file could not be fixed or
    written, 2 usage or fatal error. With --diff nothing is written, and the exit code is 1
    when there is any finding, fixable or not.
    """
    from goconc import fixes as F
    from goconc.config import ConfigError, Plan
    from goconc.model import Applicability, RunResult
    from goconc.registry import SelectorError, split_list

    targets = list(paths) or ["./..."]
    if "-" in targets:
        raise click.UsageError("goconc fix works on files, not on code read from stdin ('-')")
    if config_file is not None and no_config:
        raise click.UsageError("--config and --no-config exclude each other")
    try:
        plan = Plan(targets, selects=split_list(selects), ignores=split_list(ignores), jobs=jobs,
                    config_file=config_file, no_config=no_config)
        rules = plan.rules_for(plan.root)
    except SelectorError as exc:
        raise click.UsageError(str(exc)) from None
    except ConfigError as exc:
        _fail(str(exc))
    if diff and fmt != "text":
        raise click.UsageError("--diff prints a diff; it cannot be combined with -f/--format")
    if output:
        _check_output_path(output)
    _interrupt_on_termination()
    try:
        run = F.fix_paths(targets, rules, unsafe=unsafe_fixes, jobs=plan.jobs, plan=plan)
    except KeyboardInterrupt:
        _interrupted("goconc: interrupted; no file was changed")
    problems = list(run.problems)
    changed = run.files
    diagnostics = run.diagnostics
    if diff:
        text = "".join(F.unified_diff(f.path, f.before, f.after) for f in changed)
        _emit(text, output)
    else:
        written: list = []
        try:
            F.write_fixed(changed, problems, written)
        except KeyboardInterrupt:
            _interrupted(f"goconc: interrupted; {_plural(len(written), 'file')} had been fixed")
        if len(written) < len(changed):  # what remains is what is on disk: analyse it again
            from goconc.engine import check_paths

            diagnostics = plan.finish(check_paths(targets, rules, jobs=plan.jobs, plan=plan).diagnostics)
        changed = written
    verb = "would fix" if diff else "fixed"
    for f in changed if not quiet else ():
        counts: dict[tuple[str, str], int] = {}
        for key in f.fixed:
            counts[key] = counts.get(key, 0) + 1
        what = ", ".join(f"{n} × {code} {name}" for (code, name), n in sorted(counts.items()))
        click.echo(f"goconc: {f.path}: {verb} {_plural(len(f.fixed), 'finding')} ({what})", err=True)
    n_fixed = sum(len(f.fixed) for f in changed)
    summary = f"{verb} {_plural(n_fixed, 'finding')} in {_plural(len(changed), 'file')}" if n_fixed \
        else "nothing to fix"
    left = len(diagnostics)
    summary += "; " + ("no findings" if not left else _plural(left, "finding")) + (
        " would remain" if diff else " remains" if left == 1 else " remain")
    if not unsafe_fixes:
        more = sum(1 for d in diagnostics if any(x.applicability is Applicability.UNSAFE for x in d.fixes))
        if more:
            summary += f" ({more} fixable with --unsafe-fixes)"
    if problems:
        summary += f"; {_plural(len(problems), 'problem')}, above"
    rules = plan.all_used_rules()
    result = RunResult(diagnostics=diagnostics, problems=problems, notes=run.notes, files=run.files_seen,
                       packages=run.packages)
    if diff:
        err = _console(stderr=True, color=color)
        for p in problems:
            err.print(f"goconc: {p}", markup=False, highlight=False, soft_wrap=True)
        if not quiet:
            err.print(f"goconc: {summary}", markup=False, highlight=False, soft_wrap=True)
        if exit_zero:
            sys.exit(EXIT_CLEAN)
        sys.exit(EXIT_FINDINGS if changed or diagnostics or problems else EXIT_CLEAN)
    sys.exit(_report(result, rules, fmt, output, color, statistics, verbose, exit_zero, summary=summary,
                     quiet=quiet))


def _interrupted(message: str):
    """Ctrl-C or SIGTERM: one line, exit 130 now (nothing is left to clean up: output files are
    written only at the end, and the workers are already killed)."""
    import os

    try:
        click.echo(message, err=True)
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a closed stream must not turn an interrupt into a traceback
        pass
    os._exit(130)


class _progress:
    """`with _progress(quiet, color) as cb`: a progress bar on stderr when it is a terminal
    (packages done / total, the directory just finished); cb is None otherwise."""

    def __init__(self, quiet: bool, color: str) -> None:
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("goconc"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                TextColumn("{task.description}"), console=_console(stderr=True, color=color),
                                transient=True)
            self.task = None

    def __enter__(self):
        if self.bar is None:
            return None
        self.bar.start()
        self.task = self.bar.add_task("", total=None)
        return self.update

    def update(self, done: int, total: int, directory: str | None) -> None:
        from goconc.engine import _display_path

        self.bar.update(self.task, completed=done, total=total,
                        description=_display_path(directory) if directory else "")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _check_output_path(output: str) -> None:
    from goconc.outfile import problem

    why = problem(output)
    if why is not None:
        raise click.BadParameter(f"{output!r}: {why}", param_hint="'-o' / '--output'")


def _report(result, rules, fmt, output, color, statistics, verbose, exit_zero, *,
            summary: str | None = None, nothing_done: bool | None = None, quiet: bool = False) -> int:
    """Print a run's problems, findings and summary; return the exit code."""
    try:
        return _print_report(result, rules, fmt, output, color, statistics, verbose, exit_zero, summary, nothing_done,
                             quiet)
    except BrokenPipeError:  # `goconc check | head`: the reader left; that is not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS if result.diagnostics else EXIT_CLEAN


def _print_report(result, rules, fmt, output, color, statistics, verbose, exit_zero, summary, nothing_done,
                  quiet) -> int:
    err = _console(stderr=True, color=color)
    for p in result.problems:
        err.print(f"goconc: {p}", markup=False, highlight=False, soft_wrap=True)
    if verbose:
        for n in result.notes:
            err.print(f"goconc: note: {n}", markup=False, highlight=False, soft_wrap=True)

    diags = result.diagnostics
    if fmt == "json":
        from goconc.output import json as out_json

        _emit(out_json.render(result), output)
    elif fmt == "sarif":
        from goconc.output import sarif

        _emit(sarif.render(result, rules, _read_source, category=_sarif_category()), output)
    elif fmt == "github":
        from goconc.output import github

        _emit(github.render(result, _read_source), output)
    else:
        from goconc.output import text

        if output is None and _use_rich(color):
            text.print_rich(diags, _console(stderr=False, color=color), _read_source)
        else:
            _emit(text.render(diags), output)

    if statistics:
        counts: dict[tuple[str, str], int] = {}
        for d in diags:
            counts[(d.code, d.name)] = counts.get((d.code, d.name), 0) + 1
        for (code, name), n in sorted(counts.items()):
            err.print(f"{n:6d}  {code}  {name}", markup=False, highlight=False)
    if summary is None:
        summary = check_summary(result)
    if not quiet:
        err.print(f"goconc: {summary}", markup=False, highlight=False, soft_wrap=True)

    if nothing_done and not diags:
        return EXIT_ERROR  # goconc race: go test could not run at all
    if exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if diags or result.problems else EXIT_CLEAN


def check_summary(result) -> str:
    """`checked 12 files in 3 packages: 5 findings (2 files could not be analysed)`."""
    n = len(result.diagnostics)
    head = (f"checked {_plural(result.files, 'file')} in {_plural(result.packages, 'package')}: "
            f"{_plural(n, 'finding') if n else 'no findings'}")
    extra = []
    if result.problems:
        extra.append(f"{_plural(len(result.problems), 'problem')} with the input, above")
    if getattr(result, "generated", 0):
        extra.append(f"{_plural(result.generated, 'generated file')} skipped; --include-generated analyses them")
    return head + (f" ({'; '.join(extra)})" if extra else "")


def _fail(message: str):
    """A fatal error: one line on stderr, exit 2."""
    click.echo(f"goconc: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _emit(text: str, output: str | None) -> None:
    if output:
        from goconc.outfile import write_output

        try:
            write_output(output, text)
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _use_rich(color: str) -> bool:
    if color == "never":
        return False
    if color == "always":
        return True
    return sys.stdout.isatty()


def _console(*, stderr: bool, color: str):
    from rich.console import Console

    force = True if color == "always" else None
    no_color = True if color == "never" else None
    return Console(stderr=stderr, force_terminal=force, no_color=no_color, highlight=False)


@main.command()
@click.argument("packages", nargs=-1)
@click.option("--count", type=click.IntRange(min=1), default=3, show_default=True,
              help="Run each test N times in one binary (go test -count).")
@click.option("--cpu", default="1,4", show_default=True, help="GOMAXPROCS values to run the tests with (go test -cpu).")
@click.option("--shuffle", default="on", show_default=True, help="Test order: on, off, or a seed (go test -shuffle).")
@click.option("--timeout", default="3m", show_default=True,
              help="Per test binary; a test still running then is reported as a deadlock (go test -timeout).")
@click.option("--runs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Stress mode: run the whole go test N times; findings say in how many runs they showed.")
@click.option("--race/--no-race", default=True, show_default=True, help="Build with the race detector.")
@click.option("--leaks/--no-leaks", default=True, show_default=True,
              help="Look for goroutines left blocked after each package's tests.")
@click.option("--leak-profile/--no-leak-profile", default=None,
              help="Use the runtime's goroutineleak profile (default: on Go 1.27+; on Go 1.26 it rebuilds "
                   "the standard library with GOEXPERIMENT=goroutineleakprofile).")
@click.option("--settle", type=click.IntRange(min=0), default=1000, show_default=True, metavar="MS",
              help="How long leftover goroutines may take to finish before they count as leaked.")
@click.option("--run", "run_re", metavar="REGEXP", help="Only tests matching REGEXP (go test -run).")
@click.option("--tags", help="Build tags (go test -tags).")
@click.option("--with-check", is_flag=True, help="Also run `goconc check` on the packages and cross-link the findings.")
@_output_options
def race(packages, count, cpu, shuffle, timeout, runs, race, leaks, leak_profile, settle, run_re, tags, with_check,
         selects, ignores, fmt, output, exit_zero, color, statistics, verbose, quiet) -> None:
    """Run the tests under the race detector and report races, deadlocks, leaks and runtime crashes.

    PACKAGES are go test patterns (default ./...). Runs `go test -race -json` with several counts,
    CPU settings and a shuffled order; a test still running at --timeout is reported with the
    goroutines that block it; goroutines left blocked after a package's tests are reported as
    leaks (checked through `go test -overlay`: your files are never written).
    """
    from goconc.engine import _display_path
    from goconc.race import run as racerun
    from goconc.registry import SelectorError, select, split_list

    try:
        rules = select(split_list(selects), split_list(ignores), dynamic=True)
        static_rules = select(None, None) if with_check else []
    except SelectorError as exc:
        raise click.UsageError(str(exc)) from None
    if output:
        _check_output_path(output)
    opts = racerun.Options(packages=list(packages) or ["./..."], race=race, count=count, cpu=cpu, shuffle=shuffle,
                           timeout=timeout, runs=runs, leaks=leaks, leak_profile=leak_profile, settle_ms=settle,
                           run=run_re, tags=tags)
    _interrupt_on_termination()
    try:
        result = racerun.run(opts, display=_display_path, read_lines=_read_lines)
    except racerun.GoMissing as exc:
        click.echo(f"goconc: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        click.echo("goconc: interrupted; the tests were stopped", err=True)
        sys.exit(130)
    codes = {r.code for r in rules}
    result.diagnostics = [d for d in result.diagnostics if d.code in codes]
    if result.runs == 0 and not result.problems and not quiet and not verbose:
        for note in result.notes:  # why nothing ran ("no test files"): said even without -v
            click.echo(f"goconc: {note}", err=True)
    if with_check and result.dirs:
        from goconc.engine import check_paths, sort_unique

        static = check_paths(result.dirs, static_rules, cache=True)
        confirmed, dynamic = racerun.cross_link(static.diagnostics, result.diagnostics)
        result.diagnostics = sort_unique(confirmed + dynamic)
        result.problems.extend(static.problems)
        rules = sorted(rules + static_rules, key=lambda r: r.code)
    else:
        from goconc.engine import sort_unique

        result.diagnostics = sort_unique(result.diagnostics)
    summary = (f"{_plural(len(result.diagnostics), 'finding')} in {_plural(result.packages, 'package')} "
               f"({_plural(result.runs, 'run')} of go test, {result.seconds:.1f} s; {result.go_version})")
    sys.exit(_report(result, rules, fmt, output, color, statistics, verbose, exit_zero, summary=summary,
                     nothing_done=result.runs == 0 and bool(result.problems), quiet=quiet))


@main.command()
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--source", "sources", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="A checkout of the code: paths printed on another machine are matched to it, and code "
                   "frames are shown.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="text explains; json and sarif give the findings only.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def explain(file, sources, fmt, color) -> None:
    """Explain a race report, panic or goroutine dump pasted from logs (FILE, or - for stdin).

    Prints what raced or what is blocked on what, the likely cause, and how to fix it.
    """
    from goconc.engine import _display_path
    from goconc.model import RunResult
    from goconc.race import explain as ex
    from goconc.race import findings as F
    from goconc.race import parser
    from goconc.registry import find

    try:
        if file == "-":
            data = sys.stdin.buffer.read() if sys.stdin is not None else b""
        else:
            with open(file, "rb") as f:
                data = f.read()
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror or exc}")
    text = parser.decode_log(data)
    loc = F.Locator(goroot=None, display=_display_path, read_lines=_read_lines,
                    source_dirs=tuple(sources))
    items = ex.explain(text, loc)
    if not items:
        click.echo("goconc: found no race report, runtime panic or goroutine dump to explain", err=True)
        sys.exit(EXIT_ERROR)
    diags = [i.finding for i in items]
    if fmt != "text":
        rules = sorted({find(d.code) for d in diags if find(d.code)}, key=lambda r: r.code)
        result = RunResult(diagnostics=diags)
        if fmt == "json":
            from goconc.output import json as out_json

            _emit(out_json.render(result), None)
        else:
            from goconc.output import sarif

            _emit(sarif.render(result, rules, _read_source, category=_sarif_category()), None)
        sys.exit(EXIT_FINDINGS)
    console = _console(stderr=False, color=color)
    from rich.text import Text

    for item in items:
        d = item.finding
        rule = find(d.code)
        head = Text(f"{rule.summary if rule else d.name}", style="bold")
        head.append(f" ({d.code} {d.name})", style="bold red")
        console.print(head, soft_wrap=True)
        console.print(Text(f"{d.span.path}:{d.span.start.line}: {d.message}"), soft_wrap=True)
        for fact in item.facts:
            console.print(Text(f"  - {fact}"), soft_wrap=True)
        if item.cause:
            console.print(Text(f"  likely cause: {item.cause}"), soft_wrap=True)
        if item.fix:
            console.print(Text(f"  fix: {item.fix}"), soft_wrap=True)
        for path, line in [(d.span.path, d.span.start.line)] + [(r.span.path, r.span.start.line) for r in d.related]:
            src = _read_source(path)
            if src is None:
                continue
            from rich.syntax import Syntax

            console.print(Text(f"  {path}:{line}", style="dim"))
            console.print(Syntax(src, "go", line_numbers=True, line_range=(max(1, line - 1), line + 1),
                                 highlight_lines={line}, background_color="default"))
        if rule is not None:
            console.print(Text(f"  more: goconc rule {rule.name}", style="dim"))
        console.print()
    sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("pattern", required=False)
@click.option("--list", "show_list", is_flag=True, help="Describe every pattern and its parameters.")
@click.option("-d", "--dir", "directory", type=click.Path(file_okay=False),
              help="Where to write the files (default: ./PACKAGE). Outside a module, a new module is created.")
@click.option("--module", help="Module path of a new module (default: the package name).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--verify", "verify_after", is_flag=True,
              help="Then prove the generated code as goconc's own suite does (gofmt, go vet, go test -race "
                   "with the leak check, goconc check; go mod tidy for a new module): one verdict a line, "
                   "exit 1 if one fails.")
@click.option("--package", help="Go package name.")
@click.option("--in", "in_", metavar="TYPE", help="Element type for the benchmark (built-in types and composites).")
@click.option("--out", metavar="TYPE", help="Result type for the benchmark.")
@click.option("--workers", metavar="N", help="Number of workers.")
@click.option("--buffer", metavar="N", help="Channel buffer size.")
@click.option("--limit", metavar="N", help="Calls running at once (bounded-parallel); total weight (semaphore).")
@click.option("--variant", help="Implementation variant (see --list).")
@click.option("--addr", help="Default listen address (graceful-shutdown).")
@click.option("--shutdown-timeout", metavar="DURATION", help="Drain deadline (graceful-shutdown).")
@click.option("--rate", metavar="PER_SECOND", help="Events per second (rate-limiter).")
@click.option("--burst", metavar="N", help="Burst size (rate-limiter).")
@click.option("--policy", help="Slow-consumer policy: drop or block (pubsub).")
@click.option("--block-timeout", metavar="DURATION", help="How long Publish waits for a full subscriber (pubsub).")
@click.option("--interval", metavar="DURATION", help="Period of the task (periodic-worker).")
@click.option("--ttl", metavar="DURATION", help="How long a loaded value is served (singleflight-cache).")
@click.option("--capacity", metavar="N", help="Most entries kept (singleflight-cache).")
@click.option("--load-timeout", metavar="DURATION", help="How long one shared load may take (singleflight-cache).")
def new(pattern, show_list, directory, module, force, package, in_, out, workers, buffer, limit, variant, addr,
        shutdown_timeout, rate, burst, policy, block_timeout, interval, ttl, capacity, load_timeout,
        verify_after) -> None:
    """Generate a verified concurrency pattern with tests, a benchmark and its explanation.

    Every pattern is generated, vetted, run under the race detector with a leak check, and
    checked by goconc in goconc's own test suite. See --list for the patterns.
    """
    from goconc import patterns as P

    if show_list or not pattern:
        if not show_list:
            raise click.UsageError("name a pattern (see `goconc new --list`)")
        for p in P.PATTERNS.values():
            click.echo(f"{p.name}\n  {p.summary}\n  when: {p.doc}")
            for prm in p.params:
                choices = f" ({'|'.join(prm.choices)})" if prm.choices else ""
                click.echo(f"    --{prm.name.replace('_', '-'):18s} {prm.help}{choices}; default {prm.default}")
            click.echo()
        return
    pat = P.PATTERNS.get(pattern)
    if pat is None:
        raise click.UsageError(f"unknown pattern {pattern!r}; one of: {', '.join(P.PATTERNS)}")
    given = {"package": package, "in": in_, "out": out, "workers": workers, "buffer": buffer, "limit": limit,
             "variant": variant, "addr": addr, "shutdown_timeout": shutdown_timeout, "rate": rate, "burst": burst,
             "policy": policy, "block_timeout": block_timeout, "interval": interval, "ttl": ttl,
             "capacity": capacity, "load_timeout": load_timeout}
    if verify_after:
        from goconc import runner

        if runner.find_go() is None or runner.find_gofmt() is None:
            _fail("--verify needs the Go toolchain: no go or gofmt found (install Go, or set GOCONC_GO)")
    try:
        values = P.resolve(pat, given)
        target = directory or values["package"]
        result = P.generate(pat, values, target, force=force, module=module)
    except P.PatternError as exc:
        raise click.UsageError(str(exc).replace("--shutdown_timeout", "--shutdown-timeout")
                               .replace("--block_timeout", "--block-timeout")
                               .replace("--load_timeout", "--load-timeout")) from None
    except OSError as exc:
        _fail(f"cannot write {directory or '.'}: {exc.strerror or exc}")
    from goconc.engine import _display_path

    what = "new module " + result.import_path if result.module_created else "package " + result.import_path
    click.echo(f"{pat.name} -> {_display_path(result.directory)} ({what})")
    for path in result.written:
        click.echo(f"  wrote {_display_path(path)}")
    for step in result.todo:
        click.echo(f"  then run: {step}")
    click.echo(f"  try it: cd {_display_path(result.directory)} && go test -race ./...")
    if verify_after:
        from goconc.patterns.verify import verify_generated

        lines, ok = verify_generated(result)
        for line in lines:
            click.echo(line)
        if not ok:
            sys.exit(EXIT_FINDINGS)


def _interrupt_on_termination() -> None:
    """SIGTERM and SIGHUP (a CI job cancelled, a terminal closed) end the run like Ctrl-C: the
    go test process group is killed and the temporary files removed, nothing left behind."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            try:
                signal.signal(sig, interrupt)
            except (ValueError, OSError):  # not the main thread (embedded use)
                pass


@main.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Include rules that are off by default.")
def rules_cmd(show_all: bool) -> None:
    """List the rules: code, name, severity, default, summary."""
    from goconc.registry import all_rules

    hidden = 0
    for r in all_rules():
        if not show_all and not r.enabled_by_default and not r.code.startswith("GC0"):
            hidden += 1
            continue
        on = "on " if r.enabled_by_default else "off"
        fix = " (fix)" if r.fix.value != "none" else ""
        race = " [goconc race]" if r.dynamic else ""
        click.echo(f"{r.code}  {r.name:32s} {r.severity.value:8s} {on}  {r.summary}{fix}{race}")
    if hidden:
        click.echo(f"goconc: {_plural(hidden, 'rule')} off by default not shown; `goconc rules --all` lists "
                   f"{'them' if hidden > 1 else 'it'} (turn one on with --select CODE)", err=True)


@main.command("rule")
@click.argument("key")
def rule_cmd(key: str) -> None:
    """Print the documentation of one rule (by code or name)."""
    from goconc.docs import render_rule
    from goconc.registry import find

    r = find(key)
    if r is None:
        raise click.UsageError(f"unknown rule {key!r} (see `goconc rules`)")
    click.echo(render_rule(r), nl=False)


@main.command("config")
@click.argument("path", default=".")
@click.option("--select", "selects", multiple=True, metavar="RULES", help="As for check.")
@click.option("--ignore", "ignores", multiple=True, metavar="RULES", help="As for check.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="As for check.")
@_config_options
def config_cmd(path, selects, ignores, jobs, config_file, no_config) -> None:
    """Print the configuration `goconc check` uses for PATH, and where each value comes from."""
    from goconc.config import ConfigError, Plan, describe
    from goconc.registry import SelectorError, split_list

    if config_file is not None and no_config:
        raise click.UsageError("--config and --no-config exclude each other")
    try:
        plan = Plan([path], selects=split_list(selects), ignores=split_list(ignores), jobs=jobs,
                    config_file=config_file, no_config=no_config)
        click.echo(describe(plan, path), nl=False)
    except SelectorError as exc:
        raise click.UsageError(str(exc)) from None
    except ConfigError as exc:
        _fail(str(exc))


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--race", "with_race", is_flag=True,
              help="Also run the tests under the race detector (goconc race) and add what they show.")
@click.option("-f", "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), callback=_not_empty,
              help="Write the review to FILE.")
@click.option("--only", "focus", metavar="NAME", callback=_not_empty,
              help="Only what concerns one type T, function F or method T.M (in the packages declaring it).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def review(paths, with_race, fmt, output, color, focus) -> None:
    """Review the concurrency of Go packages as a senior engineer would: the goroutines and how each
    stops, the channels, the locks and the fields they guard, exported types against their doc,
    context use; the findings grouped under what they break; tests to add (Go that compiles);
    the assumptions. Markdown by default (pasteable into a pull request), or JSON.
    """
    from goconc.config import ConfigError
    from goconc.review import render
    from goconc.review import review as run_review

    if output:
        _check_output_path(output)
    from goconc.review import NotFound

    _interrupt_on_termination()
    try:
        rev = run_review(list(paths) or ["./..."], race=with_race, focus=focus)
    except (ConfigError, NotFound) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _interrupted("goconc: interrupted")
    text = render.to_json(rev) if fmt == "json" else render.markdown(rev)
    if fmt == "markdown" and not output and _use_rich(color) and sys.stdout.isatty():
        from rich.markdown import Markdown

        _console(stderr=False, color=color).print(Markdown(text))
    else:
        _emit(text, output)
    sys.exit(EXIT_CLEAN)


def _extra(module: str, extra: str, command: str) -> None:
    """A command whose dependencies are an optional extra: a one-line error when they are missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        _fail(f"{command} needs the {module} package: pip install 'goconc[{extra}]'")


def _workspace_root(root: str) -> str:
    import os

    if not os.path.isdir(root):
        _fail(f"--root {root}: not a directory")
    return os.path.realpath(root)


@main.command("mcp")
@click.option("--root", default=".", show_default=True, metavar="DIR",
              help="The workspace: paths outside it are refused.")
def mcp_cmd(root: str) -> None:
    """Serve goconc's tools to coding agents over the Model Context Protocol (stdio).

    Tools: check, review, rules, rule, fix (a diff; writes only when asked), race (runs the
    tests), explain, patterns, new. Register it with `goconc agent init`, or in .mcp.json as
    {"command": "goconc", "args": ["mcp"]}.
    """
    _extra("mcp", "mcp", "goconc mcp")
    from goconc.serve import mcp as server

    try:
        server.serve(_workspace_root(root))
    except KeyboardInterrupt:
        sys.exit(130)


@main.command("lsp")
def lsp_cmd() -> None:
    """Serve goconc check to editors as a language server (stdio).

    Findings appear as diagnostics when a Go file is opened or saved (its whole package is
    analysed again, the cache used), with their related locations; the fixes are code actions,
    and hovering a finding shows its rule's documentation.
    """
    _extra("pygls", "lsp", "goconc lsp")
    from goconc.serve import lsp

    try:
        lsp.serve()
    except KeyboardInterrupt:
        sys.exit(130)


@main.group("agent")
def agent_cmd() -> None:
    """Set goconc up for coding agents (Claude Code)."""


@agent_cmd.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files (or the goconc entry of .mcp.json) the user changed.")
def agent_init(directory: str, force: bool) -> None:
    """Write a Go concurrency expert subagent (.claude/agents/go-concurrency-expert.md) and register
    goconc's MCP server in .mcp.json, merged with the servers already there.

    A file you changed since goconc wrote it is left alone unless --force; so is a goconc entry
    of your own in .mcp.json. Commit both files to share the agent with your team.
    """
    import importlib.util
    import os

    from goconc.engine import _display_path
    from goconc.serve import agent

    if not os.path.isdir(directory):
        _fail(f"{directory}: not a directory")
    code = EXIT_CLEAN
    for step in (agent.write_agent, agent.register_server):
        try:
            out = step(directory, force=force)
        except agent.AgentError as exc:
            click.echo(f"goconc: {exc}", err=True)
            code = EXIT_FINDINGS
            continue
        except OSError as exc:
            click.echo(f"goconc: {exc.filename or directory}: {exc.strerror or exc}; not written", err=True)
            code = EXIT_FINDINGS
            continue
        note = f" ({out.note})" if out.note else ""
        click.echo(f"{_display_path(out.path)}: {out.action}{note}")
    if importlib.util.find_spec("mcp") is None:
        click.echo("goconc: the MCP server needs the mcp package: pip install 'goconc[mcp]'", err=True)
    entry = agent.server_entry()
    if not agent.portable(entry):
        click.echo(f"goconc: goconc is not on PATH, so .mcp.json starts it as {entry['command']} "
                   f"{' '.join(entry['args'])}, a path of this machine; install goconc on PATH (pipx install "
                   "goconc) before committing .mcp.json for others", err=True)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
