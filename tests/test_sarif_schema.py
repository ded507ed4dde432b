"""SARIF as GitHub code scanning reads it, from each command that writes it.

Every document here, and every other one the suite produces, is validated against the official
SARIF 2.1.0 schema by the autouse fixture in sarif_validation.py; these tests also say what a
user of code scanning relies on: a category per command, paths relative to the repository root,
fingerprints that survive edits elsewhere in the file, and rule help.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import textwrap

import pytest
import race_capture
import sarif_validation
from click.testing import CliRunner
from conftest import TESTDATA

from test_cli import BUGGY

from goconc.cli import main
from goconc.model import Applicability, Diagnostic, Edit, Fix, Position, RunResult, Severity, Span
from goconc.output import sarif


RACE_MOD = os.path.join(TESTDATA, "race", "mod")


def run(*args, cwd, env=None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def git_repo(path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def results(doc) -> list[dict]:
    return doc["runs"][0]["results"]


def artifact(res: dict) -> dict:
    return res["locations"][0]["physicalLocation"]["artifactLocation"]


# --- the schema and the validation hook ------------------------------------------------------


def test_schema_is_the_official_file_named_in_the_readme():
    with open(sarif_validation.SCHEMA_PATH, "rb") as f:
        data = f.read()
    with open(os.path.join(TESTDATA, "README-sarif-schema.md"), encoding="utf-8") as f:
        readme = f.read()
    assert hashlib.sha256(data).hexdigest() in readme and f"{len(data):,} bytes" in readme
    schema = json.loads(data)
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def test_the_validator_rejects_what_github_would_reject():
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "goconc", "rules": [
        {"id": "GC1", "name": "X", "shortDescription": {"text": "s"}, "fullDescription": {"text": "f"},
         "help": {"text": "h"}}]}}, "results": [
        {"ruleId": "GC1", "ruleIndex": 0, "message": {"text": "m"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a.go"}, "region": {"startLine": 1}}}]}]}]}
    assert sarif_validation.problems(good) == []
    bad_line = json.loads(json.dumps(good))
    bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert any("startLine" in p or "minimum" in p for p in sarif_validation.problems(bad_line))
    bad_uri = json.loads(json.dumps(good))
    bad_uri["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b.go"
    assert any("uri-reference" in p for p in sarif_validation.problems(bad_uri))
    no_message = json.loads(json.dumps(good))
    del no_message["runs"][0]["results"][0]["message"]
    assert sarif_validation.problems(no_message)
    same_name = json.loads(json.dumps(good))
    same_name["runs"][0]["tool"]["driver"]["rules"][0]["name"] = "GC1"
    assert sarif_validation.problems(same_name) == ["runs/0: rule GC1: name must differ from id"]


def test_every_render_in_a_test_goes_through_the_validator(sarif_documents, tmp_path):
    assert getattr(sarif.render, "validated", False)
    write(tmp_path, "p/c.go", BUGGY)
    run("check", "-f", "sarif", "./...", cwd=tmp_path)
    assert len(sarif_documents) == 1 and '"GC3002"' in sarif_documents[0]


# --- goconc check ------------------------------------------------------------------------------


def test_check_sarif_paths_are_relative_to_the_git_root_when_run_from_a_subdirectory(tmp_path):
    git_repo(tmp_path)
    write(tmp_path, "svc/p/c.go", BUGGY)
    res = run("check", "-f", "sarif", "./...", cwd=tmp_path / "svc")
    assert res.exit_code == 1
    doc = sarif_validation.check(res.stdout)
    run0 = doc["runs"][0]
    assert run0["automationDetails"] == {"id": "goconc-check/"}
    root = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == (tmp_path.resolve()).as_uri() + "/"
    (r,) = results(doc)
    assert artifact(r) == {"uri": "svc/p/c.go", "uriBaseId": "%SRCROOT%"}
    assert r["relatedLocations"][0]["physicalLocation"]["artifactLocation"] == artifact(r)
    # the text output keeps paths as the user typed them, relative to the working directory
    assert run("check", "./...", cwd=tmp_path / "svc").stdout.startswith("p/c.go:11:2: ")


def test_check_sarif_outside_git_is_relative_to_the_working_directory(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    doc = sarif_validation.check(run("check", "-f", "sarif", str(tmp_path / "p"), cwd=tmp_path).stdout)
    assert artifact(results(doc)[0]) == {"uri": "p/c.go", "uriBaseId": "%SRCROOT%"}


def test_files_outside_the_root_keep_absolute_uris(tmp_path):
    git_repo(tmp_path / "repo")
    outside = write(tmp_path, "other/p/c.go", BUGGY)
    write(tmp_path, "repo/q/c.go", BUGGY)
    doc = sarif_validation.check(run("check", "-f", "sarif", "./...", "../other/p", cwd=tmp_path / "repo").stdout)
    arts = sorted((artifact(r) for r in results(doc)), key=lambda a: a["uri"])
    assert arts == [{"uri": (tmp_path / "other" / "p" / "c.go").resolve().as_uri()},
                    {"uri": "q/c.go", "uriBaseId": "%SRCROOT%"}]
    assert os.path.exists(outside)


def test_paths_that_need_escaping_are_valid_uris(tmp_path):
    write(tmp_path, "my pkg/c%d.go", BUGGY)
    doc = sarif_validation.check(run("check", "-f", "sarif", "./...", cwd=tmp_path).stdout)
    assert artifact(results(doc)[0])["uri"] == "my%20pkg/c%25d.go"


def test_sarif_category_flag_and_environment(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    doc = json.loads(run("check", "-f", "sarif", "--sarif-category", "goconc-api", "./...", cwd=tmp_path).stdout)
    assert doc["runs"][0]["automationDetails"] == {"id": "goconc-api/"}
    doc = json.loads(run("check", "-f", "sarif", "./...", cwd=tmp_path,
                         env={"GOCONC_SARIF_CATEGORY": "mono/api/"}).stdout)
    assert doc["runs"][0]["automationDetails"] == {"id": "mono/api/"}


def _fingerprint(tmp_path, src):
    write(tmp_path, "p/c.go", src)
    doc = sarif_validation.check(run("check", "-f", "sarif", "--select", "GC3002", "./...", cwd=tmp_path).stdout)
    return [(r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["partialFingerprints"]["primaryLocationLineHash"]) for r in results(doc)]


# after Inc, so that the hash window (100 characters from the finding's line on, not counting
# spaces) ends inside this file's code, not at its end, as in any file of real size
TAIL = "\n// Reset zeroes the counter.\nfunc (c *C) Reset() {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.n = 0\n}\n" * 2


def test_fingerprints_survive_edits_that_shift_the_finding(tmp_path):
    [(line, fp)] = _fingerprint(tmp_path, BUGGY + TAIL)
    assert line == 11
    above = BUGGY.replace('import "sync"\n', 'import (\n\t"fmt"\n\t"sync"\n)\n\nfunc Hello() { fmt.Println("hi") }\n')
    [(moved, fp_moved)] = _fingerprint(tmp_path, above + TAIL)
    assert moved == 16 and fp_moved == fp
    below = BUGGY + TAIL + "\n// Other is unrelated to Inc.\nfunc Other() int {\n\treturn 42\n}\n"
    assert _fingerprint(tmp_path, below) == [(11, fp)]
    reindented = (BUGGY + TAIL).replace("\t", "    ")  # gofmt'd or not: spaces and tabs do not count
    assert _fingerprint(tmp_path, reindented) == [(11, fp)]
    # the same bug twice in a file: two alerts, told apart
    twice = BUGGY + BUGGY.split("import \"sync\"\n", 1)[1].replace("type C", "type D").replace("*C)", "*D)")
    fps = [f for _, f in _fingerprint(tmp_path, twice)]
    assert len(fps) == 2 and len(set(fps)) == 2
    # and an edit of the flagged line itself is a different alert
    [(_, fp_edited)] = _fingerprint(tmp_path, BUGGY.replace("\tc.mu.Lock()\n", "\tc.mu.Lock() // locked\n"))
    assert fp_edited != fp


def test_rule_help_is_the_rule_page_in_markdown_and_text(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    doc = json.loads(run("check", "-f", "sarif", "./...", cwd=tmp_path).stdout)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    page = run("rule", "GC3002", cwd=tmp_path).stdout
    help_ = rules["GC3002"]["help"]
    assert help_["markdown"] == page
    assert "```" not in help_["text"] and "\n## " not in help_["text"] and not help_["text"].startswith("#")
    assert "What it does" in help_["text"] and "defer c.mu.Unlock()" in help_["text"]
    assert rules["GC3002"]["fullDescription"]["text"].startswith("Finds a Lock or RLock")


def test_fixes_become_sarif_replacements(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = "package p\n\n// é\nfunc f() { mu.Unlock() }\n"
    write(tmp_path, "p/c.go", src)
    start = src.encode().index(b"mu.Unlock()")
    span = Span("p/c.go", Position(4, 12, start), Position(4, 23, start + 11))
    fix = Fix("defer the unlock", (Edit("p/c.go", start, start, "defer "),), Applicability.UNSAFE)
    d = Diagnostic("GC3002", "lock-not-released", Severity.ERROR, "m", span, fixes=(fix,))
    doc = sarif_validation.check(sarif.render(RunResult(diagnostics=[d]), [], lambda p: open(p).read(),
                                              category="goconc-check", root=str(tmp_path)))
    (f,) = results(doc)[0]["fixes"]
    assert f["description"] == {"text": "defer the unlock"}
    (change,) = f["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "p/c.go", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [{
        "deletedRegion": {"byteOffset": start, "byteLength": 0,
                          "startLine": 4, "startColumn": 12, "endLine": 4, "endColumn": 12},
        "insertedContent": {"text": "defer "}}]


WITHDRAW = textwrap.dedent("""\
    package p

    import (
    	"errors"
    	"sync"
    )

    var errAmount = errors.New("bad amount")

    type Account struct {
    	mu      sync.Mutex
    	balance int // é: a non-ASCII comment before the edits
    }

    func (a *Account) Withdraw(n int) error {
    	a.mu.Lock()
    	if n <= 0 {
    		return errAmount
    	}
    	if n > a.balance {
    		a.mu.Unlock()
    		return errAmount
    	}
    	a.balance -= n
    	a.mu.Unlock()
    	return nil
    }
    """)


def _apply(text: str, replacements: list[dict], *, by: str) -> str:
    """Apply SARIF replacements (regions of the original text) by byte offsets or by lines and
    code point columns."""
    data = text.encode()
    lines = text.split("\n")

    def offset(line, col):
        return len("\n".join(lines[:line - 1]).encode()) + (line > 1) + len(lines[line - 1][:col - 1].encode())

    spans = []
    for r in replacements:
        reg = r["deletedRegion"]
        if by == "bytes":
            start, end = reg["byteOffset"], reg["byteOffset"] + reg["byteLength"]
        else:
            start, end = offset(reg["startLine"], reg["startColumn"]), offset(reg["endLine"], reg["endColumn"])
        spans.append((start, end, r["insertedContent"]["text"].encode()))
    for start, end, new in sorted(spans, reverse=True):
        data = data[:start] + new + data[end:]
    return data.decode()


def test_a_real_fix_in_sarif_applies_and_removes_the_finding(tmp_path):
    write(tmp_path, "p/a.go", WITHDRAW)
    doc = sarif_validation.check(run("check", "-f", "sarif", "--select", "GC3002", "./...", cwd=tmp_path).stdout)
    (res,) = results(doc)
    (fix,) = res["fixes"]
    assert fix["description"]["text"] == "Defer a.mu.Unlock() right after a.mu.Lock()"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "p/a.go", "uriBaseId": "%SRCROOT%"}
    fixed = _apply(WITHDRAW, change["replacements"], by="bytes")
    assert _apply(WITHDRAW, change["replacements"], by="lines") == fixed  # both region forms agree
    assert "\ta.mu.Lock()\n\tdefer a.mu.Unlock()\n" in fixed and fixed.count("a.mu.Unlock()") == 1
    write(tmp_path, "p/a.go", fixed)
    assert run("check", "--select", "GC3002", "./...", cwd=tmp_path).exit_code == 0


def test_input_problems_are_tool_notifications(tmp_path):
    write(tmp_path, "p/c.go", BUGGY)
    with open(tmp_path / "p" / "bin.go", "wb") as f:
        f.write(b"\x7fELF\x00")
    doc = sarif_validation.check(run("check", "-f", "sarif", "./...", cwd=tmp_path).stdout)
    (note,) = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "binary file" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "p/bin.go", "uriBaseId": "%SRCROOT%"}


# --- goconc race, from captured runtime output -----------------------------------------------


def _captured_race_result(display):
    """What `goconc race` finds, built from the stored outputs of the programs in
    testdata/race/mod (their paths mapped back onto this checkout)."""
    from goconc.race import findings as F
    from goconc.race import parser
    from goconc.race.run import RaceResult

    loc = F.Locator(goroot=race_capture.GOROOT, display=display,
                    read_lines=lambda p: open(p, encoding="utf-8").read().split("\n") if os.path.isfile(p) else None)
    diags = []
    for name in ("racy_map", "captured_err", "abba_timeout", "send_on_closed", "unlock_unlocked"):
        with open(os.path.join(TESTDATA, "race", f"{name}.txt"), encoding="utf-8") as f:
            text = f.read().replace(race_capture.MODDIR, RACE_MOD)
        diags += F.race_findings(parser.parse_races(text), loc)
        for c in parser.parse_crashes(text):
            diags += F.crash_findings(c, loc)
    return RaceResult(diagnostics=diags, runs=1, packages=5, go_version="go1.26.8", seconds=1.0)


def test_race_sarif_from_captured_output(monkeypatch):
    from goconc.race import run as racerun

    monkeypatch.setattr(racerun, "run", lambda opts, display, read_lines: _captured_race_result(display))
    res = run("race", "-f", "sarif", cwd=RACE_MOD)
    assert res.exit_code == 1, res.output
    doc = sarif_validation.check(res.stdout)
    run0 = doc["runs"][0]
    assert run0["automationDetails"] == {"id": "goconc-race/"}
    by_rule = {}
    for r in run0["results"]:
        by_rule.setdefault(r["ruleId"], []).append(r)
    assert {"GC9001", "GC9002", "GC9005", "GC9007"} <= set(by_rule)
    race = next(r for r in by_rule["GC9001"] if artifact(r)["uri"].endswith("racymap/racymap.go"))
    assert artifact(race) == {"uri": "tests/testdata/race/mod/racymap/racymap.go", "uriBaseId": "%SRCROOT%"}
    assert race["partialFingerprints"]["primaryLocationLineHash"]
    assert "](1)" in race["message"]["text"] and race["relatedLocations"][0]["id"] == 1
    ids = {r["id"]: r for r in run0["tool"]["driver"]["rules"]}
    assert ids["GC9001"]["help"]["markdown"].startswith("# data-race (GC9001)")
    # findings and their related places are in the tested code, all inside the repository
    every = [loc["physicalLocation"]["artifactLocation"] for r in run0["results"]
             for loc in r["locations"] + r.get("relatedLocations", [])]
    assert len(every) > 10
    assert all(a["uriBaseId"] == "%SRCROOT%" and a["uri"].startswith("tests/testdata/race/mod/") for a in every)


def test_check_and_race_upload_side_by_side(monkeypatch, tmp_path):
    from goconc.race import run as racerun

    monkeypatch.setattr(racerun, "run", lambda opts, display, read_lines: _captured_race_result(display))
    race_doc = json.loads(run("race", "-f", "sarif", cwd=RACE_MOD).stdout)
    check_doc = json.loads(run("check", "-f", "sarif", "./...", cwd=RACE_MOD).stdout)
    cats = [d["runs"][0]["automationDetails"]["id"].rsplit("/", 1)[0] for d in (check_doc, race_doc)]
    assert cats == ["goconc-check", "goconc-race"]


# --- goconc explain --------------------------------------------------------------------------


def test_explain_sarif(tmp_path):
    res = run("explain", "-f", "sarif", os.path.join(TESTDATA, "race", "racy_map.txt"), cwd=tmp_path)
    assert res.exit_code == 1
    doc = sarif_validation.check(res.stdout)
    assert doc["runs"][0]["automationDetails"] == {"id": "goconc-explain/"}
    (r,) = [r for r in results(doc) if r["ruleId"] == "GC9001"]
    # printed on another machine: the path cannot be in this repository
    assert artifact(r)["uri"] == "file:///home/dev/racefix/racymap/racymap.go"


def test_explain_sarif_with_a_checkout_is_relative_to_it(tmp_path):
    git_repo(tmp_path)
    checkout = tmp_path / "racefix"
    import shutil

    shutil.copytree(RACE_MOD, checkout)
    res = run("explain", "-f", "sarif", "--source", str(checkout),
              os.path.join(TESTDATA, "race", "racy_map.txt"), cwd=tmp_path)
    doc = sarif_validation.check(res.stdout)
    (r,) = [r for r in results(doc) if r["ruleId"] == "GC9001"]
    assert artifact(r) == {"uri": "racefix/racymap/racymap.go", "uriBaseId": "%SRCROOT%"}


@pytest.mark.parametrize("category,expected", [("goconc-check", "goconc-check/"), ("a/b/", "a/b/"), ("x/y", "x/y/")])
def test_automation_id(category, expected):
    assert sarif.automation_id(category) == expected
