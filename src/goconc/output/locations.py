"""Where findings are, as CI systems want it: paths relative to the repository root, and
columns in code points.

goconc's own positions are relative to the working directory (or absolute outside it), with
1-based byte columns as go/token counts them. GitHub resolves SARIF `artifactLocation.uri`
and annotation `file=` against the repository root, and counts columns in characters, so a run
from a subdirectory (`working-directory: ./service`) or a line with non-ASCII text before the
finding would point at the wrong place if printed as is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def repo_root(start: str | None = None) -> str:
    """The top of the git work tree holding `start` (default: the working directory), found by
    walking up to a `.git` entry (a directory, or the file of a worktree or submodule). Without
    one: $GITHUB_WORKSPACE when `start` is inside it (actions/checkout downloads the sources
    without `.git` where the runner has no git), else `start` itself. Always a real, absolute
    path."""
    cwd = os.path.realpath(start or os.getcwd())
    d = cwd
    while True:
        if os.path.lexists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        ws = os.path.realpath(workspace)
        if cwd == ws or cwd.startswith(ws.rstrip(os.sep) + os.sep):
            return ws
    return cwd


class Locator:
    """Maps goconc's display paths and byte columns to what CI formats need."""

    def __init__(self, read_source: Callable[[str], str | None], root: str | None = None) -> None:
        self.read_source = read_source
        self.root = os.path.realpath(root) if root else repo_root()
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            text = self.read_source(path)
            self._lines[path] = text.split("\n") if text is not None else None
        return self._lines[path]

    def text(self, path: str) -> str | None:
        ls = self.lines(path)
        return "\n".join(ls) if ls is not None else None

    def column(self, path: str, line: int, byte_col: int) -> int:
        """A 1-based byte column as a 1-based code point column (unchanged when the source
        cannot be read)."""
        ls = self.lines(path)
        if not ls or line < 1 or line - 1 >= len(ls):
            return byte_col
        raw = ls[line - 1].encode("utf-8")
        return len(raw[:max(byte_col - 1, 0)].decode("utf-8", "ignore")) + 1

    def line_col(self, path: str, offset: int) -> tuple[int, int] | None:
        """A 0-based byte offset as a 1-based (line, code point column); None without source."""
        ls = self.lines(path)
        if ls is None:
            return None
        pos = 0
        for i, ln in enumerate(ls, start=1):
            n = len(ln.encode("utf-8")) + 1  # the "\n" split off
            if offset < pos + n or i == len(ls):
                return i, self.column(path, i, offset - pos + 1)
            pos += n
        return None

    def relative(self, path: str) -> str | None:
        """The path relative to the repository root with / separators, or None when the file is
        outside it (a GOROOT frame, a path printed on another machine)."""
        full = os.path.realpath(os.path.abspath(path))
        try:
            rel = os.path.relpath(full, self.root)
        except ValueError:  # another drive (Windows)
            return None
        if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
            return None
        return rel.replace(os.sep, "/")

    def absolute_uri(self, path: str) -> str:
        return Path(os.path.abspath(path)).as_uri()

    def root_uri(self) -> str:
        return Path(self.root).as_uri().rstrip("/") + "/"
