"""`goconc fix`: the fix machinery (goconc.fixes) and what a user sees from the command.

Golden files: every rule fixture directory with a `fix.go` has `fix.go.golden` (the safe fixes
applied) and, when the rule has unsafe fixes, `fix.go.unsafe.golden` (safe and unsafe).
To update one, look at what the fix does first (`goconc fix --diff [--unsafe-fixes] --select
CODE tests/testdata/rules/<family>/<rule>` writes nothing), then write the golden from it.
"""

from __future__ import annotations

import os
import shutil
import stat
import textwrap

import pytest
from click.testing import CliRunner
from conftest import TESTDATA, needs_go

from goconc import fixes as F
from goconc.cli import main
from goconc.loader import collect
from goconc.model import Applicability, Diagnostic, Edit, Fix, Position, Severity, Span
from goconc.registry import Rule, all_rules, find

RULES_DIR = os.path.join(TESTDATA, "rules")


def run(*args, cwd=None):
    runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def module(tmp_path, files: dict[str, str]) -> str:
    root = tmp_path / "m"
    root.mkdir()
    (root / "go.mod").write_text("module m\n\ngo 1.25\n")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return str(root)


def read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


DEFER_LOCK = """\
    package p

    import "sync"

    var mu sync.Mutex
    var n int

    func inc() {
    	mu.Lock()
    	defer mu.Lock()
    	n++
    }
    """

DEFER_LOCK_FIXED = DEFER_LOCK.replace("defer mu.Lock()", "defer mu.Unlock()")

# one safe fix (GC3003) and one unsafe one (GC3001, a value receiver)
MIXED = """\
    package p

    import "sync"

    type C struct {
    	mu sync.Mutex
    	n  int
    }

    func (c C) Get() int {
    	return c.n
    }

    func (c *C) Inc() {
    	c.mu.Lock()
    	defer c.mu.Lock()
    	c.n++
    }
    """


# --------------------------------------------------------------------------------------------
# The pure parts


def _diag(line: int, *fixes: Fix, path: str = "a.go") -> Diagnostic:
    return Diagnostic("GC3003", "defer-lock-after-lock", Severity.ERROR, "m",
                      Span(path, Position(line, 1), Position(line, 1)), (), fixes)


def _fix(*edits: Edit, applicability=Applicability.SAFE, title="t") -> Fix:
    return Fix(title, tuple(edits), applicability)


def test_resolve_applies_in_finding_order_and_skips_overlaps():
    first = _diag(1, _fix(Edit("a.go", 10, 20, "x")))
    overlapping = _diag(2, _fix(Edit("a.go", 15, 25, "y")))
    touching = _diag(3, _fix(Edit("a.go", 20, 20, "z")))  # an insertion at the end of a replacement
    elsewhere = _diag(4, _fix(Edit("a.go", 30, 31, "w")))
    other_file = _diag(5, _fix(Edit("b.go", 15, 25, "v")), path="b.go")
    cands = [(d, d.fixes[0]) for d in (first, overlapping, touching, elsewhere, other_file)]
    applied, skipped = F.resolve(cands)
    assert [d for d, _ in applied] == [first, elsewhere, other_file]
    assert [d for d, _ in skipped] == [overlapping, touching]


def test_resolve_counts_identical_fixes_once_and_rejects_malformed_ones():
    same = Edit("a.go", 5, 6, "x")
    a, b = _diag(1, _fix(same)), _diag(2, _fix(same))
    bad = _diag(3, _fix(Edit("a.go", 40, 50, "p"), Edit("a.go", 45, 46, "q")))  # edits overlap each other
    applied, skipped = F.resolve([(d, d.fixes[0]) for d in (a, b, bad)])
    assert [d for d, _ in applied] == [a, b]
    assert [d for d, _ in skipped] == [bad]
    assert F.apply_edits(b"0123456789", [same, same]) == b"01234x6789"


