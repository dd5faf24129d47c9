"""Documents declared as data, and the one checker that reads a parsed document against a declaration.

A case file, a game file and a scenario file are each declared once, as nested :class:`Field` values
(the way :mod:`optimizer.instance.schema` declares the CSV tables): the type of every key, its range or
choices, whether it is required, its default, and for mappings and lists the declarations of what they
hold. :meth:`Checker.check` walks a parsed document (from :func:`~optimizer.documents.read_yaml` or
:func:`~optimizer.documents.read_json`) against it, collects *every* problem with its key path and,
for YAML, its line and column, and returns the document cleaned: defaults filled in, numbers as
``float``, text stripped, and :data:`INVALID` in place of each value that was refused. What relates one
key to another (a party named elsewhere, shares that sum to 1, unique names) is plain code in each
reader, run on the cleaned document after this pass.

Why not pydantic: it is not a dependency, and what it would add (classes per sub-document, coercion
rules, its own error texts and locations) would need adapters to speak in the words and places the
CSV loader already uses; a declaration as data is smaller, has no dependency, and is read the same
way as the instance schema.

Every message has one shape, shared with the CSV loader (:func:`~optimizer.instance.values.range_message`):

* ``parties[1].weight: must be greater than 0, not 0`` (out of range: the CSV loader's own words)
* ``revenues.tax[1]: must be a number at least 0, not 'a lot'`` (wrong type: what is expected, with
  its range, then the value as written)
* ``parties[1].role: must be one of originating | receiving | other, not 'host'``
* ``name: missing``; ``parties[0].colour: unknown key 'colour' (allowed: id, role, ...)``
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable

from .documents import key_path, position
from .errors import InputError, Problem
from .instance.values import range_message


class _Invalid:
    """The stand-in for a value that was refused (its problem is already reported)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


def valid(value: Any) -> bool:
    """Whether ``value`` holds no :data:`INVALID` anywhere inside (lists and mappings are searched)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if v is INVALID:
            return False
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return True


@dataclass(frozen=True, eq=False)
class Field:
    """What one key of a document may hold. Build it with :func:`Number`, :func:`Text`, :func:`Mapping`, ..."""

    type: str  # number | integer | text | bool | choice | mapping | table | list | either | variants | any
    required: bool = False
    default: Any = None  # taken when the key is absent or null (never for a required key)
    min: float | None = None
    max: float | None = None
    strict_min: bool = False  # the value must be greater than min, not equal to it
    choices: tuple = ()
    fields: dict | None = None  # mapping: key -> Field (any other key is refused); variants: tag value -> mapping
    of: Field | None = None  # table: the Field of every value; list: of every item
    options: tuple = ()  # either: the Fields tried by shape (a mapping, a list or a single value)
    min_items: int = 0
    max_items: int | None = None
    numbers: bool | str = False  # text: a number is read as text (an id such as 1), "whole": only a whole number; table: keys too
    null: bool = True  # an explicit null stands for an absent key; False: a null value is refused
    nonempty: bool = True  # text: blank text is refused
    strip: bool = True  # text: surrounding spaces are dropped
    tag: str = ""  # variants: the key whose value picks the declaration
    help: str = ""  # what is meant, said after "missing" and after "must be ..."
    test: Callable[[Any], str | None] | None = None  # a last check of the cleaned value: a message or None


def Number(min=None, max=None, *, strict_min=False, **kw) -> Field:
    return Field("number", min=min, max=max, strict_min=strict_min, **kw)


def Integer(min=None, max=None, **kw) -> Field:
    return Field("integer", min=min, max=max, **kw)


def Text(**kw) -> Field:
    return Field("text", **kw)


def Bool(**kw) -> Field:
    return Field("bool", **kw)


def Choice(*choices: str, **kw) -> Field:
    return Field("choice", choices=choices, **kw)


def Mapping(fields: dict, **kw) -> Field:
    return Field("mapping", fields=fields, **kw)


def Table(of: Field, **kw) -> Field:
    """A mapping with keys of the user's choosing (text), each value read as ``of``."""
    return Field("table", of=of, **kw)


def List(of: Field, **kw) -> Field:
    return Field("list", of=of, **kw)


def Either(*options: Field, **kw) -> Field:
    """One of ``options``, picked by the value's shape (a mapping, a list or a single value)."""
    return Field("either", options=options, **kw)


def Variants(tag: str, variants: dict, **kw) -> Field:
    """A mapping whose ``tag`` key (one of ``variants``) picks the :func:`Mapping` it is read as.

    ``Variants("kind", {"profit": Mapping({...}), "airport": Mapping({...})})`` reads a game file whose
    keys depend on its ``kind``. The tag is checked first (missing, or not one of the variants: one
    problem, and nothing else of that mapping is checked); then the mapping picked, which must declare
    the tag key too (as :func:`Anything`: its value is already checked), so that any other key is refused.
    """
    return Field("variants", tag=tag, fields=variants, **kw)


