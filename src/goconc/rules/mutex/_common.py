"""Glue between the lock-flow analysis and the rules that report its events."""

from __future__ import annotations

from collections.abc import Iterator

from goconc.rules.mutex._lockflow import Event, analyze, function_ops


def events(ctx, kind: str) -> Iterator[Event]:
    """Events of `kind` in every function of the file that uses a lock."""
    for fi in function_ops(ctx.analysis, ctx.file).values():
        for ev in analyze(ctx.analysis, ctx.file, fi.fn).events:
            if ev.kind == kind:
                yield ev


def line_of(node) -> int:
    return node.start_point[0] + 1


def op_text(ev_op) -> str:
    return f"{ev_op.key}.{ev_op.op}()"
