"""Adopting goconc on existing code: baselines (`--write-baseline`, `--baseline`) and
`--diff-base REF` (only findings on lines changed since REF, for pull requests).

A baseline is a JSON file with a version:

    {"version": 1, "tool": "goconc",
     "findings": [{"code": "GC3002", "name": "lock-not-released", "path": "pkg/cache.go",
                   "hash": "5c7e0f1a9b3d2e41", "message": "..."}]}

A finding matches an entry by rule code, path (relative to the baseline's directory, so the
file works from any working directory) and `hash`: a hash of the flagged line and the line
above and below it, each stripped of leading and trailing white space. Lines added or removed
elsewhere in the file move a finding without changing its hash, so it stays hidden;
an edit of the flagged line or its neighbours changes the hash, so the finding shows
again. Matching counts: two identical findings on identical lines need two entries. The message
is kept for the reader only (it may name line numbers, which move).

`--diff-base` asks git for the lines changed since REF (`git diff REF`: committed, staged and
unstaged changes; untracked files count as changed throughout). A finding is kept when its
line, or one of its related locations (the `return` that leaves a lock held), is on a
changed line; a line next to removed lines counts as changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from goconc.model import Diagnostic

VERSION = 1


class BaselineError(Exception):
    """A baseline or git problem that stops the run: printed as one line, exit 2."""


def _shown(path: str) -> str:
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


class Lines:
    """The lines of the files findings are in, read once; `overrides` (stdin) win over the disk."""

    def __init__(self, overrides: dict[str, bytes] | None = None) -> None:
        self._memo: dict[str, list[bytes]] = {}
        for p, data in (overrides or {}).items():
            self._memo[os.path.abspath(p)] = data.splitlines()

    def __call__(self, path: str) -> list[bytes]:
        key = os.path.abspath(path)
        got = self._memo.get(key)
        if got is None:
            from goconc.loader import read_regular

            try:
                got = read_regular(key).splitlines()
            except (OSError, ValueError):
                got = []
            self._memo[key] = got
        return got


def fingerprint(lines: Sequence[bytes], line: int) -> str:
    """The hash of line `line` (1-based) with its neighbours, white space at their ends ignored."""
    h = hashlib.sha256()
    for n in (line - 1, line, line + 1):
        h.update(lines[n - 1].strip() if 1 <= n <= len(lines) else b"\x00")
        h.update(b"\n")
    return h.hexdigest()[:16]


def _key(d: Diagnostic, base_dir: str, lines: Lines) -> tuple[str, str, str]:
    rel = os.path.relpath(os.path.abspath(d.span.path), base_dir).replace(os.sep, "/")
    return d.code, rel, fingerprint(lines(d.span.path), d.span.start.line)


def write(path: str, diags: Iterable[Diagnostic], lines: Lines) -> int:
    """Write the baseline of `diags` to `path` (whole or not at all); the number of entries."""
    base_dir = os.path.dirname(os.path.abspath(path))
    entries = []
    for d in diags:
        code, rel, h = _key(d, base_dir, lines)
        entries.append({"code": code, "name": d.name, "path": rel, "hash": h, "message": d.message})
    entries.sort(key=lambda e: (e["path"], e["code"], e["hash"], e["message"]))
    doc = {"version": VERSION, "tool": "goconc", "findings": entries}
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    _write_whole(path, text)
    return len(entries)


def _write_whole(path: str, text: str) -> None:
    """Whole or nothing, and never replacing what the path is (a symlink, a device, a FIFO):
    the same writer as -o."""
    from goconc.outfile import write_output

    try:
        write_output(path, text)
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {_shown(path)}: {exc.strerror or exc}") from None


def check_writable(path: str) -> None:
    """Before the analysis: BaselineError when `path` cannot be written."""
    from goconc.outfile import problem

    why = problem(path)
    if why is not None:
        raise BaselineError(f"cannot write baseline {_shown(path)}: {why}")


class Baseline:
    """Findings written earlier, to be hidden."""

    def __init__(self, path: str, entries: Counter) -> None:
        self.path = path
        self.base_dir = os.path.dirname(os.path.abspath(path))
        self.entries = entries

    def filter(self, diags: Iterable[Diagnostic], lines: Lines) -> tuple[list[Diagnostic], int]:
        """(findings not in the baseline, number hidden)."""
        left = Counter(self.entries)
        kept, hidden = [], 0
        for d in diags:
            k = _key(d, self.base_dir, lines)
            if left[k] > 0:
                left[k] -= 1
                hidden += 1
            else:
                kept.append(d)
        return kept, hidden


def load(path: str) -> Baseline:
    """Read a baseline; BaselineError (one line) when it cannot be read or is not one."""
    shown = _shown(path)
    from goconc.loader import read_regular

    try:
        data = read_regular(path, 512 * 1024 * 1024)  # never blocks on a FIFO
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {shown}: {exc.strerror or exc}") from None

    def bad(why: str):
        raise BaselineError(f"{shown}: not a usable goconc baseline ({why}); write a new one with --write-baseline")

    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, json.JSONDecodeError) else ""
        bad(f"{where}invalid JSON" if where else "not UTF-8 text")
    if not isinstance(doc, dict) or "version" not in doc:
        bad('no "version"')
    version = doc["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        bad(f'"version" is {json.dumps(version)}, not 1')
    if version > VERSION:
        raise BaselineError(f"{shown}: baseline version {version} was written by a newer goconc; "
                            f"this one reads version {VERSION}")
    if version != VERSION:
        bad(f"unknown version {version}")
    findings = doc.get("findings")
    if not isinstance(findings, list):
        bad('"findings" is not a list')
    entries: Counter = Counter()
    for i, e in enumerate(findings):
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in ("code", "path", "hash")):
            bad(f"finding {i + 1} needs \"code\", \"path\" and \"hash\" strings")
        entries[(e["code"], e["path"], e["hash"])] += 1
    return Baseline(path, entries)


# --------------------------------------------------------------------------------------------
# --diff-base


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def parse_diff(text: str) -> dict[str, set[int]]:
    """Changed lines of each file (path as git prints it, relative to the top level) in the
    output of `git diff -U0` (pure). A pure removal marks the lines on both sides of it."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.split("\n"):
        if line.startswith("+++ "):
            target = line[4:]
            if target == "/dev/null":
                current = None
                continue
            target = _unquote(target)
            if target.startswith("b/"):
                target = target[2:]
            current = out.setdefault(target, set())
        elif line.startswith("@@") and current is not None:
            m = _HUNK.match(line)
            if not m:
                continue
            start = int(m.group(1))
            count = int(m.group(2)) if m.group(2) is not None else 1
            if count == 0:
                current.update(n for n in (start, start + 1) if n >= 1)
            else:
                current.update(range(start, start + count))
    return out


