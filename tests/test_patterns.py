"""`goconc new`: every pattern, with default and non-default parameters, generated into a fresh
module and proven: gofmt, go mod tidy, go vet, go test -race -count=20 with the leak check (the
generated tests attack every concurrency promise of the pattern's doc.go), and goconc check must
all be clean (goconc/patterns/verify.py)."""

from __future__ import annotations

import functools
import json
import os
import re

import pytest
from click.testing import CliRunner
from conftest import needs_go

from goconc import patterns as P
from goconc import runner
from goconc.cli import main
from goconc.patterns import versions
from goconc.patterns.verify import RACE_COUNT, go_env, verify

# pattern -> non-default parameters (every parameter that changes the code is moved off its default)
NON_DEFAULT = {
    "worker-pool": {"package": "jobs", "variant": "errgroup", "workers": "8", "buffer": "0", "in": "string",
                    "out": "[]byte"},
    "pipeline": {"package": "stages", "buffer": "0", "in": "[]byte"},
    "fan-out-fan-in": {"package": "spread", "workers": "2", "buffer": "8", "in": "float64", "out": "string"},
    "bounded-parallel": {"package": "fetch", "limit": "2", "in": "string", "out": "map[string]int"},
    "graceful-shutdown": {"package": "web", "addr": "127.0.0.1:9090", "shutdown_timeout": "1m30s"},
    "rate-limiter": {"package": "quota", "variant": "xtime", "rate": "2.5", "burst": "1"},
    "pubsub": {"package": "events", "policy": "block", "buffer": "1", "block_timeout": "5ms", "in": "[]int"},
    "periodic-worker": {"package": "housekeeping", "interval": "250ms"},
    "singleflight-cache": {"package": "lookup", "out": "[]byte", "ttl": "1h30m", "capacity": "16",
                           "load_timeout": "250ms"},
    # package semaphore: the same name as the golang.org/x/sync package it imports
    "semaphore": {"package": "semaphore", "limit": "3"},
}

CELLS = [(name, "default", {}) for name in P.PATTERNS] + [(name, "custom", NON_DEFAULT[name]) for name in P.PATTERNS]


def test_at_least_the_ten_patterns_and_every_one_in_the_matrix():
    assert set(P.PATTERNS) >= {"worker-pool", "pipeline", "fan-out-fan-in", "bounded-parallel",
                               "graceful-shutdown", "rate-limiter", "pubsub", "periodic-worker",
                               "singleflight-cache", "semaphore"}
    assert set(NON_DEFAULT) == set(P.PATTERNS)
    for name, params in NON_DEFAULT.items():
        pat = P.PATTERNS[name]
        for k, v in params.items():
            assert pat.param(k) is not None and v != pat.param(k).default, (name, k)


@needs_go
@pytest.mark.parametrize("name,kind,params", CELLS, ids=[f"{n}-{k}" for n, k, _ in CELLS])
def test_generated_pattern_is_proven(tmp_path, name, kind, params):
    pat = P.PATTERNS[name]
    values = P.resolve(pat, params)
    out = P.generate(pat, values, str(tmp_path / "gen"), module=f"example.com/{values['package']}")
    assert out.module_created and out.todo == []
    files = sorted(os.path.basename(f) for f in out.written)
    assert {"doc.go", "leak_test.go", "go.mod"} <= set(files)
    steps = verify(out.directory)
    failed = [f"{s.name}:\n{s.detail}" for s in steps if not s.ok]
    assert not failed, "\n\n".join(failed)


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_rendering_uses_the_parameters(tmp_path):
    pat = P.PATTERNS["worker-pool"]
    files = P.render(pat, P.resolve(pat, NON_DEFAULT["worker-pool"]))
    assert files["pool.go"].startswith("package jobs\n") and "golang.org/x/sync/errgroup" in files["pool.go"]
    assert "const DefaultWorkers = 8" in files["pool.go"]
    assert "jobs := make(chan string)" in files["pool_test.go"] and "var r []byte" in files["pool_test.go"]
    doc = files["doc.go"]
    for section in ("# Concurrency model", "# Races, and how the design prevents them", "# How it stops",
                    "# Assumptions"):
        assert section in doc
    gs = P.PATTERNS["graceful-shutdown"]
    server = P.render(gs, P.resolve(gs, {"shutdown_timeout": "1m30s"}))["server.go"]
    assert "DefaultShutdownTimeout = 90000000000 * time.Nanosecond" in server
    assert "DefaultShutdownTimeout = 10 * time.Second" in P.render(gs, P.resolve(gs, {}))["server.go"]


