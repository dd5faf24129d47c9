"""Run folders: tidy tables, summary.json and the solver log, written atomically.

A run is written into a hidden sibling folder first (``.<name>.partial-<pid>``) and renamed into
place only when every file is complete. An interrupted run therefore leaves no half-written
folder under the requested name, and an earlier complete run under that name survives until the
new one is whole (it is then replaced in one rename).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def default_run_dir(name: str, root: str | Path = "results") -> Path:
    """``results/<name>-<YYYYmmdd-HHMMSS>``; a suffix is added if that folder exists already."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{name}-{stamp}"
    path, k = base, 1
    while path.exists():
        k += 1
        path = base.with_name(f"{base.name}-{k}")
    return path


def to_jsonable(obj: Any) -> Any:
    """Plain JSON types: NaN and infinities become null, numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write one file atomically (temporary file in the same folder, then rename).

    The file gets the usual permissions (0666 less the umask), not the private 0600 of a
    temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class RunFolder:
    """Context manager that stages a run folder and publishes it whole on success.

    >>> with RunFolder("results/demo") as run:        # doctest: +SKIP
    ...     run.write_table("flows", df)
    ...     run.write_json("summary.json", summary)

    Inside the block, :meth:`path` gives paths in the staging folder (for files written by others,
    such as the HiGHS log). On an exception the staging folder is removed and nothing at the final
    path changes.
    """

    def __init__(self, final: str | Path) -> None:
        self.final = Path(final)
        self.staging: Path | None = None

    def __enter__(self) -> "RunFolder":
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.final.parent))
        os.chmod(self.staging, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
        return self

    def path(self, name: str) -> Path:
        assert self.staging is not None, "RunFolder used outside its with-block"
        p = self.staging / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_text(self, name: str, text: str) -> Path:
        p = self.path(name)
        p.write_text(text, encoding="utf-8")
        return p

    def write_json(self, name: str, obj: Any) -> Path:
        return self.write_text(name, dumps(obj) + "\n")

    def write_table(self, name: str, df: pd.DataFrame, index: bool = False) -> Path:
        """Write ``df`` as ``<name>.csv`` (UTF-8, no index unless asked)."""
        fname = name if name.endswith(".csv") else f"{name}.csv"
        p = self.path(fname)
        df.to_csv(p, index=index, float_format="%.6g")
        return p

    def __exit__(self, exc_type, exc, tb) -> bool:
        assert self.staging is not None
        if exc_type is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return False
        publish(self.staging, self.final)
        return False


def publish(staging: Path, final: Path) -> None:
    """Move a complete staging folder to ``final``, replacing an older run there in one step."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(final, old)
    try:
        os.replace(staging, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
