"""Enclave scenarios in a batch: the same case under other rules, rates, projections or constraints.

``base`` is a case file (CASE.yaml, :mod:`optimizer.sharing.case`); ``options: {rule: RULE}``
gives the default rule. ``set`` may override:

* ``rule`` -- one of :data:`optimizer.sharing.enclave.RULES`;
* ``revenue_scale`` -- a factor (>= 0) applied to every revenue stream, every year;
* any key of the case file, written as a dotted path: ``discount_rate``,
  ``constraints.origin_cap.amount``, ``constraints.buffer.years``,
  ``constraints.individual_rationality``, ``revenues.tax`` (a list, one amount per year),
  ``fixed_rule.phase_out.origin_share``. A list of parties is entered by party id:
  ``parties.hebei.disagreement``, ``parties.beijing.weight``. Missing mappings on the way are
  created, so a scenario can add a constraint the base lacks.

Each scenario's case is checked exactly as ``optimizer share enclave`` checks a file (every
problem, with its key), before anything runs; ``rule: fixed`` needs a ``fixed_rule``. A run
folder holds summary.json, shares.csv and run.log, as ``optimizer share enclave`` writes them
(:func:`optimizer.sharing.enclave.write_enclave_run`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..documents import read_yaml
from ..errors import InfeasibleError
from ..sharing.case import Case, case_from_dict
from ..sharing.enclave import RULES, solve_case
from ..summary import BatchRun, EnclaveSummary
from .engines import Engine, Outcome, Task, flatten

SPECIAL = ("rule", "revenue_scale")
#: statuses of a rule's result that carry a split
PLAN_STATUSES = ("optimal", "evaluated", "approximate")


@dataclass(frozen=True)
class EnclaveBase:
    """The case file as parsed YAML (scenarios edit a copy of it) and its path."""

    doc: dict
    source: str


def _child(node: Any, part: str, where: str, create: bool) -> Any:
    """One step of a dotted path: a mapping's key, or a list item by ``id`` or position."""
    if isinstance(node, dict):
        if part not in node:
            if not create:
                return None
            node[part] = {}
        return node[part]
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and str(item.get("id")) == part:
                return item
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        ids = ", ".join(str(item.get("id")) for item in node if isinstance(item, dict) and "id" in item)
        raise ValueError(f"{where}: no item {part!r} (ids: {ids or 'none'})")
    raise ValueError(f"{where}: is a {type(node).__name__}, nothing can be set below it")


def set_path(doc: dict, key: str, value: Any) -> None:
    """Set the dotted ``key`` of the case document to ``value`` (party list items by id)."""
    parts = key.split(".")
    if not all(parts):
        raise ValueError(f"{key}: not a dotted path of the case file")
    node = doc
    for i, part in enumerate(parts[:-1]):
        node = _child(node, part, ".".join(parts[: i + 1]), create=True)
    last = parts[-1]
    if isinstance(node, list):
        item = _child(node, last, key, create=False)
        node[node.index(item)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ValueError(f"{key}: {'.'.join(parts[:-1])} is a {type(node).__name__}, nothing can be set below it")


def get_path(doc: dict, key: str) -> Any:
    node: Any = doc
    for part in key.split("."):
        try:
            node = _child(node, part, key, create=False)
        except ValueError:
            return None
        if node is None:
            return None
    return node


class EnclaveEngine(Engine):
    name = "enclave"
    SUMMARY = (EnclaveSummary, BatchRun)
    OPTIONS = {"rule": (f"the rule of scenarios that do not set one: {' | '.join(RULES)}", None)}

    def load_base(self, path: Path) -> EnclaveBase:
        document = read_yaml(Path(path))
        case_from_dict(document.data, source=str(path), positions=document.positions)  # the base itself must be a valid case
        return EnclaveBase(doc=document.data, source=str(path))

    def check_options(self, options: dict) -> tuple[dict, list[str]]:
        problems = [f"options.{k}: unknown option {str(k)!r} (enclave options: rule)" for k in options if k != "rule"]
        rule = options.get("rule")
        if rule is not None and rule not in RULES:
            problems.append(f"options.rule: must be one of {' | '.join(RULES)}, not {rule!r}")
        return {"rule": rule}, problems

    def check(self, base: EnclaveBase, overrides: dict, options: dict) -> dict:
        rule = overrides.get("rule", options.get("rule"))
        if rule is None:
            raise ValueError("rule: no rule (set options.rule, or rule in the scenario)")
        if rule not in RULES:
            raise ValueError(f"rule: must be one of {' | '.join(RULES)}, not {rule!r}")
        case = self.case(base, overrides)
        if rule == "fixed" and case.fixed_rule is None:
            raise ValueError("rule: fixed evaluates the case's fixed_rule, and this case has none")
        return {**overrides, "rule": rule}

    def case(self, base: EnclaveBase, overrides: dict) -> Case:
        """The scenario's case: the base document with the overrides, checked like a case file."""
        doc = copy.deepcopy(base.doc)
        for key, value in overrides.items():
            if key not in SPECIAL:
                set_path(doc, key, value)
        scale = overrides.get("revenue_scale")
        if scale is not None:
            if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale < 0:
                raise ValueError(f"revenue_scale: must be a number >= 0, not {scale!r}")
            for stream, amounts in (doc.get("revenues") or {}).items():
                if isinstance(amounts, list):
                    doc["revenues"][stream] = [a * scale if isinstance(a, (int, float)) else a for a in amounts]
        return case_from_dict(doc, source=base.source)

    def value(self, base: EnclaveBase, overrides: dict, options: dict, key: str):
        if key in overrides:
            return overrides[key]
        if key == "rule":
            return options.get("rule")
        if key == "revenue_scale":
            return 1.0
        return get_path(base.doc, key)

    def run(self, task: Task, base: EnclaveBase) -> Outcome:
        case = self.case(base, task.overrides)
        try:
            result = solve_case(case, task.overrides["rule"])
        except InfeasibleError as exc:
            summary = {"status": "infeasible", "rule": task.overrides["rule"], "reason": str(exc), "reasons": exc.reasons}
            return Outcome(task.name, "infeasible", summary, reason=str(exc))
        tables, texts = result.files()
        return Outcome(task.name, result.status, result.summary(), tables=tables, texts=texts)

    def has_plan(self, summary: EnclaveSummary | BatchRun) -> bool:
        return summary.status in PLAN_STATUSES

    def headline(self, summary: EnclaveSummary | BatchRun) -> dict:
        gap = summary.approximation_gap if isinstance(summary, EnclaveSummary) else None
        return {"objective": None, "mip_gap": gap, "best_bound": None}

    def summary_columns(self, summary: EnclaveSummary | BatchRun) -> dict:
        if not isinstance(summary, EnclaveSummary):  # no split: nothing bound
            return {"binding": 0}
        out = flatten("npv", summary.npv, {}, depth=1)
        flatten("gain", summary.gain, out, depth=1)
        out["binding"] = len(summary.binding)
        if summary.violations is not None:
            out["violations"] = len(summary.violations)
        return out
