#!/usr/bin/env python3
"""Ctrl-C during `goconc check` of a large tree: how long goconc takes to exit, over many tries.

    python scripts/interrupt_check.py                 # 20 tries on $(go env GOROOT)/src
    python scripts/interrupt_check.py --tries 50 --signal TERM PATH

Each try starts `goconc check --no-cache PATH` in a process group of its own (as a shell does
for a foreground job), waits a random 1-8 s, sends SIGINT to the whole group (what a terminal's
Ctrl-C does; with --signal TERM, SIGTERM to goconc alone, as a CI runner cancelling a job), and
measures the time until goconc has exited and no process of its group is left. A try passes
when goconc exits with 130 within --limit seconds (default 2), printing exactly
"goconc: interrupted", and leaves no process behind. Prints one line per try and a summary;
exits 1 if any try failed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # zombies of our own children count as gone
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?")
    ap.add_argument("--tries", type=int, default=20)
    ap.add_argument("--limit", type=float, default=2.0, help="seconds allowed from the signal to the exit")
    ap.add_argument("--signal", choices=["INT", "TERM"], default="INT")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    path = args.path
    if path is None:
        goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
        path = os.path.join(goroot, "src")
    rng = random.Random(args.seed)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    sig = signal.SIGINT if args.signal == "INT" else signal.SIGTERM
    failures = 0
    worst = 0.0
    for i in range(1, args.tries + 1):
        delay = rng.uniform(1.0, 8.0)
        proc = subprocess.Popen([sys.executable, "-m", "goconc", "check", "--no-cache", "-q", path],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        time.sleep(delay)
        if proc.poll() is not None:
            print(f"try {i:2d}: finished before the signal at {delay:.1f} s; not counted")
            continue
        sent = time.monotonic()
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
            print(f"try {i:2d}: HUNG (killed after 60 s)")
            failures += 1
            continue
        exited = time.monotonic() - sent
        while group_alive(proc.pid) and time.monotonic() - sent < 30:
            time.sleep(0.02)
        gone = time.monotonic() - sent
        worst = max(worst, gone)
        text = err.decode(errors="replace")
        ok = proc.returncode == 130 and text == "goconc: interrupted\n" and gone <= args.limit
        failures += not ok
        print(f"try {i:2d}: signal after {delay:.1f} s -> exit {proc.returncode} in {exited:.2f} s, "
              f"all processes gone in {gone:.2f} s {'ok' if ok else 'FAIL'}"
              + ("" if text == "goconc: interrupted\n" else f"; stderr: {text.strip()[:300]!r}"))
    print(f"{args.tries - failures}/{args.tries} tries exited within {args.limit:g} s (worst {worst:.2f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
