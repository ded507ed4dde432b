"""A results cache: a directory whose files, settings and goconc itself are unchanged since the
last run is not analysed again.

The key of a directory unit hashes everything its findings depend on: goconc's own code (every
module and query, so an upgrade or a local edit starts afresh), the selected rules, the module's
path and `go` version, each file's path as displayed and its bytes. Entries live in
`$GOCONC_CACHE` (default `$XDG_CACHE_HOME/goconc` or `~/.cache/goconc`), under `v1/`, one folder
per goconc build. Several builds share the cache (two installed versions, a checkout and a
release): each run marks its build's folder as used, and when a new build first uses the cache it
removes the folders of builds not used for KEEP_DAYS days and of all but the KEEP_BUILDS most
recently used ones; only folders goconc made (named by a build hash and holding its marker file)
are ever removed: pointing `$GOCONC_CACHE` at a directory of your own never loses a file of yours. A cache entry that cannot
be read (a damaged file) is deleted and the directory analysed again; a cache that cannot be
written is skipped: it only ever saves time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import shutil
import tempfile
import time


def cache_root() -> str:
    explicit = os.environ.get("GOCONC_CACHE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "goconc")


@functools.cache
def build_id() -> str:
    """A hash of goconc's own source: modules and queries."""
    h = hashlib.sha256()
    pkg_dir = os.path.dirname(os.path.abspath(__file__))
    for dirpath, dirnames, filenames in os.walk(pkg_dir):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".py", ".scm")):
                path = os.path.join(dirpath, name)
                h.update(os.path.relpath(path, pkg_dir).encode())
                with open(path, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
    import tree_sitter_go

    h.update(getattr(tree_sitter_go, "__version__", "").encode())
    return h.hexdigest()[:20]


LAYOUT = "v1"
MARKER = "goconc-cache"  # present in every build folder goconc made; nothing else is ever removed
KEEP_BUILDS = 4  # other builds kept besides this one, most recently used first
KEEP_DAYS = 14
_BUILD_DIR = re.compile(r"^[0-9a-f]{20}$")


class Cache:
    def __init__(self, root: str | None = None) -> None:
        self.dir = os.path.join(root or cache_root(), LAYOUT, build_id())
        self.ok = True
        marker = os.path.join(self.dir, MARKER)
        try:
            if not os.path.isfile(marker):
                os.makedirs(self.dir, exist_ok=True)
                with open(marker, "w", encoding="utf-8") as f:
                    f.write("goconc results cache; safe to delete\n")
                self._remove_old_builds()
            elif time.time() - os.stat(marker).st_mtime > 3600:
                os.utime(marker)  # "used recently": at most one write an hour
        except OSError:
            self.ok = False

    def _remove_old_builds(self) -> None:
        parent = os.path.dirname(self.dir)
        mine = os.path.basename(self.dir)
        others = []
        for name in os.listdir(parent):
            path = os.path.join(parent, name)
            marker = os.path.join(path, MARKER)
            if name != mine and _BUILD_DIR.match(name) and os.path.isfile(marker) and not os.path.islink(path):
                try:
                    others.append((os.stat(marker).st_mtime, path))
                except OSError:
                    continue
        others.sort(reverse=True)  # most recently used first
        cutoff = time.time() - KEEP_DAYS * 86400
        for i, (used, path) in enumerate(others):
            if i >= KEEP_BUILDS or used < cutoff:
                shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def key(settings: tuple, files: list[tuple[str, bytes]]) -> str:
        h = hashlib.sha256(repr(settings).encode())
        for path, data in files:
            h.update(path.encode() + b"\0")
            h.update(hashlib.sha256(data).digest())
        return h.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.dir, key[:2], key[2:])

    def get(self, key: str):
        if not self.ok:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry (truncated, edited, wrong version): forget it
            try:
                os.remove(path)
            except OSError:
                pass
            return None

    def put(self, key: str, value) -> None:
        if not self.ok:
            return
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: parallel workers never see half a file
        except OSError:
            pass
