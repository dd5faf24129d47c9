"""Reading a workbook that may be hostile: every limit is checked before the part it guards is parsed.

:func:`open_workbook` refuses, with an :class:`~optimizer.errors.InputError` (exit 2) naming the
workbook, and without quoting its contents:

* a file larger than ``MAX_BYTES["xlsx"]`` (checked before it is opened), a folder, a device or a pipe;
* a file that is not an .xlsx/.xlsm package: an old .xls, a password-protected workbook (both are
  not zip archives), a CSV file renamed, a damaged file;
* a zip directory of more than :data:`MAX_PARTS` parts, or whose parts unpack to more than
  :data:`MAX_UNPACKED` bytes (zip bombs: the sizes are read from the directory before anything is
  decompressed; a part that lies about its size is cut at the size it declares and fails its CRC).

:meth:`Workbook.sheet` then scans the sheet's XML with the standard library's expat parser
(bounded by the checks above) before openpyxl reads a value of it: a sheet with values beyond
row :data:`MAX_ROWS` is refused (:class:`SheetError`, naming where its last value stands), and the
scan finds the merged cells and the formulas that carry no saved value. Values are then streamed
by openpyxl in read-only mode, formulas as the values last saved with them; :meth:`Sheet.rows`
refuses to read more than :data:`MAX_CELLS` cells.
"""

from __future__ import annotations

import posixpath
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import ParseError, XMLParser
from xml.parsers import expat

import openpyxl
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from ..documents import file_problem
from ..errors import InputError, Problem

SUFFIXES = (".xlsx", ".xlsm")
#: most parts (files) a workbook package may hold
MAX_PARTS = 10_000
#: most bytes the parts of a workbook may unpack to (a 200,000-row demand sheet is about 40 MB; openpyxl
#: reads about 3 MB of it a second)
MAX_UNPACKED = 64 * 2**20
#: last row of a sheet that may hold a value
MAX_ROWS = 250_000
#: most cells read from one sheet (rows × columns up to the last column read)
MAX_CELLS = 5_000_000
_OLE = b"\xd0\xcf\x11\xe0"  # the start of an old .xls file and of a password-protected workbook
#: what reading a damaged or hostile package raises (encrypted or oddly compressed parts included)
DAMAGED = (ParseError, expat.ExpatError, ValueError, KeyError, IndexError, TypeError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError, zlib.error)


class SheetError(Exception):
    """A sheet that cannot be read (too large, damaged); the message is for the user."""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


