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

Every problem is collected and raised as one :class:`~optimizer.errors.InputError` naming the
file and the key.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..documents import magnitude_message, read_json
from ..errors import InputError, ProblemCollector
from .coalitions import MAX_PLAYERS
from .games import KINDS, MAX_GENERATED_PLAYERS, Game, airport_game, bankruptcy_game

_COMMON_KEYS = {"kind", "name", "note", "players", "weights", "allocation"}
_KEYS = {
    "profit": _COMMON_KEYS | {"values", "default"},
    "cost": _COMMON_KEYS | {"values", "default"},
    "bankruptcy": _COMMON_KEYS | {"estate", "claims"},
    "airport": _COMMON_KEYS | {"costs"},
}
#: missing coalitions named in one message before "... and k more"
_SHOW_MISSING = 10


class _Checker:
    """Collects problems about one game file."""

    def __init__(self, path: str) -> None:
        self.file = path
        self.problems = ProblemCollector(source=path)

    def add(self, where: str, message: str) -> None:
        self.problems.add(self.file, f"{where}: {message}" if where else message)

    def number(self, value: Any, where: str, *, minimum: float | None = None) -> float | None:
        """A finite JSON number (not a boolean), optionally >= ``minimum``; None after a problem."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(where, f"must be a number, got {json.dumps(value)}")
            return None
        if not math.isfinite(value):
            self.add(where, f"must be a finite number, got {value}")
            return None
        if minimum is not None and value < minimum:
            self.add(where, f"must be >= {minimum:g}, got {value:g}")
            return None
        too_large = magnitude_message(float(value))
        if too_large:
            self.add(where, too_large)
            return None
        return float(value)

    def players(self, raw: Any, where: str, limit: int = MAX_PLAYERS) -> list[str] | None:
        if not isinstance(raw, list) or not raw:
            self.add(where, "must be a non-empty list of player names")
            return None
        names: list[str] = []
        ok = True
        for k, p in enumerate(raw):
            if not isinstance(p, str) or not p.strip():
                self.add(f"{where}[{k}]", f"a player name must be a non-empty string, got {json.dumps(p)}")
                ok = False
            elif "," in p:
                self.add(f"{where}[{k}]", f"player name {p!r} must not contain a comma (commas join names in keys)")
                ok = False
            elif p.strip() in names:
                self.add(f"{where}[{k}]", f"player {p.strip()!r} is listed twice")
                ok = False
            else:
                names.append(p.strip())
        if ok and len(names) > limit:
            why = "2^n coalition values are held" if limit == MAX_PLAYERS else "generated games"
            self.add(where, f"{len(names)} players; at most {limit} are supported ({why})")
            ok = False
        return names if ok else None

    def per_player(self, raw: Any, where: str, players: list[str] | None, *, minimum: float | None = None):
        """An object player -> number covering exactly ``players`` (or defining them when None)."""
        if not isinstance(raw, dict) or not raw:
            self.add(where, "must be an object mapping each player to a number")
            return None
        out: dict[str, float] = {}
        ok = True
        for key, val in raw.items():
            name = key.strip()
            if players is not None and name not in players:
                self.add(f"{where}['{key}']", f"unknown player {name!r}")
                ok = False
                continue
            x = self.number(val, f"{where}['{key}']", minimum=minimum)
            ok = ok and x is not None
            out[name] = x if x is not None else 0.0
        if players is not None:
            missing = [p for p in players if p not in out]
            if missing:
                self.add(where, f"missing player(s) {', '.join(map(repr, missing))}")
                ok = False
        return out if ok else None


def _parse_json(path: Path, check: _Checker) -> Any:
    try:
        data = read_json(path).data
    except InputError as exc:
        check.problems.extend(exc.problems)
        return None
    if not isinstance(data, dict):
        check.add("", "the file must hold one JSON object")
        return None
    return data


def load_game(path: str | Path) -> Game:
    """Read and validate a game file; raises :class:`InputError` listing every problem."""
    path = Path(path)
    check = _Checker(str(path))
    data = _parse_json(path, check)
    game = _parse_game(data, check) if data is not None else None
    check.problems.raise_if_any()
    assert game is not None
    return game


def game_from_dict(data: dict, source: str = "<game>") -> Game:
    """Validate a game given as a parsed JSON object; raises :class:`InputError` naming ``source``."""
    check = _Checker(source)
    if not isinstance(data, dict):
        check.add("", "the game must be one JSON object")
    game = _parse_game(data, check) if isinstance(data, dict) else None
    check.problems.raise_if_any()
    assert game is not None
    return game


def _parse_game(data: dict, check: _Checker) -> Game | None:
    """Validate a parsed game file; problems go to ``check`` (None is returned after any)."""
    kind = data.get("kind")
    if kind not in KINDS:
        check.add("kind", f"must be one of {', '.join(KINDS)}, got {json.dumps(kind)}")
        return None
    for key in data:
        if key not in _KEYS[kind]:
            check.add(key, f"unknown key {key!r} for a {kind} game (allowed: {', '.join(sorted(_KEYS[kind]))})")
    name = data.get("name", "game")
    if not isinstance(name, str):
        check.add("name", "must be a string")
        name = "game"
    limit = MAX_PLAYERS if kind in ("profit", "cost") else MAX_GENERATED_PLAYERS
    players = check.players(data["players"], "players", limit) if "players" in data else None
    game: Game | None
    if kind in ("profit", "cost"):
        game = _explicit(data, kind, name, players, check)
    elif kind == "bankruptcy":
        game = _bankruptcy(data, name, players, check)
    else:
        game = _airport(data, name, players, check)
    if game is None:
        return None
    if "weights" in data:
        w = check.per_player(data["weights"], "weights", game.players, minimum=0.0)
        if w is not None:
            game.weights = np.array([w[p] for p in game.players])
            game.weights_basis = "weights"
    if "allocation" in data:
        a = check.per_player(data["allocation"], "allocation", game.players)
        if a is not None:
            game.allocation = np.array([a[p] for p in game.players])
    return None if check.problems else game


def _required(data: dict, key: str, kind: str, check: _Checker) -> bool:
    if key not in data:
        check.add(key, f"missing (a {kind} game needs it)")
        return False
    return True


def _explicit(data: dict, kind: str, name: str, players: list[str] | None, check: _Checker) -> Game | None:
    if "players" not in data:
        check.add("players", f"missing (a {kind} game needs it)")
    if not _required(data, "values", kind, check) or players is None:
        return None
    raw = data["values"]
    if not isinstance(raw, dict):
        check.add("values", "must be an object mapping coalition keys such as \"a,b\" to numbers")
        return None
    index = {p: i for i, p in enumerate(players)}
    n = len(players)
    values = np.zeros(1 << n)
    given = np.zeros(1 << n, dtype=bool)
    key_of: dict[int, str] = {}
    for key, val in raw.items():
        where = f"values['{key}']"
        mask = _coalition_mask(key, index, where, check)
        x = check.number(val, where)
        if mask is None:
            continue
        if mask in key_of:
            check.add(where, f"the same coalition as values['{key_of[mask]}']")
            continue
        key_of[mask] = key
        given[mask] = True
        if x is None:
            continue
        if mask == 0 and x != 0:
            check.add(where, f"the empty coalition must have value 0, got {x:g}")
        values[mask] = x
    default = None
    if "default" in data:
        default = check.number(data["default"], "default")
    given[0] = True
    missing = np.flatnonzero(~given)
    if missing.size and default is None and "default" not in data:
        tmp = Game(players, np.zeros(1 << n))
        shown = ", ".join(f"'{tmp.coalition_name(int(s))}'" for s in missing[:_SHOW_MISSING])
        more = f" and {missing.size - _SHOW_MISSING} more" if missing.size > _SHOW_MISSING else ""
        check.add("values", f"{missing.size} coalition(s) have no value: {shown}{more} (or give \"default\")")
    if check.problems:
        return None
    values[missing] = default if default is not None else 0.0
    return Game(players, values, kind, kind, name)


def _coalition_mask(key: str, index: dict[str, int], where: str, check: _Checker) -> int | None:
    if key.strip() == "":
        return 0
    mask = 0
    ok = True
    for part in key.split(","):
        p = part.strip()
        if p not in index:
            check.add(where, f"unknown player {p!r}" if p else "empty player name in the key")
            ok = False
        elif mask >> index[p] & 1:
            check.add(where, f"player {p!r} appears twice")
            ok = False
        else:
            mask |= 1 << index[p]
    return mask if ok else None


def _ordered(table: dict[str, float], players: list[str] | None, where: str, check: _Checker) -> dict | None:
    """``table`` in the order of ``players`` when given (they must name the same players)."""
    if players is None:
        return table
    if set(players) != set(table):
        check.add("players", f"must name exactly the players of '{where}'")
        return None
    return {p: table[p] for p in players}


def _bankruptcy(data: dict, name: str, players: list[str] | None, check: _Checker) -> Game | None:
    have = [_required(data, k, "bankruptcy", check) for k in ("estate", "claims")]
    if not all(have):
        return None
    estate = check.number(data["estate"], "estate", minimum=0.0)
    claims = check.per_player(data["claims"], "claims", None, minimum=0.0)
    if claims is not None:
        names = check.players(list(data["claims"]), "claims", MAX_GENERATED_PLAYERS)
        claims = _ordered(claims, players, "claims", check) if names is not None else None
    if estate is None or claims is None:
        return None
    total = sum(claims.values())
    if estate > total:
        check.add("estate", f"{estate:g} exceeds the total claims {total:g}: every claim can be paid, not a bankruptcy")
        return None
    return bankruptcy_game(estate, claims, name)


def _airport(data: dict, name: str, players: list[str] | None, check: _Checker) -> Game | None:
    if not _required(data, "costs", "airport", check):
        return None
    costs = check.per_player(data["costs"], "costs", None, minimum=0.0)
    if costs is not None:
        names = check.players(list(data["costs"]), "costs", MAX_GENERATED_PLAYERS)
        costs = _ordered(costs, players, "costs", check) if names is not None else None
    if costs is None:
        return None
    return airport_game(costs, name)
