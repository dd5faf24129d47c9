"""Write an :class:`Instance` as a native instance folder (``instance.yaml`` + CSV tables).

The folder is written atomically (staged, then renamed into place), and
:func:`optimizer.instance.load.load_instance` reads it back to the same tables and parameters:
numbers are written at full precision, ``inf`` as ``inf``, and every table in its canonical form.
Optional tables are written only when they have rows. Feeder legs are always written
explicitly, so the folder does not depend on how they were derived. The demand table is written
as it is (already scaled), so ``demand_scale`` is written as 1 and the factor applied is noted.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from ..results import RunFolder
from .data import Instance, make_table
from .load import META_KEYS, YAML_FILE
from .schema import TABLES


def _yaml_value(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: _yaml_value(v) for k, v in value.items()}
    if isinstance(value, float) and math.isinf(value):
        return float("inf")  # safe_dump writes .inf, which safe_load reads back
    return value


def instance_document(instance: Instance) -> dict:
    """What ``instance.yaml`` (or a workbook's instance sheet) holds for ``instance``: name, the other
    descriptive keys, ``parameters`` (with ``demand_scale`` 1 and a note when the demand table is already scaled)."""
    doc = {"name": instance.name}
    for key in META_KEYS:
        if key not in ("name", "parameters") and instance.meta.get(key) not in (None, ""):
            doc[key] = instance.meta[key]
    params = {k: _yaml_value(v) for k, v in instance.params.items()}
    scale = params.get("demand_scale", 1.0)
    if scale != 1.0:
        params["demand_scale"] = 1.0
        note = f"demand.csv is already multiplied by demand_scale {scale:g}"
        doc["notes"] = f"{doc['notes']}\n{note}" if doc.get("notes") else note
    doc["parameters"] = params
    return doc


def instance_yaml(instance: Instance) -> str:
    """The text of ``instance.yaml`` for ``instance``."""
    return yaml.safe_dump(instance_document(instance), sort_keys=False, allow_unicode=True, default_flow_style=False)


def write_instance(instance: Instance, out_dir: str | Path, inputs=()) -> Path:
    """Write ``instance`` into the folder ``out_dir``; return its path.

    ``out_dir`` must be new, empty or an instance folder this tool wrote (it is then replaced whole);
    ``inputs`` (files read to make the instance) must not lie inside it.
    """
    out = Path(out_dir)
    with RunFolder(out, "instance", inputs=inputs) as run:
        run.write_text(YAML_FILE, instance_yaml(instance))
        for t in TABLES:
            df = getattr(instance, t.name)
            if df is None or (not t.required and len(df) == 0):
                continue
            table = make_table(t.name, df)
            if t.key:
                table = table.reset_index()
            table.to_csv(run.path(t.file), index=False)
    return out
