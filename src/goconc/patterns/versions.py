"""Which version of a dependency `goconc new` writes into a new go.mod, or tells the user to `go get`.

The newest release the module proxy serves whose `go` directive the target can take: no newer
than the local toolchain (a newer one would make the go command fetch another toolchain, or
refuse), and, inside an existing module, no newer than that module's `go` line (goconc never
raises it behind the user's back). When the proxy cannot be asked (no go command, offline,
GOPROXY=off, a timeout), the pinned known-good version of patterns.DEPS is used.

The go commands go through goconc.runner; everything else here is pure.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass

Version = tuple[int, int, int]

_RELEASE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")  # no pre-releases, no +incompatible
_GO = re.compile(r"^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?")
_CANDIDATES = 16  # releases looked at, newest first: one `go list` call for all of them
_TIMEOUT = 20.0  # seconds per go command


@dataclass(frozen=True)
class Choice:
    path: str
    version: str  # v0.19.0
    go: Version  # the dependency's own go directive
    sums: tuple[str, ...]  # its go.sum lines (empty when not asked for)
    from_proxy: bool  # False: the pinned fallback


def parse_go(text: str | None) -> Version | None:
    """(1, 24, 0) for "1.24", "1.24.0", "go1.24.0" or "go1.24rc1"; None when it is not one."""
    m = _GO.match((text or "").strip())
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) if m else None


def go_line(version: Version) -> str:
    return f"{version[0]}.{version[1]}.{version[2]}"


def gomod_go_version(gomod_text: str) -> Version | None:
    """The version of a go.mod's `go` line, patch included (1.24 reads as 1.24.0)."""
    m = re.search(r"(?m)^go[ \t]+(\S+)", gomod_text)
    return parse_go(m.group(1)) if m else None


def pick(candidates: list[tuple[str, Version]], ceiling: Version) -> tuple[str, Version] | None:
    """The newest (version, go directive) whose go directive is at most ceiling (pure)."""
    fitting = [c for c in candidates if _RELEASE.match(c[0]) and c[1] <= ceiling]
    return max(fitting, key=lambda c: tuple(int(x) for x in _RELEASE.match(c[0]).groups()), default=None)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["GOTOOLCHAIN"] = "local"
    env["GOFLAGS"] = "-mod=mod"  # no -mod=vendor or readonly from the user's settings
    env["GOWORK"] = "off"
    return env


def toolchain_version() -> Version | None:
    from goconc import runner

    go = runner.find_go()
    if go is None:
        return None
    res = runner.run([go, "env", "GOVERSION"], env=_env(), timeout=_TIMEOUT)
    return parse_go(res.stdout) if res.returncode == 0 and not res.timed_out else None


def _json_stream(text: str) -> list[dict]:
    out, dec, i = [], json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


def from_proxy(path: str, ceiling: Version, *, sums: bool) -> Choice | None:
    """Ask the go command (and so GOPROXY) for the newest release of path whose go directive is
    at most ceiling; None when it cannot answer."""
    from goconc import runner

    go = runner.find_go()
    if go is None:
        return None
    env = _env()
    with tempfile.TemporaryDirectory(prefix="goconc-versions-") as cwd:  # outside any module
        res = runner.run([go, "list", "-m", "-versions", "-json", path], cwd=cwd, env=env, timeout=_TIMEOUT)
        if res.returncode != 0 or res.timed_out:
            return None
        try:
            versions = [v for v in json.loads(res.stdout).get("Versions") or [] if _RELEASE.match(v)]
        except (ValueError, AttributeError):
            return None
        versions = versions[-_CANDIDATES:]
        if not versions:
            return None
        res = runner.run([go, "list", "-m", "-json", *[f"{path}@{v}" for v in versions]], cwd=cwd, env=env,
                         timeout=_TIMEOUT * 2)
        if res.timed_out:
            return None
        try:
            found = [(m["Version"], parse_go(m.get("GoVersion") or "1.0")) for m in _json_stream(res.stdout)
                     if m.get("Version") and not m.get("Error")]
        except (ValueError, KeyError):
            return None
        best = pick([(v, g) for v, g in found if g is not None], ceiling)
        if best is None:
            return None
        lines: tuple[str, ...] = ()
        if sums:
            res = runner.run([go, "mod", "download", "-json", f"{path}@{best[0]}"], cwd=cwd, env=env,
                             timeout=_TIMEOUT * 3)
            try:
                info = json.loads(res.stdout) if res.returncode == 0 and not res.timed_out else {}
            except ValueError:
                info = {}
            if not info.get("Sum") or not info.get("GoModSum"):
                return None
            lines = (f"{path} {best[0]} {info['Sum']}", f"{path} {best[0]}/go.mod {info['GoModSum']}")
        return Choice(path, best[0], best[1], lines, True)


def choose(path: str, pinned: tuple[str, list[str]], *, module_go: Version | None = None,
           sums: bool = False) -> Choice:
    """The version to use for path: from the proxy when it answers, else pinned (version,
    go.sum lines). module_go is the `go` line of the existing module the code joins (None for a
    new module, whose go line follows the dependency)."""
    tool = toolchain_version()
    ceiling = min(v for v in (tool, module_go) if v is not None) if (tool or module_go) else None
    if tool is not None and ceiling is not None:
        got = from_proxy(path, ceiling, sums=sums)
        if got is not None:
            return got
    version, lines = pinned
    return Choice(path, version, _PINNED_GO, tuple(lines) if sums else (), False)


_PINNED_GO: Version = (1, 23, 0)  # what the pinned versions of patterns.DEPS declare
