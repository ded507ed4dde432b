"""The workspace root the servers are confined to (serve/workspace.py)."""

from __future__ import annotations

import os

import pytest

from goconc.serve.workspace import OutsideRoot, Workspace


@pytest.fixture
def ws(tmp_path):
    (tmp_path / "root" / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    os.symlink(tmp_path / "secret", tmp_path / "root" / "out")
    os.symlink(tmp_path / "root" / "pkg", tmp_path / "root" / "in")
    return Workspace(str(tmp_path / "root"))


@pytest.mark.parametrize("path, want", [
    (".", "."), ("./...", "./..."), ("...", "./..."), ("pkg", "pkg"), ("./pkg/sub/", "pkg/sub"),
    ("pkg/...", "./pkg/..."), ("pkg/../pkg/sub", "pkg/sub"), ("in/sub", "pkg/sub"), ("missing/x.go", "missing/x.go"),
])
def test_paths_inside_the_root(ws, path, want):
    assert ws.resolve(path) == want
    assert ws.resolve(os.path.join(ws.root, path)) == want


@pytest.mark.parametrize("path", ["..", "../secret", "pkg/../../secret", "out", "out/x.go", "/", "/...", "/etc/passwd",
                                  "", "pkg\0x"])
def test_paths_outside_the_root_are_refused(ws, path):
    with pytest.raises(OutsideRoot):
        ws.resolve(path)


def test_packages_are_directories_not_import_paths(ws):
    assert ws.package_pattern("./...") == "./..." and ws.package_pattern("./pkg") == "./pkg"
    assert ws.package_pattern(".") == "." and ws.package_pattern(os.path.join(ws.root, "pkg")) == "./pkg"
    for bad in ("example.com/x", "std", "all", "../secret/..."):
        with pytest.raises(OutsideRoot):
            ws.package_pattern(bad)
