"""The solve strategies: the neighbourhood search beside HiGHS finds only feasible plans, improves
a poor one to the optimum of a facility-location MIP computed by hand, and HiGHS with the search
returns the same optimum, a valid bound and an honest gap as plain HiGHS."""

import time
from pathlib import Path

import numpy as np
import pyomo.environ as pe
import pytest

from optimizer.freight.labels import freight_labels
from optimizer.freight.model import build_model
from optimizer.freight.run import solve_instance
from optimizer.instance.generate import generate_corridor
from optimizer.instance.load import load_instance
from optimizer.solve import STRATEGIES, Compiled, HighsSolver, NeighbourhoodSearch

# Uncapacitated facility location, unit demands; opening costs and serving costs:
#          A   B   C
#   open  10  12   9
#   c1     1   5   6
#   c2     2   4   7
#   c3     6   1   2
#   c4     7   2   1
# A alone 26, B alone 12+5+4+1+2 = 24, C alone 25, A+B 28, A+C 25, B+C 32, all three 36:
# the optimum is B alone, 24.
OPEN = {"A": 10, "B": 12, "C": 9}
COST = {1: {"A": 1, "B": 5, "C": 6}, 2: {"A": 2, "B": 4, "C": 7}, 3: {"A": 6, "B": 1, "C": 2}, 4: {"A": 7, "B": 2, "C": 1}}


def _ufl():
    m = pe.ConcreteModel()
    m.F = pe.Set(initialize=list(OPEN))
    m.C = pe.Set(initialize=list(COST))
    m.w = pe.Var(m.F, domain=pe.Binary)
    m.x = pe.Var(m.C, m.F, bounds=(0, 1))
    m.demand = pe.Constraint(m.C, rule=lambda m, c: sum(m.x[c, f] for f in m.F) == 1)
    m.link = pe.Constraint(m.C, m.F, rule=lambda m, c, f: m.x[c, f] <= m.w[f])
    m.o = pe.Objective(expr=sum(OPEN[f] * m.w[f] for f in m.F) + sum(COST[c][f] * m.x[c, f] for c in m.C for f in m.F))
    return m


def _plan(comp: Compiled, open_: set[str]) -> tuple[float, np.ndarray]:
    """The plan that opens ``open_`` and serves each customer from its cheapest open facility."""
    x = np.zeros(comp.n)
    for j, v in enumerate(comp.columns):
        name, idx = v.parent_component().local_name, v.index()
        if name == "w":
            x[j] = float(idx in open_)
        else:
            c, f = idx
            x[j] = float(f == min(open_, key=lambda g: COST[c][g]))
    return float(comp.cost @ x + comp.offset), x


def _feasible(comp: Compiled, x: np.ndarray) -> bool:
    ax = comp.A @ x
    return bool(np.all(ax >= comp.row_lower - 1e-7) and np.all(ax <= comp.row_upper + 1e-7)
                and np.all(x >= comp.col_lower - 1e-9) and np.all(x <= comp.col_upper + 1e-9))


def test_the_search_improves_a_poor_plan_to_the_optimum_and_hands_over_only_feasible_plans():
    comp = Compiled(_ufl())
    obj, x = _plan(comp, {"A", "B", "C"})
    assert obj == pytest.approx(36.0) and _feasible(comp, x)
    search = NeighbourhoodSearch(comp, comp.to_highs_lp(), deadline=time.perf_counter() + 3.0, seed=1)
    search.offer(obj, x)
    handed = []
    search.start()
    while search._thread.is_alive():  # noqa: SLF001
        plan = search.take()
        if plan is not None:
            handed.append(plan)
        time.sleep(0.01)
    plan = search.take()
    if plan is not None:
        handed.append(plan)
    assert handed, "the search found no better plan than opening everything"
    for p in handed:
        assert _feasible(comp, p.x)
        assert p.objective == pytest.approx(float(comp.cost @ p.x + comp.offset))
        assert p.source in ("rounding", "rins", "block")
    objectives = [p.objective for p in handed]
    assert objectives == sorted(objectives, reverse=True)  # each plan handed over is better than the last
    assert objectives[-1] == pytest.approx(24.0)
    assert search.stats.sub_mips >= len(handed)
    found = [obj for _, _, obj in search.stats.improvements]  # take() hands over the newest of them
    assert found == sorted(found, reverse=True) and set(objectives) <= set(found) and found[-1] == objectives[-1]


def test_stopping_the_search_ends_its_thread():
    comp = Compiled(_ufl())
    search = NeighbourhoodSearch(comp, comp.to_highs_lp(), deadline=None, delay=60.0)
    search.start()
    t = time.perf_counter()
    search.stop()
    assert time.perf_counter() - t < 5.0 and not search._thread.is_alive()  # noqa: SLF001
    assert search.stats.sub_mips == 0


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_solves_the_hand_computed_optimum(strategy):
    m = _ufl()
    r = HighsSolver(mip_gap=0.0, strategy=strategy, search_after=0.0).solve(m)
    assert r.status == "optimal" and r.objective == pytest.approx(24.0)
    assert r.best_bound <= r.objective + 1e-9 and r.mip_gap == pytest.approx(0.0, abs=1e-9)
    assert pe.value(m.w["B"]) == 1 and pe.value(m.w["A"]) == 0 and pe.value(m.w["C"]) == 0
    assert r.strategy == strategy and (r.search is not None) == (strategy == "search")
    assert r.as_dict()["strategy"] == strategy


def test_an_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="strategy must be one of plain, search"):
        HighsSolver(strategy="fast")


def test_on_a_generated_corridor_both_strategies_return_a_feasible_plan_within_the_gap_of_the_other():
    # big enough that HiGHS works for a while, so the search runs beside it from the start
    inst = generate_corridor(40, 10, 12, seed=5)
    out = {}
    for strategy in STRATEGIES:
        fm = build_model(inst, baseline=False)
        solver = HighsSolver(mip_gap=1e-3, time_limit=120, strategy=strategy, search_after=0.0)
        r = solver.solve(fm.model, labels=freight_labels(fm))
        assert r.status == "optimal" and r.mip_gap <= 1e-3 + 1e-12
        assert r.best_bound <= r.objective * (1 + 1e-9)
        # the plan loaded into the model is feasible for it: its objective is what HiGHS reported
        assert pe.value(fm.model.cost) == pytest.approx(r.objective, rel=1e-6)
        out[strategy] = r
    plain, search = out["plain"], out["search"]
    # each plan lies within the proven gap of the other's bound
    assert plain.objective <= search.best_bound * (1 + 1e-3) + 1e-6
    assert search.objective <= plain.best_bound * (1 + 1e-3) + 1e-6


def test_the_landbridge_optimum_is_the_same_with_either_strategy():
    landbridge = load_instance(Path(__file__).resolve().parents[1] / "instances" / "landbridge")
    objectives = {s: solve_instance(landbridge, mip_gap=0.0, strategy=s, sensitivity=False).summary for s in STRATEGIES}
    assert objectives["plain"]["objective"] == pytest.approx(objectives["search"]["objective"], rel=1e-9)
    assert objectives["plain"]["strategy"] == "plain" and objectives["search"]["strategy"] == "search"
