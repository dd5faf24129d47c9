"""The report of a batch folder: objective and KPIs against each swept parameter, failures, all scenarios.

Reads ``OUT/summary.csv`` (one row per scenario) and, when present, ``OUT/batch.json`` (the scenarios, what
each sets, and the scenario file whose ``sweep`` names the swept keys). For each swept parameter, every chart
has one line per combination of the other swept parameters, over the sweep's scenarios (named scenarios are
listed, not plotted). A batch of enclave rules also gets the rules side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..documents import read_json, read_yaml
from ..errors import InputError
from . import charts
from .fmt import compact, is_number, number, percent
from .page import Cell, Page, esc, figure, table
from .runs import ENCLAVE, detect_kind, read_csv, status_html

#: columns of summary.csv that describe the run rather than a parameter or a KPI
RUN_COLUMNS = ("scenario", "name", "status", "has_plan", "objective", "mip_gap", "gap", "best_bound", "seconds",
               "started", "reason")
#: KPI columns shown first when present: exact names, then prefixes (one column per party)
PREFERRED_KPIS = ("kpis.total_cost", "kpis.cost_per_teu", "kpis.trains", "kpis.avg_load_factor", "kpis.unserved_teu",
                  "kpis.co2_t", "total_cost", "trains", "avg_load_factor")
PREFERRED_PREFIXES = ("npv.", "gain.")
MAX_KPIS = 4
MAX_ROWS = 300
OK = ("optimal", "time_limit", "evaluated")


@dataclass
class Layout:
    """What the batch varied: every parameter set, the swept ones, and the named (not swept) scenarios."""

    params: list[str]
    swept: list[str]
    named: set[str]


def _read_json(path: Path) -> dict:
    try:
        data = read_json(path, "summary").data
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def _scenario_file(meta: dict) -> dict:
    """The scenario file named in batch.json, when it can still be read (it holds the sweep keys)."""
    name = meta.get("scenario_file")
    if not isinstance(name, str):
        return {}
    try:
        doc = read_yaml(name).data
    except InputError:
        return {}
    return doc if isinstance(doc, dict) else {}


def layout(out_dir: Path, df: pd.DataFrame) -> Layout:
    """Parameters from batch.json (what scenarios set) or the summary columns between ``scenario`` and
    ``status``; swept keys from batch.json or the scenario file's ``sweep``, else every parameter that
    takes more than one value."""
    meta = _read_json(out_dir / "batch.json")
    cols = list(df.columns)
    keys: list[str] = []
    for sc in meta.get("scenarios") or []:
        keys += [k for k in (sc.get("set") or {}) if k not in keys]
    if keys:
        params = [k if k in cols else f"set.{k}" for k in keys if k in cols or f"set.{k}" in cols]
    elif "scenario" in cols and "status" in cols and cols.index("status") > cols.index("scenario"):
        params = cols[cols.index("scenario") + 1: cols.index("status")]
    else:
        params = []
    doc = _scenario_file(meta)
    sweep = meta.get("sweep_keys") or list((doc.get("sweep") or {}) if isinstance(doc.get("sweep"), dict) else [])
    named = {str(sc.get("name")) for sc in doc.get("scenarios") or [] if isinstance(sc, dict)}
    named |= {str(sc.get("name")) for sc in meta.get("scenarios") or [] if sc.get("origin") not in (None, "sweep")}
    swept = [p for p in params if p in sweep or p.removeprefix("set.") in sweep]
    if not swept:
        swept = [p for p in params if df[p].map(_label).nunique() > 1]
        named = set()
    return Layout(params, swept, named)


def _kpi_columns(df: pd.DataFrame, params: list[str]) -> list[str]:
    """Up to MAX_KPIS numeric result columns that vary: preferred ones first, never the objective again."""
    ok = df[df["_ok"]]
    numeric = [c for c in df.columns if c not in RUN_COLUMNS and c not in params and not c.startswith("_")
               and df[c].dtype != bool and pd.to_numeric(ok[c], errors="coerce").nunique() > 1]
    preferred = [c for c in PREFERRED_KPIS if c in numeric]
    preferred += [c for p in PREFERRED_PREFIXES for c in numeric if c.startswith(p)]
    objective = pd.to_numeric(ok["objective"], errors="coerce") if "objective" in ok.columns else None
    chosen = [c for c in dict.fromkeys(preferred or numeric)
              if objective is None or not pd.to_numeric(ok[c], errors="coerce").equals(objective)]
    return chosen[:MAX_KPIS]


def _fmt_for(column: str):
    low = column.lower()
    if any(w in low for w in ("load_factor", "utilisation", "share", "gap")):
        return lambda v: percent(v, 1)
    return compact


def _tick(x) -> str:
    """A parameter value on an axis: whole numbers without decimals."""
    return str(int(round(float(x)))) if float(x).is_integer() else number(x)


def _label(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "(base)"
    return _tick(v) if is_number(v) and not isinstance(v, str) else str(v)


def _title(column: str) -> str:
    """``kpis.total_cost`` → ``total cost``, ``npv.beijing`` → ``npv beijing``."""
    return column.removeprefix("kpis.").replace(".", " ").replace("_", " ")


def _x_axis(values: pd.Series) -> tuple[list, list[float], Callable]:
    """Distinct x values in order, their positions, and the tick formatter."""
    distinct = list(dict.fromkeys(values.tolist()))
    nums = pd.to_numeric(pd.Series(distinct), errors="coerce")
    if len(distinct) and nums.notna().all():
        order = sorted(distinct, key=float)
        return order, [float(v) for v in order], _tick
    order = distinct
    return order, list(range(len(order))), lambda i: _label(order[int(round(i))]) if 0 <= round(i) < len(order) else ""


def _sweep_section(df: pd.DataFrame, param: str, swept: list[str], ycols: list[str]) -> str:
    ok = df[df["_ok"]]
    others = [p for p in swept if p != param]
    order, xs, fmt_x = _x_axis(ok[param])
    groups = ok.groupby(others, dropna=False, sort=True) if others else [((), ok)]
    lines_by_col: dict[str, list] = {c: [] for c in ycols}
    for i, (key, g) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{p}={_label(v)}" for p, v in zip(others, key)) or "all scenarios"
        for c in ycols:
            by_x = pd.to_numeric(g[c], errors="coerce").groupby(g[param].map(_label)).mean()
            lines_by_col[c].append((name, charts.colour(i), [by_x.get(_label(v)) for v in order]))
    figs = []
    for c in ycols:
        svg = charts.lines(xs, lines_by_col[c], fmt_x, _fmt_for(c), x_label=param, y_label=_title(c),
                           title=f"{_title(c)} against {param}")
        figs.append(figure(svg, f"{_title(c)} against {param}"))
    legend = charts.legend([(n, col) for n, col, _ in lines_by_col[ycols[0]]]) if others else ""
    return legend + f'<div class="grid2">{"".join(figs)}</div>'


def _link(out_dir: Path, scenario: str) -> str:
    report = out_dir / "runs" / scenario / "report.html"
    if report.is_file():
        return f'<a href="runs/{esc(scenario)}/report.html">{esc(scenario)}</a>'
    return esc(scenario)


def _scenario_table(out_dir: Path, df: pd.DataFrame, params: list[str], ycols: list[str]) -> str:
    header = ["Scenario"] + params + ["Status", "Objective", "Gap", "Seconds"] + [_title(c) for c in ycols]
    rows = []
    for r in df.head(MAX_ROWS).to_dict("records"):
        rows.append([Cell(_link(out_dir, str(r["scenario"])), raw=True)] + [_label(r.get(p)) for p in params]
                    + [Cell(status_html(r.get("status")), raw=True), compact(r.get("objective")),
                       percent(r.get("mip_gap"), 2), number(r.get("seconds"), 1)]
                    + [_fmt_for(c)(r.get(c)) for c in ycols])
    more = f'<p class="note">First {MAX_ROWS} of {len(df)} scenarios; all are in summary.csv.</p>' if len(df) > MAX_ROWS else ""
    first = len(params) + 2
    return table(header, rows, num_cols=set(range(first, len(header)))) + more


def _failures(out_dir: Path, df: pd.DataFrame) -> str:
    bad = df[~df["_ok"]]
    if bad.empty:
        return '<p class="note">Every scenario has a plan.</p>'
    rows = [[Cell(_link(out_dir, str(r["scenario"])), raw=True), Cell(status_html(r.get("status")), raw=True),
             str(r.get("reason") or "")] for r in bad.to_dict("records")]
    return table(["Scenario", "Status", "Reason"], rows)


def _enclave_comparison(out_dir: Path, df: pd.DataFrame, params: list[str]) -> list[tuple[str, str]]:
    """When the batch ran several rules: the rules side by side, where every other parameter is equal.

    Of the groups of scenarios with equal non-rule parameters, the one with the most rules is shown.
    """
    from .enclave import comparison_sections, load

    rule = next((p for p in params if p.removeprefix("set.") == "rule"), None)
    ok = df[df["_ok"] & df["scenario"].map(lambda s: (out_dir / "runs" / str(s) / "summary.json").is_file())]
    if rule is None or ok.empty:
        return []
    others = [p for p in params if p != rule]
    keyed = ok.assign(_key=ok[others].map(_label).agg(" ".join, axis=1) if others else "")
    best = max(keyed.groupby("_key", sort=False), key=lambda kv: kv[1][rule].nunique())[1]
    best = best.drop_duplicates(rule)
    if len(best) < 2 or detect_kind(out_dir / "runs" / str(best["scenario"].iloc[0])) != ENCLAVE:
        return []
    at = ", ".join(f"{p}={_label(best[p].iloc[0])}" for p in others)
    sections = comparison_sections([load(out_dir / "runs" / str(s)) for s in best["scenario"]])
    note = f'<p class="note">Scenarios {esc(", ".join(map(str, best["scenario"])))}' + (f" (all at {esc(at)})" if at else "") + ".</p>"
    return [(heading, (note if i == 0 else "") + html) for i, (heading, html) in enumerate(sections)]


def render(out_dir: Path) -> str:
    df = read_csv(out_dir, "summary.csv")
    if "scenario" not in df.columns and "name" in df.columns:
        df = df.rename(columns={"name": "scenario"})
    if "scenario" not in df.columns:
        df["scenario"] = [f"#{i + 1}" for i in range(len(df))]
    has_plan = df["has_plan"].astype(str).str.lower().isin(("true", "1")) if "has_plan" in df.columns else None
    status_ok = df.get("status", pd.Series(["optimal"] * len(df))).astype(str).isin(OK)
    df["_ok"] = has_plan if has_plan is not None else status_ok
    lay = layout(out_dir, df)
    objective = pd.to_numeric(df.loc[df["_ok"], "objective"], errors="coerce") if "objective" in df.columns else None
    ycols = (["objective"] if objective is not None and objective.notna().any() else []) + _kpi_columns(df, lay.params)
    n, n_ok = len(df), int(df["_ok"].sum())
    page = Page(f"Batch – {out_dir.resolve().name}")
    page.subtitle.append(esc(f"{n} scenarios · {n_ok} with a plan · {n - n_ok} without"))
    obj = pd.to_numeric(df.loc[df["_ok"], "objective"], errors="coerce") if "objective" in df.columns else pd.Series(dtype=float)
    if obj.notna().any():
        lo, hi = obj.idxmin(), obj.idxmax()
        page.story = (f"Objective from <b>{esc(compact(obj[lo]))}</b> ({esc(df.at[lo, 'scenario'])}) to "
                      f"<b>{esc(compact(obj[hi]))}</b> ({esc(df.at[hi, 'scenario'])}).")
    sweep_rows = df[~df["scenario"].astype(str).isin(lay.named)]
    if not lay.swept or not ycols:
        page.add("Parameters", '<p class="note">Nothing to plot: no parameter takes more than one value, '
                               "or no scenario has a numeric result.</p>")
    else:
        for p in lay.swept:
            page.add(f"Against {p}", _sweep_section(sweep_rows, p, lay.swept, ycols), anchor=f"sweep-{p}")
    for heading, html in _enclave_comparison(out_dir, df, lay.params):
        page.add(heading, html)
    page.add(f"Failures ({n - n_ok})", _failures(out_dir, df), anchor="failures")
    page.add("All scenarios", _scenario_table(out_dir, df, lay.params, [c for c in ycols if c != "objective"]),
             anchor="scenarios")
    return page.render()

