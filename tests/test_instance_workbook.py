"""Instances as workbooks: export, round trip to the same optimum, every bad input named by sheet, row
and column, what a planner's workbook may hold (notes, empty rows, formulas), a workbook as a batch base.

Workbooks are edited with openpyxl the way a planner edits them in Excel; a formula's saved value is
written into the package by hand (openpyxl writes formulas without one, as Excel never does).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.instance.load import load_instance
from optimizer.instance.schema import TABLES
from optimizer.instance.workbook import write_instance_workbook
from optimizer.instance.write import write_instance

LANDBRIDGE = Path(__file__).resolve().parents[1] / "instances" / "landbridge"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def export(instance, out: Path) -> Path:
    res = run("export", "xlsx", instance, "--out", out, "--quiet")
    assert res.exit_code == 0, res.output
    return out


def edit(path: Path, change) -> Path:
    """Open ``path`` as a planner would, apply ``change(workbook)``, save it."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def assert_same_instance(a, b) -> None:
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t.name), getattr(b, t.name))
    assert a.params == b.params and a.name == b.name


def problems(path) -> list:
    with pytest.raises(InputError) as info:
        load_instance(path)
    return info.value.problems


def where(path) -> set[tuple]:
    return {(p.sheet, p.row, p.column, p.cell) for p in problems(path)}


@pytest.fixture
def tiny_xlsx(tiny_dir, tmp_path) -> Path:
    return export(tiny_dir, tmp_path / "tiny.xlsx")


# ------------------------------------------------------------------------------------- round trip


def test_export_writes_the_instance_sheet_first_then_a_sheet_per_table(tiny_xlsx):
    wb = openpyxl.load_workbook(tiny_xlsx)
    assert wb.sheetnames == ["instance", "cities", "hubs", "gateways", "destinations", "demand", "services", "status_quo"]
    settings = {row[0]: row[1] for row in wb["instance"].iter_rows(min_row=2, values_only=True)}
    assert settings["name"] == "tiny" and settings["unserved_penalty"] == 50000 and settings["max_feeder_km"] == 1000
    assert settings["single_sourcing"] is False and settings["max_hubs_per_destination"] == "none"
    assert settings["feeder_cost_per_teu_km"] == "road:4.0,rail:1.6"
    assert [c.value for c in wb["hubs"][1]][:3] == ["hub_id", "name", "name_zh"]
    assert wb["hubs"]["G3"].value == 80 and wb["hubs"]["H2"].value == "inf"  # numbers as numbers; no limit as inf
    assert wb["demand"].freeze_panes == "A2"


def test_a_workbook_loads_to_the_same_instance_as_its_folder(tiny_dir, tiny_xlsx):
    folder, book = load_instance(tiny_dir), load_instance(tiny_xlsx)
    assert_same_instance(folder, book)
    assert book.meta["units"] == {"cost": "CNY", "volume": "TEU"}
    assert book.meta["feeder_legs"] == "derived from coordinates" and book.source == tiny_xlsx


def test_given_feeder_legs_and_a_scaled_demand_survive_the_round_trip(tiny_dir, tmp_path):
    from optimizer.instance.overrides import apply_overrides

    inst = apply_overrides(load_instance(tiny_dir), {"demand_scale": 1.5})
    explicit = load_instance(write_instance(inst, tmp_path / "explicit"))  # feeder_legs.csv written out
    book = write_instance_workbook(explicit, tmp_path / "explicit.xlsx")
    again = load_instance(book)
    assert_same_instance(explicit, again)
    assert again.meta["feeder_legs"] == "sheet 'feeder_legs'"
    assert "already multiplied by demand_scale 1.5" in again.meta["notes"]


def test_tiny_round_trip_solves_to_the_same_optimum(tiny_dir, tiny_xlsx, tmp_path):
    a = run("freight", "solve", tiny_dir, "--out", tmp_path / "a", "--json", "--quiet", "--no-report")
    b = run("freight", "solve", tiny_xlsx, "--out", tmp_path / "b", "--json", "--quiet", "--no-report")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    sa, sb = json.loads(a.stdout), json.loads(b.stdout)
    assert sb["status"] == "optimal" and sb["objective"] == pytest.approx(sa["objective"], rel=1e-9)
    assert sb["baseline"]["objective"] == pytest.approx(sa["baseline"]["objective"], rel=1e-9)
    assert sb["kpis"]["services_open"] == sa["kpis"]["services_open"]
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a" / "services.csv"), pd.read_csv(tmp_path / "b" / "services.csv"))


