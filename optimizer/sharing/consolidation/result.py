"""The consolidation game's run folder: summary.json, allocation.csv, coalitions.csv, GAME.json.

A consolidation folder is made when the run starts (after every input check), because it keeps
the coalition cache (``coalitions-cache.jsonl``, one coalition per line) while the MIPs run: an
interrupted run leaves the folder with its cache, and the same command with the same ``--out``
resumes from it. The result files are written at the end, each atomically; files of an earlier
result in the folder are removed when a new run starts, so a folder never mixes two runs.

summary.json: ``instance``, ``rule``, ``method`` (enumeration | row generation), ``players``
(basis and cities of each), ``grand_coalition_cost`` c(N), ``allocation``, ``stand_alone``
c({i}), ``today`` (or null without a status quo), ``savings`` (vs stand-alone and vs today, CNY
and %), ``savings_game`` (s(N) and the allocation as savings), ``in_core``, ``least_core_epsilon``,
``most_objecting_coalition`` with its ``excess``, ``details`` (the rule's own: excess levels,
equal-profit spreads, sampling half-widths, core checks), ``counts`` (coalitions priced, solved,
resumed, at time limit, separation MIPs and seconds), ``options``, ``warnings``, ``seconds``,
``definition`` and ``today_attribution`` in words. Amounts are CNY per year.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ...results import atomic_write_text, check_target, dumps, make_folders, read_marker, register_files, write_marker
from .engine import ConsolidationResult
from .today import ATTRIBUTION_RULE

KIND = "consolidation"
CACHE = "coalitions-cache.jsonl"
RESULT_FILES = ("summary.json", "allocation.csv", "coalitions.csv", "GAME.json", "report.html", "run.log")
DEFINITION = (
    "c(S) is the optimal cost of the freight model on the same instance and parameters with the demand "
    "(westbound and return) of every city outside S removed, every hub and service available, S paying "
    "feeder, handling, trains, service and hub fixed costs and the unserved penalty; c(N) is the optimum "
    "of 'optimizer freight solve'. The savings game is s(S) = sum of c({i}) over S minus c(S)."
)


def _pct(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def allocation_table(r: ConsolidationResult) -> pd.DataFrame:
    """One row per player: cities, stand-alone, today, allocated, savings in CNY and %."""
    today = r.today if r.today is not None else np.full(r.players.n, np.nan)
    df = pd.DataFrame(
        {
            "player": list(r.players.names),
            "cities": [" ".join(r.players.cities[p]) for p in r.players.names],
            "stand_alone": r.stand_alone,
            "today": today,
            "allocated": r.allocation,
        }
    )
    df["saving_vs_stand_alone"] = df["stand_alone"] - df["allocated"]
    df["saving_vs_stand_alone_pct"] = 100.0 * df["saving_vs_stand_alone"] / df["stand_alone"].where(df["stand_alone"] != 0)
    df["saving_vs_today"] = df["today"] - df["allocated"]
    df["saving_vs_today_pct"] = 100.0 * df["saving_vs_today"] / df["today"].where(df["today"] != 0)
    return df


def coalitions_table(r: ConsolidationResult) -> pd.DataFrame:
    rows = r.cache.records()
    return pd.DataFrame(
        {
            "size": [x["size"] for x in rows],
            "members": [" ".join(x["members"]) for x in rows],
            "cost": [x["cost"] for x in rows],
            "best_bound": [x["best_bound"] for x in rows],
            "mip_gap": [x["mip_gap"] for x in rows],
            "status": [x["status"] for x in rows],
            "seconds": [x["seconds"] for x in rows],
            "started": [x["started"] for x in rows],
        },
        columns=["size", "members", "cost", "best_bound", "mip_gap", "status", "seconds", "started"],
    )


def summary(r: ConsolidationResult) -> dict:
    names = list(r.players.names)
    alloc = dict(zip(names, r.allocation.tolist()))
    stand = dict(zip(names, r.stand_alone.tolist()))
    vs_alone = {p: stand[p] - alloc[p] for p in names}
    out = {
        "instance": r.instance,
        "rule": r.rule,
        "method": r.method,
        "players": r.players.as_dict(),
        "grand_coalition_cost": r.grand,
        "allocation": alloc,
        "stand_alone": stand,
        "today": dict(zip(names, r.today.tolist())) if r.today is not None else None,
        "savings": {
            "vs_stand_alone": vs_alone,
            "vs_stand_alone_pct": {p: _pct(vs_alone[p], stand[p]) for p in names},
            "vs_today": {p: t - alloc[p] for p, t in zip(names, r.today.tolist())} if r.today is not None else None,
            "vs_today_pct": {p: _pct(t - alloc[p], t) for p, t in zip(names, r.today.tolist())} if r.today is not None else None,
        },
        "savings_game": {
            "total": float(r.stand_alone.sum() - r.grand),
            "total_pct": _pct(float(r.stand_alone.sum() - r.grand), float(r.stand_alone.sum())),
            "allocation": vs_alone,
        },
        "today_total": float(r.today.sum()) if r.today is not None else None,
        "in_core": r.core["in_core"],
        "least_core_epsilon": r.core["least_core_epsilon"],
        "most_objecting_coalition": {"members": r.core["most_objecting_coalition"], "excess": r.core["max_excess"]},
        "details": r.details,
        "counts": r.counts,
        "options": r.options,
        "warnings": list(r.warnings),
        "seconds": round(r.seconds, 3),
        "definition": DEFINITION,
        "today_attribution": ATTRIBUTION_RULE if r.today is not None else None,
        "city_today": r.city_today,
        "cities": r.cities,
    }
    return out


def game_document(r: ConsolidationResult) -> dict | None:
    """The enumerated game as a GAME.json that ``optimizer share game`` reads (None if not enumerated)."""
    g = r.game
    if g is None:
        return None
    return {
        "name": g.name,
        "note": "Cost game of freight consolidation written by optimizer share consolidation. " + DEFINITION,
        "kind": "cost",
        "players": list(g.players),
        "values": {g.coalition_name(m): float(g.values[m]) for m in range(1, g.full + 1)},
    }


def check_folder(out: str | Path, inputs=()) -> Path:
    """Refuse (exit 2) an ``--out`` that is not new, empty or a consolidation folder."""
    return check_target(out, KIND, inputs=inputs)


def open_folder(out: Path, inputs=()) -> Path:
    """Make (or re-open) the run folder for a new run: marker, stale result files removed; the
    coalition cache is kept for resuming. Returns the cache path."""
    check_folder(out, inputs)
    make_folders(out)
    marker = read_marker(out)
    for name in RESULT_FILES:
        if marker is not None and name in marker["files"] and (out / name).is_file():
            os.unlink(out / name)
    write_marker(out, KIND, [CACHE])
    return out / CACHE


def write_result(r: ConsolidationResult, out: Path, *, log_text: str = "", report: bool = True) -> dict:
    """Write the result files into the folder made by :func:`open_folder`; returns the summary."""
    s = summary(r)
    written = ["summary.json", "allocation.csv", "coalitions.csv"]
    register_files(out, written + ["GAME.json", "report.html", "run.log"])
    atomic_write_text(out / "allocation.csv", allocation_table(r).to_csv(index=False, float_format="%.6f"))
    atomic_write_text(out / "coalitions.csv", coalitions_table(r).to_csv(index=False, float_format="%.6f"))
    doc = game_document(r)
    if doc is not None:
        atomic_write_text(out / "GAME.json", json.dumps(doc, indent=1) + "\n")
    if log_text:
        atomic_write_text(out / "run.log", log_text)
    atomic_write_text(out / "summary.json", dumps(s) + "\n")
    if report:
        from ...report.consolidation import write_consolidation_report

        write_consolidation_report(out)
    return s
