"""Leaked goroutines of passing tests, found without touching the user's files.

Most leaked goroutines let a test pass. `goconc race` adds one file to each test package through
`go test -overlay` (the go command reads it as if it were in the package directory; nothing is
written there). After `m.Run()` returns, it looks for goroutines that are still alive:

- with the runtime's `goroutineleak` profile (Go 1.27, or Go 1.26 built with
  GOEXPERIMENT=goroutineleakprofile), the garbage collector proves which goroutines can never run
  again; the dump marks them `(leaked)` and only those are reported;
- otherwise it dumps all goroutines (runtime.Stack) and goconc reports those still blocked on a
  channel or a sync primitive in user code after a settling time (as go.uber.org/goleak does).

It retries for up to GOCONC_LEAK_SETTLE_MS (default 1000) while goroutines are still winding
down, and writes the dump to $GOCONC_LEAK_DIR only when something is left. The file's content is
the same on every run, so the go command's build cache keeps working.

A package that defines TestMain already: the file that defines it is overlaid with a copy in
which `m.Run()` becomes `goconcLeakRun(m)` (same lines, so positions in reports are unchanged).
Where TestMain does not call `m.Run()` itself, leak checking is skipped for that package (a note).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from goconc.race.findings import ADDED_FILE
from goconc.race.model import Goroutine
from goconc.race.parser import is_blocking_state, parse_goroutines

HEADER = re.compile(r"^goconc-leakcheck v1 mode=(?P<mode>\w+) package=(?P<pkg>\S+)\s*$")

_CHECK = '''
// goconcLeakRun runs the tests, then looks for goroutines they left behind.
func goconcLeakRun(m *goconcTesting.M) int {
	code := m.Run()
	if !goconcCheckAtExit {
		goconcLeakCheck()
	}
	return code
}

func goconcLeakCheck() {
	dir := goconcOS.Getenv("GOCONC_LEAK_DIR")
	if dir == "" {
		return
	}
	settle := 1000 * goconcTime.Millisecond
	if ms, err := goconcStrconv.Atoi(goconcOS.Getenv("GOCONC_LEAK_SETTLE_MS")); err == nil {
		settle = goconcTime.Duration(ms) * goconcTime.Millisecond
	}
	deadline := goconcTime.Now().Add(settle)
	for {
		mode, dump := "stacks", goconcStacks()
		if p := goconcPprof.Lookup("goroutineleak"); p != nil {
			var b goconcStrings.Builder
			if err := p.WriteTo(&b, 2); err == nil {
				mode, dump = "profile", b.String()
			}
		}
		left := goconcLingering(dump)
		if !left || goconcTime.Now().After(deadline) || (mode == "profile" && goconcStrings.Contains(dump, " (leaked)")) {
			if left {
				name := goconcStrings.NewReplacer("/", "_", ".", "_").Replace(goconcPackage)
				path := goconcFilepath.Join(dir, goconcFmt.Sprintf("%s-%d.txt", name, goconcOS.Getpid()))
				text := goconcFmt.Sprintf("goconc-leakcheck v1 mode=%s package=%s\\n%s", mode, goconcPackage, dump)
				_ = goconcOS.WriteFile(path, []byte(text), 0644)
			}
			return
		}
		goconcTime.Sleep(20 * goconcTime.Millisecond)
	}
}

func goconcStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := goconcRuntime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goconcLingering reports whether a goroutine other than this one runs code outside GOROOT.
func goconcLingering(dump string) bool {
	root := goconcFilepath.ToSlash(goconcRuntime.GOROOT()) + "/src/"
	blocks := goconcStrings.Split(dump, "\\n\\n")
	for i, block := range blocks {
		if i == 0 && goconcStrings.Contains(block, "goconcLeakCheck") {
			continue
		}
		for _, line := range goconcStrings.Split(block, "\\n") {
			if !goconcStrings.HasPrefix(line, "\\t") {
				continue
			}
			file := goconcStrings.TrimPrefix(line, "\\t")
			if goconcStrings.HasPrefix(file, root) || goconcStrings.Contains(file, "_testmain.go") {
				continue
			}
			return true
		}
	}
	return false
}
'''

_IMPORTS = '''import (
	goconcFmt "fmt"
	goconcOS "os"
	goconcFilepath "path/filepath"
	goconcRuntime "runtime"
	goconcPprof "runtime/pprof"
	goconcStrconv "strconv"
	goconcStrings "strings"
	goconcTesting "testing"
	goconcTime "time"
)
'''


def added_file(package_name: str, import_path: str, *, with_test_main: bool, check_at_exit: bool = False) -> str:
    """The Go file added to a test package (deterministic for a given package).

    check_at_exit: the user's TestMain calls os.Exit (rewritten to goconcExit), so the check
    runs there, after the user's own teardown, rather than right after m.Run."""
    main = ("\n// TestMain is goconc's: it runs the tests, then checks for leaked goroutines.\n"
            "func TestMain(m *goconcTesting.M) { goconcOS.Exit(goconcLeakRun(m)) }\n") if with_test_main else ""
    main += (f"\nconst goconcCheckAtExit = {'true' if check_at_exit else 'false'}\n\n"
             "// goconcExit stands for os.Exit in the user's TestMain: check, then exit.\n"
             "func goconcExit(code int) {\n\tgoconcLeakCheck()\n\tgoconcOS.Exit(code)\n}\n")
    return (f"// Code generated by goconc race; DO NOT EDIT.\n// Added through go test -overlay: it is never written "
            f"into your tree.\n\npackage {package_name}\n\n{_IMPORTS}\nconst goconcPackage = {_go_string(import_path)}\n"
            f"{main}{_CHECK}")


