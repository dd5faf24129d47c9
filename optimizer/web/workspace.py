"""The workspace of ``optimizer serve``: a plain folder the CLI, batch and reports read as well.

Layout (everything optional; created on first use)::

    workspace/
      <name>/instance.yaml, <name>.xlsx   freight instances of the planner's own (a folder or a workbook)
      instances/...                       the same, one level down
      cases/<name>.yaml                   enclave cases saved from the browser (or put there by hand)
      games/<name>.json                   cooperative games
      runs/<scenario>/                    every result: an ordinary run folder written by optimizer.api
      compare/<stamp>/compare.html        comparisons of freight scenarios

A run folder name is reserved with one ``mkdir`` (atomic), so two tabs that pick the same scenario name get
two folders (``name``, ``name-2``, ...); the folder is then written by the API, atomically, into the empty
folder it reserved. Nothing of the web app lives inside a run folder, so each stays exactly what
``optimizer freight solve`` would have written.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..results import MARKER, read_marker

#: where the repository's bundled instances live (an editable install or a source checkout)
BUNDLED = Path(__file__).resolve().parents[2] / "instances"
SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def slug(text: str, default: str = "scenario") -> str:
    """A folder-safe name: letters, digits, ``. _ -``; never empty, never hidden."""
    s = SLUG.sub("-", str(text or "").strip()).strip("-.")[:60]
    return s or default


@dataclass(frozen=True)
class Source:
    """Something the user can open: a freight instance, an enclave case or a game, under a stable key."""

    key: str
    label: str
    path: Path


def _bundled_dirs() -> list[Path]:
    out = []
    for root in (BUNDLED, Path.cwd() / "instances"):
        if root.is_dir() and root.resolve() not in [p.resolve() for p in out]:
            out.append(root)
    return out


class Workspace:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.runs = self.root / "runs"
        self.runs.mkdir(exist_ok=True)

    # -- what can be opened ---------------------------------------------------------------
    def instances(self) -> list[Source]:
        found: list[Source] = []
        for base in _bundled_dirs():
            for d in sorted(p for p in base.iterdir() if (p / "instance.yaml").is_file()):
                found.append(Source(f"bundled:{d.name}", f"{d.name} (bundled)", d))
        for base in (self.root, self.root / "instances"):
            if not base.is_dir():
                continue
            for p in sorted(base.iterdir()):
                if p.name.startswith(".") or p == self.runs:
                    continue
                if (p.is_dir() and (p / "instance.yaml").is_file()) or (p.is_file() and p.suffix.lower() == ".xlsx"):
                    rel = p.relative_to(self.root).as_posix()
                    found.append(Source(f"ws:{rel}", f"{rel} (workspace)", p))
        return _unique(found)

    def cases(self) -> list[Source]:
        found = [Source(f"bundled:{p.parent.name}", f"{p.parent.name} (bundled)", p)
                 for base in _bundled_dirs() for p in sorted((base / "enclave").glob("*/case.yaml"))]
        found += [Source(f"ws:{p.stem}", f"{p.stem} (workspace)", p) for p in sorted((self.root / "cases").glob("*.yaml"))]
        return _unique(found)

    def games(self) -> list[Source]:
        found = [Source(f"bundled:{p.stem}", f"{p.stem} (bundled)", p)
                 for base in _bundled_dirs() for p in sorted((base / "games").glob("*.json"))]
        found += [Source(f"ws:{p.stem}", f"{p.stem} (workspace)", p) for p in sorted((self.root / "games").glob("*.json"))]
        return _unique(found)

    @staticmethod
    def find(sources: list[Source], key: str | None) -> Source | None:
        if not sources:
            return None
        if not key:
            return sources[0]
        return next((s for s in sources if s.key == key), None)

    # -- run folders ------------------------------------------------------------------------
    def reserve(self, name: str, parent: Path | None = None) -> Path:
        """A new, empty folder ``runs/<slug(name)>`` (``-2``, ``-3``, ... when taken), created atomically."""
        parent = parent or self.runs
        parent.mkdir(parents=True, exist_ok=True)
        base = slug(name)
        k = 1
        while True:
            path = parent / (base if k == 1 else f"{base}-{k}")
            try:
                os.mkdir(path)
                return path
            except FileExistsError:
                k += 1

    @staticmethod
    def release(path: Path) -> None:
        """Remove a reserved folder that stayed empty (a cancelled or failed solve)."""
        try:
            path.rmdir()
        except OSError:
            pass

    def run_dir(self, name: str) -> Path | None:
        """``runs/<name>`` when it is a run folder this tool wrote (no path tricks)."""
        if not name or name != slug(name, "") or name.startswith("."):
            return None
        p = self.runs / name
        return p if p.is_dir() and (p / MARKER).is_file() else None

    def scenarios(self, instance_name: str | None = None) -> list[dict]:
        """Freight run folders (newest first): name, instance, status, KPIs, overrides."""
        out = []
        for p in self.runs.iterdir():
            marker = read_marker(p) if p.is_dir() and not p.name.startswith(".") else None
            if not marker or marker.get("kind") != "freight":
                continue
            try:
                summary = json.loads((p / "summary.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if instance_name and summary.get("instance") != instance_name:
                continue
            out.append({
                "name": p.name,
                "instance": summary.get("instance"),
                "status": summary.get("status"),
                "kpis": summary.get("kpis") or {},
                "baseline": (summary.get("baseline") or {}).get("kpis") or {},
                "overrides": summary.get("overrides") or {},
                "mtime": p.stat().st_mtime,
                "report": (p / "report.html").is_file(),
            })
        out.sort(key=lambda s: s["mtime"], reverse=True)
        return out

    def comparison_dir(self) -> Path:
        return self.reserve(datetime.now().strftime("%Y%m%d-%H%M%S"), self.root / "compare")

    def file(self, rel: str) -> Path | None:
        """A file inside the workspace, by its relative path; None for anything outside or hidden."""
        parts = Path(rel).parts
        if not parts or any(p in ("..", "") or p.startswith(".") for p in parts):
            return None
        p = (self.root / rel).resolve()
        if self.root not in p.parents or not p.is_file():
            return None
        return p


def _unique(sources: list[Source]) -> list[Source]:
    seen, out = set(), []
    for s in sources:
        if s.key not in seen:
            seen.add(s.key)
            out.append(s)
    return out
