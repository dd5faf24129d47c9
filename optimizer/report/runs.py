"""Reading run folders: what kind a folder is, its summary and tables, tolerant of absent optional files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from ..documents import read_json
from ..errors import InputError, Problem
from ..summary import ConsolidationSummary, EnclaveSummary, FreightSummary, parse
from .page import esc

FREIGHT, ENCLAVE, BATCH, CONSOLIDATION, PARETO = "freight", "enclave", "batch", "consolidation", "pareto"

NOT_A_RUN = (
    "not a run folder: expected summary.json written by `optimizer freight solve` or `optimizer share enclave`, "
    "or summary.csv written by `optimizer batch`"
)


def _problem(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), message)], source="report")


def read_summary(run_dir: Path) -> dict:
    path = run_dir / "summary.json"
    if not path.exists():
        raise _problem(run_dir, NOT_A_RUN)
    data = read_json(path, "summary").data
    if not isinstance(data, dict):
        raise _problem(path, "expected a JSON object")
    return data


def read_csv(run_dir: Path, name: str, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table, or an empty frame when the file is absent (optional tables).

    A table with rows must have the ``required`` columns (the report reads them); otherwise exit 2.
    """
    path = run_dir / name
    if not path.exists():
        return pd.DataFrame()
    try:
        df = pd.read_csv(path, keep_default_na=True)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise _problem(path, f"unreadable CSV ({exc})") from None
    missing = [c for c in required if c not in df.columns]
    if len(df) and missing:
        raise _problem(path, f"not a table this version can read: missing column(s) {', '.join(missing)}")
    return df


def detect_kind(run_dir: str | Path) -> str:
    """``freight``, ``enclave``, ``consolidation``, ``pareto`` or ``batch``; an :class:`InputError` (exit 2) for anything else."""
    path = Path(run_dir)
    if not path.is_dir():
        raise _problem(path, "no such folder" if not path.exists() else NOT_A_RUN)
    if (path / "summary.csv").is_file() and not (path / "summary.json").is_file():
        return BATCH
    summary = read_summary(path)
    if all(k in summary for k in EnclaveSummary.KEYS):  # the keys that mark each kind, declared in summary.py
        parse(EnclaveSummary, summary, str(path / "summary.json"))
        return ENCLAVE
    if all(k in summary for k in ConsolidationSummary.KEYS):
        return CONSOLIDATION
    if isinstance(summary.get("pareto"), dict) and isinstance(summary.get("points"), list):
        return PARETO
    if all(k in summary for k in FreightSummary.KEYS):
        parse(FreightSummary, summary, str(path / "summary.json"))
        return FREIGHT
    raise _problem(path / "summary.json", "neither a freight run (no 'kpis') nor an enclave run (no 'rule'/'shares')")


def status_html(status) -> str:
    """The run status, coloured: optimal (or a written rule evaluated) green, a plan at a limit amber, else red."""
    s = str(status or "unknown")
    cls = {"optimal": "status-ok", "evaluated": "status-ok", "time_limit": "status-warn"}.get(s, "status-bad")
    words = {"time_limit": "feasible plan at the time limit", "evaluated": "written rule evaluated"}.get(s, s)
    return f'<span class="{cls}">{esc(words)}</span>'


@contextlib.contextmanager
def atomic_png(path: Path):
    """Yield a temporary file name beside ``path``; it replaces ``path`` only if the block succeeds."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # readable like any other file of the run, not mkstemp's 0600
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
