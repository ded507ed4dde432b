"""Writing a report (or a baseline) to a path the user named, without ever destroying what the
path is: a symlink stays a symlink, a device or FIFO is written into, a regular file is
replaced whole or not at all, keeping its mode and owner."""

from __future__ import annotations

import os
import stat
import tempfile


def write_output(path: str, text: str) -> None:
    """Write a report to `path` without ever destroying what the path is.

    A regular file (or a symlink to one) is replaced whole or not at all (a temporary file in
    its directory, renamed over it, keeping its mode and owner): an interrupted run never
    leaves half a report. Anything else is written into as it is: a device (`/dev/stdout`,
    `/dev/null`), a FIFO, a file reached through /proc or /dev/fd, or a file with several hard
    links. A symlink stays a symlink; its target gets the report."""
    target = resolve(path)
    try:
        st = os.stat(target if target is not None else path)
    except FileNotFoundError:
        st = None
    if target is None or (st is not None and (not stat.S_ISREG(st.st_mode) or st.st_nlink > 1)):
        with open(path, "w", encoding="utf-8") as f:  # follows the links; O_TRUNC is a no-op on devices
            f.write(text)
        return
    if st is not None:
        mode, owner = st.st_mode & 0o7777, (st.st_uid, st.st_gid)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode, owner = 0o666 & ~umask, None
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".goconc-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, mode)
        if owner is not None and owner != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, *owner)
            except OSError:
                pass  # not ours to give away (not root): the report is still written
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def resolve(path: str) -> str | None:
    """The file a path finally names, following symlinks by hand; None when the chain goes
    through /proc or /dev (`/dev/stdout` -> /proc/self/fd/1 -> a pipe or a terminal), which must
    be written through, not replaced."""
    p = os.path.abspath(path)
    for _ in range(40):
        if p.startswith(("/proc/", "/dev/")):
            return None
        if not os.path.islink(p):
            return p
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    raise OSError(40, "too many levels of symbolic links", path)


def problem(path: str) -> str | None:
    """Why `path` cannot take a report (checked before a long analysis), or None: "it is a
    directory", "it is not writable", "directory D does not exist"."""
    try:
        target = resolve(path)
    except OSError as exc:
        return f"it cannot be resolved ({exc.strerror})"
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        return "it is a directory"
    if st is not None and (target is None or not stat.S_ISREG(st.st_mode)):
        # a device or FIFO: written into, so it must be writable itself
        return None if os.access(path, os.W_OK) else "it is not writable"
    parent = os.path.dirname(target or os.path.abspath(path))
    if not os.path.isdir(parent):
        shown = os.path.dirname(path) if target == os.path.abspath(path) and os.path.dirname(path) else parent
        return f"directory {shown} does not exist"
    if not os.access(parent, os.W_OK) or (st is not None and not os.access(path, os.W_OK)):
        return "it is not writable"
    return None
