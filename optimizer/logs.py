"""Logging: the library reports progress through :mod:`logging`, under the ``optimizer`` logger.

A library caller or a batch worker captures it like any other log (``logging.getLogger("optimizer")``);
nothing is printed unless someone asks:

* :func:`start_console` is what a command of the CLI calls first: it puts one handler on the
  ``optimizer`` logger that prints short lines, ``[   1.2s] message``, on the standard error of the
  moment (stdout stays clean for ``--json``), at INFO, or only warnings with ``--quiet``;
* :class:`RunLog` captures what one run logs, in the thread that runs it, for the run folder's
  ``run.log`` (a batch worker running two scenarios in two threads keeps them apart).
"""

from __future__ import annotations

import logging
import sys
import threading
import time

ROOT = "optimizer"


class _Elapsed(logging.Formatter):
    """``[  12.3s] message``, seconds since the formatter was made (the start of the command or run)."""

    def __init__(self) -> None:
        super().__init__()
        self.t0 = time.time()

    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        return f"[{record.created - self.t0:7.1f}s] {level}{record.getMessage()}"


class _Stderr(logging.StreamHandler):
    """A stream handler writing to whatever ``sys.stderr`` is when a record arrives (click's test
    runner swaps it per command)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def start_console(quiet: bool = False) -> logging.Logger:
    """Print the package's log on stderr from now on (only warnings when ``quiet``); returns the
    CLI's logger. A second call replaces the first one's handler."""
    root = logging.getLogger(ROOT)
    for h in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(h)
    handler = _Stderr()
    handler.setFormatter(_Elapsed())
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return logging.getLogger(f"{ROOT}.cli")


class RunLog(logging.Handler):
    """Collects what the package logs in this thread while the ``with`` block runs; :meth:`text` is run.log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(_Elapsed())
        self.thread = threading.get_ident()
        self.lines: list[str] = []
        self._level = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(self.format(record))

    def __enter__(self) -> "RunLog":
        root = logging.getLogger(ROOT)
        self._level = root.level
        if root.getEffectiveLevel() > logging.INFO:
            root.setLevel(logging.INFO)
        root.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        root = logging.getLogger(ROOT)
        root.removeHandler(self)
        root.setLevel(self._level)

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)
