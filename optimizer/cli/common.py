"""What every command shares: error handling and exit codes, --json/--quiet options."""

from __future__ import annotations

import functools
import os
import sys
import traceback

import click

from ..errors import EXIT_INTERNAL, OptimizerError
from ..solve.highs import DEFAULT_STRATEGY, STRATEGIES


def _debug() -> bool:
    """``--debug`` was given to the top-level command, or OPTIMIZER_DEBUG is set."""
    ctx = click.get_current_context(silent=True)
    return bool(os.environ.get("OPTIMIZER_DEBUG") or (ctx is not None and ctx.find_root().params.get("debug")))


def handle_errors(fn):
    """Map package errors to their exit codes with a short message on stderr, never a traceback.

    An unexpected exception is an internal error (exit 1); its traceback is shown only with
    ``optimizer --debug ...`` or when the environment variable ``OPTIMIZER_DEBUG`` is set.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OptimizerError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was written for this run", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence of the CLI
            if _debug():
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug; run with --debug (optimizer --debug COMMAND ...) for the traceback and report it.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Print summary.json to stdout.")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
strategy_option = click.option(
    "--strategy", type=click.Choice(STRATEGIES), default=DEFAULT_STRATEGY, show_default=True,
    help="How HiGHS solves the MIPs: 'search' runs a neighbourhood search for better plans beside it, 'plain' HiGHS alone.",
)
