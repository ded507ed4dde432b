"""Command line: `goconc check`, `goconc rules`, `goconc rule`.

Findings and machine output go to stdout; problems, notes and summaries to stderr.
Exit codes: 0 no findings, 1 findings (or input that could not be analysed), 2 usage or fatal error.
Heavy modules (tree-sitter, rules, rich) are imported inside the commands that need them.
"""

from __future__ import annotations

import sys

import click

from goconc import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


def _read_source(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return None


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--select", "selects", multiple=True, metavar="RULES",
              help="Only these rules: codes, code prefixes (GC3) or names, comma-separated. ALL for every rule.")
@click.option("--ignore", "ignores", multiple=True, metavar="RULES", help="Skip these rules (same forms as --select).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              envvar="GOCONC_FORMAT", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write findings to FILE.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: number of CPUs).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule to stderr.")
@click.option("--no-cache", is_flag=True, envvar="GOCONC_NO_CACHE",
              help="Analyse everything again instead of reusing the findings for unchanged directories.")
@click.option("-v", "--verbose", is_flag=True, help="Also print notes (e.g. code the parser could not read).")
def check(paths, selects, ignores, fmt, output, jobs, exit_zero, color, statistics, no_cache, verbose) -> None:
    """Analyse Go code: files, directories (walked recursively) and DIR/... patterns.

    With no PATHS, analyses ./... . vendor/, testdata/ and directories starting with . or _
    are skipped unless named explicitly. Findings of unchanged directories are reused from the
    cache in $GOCONC_CACHE (default ~/.cache/goconc); --no-cache analyses everything again.
    """
    from goconc.engine import check_paths
    from goconc.registry import SelectorError, select, split_list

    try:
        rules = select(split_list(selects), split_list(ignores))
    except SelectorError as exc:
        raise click.UsageError(str(exc)) from None
    if output:
        _check_output_path(output)  # before the analysis, not after minutes of it
    result = check_paths(list(paths) or ["./..."], rules, jobs=jobs, cache=not no_cache)
    try:
        code = _report(result, rules, fmt, output, color, statistics, verbose, exit_zero)
    except BrokenPipeError:  # `goconc check | head`: the reader left; that is not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_FINDINGS if result.diagnostics else EXIT_CLEAN
    sys.exit(code)


def _check_output_path(output: str) -> None:
    import os

    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise click.BadParameter(f"directory {parent!r} does not exist", param_hint="'-o' / '--output'")
    if not os.access(parent, os.W_OK) or (os.path.exists(output) and not os.access(output, os.W_OK)):
        raise click.BadParameter(f"{output!r} is not writable", param_hint="'-o' / '--output'")


def _report(result, rules, fmt, output, color, statistics, verbose, exit_zero) -> int:
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

        _emit(sarif.render(result, rules, _read_source), output)
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
    if statistics or verbose or sys.stderr.isatty():
        err.print(f"goconc: {_plural(len(diags), 'finding')} in {_plural(result.files, 'file')} "
                  f"({_plural(result.packages, 'package')})", markup=False, highlight=False)

    if not result.files and result.problems and not diags:
        return EXIT_ERROR  # nothing could be analysed at all
    if exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if diags or result.problems else EXIT_CLEAN


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _emit(text: str, output: str | None) -> None:
    if output:
        import os
        import tempfile

        parent = os.path.dirname(os.path.abspath(output))
        try:  # whole or nothing: an interrupted run never leaves half a report behind
            try:
                mode = os.stat(output).st_mode & 0o777
            except FileNotFoundError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=".goconc-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                os.chmod(tmp, mode)
                os.replace(tmp, output)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            raise click.FileError(output, exc.strerror or str(exc)) from None
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


@main.command("rules")
@click.option("--all", "show_all", is_flag=True, help="Include rules that are off by default.")
def rules_cmd(show_all: bool) -> None:
    """List the rules: code, name, severity, default, summary."""
    from goconc.registry import all_rules

    for r in all_rules():
        if not show_all and not r.enabled_by_default and not r.code.startswith("GC0"):
            continue
        on = "on " if r.enabled_by_default else "off"
        fix = " (fix)" if r.fix.value != "none" else ""
        click.echo(f"{r.code}  {r.name:32s} {r.severity.value:8s} {on}  {r.summary}{fix}")


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


if __name__ == "__main__":  # pragma: no cover
    main()
