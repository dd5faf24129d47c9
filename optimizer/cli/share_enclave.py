"""``optimizer share enclave CASE.yaml --rule RULE``: an enclave revenue-sharing schedule.

Writes ``summary.json``, ``shares.csv`` (year, stream, party, share, amount) and ``run.log`` into ``--out``
(default ``results/<case>-<rule>-<timestamp>/``), atomically. Exit codes: 0 solved or evaluated,
2 invalid case file, 3 the constraints leave no feasible split (the conflicting ones are listed).
"""

from __future__ import annotations

import click

from ..logs import start_console
from ..results import check_target, default_run_dir, dumps
from ..sharing.case import load_case
from ..sharing.enclave import RULES, solve_case, write_enclave_run
from .common import handle_errors, json_option, quiet_option
from .report_cmd import report_option, write_run_report


@click.command("enclave")
@click.argument("case_file", metavar="CASE.yaml", type=click.Path(dir_okay=False))
@click.option("--rule", type=click.Choice(RULES), required=True, help="Sharing rule to apply.")
@click.option("--out", "out_dir", type=click.Path(), help="Run folder (default results/<case>-<rule>-<timestamp>/).")
@json_option
@quiet_option
@report_option
@handle_errors
def enclave(case_file: str, rule: str, out_dir: str | None, as_json: bool, quiet: bool, report: bool) -> None:
    """Shares of each revenue stream, party and year under RULE, with NPVs and binding constraints."""
    console = start_console(quiet)
    if out_dir:
        check_target(out_dir, "enclave", inputs=[case_file])
    case = load_case(case_file)
    result = solve_case(case, rule)
    summary = result.summary()
    target = out_dir or default_run_dir(f"{case.name}-{rule}")
    write_enclave_run(result, target, inputs=[case_file])
    unit = f" {case.units}" if case.units else ""
    for p, v in result.npv.items():
        console.info(f"{p}: NPV {v:,.4g}{unit} (gain {result.gain[p]:,.4g})")
    for b in result.binding[:5]:
        console.info(b["explanation"])
    for v in result.violations[:5]:
        console.info(f"violated: {v['description']}")
    if rule == "fixed" and not result.violations:
        console.info("the written rule satisfies every policy constraint of the case")
    for note in result.notes:
        console.info(note)
    console.info(f"{result.status}; wrote {target}")
    write_run_report(target, report, console)
    if as_json:
        click.echo(dumps(summary))