def test_apply_edits_in_any_order_with_utf8():
    src = "héllo wörld\n".encode()
    edits = [Edit("a.go", 0, 0, "«"), Edit("a.go", len("héllo ".encode()), len("héllo wörld".encode()), "мир")]
    assert F.apply_edits(src, reversed(edits)).decode() == "«héllo мир\n"
    with pytest.raises(ValueError):
        F.apply_edits(b"abc", [Edit("a.go", 2, 9, "")])


def test_applicable_fix_follows_applicability():
    safe = _fix(Edit("a.go", 0, 0, "s"))
    unsafe = _fix(Edit("a.go", 0, 0, "u"), applicability=Applicability.UNSAFE)
    display = _fix(Edit("a.go", 0, 0, "d"), applicability=Applicability.DISPLAY_ONLY)
    assert F.applicable_fix(_diag(1, unsafe, safe), unsafe=False) is safe
    assert F.applicable_fix(_diag(1, unsafe, safe), unsafe=True) is unsafe
    assert F.applicable_fix(_diag(1, unsafe), unsafe=False) is None
    assert F.applicable_fix(_diag(1, display), unsafe=True) is None


def test_syntax_problem():
    good = b"package p\n\nfunc f() {}\n"
    assert F.syntax_problem(good, b"package p\n\nfunc g() {}\n") is None
    why = F.syntax_problem(good, b"package p\n\nfunc g() {\n")
    assert why is not None and why.startswith("line ")
    # valid Go tree-sitter cannot read (Go 1.26 new(expr)) carries over from the original
    odd = b"package p\n\nvar x = new(int(3))\n"
    assert F.syntax_problem(odd, odd.replace(b"x", b"y")) is None


def test_edit_helpers_keep_comments_and_lines():
    src = b"func f() {\n\tmu.Lock() // note\n\twg.Done()\n\tx(); wg.Done()\n}\n"
    lock = src.index(b"mu.Lock()")
    done = src.index(b"\twg.Done()") + 1
    e = F.insert_line_after("a.go", src, lock, lock + len(b"mu.Lock()"), "defer mu.Unlock()")
    assert F.apply_edits(src, [e]).startswith(b"func f() {\n\tmu.Lock() // note\n\tdefer mu.Unlock()\n\twg.Done()")
    e = F.delete_statement("a.go", src, done, done + len(b"wg.Done()"))
    assert F.apply_edits(src, [e]) == b"func f() {\n\tmu.Lock() // note\n\tx(); wg.Done()\n}\n"
    e = F.delete_statement("a.go", src, lock, lock + len(b"mu.Lock()"))
    assert F.apply_edits(src, [e]).startswith(b"func f() {\n\t// note\n")
    second = src.rindex(b"wg.Done()")
    assert F.delete_statement("a.go", src, second, second + len(b"wg.Done()")) is None  # code before it


# --------------------------------------------------------------------------------------------
# Writing files


def test_write_file_keeps_mode(tmp_path):
    p = tmp_path / "a.go"
    p.write_bytes(b"old\n")
    os.chmod(p, 0o640)
    F.write_file(str(p), b"new\n", b"old\n")
    assert read(p) == b"new\n"
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["a.go"]  # no temporary file left


def test_write_file_writes_through_symlink(tmp_path):
    real = tmp_path / "real.go"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.go"
    link.symlink_to("real.go")
    F.write_file(str(link), b"new\n", b"old\n")
    assert os.path.islink(link) and os.readlink(link) == "real.go"
    assert read(real) == b"new\n"


