"""Enclave cases (CASE.yaml): schema, loading and validation.

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

Every problem in a case file is collected and reported at once as an
:class:`~optimizer.errors.InputError` (exit code 2), each message starting with the key path,
e.g. ``parties[1].contributions.land: must be a number >= 0, got 'a lot'``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..documents import magnitude_message, read_yaml
from ..errors import ProblemCollector

ROLES = ("originating", "receiving", "other")
#: calendar years a case may start in (a case runs for at most MAX_YEARS years)
YEARS = (1900, 2200)
MAX_YEARS = 200

#: top-level keys of CASE.yaml and what they mean (also the list of allowed keys)
TOP_KEYS: dict[str, str] = {
    "name": "identifier of the case (letters, digits, - _ .)",
    "description": "free text",
    "units": "label of the money unit, e.g. 'million CNY'",
    "start_year": "calendar year of the first year (t = 1)",
    "discount_rate": "yearly discount rate δ, 0 <= δ <= 1",
    "parties": "two or more parties",
    "revenues": "stream -> one amount per year",
    "statistics": "names of the streams that are statistics (never added to money)",
    "statistics_split": "statistic -> {follow: money stream} or {shares: {party: share}}",
    "constraints": "policy constraints",
    "fixed_rule": "the written rule evaluated by --rule fixed",
}
PARTY_KEYS = ("id", "role", "contributions", "disagreement", "weight")
CONSTRAINT_KEYS = (
    "individual_rationality",
    "buffer",
    "max_change",
    "share_limits",
    "origin_cap",
    "guaranteed_minimum",
)
FIXED_RULE_KEYS = ("shares", "phase_out")
PHASE_OUT_KEYS = ("streams", "origin", "receiver", "origin_share", "years", "extension_years", "cap")


@dataclass(frozen=True)
class Party:
    id: str
    role: str
    contributions: dict[str, float]
    disagreement: float = 0.0
    weight: float = 1.0

    @property
    def contribution(self) -> float:
        """Total valued contribution (sum over factors)."""
        return float(sum(self.contributions.values()))


@dataclass(frozen=True)
class StatisticSplit:
    """How a statistic stream is shared: ``follow`` a money stream, or fixed ``shares`` per year."""

    stream: str
    follow: str | None = None
    shares: dict[str, tuple[float, ...]] | None = None


@dataclass(frozen=True)
class Buffer:
    """The originating side's share of ``streams`` never rises, and after ``years`` years is at most ``floor``."""

    years: int
    floor: float
    streams: tuple[str, ...]


@dataclass(frozen=True)
class ShareLimit:
    """``min <= share[party, s, t] <= max`` for s in ``streams`` and t in ``years`` (indices 1..T)."""

    key: str
    party: str
    min: float | None
    max: float | None
    streams: tuple[str, ...]
    years: tuple[int, ...]


@dataclass(frozen=True)
class OriginCap:
    """The originating side's cumulative (undiscounted) receipts from ``streams`` are at most ``amount``."""

    amount: float
    streams: tuple[str, ...]


@dataclass(frozen=True)
class Guarantee:
    """``party`` receives at least ``amount`` from ``streams`` in each year of ``years`` (indices 1..T)."""

    key: str
    party: str
    amount: float
    streams: tuple[str, ...]
    years: tuple[int, ...]


@dataclass(frozen=True)
class Constraints:
    individual_rationality: bool = True
    buffer: Buffer | None = None
    max_change: dict[str, float] = field(default_factory=dict)
    share_limits: tuple[ShareLimit, ...] = ()
    origin_cap: OriginCap | None = None
    guaranteed_minimum: tuple[Guarantee, ...] = ()


