"""``optimizer validate``, ``optimizer import orlib-cap`` and ``optimizer generate corridor``: instances in and out."""

from __future__ import annotations

import click

from ..logs import start_console
from ..results import dumps
from .common import handle_errors, json_option, quiet_option


@click.command()
@click.argument("instance", type=click.Path(path_type=str))
@json_option
@handle_errors
def validate(instance: str, as_json: bool) -> None:
    """Check INSTANCE (a folder or an .xlsx workbook) without solving: sizes and warnings, or every problem (exit 2)."""
    from ..instance.load import validate as validate_instance

    inst = validate_instance(instance)
    if as_json:
        click.echo(dumps({"name": inst.name, "valid": True, "sizes": inst.summary(), "feeder_legs": inst.meta["feeder_legs"], "warnings": inst.meta["warnings"]}))
        return
    s = inst.summary()
    click.echo(f"{inst.name}: valid")
    click.echo(
        f"  {s['cities']} cities, {s['hubs']} hubs, {s['gateways']} gateways, {s['destinations']} destinations, "
        f"{s['services']} services, {s['status_quo_services']} in the status quo"
    )
    click.echo(f"  {s['demand_pairs']} demand pairs: {s['demand_teu']:,.0f} TEU westbound, {s['return_teu']:,.0f} TEU return")
    click.echo(f"  {s['feeder_legs']} feeder legs ({inst.meta['feeder_legs']})")
    for w in inst.meta["warnings"]:
        click.echo(f"  warning: {w}")


@click.group(name="import")
def import_group() -> None:
    """Turn benchmark files into native instance folders."""


@import_group.command("orlib-cap")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--capacity", type=float, default=None, help="Facility capacity where the file says 'capacity' (capa, capb, capc).")
@click.option("--out", "out", required=True, type=click.Path(path_type=str), help="Instance folder to write.")
@quiet_option
@handle_errors
def import_orlib_cap(file: str, capacity: float | None, out: str, quiet: bool) -> None:
    """OR-Library capacitated facility location FILE → a native instance folder."""
    from ..instance.importers.orlib import read_orlib_cap
    from ..instance.write import write_instance

    from ..results import check_target

    check_target(out, "instance", inputs=[file])
    inst = read_orlib_cap(file, capacity=capacity)
    path = write_instance(inst, out, inputs=[file])
    s = inst.summary()
    start_console(quiet).info(f"{inst.name}: {s['hubs']} facilities, {s['cities']} customers, {s['demand_teu']:g} demand → {path}")


@click.group()
def generate() -> None:
    """Synthetic instances for benchmarks and scale tests."""


@generate.command("corridor")
@click.option("--cities", type=click.IntRange(min=1), required=True, help="Feeder cities.")
@click.option("--hubs", type=click.IntRange(min=1), required=True, help="Candidate hubs (the largest cities).")
@click.option("--destinations", type=click.IntRange(min=1), required=True, help="European and Central-Asian terminals.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same instance).")
@click.option("--max-feeder-km", type=click.FloatRange(min=0, min_open=True), default=None, help="Feeder legs up to this distance (default: the generator's).")
@click.option("--out", "out", required=True, type=click.Path(path_type=str), help="Instance folder to write.")
@quiet_option
@handle_errors
def generate_corridor_cmd(cities: int, hubs: int, destinations: int, seed: int, max_feeder_km: float | None, out: str, quiet: bool) -> None:
    """A synthetic New Eurasian Land Bridge corridor with realistic geography and skewed demand."""
    from ..instance.generate import generate_corridor
    from ..instance.write import write_instance

    from ..results import check_target

    check_target(out, "instance")
    kw = {} if max_feeder_km is None else {"max_feeder_km": max_feeder_km}
    inst = generate_corridor(cities, hubs, destinations, seed, **kw)
    path = write_instance(inst, out)
    s = inst.summary()
    start_console(quiet).info(
        f"{inst.name}: {s['cities']} cities, {s['hubs']} hubs, {s['destinations']} destinations, {s['demand_pairs']} demand pairs, "
        f"{s['feeder_legs']} feeder legs, {s['services']} services ({s['status_quo_services']} in the status quo) → {path}"
    )
