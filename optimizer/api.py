"""What a notebook user imports: every operation of the command line, as Python calls.

>>> from optimizer import api
>>> inst = api.load_instance("instances/landbridge")              # validated, or InputError (or "network.xlsx")
>>> res = api.solve_freight(inst, overrides={"demand_scale": 1.2}, time_limit=60)
>>> res.summary["kpis"]["total_cost"], res.summary["baseline"]["kpis"]["total_cost"]
>>> res.tables["services"].query("plan == 'optimised' and open")  # tidy DataFrames
>>> api.write_run(res, "results/demand-1.2")                     # the same folder as the CLI writes
>>> api.write_instance_workbook(inst, "network.xlsx")            # the instance as one workbook
>>> api.write_report("results/demand-1.2")
>>> api.write_freight_comparison(["results/base", "results/demand-1.2"], out="compare.html")  # + compare.csv
>>> api.whatif_hubs("instances/landbridge", ["lanzhou"]).table   # cost of keeping / closing a hub

>>> case = api.load_case("instances/enclave/bth-relocated-firm/case.yaml")
>>> api.solve_case(case, "nash").shares_table()
>>> api.write_enclave_run(api.solve_case(case, "nash"), "results/bth-nash")
>>> game = api.load_game("instances/games/talmud-200.json")
>>> api.solve_game(game, "nucleolus").allocation

>>> res = api.solve_consolidation("instances/landbridge", "nucleolus", only=["Henan", "Shaanxi", "Gansu"])
>>> dict(zip(res.players.names, res.allocation)), res.grand     # who pays what of c(N), and c(N)
>>> api.write_consolidation_run(res, "results/who-pays")         # as optimizer share consolidation

The command line (:mod:`optimizer.cli`) is a thin layer over these functions; errors are the
exceptions of :mod:`optimizer.errors` (``InputError`` lists every problem of an input,
``InfeasibleError`` names what conflicts).
"""

from __future__ import annotations

from pathlib import Path

from .batch.runner import run_batch
from .errors import InfeasibleError, InputError, OptimizerError
from .freight.pareto import ParetoResult, pareto_front, write_pareto
from .freight.run import FreightResult, FreightStarts, solve_instance, write_run
from .instance.data import Instance
from .instance.generate import generate_corridor
from .instance.importers.orlib import read_orlib_cap
from .instance.load import load_instance
from .instance.overrides import apply_overrides, parse_set
from .instance.workbook import write_instance_workbook
from .instance.write import write_instance
from .logs import start_console
from .report import write_comparison, write_freight_comparison, write_report
from .sharing import consolidation
from .sharing.case import Case, load_case
from .sharing.enclave import EnclaveResult, solve_case, write_enclave_run
from .sharing.game_io import load_game
from .sharing.games import Game, solve_game
from .solve import DEFAULT_STRATEGY


def whatif_hubs(
    instance: str | Path,
    hubs: list[str],
    *,
    overrides: dict | None = None,
    out: str | Path | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    workers: int | None = None,
    quiet: bool = True,
):
    """What keeping or closing each hub costs (``optimizer freight whatif``): the base plan and, per
    hub, the plan with it forced open and closed, as a batch written to ``out``
    (:func:`optimizer.batch.whatif.run_whatif`); returns a WhatifResult (``.table``, ``.out_dir``)."""
    from .batch.whatif import run_whatif

    inst = load_instance(instance)
    if overrides:
        inst = apply_overrides(inst, overrides)
    return run_whatif(instance, inst, list(hubs), overrides=overrides, out=out, time_limit=time_limit, mip_gap=mip_gap, workers=workers, quiet=quiet)


def solve_freight(
    instance: Instance | str | Path,
    *,
    overrides: dict | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    starts: FreightStarts | None = None,
    quiet: bool = True,
    strategy: str = DEFAULT_STRATEGY,
) -> FreightResult:
    """Load (when given a folder), apply ``overrides`` (the keys of ``freight solve --set``) and solve.

    Returns the :class:`~optimizer.freight.run.FreightResult`: ``summary`` (the dict written as
    summary.json) and ``tables`` (flows, services, hubs, unserved, changes, nodes as DataFrames,
    with a ``plan`` column telling the optimised plan from today's network). ``starts``: keep one
    :class:`~optimizer.freight.run.FreightStarts` across calls and each solve starts from the nearest
    earlier plans. Progress goes to the ``optimizer`` logger; ``quiet=False`` also prints it on stderr.
    ``strategy``: ``"search"`` (default: HiGHS with a neighbourhood search beside it) or ``"plain"``.
    """
    inst = instance if isinstance(instance, Instance) else load_instance(instance)
    if overrides:
        inst = apply_overrides(inst, overrides)
    if not quiet:
        start_console()
    return solve_instance(inst, time_limit=time_limit, mip_gap=mip_gap, starts=starts, strategy=strategy)


def solve_consolidation(instance: Instance | str | Path, rule: str = "shapley", **options) -> "consolidation.ConsolidationResult":
    """Who pays for the consolidated network of ``instance`` (a loaded instance, a folder or a workbook).

    ``options`` are those of :func:`optimizer.sharing.consolidation.solve_consolidation`
    (``players``, ``only``, ``mip_gap``, ``time_limit``, ``enumerate_all``, ``samples``, ``seed``,
    ``starts``, ``executor``, ``cache_path``). The result holds ``allocation``, ``stand_alone``,
    ``today``, ``grand`` (c(N), the freight optimum) and the coalitions priced.
    """
    inst = instance if isinstance(instance, Instance) else load_instance(instance)
    return consolidation.solve_consolidation(inst, rule, **options)


def write_consolidation_run(result: "consolidation.ConsolidationResult", out: str | Path, *, report: bool = True) -> dict:
    """Write ``result`` as the run folder ``optimizer share consolidation`` writes; returns its summary."""
    out = Path(out)
    consolidation.result.open_folder(out)
    return consolidation.result.write_result(result, out, report=report)


__all__ = [
    "Case",
    "EnclaveResult",
    "FreightResult",
    "FreightStarts",
    "Game",
    "InfeasibleError",
    "InputError",
    "Instance",
    "OptimizerError",
    "ParetoResult",
    "apply_overrides",
    "generate_corridor",
    "load_case",
    "load_game",
    "load_instance",
    "pareto_front",
    "parse_set",
    "read_orlib_cap",
    "run_batch",
    "solve_case",
    "solve_consolidation",
    "solve_freight",
    "solve_game",
    "solve_instance",
    "whatif_hubs",
    "write_comparison",
    "write_consolidation_run",
    "write_enclave_run",
    "write_freight_comparison",
    "write_instance",
    "write_instance_workbook",
    "write_pareto",
    "write_report",
    "write_run",
]
