"""The enclave case as objects: :class:`Case` and its parts, built by :func:`~optimizer.sharing.case.load_case`.

Every value here has been checked (see :mod:`optimizer.sharing.case`): shares lie in [0, 1] and sum to 1,
years lie within the case, every party and stream named exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("originating", "receiving", "other")
#: calendar years a case may start in (a case runs for at most MAX_YEARS years)
YEARS = (1900, 2200)
MAX_YEARS = 200


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