def test_write_file_refuses_what_it_must_not_touch(tmp_path):
    fifo = tmp_path / "f.go"
    os.mkfifo(fifo)
    with pytest.raises(F.WriteError, match="not a regular file"):
        F.write_file(str(fifo), b"x", b"")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    p = tmp_path / "a.go"
    p.write_bytes(b"changed\n")
    with pytest.raises(F.WriteError, match="changed while goconc was fixing it"):
        F.write_file(str(p), b"new\n", b"old\n")
    assert read(p) == b"changed\n"

    os.link(p, tmp_path / "b.go")
    with pytest.raises(F.WriteError, match="2 hard links"):
        F.write_file(str(p), b"new\n", b"changed\n")
    assert read(p) == b"changed\n"
    os.unlink(tmp_path / "b.go")

    os.chmod(p, 0o444)
    with pytest.raises(F.WriteError, match="read-only"):
        F.write_file(str(p), b"new\n", b"changed\n")
    assert read(p) == b"changed\n"
    assert sorted(os.listdir(tmp_path)) == ["a.go", "f.go"]


# --------------------------------------------------------------------------------------------
# Goldens: every rule fixture directory with a fix.go


def _golden_cases():
    out = []
    for r in all_rules():
        family, mod = r.module.split(".")[-2:]
        d = os.path.join(RULES_DIR, family, mod)
        if os.path.exists(os.path.join(d, "fix.go")):
            out.append(pytest.param(r, d, id=f"{r.code}-{mod}"))
    return out


def _fixed(folder: str, rule, unsafe: bool, name: str = "fix.go") -> tuple[bytes, F.FixRun]:
    run_ = F.fix_paths([folder], [rule], unsafe=unsafe, jobs=1)
    original = read(os.path.join(folder, name))
    got = next((f.after for f in run_.files if os.path.basename(f.real) == name), original)
    return got, run_


def test_every_rule_with_a_fix_has_golden_files():
    with_fix = {r.code for r in all_rules() if r.fix.value != "none" and not r.code.startswith("GC0")}
    with_golden = {p.values[0].code for p in _golden_cases()}
    assert with_fix == with_golden
    # the goldens are not Go files: neither goconc nor the go tool reads them
    units, _ = collect([RULES_DIR])
    assert not [f for u in units for f in u.files if ".golden" in f]


@pytest.mark.parametrize("rule,folder", _golden_cases())
def test_fix_goldens(rule, folder):
    fix_go = os.path.join(folder, "fix.go")
    safe, run_ = _fixed(folder, rule, unsafe=False)
    assert not run_.problems, run_.problems
    assert safe == read(fix_go + ".golden"), f"safe fixes of {fix_go} differ from fix.go.golden"
    unsafe_golden = fix_go + ".unsafe.golden"
    everything, run_ = _fixed(folder, rule, unsafe=True)
    assert not run_.problems, run_.problems
    if os.path.exists(unsafe_golden):
        assert everything == read(unsafe_golden), f"safe+unsafe fixes of {fix_go} differ from fix.go.unsafe.golden"
        assert everything != safe, "an unsafe golden that equals the safe one is not needed"
    else:
        assert everything == safe
    assert everything != read(fix_go), "fix.go must show at least one fix"


@pytest.mark.parametrize("rule,folder", _golden_cases())
def test_fix_goldens_are_fixed_points(rule, folder, tmp_path):
    """A second run changes nothing: the golden, analysed again, has no fix left to apply."""
    copy = tmp_path / "rules"
    shutil.copy(os.path.join(RULES_DIR, "go.mod"), tmp_path / "go.mod")
    shutil.copytree(folder, copy)
    for golden in (".golden", ".unsafe.golden"):
        src = os.path.join(folder, "fix.go" + golden)
        if not os.path.exists(src):
            continue
        shutil.copy(src, copy / "fix.go")
        again, run_ = _fixed(str(copy), rule, unsafe=golden == ".unsafe.golden")
        assert again == read(src), f"fixing fix.go{golden} again changes it"


@needs_go
@pytest.mark.parametrize("rule,folder", _golden_cases())
def test_fix_goldens_are_gofmt_clean_go(rule, folder):
    for golden in (".golden", ".unsafe.golden"):
        path = os.path.join(folder, "fix.go" + golden)
        if os.path.exists(path):
            fmt = F.gofmt(read(path))
            assert fmt.error == "" and fmt.text == read(path), f"{path} is not gofmt-clean: {fmt.error}"


