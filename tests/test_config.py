"""`.goconc.toml`: what a user sees when the configuration selects, excludes, ignores per path,
changes severities, is wrong, or is printed by `goconc config`."""

from __future__ import annotations

import json
import textwrap

import pytest

from test_cli import BUGGY, run, write

from goconc.config import glob_regex, locate

LOCK = BUGGY  # GC3002 at 11:2

EMPTY = textwrap.dedent("""\
    package p

    import "sync"

    type E struct {
    	mu sync.Mutex
    }

    func (e *E) Barrier() {
    	e.mu.Lock()
    	e.mu.Unlock()
    }
    """)  # GC3005 at 10:2


def findings(res) -> list[str]:
    """`path:line:col CODE` of each finding printed."""
    out = []
    for ln in res.stdout.splitlines():
        if ln.startswith((" ", "\t")) or not ln.strip():
            continue
        where = ":".join(ln.split(":")[:3])
        out.append(f"{where} {ln.rsplit('(', 1)[1].rstrip(')')}")
    return out


@pytest.fixture
def repo(tmp_path):
    write(tmp_path, "a/lock.go", LOCK)
    write(tmp_path, "a/empty.go", EMPTY.replace("package p", "package p"))
    write(tmp_path, "b/lock.go", LOCK)
    write(tmp_path, "b/empty.go", EMPTY)
    return tmp_path


def test_without_a_file_the_defaults_apply(repo):
    res = run("check", "-q", cwd=repo)
    assert findings(res) == ["a/empty.go:10:2 GC3005", "a/lock.go:11:2 GC3002",
                             "b/empty.go:10:2 GC3005", "b/lock.go:11:2 GC3002"]
    assert res.exit_code == 1


def test_select_and_ignore_from_the_file(repo):
    write(repo, ".goconc.toml", 'select = ["GC3"]\nignore = ["empty-critical-section"]\n')
    res = run("check", "-q", cwd=repo)
    assert findings(res) == ["a/lock.go:11:2 GC3002", "b/lock.go:11:2 GC3002"]


def test_the_nearest_file_wins_for_each_directory(repo):
    write(repo, ".goconc.toml", 'ignore = ["GC3005"]\n')
    write(repo, "b/goconc.toml", 'ignore = ["GC3002"]\n')  # not merged with the one above
    res = run("check", "-q", "./...", cwd=repo)
    assert findings(res) == ["a/lock.go:11:2 GC3002", "b/empty.go:10:2 GC3005"]
    # the same when the files are named one by one, from another directory
    res = run("check", "-q", str(repo / "a" / "lock.go"), str(repo / "b" / "empty.go"), cwd=repo / "a")
    assert sorted(findings(res)) == sorted(["lock.go:11:2 GC3002", f"{repo}/b/empty.go:10:2 GC3005"])


def test_flags_override_the_file(repo):
    write(repo, ".goconc.toml", 'select = ["GC3005"]\n')
    assert findings(run("check", "-q", "--select", "GC3002", cwd=repo)) == [
        "a/lock.go:11:2 GC3002", "b/lock.go:11:2 GC3002"]
    # --ignore removes from what the file selected
    res = run("check", "-q", "--ignore", "GC3005", cwd=repo)
    assert res.exit_code == 2
    assert "no rule left to run" in res.stderr
    write(repo, ".goconc.toml", 'select = ["GC3"]\n')
    assert findings(run("check", "-q", "--ignore", "GC3005", cwd=repo)) == [
        "a/lock.go:11:2 GC3002", "b/lock.go:11:2 GC3002"]


def test_exclude_never_analyses_the_paths(repo):
    write(repo, "a/gen/x.pb.go", LOCK)
    write(repo, "b/deep/lock.go", LOCK)
    write(repo, "b/deep/.goconc.toml", "")  # inside an excluded directory: never consulted
    write(repo, ".goconc.toml", 'exclude = ["*.pb.go", "b/deep/", "a/empty.go"]\n')
    res = run("check", "-q", cwd=repo)
    assert findings(res) == ["a/lock.go:11:2 GC3002", "b/empty.go:10:2 GC3005", "b/lock.go:11:2 GC3002"]
    # named on the command line (as pre-commit and editors do), they are still not analysed
    res = run("check", "-q", "a/gen/x.pb.go", "a/empty.go", "b/deep", cwd=repo)
    assert res.stdout == "" and res.stderr == ""
    assert res.exit_code == 0


def test_a_nested_file_governs_below_its_directory(repo):
    write(repo, ".goconc.toml", 'exclude = ["empty.go"]\n')
    write(repo, "b/.goconc.toml", "jobs = 1\n")
    res = run("check", "-q", cwd=repo)
    assert findings(res) == ["a/lock.go:11:2 GC3002", "b/empty.go:10:2 GC3005", "b/lock.go:11:2 GC3002"]


