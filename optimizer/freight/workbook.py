"""``results.xlsx`` of a freight run: a KPI sheet first, then every table of the run folder.

The KPI sheet has one row per KPI (:mod:`optimizer.freight.kpis`) with its unit, today's value (when
the instance has a status quo), the optimised value, the difference and the relative change; the
rows above them give the status, objective, best bound and gap of each plan. Every value is a number
with a number format (money in CNY with thousands separators, shares in percent); the tables follow
as they are in the CSV files (``flows``, ``services``, ``hubs``, ``unserved``, ``changes``,
``nodes``, ``sensitivity``), each with a frozen header.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..xlsx.write import SheetTable, formats_by_name, write_workbook

RESULTS_XLSX = "results.xlsx"
KPI_SHEET = "KPIs"
MONEY, SHARE, COUNT, AMOUNT = "#,##0", "0.0%", "0", "#,##0.0"
#: (key, label, unit, format) of the KPI rows; ``cost_breakdown.X`` reads a part of the cost breakdown
KPI_ROWS = (
    ("total_cost", "total cost", "CNY/yr", MONEY),
    ("cost_per_teu", "cost per TEU", "CNY/TEU", MONEY),
    ("cost_breakdown.feeder", "  feeder", "CNY/yr", MONEY),
    ("cost_breakdown.handling", "  handling", "CNY/yr", MONEY),
    ("cost_breakdown.trains", "  trains", "CNY/yr", MONEY),
    ("cost_breakdown.service_fixed", "  service fixed", "CNY/yr", MONEY),
    ("cost_breakdown.hub_fixed", "  hub fixed", "CNY/yr", MONEY),
    ("cost_breakdown.unserved_penalty", "  unserved penalty", "CNY/yr", MONEY),
    ("cost_breakdown.co2", "  CO2 at co2_price", "CNY/yr", MONEY),
    ("served_teu", "served TEU", "TEU/yr", AMOUNT),
    ("unserved_teu", "unserved TEU", "TEU/yr", AMOUNT),
    ("trains", "trains", "trains/yr", AMOUNT),
    ("train_km", "train-km", "km/yr", AMOUNT),
    ("avg_load_factor", "average load factor", "", SHARE),
    ("min_load_factor", "lowest load factor", "", SHARE),
    ("services_open", "services open", "", COUNT),
    ("hubs_open", "hubs open", "", COUNT),
    ("destinations_multi_hub", "destinations served by more than one hub", "", COUNT),
    ("co2_t", "CO2", "t/yr", AMOUNT),
    ("avg_days", "mean door-to-door days", "days", AMOUNT),
)
COLUMNS = ["kpi", "key", "unit", "today", "optimised", "difference", "change"]


def _kpi(kpis: dict, key: str):
    value = kpis
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def kpi_table(summary: dict) -> SheetTable:
    """The KPI sheet of a run's ``summary`` (summary.json)."""
    base = summary.get("baseline")
    rows, formats = [], []
    for key, label, unit, fmt in (("status", "status", "", None), ("objective", "objective", "CNY/yr", MONEY),
                                  ("best_bound", "best bound", "CNY/yr", MONEY), ("mip_gap", "MIP gap", "", SHARE)):
        rows.append({"kpi": label, "key": key, "unit": unit, "today": base.get(key) if base else None, "optimised": summary.get(key)})
        formats.append(fmt)
    for key, label, unit, fmt in KPI_ROWS:
        b = _kpi(base["kpis"], key) if base else None
        o = _kpi(summary.get("kpis") or {}, key)
        row = {"kpi": label, "key": key, "unit": unit, "today": b, "optimised": o}
        if b is not None and o is not None:
            row["difference"] = o - b
            if fmt != SHARE and b != 0:
                row["change"] = (o - b) / abs(b)
        rows.append(row)
        formats.append(fmt)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if not base:
        frame = frame.drop(columns=["today", "difference", "change"])
    change = [SHARE] * len(frame)
    return SheetTable(KPI_SHEET, frame, formats={"today": formats, "optimised": formats, "difference": formats, "change": change})


def write_results_workbook(path: str | Path, summary: dict, tables: dict[str, pd.DataFrame]) -> Path:
    """Write ``results.xlsx``: the KPI sheet, then one sheet per table."""
    sheets = [kpi_table(summary)] + [SheetTable(name, df, formats=formats_by_name(df.columns)) for name, df in tables.items()]
    return write_workbook(path, sheets, kind="results")
