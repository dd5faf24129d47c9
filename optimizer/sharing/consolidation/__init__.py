"""The cost game of freight consolidation: who pays for the consolidated network.

* :mod:`.players` -- groups of feeder cities (provinces, cities, a player file);
* :mod:`.values` -- c(S), the freight MIP of a coalition, and the cache of coalition values;
* :mod:`.separation` -- the membership MIP that finds the most objecting coalition (row generation);
* :mod:`.today` -- each player's share of today's network cost;
* :mod:`.engine` -- :func:`solve_consolidation`: enumeration or row generation, then a rule;
* :mod:`.result` -- the run folder (summary.json, allocation.csv, coalitions.csv, GAME.json).
"""

from . import result
from .engine import RULES, ConsolidationResult, solve_consolidation
from .players import Players, define_players
from .values import CoalitionFailed

__all__ = ["RULES", "CoalitionFailed", "ConsolidationResult", "Players", "define_players", "result", "solve_consolidation"]
