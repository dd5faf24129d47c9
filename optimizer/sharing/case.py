"""Enclave cases (CASE.yaml): the file declared (:data:`SPEC`), read and checked.

A case describes one enclave arrangement (飞地经济): the parties, the revenue streams the
cooperation creates year by year, the policy constraints a negotiator must respect and,
optionally, the written rule (``fixed_rule``) to evaluate. The full reference with examples is
``docs/enclave-case.md``; in short::

    name: example                  # identifier (used in result folder names)
    description: ...               # optional free text
    units: million CNY             # optional label of the money unit
    start_year: 2025               # calendar year of t = 1
    discount_rate: 0.05            # yearly, 0 <= δ <= 1; year t is discounted by (1+δ)^-t
    parties:                       # two or more
      - id: origin
        role: originating          # originating | receiving | other
        contributions: {capital: 60, technology: 10}   # money value of each factor (>= 0)
        disagreement: 0            # NPV the party secures without the arrangement (default 0)
        weight: 1                  # Nash bargaining weight β_p > 0 (default 1)
    revenues:                      # one list per stream, one number (>= 0) per year, all the same length
      tax: [100, 120, 140]
      land: [50, 0, 0]
      gdp: [800, 900, 1000]
    statistics: [gdp]              # streams that are statistics, not money (default: [gdp] if present)
    statistics_split:              # how each statistic is shared (default: follow the first money stream)
      gdp: {follow: tax}           # ... the shares of a money stream, year by year, or
      # gdp: {shares: {origin: 0.4, host: 0.6}}      a fixed split (number or one per year)
    constraints: {...}             # policy constraints, see :class:`Constraints`
    fixed_rule: {...}              # the written rule for --rule fixed, see :class:`FixedRule`

Money streams (tax, land income, grants, ...) add up to each party's NPV. Statistics (GDP,
value added, output) are shared and reported year by year, but never added to money: their
shares follow their own rule from ``statistics_split``.

The file's shape (types, ranges, required keys, defaults) is declared in :data:`SPEC` over
:mod:`optimizer.checks`, like the scenario file; what relates one key to another (a party or stream
named elsewhere, shares that sum to 1, years within the case, every money stream split once) is
checked by the plain functions below, on the cleaned document. The objects built are in
:mod:`optimizer.sharing.case_model`.

Every problem in a case file is collected and reported at once as an
:class:`~optimizer.errors.InputError` (exit code 2), each naming the file, the line and column of the
key and its key path, in the words shared with the CSV loader and the scenario file, e.g.
``case.yaml, line 12, column 9: parties[1].contributions.land: must be a number at least 0, not 'a lot'``.
"""


from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks import INVALID, YAML, Anything, Bool, Checker, Choice, Either, Integer, List, Mapping, Number, Table, Text, valid
from ..documents import key_path, read_yaml
from .case_model import (
    MAX_YEARS,
    ROLES,
    YEARS,
    Buffer,
    Case,
    Constraints,
    FixedRule,
    Guarantee,
    OriginCap,
    Party,
    PhaseOut,
    ShareLimit,
    StatisticSplit,
)

__all__ = [
    "MAX_YEARS", "ROLES", "YEARS", "SPEC", "Buffer", "Case", "Constraints", "FixedRule", "Guarantee", "OriginCap",
    "Party", "PhaseOut", "ShareLimit", "StatisticSplit", "case_from_dict", "load_case",
]


def _case_name(name: str) -> str | None:
    if not all(c.isalnum() or c in "-_." for c in name):
        return f"use letters, digits, '-', '_' or '.' only (it names result folders), not {name!r}"
    return None


SHARE = Number(0, 1, null=False)
#: a share: one number for every year, or one number per year (the count is checked against the case)
PER_YEAR = Either(SHARE, List(Number(0, 1, required=True)), required=True)
#: party -> share (the parties and the sums are checked against the case)
PARTY_SHARES = Table(PER_YEAR, required=True, help="party: share")
#: one stream name or a list of them (checked against the case's streams)
STREAMS = Either(Text(), List(Text(required=True), min_items=1), help="stream names")
PARTY_REF = Text(required=True)
YEAR = Integer(null=False)

PARTY = Mapping({
    "id": Text(required=True, numbers="whole"),
    "role": Choice(*ROLES, required=True),
    "contributions": Table(Number(0, required=True), default={}, numbers=True, help="factor: money value"),
    "disagreement": Number(default=0.0, null=False),
    "weight": Number(0, strict_min=True, default=1.0, null=False),
}, required=True)

