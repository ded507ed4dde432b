"""The structured results of the MCP tools, as pydantic models (their JSON schemas are the
tools' output schemas).

Findings are the documents of `goconc check -f json` (output/json.py), validated into these
models, so the CLI and the server cannot drift apart: a field added there and not here fails
the suite's round trip.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Position(_Model):
    line: int = Field(description="1-based line")
    column: int = Field(description="1-based column, in bytes (as go/token)")
    offset: int = Field(description="0-based byte offset")


class Related(_Model):
    message: str
    path: str
    start: Position
    end: Position


class Edit(_Model):
    path: str
    start: int = Field(description="0-based byte offset")
    end: int
    new: str


class Fix(_Model):
    title: str
    applicability: str = Field(description="safe, unsafe (may change behaviour) or display-only (shown, never "
                                           "applied)")
    edits: list[Edit]


class Finding(_Model):
    code: str = Field(description="rule code, e.g. GC3002; `rule` documents it")
    name: str
    severity: str
    message: str
    path: str
    start: Position
    end: Position
    related: list[Related]
    fixes: list[Fix]


class Problem(_Model):
    path: str
    message: str


class Summary(_Model):
    files: int
    packages: int
    findings: int


class Tool(_Model):
    name: str
    version: str


class CheckReport(_Model):
    """What `goconc check -f json` prints."""

    version: int
    tool: Tool
    findings: list[Finding]
    problems: list[Problem] = Field(description="files or directories that could not be analysed, and why")
    summary: Summary


class RaceReport(CheckReport):
    """What `goconc race -f json` prints, and how the tests were run."""

    runs: int = Field(description="go test runs made")
    seconds: float
    failed_tests: int
    go_version: str


class FixedFile(_Model):
    path: str
    fixed: list[str] = Field(description="the codes of the findings fixed in this file")


class FixReport(_Model):
    applied: bool = Field(description="false: a preview, nothing was written")
    diff: str = Field(description="unified diff of every change")
    files: list[FixedFile]
    remaining: CheckReport = Field(description="the findings left after the fixes")


class RuleInfo(_Model):
    code: str
    name: str
    severity: str
    enabled_by_default: bool
    summary: str
    fix: str = Field(description="whether the rule offers a fix: none, sometimes or always")
    dynamic: bool = Field(description="found by `race` (running the tests), not by `check`")


class RuleList(_Model):
    rules: list[RuleInfo]


class RuleDoc(_Model):
    rule: RuleInfo
    markdown: str = Field(description="What it does / Why is this bad? / Example / Use instead / Fix safety / "
                                      "Limitations")


class Explanation(_Model):
    finding: Finding
    facts: list[str]
    cause: str
    fix: str


class ExplainReport(_Model):
    explanations: list[Explanation]


class PatternParam(_Model):
    name: str
    default: str
    help: str
    choices: list[str]


class PatternInfo(_Model):
    name: str
    summary: str
    when: str
    params: list[PatternParam]


class PatternList(_Model):
    patterns: list[PatternInfo]


class Generated(_Model):
    pattern: str
    directory: str
    import_path: str
    module_created: bool
    written: list[str]
    todo: list[str] = Field(description="commands to run next (e.g. go get of a dependency)")
    verified: bool | None = Field(description="null: not asked for; else whether every check passed")
    verification: list[str] = Field(description="one verdict a line: gofmt, go vet, go test -race, goconc check")


class ReviewReport(_Model):
    markdown: str = Field(description="the review to show a person or paste into a pull request")
    packages: list[dict[str, Any]] = Field(description="per package: model (goroutines, channels, locked_types, "
                                                       "types, contexts, ...), findings, tests, tests_left_out")
    problems: list[Problem]
