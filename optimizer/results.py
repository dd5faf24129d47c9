"""Run folders: tidy tables, summary.json and the solver log, written atomically, and only where the tool may write.

A run is written into a hidden sibling folder first (``.<name>.partial-<pid>``) and renamed into
place only when every file is complete. An interrupted run therefore leaves no half-written
folder under the requested name, and an earlier complete run under that name survives until the
new one is whole (it is then replaced in one rename).

What a command may write to (:func:`check_target`): a path that does not exist yet, an empty
folder, or a folder this tool wrote itself for the same kind of result and that holds nothing
else. Every folder the tool writes carries a marker file, ``.optimizer-run`` (JSON: tool, kind,
version, the files written); a folder without it, a folder of another kind, a folder holding any
file the marker does not list, a file, a device (``/dev/null``), a symbolic link, and a folder
that holds one of the command's own inputs are all refused with an :class:`InputError` (exit 2)
before anything is computed, and again just before the run is published. A failed command
changes nothing on disk: the staging folder goes, and so do the parent folders it created.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from .errors import InputError, Problem

#: the marker file of every folder the tool writes
MARKER = ".optimizer-run"
#: kinds of folders, as a user reads them in a message
KINDS = {
    "freight": "freight run folder",
    "enclave": "enclave run folder",
    "game": "game run folder",
    "batch": "batch folder",
    "whatif": "whatif folder",
    "consolidation": "consolidation folder",
    "pareto": "Pareto front folder",
    "instance": "instance folder",
}


def default_run_dir(name: str, root: str | Path = "results") -> Path:
    """``results/<name>-<YYYYmmdd-HHMMSS>``; a suffix is added if that folder exists already."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{name}-{stamp}"
    path, k = base, 1
    while os.path.lexists(path):
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


# ---------------------------------------------------------------------------------------------
# where the tool may write


def _refuse(path: Path, message: str, option: str) -> InputError:
    return InputError([Problem(str(path), message)], source=option)


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder the tool wrote, or None (no marker, or not one of ours)."""
    try:
        with open(folder / MARKER, encoding="utf-8") as f:
            data = json.loads(f.read(1 << 20))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("tool") != "optimizer" or data.get("kind") not in KINDS:
        return None
    if not isinstance(data.get("files"), list) or not all(isinstance(f, str) for f in data["files"]):
        return None
    return data


def _inside(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_target(path: str | Path, kind: str, *, inputs: Iterable[str | Path] = (), option: str = "--out", same: dict | None = None) -> Path:
    """Refuse (InputError, exit 2) unless ``path`` may receive a ``kind`` folder; return it as a Path.

    Allowed: a path that does not exist (its nearest existing ancestor must be a folder), an empty
    folder, or a folder with this tool's marker of the same ``kind`` whose entries are all listed in
    the marker (and, when ``same`` is given, whose marker has those items, e.g. the scenario file of a
    batch). ``inputs``: the files or folders the command reads; a target that holds one is refused.
    """
    assert kind in KINDS, kind
    p = Path(path)
    what = KINDS[kind]
    if str(path) == "" or p.name in ("", ".", ".."):
        raise _refuse(p, f"not a folder name this tool can create or replace; give a new folder for the {what}", option)
    if p.is_symlink():
        raise _refuse(p, "is a symbolic link; the tool replaces only folders it wrote itself: give a new folder", option)
    resolved = p.resolve()
    for item in inputs:
        source = Path(item).resolve()
        if source == resolved:
            raise _refuse(p, f"is the input of this command itself: writing the {what} there would destroy it; give another folder", option)
        if _inside(source, resolved):
            raise _refuse(p, f"holds the input {item}: writing the {what} there would destroy it; give another folder", option)
    if not os.path.lexists(p):
        _probe_writable(p, _existing_ancestor(p), option)
        return p
    if not p.is_dir():
        raise _refuse(p, f"is a file, not a folder: the tool writes {what}s and never replaces a file (or device); give a new folder", option)
    if resolved == resolved.parent or os.path.ismount(resolved):
        raise _refuse(p, "is the root of a file system; give a new folder", option)
    try:
        entries = sorted(os.listdir(p))
    except OSError as exc:
        raise _refuse(p, f"cannot be read: {exc.strerror or exc}", option) from None
    _probe_writable(p, p.parent, option)  # the new run is staged beside it
    if not entries:
        return p
    marker = read_marker(p)
    if marker is None:
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise _refuse(p, f"is a folder with files this tool did not write ({shown}); it replaces only its own {what}s: give a new or empty folder", option)
    if marker["kind"] != kind:
        raise _refuse(p, f"is a {KINDS[marker['kind']]} written by optimizer, not a {what}; give another folder", option)
    for key, value in (same or {}).items():
        if marker.get(key) != value:
            raise _refuse(p, f"is a {what} of {marker.get(key) or 'something else'} ({key}), not of {value}; give another folder", option)
    foreign = [e for e in entries if e != MARKER and not _listed(e, marker["files"])]
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise _refuse(p, f"is a {what}, but it also holds files this tool did not write ({shown}); move them or give another folder", option)
    return p


def _listed(entry: str, files: list[str]) -> bool:
    """A listed file, or the hidden staging copy of one (``.<name>.<suffix>``, left by an interrupted write)."""
    return entry in files or (entry.startswith(".") and any(entry.startswith(f".{f}.") for f in files))


def write_marker(folder: Path, kind: str, files: Iterable[str] | None = None, **extra: Any) -> None:
    """Write (or rewrite) ``folder``'s marker; ``files`` default to every entry of the folder."""
    names = sorted(set(files) if files is not None else (e for e in os.listdir(folder) if e != MARKER))
    doc = {"tool": "optimizer", "kind": kind, "version": _version(), "written": datetime.now().isoformat(timespec="seconds"), "files": names, **extra}
    atomic_write_text(folder / MARKER, dumps(doc) + "\n")


