"""HTML (and PNG) reports from run folders: ``write_report(run_dir)``, ``write_comparison(run_dirs)`` (enclave
runs) and ``write_freight_comparison(run_dirs, scenarios)`` (freight plans side by side, with compare.csv).

A report is one self-contained ``report.html``: styles, script, charts and maps are inline, nothing is
fetched when it is opened. The kind of run folder (freight, enclave, consolidation, batch) is detected from its files.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ..results import atomic_write_text, check_file_target, read_marker, register_files
from .page import GENERATOR
from .runs import CONSOLIDATION, ENCLAVE, FREIGHT, PARETO, detect_kind

__all__ = ["write_report", "write_comparison", "write_freight_comparison", "compare_runs", "detect_kind"]

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
    elif kind == PARETO:
        from .pareto import render
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



COMPARE_NAME = "compare.html"


def _own_compare_csv(header: str):
    """``owned`` for check_file_target: a compare.csv this tool wrote starts with exactly its header line."""

    def owned(path: Path) -> bool:
        try:
            with open(path, "rb") as f:
                first = f.read(4096).split(b"\n", 1)[0].rstrip(b"\r")
        except OSError:
            return False
        return first == header.encode()

    return owned


def write_freight_comparison(
    run_dirs: list[str | Path], scenarios: list[str] = (), out: str | Path | None = None
) -> tuple[Path, Path]:
    """Freight plans side by side: write ``out`` (default ``compare.html`` in the folder holding the first
    run) and the same figures as a tidy table beside it (``compare.csv``, named after ``out``).

    ``run_dirs``: freight run folders, or batch folders whose ``scenarios`` are compared. Raises
    :class:`InputError` (exit 2), before anything is written, for a folder that is not a freight run, a batch
    without scenarios or without one of them, runs of different instances, or a target that is not this
    tool's own file. Each file is written atomically. Returns the paths of the page and of the table.
    """
    from .compare import COLUMNS, load_members, render

    html_path = Path(out) if out is not None else Path(run_dirs[0]).resolve().parent / COMPARE_NAME
    csv_path = html_path.with_suffix(".csv")
    if csv_path.name == html_path.name:
        raise InputError([Problem(str(html_path), "is the name of the table written beside the page; give the page's "
                                                  "name, e.g. compare.html")], source="--out")
    members = load_members(list(run_dirs), list(scenarios))
    html_target = check_file_target(html_path, signature=GENERATOR)
    csv_target = check_file_target(csv_path, owned=_own_compare_csv(",".join(COLUMNS)))
    html, df = render(members, html_target.parent, csv_target.name)
    atomic_write_text(csv_target, df.to_csv(index=False, lineterminator="\n"))
    atomic_write_text(html_target, html)
    if read_marker(html_target.parent) is not None:  # written into a run folder: keep it the tool's own
        register_files(html_target.parent, [html_target.name, csv_target.name])
    return html_target, csv_target


def compare_runs(run_dirs: list[str | Path], scenarios: list[str] = (), out: str | Path | None = None) -> list[Path]:
    """Several runs side by side: enclave runs as :func:`write_comparison`, anything else as freight plans
    (:func:`write_freight_comparison`, which refuses what is not a freight run). Returns the files written."""
    if not scenarios and all(detect_kind(d) == ENCLAVE for d in run_dirs):
        return [write_comparison(list(run_dirs), out)]
    return list(write_freight_comparison(list(run_dirs), scenarios, out))
