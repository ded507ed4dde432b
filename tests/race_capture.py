"""Real outputs of the Go runtime, captured from the programs in testdata/race/mod.

    python tests/race_capture.py          # rewrite testdata/race/*.txt with the Go on this machine

Each scenario runs a small program (`go test` or `go run`) and keeps what it printed. Paths are
made machine-independent: the module's directory becomes MODDIR and $GOROOT becomes GOROOT, so
the files compare equal wherever the repository is checked out. test_race_parser.py parses the
stored files, and, when Go is installed, runs each scenario again and checks that the fresh
output parses to the same findings (the stored files cannot drift from what Go prints).
"""

from __future__ import annotations

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

HERE = os.path.dirname(os.path.abspath(__file__))
MOD = os.path.join(HERE, "testdata", "race", "mod")
OUT = os.path.join(HERE, "testdata", "race")
MODDIR = "/home/dev/racefix"
GOROOT = "/usr/local/go"

# name -> (go arguments, what it shows)
SCENARIOS: dict[str, tuple[list[str], str]] = {
    "racy_map": (["test", "-race", "-count=1", "./racymap"], "map read and write race"),
    "loopvar_go121": (["test", "-race", "-count=1", "./loopvar"], "captured loop variable (go 1.21)"),
    "captured_err": (["test", "-race", "-count=1", "./capturederr"], "err shared with a goroutine"),
    "unlocked_counter": (["test", "-race", "-count=1", "./counter"], "counter without a lock"),
    "racy_map_json": (["test", "-race", "-count=1", "-json", "./racymap"], "go test -json stream"),
    "abba_timeout": (["test", "-count=1", "-timeout=2s", "./abba"], "AB-BA deadlock, test timeout dump"),
    "map_writes_crash": (["test", "-count=1", "./mapcrash"], "fatal error: concurrent map writes"),
    "send_on_closed": (["test", "-count=1", "./closedchan"], "panic: send on closed channel"),
    "negative_waitgroup": (["test", "-count=1", "./negwg"], "panic: sync: negative WaitGroup counter"),
    "unlock_unlocked": (["test", "-count=1", "./unlockunlocked"], "fatal error: sync: unlock of unlocked mutex"),
    "all_asleep": (["run", "./asleep"], "fatal error: all goroutines are asleep - deadlock!"),
}


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOPROXY="off", GOWORK="off")
    env.pop("GORACE", None)
    return env


def goroot(go: str = "go") -> str:
    return subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=go_env()).stdout.strip()


def normalise(text: str, root: str) -> str:
    text = text.replace(os.path.realpath(MOD), MODDIR).replace(MOD, MODDIR)
    return text.replace(root.rstrip("/"), GOROOT) if root else text


def capture(name: str, go: str = "go") -> str:
    args, _ = SCENARIOS[name]
    proc = subprocess.run([go, *args], cwd=MOD, capture_output=True, text=True, env=go_env(), timeout=300)
    return normalise(proc.stdout + proc.stderr, goroot(go))


LEAK_SCENARIOS = {"leak_stacks": False, "leak_profile": True}  # the dumps goconc's leak check writes


def capture_leak(profile: bool, go: str = "go") -> str:
    """Run ./leak with goconc's leak check (as `goconc race` adds it) and return the dump it wrote."""
    import json
    import shutil
    import tempfile

    from goconc.race import leakcheck

    env = go_env()
    if profile:
        env["GOEXPERIMENT"] = "goroutineleakprofile"
    listed = subprocess.run([go, "list", "-json", "./leak"], cwd=MOD, capture_output=True, text=True, env=env)
    plan = leakcheck.plan([json.loads(listed.stdout)], lambda p: open(p, "rb").read())
    tmp = tempfile.mkdtemp(prefix="goconc-capture-")
    try:
        replace = {}
        for i, (target, content) in enumerate(plan.files.items()):
            path = os.path.join(tmp, f"{i}.go")
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
            replace[target] = path
        with open(os.path.join(tmp, "overlay.json"), "w", encoding="utf-8") as f:
            json.dump({"Replace": replace}, f)
        dump_dir = os.path.join(tmp, "dumps")
        os.mkdir(dump_dir)
        env.update(GOCONC_LEAK_DIR=dump_dir, GOCONC_LEAK_SETTLE_MS="500")
        subprocess.run([go, "test", "-count=1", f"-overlay={os.path.join(tmp, 'overlay.json')}", "./leak"],
                       cwd=MOD, capture_output=True, text=True, env=env, timeout=600)
        texts = [open(os.path.join(dump_dir, n), encoding="utf-8").read() for n in sorted(os.listdir(dump_dir))]
        return normalise("".join(texts), goroot(go))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    for name, profile in LEAK_SCENARIOS.items():
        text = capture_leak(profile)
        with open(os.path.join(OUT, f"{name}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{name}: {len(text.splitlines())} lines")
    for name in SCENARIOS:
        text = capture(name)
        with open(os.path.join(OUT, f"{name}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{name}: {len(text.splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