def Anything(**kw) -> Field:
    return Field("any", **kw)


# ---------------------------------------------------------------------------------------------
# how values are shown: as the user wrote them, in the notation of the document


def _clip(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _show_yaml(value: Any) -> str:
    return "nothing" if value is None else _clip(repr(value))


def _show_json(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        return _clip(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        return _clip(repr(value))


@dataclass(frozen=True)
class Dialect:
    """How one kind of document names its mappings and text, and shows a value."""

    mapping: str
    text: str
    show: Callable[[Any], str]
    numeric_text: bool  # numbers given as text are read (YAML 1.1 reads 1e3 as text)


YAML = Dialect("a mapping (key: value)", "text", _show_yaml, True)
JSON = Dialect("an object", "a string", _show_json, False)


def _kind(value: Any) -> str:
    """What a parsed value is, in words (for a document that is not what it should be; never echoed)."""
    for types, word in ((str, "a single text"), (list, "a list"), (bool, "a boolean"), ((int, float), "a number")):
        if isinstance(value, types):
            return word
    return type(value).__name__


def _span(d: Field) -> str:
    """The range of a number in the words of :func:`range_message`: `` at least 0``, `` from 0 to 1``."""
    if d.min is not None and d.max is not None and not d.strict_min:
        return f" from {d.min:g} to {d.max:g}"
    parts = []
    if d.min is not None:
        parts.append(f"{'greater than' if d.strict_min else 'at least'} {d.min:g}")
    if d.max is not None:
        parts.append(f"at most {d.max:g}")
    return "".join(" " + " and ".join(parts)) if parts else ""


def _number_as_text(value: Any, numbers: bool | str) -> bool:
    """Whether ``value`` is a number that a :attr:`Field.numbers` of ``numbers`` reads as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return numbers != "whole" or isinstance(value, int)


def _shape(d: Field) -> str:
    return {"mapping": "mapping", "table": "mapping", "variants": "mapping", "list": "list"}.get(d.type, "single")


# ---------------------------------------------------------------------------------------------
# the checker


class Checker:
    """Checks parsed documents against declarations, collecting every problem (see the module docstring)."""

    def __init__(self, source: str, dialect: Dialect = YAML, positions: dict | None = None) -> None:
        self.source = source
        self.dialect = dialect
        self.positions = positions or {}
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str) -> None:
        """A problem at ``path`` (a tuple of keys and indices), placed at its line and column when known."""
        where = position(self.positions, tuple(path))
        prefix = f"{key_path(path)}: " if path else ""
        line, col = where if where else (None, None)
        self.problems.append(Problem(self.source, prefix + message, line=line, col=col))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(list(self.problems), source=self.source)

    def noun(self, d: Field) -> str:
        """What ``d`` expects, in words: ``a number from 0 to 1``, ``a list``, ``one of a | b``."""
        return {
            "number": lambda: f"a number{_span(d)}",
            "integer": lambda: f"a whole number{_span(d)}",
            "text": lambda: self.text_noun(d.nonempty),
            "bool": lambda: "true or false",
            "choice": lambda: f"one of {' | '.join(d.choices)}",
            "list": lambda: "a list",
            "either": lambda: " or ".join(self.noun(o) for o in d.options),
            "any": lambda: "a value",
        }.get(d.type, lambda: self.dialect.mapping)()

    def text_noun(self, nonempty: bool) -> str:
        """``text`` / ``non-empty text`` (YAML), ``a string`` / ``a non-empty string`` (JSON)."""
        text = self.dialect.text
        if not nonempty:
            return text
        return "a non-empty " + text[2:] if text.startswith("a ") else "non-empty " + text

    def expected(self, d: Field, value: Any, path: tuple) -> Any:
        """Report that ``value`` is not what ``d`` declares; :data:`INVALID`."""
        if not path and d.type in ("mapping", "variants"):  # the whole document: never echo a foreign file
            keys = f"the keys {', '.join(d.fields)}" if d.type == "mapping" else f"a key {d.tag} ({' | '.join(d.fields)})"
            self.add(path, f"must be {self.dialect.mapping} with {keys}; this file holds {_kind(value)}")
        else:
            help_ = f" ({d.help})" if d.help else ""
            self.add(path, f"must be {self.noun(d)}{help_}, not {self.dialect.show(value)}")
        return INVALID

    def check(self, d: Field, value: Any, path: tuple = ()) -> Any:
        """``value`` read as ``d``: cleaned, or :data:`INVALID` after a problem (reported with ``path``)."""
        if value is None:
            if not path:
                self.add(path, "(top level): the file is empty")
                return INVALID
            if d.required:
                hint = d.help or (f"one of {' | '.join(d.choices)}" if d.choices else "")
                self.add(path, "missing" + (f" ({hint})" if hint else ""))
                return INVALID
            return d.default
        out = getattr(self, "_" + d.type)(d, value, path)
        if out is not INVALID and d.test is not None and valid(out):
            message = d.test(out)
            if message:
                self.add(path, message)
                return INVALID
        return out

    # -- one method per type ----------------------------------------------------------------------
    def _number(self, d: Field, value: Any, path: tuple) -> Any:
        x: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            x = value if isinstance(value, float) else float(value) if abs(value) < 1e300 else math.copysign(math.inf, value)
        elif isinstance(value, str) and self.dialect.numeric_text:
            try:
                x = float(value)
            except ValueError:
                pass
        if x is None:
            return self.expected(d, value, path)
        message = "must be a finite number, not nan" if math.isnan(x) else range_message(x, d.min, d.max, d.strict_min, False)
        if message:
            self.add(path, message)
            return INVALID
        return x

    def _integer(self, d: Field, value: Any, path: tuple) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.expected(d, value, path)
        message = range_message(float(value) if abs(value) < 1e300 else math.inf, d.min, d.max, False, False)
        if message:
            self.add(path, message)
            return INVALID
        return int(value)

    def _text(self, d: Field, value: Any, path: tuple) -> Any:
        ok = isinstance(value, str) or (bool(d.numbers) and _number_as_text(value, d.numbers))
        if not ok or (d.nonempty and not str(value).strip()):
            return self.expected(d, value, path)
        return str(value).strip() if d.strip else str(value)

    def _bool(self, d: Field, value: Any, path: tuple) -> Any:
        return value if isinstance(value, bool) else self.expected(d, value, path)

    def _choice(self, d: Field, value: Any, path: tuple) -> Any:
        return value if isinstance(value, str) and value in d.choices else self.expected(d, value, path)

    def _any(self, d: Field, value: Any, path: tuple) -> Any:
        return value

    def _counted(self, d: Field, value: Any, path: tuple) -> bool:
        n = len(value)
        for limit, word, bad in ((d.min_items, "at least", n < d.min_items), (d.max_items, "at most", d.max_items is not None and n > d.max_items)):
            if bad:
                self.add(path, f"must have {word} {limit} {'entry' if limit == 1 else 'entries'}, not {n}")
                return False
        return True

    def _list(self, d: Field, value: Any, path: tuple) -> Any:
        if not isinstance(value, list):
            return self.expected(d, value, path)
        if not self._counted(d, value, path):
            return INVALID
        return [self.check(d.of, v, (*path, i)) for i, v in enumerate(value)]

    def _table(self, d: Field, value: Any, path: tuple) -> Any:
        if not isinstance(value, dict):
            return self.expected(d, value, path)
        if not self._counted(d, value, path):
            return INVALID
        out = {}
        for k, v in value.items():
            if isinstance(k, str) or (d.numbers and _number_as_text(k, d.numbers)):
                out[str(k)] = self.check(d.of, v, (*path, str(k)))
            else:
                self.add((*path, str(k)), f"a key must be {self.dialect.text}, not {self.dialect.show(k)}")
        return out

    def _mapping(self, d: Field, value: Any, path: tuple) -> Any:
        if not isinstance(value, dict):
            return self.expected(d, value, path)
        fields = d.fields or {}
        for k in value:
            if k not in fields:
                self.add((*path, str(k)), f"unknown key {str(k)!r} (allowed: {', '.join(fields)})")
        out = {}
        for k, f in fields.items():
            v = value.get(k)
            out[k] = self.expected(f, v, (*path, k)) if v is None and k in value and not f.null else self.check(f, v, (*path, k))
        return out

    def _variants(self, d: Field, value: Any, path: tuple) -> Any:
        if not isinstance(value, dict):
            return self.expected(d, value, path)
        tag = self.check(Choice(*d.fields, required=True), value.get(d.tag), (*path, d.tag))
        return INVALID if tag is INVALID else self._mapping(d.fields[tag], value, path)

    def _either(self, d: Field, value: Any, path: tuple) -> Any:
        shape = "mapping" if isinstance(value, dict) else "list" if isinstance(value, list) else "single"
        for option in d.options:
            if _shape(option) == shape:
                return self.check(option, value, path)
        return self.expected(d, value, path)
