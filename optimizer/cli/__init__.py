"""``optimizer`` command line: a thin layer over :mod:`optimizer.api`.

Each command (or group) is defined in its own module, with no reference to the top-level group;
this module imports them (under private names, so that ``optimizer.cli.freight`` stays the module)
and adds them to :func:`main`, so the imports only ever go one way.
"""

from __future__ import annotations

import click

from .. import __version__
from .batch import batch as _batch
from .export_cmd import export as _export
from .freight import freight as _freight
from .freight_pareto import pareto as _pareto
from .instance_cmds import generate as _generate
from .instance_cmds import import_group as _import
from .instance_cmds import validate as _validate
from .report_cmd import report as _report
from .serve import serve as _serve
from .share import share as _share


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="optimizer")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (as OPTIMIZER_DEBUG=1 does).")
def main(debug: bool) -> None:
    """Freight consolidation and interest sharing for the New Eurasian Land Bridge corridor.

    Invalid usage exits with code 2, like invalid input.
    """


_freight.add_command(_pareto)
for _command in (_validate, _freight, _import, _generate, _export, _share, _batch, _report, _serve):
    main.add_command(_command)
