"""``optimizer share ...``: the interest-sharing commands (enclave schedules, cooperative games)."""

from __future__ import annotations

import click

from . import main


@main.group()
def share() -> None:
    """Fair splits: enclave revenue schedules and cooperative-game allocations."""


def _register() -> None:
    from . import share_enclave, share_game  # noqa: F401  (modules add their commands to `share`)


_register()
