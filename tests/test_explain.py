"""`goconc explain`: runtime output pasted from logs, explained."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner
from conftest import ROOT

from goconc.cli import main

DATA = os.path.join(ROOT, "tests", "testdata", "race")


def explain(*args, stdin=None):
    return CliRunner().invoke(main, ["explain", "--color", "never", *args], input=stdin, catch_exceptions=False)


def test_race_from_another_machine_with_source_frames():
    res = explain(os.path.join(DATA, "loopvar_go121.txt"), "--source", os.path.join(DATA, "mod"))
    assert res.exit_code == 1
    out = res.stdout
    assert "(GC9001 data-race)" in out
    assert "loopvar/loopvar.go:13: data race: write in loopvar.SumSquares" in out  # mapped onto the checkout
    assert "read by goroutine" in out and "in loopvar.SumSquares.func1 at loopvar.go:18" in out
    assert "likely cause: a loop variable captured by a goroutine" in out
    assert "fix: pass the variable to the goroutine as an argument" in out
    assert "for i := 0; i < n; i++ {" in out  # the code frame


def test_each_kind_of_input_gets_its_cause():
    cases = {
        "racy_map.txt": "a map used by several goroutines without a lock",
        "captured_err.txt": "captured by the goroutine it starts",
        "unlocked_counter.txt": "read-modify-write",
        "abba_timeout.txt": "two locks taken in opposite orders (AB-BA)",
        "all_asleep.txt": "a send that no goroutine will ever receive",
        "send_on_closed.txt": "closed while others could still send",
        "negative_waitgroup.txt": "Done called more often than Add counted",
        "unlock_unlocked.txt": "releases the lock twice",
        "map_writes_crash.txt": "a map used by several goroutines without a lock",
    }
    for name, cause in cases.items():
        with open(os.path.join(DATA, name), encoding="utf-8") as f:
            res = explain(stdin=f.read())
        causes = [ln for ln in res.stdout.splitlines() if ln.startswith("  likely cause: ")]
        assert res.exit_code == 1 and any(cause in c for c in causes), (name, res.stdout)


def test_bare_goroutine_dump_from_a_hung_service():
    dump = ("goroutine 1 [running]:\nmain.main()\n\t/srv/app/main.go:30 +0x1\n\n"
            "goroutine 42 [chan receive, 12 minutes]:\nmain.(*Pool).next(0xc0001)\n\t/srv/app/pool.go:88 +0x4f\n"
            "created by main.NewPool in goroutine 1\n\t/srv/app/pool.go:40 +0x99\n")
    res = explain(stdin=dump)
    assert res.exit_code == 1
    assert "/srv/app/pool.go:88: 1 goroutine blocked in chan receive in main.(*Pool).next, waiting 12 minutes" \
        in res.stdout
    assert "goroutine 42 waits in chan receive for 12 minutes (started at pool.go:40)" in res.stdout


def test_json_and_nothing_to_explain():
    with open(os.path.join(DATA, "racy_map.txt"), encoding="utf-8") as f:
        res = explain("--format", "json", stdin=f.read())
    doc = json.loads(res.stdout)
    assert [f["code"] for f in doc["findings"]] == ["GC9001"]
    res = explain(stdin="all tests passed\n")
    assert res.exit_code == 2 and "found no race report" in res.stderr
    assert explain("/nonexistent/log.txt").exit_code == 2
