"""The games page: the allocation under every rule and whether it lies in the core."""

from __future__ import annotations

from ..errors import InfeasibleError, InputError, TooLargeError
from ..sharing.games import RULES, Game, core_check, solve_game


def allocations(game: Game) -> dict:
    out = {"players": list(game.players), "rules": {}, "stand_alone": dict(zip(game.players, game.stand_alone().tolist())),
           "grand": game.grand, "kind": game.kind, "convention": game.convention}
    for rule in RULES:
        try:
            sol = solve_game(game, rule)
        except (InfeasibleError, InputError, TooLargeError) as exc:
            out["rules"][rule] = {"error": str(exc)}
            continue
        check = core_check(game, sol.allocation)
        entry = {"status": sol.status, "allocation": dict(zip(game.players, sol.allocation.tolist())), "core": check}
        if "least_core_epsilon" in sol.details:
            entry["epsilon"] = sol.details["least_core_epsilon"]
        if "core_empty" in sol.details:
            entry["core_empty"] = sol.details["core_empty"]
        out["rules"][rule] = entry
    return out
