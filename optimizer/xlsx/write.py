"""Writing tidy workbooks: one table per sheet, numbers as numbers, a frozen bold header, sensible widths.

:func:`write_workbook` writes to a temporary file beside the target and renames it into place, so a
reader never sees half a workbook and an interrupted write leaves the old file whole. Cells: numbers
stay numbers (with the number format asked for), ``inf`` is the text ``inf`` (what the instance
format reads as "no limit"), NaN and None are empty, text is always text (a name starting with ``=``
is never turned into a formula), and characters XML cannot hold become U+FFFD.

The workbook is sealed: its document properties name this tool as its author, with keywords
``optimizer <kind>``, and their identifier is the SHA-256 of every other part of the package.
:func:`is_own_workbook` recomputes it, so it tells a workbook the tool wrote, exactly as it wrote
it, from one that anybody (Excel, LibreOffice, a script) has saved since: only the first may be
replaced (``optimizer export xlsx --out``).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence
from xml.etree.ElementTree import XMLParser

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from ..results import make_folders, remove_folders
from .read import DAMAGED, MAX_PARTS, letter

WRITER = "optimizer"
#: Excel's limit on the text of one cell
MAX_TEXT = 32_767
#: column widths, in characters
MIN_WIDTH, MAX_WIDTH = 8, 60
#: rows looked at to size a column
WIDTH_SAMPLE = 1000
_CORE = "docProps/core.xml"  # the document properties, which hold the seal
_UNSEALED = "sha256:" + "0" * 64
#: largest workbook whose seal is checked (unpacked); anything larger is not one the tool wrote
MAX_SEALED = 2**30
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class SheetTable:
    """One sheet: ``frame``'s columns under a header row.

    ``formats``: number format by column, one for the whole column or one per row (e.g. a KPI
    sheet whose rows are money, shares and counts). ``wrap``: columns whose long text wraps.
    """

    name: str
    frame: pd.DataFrame
    formats: dict[str, str | Sequence[str | None]] = field(default_factory=dict)
    wrap: tuple[str, ...] = ()


def formats_by_name(columns: Iterable[str]) -> dict[str, str]:
    """Number formats read from column names: shares (``load_factor``, ``utilisation``, ``gap``) as
    percentages, money (``cost``, ``objective``, ``bound``, ``penalty``) in whole units with thousands
    separators, volumes and counts (``teu``, ``trains``, ``km``, ``co2``) with one decimal; others as
    Excel shows them (General)."""
    out = {}
    for name in columns:
        low = str(name).lower()
        if any(w in low for w in ("load_factor", "utilisation", "gap")):
            out[name] = "0.0%"
        elif any(w in low for w in ("cost", "objective", "bound", "penalty")):
            out[name] = "#,##0"
        elif any(w in low for w in ("teu", "trains", "km", "co2")):
            out[name] = "#,##0.0"
    return out


def cell_value(value):
    """What one cell holds: a number, a bool, text, or None (empty)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isnan(x):
            return None
        return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    if len(text) > MAX_TEXT:
        raise ValueError(f"a text of {len(text):,} characters does not fit in one cell (Excel's limit is {MAX_TEXT:,})")
    return text


def _width(header: str, values: Iterable) -> int:
    longest = len(header)
    for v in values:
        if isinstance(v, float):
            longest = max(longest, len(f"{v:,.2f}"))
        elif v is not None:
            longest = max(longest, max((len(line) for line in str(v).splitlines()), default=0))
    return min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))


def _write_sheet(book: Workbook, table: SheetTable) -> None:
    ws = book.create_sheet(table.name)
    ws.freeze_panes = "A2"
    columns = [str(c) for c in table.frame.columns]
    data = [[cell_value(v) for v in row] for row in table.frame.itertuples(index=False, name=None)]
    for j, name in enumerate(columns):
        ws.column_dimensions[letter(j + 1)].width = _width(name, (row[j] for row in data[:WIDTH_SAMPLE]))
    header = []
    for name in columns:
        cell = WriteOnlyCell(ws, cell_value(name))
        cell.font = _BOLD
        header.append(cell)
    ws.append(header)
    formats = {j: table.formats[name] for j, name in enumerate(columns) if name in table.formats}
    wrapped = {j for j, name in enumerate(columns) if name in table.wrap}
    for i, row in enumerate(data):
        out = []
        for j, value in enumerate(row):
            cell = WriteOnlyCell(ws, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "="
                if j in wrapped:
                    cell.alignment = _WRAP
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and j in formats:
                fmt = formats[j] if isinstance(formats[j], str) else formats[j][i]
                if fmt:
                    cell.number_format = fmt
            out.append(cell)
        ws.append(out)


def write_workbook(path: str | Path, sheets: Iterable[SheetTable], *, kind: str) -> Path:
    """Write ``sheets`` as the workbook ``path`` (replacing it in one rename); ``kind`` goes into its keywords.

    The caller has checked that ``path`` may be written (:func:`optimizer.results.check_file_target`).
    """
    path = Path(path)
    book = Workbook(write_only=True)
    book.properties.creator = WRITER
    book.properties.lastModifiedBy = WRITER
    book.properties.keywords = f"{WRITER} {kind}"
    book.properties.identifier = _UNSEALED
    for table in sheets:
        _write_sheet(book, table)
    buffer = io.BytesIO()
    book.save(buffer)
    created = make_folders(path.parent)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            _seal(buffer, f)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        remove_folders(created)
        raise
    return path


def write_table_workbook(path: str | Path, name: str, frame: pd.DataFrame, *, kind: str) -> Path:
    """``frame`` as a workbook of one sheet ``name``, number formats read from the column names."""
    return write_workbook(path, [SheetTable(name, frame, formats=formats_by_name(frame.columns))], kind=kind)


def _digest(archive: zipfile.ZipFile) -> str:
    """SHA-256 of every part but the document properties: names and unpacked contents, in name order."""
    h = hashlib.sha256()
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.filename == _CORE:
            continue
        h.update(info.filename.encode("utf-8") + b"\0")
        with archive.open(info) as part:
            for chunk in iter(lambda: part.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return "sha256:" + h.hexdigest()


def _seal(buffer: io.BytesIO, out) -> None:
    """Copy the workbook in ``buffer`` to ``out`` with the digest of its parts in its document properties."""
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sealed:
        seal = _digest(source).encode()
        for info in source.infolist():
            data = source.read(info)
            sealed.writestr(info, data.replace(_UNSEALED.encode(), seal) if info.filename == _CORE else data)


def is_own_workbook(path: str | Path, kind: str) -> bool:
    """Whether ``path`` is a workbook :func:`write_workbook` wrote for ``kind``, every part as it was written."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_SEALED:
                return False
            info = archive.getinfo(_CORE)
            if info.file_size > 64 * 1024:
                return False
            parser = XMLParser()
            parser.feed(archive.read(info))
            props = {el.tag.rpartition("}")[2]: (el.text or "").strip() for el in parser.close()}
            if props.get("creator") != WRITER or props.get("keywords") != f"{WRITER} {kind}":
                return False
            return props.get("identifier") == _digest(archive)
    except (OSError, *DAMAGED):
        return False
