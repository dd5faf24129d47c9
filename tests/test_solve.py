"""The solver layer: statuses, duals, MIP results and infeasibility explanations on tiny models."""

import numpy as np
import pyomo.environ as pe
import pytest

from optimizer.solve import Compiled, HighsSolver, LpSession, complete_start, conflicting_constraints


def _lp():
    # min 2x + 3y + 1  s.t.  x + y >= 4 (c1),  x <= 3 (c2),  x, y >= 0
    # optimum x = 3, y = 1, objective 2*3 + 3*1 + 1 = 10.
    m = pe.ConcreteModel()
    m.x = pe.Var(bounds=(0, None))
    m.y = pe.Var(bounds=(0, None))
    m.c1 = pe.Constraint(expr=m.x + m.y >= 4)
    m.c2 = pe.Constraint(expr=m.x <= 3)
    m.o = pe.Objective(expr=2 * m.x + 3 * m.y + 1)
    return m


def test_lp_optimum_and_duals():
    m = _lp()
    r = HighsSolver().solve(m)
    assert r.status == "optimal" and r.ok and not r.is_mip
    assert r.objective == pytest.approx(10.0)
    assert pe.value(m.x) == pytest.approx(3.0) and pe.value(m.y) == pytest.approx(1.0)
    # one more unit of demand in c1 is served by y at 3; one more unit of room in c2 saves 3 - 2 = 1
    assert r.dual(m.c1) == pytest.approx(3.0)
    assert r.dual(m.c2) == pytest.approx(-1.0)


def test_duals_of_a_maximisation_keep_the_same_meaning():
    m = _lp()
    m.o.deactivate()
    m.p = pe.Objective(expr=-2 * m.x - 3 * m.y - 1, sense=pe.maximize)
    r = HighsSolver().solve(m)
    assert r.objective == pytest.approx(-10.0)
    assert r.dual(m.c1) == pytest.approx(-3.0)
    assert r.dual(m.c2) == pytest.approx(1.0)


def test_session_rows_added_and_removed_solve_like_the_rebuilt_model():
    # After every change the session's answer is that of a fresh solve of the same Pyomo model.
    m = _lp()
    m.more = pe.ConstraintList()
    session = LpSession(m, HighsSolver())

    def same_as_fresh():
        r = session.solve()
        x, y = pe.value(m.x), pe.value(m.y)
        fresh = HighsSolver().solve(m)
        assert r.status == fresh.status == "optimal"
        assert r.objective == pytest.approx(fresh.objective)
        assert (x, y) == pytest.approx((pe.value(m.x), pe.value(m.y)))
        for con in [m.c1, m.c2, *m.more.values()]:
            if con.active:
                assert r.dual(con) == pytest.approx(fresh.dual(con), abs=1e-9)
        return r

    assert same_as_fresh().objective == pytest.approx(10.0)
    # y >= 2 (with a constant in the body) and a ranged row 1 <= x - y <= 5: x = 3, y = 2
    y_row, ranged = m.more.add(m.y + 1 >= 3), m.more.add(pe.inequality(1, m.x - m.y + 0, 5))
    session.add([y_row, ranged])
    assert same_as_fresh().objective == pytest.approx(2 * 3 + 3 * 2 + 1)
    session.remove([m.c2, y_row])
    assert not m.c2.active and not y_row.active
    # x + y >= 4 and x - y >= 1 only: x = 4, y = 0
    assert same_as_fresh().objective == pytest.approx(9.0)
    assert session.solve().n_cons == 2


def test_session_refuses_a_constraint_on_a_new_column():
    m = _lp()
    m.z = pe.Var(within=pe.Integers, bounds=(0, 3))
    m.zc = pe.Constraint(expr=m.z >= m.x - 1)
    m.zc.deactivate()
    session = LpSession(m, HighsSolver())
    m.zc.activate()
    with pytest.raises(ValueError, match="not a column"):
        session.add([m.zc])
    with pytest.raises(ValueError, match="not a column"):
        session.set_costs([m.z], [1.0])