# --------------------------------------------------------------------------------------------
# The command, as a user sees it


def test_fix_applies_safe_fix_and_reports(tmp_path):
    root = module(tmp_path, {"p/a.go": DEFER_LOCK})
    res = run("fix", "./...", cwd=root)
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert res.stderr.splitlines() == [
        "goconc: p/a.go: fixed 1 finding (1 × GC3003 defer-lock-after-lock)",
        "goconc: fixed 1 finding in 1 file; no findings remain",
    ]
    assert read(os.path.join(root, "p/a.go")).decode() == textwrap.dedent(DEFER_LOCK_FIXED)
    again = run("fix", "./...", cwd=root)  # idempotent
    assert again.exit_code == 0
    assert again.stderr.splitlines() == ["goconc: nothing to fix; no findings remain"]
    assert read(os.path.join(root, "p/a.go")).decode() == textwrap.dedent(DEFER_LOCK_FIXED)


def test_fix_leaves_unsafe_fixes_and_prints_what_remains(tmp_path):
    root = module(tmp_path, {"a.go": MIXED})
    res = run("fix", ".", cwd=root)
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == (
        "a.go:10:9: Get has a value receiver of type C, which contains sync.Mutex: each call copies the lock; "
        "use a pointer receiver (*C) (GC3001)")
    assert res.stderr.splitlines()[-1] == (
        "goconc: fixed 1 finding in 1 file; 1 finding remains (1 fixable with --unsafe-fixes)")
    text = read(os.path.join(root, "a.go")).decode()
    assert "defer c.mu.Unlock()" in text and "func (c C) Get()" in text

    res = run("fix", "--unsafe-fixes", ".", cwd=root)
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines() == [
        "goconc: a.go: fixed 1 finding (1 × GC3001 copied-lock)",
        "goconc: fixed 1 finding in 1 file; no findings remain",
    ]
    assert "func (c *C) Get()" in read(os.path.join(root, "a.go")).decode()


def test_fix_diff_writes_nothing(tmp_path):
    root = module(tmp_path, {"a.go": MIXED})
    path = os.path.join(root, "a.go")
    before, mtime = read(path), os.stat(path).st_mtime_ns
    res = run("fix", "--diff", "--unsafe-fixes", ".", cwd=root)
    assert res.exit_code == 1
    assert res.stdout.split("\n") == [
        "--- a/a.go",
        "+++ b/a.go",
        "@@ -7,12 +7,12 @@",
        " \tn  int",
        " }",
        " ",
        "-func (c C) Get() int {",
        "+func (c *C) Get() int {",
        " \treturn c.n",
        " }",
        " ",
        " func (c *C) Inc() {",
        " \tc.mu.Lock()",
        "-\tdefer c.mu.Lock()",
        "+\tdefer c.mu.Unlock()",
        " \tc.n++",
        " }",
        "",
    ]
    assert res.stderr.splitlines()[-1] == "goconc: would fix 2 findings in 1 file; no findings would remain"
    assert read(path) == before and os.stat(path).st_mtime_ns == mtime
    assert sorted(os.listdir(root)) == ["a.go", "go.mod"]


def test_fix_clean_code_exits_zero_and_diff_is_empty(tmp_path):
    root = module(tmp_path, {"a.go": DEFER_LOCK_FIXED})
    res = run("fix", "--diff", ".", cwd=root)
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr == "goconc: nothing to fix; no findings would remain\n"


def test_fix_usage_errors(tmp_path):
    root = module(tmp_path, {"a.go": DEFER_LOCK})
    res = run("fix", "--select", "GC9999", ".", cwd=root)
    assert res.exit_code == 2
    assert "unknown rule or prefix 'GC9999'" in res.stderr
    res = run("fix", "--diff", "-f", "json", ".", cwd=root)
    assert res.exit_code == 2
    assert "--diff prints a diff; it cannot be combined with -f/--format" in res.stderr
    assert read(os.path.join(root, "a.go")).decode() == textwrap.dedent(DEFER_LOCK)


