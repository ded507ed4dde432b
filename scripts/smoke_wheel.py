#!/usr/bin/env python3
"""The release smoke test: build goconc's sdist and wheel, install the wheel into a fresh
virtualenv outside the source tree, and run goconc from there as a user would.

    python scripts/smoke_wheel.py            # exit 0 when the installed goconc works
    python scripts/smoke_wheel.py --keep     # keep the temporary folder to look at

It fails (exit 1, one line per failure) when:
- a file of `src/goconc` that the program reads at run time is missing from the wheel or the
  sdist (a query, a template, py.typed), or the wheel holds files that are not in the source;
- `goconc --version` is not the project's version, or `goconc` imports its code from the source
  tree instead of the install;
- `goconc check` on the shipped example does not give exactly the findings in EXPECTED, or its
  exit code is not 1; `goconc check` of generated code is not clean;
- `goconc rules`, `goconc rule`, `goconc new` or `goconc explain` fail or print the wrong thing;
- `goconc mcp` without its extra is not a one-line error; with `goconc[mcp,lsp]` installed, the
  MCP SDK's client (check over stdio) or pygls's client (diagnostics on didOpen) does not get
  the example's five findings from the installed servers.

Run by `.ci/run` after the test suite; it needs the `build` package (in the `test` extra) and
PyPI (for the wheel's dependencies).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "src", "goconc")

# `goconc check buggy` run from a copy of examples/ (text output, no terminal).
EXPECTED = """\
buggy/cache.go:19:2: lock on c.mu is not released on the path that returns at line 22 (when `!ok` at line 21): add c.mu.Unlock() before that return, or defer it (GC3002)
    note: returns with c.mu still locked (buggy/cache.go:22:3)
buggy/cache.go:31:8: c.mu was locked with RLock() at line 30 but is released with Unlock(); use RUnlock() (GC3004)
    note: c.mu.RLock() here (buggy/cache.go:30:2)
buggy/cache.go:36:9: Snapshot has a value receiver of type Cache, which contains sync.RWMutex: each call copies the lock; use a pointer receiver (*Cache) (GC3001)
buggy/cache.go:46:4: wg.Add called inside the goroutine it counts: it can run after wg.Wait() has returned; call wg.Add before the go statement (GC2001)
    note: goroutine started here (buggy/cache.go:45:3)
buggy/cache.go:52:4: wg.Done() is not deferred, and a path that returns at line 49 skips it: wg.Wait() will block forever; use defer wg.Done() at the top of the goroutine (GC2002)
    note: the goroutine ends here without wg.Done() (buggy/cache.go:49:5)
"""


class Smoke:
    def __init__(self, work: str) -> None:
        self.work = work
        self.failures: list[str] = []
        self.env = dict(os.environ, GOCONC_CACHE=os.path.join(work, "cache"), PYTHONPATH="",
                        NO_COLOR="1", COLUMNS="200")
        self.env.pop("PYTHONHOME", None)

    def fail(self, what: str) -> None:
        self.failures.append(what)
        print(f"FAIL: {what}", flush=True)

    def ok(self, what: str) -> None:
        print(f"ok: {what}", flush=True)

    def run(self, argv: list[str], *, cwd: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(argv, cwd=cwd, env=self.env, input=stdin, capture_output=True, text=True,
                              timeout=600)


def source_files() -> set[str]:
    """Paths (relative to src/) of the files the package is made of: what git tracks under
    src/goconc, or every file there when this is not a git checkout."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "src/goconc"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode()
        files = {p[len("src/"):] for p in out.split("\0") if p}
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    found = set()
    for dirpath, dirnames, filenames in os.walk(PKG):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            if not name.endswith((".pyc", ".pyo")):
                found.add(os.path.relpath(os.path.join(dirpath, name), os.path.join(ROOT, "src")))
    return found


def project_version() -> str:
    ns: dict = {}
    with open(os.path.join(PKG, "__init__.py"), encoding="utf-8") as f:
        exec(f.read(), ns)  # noqa: S102 - our own two-line module
    return ns["__version__"]


def pristine_copy(s: Smoke) -> str:
    """The project as a fresh clone has it: the files git tracks or would track (untracked but
    not ignored), without what earlier builds left (a src/goconc.egg-info whose SOURCES.txt
    still lists a file the package-data no longer names would hide exactly the bug this test
    is for)."""
    dest = os.path.join(s.work, "src-tree")
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, check=True).stdout.decode()
        files = [p for p in out.split("\0") if p and os.path.isfile(os.path.join(ROOT, p))]
    except (OSError, subprocess.CalledProcessError):
        files = []
    if not files:  # not a git checkout: everything but build leftovers
        skip = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d not in skip and not d.endswith(".egg-info")]
            files += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames]
    for rel in files:
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, rel), os.path.join(dest, rel))
    return dest


