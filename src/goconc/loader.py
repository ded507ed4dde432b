"""Turn command-line paths into the Go files to analyse, grouped by directory.

The rules follow the go tool's: `vendor/`, `testdata/` and directories whose names start with
`.` or `_` are skipped while walking, unless a path inside them was named explicitly; files whose
names start with `.` or `_` are skipped; `//go:build ignore` files are skipped. `_test.go` files
are analysed. A directory argument is walked recursively (as `DIR/...`).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field

from goconc.model import Problem

SKIP_DIRS = {"vendor", "testdata"}


@dataclass
class Module:
    """What goconc needs from a go.mod: the module path and the `go` language version."""

    path: str
    go_version: tuple[int, int] | None
    gomod: str


@dataclass
class DirUnit:
    """All selected .go files of one directory: the unit of parallel work."""

    dir: str
    files: list[str] = field(default_factory=list)
    module: Module | None = None
    size: int = 0


_MODULE_RE = re.compile(r"^\s*module\s+(\"[^\"]+\"|\S+)", re.M)
_GO_RE = re.compile(r"^\s*go\s+(\d+)\.(\d+)", re.M)


def parse_gomod(text: str) -> tuple[str, tuple[int, int] | None]:
    """Module path and `go` version of a go.mod file's text (pure)."""
    m = _MODULE_RE.search(text)
    path = m.group(1).strip('"') if m else ""
    g = _GO_RE.search(text)
    version = (int(g.group(1)), int(g.group(2))) if g else None
    return path, version


NOT_HERE = object()


def find_upwards(directory: str, memo: dict, probe, default=None):
    """The value `probe(d)` gives for the nearest directory d at or above `directory` where it
    gives one (anything but `NOT_HERE`), else `default`; memoised in `memo` for every
    directory on the way (go.mod, .goconc.toml: the nearest one wins)."""
    d = os.path.abspath(directory)
    chain = []
    found = default
    while True:
        if d in memo:
            found = memo[d]
            break
        chain.append(d)
        got = probe(d)
        if got is not NOT_HERE:
            found = got
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for c in chain:
        memo[c] = found
    return found


class ModuleFinder:
    """Finds the go.mod that encloses a directory (memoised)."""

    def __init__(self) -> None:
        self._cache: dict[str, Module | None] = {}

    def find(self, directory: str) -> Module | None:
        return find_upwards(directory, self._cache, _module_in)


def _module_in(d: str):
    gomod = os.path.join(d, "go.mod")
    if not os.path.isfile(gomod):
        return NOT_HERE
    try:
        with open(gomod, encoding="utf-8", errors="replace") as f:
            path, version = parse_gomod(f.read())
    except OSError:
        return None
    return Module(path, version, gomod)


# --- build constraints -----------------------------------------------------------------------

_BUILD_LINE = re.compile(rb"^//go:build\s+(.*)$")
_PLUS_BUILD = re.compile(rb"^//\s*\+build\s+(.*)$")


def is_ignored_by_build_tag(src: bytes) -> bool:
    """True when the file's build constraint cannot hold while the tag `ignore` is unset.

    Only the `ignore` tag is decided; every other tag is unknown, so `//go:build linux` files are
    kept while `//go:build ignore` and `//go:build ignore && linux` files are skipped.
    """
    pos = 0
    n = len(src)
    while pos < n:
        end = src.find(b"\n", pos)
        if end < 0:
            end = n
        line = src[pos:end].strip()
        pos = end + 1
        if not line:
            continue
        m = _BUILD_LINE.match(line)
        if m:
            return _eval_constraint(m.group(1).decode("utf-8", "replace")) is False
        m = _PLUS_BUILD.match(line)
        if m:
            # Old syntax: space-separated options are ORed, comma-separated terms are ANDed.
            opts = m.group(1).decode("utf-8", "replace").split()
            expr = " || ".join("(" + " && ".join(o.split(",")) + ")" for o in opts if o)
            if expr and _eval_constraint(expr) is False:
                return True
            continue
        if line.startswith(b"//"):
            continue
        if line.startswith(b"/*"):
            continue  # block comments before the package clause are rare; keep scanning
        break  # first non-comment line (package clause): constraints end here
    return False


_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.$")


def is_generated(src: bytes) -> bool:
    """True for a generated file, decided as go/ast.IsGenerated decides (gopls, staticcheck
    and go vet's analyzers use it; go.dev/s/generatedcode): a comment before the package
    clause, or a line of a block comment there, that reads `// Code generated ... DO NOT EDIT.`."""
    pos, n = 0, len(src)
    while pos < n:
        if src[pos] in b" \t\r\n":
            pos += 1
            continue
        if pos == 0 and src.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark
            pos = 3
            continue
        if src.startswith(b"//", pos):
            end = src.find(b"\n", pos)
            end = n if end < 0 else end
            if _GENERATED.match(src[pos:end].replace(b"\r", b"")):
                return True
            pos = end + 1
            continue
        if src.startswith(b"/*", pos):
            end = src.find(b"*/", pos + 2)
            end = n if end < 0 else end + 2
            for line in src[pos:end].replace(b"\r", b"").split(b"\n"):
                if _GENERATED.match(line):
                    return True
            pos = end
            continue
        return False  # the package clause: comments after it do not count
    return False


_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[A-Za-z0-9_.]+)")