GUARANTEE = Mapping({
    "party": PARTY_REF,
    "amount": Number(0, required=True),
    "streams": STREAMS,
    "from_year": YEAR,
    "to_year": YEAR,
}, required=True)

CONSTRAINTS = Mapping({
    "individual_rationality": Bool(default=True, null=False),
    "buffer": Mapping({"years": Integer(0, required=True), "floor": Number(0, 1, default=0.0, null=False), "streams": STREAMS}),
    "max_change": Either(SHARE, Table(Number(0, 1, required=True))),
    "share_limits": List(Mapping({
        "party": PARTY_REF,
        "min": SHARE,
        "max": SHARE,
        "streams": STREAMS,
        "from_year": YEAR,
        "to_year": YEAR,
    }, required=True)),
    "origin_cap": Either(Number(0), Mapping({"amount": Number(0, required=True), "streams": STREAMS})),
    "guaranteed_minimum": Either(GUARANTEE, List(GUARANTEE)),
})

PHASE_OUT = Mapping({
    "streams": STREAMS,
    "origin": Text(),
    "receiver": Text(),
    "origin_share": Either(SHARE, List(Number(0, 1, required=True), min_items=1), required=True),
    "years": Integer(1, MAX_YEARS, null=False),
    "extension_years": Integer(0, default=0, null=False),
    "cap": Number(0),
})

#: CASE.yaml, declared (what relates keys to each other is checked by the functions below)
SPEC = Mapping({
    "name": Text(required=True, numbers="whole", test=_case_name),
    "description": Anything(default=""),
    "units": Anything(default=""),
    "start_year": Integer(*YEARS, required=True),
    "discount_rate": Number(0, 1, default=0.0, null=False),
    "parties": List(PARTY, required=True, min_items=2, help="two or more parties"),
    "revenues": Table(
        List(Number(0, required=True), required=True, min_items=1, max_items=MAX_YEARS, help="one amount per year"),
        required=True,
        min_items=1,
        numbers=True,
    ),
    "statistics": List(Text(required=True, numbers=True), help="stream names"),
    "statistics_split": Table(
        Mapping({"follow": Text(null=False), "shares": Table(PER_YEAR, null=False, help="party: share")}, required=True), default={}
    ),
    "constraints": CONSTRAINTS,
    "fixed_rule": Mapping({"shares": Table(PARTY_SHARES, default={}), "phase_out": PHASE_OUT}),
})


# --------------------------------------------------------------------------------------------
# reading


def load_case(path: str | Path) -> Case:
    """Read and validate CASE.yaml; raises :class:`~optimizer.errors.InputError` listing every problem."""
    document = read_yaml(path)
    return case_from_dict(document.data, source=str(path), positions=document.positions)


def case_from_dict(data: Any, source: str = "<case>", positions: dict | None = None) -> Case:
    """Validate a parsed case (a dict as from YAML) and build a :class:`Case`; ``positions`` (from
    :func:`~optimizer.documents.read_yaml`) place each problem at its line and column."""
    r = Checker(source, YAML, positions)
    doc = r.check(SPEC, data)
    case = None if doc is INVALID else _case(r, doc, stated_statistics="statistics" in data, source=source)
    r.raise_if_any()
    assert case is not None
    return case


@dataclass(frozen=True)
class _Context:
    """What the cross-references of a case are checked against."""

    ids: list[str]  # every party whose id could be read
    roles: dict[str, str]
    streams: list[str]
    money: list[str]
    T: int
    start_year: int


def _case(r: Checker, doc: dict, stated_statistics: bool, source: str) -> Case | None:
    """The case from its cleaned document: every rule that relates one key to another, then the objects."""
    roles = party_roles(r, doc["parties"])
    revenues = same_years(r, doc["revenues"])
    if revenues is None:
        return None
    statistics = statistic_streams(r, doc["statistics"], revenues, stated_statistics)
    money = [s for s in revenues if s not in (statistics or ())]
    if statistics is not None and not money:
        r.add(("statistics",), "every stream is a statistic; at least one money stream is needed")
    elif statistics is not None and not any(v > 0 for s in money for v in revenues[s]):
        r.add(("revenues",), f"the money streams ({', '.join(money)}) are zero in every year: nothing to share")
    if statistics is None or doc["start_year"] is INVALID or not money:
        return None
    T = len(next(iter(revenues.values())))
    ctx = _Context(ids=list(roles), roles=roles, streams=list(revenues), money=money, T=T, start_year=doc["start_year"])
    split = statistics_split(r, doc["statistics_split"], statistics, ctx)
    constraints = read_constraints(r, doc["constraints"], ctx)
    fixed = fixed_rule(r, doc["fixed_rule"], ctx) if doc["fixed_rule"] is not None else None
    if r.problems:
        return None
    return Case(
        name=doc["name"],
        start_year=doc["start_year"],
        discount_rate=doc["discount_rate"],
        parties=tuple(Party(p["id"], p["role"], dict(p["contributions"]), p["disagreement"], p["weight"]) for p in doc["parties"]),
        revenues=revenues,
        statistics=tuple(statistics),
        statistics_split=split,
        constraints=constraints,
        fixed_rule=fixed,
        description=str(doc["description"] or ""),
        units=str(doc["units"] or ""),
        source=source,
    )