def test_fix_select_and_ignore(tmp_path):
    root = module(tmp_path, {"a.go": MIXED})
    res = run("fix", "--unsafe-fixes", "--ignore", "GC3001", ".", cwd=root)
    assert res.exit_code == 0, res.output
    text = read(os.path.join(root, "a.go")).decode()
    assert "func (c C) Get()" in text and "defer c.mu.Unlock()" in text
    res = run("fix", "--unsafe-fixes", "--select", "copied-lock", ".", cwd=root)
    assert res.exit_code == 0
    assert "func (c *C) Get()" in read(os.path.join(root, "a.go")).decode()


def test_fix_json_lists_remaining_findings_with_their_fixes(tmp_path):
    import json

    root = module(tmp_path, {"a.go": MIXED})
    res = run("fix", "-f", "json", ".", cwd=root)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    [finding] = doc["findings"]
    assert finding["code"] == "GC3001"
    assert finding["fixes"][0]["applicability"] == "unsafe"
    assert finding["fixes"][0]["edits"][0]["new"] == "*"


def test_fix_keeps_mode_and_symlink(tmp_path):
    root = module(tmp_path, {"real/a.go": DEFER_LOCK})
    real = os.path.join(root, "real", "a.go")
    os.chmod(real, 0o600)
    os.makedirs(os.path.join(root, "p"))
    link = os.path.join(root, "p", "a.go")
    os.symlink(os.path.join("..", "real", "a.go"), link)
    res = run("fix", "p/a.go", cwd=root)
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines()[0] == "goconc: p/a.go: fixed 1 finding (1 × GC3003 defer-lock-after-lock)"
    assert os.path.islink(link)
    assert read(real).decode() == textwrap.dedent(DEFER_LOCK_FIXED)
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


def test_fix_does_not_touch_fifo(tmp_path):
    root = module(tmp_path, {"a.go": DEFER_LOCK})
    fifo = os.path.join(root, "b.go")
    os.mkfifo(fifo)
    res = run("fix", ".", cwd=root)  # must not hang on the FIFO
    assert res.exit_code == 1
    assert [ln for ln in res.stderr.splitlines() if "b.go: not a regular file" in ln]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert read(os.path.join(root, "a.go")).decode() == textwrap.dedent(DEFER_LOCK_FIXED)


def test_fix_read_only_file_is_reported_and_kept(tmp_path):
    root = module(tmp_path, {"a.go": DEFER_LOCK})
    path = os.path.join(root, "a.go")
    os.chmod(path, 0o444)
    res = run("fix", ".", cwd=root)
    assert res.exit_code == 1
    assert "goconc: a.go: not fixed: is read-only; not written" in res.stderr.splitlines()
    assert read(path).decode() == textwrap.dedent(DEFER_LOCK)
    # what remains is what is on disk: the finding, unfixed
    assert res.stdout.startswith("a.go:10:8: defer mu.Lock() after mu.Lock() at line 9")
    assert res.stderr.splitlines()[-1] == "goconc: nothing to fix; 1 finding remains; 1 problem, above"


def test_overlapping_fixes_are_applied_over_several_passes(tmp_path):
    """Nested loops: the two loop-body fixes overlap; the second is applied in a later pass."""
    root = module(tmp_path, {"a.go": """\
        package p

        import "sync"

        var mu sync.Mutex

        func f(rows [][]int) int {
        	t := 0
        	for _, row := range rows {
        		mu.Lock()
        		defer mu.Unlock()
        		for _, v := range row {
        			mu.Lock()
        			defer mu.Unlock()
        			t += v
        		}
        	}
        	return t
        }
        """})
    res = run("fix", "--unsafe-fixes", ".", cwd=root)
    assert res.stderr.splitlines()[0] == "goconc: a.go: fixed 2 findings (2 × GC3007 deferred-unlock-in-loop)"
    assert read(os.path.join(root, "a.go")).decode() == textwrap.dedent("""\
        package p

        import "sync"

        var mu sync.Mutex

        func f(rows [][]int) int {
        	t := 0
        	for _, row := range rows {
        		func() {
        			mu.Lock()
        			defer mu.Unlock()
        			for _, v := range row {
        				func() {
        					mu.Lock()
        					defer mu.Unlock()
        					t += v
        				}()
        			}
        		}()
        	}
        	return t
        }
        """)


