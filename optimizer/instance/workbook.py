"""An instance as one workbook: a sheet per table and an ``instance`` sheet of settings.

Layout (``docs/instance-format.md``): the sheet ``instance`` has the columns ``key`` and ``value``,
one row per setting: ``name``, ``description``, ``units``, ``provenance``, ``notes`` and any
parameter of the format reference (``unit`` and ``description`` columns, written by the export, are
for the reader). Every table is the sheet of its name (``cities``, ``hubs``, ...) with the columns of
its CSV file, header in row 1. A column without a header (notes) and rows blank in every named
column are left out; other sheets are ignored.

:class:`WorkbookSource` only turns sheets into rows of text (as the CSV reader does), so
:mod:`optimizer.instance.load` makes every check, the same as for a folder; problems name the
workbook, sheet, row, column and cell. What only a workbook can get wrong is checked here: merged
cells in a table, formulas without a saved value, sheets beyond the size limits
(:mod:`optimizer.xlsx.read`). Formulas are read as the values last saved with them.

:func:`write_instance_workbook` writes an instance in this layout (``optimizer export xlsx``):
loading it gives the same tables and parameters. Feeder legs are written only when the instance
gave them as a table; derived ones are derived again from the same data.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import yaml

from ..documents import parse_yaml
from ..errors import InputError, Problem
from ..results import check_file_target
from ..xlsx.read import SheetError, Workbook, letter, open_workbook
from ..xlsx.write import SheetTable, is_own_workbook, write_workbook
from .data import Instance, default_params, make_table
from .load import META_KEYS, SETTINGS, Raw, set_meta, set_parameter
from .schema import PARAMETERS, PARAMETERS_BY_NAME, TABLES, Table
from .write import instance_document

SETTINGS_SHEET = SETTINGS  # the settings are the sheet of that name
SETTING_COLUMNS = ("key", "value", "unit", "description")
#: settings whose value may be a mapping or list, written as YAML text in the cell
STRUCTURED = ("units", "provenance")
#: the kind in the export's document properties (:func:`optimizer.xlsx.write.is_own_workbook`)
KIND = "instance"
_META = tuple(k for k in META_KEYS if k != "parameters")


def cell_text(value) -> str:
    """A cell as the text the CSV reader would see: numbers at full precision, TRUE/FALSE, stripped text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