def test_cache_and_semaphore_render_their_parameters():
    sc = P.PATTERNS["singleflight-cache"]
    files = P.render(sc, P.resolve(sc, NON_DEFAULT["singleflight-cache"]))
    cache = files["cache.go"]
    assert cache.startswith("package lookup\n") and '"golang.org/x/sync/singleflight"' in cache
    assert "DefaultTTL         = 5400000000000 * time.Nanosecond" in cache
    assert "DefaultCapacity    = 16\n" in cache and "DefaultLoadTimeout = 250 * time.Millisecond" in cache
    assert "func(context.Context, string) ([]byte, error)" in files["cache_test.go"]
    default = P.render(sc, P.resolve(sc, {}))["cache.go"]
    assert "DefaultTTL         = 1 * time.Minute" in default and "DefaultCapacity    = 1024\n" in default
    sem = P.PATTERNS["semaphore"]
    files = P.render(sem, P.resolve(sem, NON_DEFAULT["semaphore"]))
    assert files["semaphore.go"].startswith("package semaphore\n")
    assert "const DefaultSize = 3\n" in files["semaphore.go"]
    assert "const DefaultSize = 10\n" in P.render(sem, P.resolve(sem, {}))["semaphore.go"]
    for files in (P.render(sc, P.resolve(sc, {})), P.render(sem, P.resolve(sem, {}))):
        for section in ("# Concurrency model", "# Races, and how the design prevents them", "# How it stops",
                        "# Assumptions"):
            assert section in files["doc.go"]


def test_bad_parameters_are_one_line_usage_errors():
    runner = CliRunner()
    cases = [
        (["new", "pubsub", "--workers", "3"], "--workers does not apply to pubsub"),
        (["new", "worker-pool", "--in", "time.Duration"], "use a built-in Go type"),
        (["new", "worker-pool", "--package", "func"], "not a Go package name"),
        (["new", "worker-pool", "--variant", "fast"], "must be one of stdlib, errgroup"),
        (["new", "periodic-worker", "--interval", "soon"], "not a Go duration"),
        (["new", "nope"], "unknown pattern 'nope'"),
        (["new"], "name a pattern"),
    ]
    for args, msg in cases:
        res = runner.invoke(main, args)
        assert res.exit_code == 2 and msg in res.stderr, (args, res.stderr)


def test_never_overwrites_without_force(tmp_path):
    runner = CliRunner()
    target = tmp_path / "wp"
    first = runner.invoke(main, ["new", "worker-pool", "--dir", str(target)])
    assert first.exit_code == 0 and "wrote" in first.stdout and (target / "go.mod").exists()
    (target / "pool.go").write_text("// mine\n")
    again = runner.invoke(main, ["new", "worker-pool", "--dir", str(target)])
    assert again.exit_code == 2 and "already exist" in again.stderr and "--force" in again.stderr
    assert (target / "pool.go").read_text() == "// mine\n"  # nothing written at all
    forced = runner.invoke(main, ["new", "worker-pool", "--dir", str(target), "--force"])
    assert forced.exit_code == 0 and (target / "pool.go").read_text().startswith("package workerpool")


def test_inside_an_existing_module(tmp_path, monkeypatch):
    monkeypatch.setenv("GOPROXY", "off")  # the pinned fallback: the same answer on every machine
    monkeypatch.chdir(tmp_path)
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.24\n")
    res = CliRunner().invoke(main, ["new", "bounded-parallel", "--dir", str(tmp_path / "internal" / "par")])
    assert res.exit_code == 0, res.stderr
    assert "package example.com/app/internal/par" in res.stdout
    assert "then run: go get golang.org/x/sync@v0.16.0 ./internal/par\n" in res.stdout
    assert not (tmp_path / "internal" / "par" / "go.mod").exists()
    assert _read(tmp_path / "go.mod") == "module example.com/app\n\ngo 1.24\n"  # never edited

    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "go.mod").write_text("module example.com/old\n\ngo 1.20\n")
    res = CliRunner().invoke(main, ["new", "pipeline", "--dir", str(tmp_path / "old" / "p")])
    assert res.exit_code == 2 and "needs go 1.23.0 or later" in res.stderr


def test_list_describes_every_pattern():
    res = CliRunner().invoke(main, ["new", "--list"])
    assert res.exit_code == 0
    for name, pat in P.PATTERNS.items():
        assert f"{name}\n  {pat.summary}" in res.stdout
    assert "--shutdown-timeout" in res.stdout and "(drop|block)" in res.stdout


