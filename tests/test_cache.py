"""The results cache: unchanged directories are not analysed again; any change is seen."""

from __future__ import annotations

import os
import time

from click.testing import CliRunner
from test_cli import BUGGY, CLEAN, write

from goconc import cache, engine
from goconc.cli import main


def _entries(root):
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f != cache.MARKER]


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_second_run_reuses_findings_and_changes_are_seen(tmp_path, monkeypatch):
    monkeypatch.delenv("GOCONC_NO_CACHE")
    monkeypatch.setenv("GOCONC_CACHE", str(tmp_path / "cache"))
    write(tmp_path, "src/p/c.go", BUGGY)
    write(tmp_path, "src/q/d.go", CLEAN)
    first = run("check", "-j", "1", str(tmp_path / "src"))
    assert first.exit_code == 1 and "(GC3002)" in first.stdout
    assert len(_entries(tmp_path / "cache")) == 2  # one per directory

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
    assert res.exit_code == 1 and "(GC3002)" in res.stdout and res.stderr == "goconc: checked 1 file in 1 package: 1 finding\n"
    res = run("check", "--no-cache", str(tmp_path / "src"))
    assert res.exit_code == 1


def test_damaged_entry_is_dropped_and_the_directory_analysed_again(tmp_path, monkeypatch):
    monkeypatch.delenv("GOCONC_NO_CACHE")
    monkeypatch.setenv("GOCONC_CACHE", str(tmp_path / "cache"))
    write(tmp_path, "src/p/c.go", BUGGY)
    first = run("check", "-j", "1", str(tmp_path / "src"))
    (entry,) = _entries(tmp_path / "cache")
    with open(entry, "wb") as f:
        f.write(b"\x80\x05garbage")  # a pickle that fails in an unexpected way
    second = run("check", "-j", "1", str(tmp_path / "src"))
    assert second.stdout == first.stdout and second.exit_code == 1 and second.stderr == first.stderr == "goconc: checked 1 file in 1 package: 1 finding\n"
    (again,) = _entries(tmp_path / "cache")
    with open(again, "rb") as f:
        assert f.read(3) != b"\x80\x05g"  # rewritten by the second run


def test_only_folders_goconc_made_are_removed(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    mine = root / "0123456789abcdef0123"  # a user's own folder that merely looks like a build hash
    mine.mkdir(parents=True)
    (mine / "keep.txt").write_text("precious")
    stale = root / cache.LAYOUT / "fedcba9876543210fedc"
    stale.mkdir(parents=True)
    (stale / cache.MARKER).write_text("")
    old = time.time() - (cache.KEEP_DAYS + 1) * 86400
    os.utime(stale / cache.MARKER, (old, old))  # not used for longer than KEEP_DAYS
    unmarked = root / cache.LAYOUT / "aaaaaaaaaaaaaaaaaaaa"
    unmarked.mkdir()
    (unmarked / "keep.txt").write_text("precious")
    c = cache.Cache(str(root))
    assert c.ok and os.path.isfile(os.path.join(c.dir, cache.MARKER))
    assert not stale.exists()
    assert (mine / "keep.txt").read_text() == "precious"
    assert (unmarked / "keep.txt").read_text() == "precious"


def test_two_installed_versions_keep_each_others_entries(tmp_path, monkeypatch):
    """A pipx install and a project venv of other versions alternate on one machine: neither
    run may throw away the other's findings; only builds beyond the most recent few go."""
    root = tmp_path / "cache"
    builds = [f"{i:020x}" for i in range(1, cache.KEEP_BUILDS + 3)]
    for i, b in enumerate(builds):
        monkeypatch.setattr(cache, "build_id", lambda b=b: b)
        c = cache.Cache(str(root))
        c.put("k" * 64, f"entry of {b}")
        used = time.time() - 60 * (len(builds) - i)  # older builds were used earlier
        os.utime(os.path.join(c.dir, cache.MARKER), (used, used))
    monkeypatch.setattr(cache, "build_id", lambda: builds[-2])
    assert cache.Cache(str(root)).get("k" * 64) == f"entry of {builds[-2]}"  # the other version's entry survived
    kept = sorted(os.listdir(root / cache.LAYOUT))
    assert kept == builds[-(cache.KEEP_BUILDS + 1):]  # this build and the KEEP_BUILDS most recent others
