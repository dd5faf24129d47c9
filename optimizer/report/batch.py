"""The report of a batch folder: objective and KPIs against each swept parameter, failures, all scenarios.

Reads ``OUT/summary.csv`` (one row per scenario) and, when present, ``OUT/batch.json`` (the scenarios and
what each sets). Parameters are the keys scenarios set; a parameter is *swept* when it takes more than one
value. For each swept parameter, every chart has one line per combination of the other swept parameters.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from . import charts
from .fmt import compact, is_number, number, percent
from .page import Cell, Page, esc, figure, table
from .runs import ENCLAVE, detect_kind, read_csv, status_html

#: columns of summary.csv that describe the run rather than a parameter or a KPI
RUN_COLUMNS = ("scenario", "name", "status", "has_plan", "objective", "mip_gap", "gap", "best_bound", "seconds",
               "reused", "reason")
#: KPI names shown first when present (a column matches when its last dotted part is the name)
PREFERRED_KPIS = ("total_cost", "cost_per_teu", "trains", "avg_load_factor", "unserved_teu", "co2_t", "npv", "gain")
MAX_KPIS = 4
MAX_ROWS = 300
OK = ("optimal", "time_limit", "evaluated")


def _param_keys(out_dir: Path, df: pd.DataFrame) -> list[str]:
    """Parameters: what batch.json says scenarios set, else the columns between ``scenario`` and ``status``."""
    meta = out_dir / "batch.json"
    keys: list[str] = []
    if meta.is_file():
        try:
            for sc in json.loads(meta.read_text(encoding="utf-8")).get("scenarios", []):
                keys += [k for k in (sc.get("set") or {}) if k not in keys]
        except (json.JSONDecodeError, AttributeError):
            keys = []
    cols = list(df.columns)
    if keys:
        return [k if k in cols else f"set.{k}" for k in keys if k in cols or f"set.{k}" in cols]
    if "scenario" in cols and "status" in cols and cols.index("status") > cols.index("scenario"):
        return cols[cols.index("scenario") + 1: cols.index("status")]
    return []


def _kpi_columns(df: pd.DataFrame, params: list[str]) -> list[str]:
    numeric = [c for c in df.columns if c not in RUN_COLUMNS and c not in params
               and pd.to_numeric(df[c], errors="coerce").notna().any() and df[c].dtype != bool]
    preferred = [c for name in PREFERRED_KPIS for c in numeric if c.split(".")[-1] == name or c.split(".")[-2:-1] == [name]]
    rest = [c for c in numeric if c not in preferred]
    objective = pd.to_numeric(df["objective"], errors="coerce") if "objective" in df.columns else None
    chosen = [c for c in dict.fromkeys(preferred + rest)
              if objective is None or not pd.to_numeric(df[c], errors="coerce").equals(objective)]
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
    """``kpis.total_cost`` → ``total cost``."""
    return column.split(".")[-1].replace("_", " ")


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


def _enclave_comparison(out_dir: Path, df: pd.DataFrame) -> list[tuple[str, str]]:
    from .enclave import comparison_sections, load

    dirs = [out_dir / "runs" / str(s) for s in df.loc[df["_ok"], "scenario"]]
    dirs = [d for d in dirs if (d / "summary.json").is_file()]
    if not dirs or len(dirs) > 12:
        return []
    try:
        if detect_kind(dirs[0]) != ENCLAVE:
            return []
    except Exception:  # noqa: BLE001 - an unreadable run folder only removes this optional section
        return []
    return comparison_sections([load(d) for d in dirs])


def render(out_dir: Path) -> str:
    df = read_csv(out_dir, "summary.csv")
    if "scenario" not in df.columns and "name" in df.columns:
        df = df.rename(columns={"name": "scenario"})
    if "scenario" not in df.columns:
        df["scenario"] = [f"#{i + 1}" for i in range(len(df))]
    has_plan = df["has_plan"].astype(str).str.lower().isin(("true", "1")) if "has_plan" in df.columns else None
    status_ok = df.get("status", pd.Series(["optimal"] * len(df))).astype(str).isin(OK)
    df["_ok"] = has_plan if has_plan is not None else status_ok
    params = _param_keys(out_dir, df)
    swept = [p for p in params if df[p].map(_label).nunique() > 1]
    ycols = [c for c in ["objective"] + _kpi_columns(df, params) if c in df.columns]
    n, n_ok = len(df), int(df["_ok"].sum())
    page = Page(f"Batch – {out_dir.resolve().name}")
    page.subtitle.append(esc(f"{n} scenarios · {n_ok} with a plan · {n - n_ok} without"))
    obj = pd.to_numeric(df.loc[df["_ok"], "objective"], errors="coerce") if "objective" in df.columns else pd.Series(dtype=float)
    if obj.notna().any():
        lo, hi = obj.idxmin(), obj.idxmax()
        page.story = (f"Objective from <b>{esc(compact(obj[lo]))}</b> ({esc(df.at[lo, 'scenario'])}) to "
                      f"<b>{esc(compact(obj[hi]))}</b> ({esc(df.at[hi, 'scenario'])}).")
    if not swept:
        page.add("Parameters", '<p class="note">No parameter takes more than one value, so there is nothing to plot.</p>')
    for p in swept:
        page.add(f"Against {p}", _sweep_section(df, p, swept, ycols), anchor=f"sweep-{p}")
    for heading, html in _enclave_comparison(out_dir, df):
        page.add(heading, html)
    page.add(f"Failures ({n - n_ok})", _failures(out_dir, df), anchor="failures")
    page.add("All scenarios", _scenario_table(out_dir, df, params, [c for c in ycols if c != "objective"]),
             anchor="scenarios")
    return page.render()

