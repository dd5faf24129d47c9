"""Reading YAML and JSON documents safely: the one reader of case files, game files, scenario files,
``instance.yaml`` and the summaries a report reads.

Every document a user gives may be hostile or broken. :func:`read_yaml` and :func:`read_json` refuse,
with an :class:`~optimizer.errors.InputError` (exit 2) naming the file and, where it helps, the line:

* a file larger than its kind allows (checked before it is read: ``MAX_BYTES``);
* a file that cannot be read (missing, a folder, permissions) or is not UTF-8;
* a syntax error (with line and column);
* nesting deeper than :data:`MAX_DEPTH` levels (checked without recursion, so ``[[[[...]]]]`` 100,000
  deep is refused at once instead of exhausting the stack);
* YAML aliases that expand to more than :data:`MAX_NODES` values ("billion laughs": the expansion is
  counted on the event stream, before anything is built), and recursive aliases;
* a key given twice in one mapping (YAML or JSON): last-one-wins would silently turn a typo into a
  different agreement;
* whole numbers of more than :data:`MAX_DIGITS` digits, named by their key path (they exceed
  :data:`MAX_MAGNITUDE` by far; beyond 4,300 digits Python would not even convert them).

A YAML document also records the line and column of every key (:meth:`Document.position`), so that
the checks made later (:mod:`optimizer.checks`) can say where a bad value stands. Values are limited to :data:`MAX_MAGNITUDE` in absolute value
by the readers of each document (:func:`magnitude_message`): larger amounts overflow the arithmetic.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

#: largest document of each kind, in bytes
MAX_BYTES = {
    "yaml": 10 * 2**20,  # case files, scenario files, instance.yaml
    "json": 256 * 2**20,  # game files (an explicit 20-player game is about 40 MB)
    "summary": 64 * 2**20,  # summary.json and batch.json read by a report or a resumed batch
    "csv": 512 * 2**20,  # one table of an instance (200,000 demand rows are about 6 MB)
    "xlsx": 32 * 2**20,  # an instance workbook, packed (200,000 demand rows are about 4 MB)
}
#: deepest nesting of mappings and lists
MAX_DEPTH = 64
#: most values a YAML document may hold once its aliases are expanded
MAX_NODES = 1_000_000
#: largest absolute value of an amount, a cost or a capacity (1e15 CNY is far beyond any real figure;
#: products and sums of larger values overflow or lose every digit that matters)
MAX_MAGNITUDE = 1e15

_LoaderBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
#: whole numbers with more digits are refused where they stand (they exceed MAX_MAGNITUDE by far, and
#: beyond 4,300 digits Python will not even convert them)
MAX_DIGITS = 18


@dataclass
class Document:
    """A parsed document: ``data`` and, for YAML, the (line, column) of every key path (both 1-based)."""

    path: str
    data: Any
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def position(self, *key: str | int) -> tuple[int, int] | None:
        """Where ``key`` (a path such as ``("parties", 1, "id")``) stands, or its nearest parent that has a place."""
        return position(self.positions, tuple(key))


def position(positions: dict[tuple, tuple[int, int]], key: tuple) -> tuple[int, int] | None:
    """``positions[key]``, or that of the nearest parent of ``key`` that has one."""
    while key:
        if key in positions:
            return positions[key]
        key = key[:-1]
    return None


def magnitude_message(x: float) -> str | None:
    """Why a finite ``x`` is too large to compute with, or None."""
    if math.isfinite(x) and abs(x) > MAX_MAGNITUDE:
        return f"must be at most {MAX_MAGNITUDE:g} in absolute value, not {x:g} (larger values overflow the arithmetic)"
    return None


def _fail(path: str, message: str, line: int | None = None, col: int | None = None) -> InputError:
    return InputError([Problem(path, message, line=line, col=col)], source=path)


def file_problem(path: str | Path, kind: str) -> str | None:
    """Why ``path`` cannot be read as a document of ``kind`` without opening it (missing, a folder, a device
    or a pipe, larger than ``MAX_BYTES[kind]``), or None."""
    limit = MAX_BYTES[kind]
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file (a device, a pipe or a socket); give a file"
    if st.st_size > limit:
        return f"is {st.st_size / 2**20:.1f} MB; a document of this kind may have at most {limit // 2**20} MB"
    return None


def read_text(path: str | Path, kind: str) -> str:
    """The UTF-8 text of a document (a byte-order mark is dropped); refused when too large or unreadable."""
    name = str(path)
    limit = MAX_BYTES[kind]
    problem = file_problem(path, kind)
    if problem:
        raise _fail(name, problem)
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        raise _fail(name, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > limit:  # it grew since it was checked
        raise _fail(name, f"is larger than {limit // 2**20} MB, the most a document of this kind may have")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(name, f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


# ---------------------------------------------------------------------------------------------
# YAML


def read_yaml(path: str | Path) -> Document:
    """Read and check a YAML document (see the module docstring for what is refused)."""
    return parse_yaml(read_text(path, "yaml"), str(path))


def parse_yaml(text: str, source: str = "<yaml>") -> Document:
    """Parse YAML text with the checks of :func:`read_yaml`; ``source`` names it in messages."""
    _check_events(text, source)
    loader = _LoaderBase(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(source, None)
        positions: dict[tuple, tuple[int, int]] = {}
        problems: list[Problem] = []
        _walk(node, (), positions, problems, source, set())
        if problems:
            raise InputError(problems, source=source)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    finally:
        loader.dispose()
    return Document(source, data, positions)


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    reason = getattr(exc, "problem", None) or str(exc)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return _fail(source, f"not valid YAML{where}: {reason}", line=line, col=col)


def _check_events(text: str, source: str) -> None:
    """Depth and expanded size from the event stream, before anything is composed (no recursion)."""
    depth = 0
    stack: list[list] = []  # per open collection: [anchor, count]
    sizes: dict[str, int] = {}
    try:
        for event in yaml.parse(text, Loader=_LoaderBase):
            mark = event.start_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _fail(source, f"nested more than {MAX_DEPTH} levels deep; refused", line=line, col=col)
                stack.append([event.anchor, 1])
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                anchor, count = stack.pop()
                if anchor is not None:
                    sizes[anchor] = count
                if stack:
                    stack[-1][1] += count
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                if stack:
                    stack[-1][1] += 1
            elif isinstance(event, yaml.AliasEvent):
                if any(entry[0] == event.anchor for entry in stack):
                    raise _fail(source, f"alias *{event.anchor} refers to a mapping or list that contains it; recursive aliases are refused", line=line, col=col)
                if stack:
                    stack[-1][1] += sizes.get(event.anchor, 1)
            else:
                continue
            if stack and stack[-1][1] > MAX_NODES:
                raise _fail(
                    source,
                    f"expands to more than {MAX_NODES:,} values through its aliases; alias bombs are refused",
                    line=line,
                    col=col,
                )
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None


def _walk(node: yaml.Node, path: tuple, positions: dict, problems: list, source: str, seen: set) -> None:
    """Record where every key stands; report keys given twice. Each node is visited once (aliases share nodes)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple, int] = {}
        for key_node, value_node in node.value:
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.tag == _MERGE_TAG:
                    _walk(value_node, path, positions, problems, source, seen)
                    continue
                ident = (key_node.tag, key_node.value)
                if ident in first:
                    shown = key_path((*path, key_node.value))
                    problems.append(Problem(source, f"{shown}: key {key_node.value!r} given twice (lines {first[ident]} and {line}); give it once", line=line, col=col))
                    continue
                first[ident] = line
                child = (*path, key_node.value)
            else:
                child = (*path, f"<key at line {line}>")
            positions.setdefault(child, (line, col))
            _walk(value_node, child, positions, problems, source, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            positions.setdefault((*path, i), (item.start_mark.line + 1, item.start_mark.column + 1))
            _walk(item, (*path, i), positions, problems, source, seen)
    elif node.tag == _INT_TAG:
        digits = sum(c.isdigit() for c in node.value)
        if digits > MAX_DIGITS:
            problems.append(Problem(source, _huge(path, digits), line=node.start_mark.line + 1, col=node.start_mark.column + 1))


def key_path(path: tuple) -> str:
    """``("revenues", "tax", 0)`` → ``revenues.tax[0]``, the way every message names a key; a key that is
    not a plain name is quoted: ``("values", "a,b")`` → ``values['a,b']``."""
    out = ""
    for p in path:
        if isinstance(p, int) and not isinstance(p, bool):
            out += f"[{p}]"
        elif isinstance(p, str) and _PLAIN.fullmatch(p):
            out += f".{p}" if out else p
        else:
            out += f"[{str(p)!r}]"
    return out


_PLAIN = re.compile(r"[^\W\d][\w-]*")


def _huge(path: tuple, digits: int) -> str:
    where = f"{key_path(path)}: " if path else ""
    return f"{where}a whole number of {digits:,} digits; no value may exceed {MAX_MAGNITUDE:g} in absolute value"


# ---------------------------------------------------------------------------------------------
# JSON


def read_json(path: str | Path, kind: str = "json") -> Document:
    """Read and check a JSON document (``kind`` picks the size limit: ``json`` or ``summary``)."""
    return parse_json(read_text(path, kind), str(path))


def parse_json(text: str, source: str = "<json>") -> Document:
    """Parse JSON text: duplicate keys, depth and unreadable numbers are refused, naming ``source``."""
    duplicates: list[str] = []

    def pairs(items):
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    def whole(text: str) -> int | _HugeInt:
        return _HugeInt(len(text.lstrip("-"))) if len(text) > MAX_DIGITS + 1 else int(text)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_int=whole)
    except json.JSONDecodeError as exc:
        raise _fail(source, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", line=exc.lineno, col=exc.colno) from None
    except RecursionError:
        raise _fail(source, f"nested more than {MAX_DEPTH} levels deep; refused") from None
    if duplicates:
        raise InputError(
            [Problem(source, f"key '{k}': given twice (JSON keys must be unique)") for k in dict.fromkeys(duplicates)],
            source=source,
        )
    _check_json(data, source)
    return Document(source, data)


class _HugeInt:
    """A JSON whole number of too many digits, held until its key path is known."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _check_json(data: Any, source: str) -> None:
    """Depth and too-long whole numbers of parsed JSON, walked without recursion."""
    problems = []
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _HugeInt):
            problems.append(Problem(source, _huge(path, value.digits)))
        elif isinstance(value, (dict, list)):
            if len(path) >= MAX_DEPTH:
                raise _fail(source, f"nested more than {MAX_DEPTH} levels deep; refused")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, (*path, k)) for k, v in items)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.message), source=source)
