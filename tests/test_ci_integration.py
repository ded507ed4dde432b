"""goconc in other people's CI: the pre-commit hook and the GitHub Action.

The pre-commit test is the real thing: `pre-commit try-repo` builds the hook's virtualenv from
a snapshot of this source tree (pip installs goconc and its dependencies from PyPI, so it takes
a few seconds) and runs it in a throwaway git repository, once with a bug and once without.
The snapshot is a fresh git repository of the files a `pip install .` needs plus the hook and
action files, committed as they are in the working tree: try-repo on the checkout itself would
only see committed files and tracked changes, and must not touch the checkout's git state.

The action cannot run outside GitHub, but its shell steps can: they are read from action.yml
and run with bash as the runner would, with the `${{ ... }}` expressions filled in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import sarif_validation
import yaml
from conftest import ROOT
from test_cli import LOCK_METHOD, LOCK_TYPE

BUGGY = LOCK_TYPE
# in another file of the package than the type: only a package-level analysis sees the lock
BUGGY_USE = LOCK_METHOD

CLEAN_USE = BUGGY_USE.replace("\tc.mu.Lock()\n", "\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n").replace(
    "\tc.mu.Unlock()\n\treturn nil\n}", "\treturn nil\n}")

GIT = ["git", "-c", "user.name=goconc-test", "-c", "user.email=test@goconc.invalid", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]


def git(*args, cwd):
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """A git repository holding goconc's source as it is in the working tree."""
    dst = tmp_path_factory.mktemp("goconc-snapshot")
    for name in os.listdir(ROOT):
        if name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "action.yml") \
                or re.match(r"(LICEN[CS]E|NOTICE|COPYING)", name):
            shutil.copy2(os.path.join(ROOT, name), dst / name)
    shutil.copytree(os.path.join(ROOT, "src"), dst / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    git("init", "-q", cwd=dst)
    git("add", "-A", cwd=dst)
    git("commit", "-q", "-m", "snapshot", cwd=dst)
    return dst


def go_module(repo, use: str, subdir: str = ".") -> None:
    """A git repository with a Go module in `subdir`: the mutex type in one file, its use in another."""
    mod = repo / subdir
    os.makedirs(mod / "p")
    (mod / "go.mod").write_text("module example.com/hooked\n\ngo 1.22\n")
    (mod / "p" / "types.go").write_text(BUGGY)
    (mod / "p" / "use.go").write_text(use)
    (repo / "README.md").write_text("not Go\n")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)


def _env(tmp_path):
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PRE_COMMIT_COLOR="never",
               NO_COLOR="1")
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def try_repo(snapshot, repo, tmp_path):
    pre_commit = os.path.join(os.path.dirname(sys.executable), "pre-commit")
    return subprocess.run([pre_commit, "try-repo", str(snapshot), "goconc", "--all-files", "--color", "never"],
                          cwd=repo, env=_env(tmp_path), capture_output=True, text=True, timeout=900)


# --- pre-commit --------------------------------------------------------------------------------


