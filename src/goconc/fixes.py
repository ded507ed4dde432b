"""`goconc fix`: choosing, applying and checking the fixes rules attach to their findings.

    findings -> the fix each offers (SAFE; UNSAFE too with --unsafe-fixes; never DISPLAY_ONLY)
             -> overlap resolution in finding order (an edit touching an edit already taken
                skips its whole fix; the next pass, on the re-analysed code, offers it again)
             -> edits applied in memory -> the result must parse (tree-sitter; `gofmt -e` when
                Go is installed) and is gofmt-formatted -> re-analyse the directory ... until no
                fix is left (at most MAX_PASSES passes)
             -> the caller prints a diff, or writes each changed file once (`write_file`).

A file whose fixed text does not parse is refused: it keeps its bytes and the refusal is one
line. A fix must edit one file (a fix spanning files, which no rule makes yet, is not applied:
refusing one of its files would leave the other half-fixed). The result is gofmt-formatted
when the file was (a file that was not keeps its own layout around the edits). Files are only
written at the end, from the main process, each atomically (a temporary file in the same
directory renamed over it) with its mode and owner; a symlink is written through to its target
and stays a symlink; anything that is not a regular file is never written.

The second half of the module holds small helpers rules use to build their edits (whole
lines, indentation), so that every fix inserts and deletes text the same way.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from goconc.model import Applicability, Diagnostic, Edit, Fix, Problem

MAX_PASSES = 10
FILE_TIMEOUT = 60.0  # seconds per file and pass, as `goconc check --file-timeout`'s default
MAX_FILE_SIZE = 2 * 1048576  # bytes, as `goconc check --max-file-size`'s default
_CRLF = re.compile(r"(?<!\r)\n")


# --------------------------------------------------------------------------------------------
# Choosing and applying (pure)


def applicable_fix(d: Diagnostic, unsafe: bool) -> Fix | None:
    """The first fix of a finding that may be applied: SAFE, or UNSAFE when `unsafe`."""
    for f in d.fixes:
        if f.applicability is Applicability.SAFE or (unsafe and f.applicability is Applicability.UNSAFE):
            if f.edits:
                return f
    return None


def _overlaps(a: Edit, b: Edit) -> bool:
    """Edits that overlap or touch (as ruff: an insertion at the end of a replacement counts),
    so that the order in which they apply never matters."""
    return a.path == b.path and a.start <= b.end and b.start <= a.end


def _well_formed(f: Fix) -> bool:
    edits = sorted(set(f.edits), key=lambda e: (e.path, e.start, e.end))
    if any(e.start < 0 or e.end < e.start for e in edits):
        return False
    return not any(_overlaps(a, b) for a, b in zip(edits, edits[1:]))


def resolve(candidates: Sequence[tuple[Diagnostic, Fix]]) -> tuple[list[tuple[Diagnostic, Fix]],
                                                                  list[tuple[Diagnostic, Fix]]]:
    """Split fixes (in finding order) into those applied now and those skipped for overlapping
    one applied earlier. A fix whose edits equal those of an applied fix (two findings with one
    remedy) counts as applied: its edits are made once."""
    taken: list[Edit] = []
    applied_sets: set[frozenset[Edit]] = set()
    applied: list[tuple[Diagnostic, Fix]] = []
    skipped: list[tuple[Diagnostic, Fix]] = []
    for d, f in candidates:
        key = frozenset(f.edits)
        if key in applied_sets:
            applied.append((d, f))
            continue
        if not _well_formed(f) or any(_overlaps(e, t) for e in key for t in taken):
            skipped.append((d, f))
            continue
        applied_sets.add(key)
        taken.extend(key)
        applied.append((d, f))
    return applied, skipped


def apply_edits(src: bytes, edits: Iterable[Edit]) -> bytes:
    """`src` with the (non-overlapping) edits made; offsets are bytes of `src`."""
    out = src
    for e in sorted(set(edits), key=lambda e: (e.start, e.end), reverse=True):
        if e.end > len(out):
            raise ValueError(f"edit [{e.start}, {e.end}) is outside the file ({len(src)} bytes)")
        out = out[:e.start] + e.new.encode("utf-8") + out[e.end:]
    return out


# --------------------------------------------------------------------------------------------
# Checking and formatting the result


def syntax_problem(original: bytes, result: bytes) -> str | None:
    """Why `result` (the fixed `original`) must not be written, or None.

    tree-sitter must read the result with no more errors than the original (whose own
    unreadable-but-valid corners, see source.py, carry over), and `gofmt -e`, when Go is
    installed, must accept it."""
    from goconc.source import SourceError, load

    try:
        got = load("fixed.go", result, confirm_with_gofmt=False)
    except SourceError as exc:
        return str(exc)
    if got.syntax is not None:
        before = load("original.go", original, confirm_with_gofmt=False)
        if before.syntax is None or len(got.broken) > len(before.broken):
            return f"line {got.syntax.line}: {got.syntax.message}"
    return None


@dataclass(frozen=True)
class Formatted:
    text: bytes | None  # gofmt's output; None when gofmt is not installed
    error: str = ""  # the first syntax error gofmt reported ("" when none)


def gofmt(src: bytes) -> Formatted:
    """`src` run through gofmt (which also checks its syntax: `gofmt -e`)."""
    from goconc.runner import find_gofmt, run

    exe = find_gofmt()
    if exe is None:
        return Formatted(None)
    res = run([exe, "-e"], input=src, timeout=60)
    if res.timed_out:
        return Formatted(None, "gofmt did not finish in 60 s")
    if res.returncode == 127:
        return Formatted(None)
    if res.returncode != 0:
        first = next((ln for ln in res.stderr.splitlines() if ln.strip()), "syntax error")
        return Formatted(None, first.removeprefix("<standard input>:").strip())
    return Formatted(res.stdout.encode("utf-8"))


# --------------------------------------------------------------------------------------------
# Writing


class WriteError(Exception):
    """A file that was not written (the message says why; the file is as it was)."""


def write_fixed(changed, problems: list, written: list, refuse=None) -> None:
    """Write each fixed file (write_file), appending it to `written` as it lands (so an interrupted
    run can say how many were) and a problem for each one not written; `refuse(f)` may give a
    reason not to write f at all (a server confined to a workspace)."""
    from goconc.model import Problem

    for f in changed:
        why = refuse(f) if refuse is not None else None
        if why:
            problems.append(Problem(f.path, why))
            continue
        try:
            write_file(f.real, f.after, f.before)
        except WriteError as exc:
            problems.append(Problem(f.path, f"not fixed: {exc}"))
        else:
            written.append(f)


def write_file(path: str, data: bytes, expected: bytes) -> None:
    """Replace the contents of the regular file `path` with `data`, atomically.

    A symlink is followed to its target, which gets the new contents (the link stays). The
    file must still hold `expected` (what was analysed), be writable by us, and have a single
    hard link (renaming over one of several names would split them); its mode and owner are
    kept. A read-only file (no write permission bit) is not written, even by root. Raises
    WriteError, leaving the file as it was."""
    import tempfile

    target = os.path.realpath(path)
    try:
        st = os.lstat(target)
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise WriteError("not a regular file; not written")
    if st.st_nlink > 1:
        raise WriteError(f"has {st.st_nlink} hard links; not rewritten (replacing it would split them)")
    if not os.access(target, os.W_OK) or not st.st_mode & 0o222:  # (root may write anything: ask the mode)
        raise WriteError("is read-only; not written")
    from goconc.loader import read_regular

    try:
        now = read_regular(target)
    except OSError as exc:
        raise WriteError(f"cannot read it again: {exc.strerror or exc}") from None
    if now != expected:
        raise WriteError("changed while goconc was fixing it; not written")
    directory, base = os.path.split(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{base}.", suffix=".goconc-tmp")
    except OSError as exc:
        raise WriteError(f"cannot create a file next to it: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        tst = os.stat(tmp)
        if (tst.st_uid, tst.st_gid) != (st.st_uid, st.st_gid):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                raise WriteError("cannot keep its owner and group; not written") from None
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(exc.strerror or str(exc)) from None
        raise


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A unified diff, git-style (`a/path`, `b/path`: `git apply` takes it) for relative paths,
    plain paths for absolute ones (`patch -p0`)."""
    import difflib

    a = before.decode("utf-8", "replace").splitlines(keepends=True)
    b = after.decode("utf-8", "replace").splitlines(keepends=True)
    old, new = (path, path) if os.path.isabs(path) else (f"a/{path}", f"b/{path}")
    lines = []
    for ln in difflib.unified_diff(a, b, old, new):
        lines.append(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n")
    return "".join(lines)


# --------------------------------------------------------------------------------------------
# The driver: one directory unit at a time (in worker processes), files written by the caller


@dataclass
class FileFix:
    """One file the fixes changed (in memory)."""

    path: str  # as displayed
    real: str  # as opened
    before: bytes
    after: bytes
    fixed: list[tuple[str, str]] = field(default_factory=list)  # (code, name) per fixed finding


@dataclass
class UnitFix:
    files: list[FileFix] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # what remains
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    files_seen: int = 0
    packages: int = 0
    generated: int = 0


def fix_unit(unit, rules, *, unsafe: bool, display: Callable[[str], str] = lambda p: p,
             max_passes: int = MAX_PASSES, keep: Callable[[list], list] | None = None) -> UnitFix:
    """Fix one directory unit in memory until no applicable fix is left.

    `keep` filters the findings as the configuration does (per-path ignores, severities:
    config.Plan.finish): a finding the configuration hides is not fixed either."""
    from goconc.engine import analyze_files, read_sources, sort_unique

    mod = unit.module
    sources: dict[str, bytes | OSError] = read_sources(unit.files)
    original = dict(sources)
    real_of = {display(p): p for p in unit.files}
    frozen: set[str] = set()  # real paths no fix may touch any more
    fixed: dict[str, list[tuple[str, str]]] = {}
    formatted_before: dict[str, bool] = {}
    out = UnitFix()

    def analyse():
        got = analyze_files(unit.files, rules, go_version=mod.go_version if mod else None,
                            module_path=mod.path if mod else "", directory=unit.dir, display=display,
                            sources=sources, file_timeout=FILE_TIMEOUT, max_file_size=MAX_FILE_SIZE)
        if keep is not None:
            got.diagnostics = keep(got.diagnostics)
        return got

    res = analyse()
    for _ in range(max_passes):
        cands = []
        for d in sort_unique(res.diagnostics):
            f = applicable_fix(d, unsafe)
            if f is None:
                continue
            paths = {real_of.get(e.path) for e in f.edits}
            if len(paths) != 1 or None in paths or paths & frozen:
                continue  # (a fix spanning files could be refused in one and made in the other)
            cands.append((d, f))
        if not cands:
            break
        applied, _skipped = resolve(cands)
        by_file: dict[str, list[Edit]] = {}
        done: dict[str, list[Diagnostic]] = {}
        for d, f in applied:
            for e in f.edits:
                by_file.setdefault(real_of[e.path], []).append(e)
            done.setdefault(real_of[f.edits[0].path], []).append(d)
        changed = False
        for real, edits in sorted(by_file.items()):
            src = sources[real]
            assert isinstance(src, bytes)
            shown = display(real)
            if real not in formatted_before:  # first fix in this file: is it sound Go as it is?
                fmt = gofmt(src)
                if fmt.error:
                    out.problems.append(Problem(shown, f"not fixed: the file does not parse as it is ({fmt.error})"))
                    frozen.add(real)
                    continue
                formatted_before[real] = fmt.text is not None and fmt.text == src
            if b"\r\n" in src:  # keep the file's line endings
                edits = [Edit(e.path, e.start, e.end, _CRLF.sub("\r\n", e.new)) for e in edits]
            try:
                new = apply_edits(src, edits)
            except ValueError as exc:
                new, why = None, str(exc)
            else:
                why = syntax_problem(original[real], new)  # type: ignore[arg-type]
            if why is None and new is not None:
                fmt = gofmt(new)
                if fmt.error:
                    why = f"gofmt: {fmt.error}"
                elif fmt.text is not None and formatted_before[real]:
                    new = fmt.text
            if why is not None or new is None:
                titles = sorted({f"{d.code} at line {d.span.start.line}" for d in done.get(real, [])})
                out.problems.append(Problem(shown, f"not fixed: the fixed code would not parse ({why}; "
                                                   f"fixes for {', '.join(titles)}); file left unchanged"))
                frozen.add(real)
                sources[real] = original[real]
                fixed.pop(real, None)
                changed = True
                continue
            if new != src:
                sources[real] = new
                changed = True
            fixed.setdefault(real, []).extend((d.code, d.name) for d in done.get(real, []))
        if not changed:
            break
        res = analyse()
    else:
        if any(applicable_fix(d, unsafe) for d in res.diagnostics):
            out.problems.append(Problem(display(unit.dir), f"fixes were still offered after {max_passes} passes; "
                                                           "stopped there (please report it)"))
    for real in unit.files:
        before, after = original[real], sources[real]
        if isinstance(before, bytes) and isinstance(after, bytes) and before != after:
            out.files.append(FileFix(display(real), real, before, after, fixed.get(real, [])))
    out.diagnostics = res.diagnostics
    out.problems.extend(res.problems)
    out.notes = res.notes
    out.files_seen = res.files
    out.packages = res.packages
    out.generated = getattr(res, "generated", 0)
    return out


_PLAN = None  # the configuration (config.Plan) of the run, in each worker process


def _set_plan(plan) -> None:
    global _PLAN
    _PLAN = plan
    from goconc import engine

    init = getattr(engine, "_worker_init", None)
    if init is not None:
        init()


def _fix_job(args) -> UnitFix:
    from goconc.engine import _display_path
    from goconc.registry import all_rules

    unit, codes, unsafe = args
    rules = [r for r in all_rules() if r.code in codes]
    return fix_unit(unit, rules, unsafe=unsafe, display=_display_path,
                    keep=_PLAN.finish if _PLAN is not None else None)


@dataclass
class FixRun:
    files: list[FileFix] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    files_seen: int = 0
    packages: int = 0
    generated: int = 0


def fix_paths(paths: Sequence[str], rules, *, unsafe: bool = False, jobs: int | None = None,
              plan=None) -> FixRun:
    """Compute the fixes for the Go code named by CLI arguments (nothing is written here).

    With a `plan` (config.Plan), as for check: excluded files are left out, each directory gets
    its configuration's rules, and findings its configuration ignores are not fixed."""
    from goconc.engine import sort_unique
    from goconc.loader import collect

    units, problems = collect(list(paths))
    if plan is not None:
        units = plan.prune(units)
    codes = tuple(r.code for r in rules)
    work = [(u, plan.codes(u) if plan is not None else codes, unsafe) for u in units]
    out = FixRun(problems=list(problems))
    for uf in _map(work, jobs or os.cpu_count() or 1, plan):
        out.files.extend(uf.files)
        out.diagnostics.extend(uf.diagnostics)
        out.problems.extend(uf.problems)
        out.notes.extend(uf.notes)
        out.files_seen += uf.files_seen
        out.packages += uf.packages
        out.generated += uf.generated
    out.files.sort(key=lambda f: f.path)
    out.diagnostics = sort_unique(out.diagnostics)
    out.problems.sort(key=lambda p: p.path)
    out.notes.sort(key=lambda p: p.path)
    return out


def _map(work: list, jobs: int, plan=None):
    global _PLAN
    if jobs <= 1 or len(work) <= 1:
        _PLAN = plan
        try:
            for w in work:
                yield _fix_job(w)
        finally:
            _PLAN = None
        return
    from concurrent.futures import ProcessPoolExecutor

    from goconc import engine
    from goconc.registry import all_rules

    all_rules()  # import the rules before forking
    ex = ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=engine._mp_context(),
                             initializer=_set_plan, initargs=(plan,))
    try:
        futures = [ex.submit(_fix_job, w) for w in work]
        for fut in futures:
            yield fut.result()
    except BaseException:
        kill = getattr(engine, "_kill_pool", None)
        if kill is not None:
            kill(ex)
        else:
            ex.shutdown(wait=False, cancel_futures=True)
        raise
    ex.shutdown(wait=True)


