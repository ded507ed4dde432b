"""`goconc agent init`: a Go concurrency expert for Claude Code, backed by goconc's MCP server.

Writes two files of the project (DIR, default the current directory):

    .claude/agents/go-concurrency-expert.md   the subagent: frontmatter (name, description,
                                              tools, model) and its instructions
    .mcp.json                                 the goconc server registered under mcpServers,
                                              merged with the servers already there

Never overwrites what the user changed: the agent file ends with a marker holding the hash of
what goconc wrote, so a later run updates a file nobody edited and leaves an edited one alone
(unless force). In .mcp.json only the "goconc" entry is goconc's; other entries and keys are
kept as they are, and an existing "goconc" entry that differs is kept unless force. A file
that is not valid JSON is never touched. Files are written whole or not at all; a symlink
stays a symlink (goconc.outfile).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass

from goconc import __version__
from goconc.outfile import write_output

AGENT_PATH = os.path.join(".claude", "agents", "go-concurrency-expert.md")
MCP_PATH = ".mcp.json"
SERVER = "goconc"
TOOLS = ("check", "review", "rules", "rule", "fix", "race", "explain", "patterns", "new")

AGENT = """\
---
name: go-concurrency-expert
description: Go concurrency expert. Use for goroutines, channels, locks, WaitGroups, context cancellation, \
data races, goroutine leaks, deadlocks, code that is slow under concurrent load, and for writing worker \
pools, pipelines or graceful shutdown. Use proactively after changes to concurrent Go code.
tools: Read, Grep, Glob, Edit, Write, Bash, {tools}
model: inherit
---
You are a senior Go engineer whose field is concurrency. You have goconc's tools (the `{server}` MCP
server); every claim you make about a race, a leak or a deadlock rests on one of their results or
on code you quote with its file and line. When the tools cannot settle a question, say "unknown"
and why (a callee outside the module, a channel passed in from elsewhere) rather than guess.

How you work:
1. Run `check` on the packages in question. For each finding read the code around it, then
   `rule` for its code when you need the reasoning, the fix or its limits.
2. Run `review` for the concurrency design: which goroutines start where and how each one
   stops, who sends on, receives from and closes each channel, which lock guards which fields,
   where contexts are honoured. Read the code behind every line you rely on, and fill in what
   it marks unknown yourself.
3. For a fix, prefer the fix goconc offers (`fix` shows it as a diff; apply only what you have
   read). Otherwise make the smallest change that removes the cause, in the style of the code.
4. Before calling a fix done, run `race` on the packages it touches (it runs their tests under
   the race detector with a goroutine-leak check; it executes the project's tests) and `check`
   again. If a bug has no test that shows it, write one (a `-race -count` stress test, a leak
   check, a cancellation test) and show it failing before the fix where you can.
5. A race report, panic or goroutine dump pasted from logs goes to `explain`.
6. For new concurrent code, start from `patterns` and `new` (verified worker pool, pipeline,
   fan-out/fan-in, graceful shutdown, rate limiter, pub/sub, semaphore, cache) rather than
   writing one from scratch.

Answer in this shape:
- **Model**: the concurrency model in use and why it fits (or does not).
- **Risks**: races and blocking bugs, each with file:line and the finding or code that shows it,
  and how the design prevents or fails to prevent it.
- **Fix**: the code that fixes each, as a diff.
- **Proof**: the tests that show it (commands and results: `race`, `check`).
- **Assumptions**: Go version and its loop-variable semantics, GOMAXPROCS, what callers must do
  (call Close, not copy, not call X after Y).

The code you write follows what goconc enforces: every goroutine has a known way to stop,
context comes first and is honoured, errors are wrapped with %w, locks are never copied, and it
is clean under `-race` and `check`.
"""

_MARK = re.compile(r"\n<!-- written by goconc agent init [^ ]+; sha256 ([0-9a-f]{64}); .* -->\n\Z")


@dataclass
class Outcome:
    path: str
    action: str  # created | updated | unchanged | kept (the user's) | overwritten
    note: str = ""


class AgentError(ValueError):
    """A file goconc must not touch (invalid JSON, not a regular file), with a one-line reason."""


def agent_text() -> str:
    body = AGENT.format(server=SERVER, tools=", ".join(f"mcp__{SERVER}__{t}" for t in TOOLS))
    digest = hashlib.sha256(body.encode()).hexdigest()
    return body + (f"\n<!-- written by goconc agent init {__version__}; sha256 {digest}; edit freely: "
                   "goconc will then leave this file alone -->\n")


def server_entry() -> dict:
    """How the client starts the server: `goconc mcp` when this goconc is the one on PATH, else
    this Python running the goconc module it has (a virtualenv not on the client's PATH)."""
    on_path = shutil.which("goconc")
    mine = os.path.join(os.path.dirname(sys.executable), "goconc")
    if on_path and os.path.realpath(on_path) == os.path.realpath(mine):
        return {"command": "goconc", "args": ["mcp"]}
    return {"command": sys.executable, "args": ["-m", "goconc", "mcp"]}


def _edited(text: str) -> bool:
    """Whether an agent file goconc wrote was changed since (or was never goconc's)."""
    m = _MARK.search(text)
    if m is None:
        return True
    return hashlib.sha256(text[: m.start()].encode()).hexdigest() != m.group(1)


def _read(path: str) -> str | None:
    if not os.path.lexists(path):
        return None
    if not os.path.isfile(path):
        raise AgentError(f"{path}: not a regular file; not touched")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise AgentError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc}); not touched") from None


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup is not None:
        raise ValueError(f"the key {dup!r} appears twice (rewriting would drop one)")
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    import math

    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} does not fit a float (rewriting would change it)")
    return value


def portable(entry: dict) -> bool:
    """Whether a server entry works on another machine (a bare command on PATH)."""
    return os.sep not in entry.get("command", "")


def write_agent(directory: str, *, force: bool = False) -> Outcome:
    path = os.path.normpath(os.path.join(directory, AGENT_PATH))
    new = agent_text()
    old = _read(path)
    if old == new:
        return Outcome(path, "unchanged")
    if old is not None and _edited(old) and not force:
        return Outcome(path, "kept", "it was changed since goconc wrote it; --force replaces it")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_output(path, new)
    return Outcome(path, "created" if old is None else "overwritten" if _edited(old) else "updated")


def register_server(directory: str, *, force: bool = False) -> Outcome:
    path = os.path.normpath(os.path.join(directory, MCP_PATH))
    entry = server_entry()
    old = _read(path)
    doc: dict = {}
    if old is not None and old.strip():
        try:
            doc = json.loads(old, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                             parse_float=_finite)
        except json.JSONDecodeError as exc:
            raise AgentError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); not touched") from None
        except ValueError as exc:  # what json accepts but rewriting would change
            raise AgentError(f"{path}: {exc}; not touched") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("mcpServers", {}), dict):
            raise AgentError(f"{path}: expected an object with an object \"mcpServers\"; not touched")
    servers = doc.setdefault("mcpServers", {})
    have = servers.get(SERVER)
    if have == entry:
        return Outcome(path, "unchanged")
    if have is not None and not force:
        return Outcome(path, "kept", f"it already has a {SERVER!r} server of its own; --force replaces it")
    servers[SERVER] = entry
    write_output(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return Outcome(path, "created" if old is None else "overwritten" if have is not None else "updated")


def init(directory: str, *, force: bool = False) -> list[Outcome]:
    """Both files; the first AgentError stops before anything is written for that file."""
    return [write_agent(directory, force=force), register_server(directory, force=force)]
