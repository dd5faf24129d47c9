"""``optimizer batch SCENARIOS.yaml``: many scenarios of one base, locally in parallel or on a Dask cluster."""

from __future__ import annotations

import os
import sys

import click

from ..batch.runner import make_executor, output_dir, prepare, run_plan
from ..logs import start_console
from .common import handle_errors, quiet_option
from .report_cmd import report_option, write_run_report


@click.command("batch")
@click.argument("scenarios", type=click.Path(path_type=str))
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None, help="Local worker processes [default: the number of cores].")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None, help="Run on this Dask distributed scheduler instead of local processes.")
@click.option("--out", "-o", type=click.Path(path_type=str), default=None, help="Output folder [default: results/<file stem>-<timestamp>; with --resume the newest such folder].")
@click.option("--resume", is_flag=True, help="Keep the scenarios already finished in the output folder; run the rest.")
@click.option("--yes", "-y", is_flag=True, help="Run a file that expands to more than 1,000 scenarios (or its max_scenarios).")
@quiet_option
@report_option
@handle_errors
def batch(scenarios: str, workers: int | None, scheduler: str | None, out: str | None, resume: bool, yes: bool, quiet: bool, report: bool) -> None:
    """Run every scenario of SCENARIOS.yaml and write one run folder each plus summary.csv/.parquet.

    \b
    The file names a model (freight | enclave | consolidation), a base (instance folder or case file, relative
    to the file), options, named scenarios ({name, set}) and/or a sweep (key: [values], every
    combination). Every scenario is checked before anything runs (exit 2 names each bad one).
    Exit codes: 0 every scenario has a plan; 3 some have none (infeasible, or no plan within the
    time limit); 1 some failed with an error; 2 invalid file; 130 interrupted (rerun with --resume).
    A file that expands to more than 1,000 scenarios runs only with --yes or max_scenarios in the file.
    """
    if workers is not None and scheduler:
        raise click.UsageError("--workers and --scheduler exclude each other (Dask workers are set up on the cluster)")
    plan = prepare(scenarios, yes=yes)
    out_dir = output_dir(plan.spec.path, out, resume)
    executor = make_executor(workers, scheduler)
    say = (lambda msg: None) if quiet else (lambda msg: click.echo(msg, err=True))
    say(f"{len(plan.tasks)} {plan.spec.model} scenario(s) of {plan.spec.base.name} on {executor.describe()} → {out_dir}")
    try:
        result = run_plan(plan, out_dir, executor=executor, resume=resume, quiet=quiet)
    except KeyboardInterrupt as exc:
        done = getattr(exc, "batch_result", None)
        finished = len(done.summary) if done is not None and done.summary is not None else 0
        click.echo(
            f"interrupted: {finished} of {len(plan.tasks)} scenario(s) finished in {out_dir}; "
            f"rerun with --resume --out {out_dir} to run the rest",
            err=True,
        )
        sys.exit(130)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(result.statuses.items()))
    kept = f" ({result.kept} kept from an earlier run)" if result.kept else ""
    say(f"done: {counts}{kept}; summary: {os.path.join(out_dir, 'summary.csv')}")
    write_run_report(out_dir, report, start_console(quiet))
    if result.failed:
        say("some scenarios failed: see the reason column of summary.csv and runs/<scenario>/error.txt")
    if result.exit_code:
        sys.exit(result.exit_code)
