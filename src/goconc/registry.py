"""Rules as declared values, and the explicit registry the drivers (CLI, tests, docs) share.

A rule module holds its documentation as the module docstring, and one `check` function
decorated with `@rule(...)`:

    '''waitgroup add called inside the goroutine it counts

    ## What it does
    ...
    '''

    @rule(code="GC2001", name="waitgroup-add-in-goroutine", severity=Severity.ERROR,
          query="add_in_goroutine.scm")
    def check(ctx: FileContext) -> Iterator[Diagnostic]: ...

The first line of the docstring is the summary (lower case, no final period, <= 60 chars).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from goconc.model import FixAvailability, Severity

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Limitations")
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Limitations")

FAMILIES = {
    "0": "engine",
    "1": "goroutine",
    "2": "waitgroup",
    "3": "mutex",
    "4": "channel",
    "5": "context",
    "6": "atomic",
    "7": "race",
    "9": "runtime",
}


@dataclass(frozen=True)
class Option:
    """A knob a rule declares, set in `.goconc.toml` under `[rules.<code or name>]` (config.py
    checks the type; an option the rule does not declare is an error)."""

    name: str  # kebab-case
    type: type  # bool, int, float, str or list (of strings)
    default: object
    doc: str  # one line: what it changes


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    module: str
    check: Callable = field(compare=False, repr=False)
    query: str | None = None
    fix: FixAvailability = FixAvailability.NONE
    default: bool = True
    since: str = "0.1.0"
    dynamic: bool = False  # found by `goconc race` at run time, not by `goconc check`
    options: tuple[Option, ...] = ()  # knobs set in .goconc.toml; only for a rule with a real one
    scope: str = "file"  # "file": check(FileContext) per file; "package": check(PackageContext) once

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[2], "other")

    @property
    def enabled_by_default(self) -> bool:
        return self.default and self.severity is not Severity.INFO

    def section(self, title: str) -> str | None:
        return doc_sections(self.doc).get(title)

    def compiled_query(self):
        if self.query is None:
            return None
        from goconc.queries import compile_query

        return compile_query(self.module.rsplit(".", 1)[0], self.query)


_LOADED = False
_RULES: dict[str, Rule] = {}


def rule(*, code: str, name: str, severity: Severity, query: str | None = None,
         fix: FixAvailability = FixAvailability.NONE, default: bool = True, since: str = "0.1.0",
         dynamic: bool = False, options: tuple[Option, ...] = (), scope: str = "file"):
    """Register the decorated `check` function as a rule; docs come from the module docstring.

    A rule of scope "file" is called once per file with a FileContext; one of scope "package"
    once per package with a PackageContext (for facts that cross files). Either may report a
    node of any file of the package: the finding goes to that file, with its suppressions."""
    if scope not in ("file", "package"):
        raise ValueError(f"rule {code}: scope must be 'file' or 'package', not {scope!r}")

    def deco(fn: Callable) -> Callable:
        mod = sys.modules[fn.__module__]
        doc = (mod.__doc__ or "").strip("\n")
        summary = doc.split("\n", 1)[0].strip()
        r = Rule(code=code, name=name, severity=severity, summary=summary, doc=_dedent_doc(doc),
                 module=fn.__module__, check=fn, query=query, fix=fix, default=default, since=since,
                 dynamic=dynamic, options=options, scope=scope)
        if code in _RULES and _RULES[code].module != r.module:
            raise ValueError(f"duplicate rule code {code}")
        _RULES[code] = r
        fn.rule = r  # type: ignore[attr-defined]
        return fn

    return deco


def _dedent_doc(doc: str) -> str:
    import textwrap

    first, _, rest = doc.partition("\n")
    return (first.strip() + "\n" + textwrap.dedent(rest)).strip() + "\n"


def doc_sections(doc: str) -> dict[str, str]:
    """`## Title` sections of a rule doc, in order."""
    out: dict[str, str] = {}
    title = None
    buf: list[str] = []
    for line in doc.splitlines():
        m = re.match(r"^## (.+?)\s*$", line)
        if m:
            if title is not None:
                out[title] = "\n".join(buf).strip("\n")
            title, buf = m.group(1), []
        elif title is not None:
            buf.append(line)
    if title is not None:
        out[title] = "\n".join(buf).strip("\n")
    return out


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by code. Imports the rule families on first use."""
    global _LOADED
    if not _LOADED:  # not "if not _RULES": importing one rule module first registers only that one
        from goconc.rules import RULE_MODULES

        for m in RULE_MODULES:
            importlib.import_module(m)
        _LOADED = True
    return sorted(_RULES.values(), key=lambda r: r.code)


def find(key: str) -> Rule | None:
    key_u = key.upper()
    for r in all_rules():
        if r.code == key_u or r.name == key.lower():
            return r
    return None


class SelectorError(ValueError):
    pass


ALWAYS_ON = frozenset({"GC0001", "GC0004"})  # parse-error, internal-error


def select(selects: Iterable[str] | None, ignores: Iterable[str] | None, *, dynamic: bool = False) -> list[Rule]:
    """Rules enabled by --select/--ignore. Each item is a code ("GC3002"), a code prefix ("GC3",
    "GC"), a name ("lock-not-released") or "ALL". Without --select, the default rules run.

    `goconc check` chooses among the static rules, `goconc race` (dynamic=True) among the
    runtime ones."""
    rules = [r for r in all_rules() if r.dynamic == dynamic]

    def matching(item: str) -> list[Rule]:
        item = item.strip()
        if not item:
            return []
        if item.upper() == "ALL":
            return rules
        got = [r for r in rules if r.code.startswith(item.upper()) or r.name == item.lower()]
        if not got:
            other = [r for r in all_rules() if r.code.startswith(item.upper()) or r.name == item.lower()]
            if other:
                cmd = "goconc check" if dynamic else "goconc race"
                raise SelectorError(f"{item!r} is found by `{cmd}`, not by this command")
            raise SelectorError(f"unknown rule or prefix {item!r} (see `goconc rules`)")
        return got

    implicit: set[str] = set()
    if selects:
        chosen = {r.code: r for s in selects for r in matching(s)}
        # A file that could not be read, or a rule that crashed, means the analysis is incomplete:
        # say so whatever was selected (as ruff does with syntax errors); only --ignore hides it.
        implicit = {r.code for r in rules if r.code in ALWAYS_ON and r.code not in chosen}
        chosen.update((r.code, r) for r in rules if r.code in ALWAYS_ON)  # (none when dynamic)
    else:
        chosen = {r.code: r for r in rules if r.enabled_by_default}
    for i in ignores or ():
        for r in matching(i):
            chosen.pop(r.code, None)
    if (selects or ignores) and not set(chosen) - implicit - (ALWAYS_ON if not selects else set()):
        given = " ".join(([f"--select {','.join(selects)}"] if selects else [])
                         + ([f"--ignore {','.join(ignores)}"] if ignores else []))
        raise SelectorError(f"no rule left to run with {given}")
    return sorted(chosen.values(), key=lambda r: r.code)


def split_list(values: Iterable[str] | None) -> list[str]:
    """`--select A,B --select C` -> [A, B, C]."""
    out: list[str] = []
    for v in values or ():
        out.extend(p for p in v.split(",") if p.strip())
    return out
