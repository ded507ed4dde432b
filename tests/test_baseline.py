"""Adopting goconc on old code: baselines, --diff-base in a git repository, and code read from
stdin, as a user sees them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap

import pytest

from test_cli import BUGGY, LOCK_METHOD, LOCK_TYPE, write
from test_cli import run as run_cli


LOCK = BUGGY  # GC3002 at 11:2, the return at 13

DEC = textwrap.dedent("""\

    func (c *C) Dec() {
    	c.mu.Lock()
    	c.n--
    	c.mu.Unlock()
    }
    """)


def run(*args, cwd, input=None):
    return run_cli("check", "-q", *args, cwd=cwd, input=input)


def findings(res) -> list[str]:
    return [":".join(ln.split(":")[:2]) for ln in res.stdout.splitlines()
            if ln.strip() and not ln.startswith((" ", "\t"))]


# --- baselines ---------------------------------------------------------------------------------


def test_baseline_round_trip(tmp_path):
    src = write(tmp_path, "p/c.go", LOCK + DEC)
    res = run("--write-baseline", "base.json", cwd=tmp_path)
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr == "goconc: wrote 1 finding to baseline base.json\n"
    doc = json.loads((tmp_path / "base.json").read_text())
    assert doc["version"] == 1
    assert [(f["code"], f["path"]) for f in doc["findings"]] == [("GC3002", "p/c.go")]

    assert run("--baseline", "base.json", cwd=tmp_path).exit_code == 0

    # lines added above move the finding; it stays hidden
    write(tmp_path, "p/c.go", "// Package p counts.\n" + LOCK.replace("import", "\nimport") + DEC)
    res = run("--baseline", "base.json", cwd=tmp_path)
    assert res.exit_code == 0 and res.stdout == ""

    # a new finding elsewhere is shown, the old one is not
    write(tmp_path, "p/c.go", open(src).read().replace("\tc.n--\n", "\tif c.n == 0 {\n\t\treturn\n\t}\n\tc.n--\n"))
    res = run("--baseline", "base.json", cwd=tmp_path)
    assert res.exit_code == 1
    assert findings(res) == ["p/c.go:23"]

    # an edit of the flagged line brings the old finding back
    write(tmp_path, "p/c.go", LOCK.replace("\tc.mu.Lock()\n", "\tc.mu.Lock() // count\n") + DEC)
    res = run("--baseline", "base.json", cwd=tmp_path)
    assert findings(res) == ["p/c.go:11"]


def test_baseline_counts_identical_findings(tmp_path):
    write(tmp_path, "p/c.go", LOCK)
    run("--write-baseline", "base.json", cwd=tmp_path)
    second = LOCK.split("func", 1)[1].replace("(c *C) Inc", "(c *C) Inc2")
    write(tmp_path, "p/c.go", LOCK + "\nfunc" + second)
    res = run("--baseline", "base.json", cwd=tmp_path)
    assert findings(res) == ["p/c.go:21"]  # same lines, same hash: one entry hides one finding


def test_baseline_paths_are_relative_to_the_baseline(tmp_path):
    write(tmp_path, "p/c.go", LOCK)
    os.makedirs(tmp_path / "ci")
    assert run("--write-baseline", "ci/base.json", cwd=tmp_path).exit_code == 0
    assert json.loads((tmp_path / "ci" / "base.json").read_text())["findings"][0]["path"] == "../p/c.go"
    res = run("--baseline", "../ci/base.json", ".", cwd=tmp_path / "p")  # another working directory
    assert res.exit_code == 0 and res.stdout == ""


@pytest.mark.parametrize("content, message", [
    ('{"version": 1, "findings": [', "base.json: not a usable goconc baseline (line 1: invalid JSON); "
                                    "write a new one with --write-baseline"),
    ('{"findings": []}', 'base.json: not a usable goconc baseline (no "version")'),
    ('{"version": 7, "findings": []}', "base.json: baseline version 7 was written by a newer goconc; "
                                        "this one reads version 1"),
    ('{"version": 1, "findings": [{"code": "GC3002"}]}',
     'base.json: not a usable goconc baseline (finding 1 needs "code", "path" and "hash" strings)'),
    ('{"version": 1, "findings": {}}', 'base.json: not a usable goconc baseline ("findings" is not a list)'),
])
def test_a_damaged_baseline_is_one_line(tmp_path, content, message):
    write(tmp_path, "p/c.go", LOCK)
    write(tmp_path, "base.json", content)
    res = run("--baseline", "base.json", cwd=tmp_path)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith(f"goconc: {message}") and res.stderr.count("\n") == 1, res.stderr


def test_missing_or_unwritable_baseline(tmp_path):
    write(tmp_path, "p/c.go", LOCK)
    res = run("--baseline", "nope.json", cwd=tmp_path)
    assert (res.exit_code, res.stderr) == (2, "goconc: cannot read baseline nope.json: No such file or directory\n")
    res = run("--write-baseline", "no/such/dir/b.json", cwd=tmp_path)
    assert res.exit_code == 2
    assert res.stderr == "goconc: cannot write baseline no/such/dir/b.json: directory no/such/dir does not exist\n"


# --- --diff-base -------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    write(tmp_path, "p/c.go", LOCK + DEC)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path


@needs_git
def test_diff_base_shows_only_findings_on_changed_lines(repo):
    assert run("--diff-base", "HEAD", cwd=repo).exit_code == 0  # the old finding is not shown
    assert findings(run(cwd=repo)) == ["p/c.go:11"]

    # uncommitted: an early return added to Dec; the Lock line is old, the return is new
    src = (repo / "p" / "c.go").read_text()
    write(repo, "p/c.go", src.replace("\tc.n--\n", "\tif c.n == 0 {\n\t\treturn\n\t}\n\tc.n--\n"))
    res = run("--diff-base", "HEAD", cwd=repo)
    assert res.exit_code == 1
    assert findings(res) == ["p/c.go:21"]

    # committed on a branch: the same against main
    git(repo, "checkout", "-q", "-b", "topic")
    git(repo, "commit", "-q", "-am", "early return")
    assert findings(run("--diff-base", "main", cwd=repo)) == ["p/c.go:21"]
    assert run("--diff-base", "HEAD", cwd=repo).exit_code == 0

    # an untracked file is new throughout; so is a staged one
    write(repo, "q/c.go", LOCK.replace("package p", "package q"))
    write(repo, "r/c.go", LOCK.replace("package p", "package r"))
    git(repo, "add", "r/c.go")
    assert findings(run("--diff-base", "HEAD", cwd=repo)) == ["q/c.go:11", "r/c.go:11"]


GET = textwrap.dedent("""\
    package p

    func (c *C) Get(fail bool) int {
    	c.mu.Lock()
    	if fail {
    		c.mu.Unlock()
    		return 0
    	}
    	n := c.n
    	c.mu.Unlock()
    	return n
    }
    """)


@needs_git
def test_diff_base_a_removed_line_counts(repo):
    write(repo, "p/get.go", GET)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "get")
    # only a line is removed: the Lock and the return are old lines, but the return is next to it
    write(repo, "p/get.go", GET.replace("\t\tc.mu.Unlock()\n", ""))
    res = run("--diff-base", "HEAD", cwd=repo)
    assert findings(res) == ["p/get.go:4"]
    assert "\tp/get.go:6:3: returns with c.mu still locked" in res.stdout or "(p/get.go:6:3)" in res.stdout


@needs_git
def test_diff_base_errors(repo, tmp_path_factory):
    res = run("--diff-base", "no-such-branch", cwd=repo)
    assert (res.exit_code, res.stderr) == (2, "goconc: --diff-base: unknown git revision 'no-such-branch'\n")
    res = run("--diff-base", "--output=x", cwd=repo)
    assert res.exit_code == 2 and "unknown git revision '--output=x'" in res.stderr
    assert not (repo / "x").exists()
    plain = tmp_path_factory.mktemp("plain")
    write(plain, "p/c.go", LOCK)
    res = run("--diff-base", "HEAD", cwd=plain)
    assert res.exit_code == 2
    assert res.stderr == "goconc: --diff-base: . is not in a git repository\n"


@needs_git
def test_diff_base_and_baseline_together(repo):
    write(repo, "q/c.go", LOCK.replace("package p", "package q"))
    res = run("--diff-base", "HEAD", "--write-baseline", "b.json", cwd=repo)
    assert res.stderr == "goconc: wrote 1 finding to baseline b.json\n"
    assert [f["path"] for f in json.loads((repo / "b.json").read_text())["findings"]] == ["q/c.go"]


# --- stdin -------------------------------------------------------------------------------------

TYPE, METHOD = LOCK_TYPE, LOCK_METHOD  # GC3002 at 4:2 of the method file, seen with its sibling


def test_stdin_default_name(tmp_path):
    res = run("-", cwd=tmp_path, input=LOCK)
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0].startswith("<stdin>:11:2: lock on c.mu is not released")


def test_stdin_with_filename_reads_package_siblings_from_disk(tmp_path, monkeypatch):
    write(tmp_path, "go.mod", "module example.com/m\n\ngo 1.22\n")
    write(tmp_path, "p/types.go", TYPE)
    write(tmp_path, "p/other.go", LOCK.replace("type C", "type D").replace("*C", "*D"))  # its finding is not ours
    write(tmp_path, "p/inc.go", METHOD.replace("\tif fail {\n\t\treturn nil\n\t}\n", ""))  # clean on disk
    monkeypatch.delenv("GOCONC_NO_CACHE")
    cache = os.environ["GOCONC_CACHE"]
    before = sorted(os.listdir(tmp_path))
    res = run("-", "--stdin-filename", "p/inc.go", cwd=tmp_path, input=METHOD)
    assert res.exit_code == 1
    assert findings(res) == ["p/inc.go:4"]
    assert "returns at line 6" in res.stdout
    # alone, without the sibling that says c.mu is a mutex, the rule stays quiet
    alone = run("-", cwd=tmp_path, input=METHOD)
    assert (alone.exit_code, alone.stdout) == (0, "")
    # the buffer is never written: not into the tree, not into the cache
    assert sorted(os.listdir(tmp_path)) == before
    for dirpath, _dirs, files in os.walk(cache):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as f:
                assert b"c.mu" not in f.read()
    # --stdin-filename alone implies -
    res = run("--stdin-filename", "p/inc.go", cwd=tmp_path, input=METHOD)
    assert findings(res) == ["p/inc.go:4"]


def test_stdin_follows_the_configuration(tmp_path):
    write(tmp_path, ".goconc.toml", 'exclude = ["gen/"]\n[severity]\nGC3002 = "warning"\n')
    res = run("-", "--stdin-filename", "gen/x.go", cwd=tmp_path, input=LOCK)
    assert (res.exit_code, res.stdout) == (0, "")
    res = run("-f", "json", "-", "--stdin-filename", "p/x.go", cwd=tmp_path, input=LOCK)
    f = json.loads(res.stdout)["findings"][0]
    assert (f["path"], f["severity"]) == ("p/x.go", "warning")


def test_stdin_usage_errors(tmp_path):
    write(tmp_path, "p/c.go", LOCK)
    res = run("-", "p", cwd=tmp_path, input=LOCK)
    assert res.exit_code == 2 and "'-' (read the code from stdin) cannot be combined with other paths" in res.stderr
    res = run("--stdin-filename", "x.go", "p", cwd=tmp_path, input=LOCK)
    assert res.exit_code == 2 and "--stdin-filename names the code read from stdin" in res.stderr


@needs_git
def test_stdin_with_diff_base_compares_the_buffer(repo):
    src = (repo / "p" / "c.go").read_text()
    res = run("--stdin-filename", "p/c.go", "--diff-base", "HEAD", cwd=repo, input=src)
    assert (res.exit_code, res.stdout) == (0, "")
    changed = src.replace("\tc.n--\n", "\tif c.n == 0 {\n\t\treturn\n\t}\n\tc.n--\n")
    res = run("--stdin-filename", "p/c.go", "--diff-base", "HEAD", cwd=repo, input=changed)
    assert findings(res) == ["p/c.go:21"]


def test_diff_base_without_git(tmp_path, monkeypatch):
    write(tmp_path, "p/c.go", LOCK)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    res = run("--diff-base", "HEAD", cwd=tmp_path)
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr == "goconc: --diff-base needs git, which was not found on PATH\n"