# A rule of the tests whose fix breaks the code: the result must be refused.
def _breaking_check(ctx):
    root = ctx.file.root
    for fn in root.named_children:
        if fn.type == "function_declaration":
            body = fn.child_by_field_name("body")
            yield ctx.report(fn, "test finding", fixes=[Fix("break it", (Edit(ctx.file.path, body.start_byte,
                                                                              body.start_byte + 1, "("),))])


@pytest.fixture
def breaking_rule(monkeypatch):
    from goconc import registry

    all_rules()
    base = find("GC3003")
    rule = Rule(code="GC3999", name="test-breaking-fix", severity=Severity.ERROR, summary="s", doc=base.doc,
                module=base.module, check=_breaking_check)
    monkeypatch.setitem(registry._RULES, "GC3999", rule)
    return rule


def test_fix_that_does_not_parse_is_refused_and_file_untouched(tmp_path, breaking_rule):
    root = module(tmp_path, {"a.go": DEFER_LOCK})
    path = os.path.join(root, "a.go")
    before = read(path)
    res = run("fix", "-j", "1", "--select", "GC3999,GC3003", ".", cwd=root)
    assert res.exit_code == 1
    refusal = [ln for ln in res.stderr.splitlines() if "not fixed" in ln]
    assert len(refusal) == 1
    assert refusal[0].startswith("goconc: a.go: not fixed: the fixed code would not parse (")
    assert refusal[0].endswith("fixes for GC3003 at line 10, GC3999 at line 8); file left unchanged")
    assert read(path) == before
    assert sorted(os.listdir(root)) == ["a.go", "go.mod"]


def test_fix_unit_refusal_keeps_the_other_files(tmp_path, breaking_rule):
    root = module(tmp_path, {"a.go": DEFER_LOCK, "b.go": "package p\n\nvar b = 1\n"})
    [unit], _ = collect([root])
    uf = F.fix_unit(unit, [breaking_rule, find("GC3003")], unsafe=False)
    assert [p.path for p in uf.problems] == [os.path.join(root, "a.go")]
    assert uf.files == []  # a.go refused, b.go has no function: nothing changes
    assert {d.code for d in uf.diagnostics} == {"GC3003", "GC3999"}  # what remains is the original's


def test_fix_keeps_crlf_line_endings(tmp_path):
    text = textwrap.dedent("""\
        package p

        import "sync"

        var mu sync.Mutex
        var n int

        func get(ok bool) int {
        	mu.Lock()
        	if !ok {
        		return 0
        	}
        	v := n
        	mu.Unlock()
        	return v
        }
        """)
    root = module(tmp_path, {})
    path = os.path.join(root, "a.go")
    with open(path, "wb") as f:
        f.write(text.replace("\n", "\r\n").encode())
    res = run("fix", "--unsafe-fixes", ".", cwd=root)
    assert res.exit_code == 0, res.output
    want = text.replace("\tmu.Lock()\n", "\tmu.Lock()\n\tdefer mu.Unlock()\n").replace("\tmu.Unlock()\n", "")
    assert read(path) == want.replace("\n", "\r\n").encode()


