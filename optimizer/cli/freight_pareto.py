"""``optimizer freight pareto``: the cost–CO₂ (or cost–transit days) front of an instance."""

from __future__ import annotations

import click

from ..logs import start_console
from ..results import check_target, default_run_dir, dumps
from .common import handle_errors, json_option, quiet_option
from .freight import load_scenario
from .report_cmd import report_option, write_run_report


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3f}"


def front_table(result) -> str:
    """The points as aligned text: cap, cost and its change against the least-cost point, the measure."""
    m = result.measure
    first = result.points[0].cost
    rows = [["point", f"cap ({m.unit})", "total cost, CNY/yr", "vs least cost", f"{m.label} ({m.unit})", "unserved TEU", "status"]]
    for p in result.points:
        k = p.result.summary["kpis"]
        rows.append([
            p.name, "none" if p.cap is None else _num(p.cap), f"{p.cost:,.0f}", f"{(p.cost - first) / abs(first):+.2%}" if first else "",
            _num(p.value(m)), f"{k['unserved_teu']:,.0f}", p.result.summary["status"] + (" *" if p.note else ""),
        ])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows)


@click.command("pareto")
@click.argument("instance", type=click.Path(path_type=str))
@click.option("--objective", type=click.Choice(["co2", "days"]), default="co2", show_default=True, help="The measure traded against cost: CO₂ emitted, or mean door-to-door days.")
@click.option("--points", type=click.IntRange(min=2, max=50), default=8, show_default=True, help="Points of the front, its two ends included.")
@click.option("--out", "out", type=click.Path(path_type=str), default=None, help="Folder of the front (default: results/<instance>-pareto-<timestamp>/).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds of HiGHS time per solve.")
@click.option("--mip-gap", type=click.FloatRange(min=0), default=None, help="Relative MIP gap of every solve (HiGHS default 1e-4).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override a parameter for every point (repeatable).")
@json_option
@quiet_option
@report_option
@handle_errors
def pareto(instance: str, objective: str, points: int, out: str | None, time_limit: float | None, mip_gap: float | None, sets: tuple[str, ...], as_json: bool, quiet: bool, report: bool) -> None:
    """The cost–CO₂ (or cost–days) Pareto front of INSTANCE by the ε-constraint method.

    \b
    Point 01 is the least-cost plan; the last point the least CO₂ (or days) at the same service
    level; the points between cap the measure evenly (co2_cap / max_avg_days) and are solved at
    least cost, each starting from the tighter plans, so that cost never falls as the cap tightens.
    Every point is a full freight run folder under OUT/points/; OUT/pareto.csv lists them and
    OUT/report.html charts the front. Exit 0 solved, 2 bad input, 3 no feasible plan.
    """
    from ..freight.pareto import pareto_front, write_pareto

    console = start_console(quiet)
    inst = load_scenario(instance, sets, console)
    target = check_target(out, "pareto", inputs=[instance]) if out else default_run_dir(f"{inst.name}-pareto")
    result = pareto_front(inst, objective, points, time_limit=time_limit, mip_gap=mip_gap)
    path = write_pareto(result, target, inputs=[instance])
    if report:
        for p in result.points:
            write_run_report(path / "points" / p.name, True, console)
    write_run_report(path, report, console)
    if not quiet:
        click.echo(f"\n{inst.name}: cost against {result.measure.label}, {len(result.points)} points", err=True)
        click.echo(front_table(result), err=True)
        if not result.monotone:
            click.echo("* a solve stopped at its time limit dearer than a tighter point: that point's plan is used (pareto.csv, note)", err=True)
        click.echo(f"front folder: {path}", err=True)
    if as_json:
        click.echo(dumps(result.summary()))
