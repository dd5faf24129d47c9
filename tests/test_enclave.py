"""Enclave revenue-sharing schedules: every rule on hand-computed cases, invariants, duals,
conflicting constraints, the written BTH-style rule, and every error path of the case file."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml

from optimizer.errors import InfeasibleError, InputError
from optimizer.sharing.case import case_from_dict, load_case
from optimizer.sharing.enclave import RULES, fixed_shares, phase_out_schedule, solve_case

INSTANCES = Path(__file__).resolve().parents[1] / "instances" / "enclave"


def two_parties(**kw) -> dict:
    """Two parties, one year, 100 of tax, no discounting. Contributions 70 : 30; d = (0, 20)."""
    d = {
        "name": "two",
        "start_year": 2025,
        "discount_rate": 0.0,
        "parties": [
            {"id": "origin", "role": "originating", "contributions": {"capital": 60, "technology": 10}, "disagreement": 0},
            {"id": "host", "role": "receiving", "contributions": {"land": 30}, "disagreement": 20},
        ],
        "revenues": {"tax": [100]},
    }
    d.update(kw)
    return d


def solve(d: dict, rule: str, **kw):
    return solve_case(case_from_dict(d), rule, **kw)


def three_parties() -> dict:
    """A richer case for invariants: 3 parties, 4 years, tax + land + gdp, several constraints."""
    return {
        "name": "three",
        "start_year": 2025,
        "discount_rate": 0.05,
        "parties": [
            {"id": "o", "role": "originating", "contributions": {"capital": 60, "technology": 10}, "disagreement": 10, "weight": 2},
            {"id": "r", "role": "receiving", "contributions": {"land": 30}, "disagreement": 20},
            {"id": "x", "role": "other", "contributions": {"services": 10}, "disagreement": 5},
        ],
        "revenues": {"tax": [100, 120, 140, 150], "land": [50, 0, 0, 10], "gdp": [800, 900, 1000, 1100]},
        "constraints": {
            "buffer": {"years": 3, "floor": 0.1, "streams": ["tax"]},
            "max_change": 0.3,
            "share_limits": [{"party": "x", "max": 0.25}],
            "origin_cap": {"amount": 150, "streams": ["tax", "land"]},
            "guaranteed_minimum": [{"party": "r", "amount": 30, "streams": ["tax"], "from_year": 2026}],
        },
        "fixed_rule": {
            "phase_out": {"streams": ["tax"], "origin_share": 0.5, "years": 2, "extension_years": 1, "cap": 150},
            "shares": {"land": {"o": 0.6, "r": 0.4}},
        },
    }


# ------------------------------------------------------------------- hand-computed, one year


def test_nash_splits_the_surplus_over_disagreement_equally():
    # surplus 100 - 0 - 20 = 80, split 40 : 40 -> NPV 40 (origin), 60 (host)
    r = solve(two_parties(), "nash")
    assert r.status == "optimal"
    assert r.npv["origin"] == pytest.approx(40, rel=1e-4)
    assert r.npv["host"] == pytest.approx(60, rel=1e-4)
    assert r.shares["tax"]["origin"][0] == pytest.approx(0.4, rel=1e-4)
    assert 0 <= r.approximation_gap <= 1e-9
    assert r.summary()["approximation_gap"] == r.approximation_gap


def test_nash_with_weights_splits_the_surplus_by_weight():
    # β = (3, 1): gains 80·3/4 = 60 and 80·1/4 = 20 -> NPV 60 and 40
    d = two_parties()
    d["parties"][0]["weight"] = 3
    r = solve(d, "nash")
    assert r.gain["origin"] == pytest.approx(60, rel=1e-4)
    assert r.npv["host"] == pytest.approx(40, rel=1e-4)
    assert r.extra["log_nash_product"] == pytest.approx(3 * math.log(60) + math.log(20), abs=1e-6)


def test_proportional_follows_contributions():
    # contributions 70 : 30 -> shares 0.7 : 0.3 of every stream and year
    d = two_parties(revenues={"tax": [100, 50], "land": [10, 0]})
    r = solve(d, "proportional")
    for s in ("tax", "land"):
        assert r.shares[s]["origin"] == pytest.approx([0.7, 0.7])
    assert r.objective["value"] == pytest.approx(0.0, abs=1e-9)
    assert r.extra["target_shares"] == pytest.approx({"origin": 0.7, "host": 0.3})


def test_kalai_smorodinsky_scales_ideal_gains():
    # host's share at most 0.9. Ideal of origin: host keeps its 20 -> NPV 80, I_o = 80.
    # Ideal of host: 0.9·100 = 90, I_h = 70. Gains λ·(80, 70) with 150 λ = 80 -> λ = 8/15:
    # origin 42.667, host gain 37.333 -> NPV 57.333.
    d = two_parties(constraints={"share_limits": [{"party": "host", "max": 0.9}]})
    r = solve(d, "kalai-smorodinsky")
    assert r.extra["ideal_gain"] == pytest.approx({"origin": 80, "host": 70}, rel=1e-7)
    assert r.objective["value"] == pytest.approx(8 / 15, rel=1e-7)
    assert r.npv["origin"] == pytest.approx(80 * 8 / 15, rel=1e-7)
    assert r.npv["host"] == pytest.approx(20 + 70 * 8 / 15, rel=1e-7)


def test_kalai_smorodinsky_without_constraints_equals_nash_for_symmetric_ideals():
    # ideals 80 and 80 -> equal gains 40 / 40
    r = solve(two_parties(), "kalai-smorodinsky")
    assert r.npv["origin"] == pytest.approx(40, rel=1e-7)


def test_egalitarian_equalises_gains():
    # max min gain: gains 40 and 40 -> NPV 40 / 60
    r = solve(two_parties(), "egalitarian")
    assert r.gain == pytest.approx({"origin": 40, "host": 40}, rel=1e-7)
    assert r.objective["value"] == pytest.approx(40, rel=1e-7)


def test_egalitarian_is_lexicographic():
    # three parties, 90 to share, d = 0, a's share at most 0.1 -> a holds at 9; the other two
    # split the remaining 81 equally (plain max-min would accept any split with both >= 9)
    d = {
        "name": "lex",
        "start_year": 2025,
        "parties": [{"id": "a", "role": "originating"}, {"id": "b", "role": "receiving"}, {"id": "c", "role": "other"}],
        "revenues": {"tax": [90]},
        "constraints": {"share_limits": [{"party": "a", "max": 0.1}]},
    }
    r = solve(d, "egalitarian")
    assert r.npv == pytest.approx({"a": 9, "b": 40.5, "c": 40.5}, rel=1e-7)
    assert r.extra["levels"] == pytest.approx({"a": 9, "b": 40.5, "c": 40.5}, rel=1e-7)


def test_discounting_convention_end_of_year():
    # year t is discounted by 1.1^-t: shares are the same each year (flattest), and the whole
    # NPV is 100/1.1 + 100/1.21 = 173.55
    d = two_parties(discount_rate=0.1, revenues={"tax": [100, 100]})
    r = solve(d, "egalitarian")
    total = 100 / 1.1 + 100 / 1.21
    assert sum(r.npv.values()) == pytest.approx(total)
    assert r.gain["origin"] == pytest.approx((total - 20) / 2, rel=1e-7)
    assert r.shares["tax"]["origin"][0] == pytest.approx(r.shares["tax"]["origin"][1], abs=1e-7)


# ------------------------------------------------------------------- the written rule (fixed)


def bth(cap, years=3, extension=2, T=6) -> dict:
    return two_parties(
        revenues={"tax": [100] * T, "gdp": [1000] * T},
        statistics_split={"gdp": {"shares": {"host": 1}}},
        fixed_rule={"phase_out": {"origin_share": 0.5, "years": years, "extension_years": extension, "cap": cap}},
    )


@pytest.mark.parametrize(
    "cap, origin",
    [
        # 50/yr: 150 after 3 years < 200 -> extended; year 4 pays the last 50 and reaches the cap
        (200, [0.5, 0.5, 0.5, 0.5, 0, 0]),
        # cap 120 reached in year 3 (50 + 50 + 20): share 0.2 then nothing, no extension
        (120, [0.5, 0.5, 0.2, 0, 0, 0]),
        # cap reached exactly at the end of year 3: no extension
        (150, [0.5, 0.5, 0.5, 0, 0, 0]),
        # cap never reached: 3 + 2 years at 50:50, then all to the host
        (1000, [0.5, 0.5, 0.5, 0.5, 0.5, 0]),
    ],
)
def test_fixed_phase_out_with_cap_and_extension(cap, origin):
    d = bth(cap)
    r = solve(d, "fixed")
    assert r.status == "evaluated"
    assert r.shares["tax"]["origin"] == pytest.approx(origin)
    assert r.shares["tax"]["host"] == pytest.approx([1 - x for x in origin])
    assert r.npv["origin"] == pytest.approx(min(cap, 250))
    assert r.shares["gdp"]["host"] == [1.0] * 6  # GDP stays where the firm is (statistics_split)
    assert phase_out_schedule(case_from_dict(d))[0] == pytest.approx(origin)


def test_fixed_rule_notes_say_how_the_cap_played_out():
    notes = solve(bth(200), "fixed").notes
    assert any("extended by 2 years" in n for n in notes)
    assert any("reaches the cap 200 in 2028" in n for n in notes)


def test_fixed_shares_per_year_and_statistics_follow():
    d = two_parties(
        revenues={"tax": [100, 100], "land": [40, 0], "gdp": [500, 600]},
        fixed_rule={"shares": {"tax": {"origin": [0.6, 0.4], "host": [0.4, 0.6]}, "land": {"origin": 0.25, "host": 0.75}}},
    )
    shares, notes = fixed_shares(case_from_dict(d))
    assert shares["tax"]["origin"] == [0.6, 0.4]
    assert shares["land"]["host"] == [0.75, 0.75]
    assert shares["gdp"]["origin"] == [0.6, 0.4]  # default: gdp follows the first money stream (tax)
    r = solve(d, "fixed")
    assert r.npv["origin"] == pytest.approx(60 + 40 + 10)
    assert r.amounts["gdp"]["origin"] == pytest.approx([300, 240])


def test_fixed_rule_reports_violated_policy_constraints():
    # 50:50 for 3 years, cap 1000 -> extended to 5 years. Policy: host guaranteed 60 a year
    # (violated in years 1-5 by 10 each) and origin cap 150 (violated by 100); IR holds.
    d = bth(1000)
    d["constraints"] = {"guaranteed_minimum": [{"party": "host", "amount": 60}], "origin_cap": 150}
    r = solve(d, "fixed")
    short = [v for v in r.violations if v["family"] == "guaranteed_minimum"]
    assert [v["shortfall"] for v in short] == pytest.approx([10] * 5)
    assert "guaranteed minimum for host in 2025" in short[0]["description"]
    cap = [v for v in r.violations if v["family"] == "origin_cap"]
    assert cap[0]["shortfall"] == pytest.approx(100)
    checks = {c["family"]: c for c in r.checks}
    assert checks["individual_rationality"]["status"] == "satisfied"
    assert checks["guaranteed_minimum"]["violated"] == 5 and checks["guaranteed_minimum"]["rows"] == 6
    assert r.summary()["violations"] == r.violations


def test_fixed_needs_a_fixed_rule():
    with pytest.raises(InputError, match="fixed_rule: missing"):
        solve(two_parties(), "fixed")


# ------------------------------------------------------------------- binding constraints, duals


def binding_row(r, family):
    rows = [b for b in r.binding if b["family"] == family]
    assert len(rows) == 1, r.binding
    return rows[0]


def test_nash_cap_binds_with_hand_computed_dual():
    # cap 30 on origin: origin 30, host 70 (gain 50). d/dcap [log(cap) + log(80 - cap)] = 1/30 - 1/50
    r = solve(two_parties(constraints={"origin_cap": 30}), "nash")
    assert r.npv["origin"] == pytest.approx(30, rel=1e-6)
    b = binding_row(r, "origin_cap")
    assert b["dual"] == pytest.approx(1 / 30 - 1 / 50, rel=1e-4)
    assert b["value_of_relaxing"] == pytest.approx(1 / 30 - 1 / 50, rel=1e-4)
    assert "cap on origin's cumulative receipts from tax (30): binding; relaxing it by 1 raises" in b["explanation"]


def test_proportional_cap_dual():
    # target 0.7 : 0.3, cap 50 -> shares 0.5 : 0.5, deviation 0.4; each unit of cap lowers it by 2/100
    r = solve(two_parties(constraints={"origin_cap": 50}), "proportional")
    assert r.objective["value"] == pytest.approx(0.4)
    b = binding_row(r, "origin_cap")
    assert b["dual"] == pytest.approx(-0.02)
    assert b["value_of_relaxing"] == pytest.approx(0.02)
    assert "lowers the total deviation from the contribution shares by 0.02" in b["explanation"]


def test_guarantee_dual_has_the_sign_of_a_lower_bound():
    # host guaranteed 40 > its proportional 30: deviation 2·0.1 = 0.2, rises 0.02 per unit of guarantee
    r = solve(two_parties(constraints={"guaranteed_minimum": {"party": "host", "amount": 40}}), "proportional")
    b = binding_row(r, "guaranteed_minimum")
    assert b["dual"] == pytest.approx(0.02)
    assert b["value_of_relaxing"] == pytest.approx(0.02)


def test_egalitarian_share_limit_dual_per_percentage_point():
    # origin's share at most 0.3: gains 30 (origin) and 50 (host), min gain 30; +0.01 of share -> +1
    r = solve(two_parties(constraints={"share_limits": [{"party": "origin", "max": 0.3}]}), "egalitarian")
    b = binding_row(r, "share_max")
    assert b["dual"] == pytest.approx(100)
    assert "relaxing it by one percentage point raises the smallest gain by 1" in b["explanation"]


# ------------------------------------------------------------------- invariants


@pytest.mark.parametrize("rule", RULES)
def test_invariants_on_a_constrained_case(rule):
    d = three_parties()
    case = case_from_dict(d)
    r = solve_case(case, rule)
    for s in case.streams:
        for t in range(case.T):
            col = [r.shares[s][p][t] for p in case.party_ids]
            assert all(0 <= x <= 1 for x in col)
            assert sum(col) == pytest.approx(1, abs=1e-7)
            assert sum(r.amounts[s][p][t] for p in case.party_ids) == pytest.approx(case.revenues[s][t], abs=1e-6)
    assert r.shares["gdp"] == r.shares["tax"]  # gdp follows tax by default
    assert sum(r.npv.values()) == pytest.approx(case.total_npv)
    if rule == "fixed":
        return
    tol = 1e-6
    for p in case.parties:  # individual rationality (on by default)
        assert r.npv[p.id] >= p.disagreement - tol
    o = r.shares["tax"]["o"]
    assert all(o[t] <= o[t - 1] + tol for t in range(1, 4))  # buffer: monotone phase-out
    assert o[3] <= 0.1 + tol  # floor after 3 buffer years
    for p in case.party_ids:
        for s in ("tax", "land"):
            v = r.shares[s][p]
            assert all(abs(v[t] - v[t - 1]) <= 0.3 + tol for t in range(1, 4))
    assert max(r.shares["tax"]["x"] + r.shares["land"]["x"]) <= 0.25 + tol
    assert sum(r.amounts["tax"]["o"]) + sum(r.amounts["land"]["o"]) <= 150 + tol
    assert all(a >= 30 - tol for a in r.amounts["tax"]["r"][1:])
    for b in r.binding:  # a binding row is reported with its dual
        assert b["dual"] != 0 and b["description"] and b["explanation"].startswith(b["description"])


def test_relaxing_a_constraint_never_lowers_the_nash_product():
    values = []
    for cap in (60, 80, 100, 150, 1000):
        d = three_parties()
        d["constraints"]["origin_cap"]["amount"] = cap
        values.append(solve(d, "nash").extra["log_nash_product"])
    assert all(b >= a - 1e-7 for a, b in zip(values, values[1:]))
    assert values[-1] > values[0]


def test_individual_rationality_can_be_switched_off_for_egalitarian():
    # d = (0, 90): gains add up to 10 and are equalised at 5 each -> host NPV 95
    d = two_parties()
    d["parties"][1]["disagreement"] = 90
    assert solve(d, "egalitarian").npv["host"] == pytest.approx(95)
    # d = (0, 110): no split gives the host 110, so with IR there is no solution; without IR the
    # gains add up to -10, and as origin's NPV cannot be negative the best smallest gain is the
    # host's -10 with origin at 0
    d["parties"][1]["disagreement"] = 110
    with pytest.raises(InfeasibleError):
        solve(d, "egalitarian")
    d["constraints"] = {"individual_rationality": False}
    assert solve(d, "egalitarian").gain == pytest.approx({"origin": 0, "host": -10}, abs=1e-6)


def test_statistic_with_fixed_split_ignores_the_rule():
    d = two_parties(revenues={"tax": [100], "gdp": [1000]}, statistics_split={"gdp": {"shares": {"origin": 0.6, "host": 0.4}}})
    for rule in ("nash", "proportional"):
        r = solve(d, rule)
        assert r.shares["gdp"]["origin"] == pytest.approx([0.6])
        assert "gdp" not in r.npv  # statistics never add to money
        assert sum(r.npv.values()) == pytest.approx(100)


def test_statistics_key_makes_a_stream_a_statistic():
    d = two_parties(revenues={"tax": [100], "output": [5000]}, statistics=["output"])
    c = case_from_dict(d)
    assert c.money_streams == ["tax"] and c.statistics == ("output",)
    assert sum(solve(d, "egalitarian").npv.values()) == pytest.approx(100)


# ------------------------------------------------------------------- infeasible constraints


def test_conflicting_constraints_are_named():
    # origin's share of tax must be >= 0.4 in 2026, falls by at most 0.2 a year, and must be 0 from
    # 2027 (buffer of 2 years): impossible. The cap is irrelevant and must not be named.
    d = two_parties(
        revenues={"tax": [100] * 4},
        constraints={
            "origin_cap": 250,
            "buffer": {"years": 2},
            "max_change": 0.2,
            "share_limits": [{"party": "origin", "min": 0.4, "to_year": 2026}],
        },
    )
    for rule in ("nash", "proportional", "egalitarian", "kalai-smorodinsky"):
        with pytest.raises(InfeasibleError) as info:
            solve(d, rule)
        reasons = info.value.reasons
        assert any("buffer: origin's share of tax in 2027 at most the floor 0" in x for x in reasons)
        assert any("max change: origin's share of tax may fall by at most 0.2 from 2026 to 2027" in x for x in reasons)
        assert any("minimum share of origin in tax 2026 (0.4" in x for x in reasons)
        assert not any("cap" in x for x in reasons)
        assert len(reasons) == 4  # the three, and the structure line
        assert info.value.exit_code == 3


def test_guarantee_in_a_year_without_revenue_is_reported_without_solving():
    d = two_parties(revenues={"tax": [100, 0]}, constraints={"guaranteed_minimum": {"party": "host", "amount": 5}})
    with pytest.raises(InfeasibleError) as info:
        solve(d, "proportional")
    assert info.value.reasons == [
        "guaranteed minimum for host in 2026: at least 5 from tax (constraints.guaranteed_minimum[0]): "
        "the amounts it applies to are all zero"
    ]
    d["fixed_rule"] = {"shares": {"tax": {"origin": 0.5, "host": 0.5}}}
    assert len(solve(d, "fixed").violations) == 1  # and a written rule is reported as breaking it


def test_nash_needs_every_party_to_gain():
    d = two_parties()
    d["parties"][1]["disagreement"] = 100  # host can at best get its disagreement payoff
    with pytest.raises(InfeasibleError) as info:
        solve(d, "nash")
    assert any("Nash bargaining: host must gain more than its disagreement payoff (100)" in x for x in info.value.reasons)
    with pytest.raises(InfeasibleError, match="kalai-smorodinsky needs every party able to gain"):
        solve(d, "kalai-smorodinsky")


def test_proportional_needs_contributions():
    d = two_parties()
    for p in d["parties"]:
        p["contributions"] = {}
    with pytest.raises(InputError, match="proportional needs valued contributions"):
        solve(d, "proportional")


# ------------------------------------------------------------------- case file errors


def problems(d) -> list[str]:
    with pytest.raises(InputError) as info:
        case_from_dict(d, source="case.yaml")
    assert info.value.exit_code == 2
    return [p.message for p in info.value.problems]


def mutate(path: str, value):
    """A copy of three_parties() with the key at dotted ``path`` set to ``value`` (``...`` deletes it)."""
    d = copy.deepcopy(three_parties())
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = d
    for k in keys[:-1]:
        node = node[k]
    if value is ...:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return d


ERRORS = [
    ("name", "a b", "name: use letters"),
    ("name", ..., "name: missing"),
    ("start_year", "2025a", "start_year: must be a whole number"),
    ("start_year", ..., "start_year: missing"),
    ("discount_rate", -0.1, "discount_rate: must be at least 0, not -0.1"),
    ("parties", [{"id": "solo", "role": "originating"}], "parties: must have at least 2 entries, not 1"),
    ("parties.1.id", "o", "parties[1].id: duplicate party id 'o'"),
    ("parties.1.id", ..., "parties[1].id: missing"),
    ("parties.1.role", "host", "parties[1].role: must be one of originating | receiving | other, not 'host'"),
    ("parties.1.contributions.land", "a lot", "parties[1].contributions.land: must be a number at least 0, not 'a lot'"),
    ("parties.1.contributions", [30], "parties[1].contributions: must be a mapping"),
    ("parties.0.weight", 0, "parties[0].weight: must be greater than 0, not 0"),
    ("parties.0.disagreement", "none", "parties[0].disagreement: must be a number"),
    ("parties.0.colour", "red", "parties[0].colour: unknown key"),
    ("revenues", ..., "revenues: missing"),
    ("revenues.tax", 100, "revenues.tax: must be a list (one amount per year), not 100"),
    ("revenues.tax", [100, -1, 0, 0], "revenues.tax[1]: must be at least 0, not -1"),
    ("revenues.land", [1, 2], "revenues.land: has 2 years but revenues.tax has 4"),
    ("statistics", ["gdp", "wages"], "statistics[1]: unknown stream 'wages'"),
    ("statistics", ["tax", "land", "gdp"], "statistics: every stream is a statistic"),
    ("statistics_split", {"gdp": {"follow": "gdp"}}, "statistics_split.gdp.follow: must name a money stream"),
    ("statistics_split", {"gdp": {"shares": {"o": 0.5, "r": 0.4}}}, "statistics_split.gdp.shares: shares in 2025 sum to 0.9, not 1"),
    ("statistics_split", {"gdp": {"shares": {"o": 1}, "follow": "tax"}}, "statistics_split.gdp: give exactly one of"),
    ("statistics_split", {"tax": {"follow": "land"}}, "statistics_split.tax: not a statistic stream"),
    ("constraints.min_share", 0.1, "constraints.min_share: unknown key"),
    ("constraints.individual_rationality", "yes", "constraints.individual_rationality: must be true or false"),
    ("constraints.buffer.years", 9, "constraints.buffer.years: 9 buffer years exceed the 4 years"),
    ("constraints.buffer.streams", ["rent"], "constraints.buffer.streams[0]: unknown stream 'rent'"),
    ("constraints.max_change", 1.5, "constraints.max_change: must be at most 1, not 1.5"),
    ("constraints.max_change", {"rent": 0.1}, "constraints.max_change.rent: unknown stream"),
    ("constraints.share_limits.0.party", "y", "constraints.share_limits[0].party: unknown party 'y'"),
    ("constraints.share_limits.0.min", 0.5, "constraints.share_limits[0]: min 0.5 exceeds max 0.25"),
    ("constraints.share_limits.0.max", ..., "constraints.share_limits[0]: give min, max or both"),
    ("constraints.share_limits.0.from_year", 2020, "constraints.share_limits[0]: years 2020..2028 must lie within 2025..2028"),
    ("constraints.share_limits", {"party": "x"}, "constraints.share_limits: must be a list"),
    ("constraints.origin_cap.amount", -5, "constraints.origin_cap.amount: must be at least 0, not -5"),
    ("constraints.origin_cap.streams", ["gdp"], "constraints.origin_cap.streams[0]: unknown stream 'gdp' here (allowed: tax, land)"),
    ("constraints.guaranteed_minimum.0.amount", ..., "constraints.guaranteed_minimum[0].amount: missing"),
    ("constraints.guaranteed_minimum.0.to_year", "end", "constraints.guaranteed_minimum[0].to_year: must be a whole number"),
    ("fixed_rule.shares", {}, "fixed_rule: money stream 'land' has no split"),
    ("fixed_rule.shares", {"land": {"o": 0.6, "r": 0.4}, "tax": {"o": 1}}, "fixed_rule.shares.tax: this stream is also in fixed_rule.phase_out.streams"),
    ("fixed_rule.phase_out.cap", ..., "fixed_rule.phase_out.extension_years: an extension happens only when a cap is not reached"),
    ("fixed_rule.phase_out.origin_share", 1.5, "fixed_rule.phase_out.origin_share: must be at most 1, not 1.5"),
    ("fixed_rule.phase_out.origin_share", [0.5, 0.4, 0.3], "fixed_rule.phase_out.years: is 2 but origin_share lists 3 years"),
    ("fixed_rule.phase_out.years", ..., "fixed_rule.phase_out.years: missing"),
    ("fixed_rule.phase_out.receiver", "o", "fixed_rule.phase_out.receiver: must differ from the origin"),
    ("fixed_rule.rule", "50:50", "fixed_rule.rule: unknown key"),
    ("colour", "red", "colour: unknown key"),
]


@pytest.mark.parametrize("path, value, message", ERRORS, ids=[f"{p}={v!r}" for p, v, _ in ERRORS])
def test_case_file_error(path, value, message):
    found = problems(mutate(path, value))
    assert any(m.startswith(message) for m in found), found


def test_roles_the_constraints_need():
    d = three_parties()
    d["parties"][0]["role"] = "other"  # no originating party left
    found = problems(d)
    assert any(m.startswith("constraints.buffer: needs a party with role 'originating'") for m in found)
    assert any(m.startswith("constraints.origin_cap: needs a party with role 'originating'") for m in found)
    assert any(m.startswith("fixed_rule.phase_out.origin: missing; it defaults to the party with role 'originating'") for m in found)


def test_zero_money_is_an_error():
    assert any(m.startswith("revenues: the money streams (tax) are zero") for m in problems(two_parties(revenues={"tax": [0, 0]})))


def test_every_problem_is_reported_at_once():
    d = mutate("discount_rate", 5)
    d["parties"][1]["weight"] = -1
    d["constraints"]["max_change"] = "fast"
    found = problems(d)
    assert len(found) == 3
    assert [m.split(":")[0] for m in found] == ["discount_rate", "parties[1].weight", "constraints.max_change"]


def test_file_level_errors(tmp_path):
    for text, message in [
        ("", "(top level): the file is empty"),
        ("- a\n- b\n", ": must be a mapping"),
        ("name: [unclosed\n", "not valid YAML (line 2"),
    ]:
        f = tmp_path / "case.yaml"
        f.write_text(text)
        with pytest.raises(InputError) as info:
            load_case(f)
        assert message in str(info.value), str(info.value)
    with pytest.raises(InputError, match="file not found"):
        load_case(tmp_path / "missing.yaml")


def test_a_problem_names_the_file_the_line_and_the_column_of_its_key(tmp_path):
    d = three_parties()
    d["parties"][1]["weight"] = -1
    f = tmp_path / "case.yaml"
    f.write_text(yaml.safe_dump(d, sort_keys=False))
    with pytest.raises(InputError) as info:
        load_case(f)
    [p] = info.value.problems
    assert p.file == str(f) and p.message == "parties[1].weight: must be greater than 0, not -1"
    assert f.read_text().splitlines()[p.line - 1][p.col - 1:] == "weight: -1"
    assert f"{f}, line {p.line}, column {p.col}: parties[1].weight" in str(info.value)


@pytest.mark.parametrize("path, message", [
    ("discount_rate", "discount_rate: must be a number from 0 to 1, not nothing"),
    ("parties.0.weight", "parties[0].weight: must be a number greater than 0, not nothing"),
    ("parties.0.disagreement", "parties[0].disagreement: must be a number, not nothing"),
    ("constraints.individual_rationality", "constraints.individual_rationality: must be true or false, not nothing"),
    ("fixed_rule.phase_out.extension_years", "fixed_rule.phase_out.extension_years: must be a whole number at least 0, not nothing"),
])
def test_an_explicit_null_is_refused_where_a_value_is_needed(path, message):
    assert message in problems(mutate(path, None))


def test_numbers_written_as_text_by_yaml_are_accepted(tmp_path):
    # YAML 1.1 reads 1e3 as a string; the loader accepts it as a number
    d = two_parties(revenues={"tax": ["1e3"]})
    f = tmp_path / "case.yaml"
    f.write_text(yaml.safe_dump(d))
    assert load_case(f).revenues["tax"] == (1000.0,)


# ------------------------------------------------------------------- bundled cases


CASES = sorted(INSTANCES.glob("*/case.yaml"))


def test_there_are_at_least_three_bundled_cases():
    assert len(CASES) >= 3
    for c in CASES:
        assert (c.parent / "README.md").is_file()


@pytest.mark.parametrize("path", CASES, ids=[c.parent.name for c in CASES])
def test_bundled_case_solves_with_every_rule(path):
    case = load_case(path)
    npv = {}
    for rule in RULES:
        r = solve_case(case, rule)
        assert r.status in ("optimal", "evaluated")
        npv[rule] = r.npv
    # the fair rules give each party at least its disagreement payoff
    for rule in ("nash", "kalai-smorodinsky", "egalitarian"):
        for p in case.parties:
            assert npv[rule][p.id] >= p.disagreement - 1e-6
