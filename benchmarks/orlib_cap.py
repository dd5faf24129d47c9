"""OR-Library capacitated facility location: the engine against the published optima and against
a direct highspy model of the same formulation, built in the same run.

    python benchmarks/orlib_cap.py [--dir ../shared/benchmarks/orlib-cflp] [--repeat 3] [--only cap41,cap131]

For every small cap file present (cap41 … cap134; capa/b/c are 1000-customer files for other
capacities and are left out) it prints the engine's objective, whether it equals the published
optimum (absolute tolerance 0.01), and the time of

* the engine: ``build_model`` (instance → Pyomo) + ``HighsSolver.solve`` (Pyomo → HiGHS arrays,
  HiGHS, solution back into Pyomo), and
* the direct model: numpy arrays of the same formulation (same columns, rows and order:
  routes x[j,i], unserved u[j], hub open w[i]; demand rows, hub capacity rows, linking rows)
  → ``Highs.passModel`` → ``run`` → solution,

both from the same imported :class:`Instance` (file parsing is not timed), both with MIP gap 0.
The run checks that the engine hands HiGHS exactly the direct model (same matrix, bounds, costs
and order), so the two solves do the same work and the time difference is the engine's overhead. With ``--repeat k``
each time is the best of k runs, which removes most of the noise of a shared machine. The last
line gives the total time ratio engine / direct (target ≤ 1.3).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.freight.model import build_model  # noqa: E402
from optimizer.instance.importers.orlib import read_orlib_cap  # noqa: E402
from optimizer.solve import Compiled, HighsSolver  # noqa: E402

#: Published optimal objective values of the 37 small cap instances: J.E. Beasley, OR-Library,
#: file ``capopt`` (http://people.brunel.ac.uk/~mastjjb/jeb/orlib/files/capopt.txt). cap41,
#: cap71 and cap131 are also quoted in ../shared/benchmarks/README.md; the run checks every one.
PUBLISHED = {
    "cap41": 1040444.375, "cap42": 1098000.450, "cap43": 1153000.450, "cap44": 1235500.450,
    "cap51": 1025208.225,
    "cap61": 932615.750, "cap62": 977799.400, "cap63": 1014062.050, "cap64": 1045650.250,
    "cap71": 932615.750, "cap72": 977799.400, "cap73": 1010641.450, "cap74": 1034976.975,
    "cap81": 838499.288, "cap82": 910889.563, "cap83": 975889.563, "cap84": 1069369.525,
    "cap91": 796648.438, "cap92": 855733.500, "cap93": 896617.538, "cap94": 946051.325,
    "cap101": 796648.437, "cap102": 854704.200, "cap103": 893782.112, "cap104": 928941.750,
    "cap111": 826124.713, "cap112": 901377.213, "cap113": 970567.750, "cap114": 1063356.488,
    "cap121": 793439.563, "cap122": 852524.625, "cap123": 895302.325, "cap124": 946051.325,
    "cap131": 793439.562, "cap132": 851495.325, "cap133": 893076.712, "cap134": 928941.750,
}  # fmt: skip
TOL = 0.01
#: both solves prove optimality exactly (HiGHS's default 1e-4 may stop a hair above the optimum)
MIP_GAP = 0.0
DEFAULT_DIR = ROOT.parent / "shared" / "benchmarks" / "orlib-cflp"


def engine(instance) -> tuple[float, float, dict]:
    """Objective and seconds through the engine, with the split build / hand-off / solve."""
    t0 = time.perf_counter()
    fm = build_model(instance)
    solver = HighsSolver(mip_gap=MIP_GAP, strategy="plain")  # the engine's overhead against the same plain HiGHS run
    res = solver.solve(fm.model, duals=False)
    total = time.perf_counter() - t0
    compiled = Compiled(fm.model)  # the arrays HiGHS got (compiled again, outside the timing)
    return res.objective, total, {"build": fm.build_seconds, "handoff": res.handoff_seconds, "solve": res.solve_seconds, "model": compiled}


def direct(instance) -> tuple[float, float, dict]:
    """Objective and seconds of the same formulation written straight into highspy.

    Columns: x[j,i] for every feeder leg (customer-major, as the engine orders its routes),
    u[j], w[i] for facilities with a fixed cost. Rows: Σ_i x[j,i] + u[j] = q[j];
    Σ_j x[j,i] − min(U_i, Q_i) w[i] ≤ 0 (≤ U_i without w, and only if U_i < Q_i); x[j,i] − q[j] w[i] ≤ 0
    where w exists. Costs: cost per TEU on x, the penalty on u, the fixed cost on w.
    """
    t0 = time.perf_counter()
    dem = instance.demand
    legs = instance.feeder_legs
    hubs = instance.hubs
    city = {c: j for j, c in enumerate(dem["origin"].tolist())}
    fac = {h: i for i, h in enumerate(hubs.index.tolist())}
    q = dem["teu"].to_numpy(dtype=float)
    jj = np.array([city[c] for c in legs["city_id"].tolist()])
    ii = np.array([fac[h] for h in legs["hub_id"].tolist()])
    order = np.lexsort((ii, jj))
    jj, ii = jj[order], ii[order]
    f = legs["cost_per_teu"].to_numpy(dtype=float)[order] + hubs["handling_cost"].to_numpy(dtype=float)[ii]
    nx, nj, ni = len(jj), len(q), len(fac)
    U = hubs["capacity_teu"].to_numpy(dtype=float)
    Q = np.bincount(ii, weights=q[jj], minlength=ni)
    G = hubs["fixed_cost"].to_numpy(dtype=float)
    penalty = float(instance.params["unserved_penalty"])
    # a facility without fixed cost needs no open/closed variable (as in the engine): its
    # capacity row has a constant right-hand side and its routes need no linking row
    has_w = G > 0
    wcol = np.full(ni, -1)
    wcol[has_w] = nx + nj + np.arange(int(has_w.sum()))
    nw = int(has_w.sum())
    cap = np.minimum(U, Q)
    linked = np.flatnonzero(has_w[ii])
    nl = len(linked)
    xs, us = np.arange(nx), nx + np.arange(nj)
    wi = np.flatnonzero(has_w)
    # a capacity row only where it can bind or opens the facility
    crow = np.full(ni, -1)
    with_row = has_w | (U < Q)
    nc = int(with_row.sum())
    crow[with_row] = nj + np.arange(nc)
    xc = np.flatnonzero(with_row[ii])
    rows = np.concatenate([jj, np.arange(nj), crow[ii[xc]], crow[wi], nj + nc + np.arange(nl), nj + nc + np.arange(nl)])
    cols = np.concatenate([xs, us, xc, wcol[wi], linked, wcol[ii[linked]]])
    vals = np.concatenate([np.ones(nx), np.ones(nj), np.ones(len(xc)), -cap[wi], np.ones(nl), -q[jj[linked]]])
    n_rows, n_cols = nj + nc + nl, nx + nj + nw
    A = sp.csc_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = np.concatenate([f, np.full(nj, penalty), G[has_w]])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.concatenate([q[jj], q, np.ones(nw)])
    inf = highspy.kHighsInf
    lp.row_lower_ = np.concatenate([q, np.full(nc + nl, -inf)])
    lp.row_upper_ = np.concatenate([q, np.where(has_w, 0.0, cap)[with_row], np.zeros(nl)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * (nx + nj) + [highspy.HighsVarType.kInteger] * nw
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", MIP_GAP)
    h.passModel(lp)
    h.run()
    h.getSolution()
    obj = h.getInfo().objective_function_value
    return obj, time.perf_counter() - t0, {"model": (lp, A)}


def same_model(compiled, direct_model) -> bool:
    """True when the engine handed HiGHS exactly the direct model: same columns, rows, order,
    coefficients, bounds and costs."""
    lp, A = direct_model
    E = compiled.A
    return (
        E.shape == A.shape
        and np.array_equal(E.indptr, A.indptr)
        and np.array_equal(E.indices, A.indices)
        and np.allclose(E.data, A.data, rtol=0, atol=1e-9)
        and all(
            np.allclose(np.asarray(getattr(lp, a)), getattr(compiled, b), rtol=0, atol=1e-9, equal_nan=True)
            for a, b in (("col_cost_", "cost"), ("col_lower_", "col_lower"), ("col_upper_", "col_upper"), ("row_lower_", "row_lower"), ("row_upper_", "row_upper"))
        )
        and np.array_equal(compiled.integer, np.asarray([t == highspy.HighsVarType.kInteger for t in lp.integrality_]))
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder with the cap*.txt files")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs per timing")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    args = ap.parse_args(argv)
    if not args.dir.is_dir():
        print(f"{args.dir}: folder not found (the OR-Library files live in ../shared/benchmarks/orlib-cflp)")
        return 2
    names = [n for n in PUBLISHED if (not args.only or n in args.only.split(","))]
    missing = [n for n in names if not (args.dir / f"{n}.txt").is_file()]
    present = [n for n in names if n not in missing]
    print(f"{len(present)} of the {len(names)} small cap instances found in {args.dir}" + (f"; missing: {', '.join(missing)}" if missing else ""))
    # warm-up: imports and first-call costs of Pyomo, scipy and HiGHS are paid once, outside the timings
    if present:
        inst = read_orlib_cap(args.dir / f"{present[0]}.txt")
        engine(inst)
        direct(inst)
    print(f"{'instance':9} {'published':>14} {'engine':>14} {'ok':>3} {'direct':>14} {'eng s':>7} {'build':>6} {'hand':>6} {'solve':>6} {'dir s':>7} {'ratio':>6}")
    tot_e = tot_d = tot_b = tot_h = tot_s = 0.0
    bad = 0
    for name in present:
        inst = read_orlib_cap(args.dir / f"{name}.txt")
        runs_e = [engine(inst) for _ in range(args.repeat)]
        runs_d = [direct(inst) for _ in range(args.repeat)]
        obj_e, t_e, parts = min(runs_e, key=lambda r: r[1])
        obj_d, t_d, dparts = min(runs_d, key=lambda r: r[1])
        if not same_model(parts["model"], dparts["model"]):
            print(f"{name}: the engine's model differs from the direct model")
            bad += 1
        ok = abs(obj_e - PUBLISHED[name]) <= TOL and abs(obj_d - PUBLISHED[name]) <= TOL
        bad += not ok
        tot_e, tot_d = tot_e + t_e, tot_d + t_d
        tot_b, tot_h, tot_s = tot_b + parts["build"], tot_h + parts["handoff"], tot_s + parts["solve"]
        print(
            f"{name:9} {PUBLISHED[name]:14.3f} {obj_e:14.3f} {'yes' if ok else 'NO':>3} {obj_d:14.3f} {t_e:7.3f} {parts['build']:6.3f} {parts['handoff']:6.3f} {parts['solve']:6.3f} {t_d:7.3f} {t_e / t_d:6.2f}"
        )
    if present:
        print(f"{'total':9} {'':14} {'':14} {'':3} {'':14} {tot_e:7.3f} {tot_b:6.3f} {tot_h:6.3f} {tot_s:6.3f} {tot_d:7.3f} {tot_e / tot_d:6.2f}")
        print(f"optima found: {len(present) - bad} of {len(present)}; engine / direct total time: {tot_e / tot_d:.2f} (target <= 1.3)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