def test_per_path_ignores(repo):
    write(repo, "a/lock_test.go", LOCK.replace("type C", "type T").replace("*C", "*T"))
    write(repo, ".goconc.toml", textwrap.dedent("""\
        [per-path-ignores]
        "*_test.go" = ["lock-not-released"]
        "b/**" = ["GC3"]
        """))
    res = run("check", "-q", cwd=repo)
    assert findings(res) == ["a/empty.go:10:2 GC3005", "a/lock.go:11:2 GC3002"]


def test_severity_overrides_show_in_the_output(repo):
    write(repo, ".goconc.toml", '[severity]\nGC3 = "info"\nlock-not-released = "warning"\n')
    res = run("check", "-q", "-f", "json", "a", cwd=repo)
    got = {(f["code"], f["severity"]) for f in json.loads(res.stdout)["findings"]}
    assert got == {("GC3002", "warning"), ("GC3005", "info")}  # the name is more specific than the prefix
    assert res.exit_code == 1


def test_config_flag_and_no_config(repo, tmp_path_factory):
    write(repo, ".goconc.toml", 'ignore = ["GC3002"]\n')
    other = tmp_path_factory.mktemp("cfg")
    cfg = write(other, "ci.toml", 'ignore = ["GC3005"]\n')
    assert findings(run("check", "-q", "--config", cfg, cwd=repo)) == [
        "a/lock.go:11:2 GC3002", "b/lock.go:11:2 GC3002"]
    assert len(findings(run("check", "-q", "--no-config", cwd=repo))) == 4
    res = run("check", "--config", cfg, "--no-config", cwd=repo)
    assert res.exit_code == 2 and "--config and --no-config exclude each other" in res.stderr
    res = run("check", "--config", str(other / "missing.toml"), cwd=repo)
    assert res.exit_code == 2
    assert res.stderr.strip().endswith("missing.toml: No such file or directory")


@pytest.mark.parametrize("text, line, message", [
    ('jobs = 2\n\n# comment\nselct = ["GC3"]\n', 4, "unknown key 'selct'"),
    ('select = [\n  "GC3",\n  "GX12",\n]\n', 3, "select: unknown rule or prefix 'GX12' (see `goconc rules`)"),
    ('ignore = ["GC9001"]\n', 1, "ignore: 'GC9001' is found by `goconc race`, not by this command"),
    ('select = "GC3"\n', 1, "'select' must be a list of rule codes, prefixes or names (strings), not the string 'GC3'"),
    ('jobs = 0\n', 1, "'jobs' must be a whole number of at least 1, not 0"),
    ('jobs = true\n', 1, "'jobs' must be a whole number of at least 1, not true"),
    ('exclude = "vendor"\n', 1, "'exclude' must be a list of glob patterns (strings), not the string 'vendor'"),
    ('[severity]\nGC3002 = "fatal"\n', 2, "severity of 'GC3002' must be \"error\", \"warning\" or \"info\", not 'fatal'"),
    ('[severity]\nGC3999 = "info"\n', 2, "severity: unknown rule or prefix 'GC3999' (see `goconc rules`)"),
    ('[per-path-ignores]\n"*_test.go" = ["GC3002"]\n"x/**" = [1]\n', 3,
     "'per-path-ignores.x/**' must be a list of rule codes, prefixes or names (strings), not a list with non-strings in it"),
    ('[rules.lock-not-released]\nmax-depth = 3\n', 2,
     "unknown option 'max-depth' of rule GC3002 (lock-not-released); its options: none"),
    ('[rules.GC3999]\n', 1, "rules: unknown rule 'GC3999' (see `goconc rules`)"),
    ('select = ["GC3"\n', 1, "invalid TOML: "),
    ('a = 1\nb = = 2\n', 2, "invalid TOML: invalid value"),
])
def test_a_bad_file_is_one_line_naming_file_and_line(repo, text, line, message):
    write(repo, ".goconc.toml", text)
    res = run("check", cwd=repo)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert len(res.stderr.splitlines()) == 1, res.stderr
    assert res.stderr.startswith(f"goconc: .goconc.toml:{line}: {message}"), res.stderr


def test_a_bad_nested_file_fails_before_any_output(repo):
    write(repo, "b/.goconc.toml", "[severity]\nGC3002 = 1\n")
    res = run("check", "a", "b", cwd=repo)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == "goconc: b/.goconc.toml:2: severity of 'GC3002' must be \"error\", \"warning\" or " \
                         "\"info\", not 1\n"


