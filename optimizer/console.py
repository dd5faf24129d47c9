"""Concise progress messages on stderr (stdout stays clean for ``--json``)."""

from __future__ import annotations

import sys
import time


class Console:
    """Prints short progress lines to stderr unless ``quiet``; ``elapsed`` prefixes the time."""

    def __init__(self, quiet: bool = False, stream=None) -> None:
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.t0 = time.perf_counter()

    def info(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:7.1f}s] {message}", file=self.stream, flush=True)


#: a console that says nothing, for API callers that want silence
SILENT = Console(quiet=True)