def test_mip_session_with_changing_prices_and_a_no_good_row():
    # max 3 a + 2 b + 2 c  s.t.  a + b + c <= 2 (binary), as min of the negation: {a, b}, value 5
    m = pe.ConcreteModel()
    m.P = pe.RangeSet(0, 2)
    m.z = pe.Var(m.P, within=pe.Binary)
    m.cap = pe.Constraint(expr=sum(m.z[i] for i in m.P) <= 2)
    m.o = pe.Objective(expr=sum(0 * m.z[i] for i in m.P))
    m.cuts = pe.ConstraintList()
    session = LpSession(m, HighsSolver())
    zs = [m.z[i] for i in m.P]
    session.set_costs(zs, [-3.0, -2.0, -2.1])
    r = session.solve()
    assert r.is_mip and r.status == "optimal" and r.objective == pytest.approx(-5.1)
    assert session.values(zs).tolist() == [1.0, 0.0, 1.0]
    # exclude {a, c}: (1 - z_a) + z_b + (1 - z_c) >= 1, so {a, b} with -5 is next
    session.add([m.cuts.add((1 - m.z[0]) + m.z[1] + (1 - m.z[2]) >= 1)])
    r = session.solve()
    assert r.objective == pytest.approx(-5.0) and r.best_bound == pytest.approx(-5.0)
    assert [pe.value(z) for z in zs] == [1.0, 1.0, 0.0]
    session.set_costs(zs, [1.0, 1.0, 1.0])  # everything costs: nothing chosen
    assert session.solve().objective == pytest.approx(0.0)


def test_mip_and_resolve_after_a_parameter_change():
    # min z + x  s.t. z >= x + 0.5, x >= 1, z integer: x = 1, z = 2, objective 3.
    m = pe.ConcreteModel()
    m.p = pe.Param(initialize=1.0, mutable=True)
    m.x = pe.Var(bounds=(0, None))
    m.z = pe.Var(within=pe.Integers, bounds=(0, 10))
    m.c = pe.Constraint(expr=m.z >= m.x + 0.5)
    m.d = pe.Constraint(expr=m.x >= m.p)
    m.o = pe.Objective(expr=m.z + m.x)
    solver = HighsSolver()
    r = solver.solve(m)
    assert r.is_mip and r.status == "optimal" and r.objective == pytest.approx(3.0)
    assert r.mip_gap == pytest.approx(0.0, abs=1e-9)
    m.p = 2.0  # x >= 2 -> z = 3, objective 5
    r = solver.solve(m)
    assert r.objective == pytest.approx(5.0) and pe.value(m.z) == 3


def test_infeasible_model_names_the_conflicting_constraints():
    m = _lp()
    m.c3 = pe.Constraint(expr=m.x + m.y <= 2)  # contradicts c1
    m.c4 = pe.Constraint(expr=m.y <= 100)  # innocent
    r = HighsSolver().solve(m)
    assert r.status == "infeasible" and not r.ok
    assert conflicting_constraints(m) == ["c1", "c3"]


def test_feasible_model_has_no_conflict():
    assert conflicting_constraints(_lp()) == []


def _facilities():
    """Two hubs, two customers of one unit each, exact demand.

    Hub A: fixed cost 10, ships at 1 per unit to either customer, on trains of 1.5 units at 3 each
    (integer n). Hub B: fixed cost 4, ships at 2 to customer 1 and 8 to customer 2, capacity 1.
    Designs: A alone 10 + 2 + 2 trains * 3 = 18 (the optimum); A and B 14 + 1 train * 3 + 1.5 units
    by A at 1 + the other 0.5 unit of customer 1 by B at 2 = 19.5; B alone cannot carry 2 units;
    none carries nothing.
    """
    m = pe.ConcreteModel()
    m.yA = pe.Var(within=pe.Binary)
    m.yB = pe.Var(within=pe.Binary)
    m.n = pe.Var(within=pe.NonNegativeIntegers, bounds=(0, 5))
    m.x = pe.Var(["A1", "A2", "B1", "B2"], bounds=(0, None))
    m.d1 = pe.Constraint(expr=m.x["A1"] + m.x["B1"] == 1)
    m.d2 = pe.Constraint(expr=m.x["A2"] + m.x["B2"] == 1)
    m.trains = pe.Constraint(expr=m.x["A1"] + m.x["A2"] <= 1.5 * m.n)
    m.openA = pe.Constraint(expr=m.n <= 5 * m.yA)
    m.capB = pe.Constraint(expr=m.x["B1"] + m.x["B2"] <= m.yB)
    m.o = pe.Objective(expr=10 * m.yA + 4 * m.yB + 3 * m.n + m.x["A1"] + m.x["A2"] + 2 * m.x["B1"] + 8 * m.x["B2"])
    return m


