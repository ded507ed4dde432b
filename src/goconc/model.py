"""Plain data shared by every part of goconc: positions, fixes and findings.

Findings are frozen dataclasses from the moment a rule creates them; they cross process
boundaries (pickled) and every output format is a pure function of a list of them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.Enum):
    """How bad a finding is. Only ERROR and WARNING rules run by default."""

    ERROR = "error"  # a bug
    WARNING = "warning"  # a likely bug or a leak risk
    INFO = "info"  # style or idiom

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Applicability(enum.Enum):
    """Fix safety, as in ruff: only SAFE fixes are applied without asking."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class FixAvailability(enum.Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file: 1-based line, 1-based byte column (as go/token), 0-based byte offset."""

    line: int
    column: int
    offset: int = 0


@dataclass(frozen=True)
class Span:
    path: str
    start: Position
    end: Position


@dataclass(frozen=True)
class Related:
    """A secondary location that explains a finding (the other lock, the return that skips it)."""

    span: Span
    message: str


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of a file with `new`."""

    path: str
    start: int
    end: int
    new: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class Diagnostic:
    """One finding. `code` is a rule code, or one of the engine's own codes (see below)."""

    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = ()

    @property
    def sort_key(self) -> tuple:
        return (self.span.path, self.span.start.line, self.span.start.column, self.code, self.message)


# Codes the engine itself emits (not rules): GC0xxx.
PARSE_ERROR = ("GC0001", "parse-error")
UNUSED_SUPPRESSION = ("GC0002", "unused-suppression")
MALFORMED_SUPPRESSION = ("GC0003", "malformed-suppression")
INTERNAL_ERROR = ("GC0004", "internal-error")


def engine_diagnostic(kind: tuple[str, str], severity: Severity, message: str, span: Span) -> Diagnostic:
    """A finding of the engine itself (kind is one of the GC0xxx pairs above)."""
    return Diagnostic(kind[0], kind[1], severity, message, span)


@dataclass
class Problem:
    """Input that could not be analysed at all (missing path, unreadable dir, binary file...).

    Reported as one line on stderr; the run goes on.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # shown with --verbose
    files: int = 0
    packages: int = 0
    generated: int = 0  # files skipped as generated code
