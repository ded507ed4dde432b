#!/usr/bin/env python3
"""Benchmark: `goconc check` against `go vet` over the same tree, in one run.

    python scripts/bench.py                      # the Go standard library ($(go env GOROOT)/src)
    python scripts/bench.py --tree DIR --vet-args ./...
    python scripts/bench.py --vet-cache warm     # skip the slow cold go vet run

Prints wall time and peak memory of each, and the ratios. `go vet` keeps a build and vet cache;
"cold" runs it with a fresh, empty GOCACHE (what a CI machine without a cache sees, and what
goconc always does: it keeps no cache), "warm" runs it again on that cache with nothing
changed (go vet then only replays results). Nothing here touches your own Go cache.

This is a measurement, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str], cwd: str, env: dict[str, str] | None = None) -> tuple[float, int, int, str]:
    """Run cmd; return (wall seconds, peak RSS in MiB of the largest process, exit code, stdout)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return wall, usage.ru_maxrss // 1024, proc.returncode, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", help="directory to analyse (default: $(go env GOROOT)/src)")
    ap.add_argument("--vet-args", nargs="+", default=None,
                    help="packages for go vet (default: std cmd for the stdlib, ./... otherwise)")
    ap.add_argument("--vet-cache", choices=["cold", "warm", "both"], default="both")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    go = shutil.which("go")
    if go is None:
        print("bench: no `go` on PATH; install Go to compare with go vet", file=sys.stderr)
        return 2
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
    tree = os.path.abspath(args.tree or os.path.join(goroot, "src"))
    vet_args = args.vet_args or (["std", "cmd"] if tree == os.path.join(goroot, "src") else ["./..."])
    goconc = [sys.executable, "-m", "goconc", "check", "--exit-zero", "--statistics", "-j", str(args.jobs), tree]

    print(f"tree: {tree}")
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; "
          + subprocess.run([go, "version"], capture_output=True, text=True).stdout.strip())

    g_wall, g_rss, g_rc, g_out = timed(goconc, cwd=tree)
    n = sum(1 for line in g_out.splitlines() if line and not line.startswith("\t"))
    print(f"goconc check      : {g_wall:8.2f} s  peak RSS {g_rss:5d} MiB  ({n} findings, exit {g_rc})")

    results = {}
    with tempfile.TemporaryDirectory(prefix="goconc-bench-gocache-") as cache:
        env = dict(os.environ, GOCACHE=cache, GOFLAGS="-mod=mod")
        runs = ["cold", "warm"] if args.vet_cache == "both" else [args.vet_cache]
        if runs == ["warm"]:
            timed([go, "vet", *vet_args], cwd=tree, env=env)  # fill the cache first, untimed
        for kind in runs:
            wall, rss, rc, _ = timed([go, "vet", *vet_args], cwd=tree, env=env)
            results[kind] = wall
            print(f"go vet ({kind:4s} cache): {wall:8.2f} s  peak RSS {rss:5d} MiB  (exit {rc}; go vet {' '.join(vet_args)})")
    for kind, wall in results.items():
        print(f"ratio goconc / go vet ({kind}): {g_wall / wall:6.3f}  (goconc is {wall / g_wall:.1f}x "
              f"{'faster' if g_wall < wall else 'slower'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
