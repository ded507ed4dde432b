"""The runtime-output parsers and the findings made from them, on real captured outputs.

testdata/race/*.txt were printed by the Go toolchain running the programs in testdata/race/mod
(see race_capture.py). When Go is installed, each scenario runs again and must give the same
findings as the stored file: the stored outputs cannot drift from what Go prints today.
"""

from __future__ import annotations

import os

import pytest
import race_capture
from conftest import needs_go

from goconc.race import findings as F
from goconc.race import leakcheck, parser
from goconc.race.model import Frame

DATA = os.path.join(os.path.dirname(__file__), "testdata", "race")
LOC = F.Locator(goroot=race_capture.GOROOT)


def stored(name: str) -> str:
    with open(os.path.join(DATA, f"{name}.txt"), encoding="utf-8") as f:
        return f.read()


def findings_of(text: str) -> list:
    diags = F.race_findings(parser.parse_races(text), LOC)
    for c in parser.parse_crashes(text):
        diags += F.crash_findings(c, LOC)
    return diags


def summary(diags) -> set[tuple[str, str, int]]:
    return {(d.code, os.path.basename(d.span.path), d.span.start.line) for d in diags}


# scenario -> the findings a user sees: (code, file, line, words in the message)
EXPECTED = {
    "racy_map": [("GC9001", "racymap.go", 13, "map write in racymap.(*Cache).Set")],
    # the write sits in the for statement (i++); the goroutine's read is the related location
    "loopvar_go121": [("GC9001", "loopvar.go", 13, "races with a read in loopvar.SumSquares.func1 at loopvar.go:18")],
    "captured_err": [("GC9001", "capturederr.go", 12, "races with a write in capturederr.FetchBoth at capturederr.go:15")],
    "unlocked_counter": [("GC9001", "counter.go", 10, "counter.(*Counter).Inc")],
    "abba_timeout": [("GC9002", "abba.go", 21, "2 goroutines blocked in sync.Mutex.Lock in abba.Transfer when "
                                               "TestOppositeTransfers timed out after 2s"),
                     ("GC9002", "abba_test.go", 20, "blocked in sync.WaitGroup.Wait")],
    "map_writes_crash": [("GC9004", "mapcrash.go", 15, "fatal error: concurrent map writes in mapcrash.Tally.func1")],
    "send_on_closed": [("GC9005", "closedchan.go", 12, "panic: send on closed channel")],
    "negative_waitgroup": [("GC9006", "negwg.go", 15, "negative WaitGroup counter")],
    "unlock_unlocked": [("GC9007", "unlockunlocked.go", 19, "unlock of unlocked mutex in unlockunlocked.(*Store).Reset")],
    "all_asleep": [("GC9002", "main.go", 17, "blocked in sync.WaitGroup.Wait in main.main"),
                   ("GC9002", "main.go", 15, "blocked in chan send in main.main.func1")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_captured_outputs_give_the_findings_a_user_needs(name):
    diags = findings_of(stored(name))
    assert summary(diags) == {(c, f, ln) for c, f, ln, _ in EXPECTED[name]}
    for code, file, line, words in EXPECTED[name]:
        (d,) = [d for d in diags if (d.code, os.path.basename(d.span.path), d.span.start.line) == (code, file, line)]
        assert words in d.message, d.message


def test_race_report_structure():
    (r, *_) = parser.parse_races(stored("racy_map"))
    assert [a.previous for a in r.accesses] == [False, True]  # the current access first
    cur = next(a for a in r.accesses if a.kind == "write")
    assert {a.kind for a in r.accesses} == {"read", "write"}
    assert cur.addr.startswith("0x") and isinstance(cur.goroutine, int)
    assert cur.stack[0].func == "runtime.mapassign_faststr" and cur.stack[0].is_std(race_capture.GOROOT)
    user = LOC.user_frame(cur.stack)
    assert user.func == "example.com/racefix/racymap.(*Cache).Set" and user.package == "example.com/racefix/racymap"
    assert user.file == "/home/dev/racefix/racymap/racymap.go" and user.line == 13
    assert {c.state for c in r.creations} <= {"running", "finished"} and len(r.creations) == 2
    d = F.race_findings([r], LOC)[0]
    msgs = [rel.message for rel in d.related]
    assert msgs[0].startswith("the other access: map read by goroutine")
    assert any(m.endswith("was started here") for m in msgs[1:])


def test_reports_of_the_same_lines_are_merged_with_a_count():
    reports = parser.parse_races(stored("racy_map")) * 3
    (d,) = F.race_findings(reports, LOC)
    assert f"(seen {len(reports)} times)" in d.message


def test_timeout_dump_groups_goroutines_and_names_the_running_test():
    (crash,) = parser.parse_crashes(stored("abba_timeout"))
    assert crash.kind == "panic" and crash.message == "test timed out after 2s"
    assert crash.running_tests == ("TestOppositeTransfers",)
    states = [g.state for g in crash.goroutines]
    assert states.count("sync.Mutex.Lock") == 2 and "sync.WaitGroup.Wait" in states
    lock = [g for g in crash.goroutines if g.state == "sync.Mutex.Lock"]
    assert all(g.created_by.short_func == "abba.TestOppositeTransfers" and g.parent for g in lock)
    groups = parser.group_goroutines(crash.goroutines)
    assert sum(n for _, n in groups) == len(crash.goroutines)


def test_go_test_json_stream():
    (p,) = parser.parse_test_json(stored("racy_map_json")).values()
    assert p.package == "example.com/racefix/racymap" and p.passed is False
    assert p.failed_tests == ["TestSetGet"] and "WARNING: DATA RACE" in p.by_test["TestSetGet"]
    assert len(parser.parse_races(p.by_test["TestSetGet"], test="TestSetGet")) >= 1


def test_build_events_and_failures_in_json():
    text = "\n".join([
        '{"ImportPath":"example.com/m/broken [example.com/m/broken.test]","Action":"build-output",'
        '"Output":"# example.com/m/broken\\n"}',
        '{"ImportPath":"example.com/m/broken [example.com/m/broken.test]","Action":"build-output",'
        '"Output":"broken/broken.go:6:9: invalid operation: n / \\"2\\"\\n"}',
        '{"ImportPath":"example.com/m/broken [example.com/m/broken.test]","Action":"build-fail"}',
        '{"Action":"start","Package":"example.com/m/broken"}',
        '{"Action":"fail","Package":"example.com/m/broken","Elapsed":0,"FailedBuild":"example.com/m/broken"}',
        'go: warning: something printed outside JSON',
    ])
    outs = parser.parse_test_json(text)
    assert outs["example.com/m/broken"].build_failed
    from goconc.race.run import analyse_outputs

    diags, problems, _ = analyse_outputs(outs, LOC)
    assert diags == []
    assert any(p.path == "example.com/m/broken" and "does not compile: broken/broken.go:6:9: invalid operation"
               in p.message for p in problems)
    assert any("outside JSON" in p.message for p in problems)


def test_leak_dumps_from_the_profile_and_from_stacks():
    prof = leakcheck.parse_leak_file(stored("leak_profile"))
    assert prof.mode == "profile" and prof.package == "example.com/racefix/leak"
    (g,) = prof.leaked()
    assert g.state == "chan send" and g.leaked
    stacks = leakcheck.parse_leak_file(stored("leak_stacks"))
    assert stacks.mode == "stacks" and [x.state for x in stacks.leaked()] == ["chan send"]
    for dump in (prof, stacks):
        (d,) = F.blocked_findings(dump.leaked(), LOC, F.GOROUTINE_LEAK, "after the tests", only_blocking=False)
        assert (d.code, os.path.basename(d.span.path), d.span.start.line) == ("GC9003", "leak.go", 10)
        assert "1 goroutine leaked in chan send in leak.FirstResult.func1" in d.message
        assert [os.path.basename(r.span.path) + f":{r.span.start.line}" for r in d.related] == ["leak.go:9"]
    assert leakcheck.parse_leak_file("not a leak file") is None


def test_goroutine_header_variants():
    text = "\n".join([
        "goroutine 12 gp=0xc000102a80 m=nil [chan receive, 3 minutes, locked to thread]:",
        "main.worker(0xc000020060)",
        "\t/src/app/main.go:20 +0x2b fp=0xc0000 sp=0xc0000 pc=0x4a",
        "...additional frames elided...",
        "created by main.main",
        "\t/src/app/main.go:11 +0x65",
        "",
        "goroutine 13 [select (no cases)] {trace: abc}:",
        "main.forever()",
        "\tapp/main.go:30 +0x1",
        "created by main.main in goroutine 1",
        "\tapp/main.go:12 +0x2",
        "",
        "goroutine 14 [semacquire (leaked)]:",
        "sync.runtime_Semacquire(0x1)",
        "\truntime/sema.go:71 +0x25",
        "main.wait()",
        "\tapp/main.go:40",
    ])
    a, b, c = parser.parse_goroutines(text)
    assert (a.id, a.state, a.minutes, a.locked_to_thread, a.parent) == (12, "chan receive", 3, True, None)
    assert a.frames[0] == Frame("main.worker", "/src/app/main.go", 20, "0xc000020060")
    assert a.created_by.func == "main.main" and a.created_by.line == 11  # Go before 1.21: no "in goroutine"
    assert (b.state, b.parent, b.frames[0].file) == ("select (no cases)", 1, "app/main.go")
    assert (c.state, c.leaked) == ("semacquire", True) and parser.is_blocking_state(c.state)
    assert LOC.user_frame(c.frames).func == "main.wait"  # runtime/sema.go under -trimpath is still std


def test_race_with_main_goroutine_and_atomic():
    text = "\n".join([
        "==================",
        "WARNING: DATA RACE",
        "Atomic write at 0x00c00001c0a8 by goroutine 7:",
        "  sync/atomic.AddInt64()",
        "      /usr/local/go/src/runtime/race_amd64.s:289 +0xb",
        "  main.bump()",
        "      /src/app/main.go:9 +0x3e",
        "",
        "Previous read at 0x00c00001c0a8 by main goroutine:",
        "  main.main()",
        "      /src/app/main.go:15 +0x1a5",
        "",
        "Goroutine 7 (running) created at:",
        "  main.main()",
        "      /src/app/main.go:13 +0x1b0",
        "==================",
    ])
    (r,) = parser.parse_races(text)
    assert r.accesses[0].atomic and r.accesses[0].kind == "write" and r.accesses[1].goroutine is None
    (d,) = F.race_findings([r], LOC)
    assert d.span.start.line == 9 and "atomic write in main.bump (goroutine 7)" in d.message
    assert "races with a read in main.main at main.go:15 (main goroutine)" in d.message


def test_paths_from_another_machine_map_onto_a_checkout(tmp_path):
    src = tmp_path / "checkout" / "racymap"
    src.mkdir(parents=True)
    (src / "racymap.go").write_text("package racymap\n" * 12 + "\tfunc (c *Cache) Set() {}\n")
    loc = F.Locator(goroot=race_capture.GOROOT, source_dirs=(str(tmp_path / "checkout"),),
                    read_lines=lambda p: open(p).read().split("\n"))
    (d,) = F.race_findings(parser.parse_races(stored("racy_map"))[:1], loc)
    assert d.span.path == str(src / "racymap.go") and d.span.start.column == 2


@needs_go
@pytest.mark.parametrize("name", sorted(race_capture.SCENARIOS))
def test_stored_output_matches_what_go_prints_today(name):
    fresh = race_capture.capture(name)
    if name == "racy_map_json":
        (p,) = parser.parse_test_json(fresh).values()
        fresh = p.output
        old = next(iter(parser.parse_test_json(stored(name)).values())).output
    else:
        old = stored(name)
    assert summary(findings_of(fresh)) == summary(findings_of(old)), fresh


@needs_go
@pytest.mark.parametrize("name", sorted(race_capture.LEAK_SCENARIOS))
def test_stored_leak_dumps_match_what_the_leak_check_writes_today(name):
    fresh = leakcheck.parse_leak_file(race_capture.capture_leak(race_capture.LEAK_SCENARIOS[name]))
    old = leakcheck.parse_leak_file(stored(name))
    assert fresh is not None and (fresh.mode, fresh.package) == (old.mode, old.package)
    assert [(g.state, g.frames[0].line) for g in fresh.leaked()] == [(g.state, g.frames[0].line) for g in old.leaked()]


def test_build_failures_of_older_go_and_external_test_packages():
    from goconc.race.run import analyse_outputs

    # Go before 1.24: no build events; the package fails with "[build failed]", the message on stderr
    old = '{"Action":"output","Package":"example.com/m/x","Output":"FAIL\\texample.com/m/x [build failed]\\n"}\n' \
          '{"Action":"fail","Package":"example.com/m/x","Elapsed":0}\n'
    stderr = "# example.com/m/x\nx/x.go:3:9: undefined: y\n"
    _, problems, _ = analyse_outputs(parser.parse_test_json(old), LOC, stderr)
    assert [p.message for p in problems] == ["does not compile: x/x.go:3:9: undefined: y"]
    # the external test package's build events belong to the package under test
    ext = '{"ImportPath":"example.com/m/y_test [example.com/m/y.test]","Action":"build-fail"}\n'
    assert list(parser.parse_test_json(ext)) == ["example.com/m/y"]


def test_labels_and_unavailable_stacks_in_dumps():
    text = "\n".join([
        "panic: test timed out after 1s",
        "",
        "goroutine 7 [sync.Mutex.Lock (leaked) labels:{\"job\": \"x\"}]:",
        "example.com/m/p.Stuck()",
        "\t/src/p/p.go:9 +0x1",
        "",
        "goroutine 8 [running]:",
        "\tgoroutine running on other thread; stack unavailable",
        "",
        "goroutine 9 [chan send]:",
        "example.com/m/p.Send()",
        "\t/src/p/p.go:20 +0x1",
    ])
    (crash,) = parser.parse_crashes(text)
    states = [(g.id, g.state, g.leaked) for g in crash.goroutines]
    assert states == [(7, "sync.Mutex.Lock", True), (8, "running", False), (9, "chan send", False)]


def test_a_panic_re_raised_by_a_deferred_recover_points_at_the_real_failure():
    text = "\n".join([
        "panic: close of closed channel [recovered]",
        "\tpanic: close of closed channel",
        "",
        "goroutine 6 [running]:",
        "example.com/m/p.TestX.func1()",
        "\t/src/p/p_test.go:9 +0x1",
        "panic({0x1, 0x2})",
        "\t/usr/local/go/src/runtime/panic.go:860 +0x1",
        "example.com/m/p.Stop(...)",
        "\t/src/p/p.go:5",
        "example.com/m/p.TestX(0x1)",
        "\t/src/p/p_test.go:12 +0x1",
    ])
    (d,) = F.crash_findings(parser.parse_crashes(text)[0], F.Locator())  # no GOROOT known: as in explain
    assert (d.code, d.span.path, d.span.start.line) == ("GC9005", "/src/p/p.go", 5)
