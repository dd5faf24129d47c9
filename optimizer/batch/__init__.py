"""Batch scenario runs: many what-if scenarios of one base, in parallel or on a Dask cluster.

* :mod:`.scenarios` -- the scenario file: schema, sweep expansion, names, hashes
* :mod:`.engines` -- what the runner needs from a model (freight, enclave)
* :mod:`.executors` -- local worker processes or a Dask distributed cluster
* :mod:`.freight_engine`, :mod:`.enclave_engine` -- the two engines (freight workers start each
  scenario from the nearest earlier plans, :class:`optimizer.solve.StartPool`)
* :mod:`.runner` -- orchestration: checks, run folders, summary table, resume
* :mod:`.progress` -- the progress bar

``run_batch("scenarios.yaml", workers=2)`` is what ``optimizer batch`` calls.
"""

from .runner import BatchResult, prepare, run_batch, run_plan
from .scenarios import BatchSpec, Scenario, load_spec

__all__ = ["BatchResult", "BatchSpec", "Scenario", "load_spec", "prepare", "run_batch", "run_plan"]
