#!/usr/bin/env python3
"""Benchmark: `goconc race` against the bare `go test -race` it wraps, in one run.

    python scripts/bench_race.py                         # the fixture programs (tests/testdata/race/mod)
    python scripts/bench_race.py --dir DIR --pkgs ./...  # your module

Both run the same go test flags (goconc's defaults: -race -json -count=3 -cpu=1,4 -shuffle=on);
goconc adds `go list`, the leak-check overlay and the parsing. Each is run once to warm the
build cache, then --repeat times; the medians and the overhead are printed. Packages whose
tests hang are left out by default (their time is the timeout, the same for both).

This is a measurement, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "testdata", "race", "mod")
DEFAULT_PKGS = ["./racymap", "./loopvar", "./capturederr", "./counter", "./leak", "./mapcrash", "./closedchan",
                "./negwg", "./unlockunlocked", "./withmain"]


def timed(cmd: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=FIXTURES)
    ap.add_argument("--pkgs", nargs="+", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-leaks", action="store_true", help="compare without goconc's leak check")
    args = ap.parse_args()
    pkgs = args.pkgs or (DEFAULT_PKGS if args.dir == FIXTURES else ["./..."])
    env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GORACE="halt_on_error=0 history_size=2")
    bare = ["go", "test", "-json", "-count=3", "-timeout=3m", "-race", "-cpu=1,4", "-shuffle=on", *pkgs]
    ours = [sys.executable, "-m", "goconc", "race", *(["--no-leaks"] if args.no_leaks else []), *pkgs]
    env_ours = dict(env, PYTHONPATH=os.path.join(ROOT, "src"))
    go_version = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
    print(f"dir: {args.dir}\npackages: {' '.join(pkgs)}\n{go_version}; {os.cpu_count()} CPUs; "
          f"median of {args.repeat} warm runs each")
    timed(bare, args.dir, env)  # warm the build cache for both (the overlay builds its own binaries)
    timed(ours, args.dir, env_ours)
    b, o = [], []
    for _ in range(args.repeat):  # interleaved, so drift in machine load hits both alike
        b.append(timed(bare, args.dir, env))
        o.append(timed(ours, args.dir, env_ours))
    mb, mo = statistics.median(b), statistics.median(o)
    print(f"go test -race (bare):  {mb:7.2f} s   runs: {' '.join(f'{x:.2f}' for x in b)}")
    print(f"goconc race:           {mo:7.2f} s   runs: {' '.join(f'{x:.2f}' for x in o)}")
    print(f"overhead: {100 * (mo - mb) / mb:+.1f}%  ({mo - mb:+.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
