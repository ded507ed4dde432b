"""The `goconc` command (console script and `python -m goconc`).

Ctrl-C before the command line is parsed (while Python imports goconc) ends the run with one
line and exit 130, as it does later: never a traceback, never click's "Aborted!" (exit 1 would
mean "findings" to CI). The handler is installed here, not when goconc.cli is imported, so
that programs and tests importing goconc keep their own Ctrl-C. (A Ctrl-C in the first
milliseconds, while Python itself is still finding the package, before any line here runs,
is Python's to report.)
"""

# `_signal` is the C module: importing `signal` first builds its enums, a window long enough
# for an early Ctrl-C to land in and print a traceback.
import _signal
import os


def _early_interrupt(signum, frame):  # pragma: no cover - timing dependent
    os.write(2, b"goconc: interrupted\n")
    os._exit(130)


try:
    _signal.signal(_signal.SIGINT, _early_interrupt)
except (ValueError, OSError):  # not the main thread
    pass


def run() -> None:
    from goconc.cli import main

    try:
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)  # from here, KeyboardInterrupt
    except (ValueError, OSError):
        pass
    try:
        main()
    except KeyboardInterrupt:  # between the handler and click's own try
        _early_interrupt(_signal.SIGINT, None)
    except Exception as exc:
        # Ctrl-C while a module is imported lazily can surface wrapped: a class body's
        # __set_name__ turns it into RuntimeError("Error calling __set_name__ ...")
        if _interrupted(exc):
            _early_interrupt(_signal.SIGINT, None)
        raise


def _interrupted(exc: BaseException) -> bool:
    seen = 0
    e: BaseException | None = exc
    while e is not None and seen < 20:
        if isinstance(e, KeyboardInterrupt):
            return True
        e = e.__cause__ or e.__context__
        seen += 1
    return False


if __name__ == "__main__":
    run()