def register_files(folder: Path, names: Iterable[str]) -> None:
    """Add ``names`` (files the tool wrote later, e.g. report.html) to a marked folder's marker."""
    marker = read_marker(folder)
    if marker is None:
        return
    extra = {k: v for k, v in marker.items() if k not in ("tool", "kind", "version", "written", "files")}
    write_marker(folder, marker["kind"], set(marker["files"]) | set(names), **extra)


def check_file_target(path: str | Path, *, signature: str | None = None, owned: Callable[[Path], bool] | None = None, option: str = "--out") -> Path:
    """Refuse unless ``path`` is new or a regular file this tool wrote: it contains ``signature`` near its start,
    or, for a file whose start is compressed (a workbook), ``owned(path)`` says so."""
    assert (signature is None) != (owned is None), "give signature or owned"
    p = Path(path)
    if p.is_symlink():
        raise _refuse(p, "is a symbolic link; give a new file name", option)
    if os.path.lexists(p):
        if p.is_dir():
            raise _refuse(p, "is a folder; give the name of the file to write", option)
        if not p.is_file():
            raise _refuse(p, "is not a regular file (a device or pipe); give the name of a new file", option)
        if owned is not None:
            if not owned(p):
                raise _refuse(p, "exists and is not a file this tool wrote, or was changed since; it replaces only its own files: give a new file name", option)
            return p
        try:
            with open(p, "rb") as f:
                head = f.read(4096)
        except OSError as exc:
            raise _refuse(p, f"cannot be read: {exc.strerror or exc}", option) from None
        if signature.encode() not in head:
            raise _refuse(p, "exists and was not written by this tool; it replaces only its own files: give a new file name", option)
        return p
    _probe_writable(p, _existing_ancestor(p), option)
    return p


def _existing_ancestor(p: Path) -> Path:
    ancestor = p.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    return ancestor


def _probe_writable(target: Path, folder: Path, option: str) -> None:
    """Refuse unless ``folder`` is a folder in which a file can be made (made and removed again at once)."""
    if not folder.is_dir():
        raise _refuse(target, f"cannot be created: {folder} is a file, not a folder", option)
    try:
        probe = tempfile.mkdtemp(prefix=".optimizer-probe-", dir=folder)
    except OSError as exc:
        raise _refuse(target, f"cannot be written: {folder}: {exc.strerror or exc}", option) from None
    os.rmdir(probe)


def _version() -> str:
    from . import __version__

    return __version__


def make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, outermost first.

    On an error (OSError) the folders created so far are removed again before it is raised.
    """
    missing = []
    parent = Path(folder)
    while not os.path.lexists(parent) and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    created: list[Path] = []
    try:
        for d in reversed(missing):
            os.mkdir(d)
            created.append(d)
    except OSError:
        remove_folders(created)
        raise
    return created


def remove_folders(created: list[Path]) -> None:
    """Remove folders made by :func:`make_folders` (innermost first) as long as they are empty."""
    for d in reversed(created):
        try:
            os.rmdir(d)
        except OSError:
            break


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

    >>> with RunFolder("results/demo", "freight") as run:        # doctest: +SKIP
    ...     run.write_table("flows", df)
    ...     run.write_json("summary.json", summary)

    ``kind`` (one of :data:`KINDS`) and ``inputs`` are checked by :func:`check_target` on entry and
    again before publishing. Inside the block, :meth:`path` gives paths in the staging folder (for
    files written by others, such as the HiGHS log). On an exception the staging folder is removed,
    with any parent folder created for it, and nothing at the final path changes. ``marker``: extra
    items for the marker (checked with ``same`` when a later run replaces the folder).
    """

    def __init__(self, final: str | Path, kind: str, *, inputs: Iterable[str | Path] = (), option: str = "--out", marker: dict | None = None) -> None:
        self.final = Path(final)
        self.kind = kind
        self.inputs = tuple(inputs)
        self.option = option
        self.marker = dict(marker or {})
        self.staging: Path | None = None
        self._created: list[Path] = []

    def check(self) -> Path:
        return check_target(self.final, self.kind, inputs=self.inputs, option=self.option, same=self.marker or None)

    def __enter__(self) -> "RunFolder":
        self.check()
        try:
            self._created = make_folders(self.final.parent)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.final.parent))
        except OSError as exc:
            remove_folders(self._created)
            raise _refuse(self.final, f"cannot be written: {exc.strerror or exc}", self.option) from None
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
            self._discard()
            return False
        try:
            write_marker(self.staging, self.kind, **self.marker)
            self.check()  # nothing else appeared under the final name while the run was computed
            publish(self.staging, self.final)
        except OSError as err:
            self._discard()
            raise _refuse(self.final, f"cannot be written: {err.strerror or err}", self.option) from None
        except BaseException:
            self._discard()
            raise
        return False

    def _discard(self) -> None:
        """Remove the staging folder and the parent folders created for it."""
        shutil.rmtree(self.staging, ignore_errors=True)
        remove_folders(self._created)


def publish(staging: Path, final: Path) -> None:
    """Move a complete staging folder to ``final``, replacing an older run there in one step.

    The caller has checked (:func:`check_target`) that whatever is at ``final`` may be replaced.
    """
    old = None
    if os.path.lexists(final):
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        if os.path.lexists(old):
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
