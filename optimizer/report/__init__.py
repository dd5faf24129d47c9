"""HTML (and PNG) reports from run folders: ``write_report(run_dir)`` and ``write_comparison(run_dirs)``.

A report is one self-contained ``report.html``: styles, script, charts and maps are inline, nothing is
fetched when it is opened. The kind of run folder (freight, enclave, consolidation, batch) is detected from its files.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ..results import atomic_write_text, check_file_target, register_files
from .page import GENERATOR
from .runs import CONSOLIDATION, ENCLAVE, FREIGHT, detect_kind

__all__ = ["write_report", "write_comparison", "detect_kind"]

REPORT_NAME = "report.html"


def write_report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of one run folder (default ``run_dir/report.html``) and return its path.

    A freight run also gets ``map.png`` beside its report. Raises :class:`InputError` when ``run_dir`` is
    not a run folder.
    """
    run_dir = Path(run_dir)
    kind = detect_kind(run_dir)
    target = check_file_target(Path(out) if out is not None else run_dir / REPORT_NAME, signature=GENERATOR)
    if kind == FREIGHT:
        from .freight import render
    elif kind == ENCLAVE:
        from .enclave import render
    elif kind == CONSOLIDATION:
        from .consolidation import render
    else:
        from .batch import render
    html = render(run_dir)
    atomic_write_text(target, html)
    register_files(run_dir, [REPORT_NAME, "map.png"] if out is None else ["map.png"])
    return target


def write_comparison(run_dirs: list[str | Path], out: str | Path | None = None) -> Path:
    """Side-by-side report of several enclave runs (typically several rules on one case).

    Written to ``out``, by default ``comparison.html`` in the folder holding the first run.
    """
    dirs = [Path(d) for d in run_dirs]
    kinds = [detect_kind(d) for d in dirs]
    wrong = [Problem(str(d), f"a {k} run: only enclave runs can be compared side by side")
             for d, k in zip(dirs, kinds) if k != ENCLAVE]
    if wrong:
        raise InputError(wrong, source="report")
    from .enclave import render_comparison

    target = check_file_target(Path(out) if out is not None else dirs[0].resolve().parent / "comparison.html", signature=GENERATOR)
    html = render_comparison(dirs)
    atomic_write_text(target, html)
    return target

