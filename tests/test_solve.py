"""The solver layer: statuses, duals, MIP results and infeasibility explanations on tiny models."""

import pyomo.environ as pe
import pytest

from optimizer.solve import HighsSolver, conflicting_constraints


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