@dataclass
class Sheet:
    """One worksheet: where its values stand, its merged cells, and its values on demand.

    ``last_row`` and ``last_column`` are those of the last cell holding a value or a formula (cells
    with only a format do not count). ``merged``: (first row, first column, last row, last column)
    of each merged range. ``uncached``: (row, column) of formulas without a saved value.
    """

    name: str
    last_row: int = 0
    last_column: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    _ws: object = None

    def rows(self, columns: int, first: int = 1, last: int | None = None) -> Iterator[tuple[int, tuple]]:
        """(row number, values of columns 1..``columns``) for rows ``first`` .. ``last`` (default :attr:`last_row`); blank cells are None."""
        last = self.last_row if last is None else min(last, self.last_row)
        if first > last or columns < 1:
            return
        count = (last - first + 1) * columns
        if count > MAX_CELLS:
            raise SheetError(
                f"reading its columns A:{letter(columns)} down to row {last:,} means {count:,} cells; "
                f"at most {MAX_CELLS:,} are read from one sheet (delete what is not part of the table, or use the CSV folder format)"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it drops (extensions, styles)
            try:
                yield from enumerate(self._ws.iter_rows(min_row=first, max_row=last, max_col=columns, values_only=True), start=first)
            except DAMAGED as exc:
                raise SheetError(_damaged(exc)) from None


def letter(column: int) -> str:
    """1 → A, 28 → AB."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


class Workbook:
    """An open workbook (:func:`open_workbook`); close it (or use ``with``) when done."""

    def __init__(self, path: Path, label: str, archive: zipfile.ZipFile, parts: dict[str, str | None], book) -> None:
        self.path = path
        self.label = label  # how messages name the workbook
        self._archive = archive
        self._parts = parts  # sheet name → XML part, None for a chart or dialog sheet
        self._book = book  # openpyxl, read-only

    @property
    def sheet_names(self) -> list[str]:
        return list(self._parts)

    def sheet(self, name: str) -> Sheet:
        """The sheet ``name`` scanned (limits, merged cells, formulas without values); raise :class:`SheetError`."""
        part = self._parts[name]
        if part is None:
            raise SheetError("is a chart sheet, not a sheet of cells")
        sheet = Sheet(name)
        try:
            _scan(self._archive, part, sheet)
        except DAMAGED as exc:
            raise SheetError(_damaged(exc)) from None
        ws = self._book[name]
        ws.reset_dimensions()  # the size comes from the scan, never from what the sheet claims
        sheet._ws = ws
        return sheet

    def close(self) -> None:
        self._book.close()
        self._archive.close()

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _damaged(exc: BaseException) -> str:
    return f"is damaged ({type(exc).__name__}); open the workbook in Excel and save it again"


def _fail(label: str, message: str) -> InputError:
    return InputError([Problem(label, message)], source=label)


def open_workbook(path: str | Path) -> Workbook:
    """Open ``path`` after the checks of the module docstring; raise one InputError naming it."""
    path = Path(path)
    label = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise _fail(label, f"is a {path.suffix or 'file without extension'}; an instance workbook is an Excel workbook (.xlsx): save it as one")
    problem = file_problem(path, "xlsx")
    if problem:
        raise _fail(label, problem)
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        archive = zipfile.ZipFile(path)
    except OSError as exc:
        raise _fail(label, f"cannot be read: {exc.strerror or exc}") from None
    except zipfile.BadZipFile:
        if head == _OLE:
            raise _fail(label, "is an old-style .xls workbook or protected by a password; save it without a password as an Excel workbook (.xlsx)") from None
        raise _fail(label, "is not an Excel workbook (an .xlsx file is a zip package; this file is not one)") from None
    try:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _fail(label, f"holds {len(infos):,} parts; a workbook may hold at most {MAX_PARTS:,}")
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_UNPACKED:
            raise _fail(
                label,
                f"unpacks to {unpacked / 2**20:,.0f} MB (its zip directory says so; nothing was unpacked); "
                f"a workbook may unpack to at most {MAX_UNPACKED // 2**20} MB",
            )
        try:
            parts = _sheet_parts(archive)
        except DAMAGED:
            raise _fail(label, "is damaged or not an Excel workbook (its list of sheets cannot be read); open it in Excel and save it again") from None
        book = _load(path, label)  # parses the styles and shared strings, and every sheet that does not state its size
    except BaseException:
        archive.close()
        raise
    return Workbook(path, label, archive, parts, book)


def _load(path: Path, label: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # noqa: BLE001 - any failure of the parser on a hostile file is bad input
            raise _fail(label, f"cannot be read as an Excel workbook ({type(exc).__name__}); open it in Excel and save it again") from None


def _xml(archive: zipfile.ZipFile, name: str):
    """A small XML part, parsed (its size is bounded by the directory check)."""
    parser = XMLParser()
    parser.feed(archive.read(name))
    return parser.close()


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str | None]:
    """Sheet name → the XML part of its cells (None: not a worksheet), in the workbook's order."""
    root = _xml(archive, "_rels/.rels")
    book = next((_resolve("", r.get("Target", "")) for r in root if r.get("Type", "").endswith("/officeDocument")), None)
    if book is None:
        raise KeyError("officeDocument")
    rels_name = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    rels = {r.get("Id"): (r.get("Type", ""), r.get("Target", "")) for r in _xml(archive, rels_name)}
    parts: dict[str, str | None] = {}
    for el in _xml(archive, book).iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
        kind, target = rels.get(rid, ("", ""))
        parts[el.get("name", "")] = _resolve(book, target) if kind.endswith("/worksheet") else None
    return parts


class _Scan:
    """expat handlers that fill a :class:`Sheet`'s extent, merged cells and formulas without values."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.row = self.column = 0
        self.cell: tuple[int, int] | None = None  # the cell being read
        self.formula = self.value = self.in_value = False

    def start(self, name: str, attrs: dict) -> None:
        tag = name.rpartition(":")[2]
        if tag == "c":
            ref = attrs.get("r")
            self.row, self.column = coordinate_to_tuple(ref) if ref else (self.row, self.column + 1)
            self.cell = (self.row, self.column)
            self.formula = self.value = False
        elif tag == "row":
            self.row = int(attrs.get("r") or self.row + 1)
            self.column = 0
        elif tag == "f":
            self.formula = True
        elif tag == "v":
            self.in_value = True
        elif tag == "is":
            self.value = True
        elif tag == "mergeCell":
            min_col, min_row, max_col, max_row = range_boundaries(attrs.get("ref", ""))
            self.sheet.merged.append((min_row, min_col, max_row, max_col))

    def text(self, data: str) -> None:
        if self.in_value and data:
            self.value = True

    def end(self, name: str) -> None:
        tag = name.rpartition(":")[2]
        if tag == "v":
            self.in_value = False
        elif tag == "c" and self.cell is not None:
            r, c = self.cell
            if self.formula and not self.value:
                self.sheet.uncached.add(self.cell)
            if self.formula or self.value:
                if r > MAX_ROWS:
                    raise SheetError(
                        f"has a value in cell {letter(c)}{r}; a sheet may use at most {MAX_ROWS:,} rows "
                        "(delete the rows below the table, or use the CSV folder format for larger instances)"
                    )
                self.sheet.last_row = max(self.sheet.last_row, r)
                self.sheet.last_column = max(self.sheet.last_column, c)
            self.cell = None


def _scan(archive: zipfile.ZipFile, part: str, sheet: Sheet) -> None:
    """Fill ``sheet``'s extent, merged cells and formulas without values from its XML, streamed by expat."""
    scan = _Scan(sheet)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = scan.start, scan.end, scan.text
    with archive.open(part) as f:
        parser.ParseFile(f)