def build(s: Smoke) -> tuple[str, str] | None:
    dist = os.path.join(s.work, "dist")
    tree = pristine_copy(s)
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", dist, tree], capture_output=True, text=True)
    if proc.returncode != 0:
        s.fail("python -m build failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
        return None
    wheels = [f for f in os.listdir(dist) if f.endswith(".whl")]
    sdists = [f for f in os.listdir(dist) if f.endswith(".tar.gz")]
    if len(wheels) != 1 or len(sdists) != 1:
        s.fail(f"expected one wheel and one sdist in {dist}, got {sorted(os.listdir(dist))}")
        return None
    s.ok(f"built {wheels[0]} and {sdists[0]}")
    return os.path.join(dist, wheels[0]), os.path.join(dist, sdists[0])


def check_contents(s: Smoke, wheel: str, sdist: str) -> None:
    want = source_files()
    with zipfile.ZipFile(wheel) as z:
        in_wheel = {n for n in z.namelist() if n.startswith("goconc/")}
    missing = sorted(want - in_wheel)
    extra = sorted(n for n in in_wheel - want if not n.endswith("/"))
    if missing:
        s.fail(f"the wheel lacks {len(missing)} file(s) of src/goconc: {', '.join(missing[:10])}")
    if extra:
        s.fail(f"the wheel has file(s) that are not in the source: {', '.join(extra[:10])}")
    with tarfile.open(sdist) as t:
        names = t.getnames()
    top = names[0].split("/")[0]
    in_sdist = {n[len(top) + len("/src/"):] for n in names if n.startswith(f"{top}/src/goconc/")}
    missing = sorted(want - in_sdist)
    if missing:
        s.fail(f"the sdist lacks {len(missing)} file(s) of src/goconc: {', '.join(missing[:10])}")
    if not s.failures:
        s.ok(f"wheel and sdist hold all {len(want)} files of src/goconc")


def install(s: Smoke, wheel: str) -> str | None:
    venv = os.path.join(s.work, "venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    py = os.path.join(venv, "bin", "python")
    proc = s.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel], cwd=s.work)
    if proc.returncode != 0:
        s.fail("pip install of the wheel failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
        return None
    where = s.run([py, "-c", "import goconc; print(goconc.__file__)"], cwd=s.work).stdout.strip()
    if not where.startswith(venv):
        s.fail(f"goconc is imported from {where}, not from the fresh install in {venv}")
    else:
        s.ok("installed into a fresh venv outside the source tree")
    return os.path.join(venv, "bin", "goconc")


def use(s: Smoke, goconc: str) -> None:
    home = os.path.join(s.work, "user")
    shutil.copytree(os.path.join(ROOT, "examples"), home, ignore=shutil.ignore_patterns("__pycache__"))

    proc = s.run([goconc, "--version"], cwd=home)
    want = f"goconc, version {project_version()}"
    if proc.returncode != 0 or proc.stdout.strip() != want:
        s.fail(f"goconc --version printed {proc.stdout.strip()!r} (exit {proc.returncode}), expected {want!r}")
    else:
        s.ok(want)

    proc = s.run([goconc, "check", "buggy"], cwd=home)
    if proc.returncode != 1 or proc.stdout != EXPECTED or "internal error" in proc.stderr + proc.stdout:
        s.fail(f"goconc check buggy: exit {proc.returncode}, stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}\n"
               f"expected exit 1 and:\n{EXPECTED}")
    else:
        s.ok("goconc check buggy: the 5 expected findings, exit 1")

    proc = s.run([goconc, "rules"], cwd=home)
    codes = [line.split()[0] for line in proc.stdout.splitlines() if line.startswith("GC")]
    if proc.returncode != 0 or "GC3002" not in codes or len(codes) < 12:
        s.fail(f"goconc rules: exit {proc.returncode}, {len(codes)} rules:\n{proc.stdout}{proc.stderr}")
    else:
        s.ok(f"goconc rules lists {len(codes)} rules")
    proc = s.run([goconc, "rule", "lock-not-released"], cwd=home)
    if proc.returncode != 0 or "## Limitations" not in proc.stdout:
        s.fail(f"goconc rule lock-not-released: exit {proc.returncode}\n{proc.stdout[:500]}{proc.stderr}")
    else:
        s.ok("goconc rule lock-not-released prints its documentation")

    proc = s.run([goconc, "new", "worker-pool", "--dir", "pool"], cwd=home)
    written = sorted(os.listdir(os.path.join(home, "pool"))) if os.path.isdir(os.path.join(home, "pool")) else []
    if proc.returncode != 0 or "doc.go" not in written or not any(f.endswith("_test.go") for f in written):
        s.fail(f"goconc new worker-pool: exit {proc.returncode}, wrote {written}\n{proc.stdout}{proc.stderr}")
    else:
        s.ok(f"goconc new worker-pool wrote {', '.join(written)}")
        proc = s.run([goconc, "check", "pool"], cwd=home)
        if proc.returncode != 0 or proc.stdout:
            s.fail(f"goconc check of the generated pool: exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
        else:
            s.ok("goconc check of the generated pool: no findings")

    log = os.path.join(ROOT, "tests", "testdata", "race", "racy_map.txt")
    with open(log, encoding="utf-8") as f:
        report = f.read()
    proc = s.run([goconc, "explain", "-", "--color", "never"], cwd=home, stdin=report)
    if proc.returncode != 1 or "GC9001 data-race" not in proc.stdout or "racymap.go:13" not in proc.stdout:
        s.fail(f"goconc explain of a race report: exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
    else:
        s.ok("goconc explain names the data race and its lines")


MCP_CLIENT = """
import anyio, sys
from mcp import Client, StdioServerParameters

async def main():
    params = StdioServerParameters(command=sys.argv[1], args=["mcp"], cwd=sys.argv[2])
    async with Client(params) as c:
        r = await c.call_tool("check", {"paths": ["buggy"]})
        print(*[f["code"] for f in r.structured_content["findings"]])

anyio.run(main)
"""

LSP_CLIENT = """
import asyncio, os, sys
from lsprotocol import types as T
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

async def main():
    client, got = LanguageClient("smoke", "1"), asyncio.Event()
    uri = from_fs_path(os.path.join(sys.argv[2], "buggy", "cache.go"))
    found = []

    @client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on(params):
        if params.uri == uri:
            found.extend(d.code for d in params.diagnostics)
            got.set()

    await client.start_io(sys.argv[1], "lsp", cwd=sys.argv[2])
    await client.initialize_async(T.InitializeParams(capabilities=T.ClientCapabilities()))
    client.initialized(T.InitializedParams())
    with open(uri[len("file://"):]) as f:
        client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, "go", 1, f.read())))
    await asyncio.wait_for(got.wait(), 120)
    print(*found)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

asyncio.run(main())
"""


def servers(s: Smoke, goconc: str, wheel: str) -> None:
    """The MCP and LSP servers of the installed wheel, with and without their extras."""
    home = os.path.join(s.work, "user")
    proc = s.run([goconc, "mcp"], cwd=home, stdin="")
    if proc.returncode != 2 or proc.stderr.strip() != "goconc: goconc mcp needs the mcp package: " \
            "pip install 'goconc[mcp]'":
        s.fail(f"goconc mcp without the mcp extra: exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
    else:
        s.ok("goconc mcp without its extra: one line, exit 2")
    py = os.path.join(os.path.dirname(goconc), "python")
    proc = s.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", f"{wheel}[mcp,lsp]"], cwd=s.work)
    if proc.returncode != 0:
        s.fail("pip install of the wheel's mcp and lsp extras failed:\n" + proc.stderr[-3000:])
        return
    want = "GC3002 GC3004 GC3001 GC2001 GC2002"
    for name, script in (("MCP", MCP_CLIENT), ("LSP", LSP_CLIENT)):
        proc = s.run([py, "-c", script, goconc, home], cwd=home)
        got = proc.stdout.strip()
        if proc.returncode != 0 or sorted(got.split()) != sorted(want.split()):
            s.fail(f"goconc {name.lower()} through its SDK's client: exit {proc.returncode}, got {got!r}, "
                   f"expected {want!r}\n{proc.stderr[-3000:]}")
        else:
            s.ok(f"goconc {name.lower()}: the {name} client gets the five findings of buggy/")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="goconc-smoke-")
    s = Smoke(work)
    try:
        built = build(s)
        if built:
            check_contents(s, *built)
            goconc = install(s, built[0])
            if goconc:
                use(s, goconc)
                servers(s, goconc, built[0])
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if s.failures:
        print(f"smoke test: {len(s.failures)} failure(s)", file=sys.stderr)
        return 1
    print("smoke test: the installed wheel works")
    return 0


if __name__ == "__main__":
    sys.exit(main())
