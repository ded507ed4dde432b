"""What a user sees from `goconc check`: findings, formats, exit codes, bad input."""

from __future__ import annotations

import json
import os
import stat
import textwrap

import pytest
from click.testing import CliRunner
from conftest import ROOT, needs_go

from goconc.cli import main

EXAMPLE = os.path.join(ROOT, "examples", "buggy")

BUGGY = textwrap.dedent("""\
    package p

    import "sync"

    type C struct {
    	mu sync.Mutex
    	n  int
    }

    func (c *C) Inc(fail bool) error {
    	c.mu.Lock()
    	if fail {
    		return nil
    	}
    	c.n++
    	c.mu.Unlock()
    	return nil
    }
    """)

CLEAN = textwrap.dedent("""\
    package p

    import "sync"

    type D struct {
    	mu sync.Mutex
    	n  int
    }

    func (d *D) Inc() {
    	d.mu.Lock()
    	defer d.mu.Unlock()
    	d.n++
    }
    """)


# A lock type and, for another file of its package, a method that leaks the lock: only an
# analysis that sees the whole package knows c.mu is a mutex (GC3002 at 4:2 of the method file).
LOCK_TYPE = textwrap.dedent("""\
    package p

    import "sync"

    type C struct {
    	mu sync.Mutex
    	n  int
    }
    """)

LOCK_METHOD = textwrap.dedent("""\
    package p

    func (c *C) Inc(fail bool) error {
    	c.mu.Lock()
    	if fail {
    		return nil
    	}
    	c.n++
    	c.mu.Unlock()
    	return nil
    }
    """)


def run(*args, cwd=None, input=None):
    runner = CliRunner()
    if cwd is not None:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        res = runner.invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        if cwd is not None:
            os.chdir(old)
    return res


def write(root, rel, text, mode="w"):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)
    return path


def test_example_findings_and_exit_code(tmp_path):
    res = run("check", EXAMPLE)
    assert res.exit_code == 1
    lines = [ln for ln in res.stdout.splitlines() if not ln.startswith("    note: ")]
    codes = sorted(ln.rsplit("(", 1)[1].rstrip(")") for ln in lines)
    assert codes == ["GC2001", "GC2002", "GC3001", "GC3002", "GC3004"]
    first = lines[0]
    assert first.startswith(os.path.join(EXAMPLE, "cache.go") + ":19:2: lock on c.mu is not released") or \
        ":19:2: lock on c.mu is not released" in first


def test_clean_code_exits_zero(tmp_path):
    write(tmp_path, "p/d.go", CLEAN)
    res = run("check", str(tmp_path))
    assert res.exit_code == 0, res.stdout
    assert res.stdout == ""


