"""Scenario files: their schema, expansion into named scenarios, and the checks made before a run.

A scenario file is YAML::

    model: freight                  # freight | enclave | consolidation
    base: ../landbridge             # freight instance folder or enclave case file, relative to this file
    options: {time_limit: 60, mip_gap: 0.001}
    set: {unserved_penalty: 2.0e5}  # optional: applied to every scenario, under its own overrides
    scenarios:                      # named overrides
      - name: xian-closed
        set: {closed_hubs: [XIAN]}
    sweep:                          # every combination of these values becomes a scenario
      demand_scale: [0.8, 1.0, 1.2]
      max_hubs_per_destination: [1, 2]

Named scenarios come first, in file order, then the sweep's combinations (the last key varies
fastest). A sweep scenario is named after its values, ``demand_scale=0.8,max_hubs_per_destination=1``,
with every character that is not safe in a folder name replaced by ``_``. Names must be unique
(ignoring case, so the run folders stay apart on case-insensitive file systems).

This module checks the file's shape; what each model lets ``set`` change, and which ``options`` it
takes, is checked by that model's engine (:mod:`optimizer.batch.engines`). Every problem of the
file is collected and reported at once, before anything runs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..checks import INVALID, YAML, Anything, Checker, Choice, Integer, List, Mapping, Table, Text
from ..documents import read_yaml
from ..errors import InputError, ProblemCollector
from ..results import to_jsonable

MODELS = ("freight", "enclave", "consolidation")
MAX_NAME = 120
#: a file that expands to more scenarios runs only with ``max_scenarios`` in the file or ``--yes``
CONFIRM_SCENARIOS = 1000
#: no file expands to more scenarios (their expansion alone would fill the memory)
HARD_MAX_SCENARIOS = 100_000

#: characters allowed in a scenario name (it becomes a folder name); letters include non-ASCII ones
_SAFE = re.compile(r"[^\w.=,+@-]")
_NAME = re.compile(r"^\w[\w.=,+@-]*$")


def _folder_name(name: str) -> str | None:
    if len(name) > MAX_NAME or not _NAME.match(name):
        return (f"{name!r} cannot be a folder name: use letters, digits and . _ - = , + @ "
                f"(not starting with a punctuation mark, at most {MAX_NAME} characters)")
    return None


#: a scenario file, declared (what relates keys to each other is checked in load_spec)
SPEC = Mapping({
    "model": Choice(*MODELS, required=True),
    "base": Text(required=True, help="the freight instance folder or the enclave case file, relative to this file"),
    "description": Text(nonempty=False, default=""),
    "options": Table(Anything(), default={}),
    "set": Table(Anything(), default={}),
    "scenarios": List(Mapping({
        "name": Text(required=True, numbers=True, test=_folder_name),
        "set": Table(Anything(), default={}),
        "description": Text(nonempty=False, numbers=True, default=""),
    })),
    "sweep": Table(List(Anything(), min_items=1), min_items=1),
    "max_scenarios": Integer(1),
})


@dataclass(frozen=True)
class Scenario:
    """One scenario: its name, the overrides as written in the file, and where it came from."""

    name: str
    overrides: dict
    origin: str  # "scenarios[2]" or "sweep" (for messages)
    description: str = ""


@dataclass
class BatchSpec:
    """A parsed and expanded scenario file (shape checked; values not yet checked by the engine)."""

    path: Path
    model: str
    base: Path
    options: dict
    scenarios: list[Scenario]
    description: str = ""
    sweep_keys: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def override_keys(self) -> list[str]:
        """Every key that some scenario overrides, in first-seen order (the summary's parameter columns)."""
        keys: dict[str, None] = {}
        for s in self.scenarios:
            keys.update(dict.fromkeys(s.overrides))
        return list(keys)


def format_value(value) -> str:
    """A value as it appears in a generated scenario name: ``0.8``, ``true``, ``XIAN+LANZHOU``, ``none``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".12g")
    if isinstance(value, (list, tuple)):
        return "+".join(format_value(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "+".join(f"{k}:{format_value(v)}" for k, v in value.items()) if value else "none"
    return str(value)


def safe_name(text: str) -> str:
    """``text`` with every character unsafe in a folder name replaced by ``_`` (never hidden, never too long)."""
    name = _SAFE.sub("_", text.strip())
    if not name or not re.match(r"\w", name[0]):
        name = "_" + name
    if len(name) > MAX_NAME:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}~{digest}"
    return name


def sweep_name(values: dict) -> str:
    """The name of a sweep scenario: ``key=value`` pairs joined by commas, made safe for a folder."""
    return safe_name(",".join(f"{k}={format_value(v)}" for k, v in values.items()))


def _freeze(value):
    """A hashable stand-in for a YAML value (to find values repeated in a sweep list)."""
    return json.dumps(to_jsonable(value), sort_keys=True)


def load_spec(path: str | Path, *, yes: bool = False) -> BatchSpec:
    """Read a scenario file, check its shape and expand it into scenarios.

    Raises one :class:`InputError` (exit code 2) listing every problem: unknown keys, a missing or
    unknown ``model``, a ``base`` that does not exist, malformed ``scenarios`` or ``sweep``
    entries, invalid or duplicate scenario names, and a file that expands to more than
    :data:`CONFIRM_SCENARIOS` scenarios (or its own ``max_scenarios``) without ``yes`` — counted
    before anything is expanded — or to more than :data:`HARD_MAX_SCENARIOS`.
    """
    path = Path(path)
    document = read_yaml(path)
    r = Checker(str(path), YAML, document.positions)
    doc = r.check(SPEC, document.data)
    if doc is INVALID:
        r.raise_if_any()
    model, options, common, description = doc["model"], doc["options"], doc["set"], doc["description"]
    base = Path()
    if doc["base"] is not INVALID and doc["base"] is not None:
        base = (path.parent / doc["base"]).resolve()
        if not base.exists():
            r.add(("base",), f"{doc['base']!r} not found (looked for {base})")
    options = {} if options is INVALID else options
    common = {} if common is INVALID else common

    scenarios = _named_scenarios(doc["scenarios"], common)
    axes = _sweep_axes(r, doc["sweep"])
    count = len(scenarios) + (math.prod(len(v) for v in axes.values()) if axes else 0)
    if doc["max_scenarios"] is INVALID or not _count_allowed(r, count, len(scenarios), axes, doc["max_scenarios"], yes):
        r.raise_if_any()
    sweep_keys, swept = tuple(axes), _sweep_scenarios(axes, common)
    if doc["scenarios"] is None and doc["sweep"] is None:
        r.add((), "no scenarios: give a 'scenarios' list, a 'sweep' mapping, or both")
    _check_names(r, scenarios, swept)
    r.raise_if_any()
    return BatchSpec(
        path=path,
        model=model,
        base=base,
        options=options,
        scenarios=scenarios + swept,
        description=description,
        sweep_keys=sweep_keys,
    )


def _named_scenarios(entries, common: dict) -> list[Scenario]:
    if entries is None or entries is INVALID:
        return []
    return [
        Scenario(name=e["name"], overrides={**common, **e["set"]}, origin=f"scenarios[{i}]", description=e["description"])
        for i, e in enumerate(entries)
        if e is not INVALID and e["name"] is not INVALID and e["set"] is not INVALID
    ]


def _count_allowed(r: Checker, count: int, named: int, axes: dict, max_scenarios, yes: bool) -> bool:
    """Whether ``count`` scenarios may be expanded and run; the problem is added when not."""
    limit = CONFIRM_SCENARIOS if max_scenarios is None else max_scenarios
    how = " × ".join(f"{len(v)} {k}" for k, v in axes.items())
    made = f"{named} named" + (f" + sweep {how}" if axes else "")
    if count > HARD_MAX_SCENARIOS:
        r.add(("sweep",), f"expands to {count:,} scenarios ({made}); at most {HARD_MAX_SCENARIOS:,} can run in one batch: split the file")
        return False
    if count > limit and not yes:
        r.add(
            ("sweep",),
            f"expands to {count:,} scenarios ({made}), more than {limit:,}: to run them all, pass --yes "
            f"or set max_scenarios: {count} in the file",
        )
        return False
    return True


def _sweep_axes(r: Checker, sweep) -> dict[str, list]:
    """The sweep's keys and their values (checked); empty after a problem."""
    if sweep is None or sweep is INVALID:
        return {}
    axes: dict[str, list] = {}
    for key, values in sweep.items():
        if values is INVALID:
            continue
        seen: set[str] = set()
        for v in values:
            frozen = _freeze(v)
            if frozen in seen:
                r.add(("sweep", key), f"value {format_value(v)} is listed twice")
            seen.add(frozen)
        axes[str(key)] = values
    return axes if len(axes) == len(sweep) else {}


def _sweep_scenarios(axes: dict[str, list], common: dict) -> list[Scenario]:
    """Every combination of the sweep's values (the last key varies fastest); none without a sweep."""
    if not axes:
        return []
    out = []
    keys = list(axes)
    for combo in itertools.product(*(axes[k] for k in keys)):
        values = dict(zip(keys, combo))
        out.append(Scenario(name=sweep_name(values), overrides={**common, **values}, origin="sweep"))
    return out


def _check_names(r: Checker, named: list[Scenario], swept: list[Scenario]) -> None:
    """Named scenarios must be unique; a sweep name that collides after sanitising gets ``~2``, ``~3``."""
    taken: dict[str, Scenario] = {}
    for s in named:
        key = s.name.casefold()
        if key in taken:
            r.add(_name_at(s.origin), f"duplicate scenario name {s.name!r} (also {taken[key].origin})")
        else:
            taken[key] = s
    for i, s in enumerate(swept):
        key = s.name.casefold()
        if key in taken and taken[key].origin != "sweep":
            r.add(_name_at(taken[key].origin), f"duplicate scenario name {s.name!r} (the sweep makes it too)")
            continue
        k, name = 1, s.name
        while name.casefold() in taken:
            k += 1
            name = f"{s.name}~{k}"
        if name != s.name:
            swept[i] = Scenario(name=name, overrides=s.overrides, origin=s.origin)
        taken[name.casefold()] = swept[i]


def _name_at(origin: str) -> tuple:
    """The key path of the name of the named scenario ``scenarios[i]``."""
    return ("scenarios", int(origin[len("scenarios["):-1]), "name")


def content_hash(path: Path) -> str:
    """SHA-256 of a file, or of every visible file under a folder (relative names and contents)."""
    h = hashlib.sha256()
    path = Path(path)
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    for p in files:
        h.update(str(p.relative_to(path) if p != path else p.name).encode("utf-8") + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def scenario_hash(model: str, base_hash: str, options: dict, overrides: dict) -> str:
    """What a finished run must match to be kept by ``--resume``: model, base contents, options, overrides."""
    doc = {"model": model, "base": base_hash, "options": options, "set": overrides}
    return hashlib.sha256(json.dumps(to_jsonable(doc), sort_keys=True).encode("utf-8")).hexdigest()


def raise_scenario_problems(spec: BatchSpec, problems: dict[str, list[str]]) -> None:
    """One InputError naming each scenario whose overrides were rejected, with every reason."""
    if not problems:
        return
    collector = ProblemCollector(source=str(spec.path))
    origin = {s.name: s.origin for s in spec.scenarios}
    for name, messages in problems.items():
        for message in messages:
            collector.add(str(spec.path), f"scenario {name!r} ({origin.get(name, '?')}): {message}")
    raise InputError(collector.problems, source=str(spec.path))