def test_fix_follows_the_configuration(tmp_path):
    """What the configuration hides is not fixed: per-path ignores and excluded files."""
    root = module(tmp_path, {"a.go": DEFER_LOCK, "gen/b.go": DEFER_LOCK, "old/c.go": DEFER_LOCK})
    with open(os.path.join(root, ".goconc.toml"), "w") as f:
        f.write('exclude = ["old/"]\n\n[per-path-ignores]\n"gen/**" = ["GC3003"]\n')
    res = run("fix", "./...", cwd=root)
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines() == [
        "goconc: a.go: fixed 1 finding (1 × GC3003 defer-lock-after-lock)",
        "goconc: fixed 1 finding in 1 file; no findings remain",
    ]
    assert read(os.path.join(root, "a.go")).decode() == textwrap.dedent(DEFER_LOCK_FIXED)
    for rel in ("gen/b.go", "old/c.go"):
        assert read(os.path.join(root, rel)).decode() == textwrap.dedent(DEFER_LOCK)
    # --no-config: the files' findings are fixed too
    res = run("fix", "--no-config", "./...", cwd=root)
    assert res.exit_code == 0, res.output
    assert read(os.path.join(root, "gen/b.go")).decode() == textwrap.dedent(DEFER_LOCK_FIXED)


@needs_go
def test_fix_does_not_reformat_a_file_that_was_not_gofmt_clean(tmp_path):
    untidy = DEFER_LOCK.replace("var n int", "var n   int")
    root = module(tmp_path, {"a.go": untidy})
    res = run("fix", "-q", ".", cwd=root)
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    assert read(os.path.join(root, "a.go")).decode() == textwrap.dedent(untidy).replace(
        "defer mu.Lock()", "defer mu.Unlock()")


def _untidy_check(ctx):
    src = ctx.file.src
    at = src.find(b"n++")
    if at >= 0:
        yield ctx.report(ctx.file.root, "test finding",
                         fixes=[Fix("untidy", (Edit(ctx.file.path, at, at + 3, "n +=  1"),))])


@needs_go
def test_fixed_code_is_gofmt_formatted(tmp_path, monkeypatch):
    from goconc import registry

    all_rules()
    base = find("GC3003")
    monkeypatch.setitem(registry._RULES, "GC3998", Rule(code="GC3998", name="test-untidy-fix", severity=Severity.ERROR,
                                                        summary="s", doc=base.doc, module=base.module,
                                                        check=_untidy_check))
    root = module(tmp_path, {"a.go": DEFER_LOCK_FIXED})
    res = run("fix", "-j", "1", "--select", "GC3998", ".", cwd=root)
    assert res.exit_code == 0, res.output
    assert read(os.path.join(root, "a.go")).decode() == textwrap.dedent(DEFER_LOCK_FIXED).replace("n++", "n += 1")


# --------------------------------------------------------------------------------------------
# Safe fixes never turn working code into code that crashes. Each case is a false positive of
# the engine whose safe fix used to be applied by the default `goconc fix`: the code passes
# `go test` as written and died after the fix (the message in the case's id). The test fixes
# the module, then builds and runs it.

_UTIL = """\
    package util

    import "sync"

    // Release unlocks a lock the caller holds; the analysis of package p cannot see it.
    func Release(l sync.Locker) { l.Unlock() }
    """