def test_relative_paths_and_go_vet_format(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    res = run("check", "./...", cwd=tmp_path)
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == (
        "p/c.go:11:2: lock on c.mu is not released on the path that returns at line 13 "
        "(when `fail` at line 12): add c.mu.Unlock() before that return, or defer it (GC3002)")
    assert res.stdout.splitlines()[1] == "    note: returns with c.mu still locked (p/c.go:13:3)"


def test_exit_zero_flag(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    assert run("check", "--exit-zero", str(tmp_path)).exit_code == 0


def test_select_and_ignore(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    assert run("check", "--select", "GC2", str(tmp_path)).exit_code == 0
    assert run("check", "--ignore", "lock-not-released", str(tmp_path)).exit_code == 0
    assert run("check", "--select", "GC3002", str(tmp_path)).exit_code == 1
    bad = run("check", "--select", "GC9999", str(tmp_path))
    assert bad.exit_code == 2
    assert "unknown rule or prefix 'GC9999'" in bad.output


def test_json_format(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    res = run("check", "--format", "json", str(tmp_path))
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["version"] == 1
    assert doc["tool"]["name"] == "goconc"
    assert doc["summary"] == {"files": 1, "packages": 1, "findings": 1}
    f = doc["findings"][0]
    assert f["code"] == "GC3002" and f["name"] == "lock-not-released" and f["severity"] == "error"
    assert f["start"] == {"line": 11, "column": 2, "offset": f["start"]["offset"]}
    assert f["related"][0]["start"]["line"] == 13


def test_sarif_format(tmp_path):
    write(tmp_path, "p/c.go", BUGGY.replace("// ", "") + "\n// é comment\n")
    res = run("check", "--format", "sarif", "./...", cwd=tmp_path)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    run0 = doc["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "GC3002" in ids
    for r in rules:
        assert r["name"] != r["id"]
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
    res0 = run0["results"][0]
    assert res0["ruleId"] == "GC3002" and rules[res0["ruleIndex"]]["id"] == "GC3002"
    loc = res0["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "p/c.go"
    assert loc["region"]["startLine"] == 11 and loc["region"]["startColumn"] == 2
    assert res0["relatedLocations"][0]["id"] == 1
    assert "](1)" in res0["message"]["text"]
    fp = res0["partialFingerprints"]["primaryLocationLineHash"]
    assert fp.endswith(":1") and int(fp.split(":")[0], 16) >= 0


def test_sarif_columns_count_code_points(tmp_path):
    src = BUGGY.replace("\tc.mu.Lock()\n", "\t/* é */ c.mu.Lock()\n")
    write(tmp_path, "p/c.go", src)
    res = run("check", "--format", "sarif", "./...", cwd=tmp_path)
    region = json.loads(res.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    # "\t/* é */ " is 10 bytes but 9 code points: byte column 11, code point column 10
    assert region["startColumn"] == 10
    jres = json.loads(run("check", "--format", "json", "./...", cwd=tmp_path).stdout)
    assert jres["findings"][0]["start"]["column"] == 11


def test_output_file(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    out = tmp_path / "out.txt"
    res = run("check", "-o", str(out), str(tmp_path / "p"))
    assert res.exit_code == 1
    assert res.stdout == ""
    assert "(GC3002)" in out.read_text()


def test_jobs_do_not_change_output(tmp_path):
    for i in range(6):
        write(tmp_path, f"p{i}/c.go", BUGGY)
        write(tmp_path, f"p{i}/d.go", CLEAN)
    one = run("check", "-j", "1", str(tmp_path))
    two = run("check", "-j", "2", str(tmp_path))
    assert one.stdout == two.stdout
    assert one.stdout.count("(GC3002)") == 6


# --- loading rules -------------------------------------------------------------------------


def test_skips_what_the_go_tool_skips(tmp_path):
    for d in ("vendor/x", "testdata", "_hidden", ".git/x", "sub/testdata"):
        write(tmp_path, f"{d}/c.go", BUGGY)
    write(tmp_path, "_c.go", BUGGY)
    write(tmp_path, "ign.go", "//go:build ignore\n\n" + BUGGY)
    write(tmp_path, "ign2.go", "// +build ignore\n\n" + BUGGY)
    write(tmp_path, "linux.go", "//go:build linux && !ignore\n\n" + BUGGY.replace("package p", "package q"))
    res = run("check", str(tmp_path))
    assert res.stdout.count("(GC3002)") == 1, res.stdout
    assert "linux.go" in res.stdout
    # named explicitly, a testdata directory is analysed
    res = run("check", str(tmp_path / "sub" / "testdata"))
    assert res.stdout.count("(GC3002)") == 1


def test_test_files_and_external_test_packages(tmp_path):
    write(tmp_path, "p/c.go", CLEAN)
    write(tmp_path, "p/c_test.go", BUGGY.replace("package p", "package p_test"))
    res = run("check", "--format", "json", str(tmp_path))
    doc = json.loads(res.stdout)
    assert doc["summary"]["packages"] == 2
    assert doc["findings"][0]["path"].endswith("c_test.go")


# --- bad input -----------------------------------------------------------------------------


def test_missing_path_is_one_line_and_exit_1(tmp_path):
    """Input that cannot be read is exit 1, as the README says, even when it is all there is."""
    res = run("check", "-q", str(tmp_path / "nope"))
    assert res.exit_code == 1
    assert res.stderr.strip() == f"goconc: {tmp_path / 'nope'}: no such file or directory"


def test_every_file_unreadable_is_exit_1(tmp_path):
    os.symlink(str(tmp_path / "gone.go"), str(tmp_path / "a.go"))  # dangling: cannot be opened
    res = run("check", str(tmp_path))
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    assert any(ln.endswith("a.go: no such file or directory") for ln in lines)
    assert lines[-1].startswith("goconc: checked 0 files in 0 packages: no findings")


def test_missing_path_does_not_stop_the_rest(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    res = run("check", str(tmp_path / "nope"), str(tmp_path / "p"))
    assert res.exit_code == 1
    assert "(GC3002)" in res.stdout
    assert "no such file or directory" in res.stderr


def test_binary_and_non_utf8_files(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    write(tmp_path, "p/bin.go", b"\x7fELF\x00\x01\x02", mode="wb")
    write(tmp_path, "p/latin1.go", "package p\n// caf\xe9\n".encode("latin-1"), mode="wb")
    res = run("check", str(tmp_path))
    assert res.exit_code == 1
    assert "(GC3002)" in res.stdout
    err = res.stderr.splitlines()
    assert any("bin.go: binary file" in ln for ln in err), err
    assert any("latin1.go: not valid UTF-8" in ln for ln in err), err
    assert "Traceback" not in res.output


def test_too_large_file(tmp_path, monkeypatch):
    import goconc.source as source

    monkeypatch.setattr(source, "MAX_FILE_SIZE", 1000)
    write(tmp_path, "p/big.go", "package p\n" + "// x\n" * 400)
    res = run("check", "-j", "1", str(tmp_path))
    assert "big.go: file too large" in res.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_directory(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    locked = tmp_path / "locked"
    write(tmp_path, "locked/x.go", BUGGY)
    locked.chmod(0)
    try:
        res = run("check", str(tmp_path))
    finally:
        locked.chmod(stat.S_IRWXU)
    assert "(GC3002)" in res.stdout
    assert "permission denied" in res.stderr


def test_unreadable_file_as_root_safe(tmp_path):
    """A file that cannot be opened is one stderr line (simulated with a dangling symlink)."""
    write(tmp_path, "p/c.go", BUGGY)
    os.symlink(tmp_path / "gone.go", tmp_path / "p" / "dangling.go")
    res = run("check", str(tmp_path))
    assert "(GC3002)" in res.stdout
    assert any("dangling.go" in ln for ln in res.stderr.splitlines())
    assert "Traceback" not in res.output


def test_symlink_loop(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    os.symlink(tmp_path / "p", tmp_path / "p" / "self")  # a directory symlink is not followed
    res = run("check", str(tmp_path), str(tmp_path / "loop"))
    assert res.stdout.count("(GC3002)") == 1
    assert "symlink loop" in res.stderr


def test_syntax_error_is_a_finding_and_the_rest_goes_on(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    write(tmp_path, "p/broken.go", "package p\n\nfunc f() {\n\tx := 1 +\n}\n")
    res = run("check", str(tmp_path))
    assert res.exit_code == 1
    broken = [ln for ln in res.stdout.splitlines() if "broken.go" in ln]
    assert len(broken) == 1 and "(GC0001)" in broken[0], res.stdout
    assert ":5:" in broken[0] or ":4:" in broken[0]
    assert "(GC3002)" in res.stdout


def test_rules_do_not_run_on_broken_declarations(tmp_path):
    src = BUGGY + "\nfunc g() {\n\tc := &C{}\n\tc.mu.Lock()\n\tif true {\n\t\treturn\n\t}\n\tc.mu.Unlock()\n\tx := )\n}\n"
    write(tmp_path, "p/c.go", src)
    res = run("check", str(tmp_path))
    lines = res.stdout.splitlines()
    assert sum("(GC3002)" in ln for ln in lines) == 1  # only Inc, not the broken g
    assert sum("(GC0001)" in ln for ln in lines) == 1


@needs_go
def test_go_126_new_expr_is_not_a_syntax_error(tmp_path):
    src = textwrap.dedent("""\
        package p

        import "sync"

        type C struct{ mu sync.Mutex }

        func f(c *C, fail bool) *uint64 {
        	p := new(uint64(3))
        	c.mu.Lock()
        	if fail {
        		return p
        	}
        	c.mu.Unlock()
        	return p
        }

        func g() int {
        	make := func(n int) int { return n }
        	return make(100)
        }
        """)
    write(tmp_path, "p/c.go", src)
    res = run("check", str(tmp_path))
    assert "GC0001" not in res.stdout, res.stdout
    assert res.stdout.count("(GC3002)") == 1


def test_rules_and_rule_commands():
    res = run("rules")
    assert res.exit_code == 0
    assert "GC3002  lock-not-released" in res.stdout
    assert "GC2004" not in res.stdout  # off by default
    assert "GC2004" in run("rules", "--all").stdout
    doc = run("rule", "lock-not-released")
    assert doc.exit_code == 0 and doc.stdout.startswith("# lock-not-released (GC3002)")
    assert run("rule", "GC3002").stdout == doc.stdout
    assert run("rule", "nope").exit_code == 2


def test_version():
    res = run("--version")
    assert res.exit_code == 0 and "goconc" in res.stdout


def test_code_frames_on_a_terminal(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    res = run("check", "--color", "always", str(tmp_path))
    assert res.exit_code == 1
    plain = __import__("re").sub(r"\x1b\[[0-9;]*m", "", res.stdout)
    assert "lock on c.mu is not released" in plain and "GC3002 lock-not-released" in plain
    assert "c.mu.Lock()" in plain and "11" in plain  # the source line, numbered
    assert "returns with c.mu still locked" in plain


def test_console_script_runs_as_a_module(tmp_path):
    import subprocess
    import sys

    write(tmp_path, "p/c.go", BUGGY)
    proc = subprocess.run([sys.executable, "-m", "goconc", "check", str(tmp_path)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")))
    assert proc.returncode == 1
    assert "(GC3002)" in proc.stdout and proc.stderr == "goconc: checked 1 file in 1 package: 1 finding\n"


def test_output_into_a_missing_directory_fails_before_analysis(tmp_path, monkeypatch):
    from goconc import engine

    write(tmp_path, "p/c.go", BUGGY)
    monkeypatch.setattr(engine, "collect", lambda *a: pytest.fail("analysed although -o cannot be written"))
    res = run("check", "-o", str(tmp_path / "nope" / "out.txt"), str(tmp_path / "p"))
    assert res.exit_code == 2 and "does not exist" in res.stderr and "Traceback" not in res.stderr


def test_output_file_keeps_its_mode(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    out = tmp_path / "out.txt"
    out.write_text("old")
    os.chmod(out, 0o640)
    assert run("check", "-o", str(out), str(tmp_path / "p")).exit_code == 1
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640 and "(GC3002)" in out.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".goconc-")] == []


def _module_cmd(*args):
    import sys

    return [sys.executable, "-m", "goconc", *args]


def _env():
    return dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))


def test_closed_stdout_and_stderr_are_not_a_crash(tmp_path):
    import subprocess

    write(tmp_path, "p/c.go", BUGGY)
    cmd = " ".join(_module_cmd("check", str(tmp_path)))
    proc = subprocess.run(f"{cmd} >&- 2>&-", shell=True, env=_env())
    assert proc.returncode == 1


def test_reader_leaving_the_pipe_early_is_not_a_crash(tmp_path):
    import subprocess

    for i in range(40):
        write(tmp_path, f"p{i}/c.go", BUGGY)
    proc = subprocess.Popen(_module_cmd("check", "--no-cache", str(tmp_path)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(), bufsize=0)
    proc.stdout.close()  # like `| head -0`
    err = proc.stderr.read().decode()
    assert proc.wait() == 1 and "Traceback" not in err and "BrokenPipe" not in err, err


def test_brackets_in_related_messages_are_text_not_markup():
    import io

    from rich.console import Console

    from goconc.model import Diagnostic, Position, Related, Severity, Span
    from goconc.output import text

    sp = Span("a.go", Position(1, 1), Position(1, 2))
    d = Diagnostic("GC3002", "lock-not-released", Severity.WARNING, "m [x]", sp,
                   (Related(sp, "case [/dim] taken"),))
    buf = io.StringIO()
    text.print_rich([d], Console(file=buf, width=200, color_system=None), lambda p: None)
    assert "case [/dim] taken" in buf.getvalue()


def _fragile_unit(args):
    from goconc import engine

    if args[0].dir.endswith("boom"):
        os._exit(9)  # as if the kernel's OOM killer took the worker
    return engine._real_run_unit(args)


def test_a_dying_worker_loses_only_its_own_directory(tmp_path, monkeypatch):
    from goconc import engine

    monkeypatch.setattr(engine, "_real_run_unit", engine._run_unit, raising=False)
    monkeypatch.setattr(engine, "_run_unit", _fragile_unit)
    for d in ("a", "b", "boom", "c", "d"):
        write(tmp_path, f"{d}/c.go", BUGGY)
    res = run("check", "-j", "2", str(tmp_path))
    assert res.exit_code == 1
    assert sorted({line.split("/")[-2] for line in res.stdout.splitlines()}) == ["a", "b", "c", "d"]
    assert "boom: the analysis process died on this directory" in res.stderr


def test_parse_errors_show_whatever_is_selected_and_sarif_describes_them(tmp_path):
    write(tmp_path, "p/bad.go", "package p\n\nfunc f() {\n\tx := \n}\n")
    res = run("check", "--select", "GC3002", str(tmp_path))
    assert res.exit_code == 1 and "(GC0001)" in res.stdout
    assert run("check", "--ignore", "parse-error", str(tmp_path)).stdout == ""
    doc = json.loads(run("check", "--select", "GC3002", "--format", "sarif", str(tmp_path)).stdout)
    run0 = doc["runs"][0]
    ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    (result,) = run0["results"]
    assert result["ruleId"] == "GC0001" and ids[result["ruleIndex"]] == "GC0001"


def test_engine_findings_carry_real_offsets_in_json(tmp_path):
    src = "package p\n\n//goconc:ignore GC3002 stale\nfunc f() {\n\tx := \n}\n"
    write(tmp_path, "p/bad.go", src)
    doc = json.loads(run("check", "--format", "json", "--select", "GC0", str(tmp_path)).stdout)
    by_code = {f["code"]: f for f in doc["findings"]}
    for f in by_code.values():
        start = f["start"]
        line_start = len("".join(src.splitlines(keepends=True)[:start["line"] - 1]).encode())
        assert start["offset"] == line_start + start["column"] - 1, f
    assert by_code["GC0001"]["start"]["offset"] > 0


def test_a_directory_without_go_files_is_said_not_passed_silently(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("hi")
    write(tmp_path, "vendor/v/v.go", BUGGY)
    res = run("check", "-q", str(tmp_path))
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr.strip().endswith("no Go files here (vendor/, testdata/ and directories starting "
                                       "with . or _ are skipped unless named)")


def test_sigterm_during_check_is_a_clean_exit(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    for i in range(2000):
        write(tmp_path, f"p{i}/c.go", BUGGY)
    proc = subprocess.Popen([sys.executable, "-m", "goconc", "check", "--no-cache", "-j", "2", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")))
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode in (1, 130), err  # interrupted (or, on a very fast machine, finished)
    assert b"Traceback" not in err
    if proc.returncode == 130:
        assert err.decode().strip().endswith("goconc: interrupted")
