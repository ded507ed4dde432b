import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

TESTDATA = os.path.join(ROOT, "tests", "testdata")

# every SARIF document a test produces is validated against the official schema (autouse)
from sarif_validation import sarif_documents  # noqa: E402, F401


def go_available() -> bool:
    return shutil.which("go") is not None


needs_go = pytest.mark.skipif(not go_available(), reason="needs a Go toolchain")


@pytest.fixture(autouse=True)
def _no_user_cache(monkeypatch, tmp_path_factory):
    """Tests never read or write the user's results cache; test_cache.py turns it on."""
    monkeypatch.setenv("GOCONC_NO_CACHE", "1")
    monkeypatch.setenv("GOCONC_CACHE", str(tmp_path_factory.mktemp("goconc-cache")))
