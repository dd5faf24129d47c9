"""Game files (JSON): read, validate and turn into a :class:`~.games.Game`.

Explicit games::

    {"name": "three towns", "players": ["a", "b", "c"], "kind": "profit",
     "values": {"a": 0, "b": 0, "c": 0, "a,b": 60, "a,c": 60, "b,c": 60, "a,b,c": 90},
     "default": 0}

``kind`` is ``profit`` (v(S); an allocation shares v(N)) or ``cost`` (c(S); it shares c(N)). A
coalition key is player names joined by commas, in any order, spaces around names ignored; the
empty coalition may be given as ``""`` and must then be 0. Every non-empty coalition needs a value
unless ``default`` gives one for the coalitions that are not listed.

Generated games::

    {"kind": "bankruptcy", "estate": 200, "claims": {"a": 100, "b": 200, "c": 300}}
    {"kind": "airport", "costs": {"a": 8, "b": 12, "c": 12}}

A bankruptcy game is a profit game with v(S) = max(0, E - claims of the players outside S). Claims
must be >= 0 and the estate must lie in [0, sum of claims]: an estate that covers every claim is
not a bankruptcy problem (everybody is paid in full) and is rejected. An airport game is a cost
game with c(S) = the largest cost in S; costs must be >= 0. Explicit games have at most 22 players
(all 2^n values are held); generated games at most 500 (above 20 players their values are computed
by formula and the LP rules search coalitions with an exact oracle, see :mod:`.oracles`).

Optional keys for every kind: ``name``, ``note`` (free text), ``players`` (for generated games:
the same names as the claims or costs, fixing their order), ``weights`` (player -> number >= 0, the
proportional rule's basis), ``allocation`` (player -> number, in the game's convention: checked
for core membership by ``--rule core``).

The file is declared in :data:`SPEC` (a :func:`~optimizer.checks.Variants` on ``kind``) over
:mod:`optimizer.checks`, like the case and scenario files; what relates keys to each other (coalition
keys naming the players, unique player names, claims and costs naming the same players as
``players``, the estate within the claims) is checked by the functions below. Every problem is
collected and raised as one :class:`~optimizer.errors.InputError` naming the file and the key path,
in the words shared with the CSV loader, e.g. ``game.json: claims.a: must be at least 0, not -1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..checks import INVALID, JSON, Anything, Checker, List, Mapping, Number, Table, Text, Variants, valid
from ..documents import key_path, read_json
from .coalitions import MAX_PLAYERS
from .games import KINDS, MAX_GENERATED_PLAYERS, Game, airport_game, bankruptcy_game

#: missing coalitions named in one message before "... and k more"
_SHOW_MISSING = 10


def _comma(name: str) -> str | None:
    return f"player name {name!r} must not contain a comma (commas join names in keys)" if "," in name else None


def _players(**kw):
    return List(Text(required=True, test=_comma), min_items=1, null=False, help="player names", **kw)


def _per_player(minimum: float | None = None, **kw):
    """An object player -> number (the players are checked against the game's)."""
    return Table(Number(minimum, required=True), min_items=1, null=False, help="each player mapped to a number", **kw)


_COMMON = {
    "kind": Anything(),
    "name": Text(nonempty=False, strip=False, default="game", null=False),
    "note": Anything(),
    "players": _players(),
    "weights": _per_player(0),
    "allocation": _per_player(),
}
_EXPLICIT = Mapping({
    **_COMMON,
    "players": _players(required=True),
    "values": Table(Number(required=True), required=True, help='coalition keys such as "a,b" mapped to numbers'),
    "default": Number(null=False),
})
#: a game file, declared: its keys depend on its kind (what relates keys to each other is checked below)
SPEC = Variants("kind", {
    "profit": _EXPLICIT,
    "cost": _EXPLICIT,
    "bankruptcy": Mapping({**_COMMON, "estate": Number(0, required=True), "claims": _per_player(0, required=True)}),
    "airport": Mapping({**_COMMON, "costs": _per_player(0, required=True)}),
})
assert tuple(SPEC.fields) == KINDS


def load_game(path: str | Path) -> Game:
    """Read and validate a game file; raises :class:`~optimizer.errors.InputError` listing every problem."""
    return game_from_dict(read_json(path).data, source=str(path))


def game_from_dict(data: Any, source: str = "<game>") -> Game:
    """Validate a game given as a parsed JSON object; raises :class:`~optimizer.errors.InputError` naming ``source``."""
    r = Checker(source, JSON)
    doc = r.check(SPEC, data)
    game = None if doc is INVALID else _game(r, doc)
    r.raise_if_any()
    assert game is not None
    return game


def _game(r: Checker, doc: dict) -> Game | None:
    """The game from its cleaned document; None after any problem."""
    kind = doc["kind"]
    if doc["name"] is INVALID:  # reported; the other checks go on under the default name
        doc = {**doc, "name": "game"}
    limit = MAX_PLAYERS if kind in ("profit", "cost") else MAX_GENERATED_PLAYERS
    players = player_list(r, doc["players"], limit)
    game: Game | None
    if kind in ("profit", "cost"):
        game = explicit_game(r, doc, players)
    elif kind == "bankruptcy":
        game = generated_game(r, doc, "claims", players)
    else:
        game = generated_game(r, doc, "costs", players)
    if game is None:
        return None
    weights = per_player(r, doc["weights"], "weights", game.players)
    if weights is not None:
        game.weights = np.array([weights[p] for p in game.players])
        game.weights_basis = "weights"
    allocation = per_player(r, doc["allocation"], "allocation", game.players)
    if allocation is not None:
        game.allocation = np.array([allocation[p] for p in game.players])
    return None if r.problems else game


def player_list(r: Checker, names: Any, limit: int) -> list[str] | None:
    """The ``players`` list: each name once, at most ``limit`` of them; None when absent or after a problem."""
    if names is None or not valid(names):
        return None
    seen: list[str] = []
    for k, p in enumerate(names):
        if p in seen:
            r.add(("players", k), f"player {p!r} is listed twice")
        seen.append(p)
    if len(set(seen)) < len(seen):
        return None
    return seen if _within(r, ("players",), len(seen), limit) else None


def _within(r: Checker, path: tuple, n: int, limit: int) -> bool:
    if n > limit:
        why = "2^n coalition values are held" if limit == MAX_PLAYERS else "generated games"
        r.add(path, f"{n} players; at most {limit} are supported ({why})")
        return False
    return True


def named_players(r: Checker, table: dict, key: str) -> dict[str, float] | None:
    """``claims`` or ``costs`` (player -> number): the keys name the players (stripped, unique, no comma)."""
    out: dict[str, float] = {}
    ok = valid(table)
    for raw, value in table.items():
        name = raw.strip()
        problem = ("must name a player (a non-empty string)" if not name else _comma(name)
                   or (f"player {name!r} is listed twice" if name in out else None))
        if problem:
            r.add((key, raw), problem)
            ok = False
        out[name] = value
    return out if ok and _within(r, (key,), len(out), MAX_GENERATED_PLAYERS) else None


def per_player(r: Checker, table: Any, key: str, players: list[str]) -> dict[str, float] | None:
    """``weights`` or ``allocation``: a number for exactly the game's players; None when absent or after a problem."""
    if table is None or table is INVALID:
        return None
    out: dict[str, float] = {}
    ok = valid(table)
    for raw, value in table.items():
        name = raw.strip()
        if name not in players:
            r.add((key, raw), f"unknown player {name!r}")
            ok = False
        else:
            out[name] = value
    missing = [p for p in players if p not in out]
    if missing:
        r.add((key,), f"missing player(s) {', '.join(map(repr, missing))}")
    return out if ok and not missing else None


def explicit_game(r: Checker, doc: dict, players: list[str] | None) -> Game | None:
    """A profit or cost game: a value for every coalition (or ``default``); the empty coalition is 0."""
    raw = doc["values"]
    if players is None or raw is INVALID:
        return None
    index = {p: i for i, p in enumerate(players)}
    n = len(players)
    values = np.zeros(1 << n)
    given = np.zeros(1 << n, dtype=bool)
    key_of: dict[int, str] = {}
    for key, x in raw.items():
        path = ("values", key)
        mask = coalition_mask(r, key, index, path)
        if mask is None:
            continue
        if mask in key_of:
            r.add(path, f"the same coalition as {key_path(('values', key_of[mask]))}")
            continue
        key_of[mask] = key
        given[mask] = True
        if x is INVALID:
            continue
        if mask == 0 and x != 0:
            r.add(path, f"the empty coalition must have value 0, not {x:g}")
        values[mask] = x
    default = doc["default"]
    given[0] = True
    missing = np.flatnonzero(~given)
    if missing.size and default is None:
        tmp = Game(players, np.zeros(1 << n))
        shown = ", ".join(f"'{tmp.coalition_name(int(s))}'" for s in missing[:_SHOW_MISSING])
        more = f" and {missing.size - _SHOW_MISSING} more" if missing.size > _SHOW_MISSING else ""
        r.add(("values",), f"{missing.size} coalition(s) have no value: {shown}{more} (or give \"default\")")
    if r.problems:
        return None
    values[missing] = default if default is not None else 0.0
    return Game(players, values, doc["kind"], doc["kind"], doc["name"])


def coalition_mask(r: Checker, key: str, index: dict[str, int], path: tuple) -> int | None:
    """The bit mask of the coalition ``key`` (player names joined by commas); None after a problem."""
    if key.strip() == "":
        return 0
    mask = 0
    ok = True
    for part in key.split(","):
        p = part.strip()
        if p not in index:
            r.add(path, f"unknown player {p!r}" if p else "empty player name in the key")
            ok = False
        elif mask >> index[p] & 1:
            r.add(path, f"player {p!r} appears twice")
            ok = False
        else:
            mask |= 1 << index[p]
    return mask if ok else None


def generated_game(r: Checker, doc: dict, key: str, players: list[str] | None) -> Game | None:
    """A bankruptcy game (``claims`` and an ``estate`` within them) or an airport game (``costs``)."""
    if doc[key] is INVALID:
        return None
    table = named_players(r, doc[key], key)
    if table is None:
        return None
    if players is not None:
        if set(players) != set(table):
            r.add(("players",), f"must name exactly the players of '{key}'")
            return None
        table = {p: table[p] for p in players}
    if key == "costs":
        return airport_game(table, doc["name"])
    estate = doc["estate"]
    if estate is INVALID:
        return None
    total = sum(table.values())
    if estate > total:
        r.add(("estate",), f"{estate:g} exceeds the total claims {total:g}: every claim can be paid, not a bankruptcy")
        return None
    return bankruptcy_game(estate, table, doc["name"])
