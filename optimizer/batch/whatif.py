r"""What would it cost to keep or to close a hub: the plan re-solved with it forced open and closed.

The sensitivity of a plan (:mod:`optimizer.freight.sensitivity`) holds the design fixed, so it
cannot say what opening or closing a hub is worth. :func:`run_whatif` answers that by solving the
MIP again: for each hub asked about, one scenario with the hub forced open (``open_hubs``:
:math:`w_h = 1`, its fixed cost paid, its services free to run) and one with it closed
(``closed_hubs``), beside the base scenario (the instance as given, with its ``--set``
overrides). The difference of a scenario's cost from the base optimum is what keeping (or closing)
the hub costs; it is 0 for the choice the optimum makes already, up to the MIP gap of the solves.

It is a batch of freight scenarios (:mod:`optimizer.batch.runner`): the scenario file is written
first, so the same batch can be run again with ``optimizer batch OUT/whatif.yaml``. Output::

    OUT/whatif.yaml     the scenario file (base: the instance, by absolute path)
    OUT/whatif.csv      scenario, hub, forced, status, cost, difference, services, hubs (one row each)
    OUT/batch/          the batch folder: runs/<scenario>/ (each a full freight run folder),
                        summary.csv, summary.parquet, summary.xlsx, batch.json

In the open scenario the hub is taken out of ``closed_hubs`` and in the closed one out of
``open_hubs``, so a hub the instance closes (or forces open) can be asked about too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..errors import InputError, Problem
from ..instance.data import Instance
from ..results import atomic_write_text, check_target, default_run_dir, make_folders, remove_folders, to_jsonable, write_marker
from .runner import BatchResult, make_executor, prepare, run_plan
from .scenarios import safe_name

SCENARIO_FILE = "whatif.yaml"
TABLE = "whatif.csv"
BATCH_DIR = "batch"
#: what a whatif folder holds (listed in its marker)
WHATIF_FILES = (SCENARIO_FILE, TABLE, BATCH_DIR)
BASE = "base"
COLUMNS = ["scenario", "hub", "forced", "status", "cost", "difference", "services", "hubs"]


@dataclass
class WhatifResult:
    """The table of a whatif run (:data:`COLUMNS`), its folder and the batch that made it."""

    table: pd.DataFrame
    out_dir: Path
    batch: BatchResult

    @property
    def exit_code(self) -> int:
        return self.batch.exit_code


def check_hubs(instance: Instance, hubs: list[str]) -> list[str]:
    """The hub ids asked about, each once; an InputError (exit 2) names unknown ones and the valid ids."""
    if not hubs:
        raise InputError([Problem("--hub", "name at least one hub")], source="--hub")
    valid = [str(h) for h in instance.hubs.index]
    unknown = [h for h in hubs if h not in valid]
    if unknown:
        message = f"unknown hub id{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (valid: {', '.join(valid)})"
        raise InputError([Problem("--hub", message)], source="--hub")
    return list(dict.fromkeys(hubs))


def scenarios(instance: Instance, hubs: list[str]) -> list[dict]:
    """The base scenario and, per hub, one forced open and one closed (``name``, ``set``)."""
    closed = list(instance.params.get("closed_hubs") or ())
    opened = list(instance.params.get("open_hubs") or ())
    out = [{"name": BASE, "description": "the instance as given"}]
    for h in hubs:
        out.append({"name": safe_name(f"{h}-open"), "description": f"hub {h} forced open",
                    "set": {"open_hubs": list(dict.fromkeys([*opened, h])), "closed_hubs": [c for c in closed if c != h]}})
        out.append({"name": safe_name(f"{h}-closed"), "description": f"hub {h} closed",
                    "set": {"closed_hubs": list(dict.fromkeys([*closed, h])), "open_hubs": [o for o in opened if o != h]}})
    return out


def scenario_file(source: Path, instance: Instance, hubs: list[str], overrides: dict, options: dict) -> str:
    """The text of whatif.yaml: a freight scenario file any ``optimizer batch`` can run."""
    doc: dict = {
        "model": "freight",
        "base": str(Path(source).resolve()),
        "description": f"what keeping or closing hub(s) {', '.join(hubs)} costs (optimizer freight whatif)",
        "options": {k: v for k, v in options.items() if v is not None},
    }
    if overrides:
        doc["set"] = to_jsonable(overrides)
    doc["scenarios"] = scenarios(instance, hubs)
    return "# written by optimizer freight whatif\n" + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def whatif_table(summary: pd.DataFrame, hubs: list[str]) -> pd.DataFrame:
    """One row per scenario: its cost and the difference from the base optimum, services and hubs open."""
    rows = []
    by_name = {str(r["scenario"]): r for r in summary.to_dict("records")}
    base_cost = _num(by_name.get(BASE, {}).get("objective"))
    names = [(BASE, "", "")] + [(safe_name(f"{h}-{kind}"), h, kind) for h in hubs for kind in ("open", "closed")]
    for name, hub, forced in names:
        r = by_name.get(name, {})
        cost = _num(r.get("objective"))
        rows.append({
            "scenario": name, "hub": hub, "forced": forced, "status": r.get("status", "missing"), "cost": cost,
            "difference": cost - base_cost if not (math.isnan(cost) or math.isnan(base_cost)) else math.nan,
            "services": _num(r.get("kpis.services_open")), "hubs": _num(r.get("kpis.hubs_open")),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _num(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def run_whatif(
    source: str | Path,
    instance: Instance,
    hubs: list[str],
    *,
    overrides: dict | None = None,
    out: str | Path | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    workers: int | None = None,
    quiet: bool = False,
    stream=None,
) -> WhatifResult:
    """Solve the base and, per hub, the plans with it forced open and closed; write OUT (module docstring).

    ``instance``: the loaded instance of ``source`` (with ``overrides`` applied, to check the hubs
    and build the scenarios); ``overrides``: the ``--set`` values, applied to every scenario.
    """
    hubs = check_hubs(instance, list(hubs))
    out_dir = check_target(out, "whatif", inputs=[source]) if out else default_run_dir(f"{instance.name}-whatif")
    text = scenario_file(Path(source), instance, hubs, dict(overrides or {}), {"time_limit": time_limit, "mip_gap": mip_gap})
    created: list[Path] = []
    try:
        created = make_folders(out_dir)
        write_marker(out_dir, "whatif", WHATIF_FILES, instance=str(Path(source).resolve()))
        atomic_write_text(out_dir / SCENARIO_FILE, text)
    except OSError as exc:
        remove_folders(created)
        raise InputError([Problem(str(out_dir), f"cannot be written: {exc.strerror or exc}")], source="--out") from None
    plan = prepare(out_dir / SCENARIO_FILE)
    workers = workers or min(len(plan.tasks), make_executor(None, None).workers)
    result = run_plan(plan, out_dir / BATCH_DIR, executor=make_executor(workers, None), quiet=quiet, stream=stream)
    table = whatif_table(result.summary if result.summary is not None else pd.DataFrame(columns=["scenario"]), hubs)
    atomic_write_text(out_dir / TABLE, table.to_csv(index=False, float_format="%.10g"))
    return WhatifResult(table=table, out_dir=out_dir, batch=result)


def format_table(table: pd.DataFrame) -> str:
    """The whatif table as aligned text for the console."""
    header = ["scenario", "status", "cost, CNY/yr", "vs base", "services", "hubs"]
    rows = [header]
    for r in table.to_dict("records"):
        cost, diff = r["cost"], r["difference"]
        rows.append([
            str(r["scenario"]), str(r["status"]),
            "–" if math.isnan(cost) else f"{cost:,.0f}",
            "–" if math.isnan(diff) else ("0" if abs(diff) < 0.5 else f"{diff:+,.0f}"),
            "–" if math.isnan(r["services"]) else f"{r['services']:.0f}",
            "–" if math.isnan(r["hubs"]) else f"{r['hubs']:.0f}",
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in rows)
