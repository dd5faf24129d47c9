"""Solve an instance end to end: build → HiGHS → tables and KPIs, for the optimised plan and,
when the instance has a status quo, for today's network; then write the run folder.

:func:`solve_instance` is the Python API behind ``optimizer freight solve``::

    from optimizer.instance.load import load_instance
    from optimizer.freight.run import solve_instance, write_run

    result = solve_instance(load_instance("instances/landbridge"), time_limit=60)
    result.summary["kpis"]["cost_per_teu"]
    result.tables["flows"]            # pandas DataFrames
    write_run(result, "results/landbridge")

summary.json keys: ``instance``, ``status`` (optimal | time_limit), ``termination``,
``objective``, ``best_bound``, ``mip_gap``, ``build_seconds``, ``solve_seconds``,
``handoff_seconds``, ``overrides``, ``sizes``, ``kpis`` (see :mod:`optimizer.freight.kpis`),
``unserved`` (the pairs left unserved), ``baseline`` (status, objective, best_bound, mip_gap,
kpis, unserved) and ``changes`` when a status quo exists, ``sensitivity`` (status and objective of the
plan's LP with its design fixed, number of items of sensitivity.csv: :mod:`.sensitivity`), ``warnings``, and ``start`` (objective and
seconds of the start HiGHS got) when the solve started from earlier plans (``starts``). A run without a feasible
plan raises :class:`~optimizer.errors.InfeasibleError` (exit code 3) and writes nothing.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InfeasibleError
from ..instance.data import Instance
from ..logs import RunLog
from ..results import RunFolder
from ..solve import DEFAULT_STRATEGY, HighsSolver, Progress, SolveResult, StartPool, adds_cuts, conflicting_constraints
from .baseline import infeasible_message
from .cuts import CUT_FAMILIES
from .explain import explain
from .kpis import compare, compute_kpis, nodes_table, plan_tables
from .labels import freight_labels
from .model import FreightModel, build_model
from .sensitivity import COLUMNS as SENSITIVITY_COLUMNS
from .sensitivity import LOCAL_NOTE, is_flow, is_link, sensitivity_table, summary_section
from .workbook import RESULTS_XLSX, write_results_workbook

OPTIMISED, BASELINE = "optimised", "baseline"
#: seconds between two progress lines
PROGRESS_EVERY = 5.0
LOG_FILE = "highs.log"
RUN_LOG = "run.log"

log = logging.getLogger(__name__)


@dataclass
class PlanResult:
    """One solved plan (optimised or baseline): model, solver result, tables, KPIs."""

    name: str
    model: FreightModel
    solve: SolveResult
    tables: dict[str, pd.DataFrame]
    kpis: dict
    sensitivity: pd.DataFrame | None = None  # sensitivity.csv (:mod:`.sensitivity`), when asked for
    fixed_lp: dict | None = None  # its summary.json section


@dataclass
class FreightResult:
    """A solved run. ``tables`` hold both plans (column ``plan``); ``logs`` map file name → HiGHS log."""

    summary: dict
    tables: dict[str, pd.DataFrame]
    status: str
    logs: dict[str, str] = field(default_factory=dict)
    plan: PlanResult | None = None
    baseline: PlanResult | None = None
    source: Path | None = None  # the instance folder (never replaced by the run folder)


def _progress(label: str):
    """A HighsSolver ``on_progress`` callback: HiGHS's plans logged at most every :data:`PROGRESS_EVERY`
    seconds, every plan of the search (which phase found it)."""
    last = [-PROGRESS_EVERY]

    def report(p: Progress) -> None:
        if p.seconds - last[0] < PROGRESS_EVERY and p.source == "highs":
            return
        last[0] = p.seconds
        gap = f"{100 * p.mip_gap:.2f}%" if p.mip_gap is not None else "?"
        bound = f"{p.best_bound:,.0f}" if p.best_bound is not None else "?"
        found = {"highs": "", "start": "  (the start)"}.get(p.source, f"  (found by the search: {p.source})")
        log.info(f"{label}: {p.seconds:6.1f}s  best plan {p.objective:,.0f}  bound {bound}  gap {gap}{found}")

    return report


@dataclass
class FreightStarts:
    """Start pools for a sequence of freight solves (a batch worker, a notebook session, a game's
    coalitions): each solve starts from the nearest earlier plans of its kind and adds its own."""

    plan: StartPool = field(default_factory=StartPool)
    baseline: StartPool = field(default_factory=StartPool)


def solve_plan(
    instance: Instance,
    *,
    baseline: bool,
    time_limit: float | None,
    mip_gap: float | None,
    log_path: Path | None,
    pool: StartPool | None = None,
    label: str | None = None,
    sensitivity: bool = False,
    strategy: str = DEFAULT_STRATEGY,
) -> PlanResult:
    """Build and solve one plan; raise :class:`InfeasibleError` with plain-word reasons if it has none.

    ``pool``: earlier plans of this kind to start from (:class:`~optimizer.solve.StartPool`); the plan
    found is added to it. ``label`` starts the progress lines (default: "optimised plan" or
    "today's network"). ``sensitivity``: also solve the LP of the plan with its design fixed and
    keep its duals and ranging as :attr:`PlanResult.sensitivity` (:mod:`.sensitivity`).
    ``strategy``: how the MIP is solved (:data:`optimizer.solve.STRATEGIES`): ``"plain"``, the
    model as written and HiGHS alone, or ``"search"``, the model with the valid inequalities of
    :mod:`.cuts` and HiGHS with the neighbourhood search.
    """
    name = BASELINE if baseline else OPTIMISED
    label = label or ("today's network" if baseline else "optimised plan")
    fm = build_model(instance, baseline=baseline, cuts=adds_cuts(strategy))
    d = fm.data
    cuts = sum(len(fm.row_keys.get(family, ())) for family in CUT_FAMILIES)
    log.info(
        f"{label}: model built in {fm.build_seconds:.2f}s ({len(d.west) + len(d.east):,} routes, {len(d.services):,} services, {len(d.hubs):,} hubs"
        + (f"; {cuts:,} rounding rows (valid inequalities)" if cuts else "") + ")"
    )
    solver = HighsSolver(time_limit=time_limit, mip_gap=mip_gap, log_path=log_path, on_progress=_progress(label), strategy=strategy)
    res = solver.solve(fm.model, pool=pool, labels=freight_labels(fm))
    if res.status == "infeasible":
        reasons = explain(fm, conflicting_constraints(fm.model))
        head = infeasible_message(instance) if baseline else f"no feasible plan for '{instance.name}': these limits conflict"
        raise InfeasibleError(head, reasons or ["HiGHS found no conflicting subset (integrality makes the model infeasible)"])
    if not res.ok:
        if res.status == "time_limit":
            raise InfeasibleError(f"no feasible {label} found within the time limit of {time_limit:g} s", ["raise --time-limit"], status="time_limit")
        raise RuntimeError(f"HiGHS ended the {label} with status {res.status} ({res.termination})")
    log.info(
        f"{label}: {res.status} in {res.solve_seconds:.2f}s (hand-off {res.handoff_seconds:.2f}s), "
        f"cost {res.objective:,.0f}" + (f", gap {100 * res.mip_gap:.2f}%" if res.mip_gap else "")
    )
    tables = plan_tables(fm, name)
    plan = PlanResult(name=name, model=fm, solve=res, tables=tables, kpis=compute_kpis(tables, instance, d.penalty))
    if sensitivity:
        plan.sensitivity, plan.fixed_lp = plan_sensitivity(fm, solver, label)
    return plan


def plan_sensitivity(fm: FreightModel, solver: HighsSolver, label: str) -> tuple[pd.DataFrame, dict]:
    """sensitivity.csv and its summary section for the plan ``solver`` just solved (design fixed)."""
    lp = solver.fixed_lp(links=is_link, implied=is_flow)
    if lp is None:
        return pd.DataFrame(columns=SENSITIVITY_COLUMNS), {"status": "error", "objective": None, "items": 0, "note": LOCAL_NOTE}
    table = sensitivity_table(fm, lp)
    section = summary_section(lp, table)
    if lp.ok:
        log.info(f"{label}: sensitivity with the design fixed, {len(table):,} items (LP cost {lp.objective:,.0f})")
    else:
        log.warning(f"{label}: the LP with the design fixed ended {lp.status}; sensitivity.csv is empty")
    return table, section


def _unserved_list(tables: dict[str, pd.DataFrame]) -> list[dict]:
    u = tables["unserved"]
    return [{"origin": o, "destination": d, "direction": r, "teu": float(t)} for o, d, r, t in zip(u["origin"], u["destination"], u["direction"], u["teu"])]


def _log_paths(log_path: str | Path | None, tmp: str) -> tuple[Path, Path]:
    base = Path(log_path) if log_path else Path(tmp) / LOG_FILE
    base.parent.mkdir(parents=True, exist_ok=True)
    return base, base.with_name(f"{base.stem}-baseline{base.suffix}")


def solve_instance(
    instance: Instance,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    log_path: str | Path | None = None,
    starts: FreightStarts | None = None,
    sensitivity: bool = True,
    strategy: str = DEFAULT_STRATEGY,
) -> FreightResult:
    """Solve the optimised plan and, if the instance has a status quo, today's network.

    ``time_limit`` and ``mip_gap`` apply to each of the two solves. ``log_path`` receives the
    HiGHS log of the optimised plan (the baseline's goes beside it, ``<stem>-baseline<suffix>``);
    either way the logs are also kept in :attr:`FreightResult.logs`. ``starts``: pools of earlier
    plans to start from (:class:`FreightStarts`), which receive the plans found. ``sensitivity``:
    the duals and ranging of the optimised plan with its design fixed (the ``sensitivity`` table).
    ``strategy``: how HiGHS runs the MIPs (:data:`optimizer.solve.STRATEGIES`), for both plans.
    """
    with tempfile.TemporaryDirectory(prefix="optimizer-highs-") as tmp, RunLog() as run_log:
        sizes = instance.summary()
        log.info(f"{instance.name}: {sizes['cities']} cities, {sizes['hubs']} hubs, {sizes['destinations']} destinations, {sizes['services']} services"
                 + (f"; overrides {instance.meta['overrides']}" if instance.meta.get("overrides") else ""))
        plan_log, base_log = _log_paths(log_path, tmp)
        opts = dict(time_limit=time_limit, mip_gap=mip_gap, strategy=strategy)
        plan = solve_plan(instance, baseline=False, log_path=plan_log, pool=starts.plan if starts else None, sensitivity=sensitivity, **opts)
        base = solve_plan(instance, baseline=True, log_path=base_log, pool=starts.baseline if starts else None, **opts) if instance.has_status_quo else None
        logs = {LOG_FILE: plan_log.read_text(encoding="utf-8", errors="replace") if plan_log.exists() else ""}
        if base is not None and base_log.exists():
            logs[f"{Path(LOG_FILE).stem}-baseline.log"] = base_log.read_text(encoding="utf-8", errors="replace")
    logs[RUN_LOG] = run_log.text()

    res = plan.solve
    summary: dict = {
        "instance": instance.name,
        "status": res.status,
        "termination": res.termination,
        "objective": res.objective,
        "best_bound": res.best_bound,
        "mip_gap": res.mip_gap,
        "build_seconds": round(plan.model.build_seconds, 4),
        "solve_seconds": round(res.solve_seconds, 4),
        "handoff_seconds": round(res.handoff_seconds, 4),
        "time_limit": time_limit,
        "strategy": strategy,
        "overrides": dict(instance.meta.get("overrides", {})),
        "sizes": {"variables": res.n_vars, "constraints": res.n_cons, "integers": res.n_integer, "routes": len(plan.model.data.west) + len(plan.model.data.east), "services": len(plan.model.data.services)},
        "kpis": plan.kpis,
        "unserved": _unserved_list(plan.tables),
        "warnings": list(instance.meta.get("warnings", [])),
    }
    if res.start is not None:
        summary["start"] = res.start
    if res.search is not None:
        summary["search"] = res.search.as_dict()
    parts = [plan.tables]
    changes = pd.DataFrame(columns=["kind", "id", "destination_id", "from_hub", "to_hub"])
    if base is not None:
        b = base.solve
        summary["baseline"] = {"status": b.status, "objective": b.objective, "best_bound": b.best_bound, "mip_gap": b.mip_gap, "kpis": base.kpis, "unserved": _unserved_list(base.tables)}
        summary["changes"], changes = compare(base.tables, plan.tables)
        parts.insert(0, base.tables)
    tables = {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in ("flows", "services", "hubs", "unserved")}
    tables["changes"] = changes
    tables["nodes"] = nodes_table(instance)
    if plan.sensitivity is not None:
        tables["sensitivity"] = plan.sensitivity
        summary["sensitivity"] = plan.fixed_lp
    return FreightResult(summary=summary, tables=tables, status=res.status, logs=logs, plan=plan, baseline=base, source=instance.source)


def write_run(result: FreightResult, out_dir: str | Path) -> Path:
    """Write the run folder atomically: one CSV per table, results.xlsx, summary.json, the HiGHS log(s).

    ``out_dir`` must be new, empty or an earlier freight run folder (:func:`optimizer.results.check_target`).
    """
    with RunFolder(out_dir, "freight", inputs=[result.source] if result.source else ()) as run:
        for name, df in result.tables.items():
            run.write_table(name, df)
        for fname, text in result.logs.items():
            run.write_text(fname, text)
        write_results_workbook(run.path(RESULTS_XLSX), result.summary, result.tables)
        run.write_json("summary.json", result.summary)
    return Path(out_dir)
