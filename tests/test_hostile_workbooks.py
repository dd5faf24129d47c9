"""Workbooks as a hostile (or careless) user gives them: refused with exit 2 and a message naming the
workbook (and the sheet), before the part at fault is parsed; and ``export xlsx --out`` never replaces
a file that is not the tool's own export exactly as it wrote it.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.xlsx import read as xlsx_read


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(res, *words):
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    for w in words:
        assert w in res.output, res.output


@pytest.fixture
def tiny_xlsx(tiny_dir, tmp_path) -> Path:
    out = tmp_path / "tiny.xlsx"
    assert run("export", "xlsx", tiny_dir, "--out", out, "--quiet").exit_code == 0
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------- reading


def test_an_oversized_workbook_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as f:
        f.truncate(33 * 2**20)  # sparse: no disk used, nothing to read
    refused(run("validate", big), "big.xlsx: is 33.0 MB; a document of this kind may have at most 32 MB")


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    chunk = b"\0" * 2**20
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(70):
                part.write(chunk)
    assert bomb.stat().st_size < 2**20
    refused(run("validate", bomb), "bomb.xlsx: unpacks to 70 MB (its zip directory says so; nothing was unpacked)")


def test_a_value_far_below_the_table_is_refused_without_reading_the_sheet(tiny_xlsx):
    wb = openpyxl.load_workbook(tiny_xlsx)
    wb["demand"]["A1048576"] = "x"
    wb.save(tiny_xlsx)
    assert tiny_xlsx.stat().st_size < 100_000
    refused(run("validate", tiny_xlsx), "tiny.xlsx, sheet 'demand': has a value in cell A1048576; a sheet may use at most 250,000 rows")


def test_a_value_in_the_last_cell_of_a_sheet_is_refused(tiny_xlsx):
    """A library that reads a sheet as one dense block asks for 16384 × 1048576 cells here."""
    wb = openpyxl.load_workbook(tiny_xlsx)
    wb["hubs"]["XFD1048576"] = 1
    wb.save(tiny_xlsx)
    refused(run("validate", tiny_xlsx), "sheet 'hubs': has a value in cell XFD1048576")


def test_a_sheet_too_wide_to_read_is_refused(tiny_xlsx, monkeypatch):
    monkeypatch.setattr(xlsx_read, "MAX_CELLS", 50)
    wb = openpyxl.load_workbook(tiny_xlsx)
    wb["services"]["Z1"] = "remarks"  # a named column far right: 26 columns to read on every row
    wb.save(tiny_xlsx)
    refused(run("validate", tiny_xlsx), "sheet 'services': reading its columns A:Z down to row 4 means 78 cells; at most 50")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("renamed.xlsx", b"city_id,name\nXIAN,Xi'an\n", "is not an Excel workbook (an .xlsx file is a zip package"),
        ("protected.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "is an old-style .xls workbook or protected by a password"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "is a .xls; an instance workbook is an Excel workbook (.xlsx): save it as one"),
        ("sheet.ods", b"PK", "is a .ods;"),
    ],
)
def test_files_that_are_not_xlsx_workbooks_are_named(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    refused(run("validate", path), words)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(run("validate", path), "archive.xlsx: is damaged or not an Excel workbook")


def test_damaged_sheet_xml_is_refused(tiny_xlsx):
    with zipfile.ZipFile(tiny_xlsx) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/") and b"destination_id" in parts[n] and b"max_hubs" in parts[n])
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    with zipfile.ZipFile(tiny_xlsx, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    refused(run("validate", tiny_xlsx), "tiny.xlsx: cannot be read as an Excel workbook (ParseError); open it in Excel and save it again")


def test_a_folder_named_like_a_workbook_is_refused(tmp_path):
    (tmp_path / "network.xlsx").mkdir()
    refused(run("validate", tmp_path / "network.xlsx"), "network.xlsx: is a folder, not a file")


# ------------------------------------------------------------------------------------------- --out


def test_export_replaces_its_own_untouched_workbook(tiny_dir, tiny_xlsx):
    res = run("export", "xlsx", tiny_dir, "--out", tiny_xlsx, "--quiet")
    assert res.exit_code == 0, res.output


def test_export_never_replaces_a_users_workbook(tiny_dir, tmp_path):
    budget = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "my budget"
    wb.save(budget)
    before = digest(budget)
    refused(run("export", "xlsx", tiny_dir, "--out", budget), "budget.xlsx: exists and is not a file this tool wrote, or was changed since")
    assert digest(budget) == before


def test_export_never_replaces_its_own_workbook_once_someone_saved_it(tiny_dir, tiny_xlsx):
    wb = openpyxl.load_workbook(tiny_xlsx)  # openpyxl keeps the document properties: only the content tells
    wb["demand"]["C2"] = 1200
    wb.save(tiny_xlsx)
    before = digest(tiny_xlsx)
    refused(run("export", "xlsx", tiny_dir, "--out", tiny_xlsx), "was changed since")
    assert digest(tiny_xlsx) == before


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("/dev/null", "give the name of the workbook to write, ending in .xlsx"),
        ("network.csv", "ending in .xlsx"),
        ("folder.xlsx", "folder.xlsx: is a folder; give the name of the file to write"),
        ("link.xlsx", "link.xlsx: is a symbolic link; give a new file name"),
        ("file/network.xlsx", "cannot be created"),
    ],
)
def test_export_refuses_devices_folders_links_and_other_names(tiny_dir, tmp_path, target, words):
    (tmp_path / "folder.xlsx").mkdir()
    os.symlink("/dev/null", tmp_path / "link.xlsx")
    (tmp_path / "file").write_text("a file, not a folder")
    path = target if target.startswith("/") else tmp_path / target
    refused(run("export", "xlsx", tiny_dir, "--out", path), words)


def test_export_refuses_to_write_over_its_input(tiny_xlsx):
    before = digest(tiny_xlsx)
    refused(run("export", "xlsx", tiny_xlsx, "--out", tiny_xlsx), "is the input of this command itself")
    assert digest(tiny_xlsx) == before


def test_a_failed_export_leaves_nothing(tiny_files, tmp_path):
    from conftest import write_folder

    tiny_files["demand.csv"] = tiny_files["demand.csv"].replace("1000", "lots")
    broken = write_folder(tmp_path / "broken", tiny_files)
    refused(run("export", "xlsx", broken, "--out", tmp_path / "new" / "network.xlsx"), "demand.csv, row 2, column 'teu'")
    assert not (tmp_path / "new").exists()
