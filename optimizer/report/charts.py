"""Small inline-SVG charts (no JavaScript, no library): bars, stacked bars and lines with hover titles."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .fmt import is_number
from .page import esc

#: colour-blind friendly categorical palette (Okabe–Ito, then Tableau) used by every chart and map
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F",
)
PLAN_COLOURS = {"baseline": "#9aa5b1", "optimised": "#1d4ed8"}
TEXT = "#1f2933"
GRID = "#e4e7eb"

Fmt = Callable[[float], str]


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def legend(series: Sequence[tuple[str, str]]) -> str:
    """HTML legend: one swatch per (name, colour)."""
    items = "".join(
        f'<span><svg width="12" height="12"><rect width="12" height="12" fill="{c}"/></svg> {esc(n)}</span>'
        for n, c in series
    )
    return f'<div class="legend">{items}</div>'


def _svg(width: float, height: float, body: str, label: str) -> str:
    return (
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{esc(label)}">{body}</svg>'
    )


def _axis(vmax: float, lo: float = 0.0, n: int = 5) -> list[float]:
    """Round tick values from ``lo`` up to the first tick at or above ``vmax`` (about ``n`` steps)."""
    span = vmax - lo
    if span <= 0 or not math.isfinite(span):
        return [lo, lo + 1.0]
    raw = span / n
    e = 10 ** math.floor(math.log10(raw))
    step = next(m * e for m in (1, 2, 2.5, 5, 10) if m * e >= raw * 0.999)
    first = math.floor(lo / step + 1e-9) * step
    ticks = [first]
    while ticks[-1] < vmax - 1e-9 * step:
        ticks.append(first + len(ticks) * step)
    return ticks


def _value_grid(ticks: list[float], left: float, scale: float, bottom: float, fmt: Fmt) -> list[str]:
    """Vertical grid lines with their values on top, for horizontal bar charts."""
    parts = []
    for t in ticks:
        x = left + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="12" font-size="10" text-anchor="middle" fill="#616e7c">{esc(fmt(t))}</text>')
    return parts


def _row_label(left: float, y: float, text: str, size: float) -> str:
    return (f'<text x="{left - 6}" y="{y:.1f}" font-size="{size}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{TEXT}">{esc(text)}</text>')


def hbars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    fmt: Fmt,
    *,
    vmax: float | None = None,
    marker: float | None = None,
    width: float = 760.0,
    left: float = 230.0,
    title: str = "",
) -> str:
    """Grouped horizontal bars: one group per label, one bar per series (name, colour, values).

    ``vmax`` is the smallest axis maximum; ``marker`` draws a dashed reference line (for example 100 %).
    """
    right, bar, gap = 64.0, 11.0, 7.0
    group = bar * len(series) + gap
    height = 24 + group * len(labels) + 20
    values = [v for _, _, vs in series for v in vs if is_number(v)]
    ticks = _axis(max(values + [marker or 0.0, vmax or 0.0], default=1.0), n=4)
    top = ticks[-1]
    scale = (width - left - right) / top
    parts = _value_grid(ticks, left, scale, height - 16, fmt)
    for i, lab in enumerate(labels):
        y0 = 24 + i * group
        parts.append(_row_label(left, y0 + group / 2, lab, 11))
        for j, (name, col, vs) in enumerate(series):
            v = vs[i]
            if not is_number(v):
                continue
            y = y0 + j * bar
            w = max(0.0, float(v) * scale)
            parts.append(
                f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar - 2}" fill="{col}">'
                f"<title>{esc(lab)} – {esc(name)}: {esc(fmt(v))}</title></rect>"
                f'<text x="{left + w + 4:.1f}" y="{y + bar / 2:.1f}" font-size="9.5" dominant-baseline="middle" '
                f'fill="#3e4c59">{esc(fmt(v))}</text>'
            )
    if marker is not None:
        x = left + marker * scale
        parts.append(f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height - 16:.1f}" stroke="#b42318" stroke-dasharray="4 3"/>')
    return _svg(width, height, "".join(parts), title)


def _totals(n: int, segments: Sequence[tuple[str, str, Sequence[float]]]) -> list[float]:
    return [sum(float(vs[i]) for _, _, vs in segments if is_number(vs[i])) for i in range(n)]


def _stacked(segments: Sequence[tuple[str, str, Sequence[float]]], i: int, scale: float):
    """(name, colour, value, start, length) of the positive segments of bar ``i``, lengths in px."""
    start = 0.0
    for name, col, vs in segments:
        v = vs[i]
        if is_number(v) and float(v) > 0:
            yield name, col, v, start, float(v) * scale
            start += float(v) * scale


def stacked_hbars(
    labels: Sequence[str], segments: Sequence[tuple[str, str, Sequence[float]]], fmt: Fmt, *, title: str = ""
) -> str:
    """One horizontal bar per label, split into segments (name, colour, value per label)."""
    width, left, right, bar = 760.0, 120.0, 90.0, 26.0
    height = 24 + (bar + 12) * len(labels) + 10
    totals = _totals(len(labels), segments)
    ticks = _axis(max(totals, default=1.0), n=4)
    top = ticks[-1]
    scale = (width - left - right) / top
    parts = _value_grid(ticks, left, scale, height - 8, fmt)
    for i, lab in enumerate(labels):
        y = 24 + i * (bar + 12)
        parts.append(_row_label(left, y + bar / 2, lab, 12))
        x = left
        for name, col, v, start, w in _stacked(segments, i, scale):
            x = left + start + w
            parts.append(
                f'<rect x="{left + start:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar}" fill="{col}" stroke="#fff" '
                f'stroke-width="0.5"><title>{esc(lab)} – {esc(name)}: {esc(fmt(v))}</title></rect>'
            )
        parts.append(
            f'<text x="{x + 5:.1f}" y="{y + bar / 2:.1f}" font-size="11" dominant-baseline="middle" '
            f'font-weight="600" fill="{TEXT}">{esc(fmt(totals[i]))}</text>'
        )
    return _svg(width, height, "".join(parts), title)


def stacked_columns(
    xlabels: Sequence[str],
    segments: Sequence[tuple[str, str, Sequence[float]]],
    fmt: Fmt,
    *,
    vmax: float | None = None,
    title: str = "",
) -> str:
    """Vertical stacked columns (one per x label, for example per year), segments (name, colour, values)."""
    width, left, bottom, topm = 560.0, 64.0, 26.0, 14.0
    height = 240.0
    n = max(1, len(xlabels))
    slot = (width - left - 10) / n
    col_w = min(46.0, slot * 0.7)
    totals = _totals(len(xlabels), segments)
    ticks = _axis(max(totals + [vmax or 0.0], default=1.0), n=4)
    top = ticks[-1]
    scale = (height - bottom - topm) / top
    base = height - bottom
    parts = []
    for t in ticks:
        y = base - t * scale
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 5}" y="{y:.1f}" font-size="10" text-anchor="end" dominant-baseline="middle" '
            f'fill="#616e7c">{esc(fmt(t))}</text>'
        )
    for i, lab in enumerate(xlabels):
        cx = left + slot * (i + 0.5)
        for name, col, v, start, h in _stacked(segments, i, scale):
            parts.append(
                f'<rect x="{cx - col_w / 2:.1f}" y="{base - start - h:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                f'fill="{col}" stroke="#fff" stroke-width="0.5"><title>{esc(lab)} – {esc(name)}: {esc(fmt(v))}</title></rect>'
            )
        parts.append(f'<text x="{cx:.1f}" y="{height - 8}" font-size="10.5" text-anchor="middle" fill="{TEXT}">{esc(lab)}</text>')
    return _svg(width, height, "".join(parts), title)


def lines(
    xs: Sequence[float],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    fmt_x: Fmt,
    fmt_y: Fmt,
    *,
    x_label: str = "",
    y_label: str = "",
    y_range: tuple[float, float] | None = None,
    title: str = "",
) -> str:
    """A line chart over numeric ``xs``; each series (name, colour, ys) may have gaps (None).

    ``y_range`` fixes the vertical axis (for example 0–1 for shares); otherwise it fits the data.
    """
    width, height, left, right, top, bottom = 560.0, 260.0, 70.0, 14.0, 22.0, 38.0
    ys = [float(v) for _, _, vs in series for v in vs if is_number(v)]
    lo, hi = y_range or ((min(ys), max(ys)) if ys else (0.0, 1.0))
    if hi == lo:
        lo, hi = lo - (abs(lo) * 0.05 or 1.0), hi + (abs(hi) * 0.05 or 1.0)
    ticks = _axis(hi, lo, n=4)
    lo, hi = ticks[0], ticks[-1]
    x0, x1 = (min(xs), max(xs)) if len(xs) else (0.0, 1.0)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    pad = 0.06 * (x1 - x0)  # room for the first and last tick labels
    x0, x1 = x0 - pad, x1 + pad

    def px(x):
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y):
        return top + (hi - y) / (hi - lo) * (height - top - bottom)

    parts = []
    for t in ticks:
        parts.append(f'<line x1="{left}" y1="{py(t):.1f}" x2="{width - right}" y2="{py(t):.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 5}" y="{py(t):.1f}" font-size="10" text-anchor="end" dominant-baseline="middle" '
            f'fill="#616e7c">{esc(fmt_y(t))}</text>'
        )
    for x in xs:
        parts.append(f'<text x="{px(x):.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle" fill="{TEXT}">{esc(fmt_x(x))}</text>')
    if x_label:
        parts.append(f'<text x="{(left + width - right) / 2:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" fill="#616e7c">{esc(x_label)}</text>')
    if y_label:
        parts.append(f'<text x="{left}" y="12" font-size="11" fill="#616e7c">{esc(y_label)}</text>')
    for name, col, vs in series:
        pts = [(px(float(x)), py(float(v)), x, v) for x, v in zip(xs, vs) if is_number(v)]
        if len(pts) > 1:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b, _, _ in pts)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{col}" stroke-width="2"><title>{esc(name)}</title></polyline>')
        for a, b, x, v in pts:
            parts.append(
                f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{col}"><title>{esc(name)} at {esc(fmt_x(x))}: '
                f"{esc(fmt_y(v))}</title></circle>"
            )
    return _svg(width, height, "".join(parts), title)


#: waterfall steps that raise or lower the total (a cost rising is drawn in vermillion, falling in green)
RISE, FALL, TOTAL = "#D55E00", "#009E73", "#52606d"


def waterfall(
    start: tuple[str, float],
    steps: Sequence[tuple[str, float | None]],
    end: tuple[str, float],
    fmt: Fmt,
    *,
    end_colour: str = "#1d4ed8",
    width: float = 760.0,
    left: float = 190.0,
    title: str = "",
) -> str:
    """A horizontal waterfall: the ``start`` total, one floating bar per step (its signed change, from the
    running sum), and the ``end`` total; dashed connectors join each bar to the next.

    Steps that are not numbers or zero are left out. The axis starts at zero (or below, should the running
    sum dip under it), so the totals are drawn to scale.
    """
    right, bar, gap = 90.0, 18.0, 8.0
    shown = [(lab, float(v)) for lab, v in steps if is_number(v) and abs(float(v)) > 1e-9]
    rows: list[tuple[str, float, float, str, str]] = []  # label, from, to, colour, value text
    s0 = float(start[1]) if is_number(start[1]) else 0.0
    rows.append((start[0], 0.0, s0, TOTAL, fmt(s0)))
    run = s0
    for lab, v in shown:
        text = fmt(v)
        text = text if text.startswith(("-", "\u2212")) else "+" + text
        rows.append((lab, run, run + v, RISE if v > 0 else FALL, text))
        run += v
    e = float(end[1]) if is_number(end[1]) else run
    rows.append((end[0], 0.0, e, end_colour, fmt(e)))
    lo = min([0.0] + [min(a, b) for _, a, b, _, _ in rows])
    hi = max([max(a, b) for _, a, b, _, _ in rows] + [1e-9])
    ticks = _axis(hi, lo if lo < 0 else 0.0, n=4)
    lo, top = ticks[0], ticks[-1]
    scale = (width - left - right) / ((top - lo) or 1.0)
    height = 24 + (bar + gap) * len(rows) + 8

    def x(v: float) -> float:
        return left + (v - lo) * scale

    parts = []
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" y1="18" x2="{x(t):.1f}" y2="{height - 8:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x(t):.1f}" y="12" font-size="10" text-anchor="middle" fill="#616e7c">{esc(fmt(t))}</text>')
    for i, (lab, a, b, col, text) in enumerate(rows):
        y = 24 + i * (bar + gap)
        x0, x1 = sorted((x(a), x(b)))
        w = max(x1 - x0, 1.0)
        parts.append(_row_label(left, y + bar / 2, lab, 11.5))
        parts.append(
            f'<rect class="wf-step" x="{x0:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar}" fill="{col}">'
            f"<title>{esc(lab)}: {esc(text)}</title></rect>"
            f'<text x="{x0 + w + 4:.1f}" y="{y + bar / 2:.1f}" font-size="10.5" dominant-baseline="middle" '
            f'fill="{TEXT}">{esc(text)}</text>'
        )
        if i < len(rows) - 1:
            nxt = y + bar + gap
            parts.append(f'<line x1="{x(b):.1f}" y1="{y + bar:.1f}" x2="{x(b):.1f}" y2="{nxt:.1f}" stroke="#7b8794" '
                         'stroke-dasharray="3 2"/>')
    return _svg(width, height, "".join(parts), title)
