"""The workspace root a server was started in, and the paths it may touch.

Pure apart from `os.path.realpath`: a path (relative to the root, or absolute) is accepted when
what it names, symlinks resolved, is the root or below it. Go's `DIR/...` form keeps its
suffix. A refused path raises OutsideRoot with a one-line message that names the root.
"""

from __future__ import annotations

import os


class OutsideRoot(ValueError):
    """A path that resolves outside the workspace root."""


class Workspace:
    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def resolve(self, path: str) -> str:
        """`path` made relative to the root (`.` for the root itself), `/...` kept; OutsideRoot
        when it leaves the root. Relative paths are taken from the root, not from the server's
        working directory."""
        if not path or "\0" in path:
            raise OutsideRoot(f"{path!r}: not a path")
        recursive = path == "..." or path.endswith("/...")
        base = path[: -len("...")] if recursive else path
        if recursive:
            base = base.rstrip("/") or ("/" if base.startswith("/") else ".")
        full = os.path.realpath(os.path.join(self.root, base))
        if full != self.root and os.path.commonpath([full, self.root]) != self.root:
            raise OutsideRoot(f"{path}: outside the workspace root {self.root}; refused")
        rel = os.path.relpath(full, self.root)
        if recursive:
            return "./..." if rel == "." else f"./{rel}/..."
        return rel

    def contains(self, path: str) -> bool:
        """Whether `path` (absolute, or relative to the working directory), symlinks resolved,
        is inside the root."""
        full = os.path.realpath(path)
        return full == self.root or os.path.commonpath([full, self.root]) == self.root

    def package_pattern(self, pattern: str) -> str:
        """A go test package pattern confined to the root: a directory (`./x`, `./x/...`, an
        absolute path inside the root). Import paths are refused: they can name code anywhere
        (the module cache, GOROOT), which is not the workspace."""
        if not (pattern.startswith((".", "/")) or pattern == "..."):
            raise OutsideRoot(f"{pattern}: give packages as directories of the workspace (./..., ./pkg), "
                              "not import paths; refused")
        rel = self.resolve(pattern)
        return rel if rel.startswith("./") else "./" + rel if rel != "." else "."
