"""The engine reproduces published OR-Library capacitated facility location optima (Beasley's capopt).

The cap files are read from ../shared/benchmarks/orlib-cflp (never copied into the project);
the tests are skipped with the reason when that folder is absent.
"""

from __future__ import annotations

import pytest

from optimizer.freight.model import build_model
from optimizer.instance.importers.orlib import read_orlib_cap
from optimizer.solve import HighsSolver

from conftest import BENCHMARKS

CAP = BENCHMARKS / "orlib-cflp"

# Published optima (J.E. Beasley, OR-Library file capopt; also in ../shared/benchmarks/README.md).
PUBLISHED = {"cap41": 1040444.375, "cap71": 932615.750, "cap131": 793439.562}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_optimum(name):
    path = CAP / f"{name}.txt"
    if not path.is_file():
        pytest.skip(f"{path} not found: the OR-Library benchmark files live in ../shared/benchmarks/orlib-cflp next to the project")
    fm = build_model(read_orlib_cap(path))
    res = HighsSolver(mip_gap=0.0).solve(fm.model)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(PUBLISHED[name], abs=0.01)
    # the CFLP needs no trains, services or unserved boxes: only routes, unserved slack and hub openings
    assert (len(fm.n), len(fm.y), len(fm.v)) == (0, 0, 0)
    assert sum(u.value for u in fm.u) == pytest.approx(0.0, abs=1e-6)