@dataclass(frozen=True)
class PhaseOut:
    """A written phase-out: ``origin`` gets ``origin_share[k]`` of ``streams`` in sharing year k+1.

    With a ``cap`` the origin's cumulative receipts from these streams stop at the cap (the year
    that reaches it pays only the remainder), and when the cap is not reached within the
    ``len(origin_share)`` sharing years, sharing goes on for ``extension_years`` more years at the
    last share. After the sharing period (or once the cap is reached) ``receiver`` gets everything.
    """

    streams: tuple[str, ...]
    origin: str
    receiver: str
    origin_share: tuple[float, ...]
    extension_years: int = 0
    cap: float | None = None


@dataclass(frozen=True)
class FixedRule:
    """Shares written per stream (party -> one share per year) and/or a :class:`PhaseOut`."""

    shares: dict[str, dict[str, tuple[float, ...]]]
    phase_out: PhaseOut | None = None


@dataclass(frozen=True)
class Case:
    name: str
    start_year: int
    discount_rate: float
    parties: tuple[Party, ...]
    revenues: dict[str, tuple[float, ...]]
    statistics: tuple[str, ...]
    statistics_split: dict[str, StatisticSplit]
    constraints: Constraints
    fixed_rule: FixedRule | None = None
    description: str = ""
    units: str = ""
    source: str = "<case>"

    @property
    def T(self) -> int:
        return len(next(iter(self.revenues.values())))

    @property
    def years(self) -> list[int]:
        """Calendar years, t = 1..T."""
        return [self.start_year + t - 1 for t in range(1, self.T + 1)]

    def year(self, t: int) -> int:
        return self.start_year + t - 1

    @property
    def streams(self) -> list[str]:
        return list(self.revenues)

    @property
    def money_streams(self) -> list[str]:
        return [s for s in self.revenues if s not in self.statistics]

    @property
    def party_ids(self) -> list[str]:
        return [p.id for p in self.parties]

    def party(self, pid: str) -> Party:
        for p in self.parties:
            if p.id == pid:
                return p
        raise KeyError(pid)

    @property
    def originating(self) -> list[str]:
        return [p.id for p in self.parties if p.role == "originating"]

    def discount(self, t: int) -> float:
        """Discount factor of year t: (1+δ)^-t (amounts fall at the end of each year)."""
        return (1.0 + self.discount_rate) ** -t

    def revenue(self, s: str, t: int) -> float:
        return self.revenues[s][t - 1]

    @property
    def total_npv(self) -> float:
        """Discounted money created by the cooperation (the sum of every party's NPV)."""
        return sum(self.revenue(s, t) * self.discount(t) for s in self.money_streams for t in range(1, self.T + 1))


# --------------------------------------------------------------------------------------------
# reading


def load_case(path: str | Path) -> Case:
    """Read and validate CASE.yaml; raises :class:`~optimizer.errors.InputError` listing every problem."""
    return case_from_dict(read_yaml(path).data, source=str(path))


def case_from_dict(data: Any, source: str = "<case>") -> Case:
    """Validate a parsed case (a dict as from YAML) and build a :class:`Case`."""
    r = _Reader(source)
    case = r.case(data)
    r.problems.raise_if_any()
    assert case is not None
    return case


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _as_number(x: Any) -> float | None:
    """A finite number, also from a string such as '1e3' (YAML 1.1 reads it as text); None otherwise."""
    if _is_number(x):
        return float(x)
    if isinstance(x, str):
        try:
            f = float(x)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


