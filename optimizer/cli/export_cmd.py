"""``optimizer export xlsx``: an instance as one workbook a planner edits in Excel."""

from __future__ import annotations

import click

from ..logs import start_console
from .common import handle_errors, quiet_option


@click.group()
def export() -> None:
    """Write an instance in another format."""


@export.command("xlsx")
@click.argument("instance", type=click.Path(path_type=str))
@click.option("--out", "out", required=True, type=click.Path(path_type=str), help="Workbook to write (.xlsx): a new file, or one this command wrote earlier.")
@quiet_option
@handle_errors
def export_xlsx(instance: str, out: str, quiet: bool) -> None:
    """INSTANCE (a folder or a workbook) → one workbook: an instance sheet of settings and a sheet per table.

    `optimizer freight solve` and `validate` read the workbook as they read the folder (the same optimum).
    --out never replaces a file this command did not write, nor one saved since by Excel or another program.
    """
    from ..instance.load import load_instance
    from ..instance.workbook import check_workbook_target, write_instance_workbook

    check_workbook_target(out, inputs=[instance])  # before anything is read
    inst = load_instance(instance)
    path = write_instance_workbook(inst, out, inputs=[instance])
    start_console(quiet).info(f"{inst.name} → {path}")
