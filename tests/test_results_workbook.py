"""results.xlsx of every freight run and summary.xlsx of a batch: they open, the KPI sheet comes first,
numbers are numbers with number formats, headers are frozen and bold, columns sized."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_freight_run_gets_results_xlsx_with_the_kpis_first(tiny_dir, tmp_path):
    res = run("freight", "solve", tiny_dir, "--out", tmp_path / "run", "--json", "--quiet", "--no-report")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    wb = openpyxl.load_workbook(tmp_path / "run" / "results.xlsx")
    assert wb.sheetnames == ["KPIs", "flows", "services", "hubs", "unserved", "changes", "nodes", "sensitivity"]
    kpis = wb["KPIs"]
    assert [c.value for c in kpis[1]] == ["kpi", "key", "unit", "today", "optimised", "difference", "change"]
    rows = {r[1].value: r for r in kpis.iter_rows(min_row=2)}
    total = rows["total_cost"]
    assert isinstance(total[4].value, float) and total[4].value == pytest.approx(summary["kpis"]["total_cost"])
    assert total[3].value == pytest.approx(summary["baseline"]["kpis"]["total_cost"])
    assert total[4].number_format == "#,##0" and rows["avg_load_factor"][4].number_format == "0.0%"
    assert rows["services_open"][4].value == summary["kpis"]["services_open"]
    assert rows["status"][4].value == "optimal"
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    services = wb["services"]
    header = [c.value for c in services[1]]
    assert isinstance(services.cell(row=2, column=header.index("trains") + 1).value, (int, float))
    assert services.column_dimensions["B"].width >= len("service_id")
    assert len(list(services.iter_rows(min_row=2))) == len(pd.read_csv(tmp_path / "run" / "services.csv"))


def test_a_batch_writes_summary_xlsx_beside_summary_csv(tiny_dir, tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"model: freight\nbase: {tiny_dir}\nsweep: {{train_capacity_teu: [60, 82]}}\n")
    res = run("batch", spec, "--out", tmp_path / "out", "--workers", 1, "--quiet", "--no-report")
    assert res.exit_code == 0, res.output
    csv = pd.read_csv(tmp_path / "out" / "summary.csv")
    wb = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    ws = wb["summary"]
    header = [c.value for c in ws[1]]
    assert header == list(csv.columns) and ws.freeze_panes == "A2"
    objective = [r[header.index("objective")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, float) for v in objective) and objective == pytest.approx(csv["objective"].tolist(), rel=1e-9)
    assert ws.cell(row=2, column=header.index("objective") + 1).number_format == "#,##0"
    for scenario in csv["scenario"]:
        assert openpyxl.load_workbook(tmp_path / "out" / "runs" / scenario / "results.xlsx").sheetnames[0] == "KPIs"
