"""Who plays the consolidation game: groups of feeder cities.

A player is a set of cities with demand (westbound or return). Three ways to form them
(:func:`define_players`):

* ``province`` (default): the ``province`` column of cities.csv, one player per province with
  demand;
* ``city``: every city with demand is a player;
* a CSV file with the columns ``city_id,player``: every city with demand in exactly one player
  (cities without demand may be listed; they change nothing).

``only`` restricts the game to some players: the demand of every other player is left out of
every coalition, the grand coalition included. Bad input (an unknown column, a city in two
players, a city with demand in none, a player without demand, an unknown name in ``only``) is
collected and raised as one :class:`~optimizer.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ...documents import read_text
from ...errors import InputError, Problem
from ...instance.data import Instance

BY_PROVINCE, BY_CITY = "province", "city"
PLAYER_FILE_COLUMNS = ("city_id", "player")


@dataclass(frozen=True)
class Players:
    """The players in game order and the cities of each (only cities with demand)."""

    names: tuple[str, ...]
    cities: dict[str, tuple[str, ...]]
    basis: str  # "province", "city" or the player file's path

    @property
    def n(self) -> int:
        return len(self.names)

    def cities_of(self, mask: int) -> set[str]:
        """The cities of the coalition ``mask`` (player i is bit i)."""
        return {c for i, p in enumerate(self.names) if mask >> i & 1 for c in self.cities[p]}

    def player_of_city(self) -> dict[str, str]:
        return {c: p for p, cs in self.cities.items() for c in cs}

    def as_dict(self) -> dict:
        return {"basis": self.basis, "players": {p: list(self.cities[p]) for p in self.names}}


def cities_with_demand(instance: Instance) -> list[str]:
    """Cities with westbound or return demand, in the order of cities.csv."""
    d = instance.demand
    active = set(d.loc[(d["teu"] > 0) | (d["return_teu"] > 0), "origin"].astype(str))
    return [c for c in instance.cities.index.astype(str) if c in active]


def define_players(instance: Instance, spec: str | Path = BY_PROVINCE, only: list[str] | None = None) -> Players:
    """The players of the game on ``instance`` (see the module docstring); raises InputError."""
    active = cities_with_demand(instance)
    if str(spec) == BY_PROVINCE:
        groups = _by_column(instance, active)
        basis = BY_PROVINCE
    elif str(spec) == BY_CITY:
        groups = {c: [c] for c in active}
        basis = BY_CITY
    else:
        groups = _from_file(Path(spec), instance, active)
        basis = str(spec)
    if only:
        unknown = [p for p in only if p not in groups]
        if unknown:
            known = ", ".join(sorted(groups)[:20]) + (", ..." if len(groups) > 20 else "")
            raise InputError(
                [Problem("--only", f"unknown player {p!r}; the players are {known}") for p in unknown], source="--only"
            )
        seen: list[str] = []
        for p in only:
            if p not in seen:
                seen.append(p)
        groups = {p: groups[p] for p in seen}
    if not groups:
        raise InputError([Problem(instance.name, "no city has demand: the game has no players")], source=instance.name)
    return Players(tuple(groups), {p: tuple(cs) for p, cs in groups.items()}, basis)


def _by_column(instance: Instance, active: list[str]) -> dict[str, list[str]]:
    cities = instance.cities
    if "province" not in cities.columns:
        raise InputError([Problem("cities.csv", "has no 'province' column; use --players city or --players FILE.csv", column="province")], source="--players")
    groups: dict[str, list[str]] = {}
    for c in active:
        prov = str(cities.at[c, "province"]).strip()
        if not prov or prov.lower() == "nan":
            raise InputError([Problem("cities.csv", f"city {c!r} has no province; fill it in or use --players FILE.csv", column="province")], source="--players")
        groups.setdefault(prov, []).append(c)
    return groups


def _from_file(path: Path, instance: Instance, active: list[str]) -> dict[str, list[str]]:
    """Players from a ``city_id,player`` CSV file; every problem collected."""
    name = str(path)
    text = read_text(path, "csv")
    try:
        records = [[cell.strip() for cell in rec] for rec in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise InputError([Problem(name, f"not a readable CSV file: {exc}")], source=name) from None
    problems: list[Problem] = []
    if not records or tuple(records[0][:2]) != PLAYER_FILE_COLUMNS or any(records[0][2:]):
        got = ",".join(records[0]) if records else "nothing"
        raise InputError([Problem(name, f"the header must be exactly 'city_id,player', got '{got}'", row=1)], source=name)
    known = set(instance.cities.index.astype(str))
    owner: dict[str, tuple[str, int]] = {}
    groups: dict[str, list[str]] = {}
    for row, rec in enumerate(records[1:], start=2):
        if not any(rec):
            continue
        if len(rec) != 2:
            problems.append(Problem(name, f"{len(rec)} cells; a row is city_id,player", row=row))
            continue
        city, player = rec
        if city not in known:
            problems.append(Problem(name, f"unknown city {city!r} (not in cities.csv)", row=row, column="city_id"))
            continue
        if not player:
            problems.append(Problem(name, "empty player name", row=row, column="player"))
            continue
        if city in owner:
            other, first = owner[city]
            problems.append(Problem(name, f"city {city!r} is already in player {other!r} (row {first}); a city belongs to one player", row=row, column="city_id"))
            continue
        owner[city] = (player, row)
        groups.setdefault(player, [])
    for c in active:
        if c in owner:
            groups[owner[c][0]].append(c)
        else:
            problems.append(Problem(name, f"city {c!r} has demand but is in no player; add a row for it"))
    for p, cs in groups.items():
        if not cs:
            problems.append(Problem(name, f"player {p!r} has no city with demand; remove it"))
    if problems:
        raise InputError(problems, source=name)
    return groups