@needs_go
def test_the_leak_check_catches_a_leak(tmp_path):
    pat = P.PATTERNS["periodic-worker"]
    out = P.generate(pat, P.resolve(pat, {}), str(tmp_path / "gen"), module="example.com/periodic")
    (tmp_path / "gen" / "leaky_test.go").write_text(
        "package periodic\n\nimport (\n\t\"context\"\n\t\"testing\"\n\t\"time\"\n)\n\n"
        "func TestForgetsStop(t *testing.T) {\n"
        "\tt.Parallel() // after the sequential tests, which count the worker's goroutines themselves\n"
        "\tw := New(time.Millisecond, func(context.Context) error { return nil }, nil)\n"
        "\tif err := w.Start(context.Background()); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n")
    steps = {s.name: s for s in verify(out.directory, race_count=1)}
    assert RACE_COUNT == 20  # what the matrix and --verify run
    assert not steps["go test -race"].ok
    assert "leaked goroutines" in steps["go test -race"].detail and "(*Worker).loop" in steps["go test -race"].detail


# A promise test must fail when the promise is broken: each case breaks one in the generated code
# and names the test that has to catch it.
BROKEN_PROMISES = [
    ("singleflight-cache", "cache.go", "context.WithoutCancel(callerCtx)", "callerCtx",
     "TestACallerThatGivesUpDoesNotCancelTheLoad"),  # a caller that gives up cancels the shared load
    ("singleflight-cache", "cache.go", "\t\t\tdefer c.gets.Done()\n\t\t\t<-results\n", "\t\t\tc.gets.Done()\n",
     "TestCloseCancelsLoadsAndWaitsForThem"),  # Close does not wait for a load whose callers gave up
    ("singleflight-cache", "cache.go", "if mine && !c.closed {", "if !c.closed {",
     "TestDeleteDuringALoadDoesNotStoreItsValue"),  # a deleted load stores its stale value
    ("semaphore", "semaphore.go", "semaphore.NewWeighted(size)", "semaphore.NewWeighted(size + 1)",
     "TestLimitIsNeverExceeded"),  # one unit more than the size can be held
    ("semaphore", "semaphore.go", "\treturn s.check(n) == nil && s.sem.TryAcquire(n)",
     "\treturn s.sem.TryAcquire(n)", "TestWeightOutOfRangeIsRefusedAtOnce"),
]


@needs_go
@pytest.mark.parametrize("name,file,old,new,test", BROKEN_PROMISES, ids=[c[4] for c in BROKEN_PROMISES])
def test_a_broken_promise_fails_its_test(tmp_path, name, file, old, new, test):
    pat = P.PATTERNS[name]
    values = P.resolve(pat, {})
    out = P.generate(pat, values, str(tmp_path / "gen"), module=f"example.com/{values['package']}")
    path = tmp_path / "gen" / file
    src = path.read_text()
    assert src.count(old) == 1, old
    path.write_text(src.replace(old, new))
    res = runner.run([runner.find_go(), "test", "-race", "-count=3", "-run", f"^{test}$", "."],
                     cwd=out.directory, env=go_env(), timeout=300)
    assert res.returncode != 0 and f"--- FAIL: {test}" in res.stdout, res.stdout + res.stderr


def test_values_that_would_break_the_generated_code_are_refused(tmp_path):
    runner = CliRunner()
    cases = [
        (["new", "worker-pool", "--workers", "0"], "from 1 to 1000000"),
        (["new", "bounded-parallel", "--limit", "0"], "from 1 to 1000000"),
        (["new", "periodic-worker", "--interval", "0s"], "from 1µs to 100000h"),
        (["new", "graceful-shutdown", "--shutdown-timeout", "9999999999h"], "from 1µs to 100000h"),
        (["new", "worker-pool", "--workers", "²"], "not a whole number"),
        (["new", "rate-limiter", "--rate", "١٠"], "not a number"),
        (["new", "worker-pool", "--in", "comparable"], "use a built-in Go type"),
        (["new", "worker-pool", "--in", "map"], "use a built-in Go type"),
        (["new", "worker-pool", "--package", "main"], "library packages"),
        (["new", "semaphore", "--limit", "0"], "from 1 to 1000000"),
        (["new", "singleflight-cache", "--capacity", "0"], "from 1 to 1000000"),
        (["new", "singleflight-cache", "--load-timeout", "0s"], "--load-timeout '0s': must be from 1µs"),
        (["new", "singleflight-cache", "--ttl", "forever"], "not a Go duration"),
        (["new", "singleflight-cache", "--out", "chan int"], "use a built-in Go type"),
    ]
    for args, msg in cases:
        res = runner.invoke(main, args + ["--dir", str(tmp_path / "x")])
        assert res.exit_code == 2 and msg in res.stderr and "Traceback" not in res.stderr, (args, res.stderr)
    assert not (tmp_path / "x").exists()


