"""`.goconc.toml`: the configuration of `goconc check`, found from each analysed file upwards.

    select = ["GC2", "GC3"]                  # rules that run (codes, prefixes, names, ALL)
    ignore = ["empty-critical-section"]      # rules that do not
    exclude = ["third_party", "**/*.pb.go"]  # paths never analysed
    jobs = 4

    [per-path-ignores]
    "**/*_test.go" = ["GC3004"]

    [severity]
    GC2002 = "warning"                       # error | warning | info

    [rules.lock-not-released]                # a rule's options (see `goconc rule CODE`)

Which file applies (ruff's model): for each analysed file, the nearest `.goconc.toml` or
`goconc.toml` in its directory or above it; nothing is merged across files. Globs are relative
to the directory of the file that holds them. Settings of the whole run (`jobs`) come from the
configuration of the common directory of the PATHS (the working directory for `./...`).
`--config FILE` uses FILE for every path; `--no-config` uses none. Flags override the file:
`--select` replaces the file's `select` and `ignore`, `--ignore` removes rules from what the
file selected, `-j` replaces `jobs`.

tomllib has no positions, so `locate` finds the line of each key and array element in the text
(the file was already parsed by tomllib, so the scan can trust the syntax).
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from goconc.model import Severity

CONFIG_NAMES = (".goconc.toml", "goconc.toml")
TOP_KEYS = ("select", "ignore", "exclude", "jobs", "per-path-ignores", "severity", "rules")


class ConfigError(Exception):
    """A configuration that cannot be used: printed as one line, `goconc: FILE:LINE: message`."""


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


# --------------------------------------------------------------------------------------------
# Positions


def locate(text: str) -> dict[tuple, int]:
    """The 1-based line of every key (as its full path: `[t]` then `a.b = 1` is ('t', 'a', 'b')),
    table header and array element (the path plus the element's index) of a TOML document that
    tomllib accepted. Arrays of tables add the table's index to the path: ('t', 0, 'a')."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found: dict[tuple, int] = {}
    aot: dict[tuple, int] = {}
    n = len(text)
    i = 0

    def line(pos: int) -> int:
        return bisect.bisect_right(starts, pos)

    def note(path: tuple, pos: int) -> None:
        found.setdefault(path, line(pos))

    def skip(newlines: bool) -> None:
        nonlocal i
        while i < n:
            c = text[i]
            if c in " \t" or (newlines and c in "\r\n"):
                i += 1
            elif c == "#" and newlines:
                while i < n and text[i] != "\n":
                    i += 1
            else:
                return

    def string() -> str:
        nonlocal i
        for delim in ('"""', "'''"):
            if text.startswith(delim, i):
                j = i + 3
                while True:
                    if delim[0] == '"' and text[j] == "\\":
                        j += 2
                        continue
                    if text.startswith(delim, j):
                        j += 3
                        extra = 0
                        while extra < 2 and j < n and text[j] == delim[0]:
                            j, extra = j + 1, extra + 1
                        break
                    j += 1
                value = text[i + 3:j - 3]
                i = j
                return value
        q = text[i]
        j = i + 1
        out = []
        while text[j] != q:
            if q == '"' and text[j] == "\\":
                out.append(text[j:j + 2])
                j += 2
                continue
            out.append(text[j])
            j += 1
        i = j + 1
        raw = "".join(out)
        if q == '"' and "\\" in raw:
            import tomllib

            raw = tomllib.loads(f"k = \"{raw}\"")["k"]
        return raw

    def key() -> tuple:
        nonlocal i
        parts = []
        while True:
            skip(False)
            if text[i] in "\"'":
                parts.append(string())
            else:
                m = re.compile(r"[A-Za-z0-9_-]+").match(text, i)
                parts.append(m.group(0))
                i = m.end()
            skip(False)
            if i < n and text[i] == ".":
                i += 1
                continue
            return tuple(parts)

    def keyval(prefix: tuple) -> None:
        nonlocal i
        at = i
        path = prefix + key()
        note(path, at)
        skip(False)
        i += 1  # '='
        skip(False)
        value(path)

    def value(path: tuple) -> None:
        nonlocal i
        c = text[i]
        if c in "\"'":
            string()
        elif c == "[":
            i += 1
            idx = 0
            while True:
                skip(True)
                if text[i] == "]":
                    i += 1
                    return
                note(path + (idx,), i)
                value(path + (idx,))
                skip(True)
                if text[i] == ",":
                    i += 1
                idx += 1
        elif c == "{":
            i += 1
            while True:
                skip(False)
                if text[i] == "}":
                    i += 1
                    return
                keyval(path)
                skip(False)
                if text[i] == ",":
                    i += 1
        else:
            m = re.compile(r"[^,\]}\r\n#]*").match(text, i)
            i = m.end()

    current: tuple = ()
    try:
        while True:
            skip(True)
            if i >= n:
                break
            if text.startswith("[[", i):
                at = i
                i += 2
                path = key()
                i += 2
                idx = aot.get(path, -1) + 1
                aot[path] = idx
                current = path + (idx,)
                note(path, at)
                note(current, at)
            elif text[i] == "[":
                at = i
                i += 1
                current = key()
                i += 1
                note(current, at)
            else:
                keyval(current)
    except (IndexError, AttributeError):  # not reached for text tomllib accepted; keep what was found
        pass
    return found


# --------------------------------------------------------------------------------------------
# Globs


def glob_regex(pattern: str) -> re.Pattern:
    """A glob over `/`-separated paths relative to a configuration's directory, as .gitignore
    reads it: `*` and `?` stay within one name, `**` spans directories, a pattern without a `/`
    (other than a trailing one) matches a name at any depth, a trailing `/` matches directories
    only. A pattern that matches a directory matches everything below it."""
    p = pattern.strip()
    dir_only = p.endswith("/")
    p = p.rstrip("/")
    anchored = "/" in p
    p = p.lstrip("/")
    out = []
    i = 0
    while i < len(p):
        if p.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif p.startswith("**", i):
            out.append(".*")
            i += 2
        elif p[i] == "*":
            out.append("[^/]*")
            i += 1
        elif p[i] == "?":
            out.append("[^/]")
            i += 1
        elif p[i] == "[" and "]" in p[i + 2:]:
            j = p.index("]", i + 2)
            body = p[i + 1:j]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(p[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.*" if dir_only else "(?:/.*)?"
    return re.compile(prefix + "".join(out) + suffix + r"\Z", re.S)


# --------------------------------------------------------------------------------------------
# One configuration file


@dataclass
class Setting:
    value: object
    source: str  # "FILE:LINE", "flag --select", or "default"


@dataclass
class Glob:
    pattern: str
    regex: re.Pattern
    source: str
    codes: frozenset[str] = frozenset()  # per-path ignores: the rules it ignores


@dataclass
class Config:
    """One configuration: a file's settings, or the defaults (path None)."""

    path: str | None
    root: str  # globs are relative to this directory
    settings: dict[str, Setting] = field(default_factory=dict)
    exclude: list[Glob] = field(default_factory=list)
    per_path_ignores: list[Glob] = field(default_factory=list)
    severity: dict[str, Setting] = field(default_factory=dict)  # selector -> Setting(Severity)
    options: dict[str, dict[str, Setting]] = field(default_factory=dict)  # rule code -> option -> value

    def get(self, key: str):
        s = self.settings.get(key)
        return s.value if s is not None else None

    def source(self, key: str) -> str:
        s = self.settings.get(key)
        return s.source if s is not None else "default"

    def relative(self, path: str) -> str | None:
        """`path` relative to the configuration's directory, `/`-separated; None outside it."""
        rel = os.path.relpath(os.path.abspath(path), self.root)
        if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
            return None
        return rel.replace(os.sep, "/")

    def excluding(self, path: str, is_dir: bool = False) -> Glob | None:
        rel = self.relative(path)
        if rel is None:
            return None
        if is_dir:
            rel += "/"  # `gen/` names directories
        return next((g for g in self.exclude if g.regex.match(rel)), None)

    def ignored_codes(self, path: str) -> set[str]:
        rel = self.relative(path)
        if rel is None:
            return set()
        return {c for g in self.per_path_ignores if g.regex.match(rel) for c in g.codes}

    def severity_of(self, code: str, name: str) -> Severity | None:
        """The most specific override: a code or name beats a prefix, a longer prefix a shorter."""
        best, best_len = None, -1
        for sel, s in self.severity.items():
            if sel.lower() == name or sel.upper() == code:
                length = 100
            elif code.startswith(sel.upper()) or sel.upper() == "ALL":
                length = 0 if sel.upper() == "ALL" else len(sel)
            else:
                continue
            if length > best_len:
                best, best_len = s.value, length
        return best


DEFAULT = Config(None, os.sep)


def _static_rules():
    from goconc.registry import all_rules

    return [r for r in all_rules() if not r.dynamic]


def check_selector(item: str) -> str | None:
    """None when `item` names static rules (code, prefix, name, ALL); else why not."""
    from goconc.registry import SelectorError, select

    if not isinstance(item, str) or not item.strip():
        return f"{item!r} is not a rule code, prefix or name"
    try:
        select([item], None)
    except SelectorError as exc:
        return str(exc)
    return None


def codes_of(selectors: Iterable[str]) -> frozenset[str]:
    out = set()
    for item in selectors:
        up, low = item.strip().upper(), item.strip().lower()
        for r in _static_rules():
            if up == "ALL" or r.code.startswith(up) or r.name == low:
                out.add(r.code)
    return frozenset(out)


def load(path: str) -> Config:
    """Read and check one configuration file; ConfigError (one line, with the line) when it is
    not valid."""
    import tomllib

    path = os.path.abspath(path)
    shown = _shown(path)
    from goconc.loader import read_regular

    try:
        data = read_regular(path, 4 * 1024 * 1024)  # never blocks on a FIFO named .goconc.toml
    except OSError as exc:
        raise ConfigError(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")  # a BOM (Windows editors) is not part of the TOML
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: not UTF-8 text") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\s*\(at line (\d+), column \d+\)$", msg)
        if m:
            line = int(m.group(1))
            msg = msg[:m.start()]
        else:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
            msg = re.sub(r"\s*\(at end of document\)$", "", msg)
        raise ConfigError(f"{shown}:{line}: invalid TOML: {msg[:1].lower() + msg[1:]}") from None
    lines = locate(text)

    def at(*key) -> str:
        while key and key not in lines:
            key = key[:-1]
        return f"{shown}:{lines.get(key, 1)}"

    def fail(key: tuple, message: str):
        raise ConfigError(f"{at(*key)}: {message}")

    cfg = Config(path, os.path.dirname(path))
    for k in doc:
        if k not in TOP_KEYS:
            fail((k,), f"unknown key {k!r}")

    def selectors(key: tuple, value, what: str) -> list[str]:
        name = ".".join(str(p) for p in key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(key, f"{name!r} must be a list of rule codes, prefixes or names (strings), not {_kind(value)}")
        for idx, item in enumerate(value):
            why = check_selector(item)
            if why:
                fail(key + (idx,), f"{what}: {why}")
        return value

    for k in ("select", "ignore"):
        if k in doc:
            cfg.settings[k] = Setting(selectors((k,), doc[k], k), at(k))
    if "jobs" in doc:
        v = doc["jobs"]
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            fail(("jobs",), f"'jobs' must be a whole number of at least 1, not {_kind(v)}")
        cfg.settings["jobs"] = Setting(v, at("jobs"))
    if "exclude" in doc:
        v = doc["exclude"]
        if not isinstance(v, list) or not all(isinstance(p, str) and p.strip() for p in v):
            fail(("exclude",), f"'exclude' must be a list of glob patterns (strings), not {_kind(v)}")
        cfg.exclude = [Glob(p, glob_regex(p), at("exclude", i)) for i, p in enumerate(v)]
        cfg.settings["exclude"] = Setting(list(v), at("exclude"))
    if "per-path-ignores" in doc:
        v = doc["per-path-ignores"]
        if not isinstance(v, dict):
            fail(("per-path-ignores",), f"'per-path-ignores' must be a table of glob = [rules], not {_kind(v)}")
        for pat, rules in v.items():
            if not pat.strip():
                fail(("per-path-ignores", pat), "an empty glob pattern")
            sel = selectors(("per-path-ignores", pat), rules, f"per-path-ignores {pat!r}")
            cfg.per_path_ignores.append(Glob(pat, glob_regex(pat), at("per-path-ignores", pat), codes_of(sel)))
    if "severity" in doc:
        v = doc["severity"]
        if not isinstance(v, dict):
            fail(("severity",), f"'severity' must be a table of rule = \"error\" | \"warning\" | \"info\", not {_kind(v)}")
        for sel, sev in v.items():
            why = check_selector(sel)
            if why:
                fail(("severity", sel), f"severity: {why}")
            if sev not in ("error", "warning", "info"):
                fail(("severity", sel), f"severity of {sel!r} must be \"error\", \"warning\" or \"info\", not {sev!r}")
            cfg.severity[sel] = Setting(Severity(sev), at("severity", sel))
    if "rules" in doc:
        v = doc["rules"]
        if not isinstance(v, dict):
            fail(("rules",), f"'rules' must hold one table per rule ([rules.CODE]), not {_kind(v)}")
        from goconc.registry import find

        for key, opts in v.items():
            r = find(key)
            if r is None or r.dynamic:
                fail(("rules", key), f"rules: unknown rule {key!r} (see `goconc rules`)")
            if not isinstance(opts, dict):
                fail(("rules", key), f"'rules.{key}' must be a table of options, not {_kind(opts)}")
            declared = {o.name: o for o in getattr(r, "options", ())}
            values = cfg.options.setdefault(r.code, {})
            for oname, oval in opts.items():
                o = declared.get(oname)
                if o is None:
                    known = ", ".join(sorted(declared)) or "none"
                    fail(("rules", key, oname),
                         f"unknown option {oname!r} of rule {r.code} ({r.name}); its options: {known}")
                if not _is_type(oval, o.type):
                    fail(("rules", key, oname),
                         f"option {oname!r} of {r.code} must be {_type_name(o.type)}, not {_kind(oval)}")
                values[oname] = Setting(oval, at("rules", key, oname))
    return cfg


def _is_type(value, typ) -> bool:
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if typ is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ in (list, tuple, "list[str]"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, typ)


def _type_name(typ) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(
        typ, "a list of strings")


def _kind(value) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "a list" if all(isinstance(v, str) for v in value) else "a list with non-strings in it"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


# --------------------------------------------------------------------------------------------
# Discovery


class Finder:
    """The configuration that applies to each directory: --config FILE, none (--no-config), or
    the nearest file found upwards (memoised)."""

    def __init__(self, config_file: str | None = None, no_config: bool = False) -> None:
        self.fixed: Config | None = None
        if no_config:
            self.fixed = DEFAULT
        elif config_file is not None:
            self.fixed = load(config_file)
        self._dirs: dict[str, Config] = {}

    def for_dir(self, directory: str) -> Config:
        if self.fixed is not None:
            return self.fixed
        from goconc.loader import NOT_HERE, find_upwards

        def probe(d: str):
            here = [os.path.join(d, n) for n in CONFIG_NAMES if os.path.isfile(os.path.join(d, n))]
            if len(here) > 1:
                raise ConfigError(f"{_shown(d) or '.'}: both {CONFIG_NAMES[0]} and {CONFIG_NAMES[1]}; keep one")
            return load(here[0]) if here else NOT_HERE

        return find_upwards(directory, self._dirs, probe, DEFAULT)

    def for_file(self, path: str) -> Config:
        return self.for_dir(os.path.dirname(os.path.abspath(path)))


# --------------------------------------------------------------------------------------------
# A run of `goconc check`


class Plan:
    """What the configuration decides for one run: which files are analysed, which rules run
    in each directory, and what happens to the findings (per-path ignores, severities)."""

    def __init__(self, paths: Sequence[str], *, selects: Sequence[str] = (), ignores: Sequence[str] = (),
                 jobs: int | None = None, config_file: str | None = None, no_config: bool = False) -> None:
        from goconc.registry import select

        self.finder = Finder(config_file, no_config)
        self.cli_select = list(selects)
        self.cli_ignore = list(ignores)
        select(self.cli_select, self.cli_ignore)  # SelectorError now, before any file is read
        self.root = self.finder.for_dir(common_dir(paths))
        self.cli_jobs = jobs
        self._rules: dict[int, list] = {}
        self._excluded: dict[str, Glob | None] = {}
        self.used: dict[str, object] = {}
        self.rules_for(self.root)  # a file that leaves no rule to run fails now

    @property
    def jobs(self) -> int | None:
        return self.cli_jobs or self.root.get("jobs")

    def jobs_setting(self) -> Setting:
        if self.cli_jobs:
            return Setting(self.cli_jobs, "flag -j/--jobs")
        if self.root.get("jobs"):
            return self.root.settings["jobs"]
        return Setting(os.cpu_count() or 1, "default (number of CPUs)")

    def rules_for(self, cfg: Config) -> list:
        got = self._rules.get(id(cfg))
        if got is None:
            from goconc.registry import SelectorError

            try:
                got = layered(cfg.get("select"), cfg.get("ignore"), self.cli_select, self.cli_ignore)
            except SelectorError as exc:
                keys = [k for k in ("select", "ignore") if cfg.get(k) is not None]
                if not keys or self.cli_select:
                    raise ConfigError(str(exc)) from None
                flags = " and the flags" if self.cli_ignore else ""
                raise ConfigError(f"{cfg.source(keys[-1])}: no rule left to run with the "
                                  f"{' and '.join(keys)} of this file{flags}") from None
            self._rules[id(cfg)] = got
        return got

    def rules_for_dir(self, directory: str) -> list:
        rules = self.rules_for(self.finder.for_dir(directory))
        for r in rules:
            self.used[r.code] = r
        return rules

    def all_used_rules(self) -> list:
        return sorted(self.used.values(), key=lambda r: r.code) or self.rules_for(self.root)

    def excluded(self, path: str, is_dir: bool = False) -> Glob | None:
        """The exclude pattern that keeps `path` out of the run. A path is excluded when it, or a
        directory above it, matches a pattern of the configuration that applies to the directory
        holding it; so a directory excluded by a configuration is never entered, even when it
        has a configuration of its own, and a configuration's patterns reach only the paths it
        governs (a nested configuration takes over below its directory)."""
        path = os.path.abspath(path)
        if path in self._excluded:
            return self._excluded[path]
        hit = None
        parent = os.path.dirname(path)
        if parent != path:
            cfg = self.finder.for_dir(parent)
            if cfg is not DEFAULT and cfg.relative(path) is not None:  # none governs a path above its own
                hit = cfg.excluding(path, is_dir) or self.excluded(parent, True)
        self._excluded[path] = hit
        return hit

    def prune(self, units: list) -> list:
        """Directory units without their excluded files (units left empty are dropped)."""
        out = []
        for u in units:
            u.files = [f for f in u.files if self.excluded(f) is None]
            if u.files:
                out.append(u)
        return out

    def codes(self, unit) -> tuple[str, ...]:
        return tuple(r.code for r in self.rules_for_dir(unit.dir))

    def finish(self, diagnostics: list) -> list:
        """Findings after the per-path ignores and severity overrides of each file's configuration."""
        import dataclasses

        out = []
        for d in diagnostics:
            cfg = self.finder.for_file(d.span.path)
            if d.code in cfg.ignored_codes(d.span.path):
                continue
            sev = cfg.severity_of(d.code, d.name) if cfg.severity else None
            if sev is not None and sev is not d.severity:
                d = dataclasses.replace(d, severity=sev)
            out.append(d)
        return out


def layered(cfg_select, cfg_ignore, cli_select, cli_ignore) -> list:
    """The rules that run: the file's select and ignore, then the flags. `--select` starts over
    (the file's select and ignore no longer count); `--ignore` alone removes from the file's
    choice."""
    from goconc.registry import ALWAYS_ON, SelectorError, select

    if cli_select:
        return select(cli_select, cli_ignore)
    rules = select(list(cfg_select or []), list(cfg_ignore or []))
    if cli_ignore:
        keep = {r.code for r in select(["ALL"], cli_ignore)}
        dropped = {r.code for r in _static_rules()} - keep
        rules = [r for r in rules if r.code not in dropped]
        if all(r.code in ALWAYS_ON for r in rules):
            raise SelectorError(f"no rule left to run with --ignore {','.join(cli_ignore)}")
    return rules


def common_dir(paths: Sequence[str]) -> str:
    """The deepest directory that holds every path (`./...` is the working directory)."""
    dirs = []
    for p in paths or ["."]:
        if p == "-":
            p = "."
        if p == "..." or p.endswith("/..."):
            p = p[:-3].rstrip("/") or ("/" if p.startswith("/") else ".")
        a = os.path.abspath(p)
        dirs.append(a if os.path.isdir(a) else os.path.dirname(a))
    try:
        return os.path.commonpath(dirs)
    except ValueError:  # different drives
        return os.getcwd()


# --------------------------------------------------------------------------------------------
# `goconc config`


def describe(plan: Plan, path: str) -> str:
    """The effective configuration for `path`, as TOML, each value with where it came from."""
    import json

    target = os.path.abspath(path)
    if not os.path.exists(target):
        raise ConfigError(f"{path}: no such file or directory")
    directory = target if os.path.isdir(target) else os.path.dirname(target)
    cfg = plan.finder.for_dir(directory)
    out = []
    if plan.finder.fixed is DEFAULT:
        out.append(f"# {path}: no configuration file (--no-config)")
    elif cfg.path is None:
        out.append(f"# {path}: no {CONFIG_NAMES[0]} or {CONFIG_NAMES[1]} here or above; defaults apply")
    else:
        how = " (--config)" if plan.finder.fixed is not None else ""
        out.append(f"# {path}: configured by {_shown(cfg.path)}{how}")
    hit = plan.excluded(target, os.path.isdir(target))
    if hit is not None:
        out.append(f"# {path} is excluded (exclude {hit.pattern!r}, {hit.source}): it is never analysed")

    def row(key: str, value, source: str) -> None:
        out.append(f"{key} = {value}".ljust(48) + f"  # {source}")

    def toml_list(v) -> str:
        return "[" + ", ".join(json.dumps(x) for x in v) + "]"

    if plan.cli_select:
        row("select", toml_list(plan.cli_select), "flag --select")
    elif cfg.get("select") is not None:
        row("select", toml_list(cfg.get("select")), cfg.source("select"))
    else:
        row("select", "[]", "default (the rules that are on by default)")
    file_ignore = [] if plan.cli_select else list(cfg.get("ignore") or [])
    sources = [cfg.source("ignore")] * bool(file_ignore) + ["flag --ignore"] * bool(plan.cli_ignore)
    if plan.cli_select and cfg.get("ignore"):
        sources.append(f"--select replaces {cfg.source('ignore')}")
    row("ignore", toml_list(file_ignore + plan.cli_ignore), ", ".join(sources) or "default")
    row("exclude", toml_list(g.pattern for g in cfg.exclude), cfg.source("exclude"))
    js = plan.jobs_setting()
    row("jobs", js.value, js.source)
    out.append("")
    out.append("[per-path-ignores]")
    is_file = os.path.isfile(target)
    for g in cfg.per_path_ignores:
        rel = cfg.relative(target) if is_file else None
        applies = "" if rel is None else ("; applies to this file" if g.regex.match(rel) else "; not this file")
        row(json.dumps(g.pattern), toml_list(sorted(g.codes)), g.source + applies)
    out.append("")
    out.append("[severity]")
    for sel, s in cfg.severity.items():
        row(json.dumps(sel) if not re.fullmatch(r"[A-Za-z0-9_-]+", sel) else sel, json.dumps(s.value.value), s.source)
    from goconc.registry import all_rules

    for r in all_rules():
        declared = getattr(r, "options", ())
        if r.dynamic or not declared:
            continue
        out.append("")
        out.append(f"[rules.{r.name}]  # {r.code}")
        given = cfg.options.get(r.code, {})
        for o in declared:
            s = given.get(o.name)
            row(o.name, json.dumps(s.value if s else o.default), s.source if s else "default")
    out.append("")
    rules = plan.rules_for(cfg)
    dropped = cfg.ignored_codes(target) if is_file else set()
    rules = [r for r in rules if r.code not in dropped]
    out.append(f"# rules that run here ({len(rules)}):")
    for r in rules:
        sev = cfg.severity_of(r.code, r.name) or r.severity
        out.append(f"#   {r.code}  {r.name:32s} {sev.value}")
    if dropped:
        out.append(f"# not for this file ([per-path-ignores]): {', '.join(sorted(dropped))}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# The CLI's hook: one `goconc check` run


class UsageProblem(ValueError):
    """Flags that do not go together (the CLI turns it into a usage error, exit 2)."""


class CheckRun:
    """Everything the configuration and the run-selection flags decide for `goconc check`:
    checked here before any file is analysed, so a bad file or flag fails fast."""

    def __init__(self, paths: Sequence[str], selects: Sequence[str], ignores: Sequence[str], jobs: int | None, *,
                 config_file: str | None = None, no_config: bool = False, baseline: str | None = None,
                 write_baseline: str | None = None, diff_base: str | None = None,
                 stdin_filename: str | None = None) -> None:
        from goconc import baseline as bl

        paths = list(paths)
        if stdin_filename is not None and not paths:
            paths = ["-"]
        if "-" in paths and len(paths) > 1:
            raise UsageProblem("'-' (read the code from stdin) cannot be combined with other paths")
        if stdin_filename is not None and paths != ["-"]:
            raise UsageProblem("--stdin-filename names the code read from stdin: give '-' as the only path")
        if config_file is not None and no_config:
            raise UsageProblem("--config and --no-config exclude each other")
        self.stdin = paths == ["-"]
        self.stdin_filename = stdin_filename
        self.paths = paths or ["./..."]
        anchor = [stdin_filename] if stdin_filename else (["."] if self.stdin else self.paths)
        self.plan = Plan(anchor, selects=selects, ignores=ignores, jobs=jobs, config_file=config_file,
                         no_config=no_config)
        self.data = b""
        if self.stdin:
            self.data = sys_stdin_bytes()
        stdin = (stdin_filename, self.data) if self.stdin and stdin_filename else None
        try:
            self.filters = bl.Filters(baseline=None if write_baseline else baseline, write_baseline=write_baseline,
                                      diff_base=diff_base, where=common_dir(anchor), stdin=stdin)
        except bl.BaselineError as exc:
            raise ConfigError(str(exc)) from None
        self.message: str | None = None

    @property
    def jobs(self) -> int | None:
        return self.plan.jobs

    def analyse(self, *, cache: bool, options=None, progress=None):
        """The analysis: check_paths over the PATHS, or check_stdin for `-`."""
        from goconc import engine
        from goconc.model import Problem, RunResult

        opts = options if options is not None else engine.RunOptions()
        if not self.stdin:
            return engine.check_paths(self.paths, self.plan.rules_for(self.plan.root), jobs=self.jobs, cache=cache,
                                      options=opts, progress=progress, plan=self.plan)
        name = self.stdin_filename
        if name is not None:
            hit = self.plan.excluded(name)
            if hit is not None:
                return RunResult(notes=[Problem(_shown(os.path.abspath(name)),
                                                f"excluded by {hit.source} ({hit.pattern!r}); not analysed")])
        directory = os.path.dirname(os.path.abspath(name)) if name else os.getcwd()
        rules = self.plan.rules_for_dir(directory)
        return engine.check_stdin(self.data, name, rules, options=opts,
                                  keep=lambda p: self.plan.excluded(p) is None)

    def finish(self, result):
        """The findings after the configuration's per-path ignores and severities, --diff-base,
        and --baseline; --write-baseline writes them and leaves none to show."""
        from goconc import baseline as bl

        diags = self.plan.finish(result.diagnostics)
        try:
            result.diagnostics, self.message = self.filters.apply(diags, result.notes)
        except bl.BaselineError as exc:
            raise ConfigError(str(exc)) from None
        return result

    def rules(self) -> list:
        """The rules that ran (for output formats that list them)."""
        return self.plan.all_used_rules()


def sys_stdin_bytes() -> bytes:
    import sys

    return sys.stdin.buffer.read() if sys.stdin is not None else b""