# --------------------------------------------------------------------------------------------
# Building edits (for rules): whole statements and lines, indentation


def line_start(src: bytes, offset: int) -> int:
    return src.rfind(b"\n", 0, offset) + 1


def line_end(src: bytes, offset: int) -> int:
    """Where the text of the line holding `offset` ends: its "\n" (or "\r\n"), else len(src)."""
    i = src.find(b"\n", offset)
    if i < 0:
        return len(src)
    return i - 1 if i > offset and src[i - 1:i] == b"\r" else i


def next_line(src: bytes, offset: int) -> int:
    """The start of the line after the one holding `offset` (len(src) on the last line)."""
    i = src.find(b"\n", offset)
    return len(src) if i < 0 else i + 1


def indent_of(src: bytes, offset: int) -> str:
    """The whitespace at the start of the line holding `offset`."""
    s = line_start(src, offset)
    i = s
    while i < len(src) and src[i] in b" \t":
        i += 1
    return src[s:i].decode()


def alone_on_line(src: bytes, start: int, end: int) -> bool:
    """Only whitespace before `start` on its line; after `end`, only whitespace or a // comment."""
    before = src[line_start(src, start):start]
    after = src[end:line_end(src, end)].strip()
    return before.strip() == b"" and (after == b"" or after.startswith(b"//"))


def delete_statement(path: str, src: bytes, start: int, end: int) -> Edit | None:
    """Delete the statement at [start, end): the whole line when it stands alone on it; when a
    trailing // comment follows, the statement only (the comment stays, on its own line)."""
    if not alone_on_line(src, start, end):
        return None
    le = line_end(src, end)
    if src[end:le].strip() == b"":
        return Edit(path, line_start(src, start), next_line(src, end), "")
    j = end
    while src[j:j + 1] in (b" ", b"\t"):
        j += 1
    return Edit(path, start, j, "")


def insert_line_after(path: str, src: bytes, start: int, end: int, line: str) -> Edit | None:
    """Insert `line` (without indentation) after the statement at [start, end), on a line of its
    own with the statement's indentation; None when more code follows on the statement's line.
    (Edits use "\n"; fix_unit writes "\r\n" into files that use it.)"""
    if not alone_on_line(src, start, end):
        return None
    le = line_end(src, end)
    return Edit(path, le, le, "\n" + indent_of(src, start) + line)
