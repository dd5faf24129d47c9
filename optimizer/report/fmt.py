"""Numbers as a reader wants them: units, sensible rounding, and the change between two figures."""

from __future__ import annotations

import math
from dataclasses import dataclass

MINUS = "\u2212"  # a real minus sign, not a hyphen
NBSP = "\u00a0"


def is_number(x) -> bool:
    """True for a finite int or float (bools and None are not numbers here)."""
    if x is None or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def number(x, digits: int | None = None) -> str:
    """Thousands separators; ``digits`` decimals, or chosen from the magnitude (3 significant figures)."""
    if not is_number(x):
        return "–"
    x = float(x)
    if digits is None:
        ax = abs(x)
        digits = 0 if ax >= 100 or ax == 0 else (1 if ax >= 10 else (2 if ax >= 0.1 else 3))
    if digits == 0 and abs(x) < 0.5:
        x = 0.0  # no "−0"
    return _signed(f"{x:,.{digits}f}")


def compact(x) -> str:
    """Large figures with a scale word: 1.23 bn, 45.6 m, 12,300 (3 significant figures)."""
    if not is_number(x):
        return "–"
    x = float(x)
    ax = abs(x)
    for scale, word in ((1e9, "bn"), (1e6, "m")):
        if ax >= scale:
            v = x / scale
            return f"{number(v, 2 if abs(v) < 10 else (1 if abs(v) < 100 else 0))}{NBSP}{word}"
    return number(x)


def percent(fraction, digits: int = 1) -> str:
    """0.734 → ``73.4 %``."""
    if not is_number(fraction):
        return "–"
    return f"{number(100 * float(fraction), digits)}{NBSP}%"


@dataclass(frozen=True)
class Unit:
    """How one kind of figure is written: ``style`` is compact, count, fraction or plain."""

    label: str  # shown in tables, e.g. "CNY/yr"
    style: str = "plain"  # compact (1.2 bn), count, fraction (as %), plain

    def __call__(self, x) -> str:
        if self.style == "compact":
            return compact(x)
        if self.style == "fraction":
            return percent(x)
        if self.style == "count":
            return number(x, 0) if is_number(x) and abs(float(x)) >= 1 else number(x)
        return number(x)


def change(old, new, unit: Unit) -> tuple[str, float | None]:
    """The change from ``old`` to ``new``, as text and as a signed number (None when undefined).

    Fractions change in percentage points; other figures show the difference and the relative change.
    """
    if not (is_number(old) and is_number(new)):
        return "–", None
    old, new = float(old), float(new)
    diff = new - old
    if unit.style == "fraction":
        return f"{_plus(number(100 * diff, 1))}{NBSP}pp", diff
    text = _plus(unit(diff))
    if old != 0:
        rel = 100 * diff / abs(old)
        text += f" ({_plus(number(rel, 1 if abs(rel) >= 1 or rel == 0 else None))}{NBSP}%)"
    return text, diff


def _plus(text: str) -> str:
    return text if text.startswith(MINUS) or text in ("0", "0.0", "0.00") else "+" + text
