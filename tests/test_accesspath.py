"""Access paths (Engine v2 step 2): what a lock or WaitGroup expression denotes, and how a
callee's paths map to its caller's."""

from __future__ import annotations

import os
import re

import pytest
from conftest import TESTDATA
from test_callgraph import _calls, _package

from goconc.accesspath import Paths
from goconc.callgraph import FuncId, build

FIXTURE = os.path.join(TESTDATA, "engine", "accesspath")
METHODS = {"Lock", "Unlock", "RLock", "RUnlock", "Add", "Done", "Wait"}


@pytest.fixture(scope="module")
def env():
    g = build(_package(FIXTURE))
    return g, Paths(g), g.pkg.files[0]


def _receiver_path(paths, gf, site):
    c = site.callee
    base = paths.of(gf, c.recv)
    if base is None:
        return None
    for f in c.via:
        base = base.field(f)
    return base


def test_every_annotated_receiver_has_its_path(env):
    g, paths, gf = env
    want_by_line = {}
    for i, line in enumerate(gf.src.decode().splitlines(), 1):
        m = re.search(r'^\s*[^\s/].*// path "([^"]*)"', line)
        if m:
            want_by_line[i] = m.group(1)
    got_by_line = {}
    for call in _calls(gf.root):
        fn = call.child_by_field_name("function")
        if fn.type != "selector_expression" or gf.node_text(fn.child_by_field_name("field")) not in METHODS:
            continue
        p = _receiver_path(paths, gf, g.site(call))
        got_by_line[call.start_point[0] + 1] = str(p) if p is not None else None
    assert {k: got_by_line.get(k) for k in want_by_line} == want_by_line
    assert len(want_by_line) >= 20


def _site(g, gf, text, caller=None):
    (site,) = [g.site(c) for c in _calls(gf.root) if gf.node_text(c) == text
               and (caller is None or str(g.site(c).caller) == caller)]
    return site


def test_same_text_in_two_functions_is_two_roots_and_captures_share_the_outer_root(env):
    g, paths, gf = env
    in_fields = _receiver_path(paths, gf, _site(g, gf, "s.mu.Lock()"))
    in_shadow = _receiver_path(paths, gf, _site(g, gf, "mu.Unlock()"))
    assert str(in_fields) == str(in_shadow) == "s.mu" and in_fields != in_shadow  # other receivers
    add, done, wait = (_site(g, gf, t) for t in ("wg.Add(1)", "wg.Done()", "wg.Wait()"))
    assert str(done.caller) == "S.locals$1"
    assert _receiver_path(paths, gf, add) == _receiver_path(paths, gf, done) == _receiver_path(paths, gf, wait)


def test_substitution_maps_parameters_and_receivers_to_the_caller(env):
    g, paths, gf = env
    inside = {str(_receiver_path(paths, gf, _site(g, gf, t))): _receiver_path(paths, gf, _site(g, gf, t))
              for t in ("a.Lock()", "b.Lock()")}
    call = _site(g, gf, "lockBoth(&s.mu, &s.inner.mu)")
    assert str(call.callee) == "lockBoth"
    assert str(paths.substitute(inside["a"], call)) == "s.mu"
    assert str(paths.substitute(inside["b"], call)) == "s.inner.mu"
    callers_s = paths.substitute(inside["a"], call).root
    assert callers_s.func == FuncId("", "S", "callers") and callers_s.kind == "recv"

    inner_lock = _receiver_path(paths, gf, _site(g, gf, "s.inner.mu.Lock()", caller="S.lockInner"))
    up = paths.substitute(inner_lock, _site(g, gf, "s.lockInner()"))
    assert str(up) == "s.inner.mu" and up.root.func == FuncId("", "S", "callers")
    # a path of another function is not the callee's: no substitution
    assert paths.substitute(inner_lock, call) is None
