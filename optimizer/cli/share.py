"""``optimizer share ...``: the interest-sharing commands (enclave schedules, cooperative games)."""

from __future__ import annotations

import click

from .share_enclave import enclave
from .share_game import game


@click.group()
def share() -> None:
    """Fair splits: enclave revenue schedules and cooperative-game allocations."""


share.add_command(enclave)
share.add_command(game)