class WorkbookSource:
    """An instance workbook (see the module docstring) as a :class:`~optimizer.instance.load.Source`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"instance workbook {path}"
        self.file = path.name
        self.book: Workbook | None = None
        self.columns: dict[str, dict[str, int]] = {}  # sheet → header name → column number
        self.setting_rows: dict[str, int] = {}  # setting key → row of the instance sheet

    # naming places

    def label(self, name: str) -> str:
        return f"sheet '{name}'"

    def problem(self, name: str, message: str, row: int | None, column: str | None, line: int | None) -> Problem:
        number = self.columns.get(name, {}).get(column) if column is not None else None
        cell = f"{letter(number)}{row}" if number is not None and row is not None else None
        return Problem(self.file, message, row=row, column=column, sheet=name, cell=cell)

    def setting_problem(self, key: str, message: str) -> Problem:
        return self.problem(SETTINGS_SHEET, message, self.setting_rows.get(key), "value", None)

    # reading

    def open(self, r) -> bool:
        try:
            self.book = open_workbook(self.path)
        except InputError as exc:
            r.add_problems([Problem(self.file, p.message) for p in exc.problems])
            return False
        return True

    def close(self) -> None:
        if self.book is not None:
            self.book.close()

    def _sheet(self, name: str, required: bool, r, what: str) -> Raw | None:
        """The sheet ``name`` as header and rows of text; None when absent (reported if required) or unreadable."""
        assert self.book is not None
        if name not in self.book.sheet_names:
            near = [s for s in self.book.sheet_names if s.strip().casefold() == name]
            if near:
                message = f"sheet '{near[0]}' is not read: sheet names are written exactly as '{name}'"
                if required:
                    r.add(name, f"missing sheet ({what}); {message}")
                else:
                    r.warnings.append(message)
            elif required:
                r.add(name, f"missing sheet ({what})")
            return None
        try:
            sheet = self.book.sheet(name)
            header = [cell_text(v) for _, values in sheet.rows(sheet.last_column, first=1, last=1) for v in values]
            while header and not header[-1]:
                header.pop()
            if not header:
                r.add(name, "empty sheet: row 1 must name the columns")
                return None
            self.columns[name] = {}
            for j, h in enumerate(header, start=1):
                if h:
                    self.columns[name].setdefault(h, j)
            self._check_cells(name, sheet, header, r)
            named = [bool(h) for h in header]
            rows, numbers = [], []
            for number, values in sheet.rows(len(header), first=2):
                cells = [cell_text(v) if keep else "" for v, keep in zip(values, named)]
                if any(cells):
                    rows.append(cells)
                    numbers.append(number)
        except SheetError as exc:
            r.add(name, str(exc))
            return None
        return Raw(header, rows, numbers)

    def _check_cells(self, name: str, sheet, header: list[str], r) -> None:
        """Merged cells over named columns, and formulas there without a saved value, are problems."""
        for first_row, first_col, last_row, last_col in sheet.merged:
            inside = [header[j - 1] for j in range(first_col, min(last_col, len(header)) + 1) if header[j - 1]]
            if not inside:
                continue  # notes beside the table
            span = f"{letter(first_col)}{first_row}:{letter(last_col)}{last_row}"
            if first_row == 1:
                message = f"merged cells {span} in the header: unmerge them; every column needs its own name in row 1"
            else:
                message = f"merged cells {span}: unmerge them and give every row its own value (a merged cell's value stands only in its first cell)"
            r.add(name, message, row=first_row, column=inside[0])
        by_column: dict[str, list[int]] = {}
        for row, col in sorted(sheet.uncached):
            if col <= len(header) and header[col - 1]:
                by_column.setdefault(header[col - 1], []).append(row)
        for column, rows in by_column.items():
            r.report(
                name,
                column,
                rows,
                "formula without a saved value (the workbook was written by a program that does not calculate "
                "formulas): open it in Excel or LibreOffice and save it, or type the value",
            )

    def table(self, table: Table, r) -> Raw | None:
        return self._sheet(table.name, table.required, r, f"the table {table.name}")

    def settings(self, r) -> tuple[dict, dict]:
        meta: dict = {"name": self.path.stem}
        params = default_params()
        raw = self._sheet(SETTINGS_SHEET, True, r, "the instance's name, description and parameters, in the columns key and value")
        if raw is None:
            return meta, params
        col = {h: j for j, h in reversed(list(enumerate(raw.header))) if h}
        for name in ("key", "value"):
            if name not in col:
                r.add(SETTINGS, "missing column", column=name)
        for name in col:
            if name not in SETTING_COLUMNS:
                r.warnings.append(f"{self.label(SETTINGS_SHEET)}: unknown column '{name}' ignored")
        if "key" not in col or "value" not in col:
            return meta, params
        first: dict[str, int] = {}
        for row, cells in zip(raw.numbers, raw.rows):
            key, value = cells[col["key"]], cells[col["value"]]
            if not key:
                if value:
                    r.add(SETTINGS, "a value without a key", row=row, column="key")
                continue
            if key in first:
                r.add(SETTINGS, f"'{key}' is given twice (rows {first[key]} and {row}); give it once", row=row, column="key")
                continue
            first[key] = row
            self.setting_rows[key] = row
            if key in _META:
                if value:
                    set_meta(meta, key, _structured(value) if key in STRUCTURED else value)
            elif key in PARAMETERS_BY_NAME:
                problem = set_parameter(params, key, value)
                if problem:
                    r.add(SETTINGS, problem, row=row, column="value")
            else:
                r.add(
                    SETTINGS,
                    f"unknown key '{key}' (valid: {', '.join(_META)}, or a parameter: {', '.join(PARAMETERS_BY_NAME)})",
                    row=row,
                    column="key",
                )
        return meta, params


def _structured(text: str):
    """``units`` or ``provenance``: a mapping or list written as YAML text, or else the text itself."""
    try:
        data = parse_yaml(text).data
    except InputError:
        return text
    return data if isinstance(data, (dict, list)) else text


# --------------------------------------------------------------------------------------------
# writing


def _setting_cell(value):
    """A parameter or descriptive value as the instance sheet holds it."""
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return value


def _settings_table(instance: Instance) -> SheetTable:
    doc = instance_document(instance)
    rows = []
    for key in _META:
        if key not in doc:
            continue
        value = doc[key]
        if isinstance(value, (dict, list)):
            value = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False).strip()
        rows.append({"key": key, "value": value, "unit": "", "description": ""})
    for p in PARAMETERS:
        if p.name in doc["parameters"]:
            rows.append({"key": p.name, "value": _setting_cell(doc["parameters"][p.name]), "unit": p.unit, "description": p.description})
    frame = pd.DataFrame(rows, columns=list(SETTING_COLUMNS))
    return SheetTable(SETTINGS_SHEET, frame, wrap=("value", "description"))


def instance_sheets(instance: Instance) -> list[SheetTable]:
    """The sheets of ``instance``'s workbook: settings first, then every table it has."""
    sheets = [_settings_table(instance)]
    derived = str(instance.meta.get("feeder_legs", "")).startswith("derived")
    for t in TABLES:
        df = getattr(instance, t.name)
        if df is None or (not t.required and len(df) == 0) or (t.name == "feeder_legs" and derived):
            continue
        table = make_table(t.name, df)
        sheets.append(SheetTable(t.name, table.reset_index() if t.key else table))
    return sheets


def check_workbook_target(path: str | Path, inputs=(), option: str = "--out") -> Path:
    """Refuse (exit 2) unless ``path`` may receive an instance workbook: a new ``.xlsx`` file, or one this
    tool exported and nobody has saved since; never an input of the command, a folder, a link or a device."""
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise InputError([Problem(str(p), "give the name of the workbook to write, ending in .xlsx")], source=option)
    for item in inputs:
        if Path(item).resolve() == p.resolve():
            raise InputError([Problem(str(p), "is the input of this command itself; give another file name")], source=option)
    return check_file_target(p, owned=lambda q: is_own_workbook(q, KIND), option=option)


def write_instance_workbook(instance: Instance, path: str | Path, inputs=()) -> Path:
    """Write ``instance`` as the workbook ``path``, which must be new or a workbook this tool exported and nobody
    has saved since (:func:`check_workbook_target`; ``inputs``: the files read to make the instance)."""
    target = check_workbook_target(path, inputs=inputs)
    return write_workbook(target, instance_sheets(instance), kind=KIND)