class _Reader:
    """Walks the parsed YAML, collecting every problem with its key path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems = ProblemCollector(source=source)
        self.roles: dict[str, str] = {}  # party id -> role, for every party whose id could be read

    # -- primitives ---------------------------------------------------------------------------
    def err(self, key: str, message: str) -> None:
        self.problems.add(self.source, f"{key}: {message}" if key else message)

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...] | None = None) -> dict | None:
        if not isinstance(value, dict):
            if not key:  # the whole document: say what it is, never echo what a foreign file holds
                self.err("", f"must be a mapping (key: value) of {', '.join(TOP_KEYS)}; this file holds {_kind(value)}")
            else:
                self.err(key, f"must be a mapping (key: value), got {_show(value)}")
            return None
        if allowed is not None:
            for k in value:
                if k not in allowed:
                    self.err(f"{key}.{k}" if key else str(k), f"unknown key {str(k)!r} (allowed: {', '.join(allowed)})")
        return value

    def number(
        self,
        value: Any,
        key: str,
        *,
        lo: float | None = None,
        hi: float | None = None,
        strict_lo: bool = False,
    ) -> float | None:
        if value is None:
            self.err(key, "missing")
            return None
        x = _as_number(value)
        rng = _range_text(lo, hi, strict_lo)
        if x is None or (lo is not None and (x < lo or (strict_lo and x == lo))) or (hi is not None and x > hi):
            self.err(key, f"must be a number{rng}, got {_show(value)}")
            return None
        too_large = magnitude_message(x)
        if too_large:
            self.err(key, too_large)
            return None
        return x

    def integer(self, value: Any, key: str, *, lo: int | None = None, hi: int | None = None) -> int | None:
        if value is None:
            self.err(key, "missing")
            return None
        bad = isinstance(value, bool) or not isinstance(value, int)
        if bad or (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f" in [{lo}, {hi}]" if lo is not None and hi is not None else f" >= {lo}" if lo is not None else ""
            self.err(key, f"must be a whole number{rng}, got {_show(value)}")
            return None
        return int(value)

    def text(self, value: Any, key: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
            self.err(key, f"must be a non-empty text, got {_show(value)}")
            return None
        return str(value).strip()

    def required(self, data: dict, k: str, key: str) -> Any:
        if k not in data or data[k] is None:
            self.err(key, "missing")
            return None
        return data[k]

    # -- the case -----------------------------------------------------------------------------
    def case(self, data: Any) -> Case | None:
        if data is None:
            self.err("(top level)", "the file is empty")
            return None
        d = self.mapping(data, "", tuple(TOP_KEYS))
        if d is None:
            return None
        name = self.case_name(d)
        description = str(d.get("description") or "")
        units = str(d.get("units") or "")
        start_year = self.integer(d.get("start_year"), "start_year", lo=YEARS[0], hi=YEARS[1])
        rate = d.get("discount_rate", 0.0)
        delta = self.number(rate, "discount_rate", lo=0.0, hi=1.0)
        parties = self.parties(self.required(d, "parties", "parties"))
        revenues = self.revenues(self.required(d, "revenues", "revenues"))
        if revenues is None:
            return None
        T = len(next(iter(revenues.values())))
        statistics = self.statistics(d, revenues)
        money = [s for s in revenues if s not in (statistics or ())]
        if statistics is not None and not money:
            self.err("statistics", "every stream is a statistic; at least one money stream is needed")
        elif statistics is not None and not any(v > 0 for s in money for v in revenues[s]):
            self.err("revenues", f"the money streams ({', '.join(money)}) are zero in every year: nothing to share")
        if statistics is None or start_year is None or not money:
            return None
        # cross-references are checked against every party whose id and role could be read
        ctx = _Context(ids=list(self.roles), roles=self.roles, streams=list(revenues), money=money, T=T, start_year=start_year)
        split = self.statistics_split(d.get("statistics_split"), statistics, ctx)
        constraints = self.constraints(d.get("constraints"), ctx)
        fixed = self.fixed_rule(d.get("fixed_rule"), ctx) if d.get("fixed_rule") is not None else None
        if None in (name, delta, parties, split, constraints) or (d.get("fixed_rule") is not None and fixed is None):
            return None
        return Case(
            name=name,
            start_year=start_year,
            discount_rate=delta,
            parties=tuple(parties),
            revenues=revenues,
            statistics=tuple(statistics),
            statistics_split=split,
            constraints=constraints,
            fixed_rule=fixed,
            description=description,
            units=units,
            source=self.source,
        )

    def case_name(self, d: dict) -> str | None:
        v = self.required(d, "name", "name")
        if v is None:
            return None
        name = self.text(v, "name")
        if name is not None and not all(c.isalnum() or c in "-_." for c in name):
            self.err("name", f"use letters, digits, '-', '_' or '.' only (it names result folders), got {name!r}")
            return None
        return name

    def parties(self, value: Any) -> list[Party] | None:
        if value is None:
            return None
        if not isinstance(value, list) or len(value) < 2:
            self.err("parties", f"must be a list of at least two parties, got {_show(value)}")
            return None
        out: list[Party] = []
        seen: set[str] = set()
        ok = True
        for i, item in enumerate(value):
            key = f"parties[{i}]"
            p = self.mapping(item, key, PARTY_KEYS)
            if p is None:
                ok = False
                continue
            pid = self.text(p["id"], f"{key}.id") if p.get("id") is not None else self.required(p, "id", f"{key}.id")
            if pid is not None and pid in seen:
                self.err(f"{key}.id", f"duplicate party id {pid!r}")
                pid = None
            if pid is not None:
                seen.add(pid)
            role = p.get("role")
            if role not in ROLES:
                self.err(f"{key}.role", f"must be one of {', '.join(ROLES)}, got {_show(role)}")
                role = None
            if pid is not None:
                self.roles[pid] = role or "other"
            contributions = self.contributions(p.get("contributions", {}), f"{key}.contributions")
            disagreement = self.number(p.get("disagreement", 0.0), f"{key}.disagreement")
            weight = self.number(p.get("weight", 1.0), f"{key}.weight", lo=0.0, strict_lo=True)
            if None in (pid, role, contributions, disagreement, weight):
                ok = False
                continue
            out.append(Party(pid, role, contributions, disagreement, weight))
        return out if ok else None

    def contributions(self, value: Any, key: str) -> dict[str, float] | None:
        if value is None:
            return {}
        d = self.mapping(value, key)
        if d is None:
            return None
        out: dict[str, float] = {}
        for factor, amount in d.items():
            x = self.number(amount, f"{key}.{factor}", lo=0.0)
            if x is None:
                return None
            out[str(factor)] = x
        return out

    def revenues(self, value: Any) -> dict[str, tuple[float, ...]] | None:
        if value is None:
            return None
        d = self.mapping(value, "revenues")
        if d is None:
            return None
        if not d:
            self.err("revenues", "at least one stream is needed")
            return None
        out: dict[str, tuple[float, ...]] = {}
        lengths: dict[str, int] = {}
        ok = True
        for stream, amounts in d.items():
            key = f"revenues.{stream}"
            if not isinstance(amounts, list) or not amounts:
                self.err(key, f"must be a list with one amount per year, got {_show(amounts)}")
                ok = False
                continue
            if len(amounts) > MAX_YEARS:
                self.err(key, f"has {len(amounts)} years; a case covers at most {MAX_YEARS}")
                ok = False
                continue
            vals = [self.number(a, f"{key}[{j}]", lo=0.0) for j, a in enumerate(amounts)]
            if any(v is None for v in vals):
                ok = False
                continue
            out[str(stream)] = tuple(vals)  # type: ignore[arg-type]
            lengths[str(stream)] = len(vals)
        if len(set(lengths.values())) > 1:
            first = next(iter(lengths))
            for s, n in lengths.items():
                if n != lengths[first]:
                    self.err(f"revenues.{s}", f"has {n} years but revenues.{first} has {lengths[first]}; all streams need the same years")
            ok = False
        return out if ok else None

    def statistics(self, d: dict, revenues: dict) -> list[str] | None:
        if "statistics" not in d:
            return ["gdp"] if "gdp" in revenues else []
        value = d["statistics"]
        if value is None:
            return []
        if not isinstance(value, list):
            self.err("statistics", f"must be a list of stream names, got {_show(value)}")
            return None
        out = []
        for j, s in enumerate(value):
            if str(s) not in revenues:
                self.err(f"statistics[{j}]", f"unknown stream {s!r} (streams: {', '.join(revenues)})")
                return None
            out.append(str(s))
        return out

    def statistics_split(self, value: Any, statistics: list[str], ctx: "_Context") -> dict[str, StatisticSplit] | None:
        value = {} if value is None else value
        d = self.mapping(value, "statistics_split")
        if d is None:
            return None
        out: dict[str, StatisticSplit] = {}
        ok = True
        for s in d:
            if s not in statistics:
                self.err(f"statistics_split.{s}", f"not a statistic stream ({str(s)!r} is not among the statistics: {', '.join(statistics) or 'none'})")
                ok = False
        for s in statistics:
            key = f"statistics_split.{s}"
            if s not in d:
                out[s] = StatisticSplit(s, follow=ctx.money[0])
                continue
            spec = self.mapping(d[s], key, ("follow", "shares"))
            if spec is None:
                ok = False
                continue
            if ("follow" in spec) == ("shares" in spec):
                self.err(key, "give exactly one of 'follow' (a money stream) or 'shares' (party: share)")
                ok = False
            elif "follow" in spec:
                if spec["follow"] not in ctx.money:
                    self.err(f"{key}.follow", f"must name a money stream ({', '.join(ctx.money)}), got {_show(spec['follow'])}")
                    ok = False
                else:
                    out[s] = StatisticSplit(s, follow=str(spec["follow"]))
            else:
                shares = self.party_shares(spec["shares"], f"{key}.shares", ctx)
                if shares is None:
                    ok = False
                else:
                    out[s] = StatisticSplit(s, shares=shares)
        return out if ok else None

    def per_year(self, value: Any, key: str, T: int) -> tuple[float, ...] | None:
        """A share given as one number (every year) or a list of one number per year, each in [0, 1]."""
        if isinstance(value, list):
            if len(value) != T:
                self.err(key, f"has {len(value)} values; give one number or {T} (one per year)")
                return None
            vals = [self.number(v, f"{key}[{j}]", lo=0.0, hi=1.0) for j, v in enumerate(value)]
            return None if any(v is None for v in vals) else tuple(vals)  # type: ignore[arg-type]
        x = self.number(value, key, lo=0.0, hi=1.0)
        return None if x is None else (x,) * T

    def party_shares(self, value: Any, key: str, ctx: "_Context") -> dict[str, tuple[float, ...]] | None:
        """party -> share per year; missing parties get 0; shares must sum to 1 in every year."""
        d = self.mapping(value, key)
        if d is None:
            return None
        out: dict[str, tuple[float, ...]] = {}
        ok = True
        for pid, v in d.items():
            if pid not in ctx.ids:
                self.err(f"{key}.{pid}", f"unknown party {str(pid)!r} (parties: {', '.join(ctx.ids)})")
                ok = False
                continue
            vals = self.per_year(v, f"{key}.{pid}", ctx.T)
            if vals is None:
                ok = False
            else:
                out[str(pid)] = vals
        if not ok:
            return None
        for t in range(ctx.T):
            total = sum(v[t] for v in out.values())
            if abs(total - 1.0) > 1e-9:
                self.err(key, f"shares in {ctx.start_year + t} sum to {total:g}, not 1")
                return None
        return {pid: out.get(pid, (0.0,) * ctx.T) for pid in ctx.ids}

    def streams(self, value: Any, key: str, allowed: list[str], default: list[str]) -> tuple[str, ...] | None:
        if value is None:
            return tuple(default)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.err(key, f"must be a list of stream names, got {_show(value)}")
            return None
        for j, s in enumerate(value):
            if s not in allowed:
                self.err(f"{key}[{j}]", f"unknown stream {s!r} here (allowed: {', '.join(allowed)})")
                return None
        return tuple(str(s) for s in value)

    def party_ref(self, value: Any, key: str, ctx: "_Context") -> str | None:
        if value not in ctx.ids:
            self.err(key, f"unknown party {_show(value)} (parties: {', '.join(ctx.ids)})")
            return None
        return str(value)

    def year_range(self, d: dict, key: str, ctx: "_Context") -> tuple[int, ...] | None:
        """Indices t of the years from_year..to_year (inclusive; default: every year)."""
        first, last = ctx.start_year, ctx.start_year + ctx.T - 1
        lo = self.integer(d.get("from_year", first), f"{key}.from_year")
        hi = self.integer(d.get("to_year", last), f"{key}.to_year")
        if lo is None or hi is None:
            return None
        if not (first <= lo <= hi <= last):
            self.err(key, f"years {lo}..{hi} must lie within {first}..{last}, from_year <= to_year")
            return None
        return tuple(range(lo - first + 1, hi - first + 2))

    # -- constraints --------------------------------------------------------------------------
    def constraints(self, value: Any, ctx: "_Context") -> Constraints | None:
        if value is None:
            return Constraints()
        d = self.mapping(value, "constraints", CONSTRAINT_KEYS)
        if d is None:
            return None
        ir = d.get("individual_rationality", True)
        if not isinstance(ir, bool):
            self.err("constraints.individual_rationality", f"must be true or false, got {_show(ir)}")
        buffer = self.buffer(d["buffer"], ctx) if d.get("buffer") is not None else None
        max_change = self.max_change(d.get("max_change"), ctx)
        limits = self.share_limits(d.get("share_limits"), ctx)
        cap = self.origin_cap(d["origin_cap"], ctx) if d.get("origin_cap") is not None else None
        guarantees = self.guarantees(d.get("guaranteed_minimum"), ctx)
        failed = (
            not isinstance(ir, bool)
            or (d.get("buffer") is not None and buffer is None)
            or max_change is None
            or limits is None
            or (d.get("origin_cap") is not None and cap is None)
            or guarantees is None
        )
        if failed:
            return None
        return Constraints(ir, buffer, max_change, limits, cap, guarantees)

    def need_originating(self, key: str, ctx: "_Context") -> bool:
        if not any(r == "originating" for r in ctx.roles.values()):
            self.err(key, "needs a party with role 'originating'")
            return False
        return True

    def buffer(self, value: Any, ctx: "_Context") -> Buffer | None:
        key = "constraints.buffer"
        d = self.mapping(value, key, ("years", "floor", "streams"))
        if d is None:
            return None
        years = self.integer(d.get("years"), f"{key}.years", lo=0)
        floor = self.number(d.get("floor", 0.0), f"{key}.floor", lo=0.0, hi=1.0)
        streams = self.streams(d.get("streams"), f"{key}.streams", ctx.streams, ctx.money)
        if not self.need_originating(key, ctx) or None in (years, floor, streams):
            return None
        if years > ctx.T:
            self.err(f"{key}.years", f"{years} buffer years exceed the {ctx.T} years of the case")
            return None
        return Buffer(years, floor, streams)

    def max_change(self, value: Any, ctx: "_Context") -> dict[str, float] | None:
        key = "constraints.max_change"
        if value is None:
            return {}
        if isinstance(value, dict):
            out = {}
            for s, v in value.items():
                if s not in ctx.streams:
                    self.err(f"{key}.{s}", f"unknown stream {str(s)!r} (streams: {', '.join(ctx.streams)})")
                    return None
                x = self.number(v, f"{key}.{s}", lo=0.0, hi=1.0)
                if x is None:
                    return None
                out[str(s)] = x
            return out
        x = self.number(value, key, lo=0.0, hi=1.0)
        return None if x is None else {s: x for s in ctx.money}

    def share_limits(self, value: Any, ctx: "_Context") -> tuple[ShareLimit, ...] | None:
        key = "constraints.share_limits"
        if value is None:
            return ()
        if not isinstance(value, list):
            self.err(key, f"must be a list of {{party, min, max, streams, from_year, to_year}}, got {_show(value)}")
            return None
        out = []
        ok = True
        for i, item in enumerate(value):
            k = f"{key}[{i}]"
            d = self.mapping(item, k, ("party", "min", "max", "streams", "from_year", "to_year"))
            if d is None:
                ok = False
                continue
            party = self.party_ref(d.get("party"), f"{k}.party", ctx)
            lo = self.number(d["min"], f"{k}.min", lo=0.0, hi=1.0) if "min" in d else None
            hi = self.number(d["max"], f"{k}.max", lo=0.0, hi=1.0) if "max" in d else None
            streams = self.streams(d.get("streams"), f"{k}.streams", ctx.streams, ctx.money)
            years = self.year_range(d, k, ctx)
            if "min" not in d and "max" not in d:
                self.err(k, "give min, max or both")
                ok = False
            elif lo is not None and hi is not None and lo > hi:
                self.err(k, f"min {lo:g} exceeds max {hi:g}")
                ok = False
            if party is None or streams is None or years is None or ("min" in d and lo is None) or ("max" in d and hi is None):
                ok = False
            if ok:
                out.append(ShareLimit(k, party, lo, hi, streams, years))
        return tuple(out) if ok else None

    def origin_cap(self, value: Any, ctx: "_Context") -> OriginCap | None:
        key = "constraints.origin_cap"
        if _as_number(value) is not None:
            value = {"amount": value}
        d = self.mapping(value, key, ("amount", "streams"))
        if d is None:
            return None
        amount = self.number(d.get("amount"), f"{key}.amount", lo=0.0)
        streams = self.streams(d.get("streams"), f"{key}.streams", ctx.money, ctx.money)
        if not self.need_originating(key, ctx) or amount is None or streams is None:
            return None
        return OriginCap(amount, streams)

    def guarantees(self, value: Any, ctx: "_Context") -> tuple[Guarantee, ...] | None:
        key = "constraints.guaranteed_minimum"
        if value is None:
            return ()
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            self.err(key, f"must be a list of {{party, amount, streams, from_year, to_year}}, got {_show(value)}")
            return None
        out = []
        ok = True
        for i, item in enumerate(value):
            k = f"{key}[{i}]"
            d = self.mapping(item, k, ("party", "amount", "streams", "from_year", "to_year"))
            if d is None:
                ok = False
                continue
            party = self.party_ref(d.get("party"), f"{k}.party", ctx)
            amount = self.number(d.get("amount"), f"{k}.amount", lo=0.0)
            streams = self.streams(d.get("streams"), f"{k}.streams", ctx.money, ctx.money)
            years = self.year_range(d, k, ctx)
            if None in (party, amount, streams, years):
                ok = False
                continue
            out.append(Guarantee(k, party, amount, streams, years))
        return tuple(out) if ok else None

    # -- the written rule ---------------------------------------------------------------------
    def fixed_rule(self, value: Any, ctx: "_Context") -> FixedRule | None:
        key = "fixed_rule"
        d = self.mapping(value, key, FIXED_RULE_KEYS)
        if d is None:
            return None
        shares: dict[str, dict[str, tuple[float, ...]]] = {}
        ok = True
        raw = d.get("shares") or {}
        if self.mapping(raw, f"{key}.shares") is None:
            return None
        for s, spec in raw.items():
            if s not in ctx.streams:
                self.err(f"{key}.shares.{s}", f"unknown stream {str(s)!r} (streams: {', '.join(ctx.streams)})")
                ok = False
                continue
            ps = self.party_shares(spec, f"{key}.shares.{s}", ctx)
            if ps is None:
                ok = False
            else:
                shares[str(s)] = ps
        phase_out = self.phase_out(d["phase_out"], ctx) if d.get("phase_out") is not None else None
        if d.get("phase_out") is not None and phase_out is None:
            ok = False
        if not ok:
            return None
        covered = set(shares) | set(phase_out.streams if phase_out else ())
        for s in phase_out.streams if phase_out else ():
            if s in shares:
                self.err(f"{key}.shares.{s}", "this stream is also in fixed_rule.phase_out.streams; give it once")
                ok = False
        for s in ctx.money:
            if s not in covered:
                self.err(key, f"money stream {s!r} has no split: give it under fixed_rule.shares or fixed_rule.phase_out.streams")
                ok = False
        return FixedRule(shares, phase_out) if ok else None

    def phase_out(self, value: Any, ctx: "_Context") -> PhaseOut | None:
        key = "fixed_rule.phase_out"
        d = self.mapping(value, key, PHASE_OUT_KEYS)
        if d is None:
            return None
        ok = True
        streams = self.streams(d.get("streams"), f"{key}.streams", ctx.money, ctx.money)
        origin = self.role_party(d.get("origin"), f"{key}.origin", "originating", ctx)
        receiver = self.role_party(d.get("receiver"), f"{key}.receiver", "receiving", ctx)
        if origin is not None and origin == receiver:
            self.err(f"{key}.receiver", "must differ from the origin")
            ok = False
        raw_share = self.required(d, "origin_share", f"{key}.origin_share")
        shares: tuple[float, ...] | None = None
        if isinstance(raw_share, list):
            vals = [self.number(v, f"{key}.origin_share[{j}]", lo=0.0, hi=1.0) for j, v in enumerate(raw_share)]
            if not vals:
                self.err(f"{key}.origin_share", "must not be empty")
            elif all(v is not None for v in vals):
                shares = tuple(vals)  # type: ignore[arg-type]
                if "years" in d and d["years"] != len(shares):
                    self.err(f"{key}.years", f"is {_show(d['years'])} but origin_share lists {len(shares)} years")
                    shares = None
        elif raw_share is not None:
            x = self.number(raw_share, f"{key}.origin_share", lo=0.0, hi=1.0)
            years = self.integer(d.get("years"), f"{key}.years", lo=1)
            if x is not None and years is not None:
                shares = (x,) * years
        ext = self.integer(d.get("extension_years", 0), f"{key}.extension_years", lo=0)
        cap = self.number(d["cap"], f"{key}.cap", lo=0.0) if d.get("cap") is not None else None
        if ext and d.get("cap") is None:
            self.err(f"{key}.extension_years", "an extension happens only when a cap is not reached: give cap as well")
            ok = False
        if not ok or None in (streams, origin, receiver, shares, ext) or (d.get("cap") is not None and cap is None):
            return None
        return PhaseOut(streams, origin, receiver, shares, ext, cap)

    def role_party(self, value: Any, key: str, role: str, ctx: "_Context") -> str | None:
        """A party given by id, or by default the only party with ``role``."""
        if value is not None:
            return self.party_ref(value, key, ctx)
        having = [p for p, r in ctx.roles.items() if r == role]
        if len(having) != 1:
            self.err(key, f"missing; it defaults to the party with role {role!r} only when there is exactly one (found {len(having)})")
            return None
        return having[0]


@dataclass(frozen=True)
class _Context:
    ids: list[str]
    roles: dict[str, str]
    streams: list[str]
    money: list[str]
    T: int
    start_year: int


def _range_text(lo: float | None, hi: float | None, strict_lo: bool) -> str:
    if lo is not None and hi is not None:
        return f" in [{lo:g}, {hi:g}]"
    if lo is not None:
        return f" {'>' if strict_lo else '>='} {lo:g}"
    if hi is not None:
        return f" <= {hi:g}"
    return ""


def _kind(value: Any) -> str:
    """What a parsed YAML value is, in words (for documents that are not what they should be)."""
    if isinstance(value, str):
        return "a single text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
