"""The enclave page's results: the split of a case under every rule, and the run folders behind the download."""

from __future__ import annotations

from pathlib import Path

from ..errors import InfeasibleError, InputError
from ..sharing.case import Case
from ..sharing.enclave import RULES, solve_case, write_enclave_run


def split_by_rule(case: Case) -> dict:
    """Per rule: status, NPV and gain per party, shares of every stream by year, binding constraints;
    or the error that rule gives for this case (no feasible split, a rule the case cannot use)."""
    rules = {}
    for rule in RULES:
        try:
            res = solve_case(case, rule)
        except (InfeasibleError, InputError) as exc:
            rules[rule] = {"error": str(exc)}
            continue
        rules[rule] = {
            "status": res.status,
            "npv": res.npv,
            "gain": res.gain,
            "shares": res.shares,
            "binding": [b.get("explanation", "") for b in res.binding][:6],
            "violations": [v.get("description", "") for v in res.violations][:6],
        }
    return {"rules": rules, "parties": case.party_ids, "streams": list(case.streams), "money": list(case.money_streams),
            "years": list(case.years), "units": case.units or ""}


def write_runs(case: Case, data: dict, folder: Path) -> None:
    """``folder/<rule>/``: one enclave run folder (with its report) per rule that has a split, the case as
    case.yaml, and comparison.html of the rules side by side."""
    from .. import api
    from .forms import case_yaml

    (folder / "case.yaml").write_text(case_yaml(data), encoding="utf-8")
    written = []
    for rule in RULES:
        try:
            res = solve_case(case, rule)
        except (InfeasibleError, InputError):
            continue
        out = write_enclave_run(res, folder / rule)
        api.write_report(out)
        written.append(out)
    if len(written) > 1:
        api.write_comparison(written, folder / "comparison.html")
