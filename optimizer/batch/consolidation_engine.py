"""Consolidation games in a batch: who pays for the network, under other parameters or rules.

``base`` is an instance (folder or workbook), as for freight scenarios. ``set`` takes the keys of
``optimizer freight solve --set`` (demand_scale, closed_hubs, ...: they change every coalition's
MIP) and ``rule`` (one of :data:`optimizer.sharing.consolidation.RULES`) and ``only`` (a list of
players). ``options``: ``rule`` (default of scenarios without one), ``players`` (``province``,
``city`` or a ``city_id,player`` file), ``only``, ``mip_gap`` (default 0), ``time_limit``
(seconds per coalition MIP), ``enumerate`` (true / false; default: up to 10 players), ``samples``
and ``seed`` (sampled Shapley value).

Each scenario runs :func:`~optimizer.sharing.consolidation.solve_consolidation` in its worker
(coalitions one after the other, starting from each other's plans) and its run folder holds
summary.json, allocation.csv, coalitions.csv and GAME.json (enumerated games), as
``optimizer share consolidation`` writes them.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..instance.data import Instance
from ..instance.load import load_instance
from ..instance.overrides import apply_overrides, check_overrides
from ..instance.values import parse_bool, parse_number
from ..sharing.consolidation import RULES, CoalitionFailed, define_players, solve_consolidation
from ..sharing.consolidation.result import allocation_table, coalitions_table, game_document, summary
from ..summary import BatchRun, ConsolidationSummary
from .engines import Engine, Outcome, Task, flatten
from .freight_engine import _fraction, _positive

SPECIAL = ("rule", "only")


def _only(value) -> list[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(p, str) and p.strip() for p in items):
        raise ValueError(f"must be a list of player names, not {value!r}")
    return [p.strip() for p in items]


class ConsolidationEngine(Engine):
    name = "consolidation"
    SUMMARY = (ConsolidationSummary, BatchRun)
    OPTIONS = {
        "rule": (f"the rule of scenarios that do not set one: {' | '.join(RULES)}", None),
        "players": ("province | city | a city_id,player CSV file", "province"),
        "only": ("the players of the game (default: all)", None),
        "mip_gap": ("relative MIP gap of every coalition MIP", 0.0),
        "time_limit": ("seconds of HiGHS time per coalition MIP", None),
        "enumerate": ("solve all 2^n - 1 coalitions (default: up to 10 players)", None),
        "samples": ("random orders for the sampled Shapley value (row generation)", 20),
        "seed": ("seed of the sampled orders", 0),
    }

    def load_base(self, path: Path) -> Instance:
        return load_instance(path)

    def check_options(self, options: dict) -> tuple[dict, list[str]]:
        out = {k: default for k, (_, default) in self.OPTIONS.items()}
        problems = []
        for key, value in options.items():
            try:
                if key == "rule":
                    if value not in RULES:
                        raise ValueError(f"must be one of {' | '.join(RULES)}, not {value!r}")
                    out[key] = value
                elif key == "players":
                    out[key] = str(value)
                elif key == "only":
                    out[key] = _only(value)
                elif key == "time_limit":
                    out[key] = None if value is None else _positive(parse_number(value))
                elif key == "mip_gap":
                    out[key] = _fraction(parse_number(value))
                elif key == "enumerate":
                    out[key] = None if value is None else parse_bool(value)
                elif key in ("samples", "seed"):
                    x = parse_number(value)
                    if x != int(x) or (key == "samples" and x < 2):
                        raise ValueError(f"must be a whole number{' >= 2' if key == 'samples' else ''}, not {value!r}")
                    out[key] = int(x)
                else:
                    problems.append(f"options.{key}: unknown option {str(key)!r} (consolidation options: {', '.join(self.OPTIONS)})")
            except ValueError as exc:
                problems.append(f"options.{key}: {exc}")
        return out, problems

    def check(self, base: Instance, overrides: dict, options: dict) -> dict:
        rule = overrides.get("rule", options.get("rule"))
        if rule is None:
            raise ValueError("rule: no rule (set options.rule, or rule in the scenario)")
        if rule not in RULES:
            raise ValueError(f"rule: must be one of {' | '.join(RULES)}, not {rule!r}")
        only = _only(overrides["only"]) if "only" in overrides else options.get("only")
        freight = check_overrides(base, {k: v for k, v in overrides.items() if k not in SPECIAL})
        try:
            define_players(base, options.get("players", "province"), only)
        except InputError as exc:
            raise ValueError("; ".join(p.message for p in exc.problems)) from None
        return {**freight, "rule": rule, **({"only": only} if only is not None else {})}

    def value(self, base: Instance, overrides: dict, options: dict, key: str):
        if key in overrides:
            return overrides[key]
        if key in SPECIAL:
            return options.get(key)
        return base.params.get(key)

    def run(self, task: Task, base: Instance) -> Outcome:
        o = task.overrides
        instance = apply_overrides(base, {k: v for k, v in o.items() if k not in SPECIAL})
        opts = task.options
        try:
            res = solve_consolidation(
                instance, o["rule"], players=opts.get("players", "province"), only=o.get("only", opts.get("only")),
                mip_gap=opts.get("mip_gap", 0.0), time_limit=opts.get("time_limit"), enumerate_all=opts.get("enumerate"),
                samples=opts.get("samples", 20), seed=opts.get("seed", 0),
            )
        except CoalitionFailed as exc:
            s = {"instance": instance.name, "status": exc.status, "rule": o["rule"], "objective": None, "reason": str(exc), "reasons": exc.reasons}
            return Outcome(task.name, exc.status, s, reason=str(exc))
        s = summary(res)
        status = "time_limit" if res.counts["coalitions_at_time_limit"] or res.counts["separation_at_time_limit"] else "optimal"
        s.update(status=status, objective=res.grand)
        texts = {}
        doc = game_document(res)
        if doc is not None:
            texts["GAME.json"] = json.dumps(doc, indent=1) + "\n"
        return Outcome(task.name, status, s, tables={"allocation": allocation_table(res), "coalitions": coalitions_table(res)}, texts=texts)

    def headline(self, summary: ConsolidationSummary | BatchRun) -> dict:
        if not isinstance(summary, ConsolidationSummary):
            return super().headline(summary)
        return {"objective": summary.objective, "mip_gap": None, "best_bound": None}  # each coalition MIP has its own gap

    def summary_columns(self, summary: ConsolidationSummary | BatchRun) -> dict:
        if not isinstance(summary, ConsolidationSummary):  # no game solved
            return {"in_core": None, "least_core_epsilon": None, "coalitions_priced": None}
        out = flatten("allocation", summary.allocation, {}, depth=1)
        flatten("saving_pct", summary.savings.vs_stand_alone_pct if summary.savings else {}, out, depth=1)
        out["in_core"] = summary.in_core
        out["least_core_epsilon"] = summary.least_core_epsilon
        out["coalitions_priced"] = summary.counts.coalitions_priced
        return out