def _eval_constraint(expr: str) -> bool | None:
    """Three-valued evaluation of a //go:build expression: ignore=False, other tags unknown."""
    tokens = _TOKEN.findall(expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def parse_or() -> bool | None:
        v = parse_and()
        while peek() == "||":
            take()
            r = parse_and()
            v = True if (v is True or r is True) else (False if (v is False and r is False) else None)
        return v

    def parse_and() -> bool | None:
        v = parse_not()
        while peek() == "&&":
            take()
            r = parse_not()
            v = False if (v is False or r is False) else (True if (v is True and r is True) else None)
        return v

    def parse_not() -> bool | None:
        if peek() == "!":
            take()
            v = parse_not()
            return None if v is None else not v
        if peek() == "(":
            take()
            v = parse_or()
            if peek() == ")":
                take()
            return v
        tok = take() if peek() is not None else ""
        return False if tok == "ignore" else None

    try:
        return parse_or()
    except IndexError:
        return None


# --- reading ---------------------------------------------------------------------------------


def read_regular(path: str, max_size: int | None = None) -> bytes:
    """The bytes of a regular file, opened without blocking: a FIFO or device (named *.go, or
    printed in a pasted report) raises OSError instead of hanging the run; so does a file over
    max_size."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file; skipped", path)
        if max_size is not None and st.st_size > max_size:
            raise OSError(0, f"larger than {max_size} bytes; skipped", path)
        return f.read()


def read_source(path: str) -> str | None:
    """A Go source file's text for code frames; None for anything that is not a readable,
    regular, reasonably sized file (paths in pasted reports can be anything)."""
    from goconc.source import MAX_FILE_SIZE

    try:
        return read_regular(path, MAX_FILE_SIZE).decode("utf-8", "replace")
    except (OSError, ValueError):  # ValueError: a NUL byte in the path
        return None


def read_lines(path: str) -> list[str] | None:
    """read_source split into lines (the race Locator's read_lines)."""
    text = read_source(path)
    return text.split("\n") if text is not None else None


# --- walking ---------------------------------------------------------------------------------


def _skip_dir_name(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith((".", "_"))


def _is_go_file(name: str) -> bool:
    return name.endswith(".go") and not name.startswith((".", "_"))


# A server confined to a workspace root (goconc mcp) sets this once at start: a file found by
# walking (or named) whose real path leaves it, through a symlink, is skipped with a problem.
CONFINE_TO: str | None = None


def collect(args: list[str]) -> tuple[list[DirUnit], list[Problem]]:
    """Resolve CLI arguments to directory units, in a deterministic order."""
    problems: list[Problem] = []
    by_dir: dict[str, DirUnit] = {}
    seen_files: set[str] = set()
    finder = ModuleFinder()

    found = 0

    def add(path: str) -> None:
        nonlocal found
        found += 1
        real = os.path.realpath(path)
        if real in seen_files:
            return
        if CONFINE_TO is not None and real != CONFINE_TO and os.path.commonpath([real, CONFINE_TO]) != CONFINE_TO:
            problems.append(Problem(path, f"a link to {real}, outside the workspace root {CONFINE_TO}; skipped"))
            return
        seen_files.add(real)
        d = os.path.normpath(os.path.dirname(path) or ".")  # `pkg` and `./pkg` are one directory
        unit = by_dir.get(d)
        if unit is None:
            unit = by_dir[d] = DirUnit(d)
        unit.files.append(path)

    for arg in args:
        path = arg
        if arg == "..." or arg.endswith("/..."):  # DIR/... : directories are walked anyway
            path = arg[:-3].rstrip("/") or ("/" if arg.startswith("/") else ".")
        try:
            st = os.stat(path)  # follows symlinks: a named symlink is honoured
        except OSError as exc:
            problems.append(Problem(arg, _os_reason(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            before = found
            _walk(path, add, problems)
            if found == before:
                problems.append(Problem(arg, "no Go files here (vendor/, testdata/ and directories starting "
                                             "with . or _ are skipped unless named)"))
        elif stat.S_ISREG(st.st_mode):
            if not path.endswith(".go"):
                problems.append(Problem(arg, "not a Go source file (.go); skipped"))
                continue
            add(path)
        else:
            problems.append(Problem(arg, f"not a regular file or directory (mode {oct(st.st_mode)})"))

    units = sorted(by_dir.values(), key=lambda u: u.dir)
    for u in units:
        u.files.sort()
        u.module = finder.find(u.dir)
    return units, problems


def package_files(directory: str) -> list[str]:
    """The Go files of one directory (its package and its tests), not of the ones below it."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if _is_go_file(n) and os.path.isfile(os.path.join(directory, n))]


def _walk(root: str, add, problems: list[Problem]) -> None:
    """Walk `root` like the go tool walks `root/...`: no symlinked directories, skip rules."""

    def onerror(exc: OSError) -> None:
        problems.append(Problem(exc.filename or root, _os_reason(exc)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _skip_dir_name(d))
        for name in sorted(filenames):
            if not _is_go_file(name):
                continue
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError as exc:
                problems.append(Problem(path, _os_reason(exc)))
                continue
            if stat.S_ISREG(st.st_mode):
                add(path)
            else:  # a FIFO or device named *.go would block or never end; the go tool refuses them too
                problems.append(Problem(path, f"not a regular file (mode {oct(st.st_mode)}); skipped"))


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.EACCES:
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links (symlink loop)"
    return exc.strerror or str(exc)
