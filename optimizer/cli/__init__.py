"""``optimizer`` command line: a thin layer over :mod:`optimizer.api`.

Subcommands live in one module each and are added to the group here.
"""

from __future__ import annotations

import click

from .. import __version__


class _Group(click.Group):
    """Invalid usage exits with code 2 (click's default), like invalid input."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="optimizer")
def main() -> None:
    """Freight consolidation and interest sharing for the New Eurasian Land Bridge corridor."""


def _register() -> None:
    from . import batch, export_cmd, freight, instance_cmds, report_cmd, share  # noqa: F401  (modules add their commands to `main`)


_register()
