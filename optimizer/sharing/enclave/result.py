"""What a rule gives each party, year by year (the result of :func:`~.rules.solve_case`), and its run folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...results import RunFolder

from ..case import Case
from .model import npv_coefficients

RUN_LOG = "run.log"


@dataclass
class EnclaveResult:
    """What a rule gives each party, year by year. ``summary()`` is what summary.json holds."""

    case: Case
    rule: str
    status: str
    shares: dict[str, dict[str, list[float]]]
    objective: dict | None = None
    binding: list[dict] = field(default_factory=list)
    also_tight: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    approximation_gap: float | None = None
    extra: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    solver: dict = field(default_factory=dict)
    log: str = ""  # what the run logged: run.log of the run folder

    @property
    def amounts(self) -> dict[str, dict[str, list[float]]]:
        c = self.case
        return {s: {p: [c.revenue(s, t) * v[t - 1] for t in range(1, c.T + 1)] for p, v in ps.items()} for s, ps in self.shares.items()}

    @property
    def npv(self) -> dict[str, float]:
        coef = npv_coefficients(self.case)
        return {p: sum(c * self.shares[s][p][t - 1] for (s, t), c in coef.items()) for p in self.case.party_ids}

    @property
    def gain(self) -> dict[str, float]:
        return {p: v - self.case.party(p).disagreement for p, v in self.npv.items()}

    def summary(self) -> dict:
        c = self.case
        out = {
            "status": self.status,
            "rule": self.rule,
            "case": c.name,
            "units": c.units,
            "years": c.years,
            "discount_rate": c.discount_rate,
            "streams": {"money": c.money_streams, "statistics": list(c.statistics)},
            "npv": self.npv,
            "gain": self.gain,
            "disagreement": {p.id: p.disagreement for p in c.parties},
            "totals": {s: {p: sum(v) for p, v in ps.items()} for s, ps in self.amounts.items()},
            "shares": self.shares,
            "amounts": self.amounts,
            "objective": self.objective,
            "binding": self.binding,
            "also_tight": self.also_tight,
        }
        if self.rule == "fixed":
            out["violations"] = self.violations
            out["checks"] = self.checks
        if self.rule == "nash":
            out["approximation_gap"] = self.approximation_gap
        out.update(self.extra)
        out["notes"] = self.notes
        out["solver"] = self.solver
        return out

    def shares_table(self) -> pd.DataFrame:
        """Tidy table: year, stream, party, share, amount."""
        amounts = self.amounts
        rows = [
            (year, s, p, self.shares[s][p][t], amounts[s][p][t])
            for t, year in enumerate(self.case.years)
            for s in self.case.streams
            for p in self.case.party_ids
        ]
        return pd.DataFrame(rows, columns=["year", "stream", "party", "share", "amount"])

    def files(self) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """The tables and texts of the run folder beside summary.json: shares.csv and run.log."""
        return {"shares": self.shares_table()}, {RUN_LOG: self.log}


def write_enclave_run(result: EnclaveResult, out_dir: str | Path, *, inputs=()) -> Path:
    """Write the run folder of ``result`` atomically: summary.json, shares.csv, run.log.

    ``out_dir`` must be new, empty or an earlier enclave run folder (:func:`optimizer.results.check_target`);
    ``inputs`` (the case file) are never replaced by it.
    """
    tables, texts = result.files()
    with RunFolder(out_dir, "enclave", inputs=inputs) as run:
        run.write_json("summary.json", result.summary())
        for name, df in tables.items():
            run.write_table(name, df)
        for name, text in texts.items():
            run.write_text(name, text)
    return Path(out_dir)