# --------------------------------------------------------------------------------------------
# parties, revenues, statistics


def party_roles(r: Checker, parties: Any) -> dict[str, str]:
    """Party id -> role of every party whose id could be read (an unreadable role counts as ``other``); ids are unique."""
    roles: dict[str, str] = {}
    for i, p in enumerate(parties if isinstance(parties, list) else ()):
        if p is INVALID or p["id"] is INVALID:
            continue
        if p["id"] in roles:
            r.add(("parties", i, "id"), f"duplicate party id {p['id']!r}")
            continue
        roles[p["id"]] = "other" if p["role"] is INVALID else p["role"]
    return roles


def same_years(r: Checker, revenues: Any) -> dict[str, tuple[float, ...]] | None:
    """The revenue streams, when every one was read and all cover the same years."""
    if revenues is INVALID:
        return None
    lengths = {s: len(v) for s, v in revenues.items() if v is not INVALID}
    first = next(iter(lengths), None)
    for s, n in lengths.items():
        if n != lengths[first]:
            r.add(("revenues", s), f"has {n} years but {key_path(('revenues', first))} has {lengths[first]}; all streams need the same years")
    if len(set(lengths.values())) > 1 or not valid(revenues):
        return None
    return {s: tuple(v) for s, v in revenues.items()}


def statistic_streams(r: Checker, value: Any, revenues: dict, stated: bool) -> list[str] | None:
    """The statistic streams (default: ``[gdp]`` when there is such a stream and the key is absent)."""
    if value is None:
        return [] if stated else (["gdp"] if "gdp" in revenues else [])
    if not valid(value):
        return None
    for j, s in enumerate(value):
        if s not in revenues:
            r.add(("statistics", j), f"unknown stream {s!r} (streams: {', '.join(revenues)})")
            return None
    return list(value)


def statistics_split(r: Checker, value: Any, statistics: list[str], ctx: _Context) -> dict[str, StatisticSplit] | None:
    """How each statistic is shared: ``follow`` a money stream or fixed ``shares`` (default: follow the first money stream)."""
    if value is INVALID:
        return None
    for s in value:
        if s not in statistics:
            r.add(("statistics_split", s), f"not a statistic stream ({s!r} is not among the statistics: {', '.join(statistics) or 'none'})")
    out: dict[str, StatisticSplit] = {}
    for s in statistics:
        spec = value.get(s)
        path = ("statistics_split", s)
        if spec is None:
            out[s] = StatisticSplit(s, follow=ctx.money[0])
        elif spec is INVALID:
            continue
        elif (spec["follow"] is None) == (spec["shares"] is None):
            r.add(path, "give exactly one of 'follow' (a money stream) or 'shares' (party: share)")
        elif spec["follow"] is not None:
            if spec["follow"] is not INVALID and spec["follow"] not in ctx.money:
                r.add((*path, "follow"), f"must name a money stream ({', '.join(ctx.money)}), not {spec['follow']!r}")
            out[s] = StatisticSplit(s, follow=spec["follow"])
        else:
            out[s] = StatisticSplit(s, shares=party_shares(r, spec["shares"], (*path, "shares"), ctx))
    return out


def per_year(r: Checker, value: Any, path: tuple, T: int) -> tuple[float, ...] | None:
    """A share given as one number (every year) or as one number per year."""
    if not valid(value):
        return None
    if isinstance(value, list):
        if len(value) != T:
            r.add(path, f"has {len(value)} values; give one number or {T} (one per year)")
            return None
        return tuple(value)
    return (value,) * T


