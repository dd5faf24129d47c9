"""``optimizer share consolidation INSTANCE --rule RULE``: who pays for the consolidated network."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..logs import RunLog, start_console
from ..results import default_run_dir, dumps
from .common import handle_errors, json_option, quiet_option
from ..sharing.consolidation.engine import RULES, SAMPLES
from .report_cmd import report_option


@click.command("consolidation")
@click.argument("instance", type=click.Path(path_type=str))
@click.option("--rule", required=True, type=click.Choice(RULES), help="How to split the cost of the consolidated network.")
@click.option("--players", default="province", show_default=True, metavar="province|city|FILE.csv", help="Who plays: the province column of cities.csv, every city, or a city_id,player file.")
@click.option("--only", default=None, metavar="P1,P2,...", help="Play the game among these players only (the others' demand is left out).")
@click.option("--mip-gap", type=click.FloatRange(min=0, max=1, max_open=True), default=0.0, show_default=True, help="Relative MIP gap of every coalition MIP.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds of HiGHS time per coalition MIP.")
@click.option("--enumerate/--no-enumerate", "enumerate_all", default=None, help="Solve all 2^n - 1 coalitions [default: up to 10 players], or generate them (row generation; Shapley by sampling).")
@click.option("--samples", type=click.IntRange(min=2), default=SAMPLES, show_default=True, help="Random orders of arrival for the sampled Shapley value (row generation only).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sampled orders.")
@click.option("--starts/--no-starts", default=True, show_default=True, help="Start each coalition MIP from the plans of coalitions solved before.")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None, help="Local worker processes for pricing coalitions [default: the number of cores; 1: in this process].")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None, help="Price coalitions on this Dask distributed scheduler.")
@click.option("--out", type=click.Path(path_type=str), default=None, help="Run folder (default: results/<instance>-consolidation-<timestamp>/); the same folder resumes an interrupted run.")
@json_option
@quiet_option
@report_option
@handle_errors
def consolidation(instance: str, rule: str, players: str, only: str | None, mip_gap: float, time_limit: float | None, enumerate_all: bool | None,
                  samples: int, seed: int, starts: bool, workers: int | None, scheduler: str | None, out: str | None,
                  as_json: bool, quiet: bool, report: bool) -> None:
    """Split the cost of INSTANCE's consolidated freight network among its players by RULE.

    c(S) is the freight optimum with the demand of every city outside S removed; c(N) is what
    'optimizer freight solve' finds. Exit 0 solved, 2 bad input (or a game too large to
    enumerate), 3 a coalition without a plan.
    """
    from ..batch.runner import make_executor
    from ..instance.load import load_instance
    from ..sharing.consolidation import define_players, result, solve_consolidation

    console = start_console(quiet)
    inst = load_instance(instance)
    only_list = [p.strip() for p in only.split(",") if p.strip()] if only else None
    define_players(inst, players, only_list)  # bad players exit 2 before any folder is made
    target = Path(out) if out else default_run_dir(f"{inst.name}-consolidation")
    inputs = [instance] + ([players] if players not in ("province", "city") else [])
    result.check_folder(target, inputs)
    executor = make_executor(workers, scheduler) if (workers or 0) != 1 or scheduler else None
    if executor is not None:
        executor.connect()  # an unreachable cluster fails here, before anything is written
    cache = result.open_folder(target, inputs)
    console.info(f"run folder: {target}")
    try:
        with RunLog() as run_log:
            res = solve_consolidation(
                inst, rule, players=players, only=only_list, mip_gap=mip_gap, time_limit=time_limit, enumerate_all=enumerate_all,
                executor=executor, starts=starts, samples=samples, seed=seed, cache_path=cache,
            )
    except KeyboardInterrupt:
        click.echo(f"interrupted: the coalitions priced so far are kept in {target}; run the same command again to resume", err=True)
        sys.exit(130)
    finally:
        if executor is not None:
            executor.close()
    summary = result.write_result(res, target, log_text=run_log.text(), report=False)
    if report:
        from ..report.consolidation import write_consolidation_report

        console.info(f"report: {write_consolidation_report(target)}")
    if as_json:
        click.echo(dumps(summary))
    elif not quiet:
        click.echo(_text(summary), err=True)
        click.echo(f"run folder: {target}", err=True)


def _text(s: dict) -> str:
    names = list(s["allocation"])
    width = max(len(p) for p in names)
    today = s.get("today") or {}
    lines = [
        f"{s['rule']} ({s['method']}) of {s['instance']}: c(N) = {s['grand_coalition_cost']:,.0f} CNY/yr, "
        f"{'in the core' if s['in_core'] else 'NOT in the core'} (least-core epsilon {s['least_core_epsilon']:,.0f})",
        f"  {'player':<{width}}  {'stand-alone':>16}  {'today':>16}  {'allocated':>16}  {'saving':>7}",
    ]
    pct = s["savings"]["vs_stand_alone_pct"]
    for p in names:
        t = f"{today[p]:16,.0f}" if p in today else f"{'-':>16}"
        lines.append(f"  {p:<{width}}  {s['stand_alone'][p]:16,.0f}  {t}  {s['allocation'][p]:16,.0f}  {pct[p]:6.1f}%")
    moc = s["most_objecting_coalition"]
    if moc["members"]:
        lines.append(f"most objecting coalition: {{{', '.join(moc['members'])}}} (excess {moc['excess']:,.0f})")
    c = s["counts"]
    found = f" ({c['separation_removals']:,} more coalitions from their plans)" if c["separation_removals"] else ""
    designs = f", {c['separation_from_designs']:,} rounds answered by earlier designs" if c["separation_from_designs"] else ""
    lines.append(f"{c['coalitions_priced']:,} coalitions priced ({c['coalitions_resumed']:,} resumed), {c['separation_mips']:,} separation MIPs{found}{designs}")
    lines += [f"warning: {w}" for w in s["warnings"]]
    return "\n".join(lines)
