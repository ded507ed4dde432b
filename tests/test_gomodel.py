"""The per-package model: imports, types, locks, local variable types, goroutine sites."""

from __future__ import annotations

import textwrap

from goconc.gomodel import Package, T, named, ptr
from goconc.source import load

SRC = textwrap.dedent("""\
    package p

    import (
    	"context"
    	s "sync"
    	"sync/atomic"
    	"time"
    )

    type Inner struct{ mu s.RWMutex }

    type Outer struct {
    	Inner
    	n     atomic.Int64
    	items []Inner
    	ptr   *Inner
    }

    type Plain struct{ x int }

    type Locked struct{ s.Mutex }

    type Box[T any] struct {
    	mu s.Mutex
    	v  T
    }

    type Alias = s.Mutex

    type Defined s.Mutex

    var global Outer

    func newOuter() *Outer { return &Outer{} }

    func (o *Outer) get() Inner { return Inner{} }

    func f(ctx context.Context, in Inner, ps []*Plain, sync int) {
    	a := Outer{}
    	b := &Inner{}
    	c := newOuter()
    	cctx, cancel := context.WithCancel(ctx)
    	t := time.NewTimer(time.Second)
    	var d Plain
    	e := *c
    	g := a.items[0]
    	h := c.get()
    	for _, p := range ps {
    		_ = p
    	}
    	for i, it := range a.items {
    		_, _ = i, it
    	}
    	go func() { _ = a; _ = sync }()
    	_, _, _, _, _, _, _, _, _, _, _ = a, b, c, cctx, cancel, t, d, e, g, h, in
    }
    """)


def pkg_and_file():
    gf = load("p.go", SRC.encode(), confirm_with_gofmt=False)
    return Package("p", ".", [gf]), gf


def ident(gf, name, nth=0):
    """The nth identifier `name` in the file."""
    found = []
    stack = [gf.root]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and gf.node_text(n) == name:
            found.append(n)
        stack.extend(n.children)
    found.sort(key=lambda n: n.start_byte)
    return found[nth]


def test_imports_with_aliases():
    pkg, gf = pkg_and_file()
    assert pkg.imports(gf) == {"context": "context", "s": "sync", "atomic": "sync/atomic", "time": "time"}


def test_lock_holding_types():
    pkg, _ = pkg_and_file()
    assert pkg.lock_in(named("", "Inner")) == "sync.RWMutex"
    assert pkg.lock_in(named("", "Outer")) == "sync.RWMutex"  # embedded, transitively
    assert pkg.lock_in(named("", "Plain")) is None
    assert pkg.lock_in(named("", "Box")) == "sync.Mutex"  # generic struct
    assert pkg.lock_in(ptr(named("", "Inner"))) is None  # pointers do not hold a lock
    assert pkg.lock_in(T("slice", elem=named("", "Inner"))) is None
    assert pkg.lock_in(T("array", elem=named("", "Inner"))) == "sync.RWMutex"
    assert pkg.lock_in(named("sync/atomic", "Int64")) == "sync/atomic.Int64"


def test_lock_kinds_follow_method_sets():
    pkg, _ = pkg_and_file()
    assert pkg.lock_kind(named("", "Locked")) == "Mutex"  # promoted from the embedded field
    assert pkg.lock_kind(ptr(named("", "Locked"))) == "Mutex"
    assert pkg.lock_kind(named("", "Alias")) == "Mutex"  # an alias keeps the methods
    assert pkg.lock_kind(named("", "Defined")) is None  # a defined type has none
    assert pkg.lock_kind(named("", "Plain")) is None


def test_local_variable_types():
    pkg, gf = pkg_and_file()
    last = -1  # the final use of each variable, in the blank assignment

    def t(name):
        got = pkg.type_of(gf, ident(gf, name, last))
        return str(got) if got is not None else None

    assert t("a") == "Outer"
    assert t("b") == "*Inner"
    assert t("c") == "*Outer"
    assert t("cctx") == "context.Context"
    assert t("cancel") == "context.CancelFunc"
    assert t("t") == "*time.Timer"
    assert t("d") == "Plain"
    assert t("e") == "Outer"
    assert t("g") == "Inner"
    assert t("h") == "Inner"
    assert t("in") == "Inner"
    assert str(pkg.type_of(gf, ident(gf, "it", 1))) == "Inner"  # range over []Inner
    assert str(pkg.type_of(gf, ident(gf, "p", 1))) == "*Plain"


def test_fields_and_promotion():
    pkg, _ = pkg_and_file()
    assert str(pkg.field_type(named("", "Outer"), "mu")) == "sync.RWMutex"  # promoted
    assert str(pkg.field_type(ptr(named("", "Outer")), "ptr")) == "*Inner"
    assert pkg.field_type(named("", "Outer"), "nope") is None


def test_shadowed_package_name_is_not_the_package():
    pkg, gf = pkg_and_file()
    # `sync` is a parameter here, not an import; `s` is the sync import
    use = ident(gf, "sync", 1)
    assert pkg.lookup(gf, use) is not None
    assert pkg.imports(gf).get("sync") is None


def test_goroutine_sites():
    pkg, gf = pkg_and_file()
    sites = list(pkg.go_sites(gf, gf.root))
    assert len(sites) == 1
    assert sites[0].kind == "go" and sites[0].body is not None and sites[0].body.type == "func_literal"


def test_package_level_var_and_function_results():
    pkg, gf = pkg_and_file()
    assert str(pkg.type_of(gf, ident(gf, "global"))) == "Outer"


def test_goroutine_captures():
    src = textwrap.dedent("""\
        package p

        import "sync"

        func f(n int, ch chan int) {
        	var wg sync.WaitGroup
        	err := error(nil)
        	for i := 0; i < n; i++ {
        		wg.Add(1)
        		go func(k int) {
        			defer wg.Done()
        			x := k + i
        			err = nil
        			ch <- x
        		}(i)
        	}
        	go g(n)
        	wg.Wait()
        	_ = err
        }

        func g(int) {}
        """)
    gf = load("p.go", src.encode(), confirm_with_gofmt=False)
    pkg = Package("p", ".", [gf])
    lit, named_call = list(pkg.go_sites(gf, gf.root))
    assert [d.name for d in pkg.captures(gf, lit)] == ["wg", "i", "err", "ch"]
    assert pkg.captures(gf, named_call) == []
