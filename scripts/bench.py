#!/usr/bin/env python3
"""Benchmark: `goconc check` against `go vet` over the same tree, in one run.

    python scripts/bench.py                      # the Go standard library ($(go env GOROOT)/src)
    python scripts/bench.py --tree DIR --vet-args ./...
    python scripts/bench.py --vet-cache warm     # skip the slow cold go vet run

Prints wall time and peak memory of each, and the ratios. Both tools keep a cache: `go vet` its
build and vet cache (GOCACHE), goconc its results cache (GOCONC_CACHE). "cold" runs each with a
fresh, empty cache (what a CI machine without a cache sees), "warm" runs it again on that cache
with nothing changed. Nothing here touches your own caches.

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
    goconc = [sys.executable, "-m", "goconc", "check", "--exit-zero", "-j", str(args.jobs), tree]

    print(f"tree: {tree}")
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; "
          + subprocess.run([go, "version"], capture_output=True, text=True).stdout.strip())

    mine = {}
    with tempfile.TemporaryDirectory(prefix="goconc-bench-cache-") as gcache:
        env = dict(os.environ, GOCONC_CACHE=gcache)
        env.pop("GOCONC_NO_CACHE", None)
        for kind in ("cold", "warm"):  # an empty results cache, then the same run again
            wall, rss, rc, out = timed(goconc, cwd=tree, env=env)
            mine[kind] = wall
            n = sum(1 for line in out.splitlines() if line and not line.startswith((" ", "\t")))
            print(f"goconc ({kind:4s} cache): {wall:8.2f} s  peak RSS {rss:5d} MiB  ({n} findings, exit {rc})")

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
        g_wall = mine[kind]
        speed = f"{wall / g_wall:.1f}x faster" if g_wall < wall else f"{g_wall / wall:.1f}x slower"
        print(f"ratio goconc / go vet ({kind} caches): {g_wall / wall:6.3f}  (goconc is {speed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
