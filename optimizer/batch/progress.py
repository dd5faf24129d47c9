"""A progress bar for batch runs on stderr: done/total, failures, elapsed time and ETA.

On a terminal the bar redraws one line in place; elsewhere (a log file, CI) it prints a plain line
at most every ``interval`` seconds and at the end, so logs stay short. The ETA is the mean time
per finished scenario in this run times the scenarios left (scenarios kept by ``--resume`` count
as done but not in the rate).
"""

from __future__ import annotations

import sys
import time


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    """``update(failed=...)`` once per finished scenario; ``close()`` at the end."""

    def __init__(
        self,
        total: int,
        *,
        done: int = 0,
        quiet: bool = False,
        stream=None,
        width: int = 24,
        interval: float = 5.0,
        label: str = "scenarios",
    ) -> None:
        self.total = total
        self.done = done
        self.kept = done
        self.failed = 0
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interval = interval
        self.label = label
        self.t0 = time.perf_counter()
        self._last = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn = False
        self._render(force=True)

    def eta(self) -> float | None:
        ran = self.done - self.kept
        if ran <= 0:
            return None
        return (time.perf_counter() - self.t0) / ran * (self.total - self.done)

    def text(self) -> str:
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        eta = self.eta()
        parts = [
            f"[{bar}] {self.done}/{self.total} {self.label}",
            f"{self.failed} failed",
            f"{_clock(time.perf_counter() - self.t0)} elapsed",
        ]
        if self.done < self.total:
            parts.append(f"ETA {_clock(eta)}" if eta is not None else "ETA --:--")
        return ", ".join(parts)

    def update(self, n: int = 1, *, failed: bool = False) -> None:
        self.done += n
        self.failed += int(failed)
        self._render(force=self.done >= self.total)

    def note(self, message: str) -> None:
        """A message line that does not break the bar."""
        if self.quiet:
            return
        if self._tty and self._drawn:
            self.stream.write("\r\033[K")
        self.stream.write(message + "\n")
        if self._tty:
            self._drawn = False
            self._render(force=True)

    def _render(self, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.perf_counter()
        if self._tty:
            self.stream.write("\r\033[K" + self.text())
            self._drawn = True
        elif force or now - self._last >= self.interval:
            self.stream.write(self.text() + "\n")
        else:
            return
        self._last = now
        self.stream.flush()

    def close(self) -> None:
        if self.quiet:
            return
        if self._tty:
            self.stream.write("\r\033[K" + self.text() + "\n")
        elif self.done < self.total:  # interrupted: say where it stopped
            self.stream.write(self.text() + "\n")
        self.stream.flush()