def test_hook_manifest_is_valid_for_pre_commit():
    pre_commit = os.path.join(os.path.dirname(sys.executable), "pre-commit")
    proc = subprocess.run([pre_commit, "validate-manifest", os.path.join(ROOT, ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as f:
        (hook,) = yaml.safe_load(f)
    assert hook["id"] == "goconc" and hook["language"] == "python" and hook["types"] == ["go"]
    # goconc analyses packages: the hook never gets a list of files (see the manifest's comment)
    assert hook["pass_filenames"] is False and hook["entry"] == "goconc check"


def test_pre_commit_hook_fails_on_a_bug_and_passes_clean_code(snapshot, tmp_path):
    buggy = tmp_path / "buggy"
    go_module(buggy, BUGGY_USE)
    proc = try_repo(snapshot, buggy, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert re.search(r"^goconc\.+Failed$", out, re.M), out
    assert "p/use.go:4:2: lock on c.mu is not released on the path that returns at line 6" in out
    assert "(GC3002)" in out and "Traceback" not in out

    clean = tmp_path / "clean"
    go_module(clean, CLEAN_USE)
    proc = try_repo(snapshot, clean, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"^goconc\.+Passed$", out, re.M), out
    assert "GC3" not in out


# --- the GitHub Action ---------------------------------------------------------------------------


def action() -> dict:
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_action_yml_has_what_github_requires():
    a = action()
    assert a["name"] and a["description"] and len(a["description"]) <= 125  # the Marketplace limit
    assert set(a["inputs"]) >= {"paths", "args", "version", "upload"}
    for name, spec in a["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec and isinstance(spec["default"], str), name  # inputs are strings
    for name, spec in a["outputs"].items():
        assert spec["description"] and spec["value"].startswith("${{ steps."), name
    runs = a["runs"]
    assert runs["using"] == "composite"
    for i, step in enumerate(runs["steps"]):
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step  # composite run steps must name their shell
            # inputs reach scripts through env only (no ${{ }} inside a script: injection)
            assert "${{" not in step["run"], step["run"]
        earlier = {s.get("id") for s in runs["steps"][:i]}
        for ref in re.findall(r"steps\.([\w-]+)\.outputs", str(step)):
            assert ref in earlier, f"step {i} reads the outputs of {ref!r}, which does not run before it"
    for name, spec in a["outputs"].items():
        (ref,) = re.findall(r"steps\.([\w-]+)\.outputs", spec["value"])
        assert ref in {s.get("id") for s in runs["steps"]}, name
    uses = [s["uses"] for s in runs["steps"] if "uses" in s]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    install = next(s for s in runs["steps"] if s.get("id") == "install")
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # goconc from the action's own checkout
    check = next(s for s in runs["steps"] if s.get("id") == "check")
    assert "--format sarif" in check["run"] and "--output" in check["run"]


_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _fill(value: str, ctx: dict) -> str:
    return _EXPR.sub(lambda m: str(ctx[m.group(1)]), value)


def run_step(step_id: str | None, ctx: dict, *, cwd, env, name: str | None = None) -> subprocess.CompletedProcess:
    """Run one `run:` step of action.yml with bash as a runner does (`bash -e {0}` semantics
    aside: our scripts set their own options), its env filled in from `ctx`."""
    steps = action()["runs"]["steps"]
    step = next(s for s in steps if (s.get("id") == step_id if step_id else s.get("name") == name))
    step_env = {k: _fill(str(v), ctx) for k, v in step.get("env", {}).items()}
    workdir = os.path.join(cwd, _fill(step.get("working-directory", "."), ctx))
    return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
                          cwd=workdir, env={**env, **step_env}, capture_output=True, text=True, timeout=900)


def _outputs(path) -> dict:
    out = {}
    for line in open(path, encoding="utf-8").read().splitlines():
        k, _, v = line.partition("=")
        out[k] = v
    return out


def _runner_env(tmp_path, workspace):
    env = _env(tmp_path)
    (tmp_path / "runner-temp").mkdir(exist_ok=True)
    env.update(RUNNER_TEMP=str(tmp_path / "runner-temp"), GITHUB_WORKSPACE=str(workspace), GITHUB_JOB="lint",
               GITHUB_OUTPUT=str(tmp_path / "github-output"))
    open(env["GITHUB_OUTPUT"], "w").close()
    return env


def _inputs(**given) -> dict:
    ctx = {f"inputs.{k}": v["default"] for k, v in action()["inputs"].items()}
    ctx.update({f"inputs.{k.replace('_', '-')}": v for k, v in given.items()})
    return ctx


def test_action_installs_from_its_checkout_and_reports_a_bug(snapshot, tmp_path):
    work = tmp_path / "work"  # the repository checked out; the Go module is in svc/
    go_module(work, BUGGY_USE, "svc")
    env = _runner_env(tmp_path, work)
    python = sys.executable  # what setup-python would give
    install = run_step("install", {**_inputs(), "steps.python.outputs.python-path": python},
                       cwd=work, env={**env, "GITHUB_ACTION_PATH": str(snapshot)})
    assert install.returncode == 0, install.stdout + install.stderr
    assert "goconc" in install.stdout  # goconc --version
    installed = _outputs(env["GITHUB_OUTPUT"])
    assert installed["goconc"].startswith(env["RUNNER_TEMP"]) and os.access(installed["goconc"], os.X_OK)

    ctx = {**_inputs(working_directory="svc", args="--select GC3"),
           "steps.install.outputs.goconc": installed["goconc"], "steps.install.outputs.python": installed["python"]}
    open(env["GITHUB_OUTPUT"], "w").close()
    check = run_step("check", ctx, cwd=work, env=env)
    assert check.returncode == 0, check.stdout + check.stderr  # findings do not stop the upload step
    out = _outputs(env["GITHUB_OUTPUT"])
    assert out["exit-code"] == "1" and out["findings"] == "1"
    with open(out["sarif-file"], encoding="utf-8") as f:
        doc = sarif_validation.check(f.read())
    run0 = doc["runs"][0]
    assert run0["automationDetails"] == {"id": "goconc-check/"}
    loc = run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "svc/p/use.go", "uriBaseId": "%SRCROOT%"}  # relative to the repository, not to svc/
    assert run0["originalUriBaseIds"]["%SRCROOT%"]["uri"] == work.resolve().as_uri() + "/"
    # the annotations for the pull request, in the step's log
    (ann,) = [ln for ln in check.stdout.splitlines() if ln.startswith("::error ")]
    assert ann.startswith("::error file=svc/p/use.go,line=4,endLine=4,col=2,")
    assert "title=GC3002 lock-not-released::lock on c.mu is not released" in ann

    # the category input reaches the SARIF file
    open(env["GITHUB_OUTPUT"], "w").close()
    ctx["inputs.category"] = "goconc-svc"
    ctx["inputs.annotations"] = "false"
    check = run_step("check", ctx, cwd=work, env=env)
    out = _outputs(env["GITHUB_OUTPUT"])
    with open(out["sarif-file"], encoding="utf-8") as f:
        assert sarif_validation.check(f.read())["runs"][0]["automationDetails"] == {"id": "goconc-svc/"}
    assert "::error" not in check.stdout


def test_action_result_step_fails_on_errors_and_optionally_on_findings(tmp_path):
    env = _runner_env(tmp_path, tmp_path)

    def result(rc, fail):
        ctx = {**_inputs(fail_on_findings=fail), "steps.check.outputs.exit-code": rc}
        return run_step(None, ctx, cwd=tmp_path, env=env, name="Result")

    assert result("0", "true").returncode == 0
    assert result("1", "false").returncode == 0
    assert result("1", "true").returncode == 1
    broken = result("2", "false")
    assert broken.returncode == 1
    assert broken.stdout.startswith("::error title=goconc::goconc check failed (exit code 2)")
    assert result("", "false").returncode == 1  # the check step died before it said anything


def test_readme_workflow_example_is_valid_yaml_using_the_action():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("## In CI and pre-commit", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    docs = [yaml.safe_load(b) for b in blocks]
    workflow = next(d for d in docs if isinstance(d, dict) and "jobs" in d)
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    uses = [s for s in steps if str(s.get("uses", "")).startswith("goconc/goconc@")]
    assert uses and set(uses[0].get("with", {})) <= set(action()["inputs"])
    perms = next(iter(workflow["jobs"].values()))["permissions"]
    assert perms["security-events"] == "write"
    hooks = next(d for d in docs if isinstance(d, dict) and "repos" in d)
    assert hooks["repos"][0]["hooks"][0]["id"] == "goconc"