@pytest.mark.slow
def test_landbridge_round_trip_solves_to_the_same_optimum(tmp_path):
    book = export(LANDBRIDGE, tmp_path / "landbridge.xlsx")
    assert_same_instance(load_instance(LANDBRIDGE), load_instance(book))
    a = run("freight", "solve", LANDBRIDGE, "--out", tmp_path / "a", "--time-limit", 120, "--json", "--quiet", "--no-report")
    b = run("freight", "solve", book, "--out", tmp_path / "b", "--time-limit", 120, "--json", "--quiet", "--no-report")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    sa, sb = json.loads(a.stdout), json.loads(b.stdout)
    assert sa["status"] == sb["status"] == "optimal"
    assert sb["objective"] == pytest.approx(sa["objective"], rel=1e-9)
    assert sb["baseline"]["objective"] == pytest.approx(sa["baseline"]["objective"], rel=1e-9)


def test_validate_reads_a_workbook(tiny_xlsx):
    res = run("validate", tiny_xlsx, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["name"] == "tiny" and out["sizes"]["cities"] == 3


def test_a_batch_base_may_be_a_workbook(tiny_xlsx, tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text("model: freight\nbase: tiny.xlsx\nscenarios:\n  - {name: closed, set: {closed_hubs: H_LANZHOU}}\nsweep: {demand_scale: [1.0, 1.2]}\n")
    res = run("batch", spec, "--out", tmp_path / "out", "--workers", 1, "--quiet", "--no-report")
    assert res.exit_code == 0, res.output
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    book = pd.read_excel(tmp_path / "out" / "summary.xlsx", sheet_name="summary", engine="openpyxl")
    assert list(book["scenario"]) == list(summary["scenario"]) == ["closed", "demand_scale=1", "demand_scale=1.2"]
    assert book["objective"].tolist() == pytest.approx(summary["objective"].tolist(), rel=1e-9)
    assert openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["summary"].freeze_panes == "A2"
    results = openpyxl.load_workbook(tmp_path / "out" / "runs" / "closed" / "results.xlsx")
    assert results.sheetnames[0] == "KPIs"


# --------------------------------------------------------------------------------- what a planner's workbook may hold


def test_trailing_empty_rows_and_a_notes_column_are_not_errors(tiny_xlsx):
    def change(wb):
        ws = wb["demand"]
        ws["G1"] = None
        ws["G2"] = "to be confirmed with the city"  # a column with no header, right of the table
        ws["H3"] = 42
        for row in range(5, 9):
            ws.cell(row=row, column=1, value=None)  # rows that exist but hold nothing
            ws.cell(row=row, column=7, value=None)
        ws["G10"] = "notes only on this row"
        wb["cities"]["I1"] = None
        wb["cities"]["I4"] = "="  # text, even the odd one

    edit(tiny_xlsx, change)
    inst = load_instance(tiny_xlsx)
    assert len(inst.demand) == 3 and inst.meta["warnings"] == []


def _cache_formula(path: Path, sheet_part: str, cell: str, value: str) -> None:
    """Give the formula in ``cell`` the saved value ``value``, as Excel writes it when it saves."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = parts[sheet_part].decode()
    xml, n = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>|(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v></v>', lambda m: (m.group(1) or m.group(2)) + f"<v>{value}</v>", xml)
    if n == 0:
        xml, n = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)', lambda m: m.group(1) + f"<v>{value}</v>", xml)
    assert n == 1, xml[:500]
    parts[sheet_part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _sheet_part(path: Path, title: str) -> str:
    wb = openpyxl.load_workbook(path)
    return f"xl/worksheets/sheet{wb.sheetnames.index(title) + 1}.xml"


def test_formulas_are_read_as_their_saved_values(tiny_xlsx):
    edit(tiny_xlsx, lambda wb: wb["demand"].__setitem__("C2", "=500*2"))
    _cache_formula(tiny_xlsx, _sheet_part(tiny_xlsx, "demand"), "C2", "1000")
    assert load_instance(tiny_xlsx).demand.loc[0, "teu"] == 1000.0


def test_a_formula_without_a_saved_value_is_named(tiny_xlsx):
    edit(tiny_xlsx, lambda wb: wb["demand"].__setitem__("C3", "=100*3"))
    found = problems(tiny_xlsx)
    assert any(p.sheet == "demand" and p.row == 3 and p.column == "teu" and "formula without a saved value" in p.message for p in found)


# ------------------------------------------------------------------------------------------------ bad input


def refused(res, *words):
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    for w in words:
        assert w in res.output, res.output


def test_text_in_a_numeric_cell_exits_2_naming_sheet_row_and_column(tiny_xlsx):
    edit(tiny_xlsx, lambda wb: wb["services"].__setitem__("E3", "1.9 million"))
    refused(run("validate", tiny_xlsx), "tiny.xlsx, sheet 'services', row 3, column 'cost_per_train' (cell E3): not a number: '1.9 million'")
    refused(run("freight", "solve", tiny_xlsx, "--quiet"), "sheet 'services', row 3, column 'cost_per_train'")


def test_a_missing_sheet_exits_2_and_a_near_name_is_pointed_to(tiny_xlsx):
    def change(wb):
        del wb["gateways"]
        wb["hubs"].title = "renamed"  # openpyxl would make "Hubs1" of "Hubs" straight away
        wb["renamed"].title = "Hubs"

    edit(tiny_xlsx, change)
    res = run("validate", tiny_xlsx)
    refused(res, "sheet 'gateways': missing sheet (the table gateways)", "sheet 'hubs': missing sheet (the table hubs); sheet 'Hubs' is not read")


def test_a_renamed_column_exits_2_naming_the_sheet_and_both_names(tiny_xlsx):
    edit(tiny_xlsx, lambda wb: wb["demand"].__setitem__("C1", "TEU"))
    refused(run("validate", tiny_xlsx), "sheet 'demand', column 'teu': missing column (the header has unknown columns: TEU)")


def test_a_merged_header_exits_2_naming_sheet_row_and_column(tiny_xlsx):
    edit(tiny_xlsx, lambda wb: wb["demand"].merge_cells("B1:C1"))
    refused(run("validate", tiny_xlsx), "sheet 'demand', row 1, column 'destination' (cell B1): merged cells B1:C1 in the header")
    assert ("demand", 1, "destination", "B1") in where(tiny_xlsx)


def test_merged_data_cells_are_named(tiny_xlsx):
    edit(tiny_xlsx, lambda wb: wb["demand"].merge_cells("D2:D3"))
    assert ("demand", 2, "return_teu", "D2") in where(tiny_xlsx)


def test_every_problem_is_listed_at_once_with_its_cell(tiny_xlsx):
    def change(wb):
        wb["cities"]["E3"] = "far east"  # lon
        wb["hubs"]["A3"] = "H_XIAN"  # duplicate id
        wb["demand"]["B4"] = "PARIS"  # unknown destination

    edit(tiny_xlsx, change)
    found = where(tiny_xlsx)
    assert {("cities", 3, "lon", "E3"), ("hubs", 3, "hub_id", "A3"), ("demand", 4, "destination", "B4")} <= found


def test_the_instance_sheet_names_its_row_and_column(tiny_xlsx):
    def change(wb):
        ws = wb["instance"]
        rows = {ws.cell(row=i, column=1).value: i for i in range(2, ws.max_row + 1)}
        ws.cell(row=rows["unserved_penalty"], column=2, value="a lot")
        ws.cell(row=rows["closed_hubs"], column=2, value="H_NOWHERE")
        ws.append(["max_hub", 3])
        ws.append(["circuity", 1.3])  # given twice

    edit(tiny_xlsx, change)
    found = problems(tiny_xlsx)
    text = "\n".join(map(str, found))
    assert "sheet 'instance', row " in text and "column 'value' (cell B" in text
    assert "not a number: 'a lot'" in text and "unknown hub ids H_NOWHERE (not in sheet 'hubs')" in text
    assert "unknown key 'max_hub'" in text and "'circuity' is given twice" in text
    assert all(p.sheet == "instance" and p.row is not None for p in found)


def test_a_missing_instance_sheet_or_key_column_is_named(tiny_xlsx):
    edit(tiny_xlsx, lambda wb: wb["instance"].__setitem__("A1", "setting"))
    assert ("instance", None, "key", None) in where(tiny_xlsx)
    edit(tiny_xlsx, lambda wb: wb.remove(wb["instance"]))
    refused(run("validate", tiny_xlsx), "sheet 'instance': missing sheet")
