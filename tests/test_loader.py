"""Loading: go.mod, build constraints, walking, bad directories."""

from __future__ import annotations

import os

import pytest

from goconc import loader
from goconc.loader import ModuleFinder, collect, is_ignored_by_build_tag, parse_gomod


def test_parse_gomod():
    assert parse_gomod("module example.com/x\n\ngo 1.22.3\n\nrequire y v1.0.0\n") == ("example.com/x", (1, 22))
    assert parse_gomod('module "quoted/path"\ngo 1.21\n') == ("quoted/path", (1, 21))
    assert parse_gomod("// no module line\n") == ("", None)


def test_module_finder_walks_up(tmp_path):
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.21\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "a" / "inner").mkdir()
    (tmp_path / "a" / "inner" / "go.mod").write_text("module m/inner\n\ngo 1.23\n")
    f = ModuleFinder()
    assert f.find(str(sub)).path == "m"
    assert f.find(str(sub)).go_version == (1, 21)
    assert f.find(str(tmp_path / "a" / "inner")).go_version == (1, 23)


@pytest.mark.parametrize("src,ignored", [
    (b"//go:build ignore\n\npackage p\n", True),
    (b"// Copyright\n\n//go:build ignore && linux\n\npackage p\n", True),
    (b"//go:build !ignore\n\npackage p\n", False),
    (b"//go:build linux || ignore\n\npackage p\n", False),
    (b"//go:build (ignore)\npackage p\n", True),
    (b"// +build ignore\n\npackage p\n", True),
    (b"// +build linux,ignore darwin\n\npackage p\n", False),
    (b"package p\n\n//go:build ignore\n", False),  # after the package clause: not a constraint
    (b"/* block */\npackage p\n", False),
])
def test_build_ignore(src, ignored):
    assert is_ignored_by_build_tag(src) is ignored


def test_unreadable_directory_is_reported_and_skipped(tmp_path, monkeypatch):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.go").write_text("package ok\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.go").write_text("package locked\n")
    real = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    units, problems = collect([str(tmp_path)])
    assert [os.path.basename(u.dir) for u in units] == ["ok"]
    assert len(problems) == 1 and problems[0].message == "permission denied"
    assert problems[0].path.endswith("locked")


def test_non_go_file_argument(tmp_path):
    (tmp_path / "x.txt").write_text("hi")
    units, problems = collect([str(tmp_path / "x.txt")])
    assert units == [] and "not a Go source file" in problems[0].message


def test_dot_dot_dot_patterns(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.go").write_text("package a\n")
    monkeypatch.chdir(tmp_path)
    units, problems = collect(["./..."])
    assert [u.files for u in units] == [["./a/x.go"]] and not problems
    units, _ = collect(["a/..."])
    assert len(units) == 1
    assert loader.SKIP_DIRS == {"vendor", "testdata"}


def test_fifo_named_go_is_reported_not_read(tmp_path):
    (tmp_path / "ok.go").write_text("package p\n")
    os.mkfifo(tmp_path / "pipe.go")
    units, problems = collect([str(tmp_path)])
    assert [os.path.basename(f) for u in units for f in u.files] == ["ok.go"]
    assert len(problems) == 1 and "not a regular file" in problems[0].message
    assert problems[0].path.endswith("pipe.go")
    units, problems = collect([str(tmp_path / "pipe.go")])  # named explicitly: refused too
    assert units == [] and "not a regular file" in problems[0].message


def test_file_swapped_for_fifo_after_the_walk_does_not_block(tmp_path):
    from goconc.engine import read_sources

    os.mkfifo(tmp_path / "late.go")
    got = read_sources([str(tmp_path / "late.go")])[str(tmp_path / "late.go")]
    assert isinstance(got, OSError) and "not a regular file" in str(got)


def test_same_directory_spelled_two_ways_is_one_unit(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.go").write_text("package p\n")
    (tmp_path / "pkg" / "b.go").write_text("package p\n")
    monkeypatch.chdir(tmp_path)
    units, problems = collect(["pkg/a.go", "./pkg/b.go"])
    assert not problems and len(units) == 1 and len(units[0].files) == 2