def _unquote(path: str) -> str:
    """A path as git quotes it ("b/t\\tab.go", octal escapes for bytes) back to text."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path.rstrip("\t")  # git may end the name with a tab when it contains spaces
    import codecs

    raw = codecs.escape_decode(path[1:-1].encode("utf-8"))[0]
    return raw.decode("utf-8", "replace")


class Changes:
    """Lines changed since a git revision, in the repository that holds `where`."""

    ALL = None  # a file changed throughout (untracked, new)

    def __init__(self, ref: str, where: str, stdin: tuple[str, bytes] | None = None) -> None:
        from goconc import runner

        import shutil

        self.ref = ref
        if shutil.which("git") is None:
            raise BaselineError("--diff-base needs git, which was not found on PATH")
        where = os.path.abspath(where)
        while not os.path.isdir(where) and os.path.dirname(where) != where:
            where = os.path.dirname(where)  # a path that does not exist is reported by the run itself
        top = runner.git(["rev-parse", "--show-toplevel"], cwd=where)
        if top.returncode != 0 or not top.stdout.strip():
            raise BaselineError(f"--diff-base: {_shown(where)} is not in a git repository")
        self.top = os.path.realpath(top.stdout.strip())
        if ref.startswith("-"):
            raise BaselineError(f"--diff-base: unknown git revision {ref!r}")
        rev = runner.git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=self.top)
        if rev.returncode != 0:
            raise BaselineError(f"--diff-base: unknown git revision {ref!r}")
        self.commit = rev.stdout.strip()
        diff = runner.git(["-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv",
                           "--src-prefix=a/", "--dst-prefix=b/", "-U0", self.commit, "--"], cwd=self.top)
        if diff.returncode != 0 or diff.timed_out:
            raise BaselineError(f"--diff-base: git diff {ref} failed: {_first_line(diff.stderr)}")
        self.files: dict[str, set[int] | None] = {
            os.path.join(self.top, p): lines for p, lines in parse_diff(diff.stdout).items()}
        untracked = runner.git(["ls-files", "--others", "--exclude-standard", "-z"], cwd=self.top)
        if untracked.returncode != 0:
            raise BaselineError(f"--diff-base: git ls-files failed: {_first_line(untracked.stderr)}")
        for p in untracked.stdout.split("\0"):
            if p:
                self.files[os.path.join(self.top, p)] = self.ALL
        if stdin is not None:
            self._stdin(*stdin)

    def _stdin(self, path: str, data: bytes) -> None:
        """The buffer against the file as REF has it (the working tree does not hold the buffer)."""
        import difflib

        from goconc import runner

        real = self._real(path)
        rel = os.path.relpath(real, self.top)
        if rel.startswith(".."):
            return
        old = runner.git(["show", f"{self.commit}:{rel.replace(os.sep, '/')}"], cwd=self.top)
        if old.returncode != 0:
            self.files[real] = self.ALL
            return
        a = old.stdout.split("\n")
        b = data.decode("utf-8", "replace").split("\n")
        changed: set[int] = set()
        for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag in ("replace", "insert"):
                changed.update(range(j1 + 1, j2 + 1))
            elif tag == "delete":
                changed.update(n for n in (j1, j1 + 1) if n >= 1)
        self.files[real] = changed

    @staticmethod
    def _real(path: str) -> str:
        d, name = os.path.split(os.path.abspath(path))
        return os.path.join(os.path.realpath(d), name)

    def touches(self, path: str, first: int, last: int) -> bool:
        real = self._real(path)
        if real not in self.files:
            return False
        lines = self.files[real]
        return lines is self.ALL or any(n in lines for n in range(first, last + 1))

    def keep(self, d: Diagnostic) -> bool:
        s = d.span
        if self.touches(s.path, s.start.line, max(s.start.line, s.end.line)):
            return True
        return any(self.touches(r.span.path, r.span.start.line, r.span.start.line) for r in d.related)

    def filter(self, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
        return [d for d in diags if self.keep(d)]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "no message"


# --------------------------------------------------------------------------------------------
# The CLI's hook


class Filters:
    """What `goconc check` does with its findings after the analysis: --diff-base, then
    --write-baseline (which writes them and shows none) or --baseline (which hides the known ones).
    Everything that can fail is checked in the constructor, before the analysis."""

    def __init__(self, *, baseline: str | None, write_baseline: str | None, diff_base: str | None, where: str,
                 stdin: tuple[str, bytes] | None = None) -> None:
        self.write_to = write_baseline
        self.lines = Lines({stdin[0]: stdin[1]} if stdin else None)
        self.changes = Changes(diff_base, where, stdin) if diff_base else None
        self.baseline = load(baseline) if baseline else None
        if write_baseline:
            check_writable(write_baseline)

    def apply(self, diags: list[Diagnostic], notes: list) -> tuple[list[Diagnostic], str | None]:
        """(findings to show, a line for stderr or None)."""
        from goconc.model import Problem

        if self.changes is not None:
            before = len(diags)
            diags = self.changes.filter(diags)
            if before != len(diags):
                n = before - len(diags)
                notes.append(Problem(f"--diff-base {self.changes.ref}",
                                     f"{_plural(n, 'finding')} on lines not changed since {self.changes.ref} hidden"))
        if self.write_to:
            n = write(self.write_to, diags, self.lines)
            return [], f"wrote {_plural(n, 'finding')} to baseline {_shown(self.write_to)}"
        if self.baseline is not None:
            diags, hidden = self.baseline.filter(diags, self.lines)
            if hidden:
                notes.append(Problem(_shown(self.baseline.path), f"{_plural(hidden, 'known finding')} hidden by the "
                                                                 "baseline"))
        return diags, None

