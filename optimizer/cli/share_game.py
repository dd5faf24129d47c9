"""``optimizer share game GAME.json --rule RULE``: allocate a cooperative game's value."""

from __future__ import annotations

from pathlib import Path

import click

from ..logs import start_console
from ..results import RunFolder, check_target, dumps
from ..sharing.game_io import load_game
from ..sharing.games import RULES, GameSolution, solve_game
from .common import handle_errors, json_option, quiet_option


@click.command("game")
@click.argument("game_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rule", required=True, type=click.Choice(RULES), help="Allocation rule.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Run folder for summary.json and allocation.csv (written atomically).",
)
@json_option
@quiet_option
@handle_errors
def game(game_file: Path, rule: str, out: Path | None, as_json: bool, quiet: bool) -> None:
    """Split the value (or cost) of the grand coalition of GAME_FILE by RULE.

    GAME_FILE is JSON: an explicit profit or cost game, or a bankruptcy or airport game
    (see optimizer.sharing.game_io). Invalid files exit with code 2 and every problem listed;
    a rule that has no answer for the game (an empty imputation set for the nucleolus) exits 3.
    """
    console = start_console(quiet)
    if out is not None:
        check_target(out, "game", inputs=[game_file])
    g = load_game(game_file)
    console.info(f"{g.name}: {g.n} players, {g.kind} game; rule {rule}")
    solution = solve_game(g, rule)
    console.info(f"{rule}: {solution.status} in {solution.seconds:.2f}s")
    summary = solution.summary()
    if out is not None:
        with RunFolder(out, "game", inputs=[game_file]) as run:
            run.write_json("summary.json", summary)
            run.write_table("allocation", solution.table())
        console.info(f"wrote {out}")
    if as_json:
        click.echo(dumps(summary))
    else:
        click.echo(_text(solution))


def _text(solution: GameSolution) -> str:
    """A short human-readable report."""
    g = solution.game
    what = "v(N)" if g.convention == "profit" else "c(N)"
    lines = [f"{solution.rule} of {g.name} ({g.kind}, {what} = {g.grand:g}): {solution.status}"]
    width = max(len(p) for p in g.players)
    for p, x in zip(g.players, solution.allocation):
        lines.append(f"  {p:<{width}}  {x + 0.0:14.6g}")
    d = solution.details
    if "least_core_epsilon" in d:
        lines.append(f"least-core epsilon: {d['least_core_epsilon']:g}")
    for level in d.get("excess_levels", []):
        shown = "; ".join(level["coalitions"][:5])
        more = f" (+{level['count'] - 5} more)" if level["count"] > 5 else ""
        lines.append(f"excess {level['level']:g}: {shown}{more}")
    check = d.get("check")
    if check is not None:
        verdict = "in the core" if check["in_core"] else "NOT in the core"
        lines.append(
            f"given allocation: {verdict} (efficient: {check['efficient']}, largest excess "
            f"{check['max_excess']:g} for {check['most_violated_coalition']})"
        )
    return "\n".join(lines)
