"""``optimizer freight solve``: the optimised consolidation plan of an instance, beside today's network."""

from __future__ import annotations


import click

from ..logs import start_console
from ..errors import InputError, Problem
from ..results import check_target, default_run_dir, dumps
from .common import handle_errors, json_option, quiet_option, strategy_option
from .report_cmd import report_option, write_run_report

#: (label, KPI key, format) of the console table
KPI_ROWS = (
    ("total cost, CNY/yr", "total_cost", "{:,.0f}"),
    ("cost per TEU, CNY", "cost_per_teu", "{:,.0f}"),
    ("served TEU", "served_teu", "{:,.0f}"),
    ("unserved TEU", "unserved_teu", "{:,.0f}"),
    ("trains/yr", "trains", "{:,.0f}"),
    ("train-km/yr", "train_km", "{:,.0f}"),
    ("avg load factor", "avg_load_factor", "{:.1%}"),
    ("min load factor", "min_load_factor", "{:.1%}"),
    ("services open", "services_open", "{:d}"),
    ("hubs open", "hubs_open", "{:d}"),
    ("destinations >1 hub", "destinations_multi_hub", "{:d}"),
    ("CO2, t/yr", "co2_t", "{:,.0f}"),
)
#: unserved pairs named on the console (all are in summary.json and unserved.csv)
SHOW_UNSERVED = 10


def _fmt(fmt: str, value) -> str:
    return "–" if value is None else fmt.format(value)


def kpi_table(summary: dict) -> str:
    """The KPIs of the optimised plan (and of today's network when there is one) as aligned text."""
    plan = summary["kpis"]
    base = summary.get("baseline", {}).get("kpis")
    header = ["", "optimised"] if base is None else ["", "today", "optimised", "change"]
    rows = [header]
    for label, key, fmt in KPI_ROWS:
        if base is None:
            rows.append([label, _fmt(fmt, plan[key])])
            continue
        a, b = base[key], plan[key]
        change = ""
        if a is None or b is None:
            pass
        elif fmt == "{:d}":
            change = f"{b - a:+d}"
        elif fmt.endswith("%}"):  # shares change in percentage points, not percent of themselves
            change = f"{(b - a) * 100:+.1f} pp"
        elif a != 0:
            change = f"{(b - a) / abs(a):+.1%}"
        rows.append([label, _fmt(fmt, a), _fmt(fmt, b), change])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join(lines)


def unserved_lines(summary: dict) -> list[str]:
    """The unserved pairs of the optimised plan, for the console."""
    pairs = summary.get("unserved", [])
    if not pairs:
        return []
    total = sum(p["teu"] for p in pairs)
    out = [f"unserved: {len(pairs)} pair(s), {total:,.0f} TEU (no route, or serving costs more than the unserved penalty)"]
    for p in pairs[:SHOW_UNSERVED]:
        out.append(f"  {p['origin']} → {p['destination']} ({p['direction']}): {p['teu']:,.0f} TEU")
    if len(pairs) > SHOW_UNSERVED:
        out.append(f"  ... and {len(pairs) - SHOW_UNSERVED} more (unserved.csv)")
    return out