def _go_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Plan:
    """What to overlay: {path in the package dir: content}, and notes for packages left out."""

    files: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (import path, why)
    packages: list[str] = field(default_factory=list)  # import paths that get the check


def plan(packages: list[dict], read: Callable[[str], bytes | None]) -> Plan:
    """Overlay for each package of `go list -json` that has tests. `read(path)` gives file bytes."""
    out = Plan()
    for p in packages:
        if p.get("Error") or not p.get("Dir"):
            continue
        tests = [(f, False) for f in p.get("TestGoFiles") or []] + [(f, True) for f in p.get("XTestGoFiles") or []]
        if not tests:
            continue
        d, ip, name = p["Dir"], p.get("ImportPath", ""), p.get("Name", "")
        target = os.path.join(d, ADDED_FILE)
        if os.path.exists(target):
            out.notes.append((ip, f"{ADDED_FILE} exists already; leak check skipped"))
            continue
        found = None
        for f, external in tests:
            path = os.path.join(d, f)
            src = read(path)
            if src is None or b"TestMain" not in src:
                continue
            rewritten = rewrite_test_main(path, src)
            if rewritten is not None:
                found = (path, rewritten, external)
                break
        if found is None:
            # An external test package (name_test) may import anything: no import cycles.
            out.files[target] = added_file(name + "_test", ip, with_test_main=True)
        else:
            path, rewritten, external = found
            if isinstance(rewritten, str):
                out.notes.append((ip, rewritten))
                continue
            pkg_name = _package_clause(rewritten) or (name + "_test" if external else name)
            out.files[path] = rewritten.decode("utf-8")
            out.files[target] = added_file(pkg_name, ip, with_test_main=False,
                                           check_at_exit=b"goconcExit(" in rewritten)
        out.packages.append(ip)
    return out


_PKG = re.compile(rb"^package\s+(\w+)", re.M)


def _package_clause(src: bytes) -> str | None:
    m = _PKG.search(src)
    return m.group(1).decode() if m else None


def rewrite_test_main(path: str, src: bytes) -> bytes | str | None:
    """`src` with `m.Run()` in its TestMain replaced by `goconcLeakRun(m)`; a reason (str) when
    TestMain exists but cannot be wrapped; None when the file declares no TestMain."""
    from goconc.source import SourceError, load

    try:
        gf = load(path, src, confirm_with_gofmt=False)
    except SourceError:
        return None
    for decl in gf.root.named_children:
        if decl.type != "function_declaration":
            continue
        name = decl.child_by_field_name("name")
        if name is None or gf.node_text(name) != "TestMain":
            continue
        params = decl.child_by_field_name("parameters")
        pname = None
        if params is not None:
            for prm in params.named_children:
                ident = prm.child_by_field_name("name")
                if ident is not None:
                    pname = gf.node_text(ident)
        body = decl.child_by_field_name("body")
        if pname is None or body is None:
            return "TestMain takes no named *testing.M; leak check skipped"
        os_name = _import_name(gf, "os")
        edits: list[tuple[int, int, bytes]] = []
        runs = 0
        stack = [body]
        while stack:
            n = stack.pop()
            if n.type == "call_expression":
                fn = n.child_by_field_name("function")
                args = n.child_by_field_name("arguments")
                text = gf.node_text(fn) if fn is not None and fn.type == "selector_expression" else ""
                if text == f"{pname}.Run" and args is not None and args.named_child_count == 0:
                    edits.append((n.start_byte, n.end_byte, f"goconcLeakRun({pname})".encode()))
                    runs += 1
                elif os_name and text == f"{os_name}.Exit":
                    # check at exit, after the user's teardown (which may stop the goroutines)
                    edits.append((fn.start_byte, fn.end_byte, b"goconcExit"))
            stack.extend(n.named_children)
        if not runs:
            return f"TestMain does not call {pname}.Run() itself; leak check skipped"
        out = src
        for start, end, new in sorted(edits, key=lambda e: -e[0]):
            out = out[:start] + new + out[end:]
        if len(edits) > runs:  # os may now be unused; appended, so no line moves
            out += f"\n\nvar _ = {os_name}.Exit // added by goconc race\n".encode()
        return out
    return None


def _import_name(gf, path: str) -> str | None:
    """The name a file uses for an import path (`os`, or its alias); None if not imported."""
    for decl in gf.root.named_children:
        if decl.type != "import_declaration":
            continue
        stack = [decl]
        while stack:
            n = stack.pop()
            if n.type == "import_spec":
                ipath = n.child_by_field_name("path")
                if ipath is not None and gf.node_text(ipath).strip('"`') == path:
                    alias = n.child_by_field_name("name")
                    name = gf.node_text(alias) if alias is not None else path.rsplit("/", 1)[-1]
                    return None if name in ("_", ".") else name
            stack.extend(n.named_children)
    return None


# --------------------------------------------------------------------------------------------
# Reading what the check wrote


@dataclass(frozen=True)
class LeakDump:
    package: str
    mode: str  # "profile" (the runtime proved the leaks) or "stacks" (goroutines left over)
    goroutines: tuple[Goroutine, ...]

    def leaked(self) -> list[Goroutine]:
        """The goroutines to report: proven leaked, or (without the profile) still blocked on a
        channel or sync primitive after the settling time."""
        if self.mode == "profile":
            return [g for g in self.goroutines if g.leaked]
        return [g for g in self.goroutines if is_blocking_state(g.state)]


def parse_leak_file(text: str) -> LeakDump | None:
    first, _, rest = text.partition("\n")
    m = HEADER.match(first)
    if not m:
        return None
    return LeakDump(m.group("pkg"), m.group("mode"), tuple(parse_goroutines(rest)))