_CRASH_CASES = {
    # GC3004: the read lock is upgraded in a closure; RUnlock would be of an unlocked RWMutex.
    "upgrade-in-closure-RUnlock-of-unlocked-RWMutex": ("""\
        package p

        import "sync"

        type S struct {
        	rw sync.RWMutex
        	n  int
        }

        func (s *S) Up() {
        	s.rw.RLock()
        	func() { s.rw.RUnlock(); s.rw.Lock() }()
        	s.n++
        	s.rw.Unlock()
        }

        func (s *S) UpDeferred() {
        	s.rw.RLock()
        	defer s.rw.Unlock()
        	up := func() { s.rw.RUnlock(); s.rw.Lock() }
        	up()
        	s.n++
        }
        """, """\
        var s S
        s.Up()
        s.UpDeferred()
        s.Up()
        """),
    # GC3003: the lock leaves as a sync.Locker and is released in another package; Unlock at
    # return would be of an unlocked mutex.
    "locker-released-elsewhere-unlock-of-unlocked-mutex": ("""\
        package p

        import (
        	"sync"

        	"m/util"
        )

        type S struct {
        	mu sync.Mutex
        	n  int
        }

        func f(s *S) { s.n++ }

        // Rel runs f without the lock and returns with it held again.
        func (s *S) Rel() {
        	s.mu.Lock()
        	defer s.mu.Lock()
        	util.Release(&s.mu)
        	f(s)
        }
        """, """\
        var s S
        s.Rel()
        s.mu.Unlock()
        """),
    # GC2002: the early return calls Done through a method value; a deferred Done would make
    # the counter negative.
    "done-method-value-negative-WaitGroup-counter": ("""\
        package p

        import (
        	"errors"
        	"sync"
        )

        func Run(fail bool) {
        	f := func() error {
        		if fail {
        			return errors.New("x")
        		}
        		return nil
        	}
        	var wg sync.WaitGroup
        	wg.Add(1)
        	done := wg.Done
        	go func() {
        		if f() != nil {
        			done()
        			return
        		}
        		wg.Done()
        	}()
        	wg.Wait()
        }
        """, """\
        Run(true)
        Run(false)
        """),
}


@needs_go
@pytest.mark.parametrize("case", sorted(_CRASH_CASES))
def test_safe_fix_does_not_make_working_code_crash(case, tmp_path):
    import subprocess

    code, body = _CRASH_CASES[case]
    test = "package p\n\nimport \"testing\"\n\nfunc TestIt(t *testing.T) {\n" + \
        textwrap.indent(textwrap.dedent(body), "\t") + "}\n"
    root = module(tmp_path, {"p/p.go": code, "p/p_test.go": test, "util/util.go": _UTIL})

    def go_test():
        return subprocess.run(["go", "test", "-count=1", "./..."], cwd=root, capture_output=True, text=True,
                              timeout=300, env={**os.environ, "GOFLAGS": "-mod=mod", "GOWORK": "off"})

    before = go_test()
    assert before.returncode == 0, before.stdout + before.stderr  # the code works as written
    res = run("fix", root)
    assert res.exit_code in (0, 1), res.output
    after = go_test()
    out = after.stdout + after.stderr
    assert "fatal error" not in out and "panic:" not in out, out
    assert after.returncode == 0, out


def test_no_safe_fix_when_a_callee_may_release_the_lock(tmp_path):
    """Each guard on its own (no lock escapes in this package): a helper that releases the
    lock through another helper, one that upgrades it through another, and a callback of
    unknown origin. The findings stay; no fix is offered, and `goconc fix` changes nothing."""
    src = """\
        package p

        import "sync"

        type h struct {
        	mu sync.Mutex
        	rw sync.RWMutex
        	n  int
        }

        func (x *h) viaHelper() {
        	x.mu.Lock()
        	defer x.mu.Lock()
        	x.drop()
        	x.n++
        }

        func (x *h) drop() { x.dropLocked() }

        func (x *h) dropLocked() { x.mu.Unlock() }

        func (x *h) up() {
        	x.rw.RLock()
        	defer x.rw.Unlock()
        	x.upgrade()
        }

        func (x *h) upgrade() { x.upgrade2() }

        func (x *h) upgrade2() {
        	x.rw.RUnlock()
        	x.rw.Lock()
        }

        func (x *h) callback(f func()) {
        	x.rw.RLock()
        	defer x.rw.Unlock()
        	f()
        }
        """
    root = module(tmp_path, {"p/a.go": src})
    path = os.path.join(root, "p", "a.go")
    original = read(path)
    run_ = F.fix_paths([root], [find("GC3003"), find("GC3004")], unsafe=True, jobs=1)
    assert not run_.problems, run_.problems
    assert all(f.after == original for f in run_.files)
    res = run("check", root)
    assert res.output.count("(GC3003)") == 1 and res.output.count("(GC3004)") == 2, res.output
    res = run("fix", root)
    assert read(path) == original
