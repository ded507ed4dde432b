"""The results cache: unchanged directories are not analysed again; any change is seen."""

from __future__ import annotations

import os

from click.testing import CliRunner
from test_cli import BUGGY, CLEAN, write

from goconc import engine
from goconc.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_second_run_reuses_findings_and_changes_are_seen(tmp_path, monkeypatch):
    monkeypatch.delenv("GOCONC_NO_CACHE")
    monkeypatch.setenv("GOCONC_CACHE", str(tmp_path / "cache"))
    write(tmp_path, "src/p/c.go", BUGGY)
    write(tmp_path, "src/q/d.go", CLEAN)
    first = run("check", "-j", "1", str(tmp_path / "src"))
    assert first.exit_code == 1 and "(GC3002)" in first.stdout
    entries = [f for _, _, fs in os.walk(tmp_path / "cache") for f in fs]
    assert len(entries) == 2  # one per directory

    calls = []
    real = engine.analyze_files

    def counting(paths, *a, **kw):
        calls.append(paths)
        return real(paths, *a, **kw)

    monkeypatch.setattr(engine, "analyze_files", counting)
    second = run("check", "-j", "1", str(tmp_path / "src"))
    assert second.stdout == first.stdout and second.exit_code == 1
    assert calls == []  # nothing analysed again

    write(tmp_path, "src/p/c.go", CLEAN.replace("package p", "package p"))
    third = run("check", "-j", "1", str(tmp_path / "src"))
    assert third.exit_code == 0 and third.stdout == ""
    assert len(calls) == 1 and calls[0][0].endswith("c.go")  # only the changed directory

    # other rules selected: a different key
    run("check", "-j", "1", "--select", "GC2", str(tmp_path / "src"))
    assert len(calls) == 3


def test_no_cache_flag_and_unwritable_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("GOCONC_NO_CACHE")
    (tmp_path / "cache").write_text("not a directory")
    monkeypatch.setenv("GOCONC_CACHE", str(tmp_path / "cache"))
    write(tmp_path, "src/p/c.go", BUGGY)
    res = run("check", str(tmp_path / "src"))
    assert res.exit_code == 1 and "(GC3002)" in res.stdout and res.stderr == ""
    res = run("check", "--no-cache", str(tmp_path / "src"))
    assert res.exit_code == 1
