"""Every SARIF document the test suite produces is checked against the official schema.

`conftest.py` imports the autouse fixture below: for the length of each test,
`goconc.output.sarif.render` is wrapped so that each document it returns is validated against
testdata/sarif-schema-2.1.0.json (SARIF 2.1.0, draft-04, with `format` checked: URIs must be
URIs) and against the rules GitHub code scanning adds on top of the schema. A test whose SARIF
is invalid fails, even when a `CliRunner` swallowed the exception: the fixture checks again
when the test ends.
"""

from __future__ import annotations

import functools
import json
import os

import pytest

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "testdata", "sarif-schema-2.1.0.json")


@functools.lru_cache(maxsize=1)
def validator():
    import jsonschema

    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    # FormatChecker() knows every format jsonschema has (uri and uri-reference included, through
    # rfc3986-validator from jsonschema[format-nongpl]), not only draft-04's few
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def problems(doc) -> list[str]:
    """What is wrong with a SARIF document: schema violations, then GitHub's extra rules."""
    out = [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
           for e in sorted(validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]
    if out:
        return out
    for i, run in enumerate(doc["runs"]):
        rules = run["tool"]["driver"].get("rules", [])
        for r in rules:
            if r.get("name") == r["id"]:
                out.append(f"runs/{i}: rule {r['id']}: name must differ from id")
            for key in ("shortDescription", "fullDescription", "help"):
                if not (r.get(key) or {}).get("text"):
                    out.append(f"runs/{i}: rule {r['id']}: {key}.text is required by GitHub")
        for j, res in enumerate(run.get("results", [])):
            if "ruleIndex" in res and rules[res["ruleIndex"]]["id"] != res["ruleId"]:
                out.append(f"runs/{i}/results/{j}: ruleIndex points at another rule")
            if not res["message"].get("text"):
                out.append(f"runs/{i}/results/{j}: empty message")
            for loc in res.get("locations", []) + res.get("relatedLocations", []):
                art = loc["physicalLocation"]["artifactLocation"]
                if "uriBaseId" in art and art["uriBaseId"] not in run.get("originalUriBaseIds", {}):
                    out.append(f"runs/{i}/results/{j}: uriBaseId {art['uriBaseId']} is not defined")
    return out


def check(text: str) -> dict:
    """Parse a SARIF document and fail the test if it is not valid; returns it."""
    doc = json.loads(text)
    found = problems(doc)
    if found:
        pytest.fail("invalid SARIF:\n  " + "\n  ".join(found[:20]), pytrace=False)
    return doc


class Produced(list):
    """The SARIF documents produced during one test, as text, and what was wrong with them."""

    def __init__(self) -> None:
        super().__init__()
        self.invalid: list[str] = []


@pytest.fixture(autouse=True)
def sarif_documents(monkeypatch):
    """Validates each document goconc.output.sarif.render returns during the test; the list of
    them is the fixture's value (tests may assert on it)."""
    from goconc.output import sarif

    real = sarif.render
    produced = Produced()

    @functools.wraps(real)
    def render(*args, **kwargs):
        text = real(*args, **kwargs)
        produced.append(text)
        found = problems(json.loads(text))
        if found:
            produced.invalid.append("\n  ".join(found[:20]))
            pytest.fail("goconc produced invalid SARIF:\n  " + produced.invalid[-1], pytrace=False)
        return text

    render.validated = True  # type: ignore[attr-defined]
    monkeypatch.setattr(sarif, "render", render)
    yield produced
    if produced.invalid:
        pytest.fail("goconc produced invalid SARIF:\n  " + "\n".join(produced.invalid), pytrace=False)
