"""What the Go runtime prints about concurrency, as plain data (no behaviour beyond naming)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Top-level packages of the standard library: a frame in one of them is not user code. Paths
# under $GOROOT/src are recognised too; this list also works for reports from other machines.
STD_ROOTS = frozenset("""
archive bufio builtin bytes cmp compress container context crypto database debug embed encoding
errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path
plugin reflect regexp runtime slices sort strconv strings structs sync syscall testing text time
unicode unique unsafe weak vendor
""".split())


@dataclass(frozen=True)
class Frame:
    """One stack frame: `func` as the runtime prints it, and where it was."""

    func: str  # "example.com/m/p.(*Cache).Set", "main.main.func1"
    file: str  # as printed: absolute, or trimmed with -trimpath
    line: int
    args: str = ""  # panics and dumps print arguments: "(0xc000012345, 0x1)"

    @property
    def package(self) -> str:
        """The import path of the frame's function: `example.com/m/p` of `example.com/m/p.F.func1`."""
        head, _, tail = self.func.rpartition("/")
        pkg = tail.split(".", 1)[0]
        return f"{head}/{pkg}" if head else pkg

    @property
    def short_func(self) -> str:
        """`p.(*Cache).Set`: the function without its package's directory."""
        return self.func.rpartition("/")[2]

    def is_std(self, goroot: str | None = None) -> bool:
        if goroot and self.file.startswith(goroot.rstrip("/") + "/src/"):
            return True
        if self.file.startswith("_cgo_"):
            return True
        if "." not in self.func.rpartition("/")[2]:
            return True  # builtins the runtime prints unqualified: panic, goexit
        if self.file.startswith(("runtime/", "internal/")) or "/src/runtime/" in self.file:
            return True  # -trimpath, or a GOROOT we were not told about
        pkg = self.package
        if pkg == "main":
            return False
        return pkg.split("/", 1)[0] in STD_ROOTS

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Access:
    """One side of a data race."""

    kind: str  # "read" or "write"
    previous: bool  # "Previous write at ..." (the earlier access)
    atomic: bool
    addr: str
    goroutine: int | None  # None: the main goroutine
    stack: tuple[Frame, ...]


@dataclass(frozen=True)
class Creation:
    """Where a goroutine of a race report was started."""

    goroutine: int
    state: str  # "running" or "finished"
    stack: tuple[Frame, ...]


@dataclass(frozen=True)
class RaceReport:
    """One `WARNING: DATA RACE` block."""

    accesses: tuple[Access, ...]  # the current access first, then the previous one
    creations: tuple[Creation, ...]
    test: str | None = None  # the test it happened in, when known
    package: str | None = None
    text: str = ""  # the block as printed


@dataclass(frozen=True)
class Goroutine:
    """One goroutine of a dump: `goroutine 7 [chan send, 2 minutes]:` and its frames."""

    id: int
    state: str  # the wait reason ("chan send", "sync.Mutex.Lock") or "running", "runnable", ...
    minutes: int = 0
    leaked: bool = False  # `(leaked)`: the goroutineleak profile proved it can never run again
    locked_to_thread: bool = False
    frames: tuple[Frame, ...] = ()
    created_by: Frame | None = None
    parent: int | None = None  # "created by ... in goroutine N"


@dataclass(frozen=True)
class Crash:
    """A `panic:` or `fatal error:` and the goroutines printed after it."""

    kind: str  # "panic" or "fatal error"
    message: str  # "concurrent map writes", "send on closed channel", "test timed out after 3s"
    goroutines: tuple[Goroutine, ...] = ()
    running_tests: tuple[str, ...] = ()  # test timeouts list the tests that were running
    text: str = ""


@dataclass
class TestOutput:
    """What `go test -json` said about one package."""

    package: str
    output: str = ""  # every Output field of the package, in order
    by_test: dict[str, str] = field(default_factory=dict)  # output of each test (top-level name)
    failed_tests: list[str] = field(default_factory=list)
    passed: bool | None = None  # None: no final pass/fail event (killed)
    build_output: str = ""  # compiler messages
    build_failed: bool = False
    no_test_files: bool = False
    elapsed: float | None = None
