"""``optimizer report RUN_DIR [RUN_DIR ...]``: the self-contained HTML report of run folders."""

from __future__ import annotations

import logging

import click

from ..logs import start_console
from .common import handle_errors, quiet_option


@click.command("report")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out", type=click.Path(path_type=str), default=None,
              help="HTML file to write (default: RUN_DIR/report.html; for several freight runs, compare.html "
                   "beside the first, with compare.csv next to it; for several enclave runs, comparison.html).")
@click.option("--scenario", "scenarios", multiple=True, metavar="NAME",
              help="A scenario of a batch folder to compare (repeatable): `report BATCH --scenario A --scenario B`.")
@quiet_option
@handle_errors
def report(run_dirs: tuple[str, ...], out: str | None, scenarios: tuple[str, ...], quiet: bool) -> None:
    """Write report.html for a freight, enclave or batch run folder (a freight run also gets map.png).

    With several freight run folders (or a batch folder and --scenario names), write the plans side by side:
    key figures with their differences against the first run, a cost waterfall, a map of what changes, and
    compare.csv (the same as a tidy table). Runs of different instances are refused. With several enclave
    run folders (for example one per rule on the same case), write their side-by-side comparison. Every
    report opens offline: nothing in it is fetched from the network. Prints the path of each file written;
    a folder that is not a run exits with code 2.
    """
    from ..report import compare_runs, write_report

    console = start_console(quiet)
    if len(run_dirs) == 1 and not scenarios:
        paths = [write_report(run_dirs[0], out)]
    else:
        paths = compare_runs(list(run_dirs), list(scenarios), out)
    for path in paths:
        console.info(f"report written: {path}")
        click.echo(str(path))


#: ``--report/--no-report`` for the commands that write a run folder (freight solve, share enclave, batch)
report_option = click.option(
    "--report/--no-report", "report", default=True, show_default=True,
    help="Write report.html (and map.png for a freight run) into the run folder.",
)


def write_run_report(run_dir, enabled: bool, console: logging.Logger) -> None:
    """After a command wrote ``run_dir``: its report, unless ``--no-report``.

    The run folder is already complete, so a report that cannot be written is a warning on stderr, not a
    failed run (``optimizer report RUN_DIR`` can retry it).
    """
    if not enabled:
        return
    from ..report import write_report

    try:
        path = write_report(run_dir)
    except Exception as exc:  # noqa: BLE001 - the run itself succeeded; say why the report is missing
        click.echo(f"warning: report not written ({type(exc).__name__}: {exc}); the run folder is complete", err=True)
        return
    console.info(f"report: {path}")