def test_refuses_a_directory_with_someone_elses_go_files(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.24\n")
    (tmp_path / "foo.go").write_text("package foo\n")
    res = CliRunner().invoke(main, ["new", "worker-pool", "--dir", str(tmp_path), "--force"])
    assert res.exit_code == 2 and "already holds Go files (foo.go)" in res.stderr
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "go.mod").write_text("module example.com/sub\n")
    res = CliRunner().invoke(main, ["new", "pipeline", "--dir", str(tmp_path / "sub" / "p")])
    assert res.exit_code == 2 and "has no `go` line" in res.stderr


def test_a_std_like_package_name_gets_a_module_path_that_cannot_clash(tmp_path):
    pat = P.PATTERNS["periodic-worker"]
    out = P.generate(pat, P.resolve(pat, {"package": "time"}), str(tmp_path / "t"))
    assert out.import_path == "example.com/time"
    assert (tmp_path / "t" / "go.mod").read_text().startswith("module example.com/time\n")


# --------------------------------------------------------------------------------------------
# Dependency versions: the newest the proxy serves that the target can take, pinned offline


def _go(args, cwd, env=None):
    res = runner.run([runner.find_go(), *args], cwd=str(cwd), env=env or go_env(), timeout=300)
    return res.returncode, res.stdout + res.stderr


@functools.cache
def _proxy_answers() -> bool:
    if runner.find_go() is None:
        return False
    env = dict(go_env(), GOFLAGS="-mod=mod")
    return _go(["list", "-m", "golang.org/x/sync@v0.19.0"], "/", env)[0] == 0


needs_proxy = pytest.mark.skipif(not _proxy_answers(), reason="needs the Go module proxy")


def test_choosing_a_version_is_the_newest_release_whose_go_line_fits():
    cands = [("v0.16.0", (1, 23, 0)), ("v0.19.0", (1, 24, 0)), ("v0.20.0", (1, 25, 0)),
             ("v0.21.0-rc.1", (1, 24, 0)), ("v0.9.0", (1, 17, 0))]
    assert versions.pick(cands, (1, 24, 0)) == ("v0.19.0", (1, 24, 0))
    assert versions.pick(cands, (1, 26, 8)) == ("v0.20.0", (1, 25, 0))
    assert versions.pick(cands, (1, 22, 0)) == ("v0.9.0", (1, 17, 0))
    assert versions.pick(cands, (1, 16, 0)) is None
    assert versions.parse_go("go1.26.8") == (1, 26, 8) and versions.parse_go("1.24") == (1, 24, 0)
    assert versions.gomod_go_version("module m\n\ngo 1.24\n") == (1, 24, 0)


@needs_go
@needs_proxy
def test_the_go_get_it_suggests_is_the_newest_the_module_takes_and_leaves_it_tidy(tmp_path, monkeypatch):
    # golang.org/x/sync v0.19.0 is the last release that declares go 1.24 (v0.20.0 wants 1.25):
    # that answer does not change as new releases come out.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.24\n")
    res = CliRunner().invoke(main, ["new", "bounded-parallel", "--dir", "internal/par"])
    assert res.exit_code == 0, res.stderr
    m = re.search(r"then run: (go get golang\.org/x/sync@v0\.19\.0 \./internal/par)\n", res.stdout)
    assert m, res.stdout
    code, out = _go(m.group(1).split()[1:], tmp_path)
    assert code == 0, out
    code, out = _go(["mod", "tidy", "-diff"], tmp_path)
    assert code == 0, f"go.mod is not tidy after the suggested go get:\n{out}"
    gomod = (tmp_path / "go.mod").read_text()
    assert "go 1.24" in gomod and "require golang.org/x/sync v0.19.0\n" in gomod  # direct, not raised
    assert _go(["vet", "./..."], tmp_path)[0] == 0