def _design(comp, yA: float, yB: float):
    """A column vector of ``comp`` with the given hub decisions (the other values are arbitrary)."""
    values = {"yA": yA, "yB": yB}
    return np.array([values.get(v.name, 0.7) for v in comp.columns])


def test_complete_start_keeps_the_design_and_reoptimises_the_rest():
    m = _facilities()
    comp = Compiled(m)
    obj, x = complete_start(comp, [_design(comp, 1, 1)], mip_gap=0, time_limit=10)
    assert obj == pytest.approx(19.5)
    col = {v.name: j for j, v in enumerate(comp.columns)}
    assert x[col["yA"]] == pytest.approx(1) and x[col["yB"]] == pytest.approx(1)
    assert x[col["n"]] == pytest.approx(1) and x[col["x[B1]"]] == pytest.approx(0.5)


def test_complete_start_skips_designs_without_a_completion_and_keeps_the_best():
    comp = Compiled(_facilities())
    b_alone, both, a_alone = _design(comp, 0, 1), _design(comp, 1, 1), _design(comp, 1, 0)
    assert complete_start(comp, [b_alone, _design(comp, 0, 0)], mip_gap=0, time_limit=10) is None
    obj, _ = complete_start(comp, [b_alone, both, a_alone], mip_gap=0, time_limit=10)
    assert obj == pytest.approx(18.0)
    # fractional values are rounded (0.6 -> 1, 0.2 -> 0): A alone
    obj, _ = complete_start(comp, [_design(comp, 0.6, 0.2)], mip_gap=0, time_limit=10)
    assert obj == pytest.approx(18.0)


def test_complete_start_chooses_within_the_union_of_designs_none_of_which_is_feasible():
    # one hub at most: both earlier designs (A and B, or B alone) are infeasible as they stand; the
    # union {A, B} holds A alone (18); with B never used in any candidate, B stays closed
    m = _facilities()
    m.one = pe.Constraint(expr=m.yA + m.yB <= 1)
    comp = Compiled(m)
    col = {v.name: j for j, v in enumerate(comp.columns)}
    obj, x = complete_start(comp, [_design(comp, 1, 1), _design(comp, 0, 1)], mip_gap=0, time_limit=10)
    assert obj == pytest.approx(18.0) and x[col["yA"]] == pytest.approx(1) and x[col["yB"]] == pytest.approx(0)
    assert complete_start(comp, [_design(comp, 0, 1)], mip_gap=0, time_limit=10) is None  # the union is B alone


def test_solve_from_a_start_reports_it_and_still_finds_the_optimum():
    m = _facilities()
    comp = Compiled(m)
    r = HighsSolver(mip_gap=0).solve(m, starts=[_design(comp, 1, 1)])
    assert r.status == "optimal" and r.objective == pytest.approx(18.0)
    assert r.start_objective == pytest.approx(19.5) and r.as_dict()["start"]["objective"] == pytest.approx(19.5)
    assert pe.value(m.yA) == 1 and pe.value(m.yB) == 0 and pe.value(m.n) == 2
    # a start without a completion is dropped, not an error
    r = HighsSolver(mip_gap=0).solve(_facilities(), starts=[_design(comp, 0, 1)])
    assert r.objective == pytest.approx(18.0) and r.start_objective is None and "start" not in r.as_dict()
