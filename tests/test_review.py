"""`goconc review` on three fixture packages (a worker pool with a leak, a cache with an
unguarded field, a correct pipeline): the reports are golden files, and the tests each review
proposes compile, and catch the bug where there is one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import TESTDATA, needs_go

from goconc.cli import main

REVIEW = os.path.join(TESTDATA, "review")
FIXTURES = ("leakypool", "cache", "pipeline")
GO_ENV = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOPROXY="off", GOWORK="off")


def review(monkeypatch, *args):
    monkeypatch.chdir(REVIEW)
    return CliRunner().invoke(main, ["review", *args], catch_exceptions=False)


@pytest.mark.parametrize("name", FIXTURES)
def test_review_matches_its_golden_file(monkeypatch, name):
    res = review(monkeypatch, name)
    assert res.exit_code == 0, res.output
    golden = os.path.join(REVIEW, f"{name}.md.golden")
    if os.environ.get("GOCONC_UPDATE_GOLDEN"):
        with open(golden, "w", encoding="utf-8") as f:
            f.write(res.stdout)
    with open(golden, encoding="utf-8") as f:
        assert res.stdout == f.read()


def test_the_reviews_say_what_each_fixture_gets_wrong(monkeypatch):
    doc = json.loads(review(monkeypatch, "-f", "json", *FIXTURES).stdout)
    by_name = {p["model"]["name"]: p for p in doc["packages"]}
    pool, cache, pipe = by_name["leakypool"], by_name["cache"], by_name["pipeline"]
    worker, fetch = pool["model"]["goroutines"]
    assert worker["forever"] and worker["stops"].startswith("nothing stops it")
    assert fetch["findings"] == ["GC1002 at line 55"]
    assert [f["code"] for f in pool["findings"]] == ["GC1002"]
    (ts,) = cache["model"]["types"]
    assert (ts["name"], ts["doc"], ts["verdict"]) == ("Cache", "safe for concurrent use", "contradicts")
    items = next(g for g in cache["model"]["locked_types"][0]["guards"] if g["field"] == "items")
    assert (items["lock"], items["guarded"], items["total"]) == ("mu", 3, 4)
    assert pipe["findings"] == [] and all(g["known"] and not g["forever"] for g in pipe["model"]["goroutines"])
    assert [c["honours"].split()[0] for c in pipe["model"]["contexts"]] == ["watches"] * 3


@needs_go
def test_the_proposed_tests_compile_and_the_stress_test_finds_the_race(monkeypatch, tmp_path):
    doc = json.loads(review(monkeypatch, "-f", "json", *FIXTURES).stdout)
    for pkg in doc["packages"]:
        name = pkg["model"]["name"]
        work = tmp_path / name
        shutil.copytree(os.path.join(REVIEW, name), work)
        assert pkg["tests"], name
        for t in pkg["tests"]:
            (work / t["file"]).write_text(t["code"])
        vet = subprocess.run(["go", "vet", "./..."], cwd=work, env=GO_ENV, capture_output=True, text=True)
        assert vet.returncode == 0, vet.stderr
        gofmt = subprocess.run(["gofmt", "-l", "."], cwd=work, capture_output=True, text=True)
        assert gofmt.stdout == "", gofmt.stdout
    stress = subprocess.run(["go", "test", "-race", "-count=3", "-run", "^TestCacheConcurrentUse$", "."],
                            cwd=tmp_path / "cache", env=GO_ENV, capture_output=True, text=True, timeout=600)
    assert stress.returncode != 0 and "WARNING: DATA RACE" in stress.stdout and "(*Cache).Len" in stress.stdout
    cancel = subprocess.run(["go", "test", "-race", "-run", "^TestSumHonoursCancellation$", "."],
                            cwd=tmp_path / "pipeline", env=GO_ENV, capture_output=True, text=True, timeout=600)
    assert cancel.returncode == 0, cancel.stdout + cancel.stderr
    leak = subprocess.run(["go", "test", "."], cwd=tmp_path / "leakypool", env=GO_ENV, capture_output=True,
                          text=True, timeout=600)
    assert leak.returncode == 0, leak.stdout + leak.stderr  # no test starts a goroutine yet: nothing leaks


def test_the_proposed_tests_pass_goconc_check(monkeypatch, tmp_path):
    doc = json.loads(review(monkeypatch, "-f", "json", *FIXTURES).stdout)
    for pkg in doc["packages"]:
        work = tmp_path / pkg["model"]["name"]
        work.mkdir()
        for t in pkg["tests"]:
            (work / t["file"]).write_text(t["code"])
    res = CliRunner().invoke(main, ["check", "--select", "ALL", "-f", "json", str(tmp_path)], catch_exceptions=False)
    assert json.loads(res.stdout)["findings"] == []


@needs_go
def test_race_adds_what_the_tests_show(monkeypatch, tmp_path):
    shutil.copytree(os.path.join(TESTDATA, "race", "mod"), tmp_path / "mod")
    for k, v in (("GOTOOLCHAIN", "local"), ("GOFLAGS", "-mod=mod"), ("GOPROXY", "off"), ("GOWORK", "off")):
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path / "mod")
    res = CliRunner().invoke(main, ["review", "--race", "counter"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "`goconc check` and `goconc race` (1 run(s) of go test -race" in res.stdout
    part = res.stdout.split("### Shared memory", 1)[1]
    assert "**GC9001** `data-race` at `counter/counter.go:10`" in part


def test_only_one_type_function_or_method(monkeypatch):
    fetch = json.loads(review(monkeypatch, "-f", "json", "--only", "Fetch", "leakypool").stdout)["packages"][0]
    assert [g["started_in"] for g in fetch["model"]["goroutines"]] == ["Fetch"]
    assert [c["name"] for c in fetch["model"]["channels"]] == ["result (in Fetch)"]
    assert [f["code"] for f in fetch["findings"]] == ["GC1002"] and fetch["model"]["focus"] == "function Fetch"
    pool = json.loads(review(monkeypatch, "-f", "json", "--only", "Pool", "leakypool").stdout)["packages"][0]
    assert [g["runs"] for g in pool["model"]["goroutines"]] == [] and pool["findings"] == []
    assert [c["name"] for c in pool["model"]["channels"]] == ["Pool.jobs"]
    length = review(monkeypatch, "--only", "Cache.Len", "cache")
    assert "# Concurrency review: `example.com/review/cache`, method `Cache.Len`" in length.stdout
    assert "**GC7006**" in length.stdout and "Nothing here concerns method Cache.Len." in length.stdout
    missing = review(monkeypatch, "--only", "Nope", "cache")
    assert missing.exit_code == 2 and missing.stderr == \
        "goconc: no package under cache declares a type, function or method 'Nope'\n"
