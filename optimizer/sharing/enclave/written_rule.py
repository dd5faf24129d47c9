"""The written rule of an enclave agreement (``fixed_rule``): shares as written, or a phase-out with a
cap and a conditional extension, evaluated year by year (no optimisation)."""

from __future__ import annotations

from ..case import Case
from .model import REL_TOL


def phase_out_schedule(case: Case) -> tuple[list[float], list[str]]:
    """The origin's share per year under ``fixed_rule.phase_out`` and notes on the cap/extension.

    Sharing year k (1-based) pays ``origin_share[k-1]`` of the phase-out streams' revenue. With a
    cap, year t pays ``min(share·R_t, cap − paid so far)``; if after the written years the cap is
    not reached, sharing continues ``extension_years`` more years at the last share. A year whose
    streams have no revenue keeps the nominal share (no money moves).
    """
    po = case.fixed_rule.phase_out
    total = [sum(case.revenue(s, t) for s in po.streams) for t in range(1, case.T + 1)]
    written = len(po.origin_share)
    active = written
    paid = 0.0
    out: list[float] = []
    notes: list[str] = []
    capped = False
    for t in range(1, case.T + 1):
        if t == written + 1 and po.cap is not None and po.extension_years:
            if paid < po.cap * (1 - REL_TOL):
                active = written + po.extension_years
                notes.append(
                    f"fixed rule: {po.origin} received {paid:g} of the cap {po.cap:g} in the first {written} years; "
                    f"sharing extended by {po.extension_years} years"
                )
            else:
                notes.append(f"fixed rule: cap {po.cap:g} reached within the first {written} years; no extension")
        if t > active or capped:
            out.append(0.0)
            continue
        nominal = po.origin_share[min(t, written) - 1]
        want = nominal * total[t - 1]
        if po.cap is not None and want >= po.cap - paid:
            want = max(po.cap - paid, 0.0)
            capped = True
            notes.append(f"fixed rule: {po.origin} reaches the cap {po.cap:g} in {case.year(t)}; sharing stops")
        out.append(want / total[t - 1] if total[t - 1] > 0 else nominal)
        paid += want
    return out, notes


def statistic_shares(case: Case, shares: dict[str, dict[str, list[float]]]) -> None:
    """Fill the statistic streams not set in ``shares`` by ``case.statistics_split``."""
    for g, sp in case.statistics_split.items():
        if g in shares:
            continue
        if sp.follow:
            shares[g] = {p: list(shares[sp.follow][p]) for p in case.party_ids}
        else:
            shares[g] = {p: list(sp.shares[p]) for p in case.party_ids}


def fixed_shares(case: Case) -> tuple[dict[str, dict[str, list[float]]], list[str]]:
    """Shares per stream, party and year under the written rule, and notes on how it played out."""
    fr = case.fixed_rule
    shares = {s: {p: list(v) for p, v in by_party.items()} for s, by_party in fr.shares.items()}
    notes: list[str] = []
    if fr.phase_out is not None:
        po = fr.phase_out
        origin, notes = phase_out_schedule(case)
        for s in po.streams:
            shares[s] = {p: [0.0] * case.T for p in case.party_ids}
            shares[s][po.origin] = list(origin)
            shares[s][po.receiver] = [1.0 - x for x in origin]
    statistic_shares(case, shares)
    return shares, notes
