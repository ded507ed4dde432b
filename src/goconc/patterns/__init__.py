"""`goconc new`: verified concurrency patterns, generated with tests, a benchmark and their doc.

A pattern is a value: name, summary, parameters (with defaults that compile as they are),
variants, and the template files it renders (templates/<pattern>/*.tmpl, plus the shared leak
check of templates/common). Rendering is a pure function of the parameters: `{{name}}`
placeholders are replaced, nothing else, and the result is gofmt'ed when gofmt is available.

Every pattern is proven in goconc's own test suite (tests/test_patterns.py): generated with
default and non-default parameters into a fresh module, then gofmt, go mod tidy, go vet, go test
-race -count=20 (whose TestMain fails on a leaked goroutine) and goconc check must all be clean.
Every promise a doc.go makes about concurrency is a test in the pattern's _test.go that attacks
it; `goconc new --verify` runs the same proof (verify.py) on what it just wrote. Dependency
versions are chosen at generation time (versions.py).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from importlib import resources

from goconc.patterns import versions

GO_VERSION = "1.23.0"  # as `go mod tidy` writes it (the pinned dependencies declare go 1.23.0)
# Dependencies of the variants that need them. At generation time the version is the newest the
# module proxy serves that the local toolchain (and an existing module's go line) can take
# (patterns/versions.py); these pinned ones, the newest that support go 1.23, with the go.sum
# lines the go command would write, are the fallback when the proxy cannot be asked.
DEPS = {
    "golang.org/x/sync": ("v0.16.0", [
        "golang.org/x/sync v0.16.0 h1:ycBJEhp9p4vXvUZNszeOq0kGTPghopOL8q0fq3vstxw=",
        "golang.org/x/sync v0.16.0/go.mod h1:1dzgHSNfp02xaA81J2MS99Qcpr2w7fw1gpm99rleRqA=",
    ]),
    "golang.org/x/time": ("v0.12.0", [
        "golang.org/x/time v0.12.0 h1:ScB/8o8olJvc+CQPWrK3fPZNfh7qgwCrY0zJmoEQLSE=",
        "golang.org/x/time v0.12.0/go.mod h1:CDIdPxbZBQxdj6cxyCIdrNogrJKMJ7pr37NYpMcMDSg=",
    ]),
}

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_MODULE_PATH = re.compile(r"[A-Za-z0-9~_-][A-Za-z0-9._~-]*(/[A-Za-z0-9~_-][A-Za-z0-9._~-]*)*")  # as golang.org/x/mod checks
_GO_KEYWORDS = set("""break case chan const continue default defer else fallthrough for func go goto if
import interface map package range return select struct switch type var""".split())
# A Go type expression without package qualifiers: builtins, slices, maps, pointers, arrays,
# struct{}, generic-free composite literals of them.
_TYPE = re.compile(r"^[\[\]\*a-zA-Z0-9_{}; ]+$")
_BUILTIN_TYPES = set("""any bool byte complex64 complex128 error float32 float64 int int8 int16
int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr""".split())


class PatternError(ValueError):
    """Parameters or a target the generator refuses, with a one-line reason."""


@dataclass(frozen=True)
class Param:
    name: str  # also the CLI option: --name
    default: str
    help: str
    kind: str = "str"  # str | int | type | duration | float | choice | ident | addr
    choices: tuple[str, ...] = ()
    minimum: int = 0  # for int: the smallest value the generated code works with


@dataclass(frozen=True)
class Pattern:
    name: str
    summary: str
    doc: str  # when to use it
    template_dir: str
    params: tuple[Param, ...]
    files: dict[str, str]  # output file -> template (variant-independent)
    variant_files: dict[str, dict[str, str]] = field(default_factory=dict)  # variant -> {output: template}
    variant_deps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deps: tuple[str, ...] = ()
    variant_text: dict[str, dict[str, str]] = field(default_factory=dict)  # variant -> extra placeholders

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def variants(self) -> tuple[str, ...]:
        p = self.param("variant")
        return p.choices if p else ()


def _p_pkg(default: str) -> Param:
    return Param("package", default, "Go package name of the generated code", "ident")


_IN = Param("in", "int", "element (job) type the benchmark instantiates the generic code with", "type")
_OUT = Param("out", "int", "result type the benchmark instantiates the generic code with", "type")

PATTERNS: dict[str, Pattern] = {}


def _register(p: Pattern) -> None:
    PATTERNS[p.name] = p


_register(Pattern(
    name="worker-pool",
    summary="bounded workers over a job channel; results; the first error cancels the rest",
    doc="Many independent jobs arriving over time (a queue, a stream of rows), a fixed budget of "
        "goroutines or connections, results consumed as they come.",
    template_dir="worker_pool",
    params=(_p_pkg("workerpool"), _IN, _OUT,
            Param("workers", "4", "number of workers", "int", minimum=1),
            Param("buffer", "4", "capacity of the results channel", "int"),
            Param("variant", "stdlib", "stdlib (sync.WaitGroup) or errgroup (golang.org/x/sync, SetLimit)",
                  "choice", ("stdlib", "errgroup"))),
    files={"doc.go": "doc.go.tmpl", "pool_test.go": "pool_test.go.tmpl"},
    variant_files={"stdlib": {"pool.go": "pool.go.tmpl"}, "errgroup": {"pool.go": "pool_errgroup.go.tmpl"}},
    variant_deps={"errgroup": ("golang.org/x/sync",)},
    variant_text={
        "stdlib": {"variant_model": "This variant uses only the standard library: a sync.WaitGroup "
                                    "counts the workers and context.WithCancelCause carries the first error."},
        "errgroup": {"variant_model": "This variant uses golang.org/x/sync/errgroup: SetLimit bounds "
                                      "the goroutines (Go blocks while the limit is reached) and Wait "
                                      "waits for them; context.WithCancelCause carries the first error, "
                                      "so both variants report the same error for the same cancellation."},
    },
))


_register(Pattern(
    name="pipeline",
    summary="stages connected by channels; each owns and closes its output; cancellation reaches all",
    doc="Data that flows through several steps (parse, transform, filter, batch, write) where the "
        "steps can overlap in time and memory in flight must stay bounded.",
    template_dir="pipeline",
    params=(_p_pkg("pipeline"), Param("in", "int", "element type the benchmark pushes through a stage", "type"),
            Param("buffer", "16", "channel capacity between stages", "int")),
    files={"doc.go": "doc.go.tmpl", "pipeline.go": "pipeline.go.tmpl", "pipeline_test.go": "pipeline_test.go.tmpl"},
))


_register(Pattern(
    name="fan-out-fan-in",
    summary="N workers reading one channel, results merged into one channel closed when all are done",
    doc="CPU- or latency-bound work on a stream of values where the order of results does not matter "
        "and the input is a channel rather than a slice.",
    template_dir="fan_out_fan_in",
    params=(_p_pkg("fanout"), _IN, _OUT, Param("workers", "4", "number of workers", "int", minimum=1),
            Param("buffer", "0", "capacity of each worker's output channel", "int")),
    files={"doc.go": "doc.go.tmpl", "fan.go": "fan.go.tmpl", "fan_test.go": "fan_test.go.tmpl"},
))


_register(Pattern(
    name="bounded-parallel",
    summary="errgroup.WithContext + SetLimit over a slice, results in input order",
    doc="A known slice of inputs (URLs, files, IDs) to process concurrently with a cap on "
        "concurrency, where the first failure should stop the rest and results keep input order.",
    template_dir="bounded_parallel",
    params=(_p_pkg("parallel"), _IN, _OUT, Param("limit", "8", "calls running at once", "int", minimum=1)),
    files={"doc.go": "doc.go.tmpl", "parallel.go": "parallel.go.tmpl", "parallel_test.go": "parallel_test.go.tmpl"},
    deps=("golang.org/x/sync",),
))


_register(Pattern(
    name="graceful-shutdown",
    summary="HTTP server: signal.NotifyContext, drain in-flight requests, stop workers, force close",
    doc="A long-running service that must finish in-flight requests on deploy (SIGTERM), stop its "
        "background workers in order, and never hang past a deadline.",
    template_dir="graceful_shutdown",
    params=(_p_pkg("server"), Param("addr", ":8080", "default listen address", "addr"),
            Param("shutdown_timeout", "10s", "how long in-flight requests may take to drain", "duration")),
    files={"doc.go": "doc.go.tmpl", "server.go": "server.go.tmpl", "server_test.go": "server_test.go.tmpl"},
))


_register(Pattern(
    name="rate-limiter",
    summary="token bucket usable from many goroutines, with a context-aware Wait",
    doc="Calls to an API with a quota, or any event that must not happen more than N times a second "
        "on average, from many goroutines at once.",
    template_dir="rate_limiter",
    params=(_p_pkg("ratelimit"), Param("rate", "10", "events per second", "float"),
            Param("burst", "5", "events allowed at once when the bucket is full", "int", minimum=1),
            Param("variant", "stdlib", "stdlib (a mutex-guarded bucket, no goroutine) or xtime "
                  "(golang.org/x/time/rate)", "choice", ("stdlib", "xtime"))),
    files={"doc.go": "doc.go.tmpl", "limiter_test.go": "limiter_test.go.tmpl"},
    variant_files={"stdlib": {"limiter.go": "limiter.go.tmpl"}, "xtime": {"limiter.go": "limiter_xtime.go.tmpl"}},
    variant_deps={"xtime": ("golang.org/x/time",)},
    variant_text={
        "stdlib": {"variant_model": "This variant needs only the standard library: tokens are "
                                    "computed from the time elapsed, so no ticker goroutine runs."},
        "xtime": {"variant_model": "This variant wraps golang.org/x/time/rate, the standard "
                                   "implementation, behind the same small API."},
    },
))


_register(Pattern(
    name="pubsub",
    summary="broker with Subscribe/Unsubscribe/Publish, per-subscriber buffers, slow-consumer policy",
    doc="Events from a few producers to many consumers inside one process (cache invalidation, "
        "live updates, notifications) where a slow consumer must not stall the others.",
    template_dir="pubsub",
    params=(_p_pkg("pubsub"), Param("in", "string", "message type the benchmark publishes", "type"),
            Param("buffer", "64", "messages buffered per subscriber", "int", minimum=1),
            Param("policy", "drop", "when a subscriber is full: drop, or block up to --block-timeout",
                  "choice", ("drop", "block")),
            Param("block_timeout", "100ms", "how long Publish waits for a full subscriber (policy block)",
                  "duration")),
    files={"doc.go": "doc.go.tmpl", "broker.go": "broker.go.tmpl", "broker_test.go": "broker_test.go.tmpl"},
))


_register(Pattern(
    name="periodic-worker",
    summary="ticker-driven background task with Start/Stop that never leaks its goroutine or ticker",
    doc="Housekeeping that runs every N seconds for the life of a component (refresh a cache, flush "
        "metrics, expire sessions) and must stop cleanly with it.",
    template_dir="periodic_worker",
    params=(_p_pkg("periodic"), Param("interval", "1s", "how often the task runs", "duration")),
    files={"doc.go": "doc.go.tmpl", "worker.go": "worker.go.tmpl", "worker_test.go": "worker_test.go.tmpl"},
))


_register(Pattern(
    name="singleflight-cache",
    summary="read-through TTL cache: one load per key for concurrent misses; giving up cancels no one",
    doc="An expensive lookup (a database row, a remote call) read by many goroutines, where a burst "
        "of misses for one key must cost one load and a caller that times out must not fail the others.",
    template_dir="singleflight_cache",
    params=(_p_pkg("cache"), Param("out", "string", "value type the benchmark caches", "type"),
            Param("ttl", "1m", "how long a loaded value is served", "duration"),
            Param("capacity", "1024", "most entries kept (the least recently used is evicted)", "int",
                  minimum=1),
            Param("load_timeout", "10s", "how long one shared load may take", "duration")),
    files={"doc.go": "doc.go.tmpl", "cache.go": "cache.go.tmpl", "cache_test.go": "cache_test.go.tmpl"},
    deps=("golang.org/x/sync",),
))


_register(Pattern(
    name="semaphore",
    summary="weighted limit on a shared resource (x/sync/semaphore), context-aware Acquire, FIFO",
    doc="Work items that need different shares of one resource (connections, a memory budget, "
        "CPU slots) from many goroutines, where the total in use must never pass a limit.",
    template_dir="semaphore",
    params=(_p_pkg("weighted"),
            Param("limit", "10", "total weight the semaphore allows at once", "int", minimum=1)),
    files={"doc.go": "doc.go.tmpl", "semaphore.go": "semaphore.go.tmpl",
           "semaphore_test.go": "semaphore_test.go.tmpl"},
    deps=("golang.org/x/sync",),
))


# --------------------------------------------------------------------------------------------
# Rendering


def resolve(pattern: Pattern, given: dict[str, str | None]) -> dict[str, str]:
    """Validated parameter values (defaults filled in). Raises PatternError."""
    values: dict[str, str] = {}
    for name, value in given.items():
        if value is not None and pattern.param(name) is None:
            applicable = ", ".join("--" + p.name for p in pattern.params)
            raise PatternError(f"--{name} does not apply to {pattern.name} (it takes {applicable})")
    for p in pattern.params:
        value = given.get(p.name)
        value = p.default if value is None else str(value).strip()
        values[p.name] = _validate(p, value)
    return values


def _validate(p: Param, value: str) -> str:
    bad = f"--{p.name} {value!r}: "
    if p.kind == "ident":
        if not _IDENT.match(value) or value in _GO_KEYWORDS or value.endswith("_test"):
            raise PatternError(bad + "not a Go package name (lower case letters, digits, _)")
        if value == "main":
            raise PatternError(bad + "the patterns are library packages; use them from your main package")
    elif p.kind == "int":
        if not re.fullmatch(r"[0-9]{1,7}", value) or not p.minimum <= int(value) <= 1_000_000:
            raise PatternError(bad + f"not a whole number from {p.minimum} to 1000000")
        value = str(int(value))
    elif p.kind == "float":
        if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,9})?", value) or not 1e-6 <= float(value) < 1e9:
            raise PatternError(bad + "not a number from 0.000001 to 999999999 (digits and one point)")
    elif p.kind == "duration":
        if not re.fullmatch(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+", value):
            raise PatternError(bad + "not a Go duration such as 500ms, 10s or 1m30s")
        if not 1_000 <= _nanoseconds(value) <= 100_000 * 3_600_000_000_000:
            raise PatternError(bad + "must be from 1µs to 100000h")
    elif p.kind == "addr":
        if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]*:[0-9]{1,5}", value):
            raise PatternError(bad + "not a listen address such as :8080 or 127.0.0.1:9000")
    elif p.kind == "choice":
        if value not in p.choices:
            raise PatternError(bad + f"must be one of {', '.join(p.choices)}")
    elif p.kind == "type":
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", value))
        composite_ok = all(re.match(r"\s*[\[{]", value[m.end():]) for m in re.finditer(r"\b(map|struct)\b", value))
        if "." in value or not _TYPE.match(value) or not words or not composite_ok \
                or value.count("[") != value.count("]") or value.count("{") != value.count("}") \
                or not words <= (_BUILTIN_TYPES | {"struct", "map"}):
            raise PatternError(bad + "use a built-in Go type or a composite of them ([]byte, map[string]int, "
                                     "*int, struct{}); for your own type, edit the generated benchmark")
    return value


def go_duration_expr(value: str) -> str:
    """A Go expression of type time.Duration for a duration string: `10 * time.Second`."""
    units = {"ns": "time.Nanosecond", "us": "time.Microsecond", "µs": "time.Microsecond",
             "ms": "time.Millisecond", "s": "time.Second", "m": "time.Minute", "h": "time.Hour"}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", value)
    if len(parts) == 1 and "." not in parts[0][0]:
        n, u = parts[0]
        return f"{n} * {units[u]}"
    return f"{_nanoseconds(value)} * time.Nanosecond"


def _nanoseconds(value: str) -> int:
    scale = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
             "h": 3_600_000_000_000}
    return int(sum(float(n) * scale[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", value)))


def placeholders(pattern: Pattern, values: dict[str, str]) -> dict[str, str]:
    out = {("pkg" if k == "package" else k): v for k, v in values.items()}
    for p in pattern.params:
        if p.kind == "duration":
            out[p.name + "_expr"] = go_duration_expr(values[p.name])
    if "policy" in values:
        out["policy_const"] = values["policy"].capitalize()
    variant = values.get("variant")
    if variant:
        out.update(pattern.variant_text.get(variant, {}))
    return out


_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


def render_text(template: str, subst: dict[str, str]) -> str:
    def one(m: re.Match) -> str:
        key = m.group(1)
        if key not in subst:
            raise KeyError(f"template placeholder {{{{{key}}}}} has no value")
        return subst[key]

    return _PLACEHOLDER.sub(one, template)


def _template(pattern_dir: str, name: str) -> str:
    return resources.files("goconc.patterns").joinpath("templates", pattern_dir, name).read_text(encoding="utf-8")


def deps_of(pattern: Pattern, values: dict[str, str]) -> tuple[str, ...]:
    return pattern.deps + pattern.variant_deps.get(values.get("variant", ""), ())


def render(pattern: Pattern, values: dict[str, str]) -> dict[str, str]:
    """{file name: Go source} for the pattern (pure, except for gofmt when available)."""
    subst = placeholders(pattern, values)
    files = dict(pattern.files)
    files.update(pattern.variant_files.get(values.get("variant", ""), {}))
    out = {name: render_text(_template(pattern.template_dir, tmpl), subst) for name, tmpl in files.items()}
    out["leak_test.go"] = render_text(_template("common", "leak_test.go.tmpl"), subst)
    return {name: _gofmt(src) for name, src in sorted(out.items())}


def _gofmt(src: str) -> str:
    from goconc import runner

    gofmt = runner.find_gofmt()
    if gofmt is None:
        return src
    res = runner.run([gofmt], input=src.encode("utf-8"), timeout=60)
    return res.stdout if res.returncode == 0 and res.stdout else src


# --------------------------------------------------------------------------------------------
# Writing


@dataclass
class Generated:
    directory: str
    written: list[str]
    module_created: bool
    import_path: str
    todo: list[str]  # what the user still has to do (a `go get` inside an existing module)


def generate(pattern: Pattern, values: dict[str, str], directory: str, *, force: bool = False,
             module: str | None = None) -> Generated:
    """Write the pattern into directory. Inside an existing module the files join it (go.mod is
    never edited: a dependency it lacks is printed as a `go get` to run); elsewhere a new module
    is created with go.mod (and go.sum for pinned dependencies). Nothing is overwritten without
    force, and nothing is written at all when one file would be."""
    from goconc.loader import ModuleFinder

    files = render(pattern, values)
    directory = os.path.abspath(directory)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise PatternError(f"{directory} exists and is not a directory")
    found = ModuleFinder().find(directory)  # walks up from a directory that need not exist yet
    deps = deps_of(pattern, values)
    todo: list[str] = []
    created = False
    if os.path.isdir(directory):
        ours = set(files) | {"go.mod", "go.sum"}
        theirs = sorted(n for n in os.listdir(directory) if n.endswith(".go") and n not in ours)
        if theirs:
            raise PatternError(f"{directory} already holds Go files ({', '.join(theirs[:3])}"
                               f"{', ...' if len(theirs) > 3 else ''}): a pattern is a package of its own; "
                               "choose a new directory with --dir")
    if found is not None:
        rel = os.path.relpath(directory, os.path.dirname(found.gomod)).replace(os.sep, "/")
        import_path = found.path if rel == "." else f"{found.path}/{rel}"
        if found.go_version is None or found.go_version < (1, 23):
            if found.go_version is None:
                raise PatternError(f"{found.gomod} has no `go` line (the go command then assumes go 1.16); "
                                   f"the generated code needs go {GO_VERSION} or later")
            raise PatternError(f"{found.gomod} says go {found.go_version[0]}.{found.go_version[1]}; the generated "
                               f"code needs go {GO_VERSION} or later (generics, range over int, min/max)")
        gomod_text = _read(found.gomod)
        missing = [d for d in deps if d not in gomod_text]
        if missing:
            module_go = versions.gomod_go_version(gomod_text)
            chosen = [versions.choose(d, DEPS[d], module_go=module_go) for d in missing]
            todo.append(_go_get(chosen, directory, os.path.dirname(found.gomod)))
    else:
        # A module path with a dot: a bare `time` or `context` would clash with the standard library.
        import_path = module or f"example.com/{values.get('package', 'generated')}"
        if not _MODULE_PATH.fullmatch(import_path) or ".." in import_path.split("/"):
            raise PatternError(f"--module {import_path!r} is not a module path (letters, digits and ._~-, "
                               "elements separated by /)")
        chosen = [versions.choose(d, DEPS[d], sums=True) for d in sorted(deps)]
        files = dict(files)
        files["go.mod"] = _gomod(import_path, chosen)
        if chosen:
            files["go.sum"] = "".join(line + "\n" for c in chosen for line in c.sums)
        created = True
    existing = [n for n in files if os.path.exists(os.path.join(directory, n))]
    if existing and not force:
        raise PatternError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''} in "
                           f"{directory}; use --force to overwrite")
    os.makedirs(directory, exist_ok=True)
    written = []
    import tempfile

    for name, src in files.items():
        path = os.path.join(directory, name)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".goconc-", suffix=".tmp")  # a new file, never a link
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(src)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        written.append(path)
    return Generated(directory, written, created, import_path, todo)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _gomod(path: str, deps: list[versions.Choice]) -> str:
    """go.mod of a new module: the go line is GO_VERSION, or what a dependency needs if more
    (as `go get` would raise it), so `go mod tidy` leaves it as it is."""
    go = max([versions.parse_go(GO_VERSION)] + [d.go for d in deps])
    text = f"module {path}\n\ngo {versions.go_line(go)}\n"
    if len(deps) == 1:
        text += f"\nrequire {deps[0].path} {deps[0].version}\n"
    elif deps:
        text += "\nrequire (\n" + "".join(f"\t{d.path} {d.version}\n" for d in deps) + ")\n"
    return text


def _go_get(deps: list[versions.Choice], directory: str, module_root: str) -> str:
    """The `go get` that adds deps to an existing module, naming the generated package so that
    the go command records them as direct requirements (a bare `go get MODULE@VERSION` writes
    `// indirect`, which the next `go mod tidy` removes again)."""
    what = " ".join(f"{d.path}@{d.version}" for d in deps)
    cwd = os.getcwd()
    if os.path.commonpath([cwd, module_root]) == module_root:  # run from where the user is
        rel = os.path.relpath(directory, cwd).replace(os.sep, "/")
        return f"go get {what} {rel if rel.startswith('.') else './' + rel}"
    rel = os.path.relpath(directory, module_root).replace(os.sep, "/")
    root = os.path.relpath(module_root, cwd).replace(os.sep, "/")
    return f"go -C {root} get {what} {'.' if rel == '.' else './' + rel}"


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""