def _shown(value) -> str:
    """A parameter value as ``--set`` takes it."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    return f"{value:g}" if isinstance(value, float) else str(value)


def load_scenario(instance: str, sets: tuple[str, ...], console, flags: dict | None = None):
    """Load INSTANCE and apply ``--set`` (and option ``flags``: parameter -> value or None), saying
    what was loaded and overridden on the console."""
    from ..instance.load import load_instance
    from ..instance.overrides import apply_overrides, parse_set

    overrides = parse_set(list(sets))
    flags = flags or {}
    twice = [k for k, v in flags.items() if v is not None and k in overrides]
    if twice:
        raise InputError([Problem("--set", f"given both as --{k.replace('_', '-')} and in --set", column=k) for k in twice], source="overrides")
    overrides.update({k: v for k, v in flags.items() if v is not None})
    inst = load_instance(instance)
    s = inst.summary()
    console.info(
        f"{inst.name}: {s['cities']} cities, {s['hubs']} hubs, {s['destinations']} destinations, {s['services']} services, "
        f"{s['demand_pairs']} demand pairs ({s['demand_teu']:,.0f} TEU west, {s['return_teu']:,.0f} TEU return)"
    )
    for w in inst.meta.get("warnings", []):
        console.info(f"warning: {w}")
    if overrides:
        inst = apply_overrides(inst, overrides)
        shown = {k: _shown(v) for k, v in inst.meta.get("overrides", {}).items()}
        console.info("overrides: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
    return inst


@click.group()
def freight() -> None:
    """Freight consolidation: feeder cities → assembly hubs → gateways → destinations."""


@freight.command("solve")
@click.argument("instance", type=click.Path(path_type=str))
@click.option("--out", "out", type=click.Path(path_type=str), default=None, help="Run folder (default: results/<instance>-<timestamp>/).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds of HiGHS time per solve (the plan, and today's network).")
@click.option("--mip-gap", type=click.FloatRange(min=0), default=None, help="Relative MIP gap at which to stop (HiGHS default 1e-4).")
@click.option("--single-sourcing", is_flag=True, default=False, help="Each city sends each destination's boxes to one hub.")
@click.option("--max-hubs-per-destination", type=click.IntRange(min=1), default=None, help="At most K hubs run services to each destination.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override a parameter (repeatable), e.g. demand_scale=1.2, closed_hubs=H1,H2, train_capacity_teu=100.")
@strategy_option
@json_option
@quiet_option
@report_option
@handle_errors
def solve(instance: str, out: str | None, time_limit: float | None, mip_gap: float | None, single_sourcing: bool, max_hubs_per_destination: int | None, sets: tuple[str, ...], strategy: str, as_json: bool, quiet: bool, report: bool) -> None:
    """Solve INSTANCE (a folder or an .xlsx workbook) and write the run folder; exit 0 solved, 2 bad input, 3 no feasible plan."""
    from ..freight.run import solve_instance, write_run

    console = start_console(quiet)
    flags = {"single_sourcing": True if single_sourcing else None, "max_hubs_per_destination": max_hubs_per_destination}
    inst = load_scenario(instance, sets, console, flags)
    target = check_target(out, "freight", inputs=[instance]) if out else default_run_dir(inst.name)
    result = solve_instance(inst, time_limit=time_limit, mip_gap=mip_gap, strategy=strategy)
    path = write_run(result, target)
    write_run_report(path, report, console)
    if not quiet:
        summary = result.summary
        status = summary["status"] + (f" (gap {summary['mip_gap']:.2%})" if summary["status"] != "optimal" and summary["mip_gap"] is not None else "")
        click.echo(f"\n{inst.name}: {status}", err=True)
        click.echo(kpi_table(summary), err=True)
        for line in unserved_lines(summary):
            click.echo(line, err=True)
        click.echo(f"run folder: {path}", err=True)
    if as_json:
        click.echo(dumps(result.summary))


@freight.command("whatif")
@click.argument("instance", type=click.Path(path_type=str))
@click.option("--hub", "hubs", multiple=True, required=True, metavar="HUB_ID", help="A hub to price keeping and closing (repeatable).")
@click.option("--out", "out", type=click.Path(path_type=str), default=None, help="Output folder (default: results/<instance>-whatif-<timestamp>/).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds of HiGHS time per solve.")
@click.option("--mip-gap", type=click.FloatRange(min=0, max=1, max_open=True), default=None, help="Relative MIP gap at which to stop (HiGHS default 1e-4).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override a parameter in every scenario (repeatable), as for freight solve.")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None, help="Local worker processes [default: one per scenario, at most the number of cores].")
@quiet_option
@handle_errors
def whatif(instance: str, hubs: tuple[str, ...], out: str | None, time_limit: float | None, mip_gap: float | None, sets: tuple[str, ...], workers: int | None, quiet: bool) -> None:
    """What keeping or closing a hub costs: INSTANCE re-solved with each --hub forced open and closed.

    \b
    Prints one row per scenario (base; HUB-open; HUB-closed): its cost, the difference from the
    base optimum, services and hubs open; writes OUT/whatif.csv, OUT/whatif.yaml (the scenarios,
    re-runnable with optimizer batch) and OUT/batch/ (a full freight run folder per scenario).
    Exit codes: 0 every scenario has a plan; 3 some have none; 2 bad input (an unknown hub names
    the valid ids); 1 a scenario failed.
    """
    import sys

    from ..batch.whatif import check_hubs, format_table, run_whatif
    from ..instance.load import load_instance
    from ..instance.overrides import apply_overrides, parse_set

    overrides = parse_set(list(sets))
    inst = load_instance(instance)
    if overrides:
        inst = apply_overrides(inst, overrides)
    wanted = check_hubs(inst, list(hubs))
    if not quiet:
        click.echo(f"{inst.name}: {1 + 2 * len(wanted)} scenarios (base, and {', '.join(wanted)} forced open and closed)", err=True)
    result = run_whatif(instance, inst, wanted, overrides=overrides, out=out, time_limit=time_limit, mip_gap=mip_gap, workers=workers, quiet=quiet)
    click.echo(format_table(result.table))
    if not quiet:
        gap = mip_gap if mip_gap is not None else 1e-4
        click.echo(f"differences within {gap:.2%} of the cost are within the MIP gap of the solves", err=True)
        click.echo(f"whatif folder: {result.out_dir}", err=True)
    if result.exit_code:
        sys.exit(result.exit_code)
