"""Turning user-written values (CSV cells, YAML values, ``--set`` strings) into typed values.

Shared by the loader (``instance.yaml``) and the overrides (``--set``, batch files), so a parameter
is read and range-checked the same way wherever it comes from. Every function raises
``ValueError`` with a message meant for the user; the callers add file, row and column.
"""

from __future__ import annotations

import math

from ..documents import magnitude_message
from .schema import INF, MODES, Parameter

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off", "f"})
NONE_WORDS = frozenset({"", "none", "null", "~"})


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"not a boolean: {value!r} (use true or false)")


def parse_number(value) -> float:
    """A float from a number or a string (``7500.``, ``.5``, ``inf``); NaN and booleans are rejected."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        try:
            x = float(str(value).strip())
        except ValueError:
            raise ValueError(f"not a number: {value!r}") from None
    if math.isnan(x):
        raise ValueError(f"not a number: {value!r}")
    return x


def range_message(x: float, lo: float | None, hi: float | None, strict: bool, allow_inf: bool) -> str | None:
    """Why ``x`` is out of range, or None when it is fine."""
    if math.isinf(x) and not (allow_inf and x > 0):
        return f"must be a finite number, not {x}"
    too_large = magnitude_message(x)
    if too_large:
        return too_large
    if lo is not None and (x <= lo if strict else x < lo):
        return f"must be {'greater than' if strict else 'at least'} {lo:g}, not {x:g}"
    if hi is not None and x > hi:
        return f"must be at most {hi:g}, not {x:g}"
    return None


def _checked(p: Parameter, x: float, allow_inf: bool) -> float:
    msg = range_message(x, p.min, p.max, p.strict_min, allow_inf)
    if msg:
        raise ValueError(msg)
    return x


def coerce_parameter(p: Parameter, value):
    """The typed value of parameter ``p`` given ``value`` (a string or an already typed value)."""
    if p.type == "float":
        if value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS):
            if p.default == INF:
                return INF
            raise ValueError("a number is required")
        return _checked(p, parse_number(value), allow_inf=p.default == INF)
    if p.type == "int":
        if value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS):
            if p.default is None:
                return None
            raise ValueError("a whole number is required")
        x = parse_number(value)
        if math.isinf(x) and x > 0 and p.default is None:
            return None
        if not math.isinf(x) and x != int(x):
            raise ValueError(f"not a whole number: {value!r}")
        return int(_checked(p, x, allow_inf=False))
    if p.type == "bool":
        return parse_bool(value)
    if p.type == "str":
        text = str(value).strip()
        if p.choices and text not in p.choices:
            raise ValueError(f"must be one of {' | '.join(p.choices)}, not {value!r}")
        return text
    if p.type == "id_list":
        return parse_id_list(value)
    if p.type == "id_map":
        return parse_id_map(value)
    if p.type == "mode_map":
        return parse_mode_map(p, value)
    raise TypeError(f"unknown parameter type {p.type!r}")


def parse_id_list(value) -> tuple[str, ...]:
    """``"A, B"`` or ``["A", "B"]`` → ``("A", "B")``; blank or None → ``()``."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise ValueError(f"not a list of ids: {value!r}")
    ids = tuple(str(v).strip() for v in items)
    return tuple(dict.fromkeys(i for i in ids if i))


def parse_id_map(value) -> dict[str, str]:
    """``"C1:H1, C2:H2"`` or ``{"C1": "H1"}`` → ``{"C1": "H1", "C2": "H2"}``; blank or None → ``{}``."""
    if value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS):
        return {}
    if isinstance(value, str):
        pairs = {}
        for part in filter(None, (s.strip() for s in value.split(","))):
            key, sep, target = part.partition(":")
            if not sep or not key.strip() or not target.strip():
                raise ValueError(f"expected KEY:ID pairs such as 'C1:H1,C2:H2', got {part!r}")
            if key.strip() in pairs:
                raise ValueError(f"{key.strip()!r} is given twice")
            pairs[key.strip()] = target.strip()
        return pairs
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of id to id, got {value!r}")
    out = {}
    for key, target in value.items():
        if isinstance(target, (dict, list, tuple)) or target is None or not str(target).strip():
            raise ValueError(f"{key!r}: expected one id, got {target!r}")
        out[str(key).strip()] = str(target).strip()
    return out


def parse_mode_map(p: Parameter, value) -> dict:
    """``{"road": 4, "rail": 1.6}`` or ``"road:4,rail:1.6"``; modes not given keep the default."""
    if isinstance(value, str):
        pairs = {}
        for part in filter(None, (s.strip() for s in value.split(","))):
            mode, sep, number = part.partition(":")
            if not sep:
                raise ValueError(f"expected mode:value pairs such as 'road:4,rail:1.6', got {value!r}")
            pairs[mode.strip()] = number
        value = pairs
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of mode to value, got {value!r}")
    out = dict(p.default)
    for mode, number in value.items():
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (modes: {', '.join(MODES)})")
        out[mode] = _checked(p, parse_number(number), allow_inf=False)
    return out
