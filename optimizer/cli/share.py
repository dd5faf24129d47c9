"""``optimizer share ...``: the interest-sharing commands (enclave schedules, cooperative games)."""

from __future__ import annotations

import click

from .share_consolidation import consolidation
from .share_enclave import enclave
from .share_game import game


@click.group()
def share() -> None:
    """Fair splits: enclave revenue schedules, cooperative-game allocations, who pays for consolidation."""


share.add_command(enclave)
share.add_command(game)
share.add_command(consolidation)
