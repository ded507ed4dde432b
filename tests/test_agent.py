"""`goconc agent init`: the subagent file and the .mcp.json registration, never clobbering what
the user changed."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from click.testing import CliRunner

from goconc.cli import main
from goconc.serve import agent

AGENT = os.path.join(".claude", "agents", "go-concurrency-expert.md")


def init(tmp_path, *args):
    return CliRunner().invoke(main, ["agent", "init", str(tmp_path), *args], catch_exceptions=False)


def frontmatter(text: str) -> dict:
    head, sep, _ = text.removeprefix("---\n").partition("\n---\n")
    assert sep, "no frontmatter"
    return yaml.safe_load(head)


def test_writes_the_agent_and_registers_the_server(tmp_path):
    res = init(tmp_path)
    assert res.exit_code == 0, res.output
    assert f"{tmp_path / AGENT}: created" in res.stdout and f"{tmp_path / '.mcp.json'}: created" in res.stdout
    meta = frontmatter((tmp_path / AGENT).read_text())
    assert meta["name"] == "go-concurrency-expert" and meta["model"] == "inherit"
    assert "concurrency" in meta["description"] and "leak" in meta["description"]
    tools = [t.strip() for t in meta["tools"].split(",")]
    assert "Bash" in tools and "mcp__goconc__check" in tools and "mcp__goconc__race" in tools
    doc = json.loads((tmp_path / ".mcp.json").read_text())
    entry = doc["mcpServers"]["goconc"]
    assert entry["args"][-1] == "mcp"
    again = init(tmp_path)
    assert again.exit_code == 0 and again.stdout.count(": unchanged") == 2


def test_the_agent_names_exactly_the_tools_the_server_has():
    pytest.importorskip("mcp", reason="the mcp extra is not installed")
    import anyio

    from goconc.serve import mcp as server

    names = {t.name for t in anyio.run(server.build(".").list_tools)}
    assert names == set(agent.TOOLS)


def test_an_agent_file_nobody_edited_is_updated_an_edited_one_kept(tmp_path):
    path = tmp_path / AGENT
    init(tmp_path)
    # what an older goconc wrote: another body with its own (matching) marker
    old = agent.agent_text().replace("senior Go engineer", "Go engineer")
    old_body = old[: old.index("\n<!-- written by")]
    import hashlib

    digest = hashlib.sha256(old_body.encode()).hexdigest()
    path.write_text(old_body + f"\n<!-- written by goconc agent init 0.0.1; sha256 {digest}; edit freely -->\n")
    res = init(tmp_path)
    assert f"{path}: updated" in res.stdout and path.read_text() == agent.agent_text()
    edited = path.read_text().replace("Answer in this shape", "Answer briefly, in this shape")
    path.write_text(edited)
    res = init(tmp_path)
    assert f"{path}: kept (it was changed since goconc wrote it; --force replaces it)" in res.stdout
    assert path.read_text() == edited
    res = init(tmp_path, "--force")
    assert f"{path}: overwritten" in res.stdout and path.read_text() == agent.agent_text()


def test_a_hand_written_agent_of_the_same_name_is_kept(tmp_path):
    path = tmp_path / AGENT
    path.parent.mkdir(parents=True)
    path.write_text("---\nname: go-concurrency-expert\ndescription: mine\n---\nMy own words.\n")
    res = init(tmp_path)
    assert ": kept" in res.stdout and path.read_text().endswith("My own words.\n")


def test_mcp_json_is_merged_and_an_own_goconc_entry_kept(tmp_path):
    cfg = tmp_path / ".mcp.json"
    cfg.write_text(json.dumps({"mcpServers": {"db": {"command": "db-mcp", "args": ["--ro"]}}, "x-team": 1}))
    res = init(tmp_path)
    assert f"{cfg}: updated" in res.stdout
    doc = json.loads(cfg.read_text())
    assert doc["mcpServers"]["db"] == {"command": "db-mcp", "args": ["--ro"]} and doc["x-team"] == 1
    assert doc["mcpServers"]["goconc"] == agent.server_entry()
    own = {"command": "/opt/goconc/bin/goconc", "args": ["mcp", "--root", "src"]}
    doc["mcpServers"]["goconc"] = own
    cfg.write_text(json.dumps(doc))
    res = init(tmp_path)
    assert "kept (it already has a 'goconc' server of its own; --force replaces it)" in res.stdout
    assert json.loads(cfg.read_text())["mcpServers"]["goconc"] == own
    res = init(tmp_path, "--force")
    assert json.loads(cfg.read_text())["mcpServers"]["goconc"] == agent.server_entry()
    assert json.loads(cfg.read_text())["mcpServers"]["db"]["command"] == "db-mcp"


@pytest.mark.parametrize("text", ['{"mcpServers": {"a": 1}', '["not", "an", "object"]', '{"mcpServers": []}',
                                  '{"mcpServers": {"a": {"command": "1"}, "a": {"command": "2"}}}',
                                  '{"mcpServers": {}, "n": NaN}', '{"mcpServers": {}, "x": 1e400}'])
def test_a_mcp_json_goconc_cannot_read_is_not_touched(tmp_path, text):
    cfg = tmp_path / ".mcp.json"
    cfg.write_text(text)
    res = init(tmp_path)
    assert res.exit_code == 1
    (line,) = [x for x in res.stderr.splitlines() if "not touched" in x]
    assert line.startswith(f"goconc: {cfg}")
    assert cfg.read_text() == text
    assert (tmp_path / AGENT).exists()  # the other file is still written


def test_a_symlinked_mcp_json_stays_a_symlink(tmp_path):
    shared = tmp_path / "shared.json"
    shared.write_text('{"mcpServers": {}}')
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(shared, project / ".mcp.json")
    res = init(project)
    assert res.exit_code == 0, res.output
    assert os.path.islink(project / ".mcp.json")
    assert "goconc" in json.loads(shared.read_text())["mcpServers"]


def test_not_a_directory_is_one_line(tmp_path):
    res = init(tmp_path / "missing")
    assert res.exit_code == 2 and res.stderr.strip().count("\n") == 0 and "not a directory" in res.stderr


def test_non_ascii_is_kept_as_written(tmp_path):
    cfg = tmp_path / ".mcp.json"
    cfg.write_text('{"mcpServers": {"dépôt": {"command": "dépôt-mcp"}}}', encoding="utf-8")
    assert init(tmp_path).exit_code == 0
    assert "dépôt-mcp" in cfg.read_text(encoding="utf-8")


def test_a_machine_specific_command_is_said(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    res = init(tmp_path)
    assert "goconc is not on PATH" in res.stderr and "before committing .mcp.json" in res.stderr