@needs_go
@needs_proxy
def test_a_new_module_gets_the_newest_release_the_toolchain_takes(tmp_path):
    env = dict(go_env(), GOFLAGS="-mod=mod")
    code, out = _go(["list", "-m", "-json", "golang.org/x/sync@latest"], "/", env)
    latest = json.loads(out[out.index("{"):out.rindex("}") + 1])
    tool = versions.parse_go(_go(["env", "GOVERSION"], "/")[1])
    if versions.parse_go(latest["GoVersion"]) > tool:
        pytest.skip(f"the latest release needs go {latest['GoVersion']}, newer than this toolchain")
    pat = P.PATTERNS["bounded-parallel"]
    out = P.generate(pat, P.resolve(pat, {}), str(tmp_path / "gen"), module="example.com/parallel")
    gomod = (tmp_path / "gen" / "go.mod").read_text()
    assert f"\nrequire golang.org/x/sync {latest['Version']}\n" in gomod
    assert versions.gomod_go_version(gomod) >= max(versions.parse_go(latest["GoVersion"]), (1, 23, 0))
    gosum = (tmp_path / "gen" / "go.sum").read_text().splitlines()
    assert [line.split()[1] for line in gosum] == [latest["Version"], latest["Version"] + "/go.mod"]
    steps = {s.name: s for s in verify(out.directory, race_count=1)}
    assert steps["go mod tidy"].ok and steps["go vet"].ok, steps


def test_offline_it_falls_back_to_the_pinned_versions(tmp_path, monkeypatch):
    monkeypatch.setenv("GOPROXY", "off")
    pat = P.PATTERNS["rate-limiter"]
    P.generate(pat, P.resolve(pat, {"variant": "xtime"}), str(tmp_path / "gen"), module="example.com/ratelimit")
    assert (tmp_path / "gen" / "go.mod").read_text() == (
        "module example.com/ratelimit\n\ngo 1.23.0\n\nrequire golang.org/x/time v0.12.0\n")
    assert (tmp_path / "gen" / "go.sum").read_text() == "".join(
        line + "\n" for line in P.DEPS["golang.org/x/time"][1])


# --------------------------------------------------------------------------------------------
# goconc new --verify


@needs_go
def test_verify_gives_one_verdict_a_line(tmp_path):
    res = CliRunner().invoke(main, ["new", "periodic-worker", "--dir", str(tmp_path / "w"), "--verify"])
    assert res.exit_code == 0, res.stdout + res.stderr
    verdicts = res.stdout[res.stdout.index("verify:\n"):].splitlines()[1:]
    assert [re.match(r"  (\S.*?)  +ok \(\d+\.\d s\)$", v).group(1) for v in verdicts] == [
        "gofmt", "go mod tidy", "go vet", "go test -race", "goconc check"]


@needs_go
def test_verify_fails_with_the_failing_step(tmp_path, monkeypatch):
    render = P.render

    def with_a_failing_test(pattern, values):
        files = render(pattern, values)
        files["broken_test.go"] = (f"package {values['package']}\n\nimport \"testing\"\n\n"
                                   "func TestBroken(t *testing.T) { t.Fatal(\"the promise does not hold\") }\n")
        return files

    monkeypatch.setattr(P, "render", with_a_failing_test)
    res = CliRunner().invoke(main, ["new", "periodic-worker", "--dir", str(tmp_path / "w"), "--verify"])
    assert res.exit_code == 1
    assert re.search(r"\n  go test -race  FAIL: .*\n", res.stdout), res.stdout
    assert re.search(r"\n  go vet         ok ", res.stdout) and "the promise does not hold" in res.stdout


def test_verify_without_go_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GOCONC_GO", str(tmp_path / "no-go"))
    monkeypatch.setattr(runner, "find_go", lambda: None)
    res = CliRunner().invoke(main, ["new", "pipeline", "--dir", str(tmp_path / "p"), "--verify"])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "--verify needs the Go toolchain" in res.stderr
    assert not (tmp_path / "p").exists()


@needs_go
def test_verify_inside_a_module_that_lacks_the_dependency_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("GOPROXY", "off")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.24\n")
    res = CliRunner().invoke(main, ["new", "bounded-parallel", "--dir", "par", "--verify"])
    assert res.exit_code == 1
    assert "  go vet         FAIL: not run: the module lacks a dependency; first run: go get " \
           "golang.org/x/sync@v0.16.0 ./par\n" in res.stdout
    assert "go mod tidy" not in res.stdout.split("verify:")[1]  # the module is the user's to tidy
