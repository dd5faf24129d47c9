"""``optimizer serve``: the local web app (optimizer/web, docs/web.md), on 127.0.0.1 only."""

from __future__ import annotations

import click

from .common import handle_errors


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Port on 127.0.0.1.")
@click.option("--workspace", "workspace", type=click.Path(file_okay=False, path_type=str), default="workspace", show_default=True,
              help="Folder of instances, cases, games and run folders (created if missing).")
@handle_errors
def serve(port: int, workspace: str) -> None:
    """Planners and negotiators in the browser: freight scenarios, enclave cases, games.

    Binds 127.0.0.1 only (never another interface) and loads nothing from the network; every result
    is an ordinary run folder in WORKSPACE/runs/, which the CLI, batch and report read as well.
    """
    from ..web.app import serve as run

    run(port=port, workspace=workspace)