def test_two_files_in_one_directory_is_an_error(repo):
    write(repo, ".goconc.toml", "")
    write(repo, "goconc.toml", "")
    res = run("check", cwd=repo)
    assert res.exit_code == 2
    assert res.stderr == "goconc: .: both .goconc.toml and goconc.toml; keep one\n"


def test_config_command_says_where_each_value_comes_from(repo):
    write(repo, ".goconc.toml", textwrap.dedent("""\
        # team settings
        select = ["GC3"]
        jobs = 3
        exclude = ["a/empty.go"]

        [per-path-ignores]
        "*_test.go" = ["GC3005"]

        [severity]
        GC3005 = "info"
        """))
    res = run("config", cwd=repo)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0] == "# .: configured by .goconc.toml"
    rows = {ln.split(" = ")[0]: ln for ln in lines if " = " in ln}
    assert rows["select"].startswith('select = ["GC3"]') and rows["select"].endswith("# .goconc.toml:2")
    assert rows["ignore"].endswith("# default")
    assert rows["jobs"].startswith("jobs = 3") and rows["jobs"].endswith("# .goconc.toml:3")
    assert rows['"*_test.go"'].startswith('"*_test.go" = ["GC3005"]') and rows['"*_test.go"'].endswith(":7")
    assert rows["GC3005"].endswith("# .goconc.toml:10")
    assert "#   GC3005  empty-critical-section           info" in lines
    assert not any("GC2001" in ln for ln in lines)  # not selected here

    res = run("config", "-j", "8", "--select", "GC2001", "a/empty.go", cwd=repo)
    rows = {ln.split(" = ")[0]: ln for ln in res.stdout.splitlines() if " = " in ln}
    assert rows["jobs"].startswith("jobs = 8") and rows["jobs"].endswith("# flag -j/--jobs")
    assert rows["select"].endswith("# flag --select")
    assert "# a/empty.go is excluded (exclude 'a/empty.go', .goconc.toml:4): it is never analysed" in res.stdout

    res = run("config", "--no-config", cwd=repo)
    assert res.stdout.splitlines()[0] == "# .: no configuration file (--no-config)"
    assert "jobs = " in res.stdout and "# default (number of CPUs)" in res.stdout


def test_config_command_reports_a_bad_file(repo):
    write(repo, ".goconc.toml", "[severity]\nGC3002 = 'loud'\n")
    res = run("config", cwd=repo)
    assert res.exit_code == 2
    assert res.stderr.startswith("goconc: .goconc.toml:2: severity of 'GC3002'")


def test_locate_finds_keys_tables_and_elements():
    text = textwrap.dedent('''\
        a = "x # not a comment ]"  # comment [b]
        "quoted.key" = 1
        arr = [
          "one", # [x]
          """two
        lines""",
          'three',
        ]
        [tbl]
        x.y = { z = 1, w = [1, 2] }
        [[aot]]
        k = 1
        [[aot]]
        k = 2
        ''')
    got = locate(text)
    assert got[("a",)] == 1
    assert got[("quoted.key",)] == 2
    assert (got[("arr",)], got[("arr", 0)], got[("arr", 1)], got[("arr", 2)]) == (3, 4, 5, 7)
    assert got[("tbl",)] == 9 and got[("tbl", "x", "y")] == 10 and got[("tbl", "x", "y", "z")] == 10
    assert got[("aot", 0, "k")] == 12 and got[("aot", 1, "k")] == 14


@pytest.mark.parametrize("pattern, yes, no", [
    ("*.pb.go", ["x.pb.go", "a/b/x.pb.go"], ["x.go", "a/x.pb.go.txt"]),
    ("vendor", ["vendor/a.go", "a/vendor/b/c.go"], ["vendors/a.go"]),
    ("a/*.go", ["a/x.go"], ["a/b/x.go", "b/a/x.go"]),
    ("/a/**/z.go", ["a/z.go", "a/b/c/z.go"], ["b/a/z.go"]),
    ("gen/", ["gen/x.go", "p/gen/x.go"], ["gen"]),
    ("x[0-9].go", ["x1.go"], ["xa.go"]),
])
def test_glob_patterns(pattern, yes, no):
    rx = glob_regex(pattern)
    assert [p for p in yes if not rx.match(p)] == []
    assert [p for p in no if rx.match(p)] == []