def party_shares(r: Checker, value: Any, path: tuple, ctx: _Context) -> dict[str, tuple[float, ...]] | None:
    """Party -> share per year; parties not named get 0; the shares must sum to 1 in every year."""
    if value is INVALID:
        return None
    out: dict[str, tuple[float, ...] | None] = {}
    for pid, v in value.items():
        if pid not in ctx.ids:
            r.add((*path, pid), f"unknown party {pid!r} (parties: {', '.join(ctx.ids)})")
        else:
            out[pid] = per_year(r, v, (*path, pid), ctx.T)
    if len(out) < len(value) or not all(out.values()):
        return None
    for t in range(ctx.T):
        total = sum(v[t] for v in out.values())
        if abs(total - 1.0) > 1e-9:
            r.add(path, f"shares in {ctx.start_year + t} sum to {total:g}, not 1")
            return None
    return {pid: out.get(pid) or (0.0,) * ctx.T for pid in ctx.ids}


def streams(r: Checker, value: Any, path: tuple, allowed: list[str], default: list[str]) -> tuple[str, ...] | None:
    """Stream names (one name stands for a list of one), each among ``allowed``; ``default`` when absent."""
    if value is None:
        return tuple(default)
    if not valid(value):
        return None
    names = [value] if isinstance(value, str) else value
    for j, s in enumerate(names):
        if s not in allowed:
            r.add((*path, j), f"unknown stream {s!r} here (allowed: {', '.join(allowed)})")
            return None
    return tuple(names)


def party_ref(r: Checker, value: Any, path: tuple, ctx: _Context) -> str | None:
    if value is INVALID:
        return None
    if value not in ctx.ids:
        r.add(path, f"unknown party {value!r} (parties: {', '.join(ctx.ids)})")
        return None
    return value


def year_range(r: Checker, d: dict, path: tuple, ctx: _Context) -> tuple[int, ...] | None:
    """Indices t of the years from_year..to_year (inclusive; default: every year)."""
    first, last = ctx.start_year, ctx.start_year + ctx.T - 1
    lo = first if d["from_year"] is None else d["from_year"]
    hi = last if d["to_year"] is None else d["to_year"]
    if lo is INVALID or hi is INVALID:
        return None
    if not (first <= lo <= hi <= last):
        r.add(path, f"years {lo}..{hi} must lie within {first}..{last}, from_year <= to_year")
        return None
    return tuple(range(lo - first + 1, hi - first + 2))


# --------------------------------------------------------------------------------------------
# constraints


def read_constraints(r: Checker, c: Any, ctx: _Context) -> Constraints | None:
    if c is None:
        return Constraints()
    if c is INVALID:
        return None
    return Constraints(
        c["individual_rationality"],
        buffer(r, c["buffer"], ctx) if c["buffer"] is not None else None,
        max_change(r, c["max_change"], ctx),
        share_limits(r, c["share_limits"], ctx),
        origin_cap(r, c["origin_cap"], ctx) if c["origin_cap"] is not None else None,
        guarantees(r, c["guaranteed_minimum"], ctx),
    )


def need_originating(r: Checker, path: tuple, ctx: _Context) -> bool:
    if not any(role == "originating" for role in ctx.roles.values()):
        r.add(path, "needs a party with role 'originating'")
        return False
    return True


def buffer(r: Checker, d: Any, ctx: _Context) -> Buffer | None:
    path = ("constraints", "buffer")
    if d is INVALID:
        return None
    names = streams(r, d["streams"], (*path, "streams"), ctx.streams, ctx.money)
    if not need_originating(r, path, ctx) or not valid(d) or names is None:
        return None
    if d["years"] > ctx.T:
        r.add((*path, "years"), f"{d['years']} buffer years exceed the {ctx.T} years of the case")
        return None
    return Buffer(d["years"], d["floor"], names)


def max_change(r: Checker, value: Any, ctx: _Context) -> dict[str, float] | None:
    if value is None:
        return {}
    if value is INVALID:
        return None
    if isinstance(value, dict):
        for s in value:
            if s not in ctx.streams:
                r.add(("constraints", "max_change", s), f"unknown stream {s!r} (streams: {', '.join(ctx.streams)})")
                return None
        return dict(value)
    return {s: value for s in ctx.money}


def share_limits(r: Checker, value: Any, ctx: _Context) -> tuple[ShareLimit, ...] | None:
    if value is None:
        return ()
    if value is INVALID:
        return None
    out = []
    for i, d in enumerate(value):
        path = ("constraints", "share_limits", i)
        if d is INVALID:
            continue
        party = party_ref(r, d["party"], (*path, "party"), ctx)
        names = streams(r, d["streams"], (*path, "streams"), ctx.streams, ctx.money)
        years = year_range(r, d, path, ctx)
        lo, hi = d["min"], d["max"]
        if lo is None and hi is None:
            r.add(path, "give min, max or both")
        elif valid((lo, hi)) and lo is not None and hi is not None and lo > hi:
            r.add(path, f"min {lo:g} exceeds max {hi:g}")
        out.append(ShareLimit(key_path(path), party, lo, hi, names, years))
    return tuple(out)


