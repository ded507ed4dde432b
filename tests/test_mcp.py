"""`goconc mcp` over stdio, driven by the MCP SDK's own client against the real server process:
every tool, the refusal of paths outside the workspace root, and error results for bad input."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
from conftest import ROOT, TESTDATA, needs_go

pytest.importorskip("mcp", reason="the mcp extra is not installed")

from mcp import Client, StdioServerParameters  # noqa: E402

EXAMPLE = os.path.join(ROOT, "examples", "buggy")
RACE_MOD = os.path.join(TESTDATA, "race", "mod")
GO_ENV = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOWORK": "off"}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root / "buggy")
    (tmp_path / "outside.go").write_text("package outside\n")
    return root


@contextlib.asynccontextmanager
async def server(root, **env):
    params = StdioServerParameters(command=sys.executable, args=["-m", "goconc", "mcp"], cwd=str(root),
                                   env={"PYTHONPATH": os.path.join(ROOT, "src"), "GOCONC_NO_CACHE": "1", **env})
    async with Client(params, read_timeout_seconds=300) as client:
        yield client


async def call(client, tool, args=None):
    r = await client.call_tool(tool, args or {})
    assert not r.is_error, r.content[0].text
    return r.structured_content


async def error(client, tool, args):
    r = await client.call_tool(tool, args)
    assert r.is_error, r.structured_content
    return r.content[0].text


@pytest.mark.anyio
async def test_tools_are_listed_with_output_schemas_and_race_says_it_runs_code(workspace):
    async with server(workspace) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    assert set(tools) == {"check", "review", "rules", "rule", "fix", "race", "explain", "patterns", "new"}
    assert all(t.output_schema and t.output_schema["type"] == "object" for t in tools.values())
    assert "RUNS THE USER'S CODE" in tools["race"].description
    assert tools["check"].annotations.read_only_hint is True
    assert tools["fix"].annotations.read_only_hint is False


@pytest.mark.anyio
async def test_check_gives_the_json_findings_and_refuses_paths_outside_the_root(workspace, tmp_path):
    os.symlink(tmp_path, workspace / "escape")
    async with server(workspace) as c:
        doc = await call(c, "check", {"paths": ["buggy"]})
        only = await call(c, "check", {"paths": ["./..."], "select": ["GC3004"]})
        refused = [await error(c, "check", {"paths": [p]})
                   for p in ("..", "../outside.go", str(tmp_path / "outside.go"), "escape/outside.go", "/...")]
        bad_select = await error(c, "check", {"select": ["GC99999"]})
    got = [(f["code"], f["path"], f["start"]["line"]) for f in doc["findings"]]
    assert got == [("GC3002", "buggy/cache.go", 19), ("GC3004", "buggy/cache.go", 31), ("GC3001", "buggy/cache.go", 36),
                   ("GC2001", "buggy/cache.go", 46), ("GC2002", "buggy/cache.go", 52)]
    assert doc["findings"][0]["related"][0]["start"]["line"] == 22
    assert doc["summary"] == {"files": 1, "packages": 1, "findings": 5}
    assert [f["code"] for f in only["findings"]] == ["GC3004"]
    assert all("outside the workspace root" in m and m.endswith("refused") for m in refused), refused
    assert "GC99999" in bad_select


@pytest.mark.anyio
async def test_fix_previews_a_diff_and_writes_only_when_asked(workspace):
    path = workspace / "buggy" / "cache.go"
    before = path.read_text()
    async with server(workspace) as c:
        preview = await call(c, "fix", {"paths": ["buggy"]})
        assert path.read_text() == before
        applied = await call(c, "fix", {"paths": ["buggy"], "apply": True})
    assert preview["applied"] is False and "+\tdefer c.mu.RUnlock()" in preview["diff"]
    assert preview["files"] == [{"path": "buggy/cache.go", "fixed": ["GC3004"]}]
    assert applied["applied"] is True and applied["diff"] == preview["diff"]
    assert "defer c.mu.RUnlock()" in path.read_text()
    assert "GC3004" not in [f["code"] for f in applied["remaining"]["findings"]]
    assert len(applied["remaining"]["findings"]) == 4


@pytest.mark.anyio
async def test_rules_rule_and_unknown_rule(workspace):
    async with server(workspace) as c:
        listed = await call(c, "rules")
        doc = await call(c, "rule", {"key": "lock-not-released"})
        unknown = await error(c, "rule", {"key": "no-such-rule"})
    codes = [r["code"] for r in listed["rules"]]
    assert "GC3002" in codes and "GC9001" in codes
    assert doc["rule"]["code"] == "GC3002"
    assert "## Limitations" in doc["markdown"] and "## Why is this bad?" in doc["markdown"]
    assert "unknown rule 'no-such-rule'" in unknown


@pytest.mark.anyio
async def test_explain_a_pasted_report_and_a_file_of_the_workspace(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(RACE_MOD, root)
    with open(os.path.join(TESTDATA, "race", "racy_map.txt")) as f:
        report = f.read()
    (root / "race.log").write_text(report)
    async with server(root) as c:
        pasted = await call(c, "explain", {"report": report})
        from_file = await call(c, "explain", {"path": "race.log"})
        nothing = await error(c, "explain", {"report": "all is well\n"})
        both = await error(c, "explain", {"report": report, "path": "race.log"})
        outside = await error(c, "explain", {"path": str(tmp_path)})
    (e,) = pasted["explanations"]
    assert (e["finding"]["code"], e["finding"]["path"], e["finding"]["start"]["line"]) == \
        ("GC9001", "racymap/racymap.go", 13)
    assert e["fix"] and e["facts"]
    assert from_file == pasted
    assert "found no race report" in nothing and "either report" in both and "refused" in outside


@pytest.mark.anyio
async def test_patterns_and_new_generate_into_the_workspace_only(workspace, tmp_path):
    async with server(workspace) as c:
        listed = await call(c, "patterns")
        gen = await call(c, "new", {"pattern": "worker-pool", "directory": "pool", "params": {"workers": "8"}})
        again = await error(c, "new", {"pattern": "worker-pool", "directory": "pool"})
        outside = await error(c, "new", {"pattern": "worker-pool", "directory": str(tmp_path / "elsewhere")})
        bad = await error(c, "new", {"pattern": "worker-pool", "params": {"workers": "many"}})
        unknown = await error(c, "new", {"pattern": "no-such-pattern"})
        checked = await call(c, "check", {"paths": ["pool"], "select": ["ALL"]})
    assert "worker-pool" in [p["name"] for p in listed["patterns"]]
    assert gen["directory"] == "pool" and gen["module_created"] is True and gen["verified"] is None
    assert "pool/pool.go" in gen["written"] and "8" in (workspace / "pool" / "pool_test.go").read_text()
    assert "exist" in again and "refused" in outside and "workers" in bad and "no-such-pattern" in unknown
    assert not (tmp_path / "elsewhere").exists()
    assert checked["findings"] == [] and checked["summary"]["files"] >= 3


@needs_go
@pytest.mark.anyio
async def test_race_runs_the_tests_of_workspace_packages_only(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(RACE_MOD, root)
    async with server(root, **GO_ENV) as c:
        doc = await call(c, "race", {"packages": ["./counter"], "count": 1})
        imported = await error(c, "race", {"packages": ["example.com/racefix/counter"]})
        outside = await error(c, "race", {"packages": [str(tmp_path)]})
        bad_timeout = await error(c, "race", {"packages": ["./counter"], "timeout": "soon"})
    races = [(f["code"], f["path"], f["start"]["line"]) for f in doc["findings"]]
    assert ("GC9001", "counter/counter.go", 10) in races
    assert doc["runs"] == 1 and doc["go_version"].startswith("go")
    assert "not import paths" in imported and "refused" in outside and "Go duration" in bad_timeout


@pytest.mark.anyio
async def test_review_gives_the_model_and_the_markdown(workspace):
    async with server(workspace) as c:
        got = await call(c, "review", {"paths": "buggy"})
        outside = await error(c, "review", {"paths": [".."]})
    (pkg,) = got["packages"]
    assert pkg["model"]["import_path"] == "example.com/buggy"
    assert [g["started_in"] for g in pkg["model"]["goroutines"]] == ["FetchAll"]
    assert len(pkg["findings"]) == 5 and "# Concurrency review: `example.com/buggy`" in got["markdown"]
    assert "refused" in outside


@pytest.mark.anyio
async def test_a_walked_symlink_out_of_the_root_is_neither_read_nor_written(workspace, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    shutil.copy(workspace / "buggy" / "cache.go", victim / "cache.go")
    before = (victim / "cache.go").read_text()
    (workspace / "evil").mkdir()
    shutil.copy(workspace / "buggy" / "go.mod", workspace / "evil" / "go.mod")
    os.symlink(victim / "cache.go", workspace / "evil" / "cache.go")
    async with server(workspace) as c:
        checked = await call(c, "check", {"paths": "evil"})
        fixed = await call(c, "fix", {"paths": ["./..."], "apply": True})
    assert checked["findings"] == []
    assert any("outside the workspace root" in p["message"] for p in checked["problems"])
    assert (victim / "cache.go").read_text() == before
    assert all(f["path"] != "evil/cache.go" for f in fixed["files"])
    assert "RUnlock" in (workspace / "buggy" / "cache.go").read_text()  # the file inside was fixed


@pytest.mark.anyio
async def test_new_writes_no_link_and_takes_no_module_path_that_is_not_one(workspace, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (workspace / "gen").mkdir()
    for name in ("doc.go.goconc-tmp", ".goconc-tmp", "doc.go.tmp"):
        os.symlink(victim, workspace / "gen" / name)
    async with server(workspace) as c:
        gen = await call(c, "new", {"pattern": "worker-pool", "directory": "gen", "params": {"workers": 3}})
        bad = await error(c, "new", {"pattern": "worker-pool", "directory": "gen2",
                                     "module": "example.com/x\nreplace example.com/y => ../../outside"})
        again = await error(c, "new", {"pattern": "worker-pool", "directory": "gen"})
    assert victim.read_text() == "precious"
    assert all(not os.path.islink(p) for p in gen["written"]) and (workspace / "gen" / "doc.go").is_file()
    assert "not a module path" in bad and not (workspace / "gen2").exists()
    assert "force=true" in again and "--" not in again


@needs_go
@pytest.mark.anyio
async def test_race_timeouts_are_go_durations_and_cancelling_stops_the_tests(tmp_path):
    import anyio

    root = tmp_path / "ws"
    (root / "slow").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/slow\n\ngo 1.22\n")
    (root / "slow" / "slow.go").write_text("package slow\n")
    (root / "slow" / "slow_test.go").write_text(
        'package slow\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestSlow(t *testing.T) { time.Sleep(90 * time.Second) }\n')

    def test_binaries() -> list[str]:
        out = subprocess.run(["pgrep", "-f", "slow.test"], capture_output=True, text=True).stdout
        return out.split()

    async with server(root, **GO_ENV) as c:
        for bad in ("60s\n", "soon", "99999999h", "-1s"):
            assert "duration" in await error(c, "race", {"packages": "./slow", "timeout": bad}) or \
                "24h" in await error(c, "race", {"packages": "./slow", "timeout": bad})
        assert "between 1 and 100" in await error(c, "race", {"packages": "./slow", "runs": 1000})
        with anyio.move_on_after(60) as waited:
            async with anyio.create_task_group() as tg:
                tg.start_soon(c.call_tool, "race", {"packages": ["./slow"], "count": 1, "timeout": "0"})
                seen: dict[str, float] = {}
                while True:  # the test binary has been running for a while: now cancel the call
                    now = time.monotonic()
                    running = set(test_binaries())
                    seen = {p: seen.get(p, now) for p in running}
                    if any(now - t > 1.5 for t in seen.values()):
                        break
                    await anyio.sleep(0.1)
                tg.cancel_scope.cancel()
        assert not waited.cancelled_caught, "the test binary never started"
        for _ in range(100):
            if not test_binaries():
                break
            await anyio.sleep(0.1)
        assert not test_binaries(), "the test binary outlived the cancelled call"
        # the server still answers
        assert (await call(c, "rules"))["rules"]
    assert not [d for d in os.listdir(tempfile.gettempdir()) if d.startswith("goconc-race-") and
                os.path.getmtime(os.path.join(tempfile.gettempdir(), d)) > time.time() - 60]
