import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

TESTDATA = os.path.join(ROOT, "tests", "testdata")


def go_available() -> bool:
    return shutil.which("go") is not None


needs_go = pytest.mark.skipif(not go_available(), reason="needs a Go toolchain")