def test_rule_options_are_typed_and_shown(repo, monkeypatch):
    """No rule has a knob yet; the mechanism is exercised with one declared for this test."""
    import dataclasses

    from goconc import registry

    lock = registry.find("GC3002")
    opt = registry.Option("max-paths", int, 64, "paths followed per function")
    monkeypatch.setitem(registry._RULES, "GC3002", dataclasses.replace(lock, options=(opt,)))
    write(repo, ".goconc.toml", "[rules.lock-not-released]\nmax-paths = \"many\"\n")
    res = run("check", cwd=repo)
    assert res.exit_code == 2
    assert res.stderr == "goconc: .goconc.toml:2: option 'max-paths' of GC3002 must be a whole number, " \
                         "not the string 'many'\n"
    write(repo, ".goconc.toml", "[rules.GC3002]\nmax-paths = 8\n")
    rows = [ln for ln in run("config", cwd=repo).stdout.splitlines() if ln.startswith(("[rules.", "max-paths"))]
    assert rows[0] == "[rules.lock-not-released]  # GC3002"
    assert rows[1].startswith("max-paths = 8") and rows[1].endswith("# .goconc.toml:2")
    write(repo, ".goconc.toml", "")
    rows = [ln for ln in run("config", cwd=repo).stdout.splitlines() if ln.startswith("max-paths")]
    assert rows[0].startswith("max-paths = 64") and rows[0].endswith("# default")


def test_locate_agrees_with_the_layout_it_is_given():
    """Keys and array elements laid out over lines in many ways are found on their own line."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    names = st.text("abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=8)
    values = st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6), max_size=4)

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(names, st.tuples(values, st.booleans(), st.booleans()), min_size=1, max_size=5))
    def check(doc):
        lines, want = [], {}
        for name, (items, quoted, spread) in doc.items():
            key = f'"{name}"' if quoted else name
            want[(name,)] = len(lines) + 1
            enc = [tomllib_string(v) for v in items]
            if spread:
                lines.append(f"{key} = [  # [not, a = table]")
                for i, e in enumerate(enc):
                    want[(name, i)] = len(lines) + 1
                    lines.append(f"    {e},")
                lines.append("]")
            else:
                for i in range(len(enc)):
                    want[(name, i)] = len(lines) + 1
                lines.append(f"{key} = [{', '.join(enc)}]")
        text = "\n".join(lines) + "\n"
        import tomllib

        assert tomllib.loads(text)  # the layout is valid TOML
        got = locate(text)
        assert {k: got.get(k) for k in want} == want

    check()


def tomllib_string(v: str) -> str:
    return json.dumps(v, ensure_ascii=False)  # a JSON string with these characters is a TOML basic string


def test_config_command_shows_how_flags_combine_with_the_file(repo):
    write(repo, ".goconc.toml", 'ignore = ["GC3005"]\n')

    def rows(*flags):
        return {ln.split(" = ")[0]: (ln.split(" = ", 1)[1].split("#")[0].strip(), ln.split("# ", 1)[1])
                for ln in run("config", *flags, cwd=repo).stdout.splitlines() if ln.startswith(("select", "ignore"))}

    assert rows("--ignore", "GC3001")["ignore"] == ('["GC3005", "GC3001"]', ".goconc.toml:1, flag --ignore")
    got = rows("--select", "GC3")
    assert got["select"] == ('["GC3"]', "flag --select")
    assert got["ignore"] == ("[]", "--select replaces .goconc.toml:1")
    # and check agrees: with --select the file's ignore no longer counts
    assert findings(run("check", "-q", "--select", "GC3005", "a", cwd=repo)) == ["a/empty.go:10:2 GC3005"]
    assert findings(run("check", "-q", "--ignore", "GC3002", "a", cwd=repo)) == []


def test_a_byte_order_mark_and_crlf_are_accepted(tmp_path):
    """Windows editors save .goconc.toml with a BOM and CRLF line ends."""
    write(tmp_path, "p/c.go", LOCK)
    with open(tmp_path / ".goconc.toml", "wb") as f:
        f.write(b'\xef\xbb\xbfignore = ["GC3002"]\r\n')
    res = run("check", "-q", ".", cwd=tmp_path)
    assert res.exit_code == 0 and res.stdout == "", res.stderr


def test_config_of_a_file_says_which_per_path_ignores_apply_to_it(tmp_path):
    write(tmp_path, "svc/api/cache.go", LOCK)
    write(tmp_path, ".goconc.toml", '[per-path-ignores]\n"**/cache.go" = ["GC3002"]\n"other.go" = ["GC3005"]\n')
    out = run("config", "svc/api/cache.go", cwd=tmp_path).stdout.splitlines()
    assert any(ln.startswith('"**/cache.go" = ["GC3002"]') and ln.endswith("applies to this file") for ln in out)
    assert any(ln.startswith('"other.go" = ["GC3005"]') and ln.endswith("not this file") for ln in out)
    assert not any(ln.startswith("#   GC3002") for ln in out)  # not among the rules that run on it
    assert "# not for this file ([per-path-ignores]): GC3002" in out
    assert run("check", "-q", "svc", cwd=tmp_path).exit_code == 0  # and check agrees
