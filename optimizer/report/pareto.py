"""The report of a Pareto front (``optimizer freight pareto``): cost against CO₂ or transit days.

The front as a chart (the measure across, cost up), the points as a table with what each costs
more than the least-cost plan and what it saves of the measure, each linked to its own run
folder's report.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from . import charts
from .fmt import compact, is_number, number
from .page import Cell, Page, esc, figure, table
from .runs import read_summary


def _millions(v: float) -> str:
    return f"{v / 1e6:,.0f} m"


def is_pareto(s: dict) -> bool:
    return isinstance(s.get("pareto"), dict) and isinstance(s.get("points"), list)


def render(run_dir: Path) -> str:
    s = read_summary(run_dir)
    if not is_pareto(s) or not s["points"]:
        raise InputError([Problem(str(run_dir / "summary.json"), "not the summary of a Pareto front")], source="report")
    meta, points = s["pareto"], s["points"]
    kpi, unit = meta["kpi"], meta["unit"]
    first, last = points[0], points[-1]
    page = Page(f"Cost against {'CO₂' if meta['objective'] == 'co2' else 'transit days'}: {s.get('instance', '')}")
    extra = last["total_cost"] - first["total_cost"]
    cut = first[kpi] - last[kpi]
    page.subtitle = [
        f"{len(points)} points by the ε-constraint method: least cost first, then at least cost under a cap on {esc(meta['cap_parameter'])}, "
        f"down to the least {esc(kpi)} at the same service level.",
    ]
    if first[kpi]:
        page.story = esc(
            f"Cutting {kpi} from {number(first[kpi], 0)} to {number(last[kpi], 0)} {unit} ({100 * cut / first[kpi]:.1f} %) "
            f"costs {compact(extra)} CNY a year more ({100 * extra / first['total_cost']:+.2f} %)."
        )
    xs = [p[kpi] for p in points]
    chart = charts.lines(xs, [("least cost at the cap", "#1d4ed8", [p["total_cost"] for p in points])], lambda v: number(v, 0 if abs(v) >= 100 else 2), _millions, x_label=f"{kpi} ({unit})", y_label="total cost, million CNY/yr", title="Pareto front")
    rows = []
    for p in points:
        more = p["total_cost"] - first["total_cost"]
        linked = (run_dir / str(p["folder"]) / "report.html").is_file()
        link = Cell(f'<a href="{esc(p["folder"])}/report.html">{esc(p["name"])}</a>', raw=True) if linked else str(p["name"])
        rows.append([
            link, "none" if p["cap"] is None else number(p["cap"], 0 if p["cap"] >= 100 else 2), number(p["total_cost"], 0),
            Cell(f"{100 * more / first['total_cost']:+.2f} %" if first["total_cost"] else "–", "bad" if more > 0 else ""),
            number(p[kpi], 0 if abs(p[kpi]) >= 100 else 2), f"{100 * (first[kpi] - p[kpi]) / first[kpi]:.2f} %" if first[kpi] else "–", str(p["status"]), str(p.get("note") or ""),
        ])
    low = s.get("lowest") or {}
    notes = [
        f"<p>Each point is a full freight run folder (points/NN, with its own report). The least {esc(kpi)} was found by minimising it with at most the least-cost plan's unserved TEU "
        f"({esc(low.get('status', '?'))}" + (f", gap {100 * low['mip_gap']:.2f} %" if is_number(low.get("mip_gap")) and low.get("mip_gap") else "") + ").</p>",
        "<p>" + ("The costs never fall as the cap tightens (monotone by construction)." if s.get("monotone", True)
                 else "A solve stopped by its time limit came back dearer than a tighter point; that point's plan is used (see note).") + "</p>",
    ]
    page.add("The front", figure(chart, f"Least total cost (the objective, a CO₂ price included) at each cap on {kpi}."), anchor="front")
    page.add("Points", table(["point", f"cap ({unit})", "total cost, CNY/yr", "vs least cost", f"{kpi} ({unit})", f"{kpi} saved", "status", "note"], rows, {1, 2, 3, 4, 5}), *notes, anchor="points")
    return page.render()