def origin_cap(r: Checker, value: Any, ctx: _Context) -> OriginCap | None:
    path = ("constraints", "origin_cap")
    if value is INVALID:
        return None
    d = value if isinstance(value, dict) else {"amount": value, "streams": None}
    names = streams(r, d["streams"], (*path, "streams"), ctx.money, ctx.money)
    if not need_originating(r, path, ctx) or d["amount"] is INVALID or names is None:
        return None
    return OriginCap(d["amount"], names)


def guarantees(r: Checker, value: Any, ctx: _Context) -> tuple[Guarantee, ...] | None:
    if value is None:
        return ()
    if value is INVALID:
        return None
    out = []
    for i, d in enumerate([value] if isinstance(value, dict) else value):
        path = ("constraints", "guaranteed_minimum", i)
        if d is INVALID:
            continue
        party = party_ref(r, d["party"], (*path, "party"), ctx)
        names = streams(r, d["streams"], (*path, "streams"), ctx.money, ctx.money)
        years = year_range(r, d, path, ctx)
        out.append(Guarantee(key_path(path), party, d["amount"], names, years))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# the written rule


def fixed_rule(r: Checker, d: Any, ctx: _Context) -> FixedRule | None:
    """Shares per stream and/or a phase-out; every money stream is split exactly once."""
    if d is INVALID or d["shares"] is INVALID:
        return None
    shares: dict[str, dict[str, tuple[float, ...]] | None] = {}
    for s, spec in d["shares"].items():
        if s not in ctx.streams:
            r.add(("fixed_rule", "shares", s), f"unknown stream {s!r} (streams: {', '.join(ctx.streams)})")
        else:
            shares[s] = party_shares(r, spec, ("fixed_rule", "shares", s), ctx)
    phase = phase_out(r, d["phase_out"], ctx) if d["phase_out"] is not None else None
    if len(shares) < len(d["shares"]) or not all(shares.values()) or (d["phase_out"] is not None and phase is None):
        return None
    phased = phase.streams if phase else ()
    for s in phased:
        if s in shares:
            r.add(("fixed_rule", "shares", s), "this stream is also in fixed_rule.phase_out.streams; give it once")
    for s in ctx.money:
        if s not in shares and s not in phased:
            r.add(("fixed_rule",), f"money stream {s!r} has no split: give it under fixed_rule.shares or fixed_rule.phase_out.streams")
    return FixedRule(shares, phase)  # type: ignore[arg-type]


def phase_out(r: Checker, d: Any, ctx: _Context) -> PhaseOut | None:
    path = ("fixed_rule", "phase_out")
    if d is INVALID:
        return None
    names = streams(r, d["streams"], (*path, "streams"), ctx.money, ctx.money)
    origin = role_party(r, d["origin"], (*path, "origin"), "originating", ctx)
    receiver = role_party(r, d["receiver"], (*path, "receiver"), "receiving", ctx)
    if origin is not None and origin == receiver:
        r.add((*path, "receiver"), "must differ from the origin")
    share, years = d["origin_share"], d["years"]
    shares: tuple[float, ...] | None = None
    if isinstance(share, list):
        if valid(share):
            shares = tuple(share)
            if years is not None and years is not INVALID and years != len(shares):
                r.add((*path, "years"), f"is {years} but origin_share lists {len(shares)} years")
    elif share is not INVALID:
        if years is None:
            r.add((*path, "years"), "missing (the number of sharing years, needed when origin_share is one number)")
        elif years is not INVALID:
            shares = (share,) * years
    if d["extension_years"] and d["extension_years"] is not INVALID and d["cap"] is None:
        r.add((*path, "extension_years"), "an extension happens only when a cap is not reached: give cap as well")
    if None in (names, origin, receiver, shares) or not valid(d):
        return None
    return PhaseOut(names, origin, receiver, shares, d["extension_years"], d["cap"])


def role_party(r: Checker, value: Any, path: tuple, role: str, ctx: _Context) -> str | None:
    """A party given by id, or by default the only party with ``role``."""
    if value is not None:
        return party_ref(r, value, path, ctx)
    having = [p for p, rl in ctx.roles.items() if rl == role]
    if len(having) != 1:
        r.add(path, f"missing; it defaults to the party with role {role!r} only when there is exactly one (found {len(having)})")
        return None
    return having[0]
