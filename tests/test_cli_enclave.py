"""``optimizer share enclave`` end to end: output files, --json, exit codes 0 / 2 / 3, atomic run folders."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from optimizer.cli import main

ROOT = Path(__file__).resolve().parents[1]
BTH = ROOT / "instances" / "enclave" / "bth-relocated-firm" / "case.yaml"

CASE = {
    "name": "cli-case",
    "start_year": 2025,
    "discount_rate": 0.0,
    "units": "million CNY",
    "parties": [
        {"id": "origin", "role": "originating", "contributions": {"capital": 70}},
        {"id": "host", "role": "receiving", "contributions": {"land": 30}, "disagreement": 20},
    ],
    "revenues": {"tax": [100, 100], "gdp": [800, 900]},
    "constraints": {"origin_cap": 60},
    "fixed_rule": {"shares": {"tax": {"origin": 0.5, "host": 0.5}}},
}


def write_case(tmp_path: Path, data: dict, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(main, ["share", "enclave", *args])


def test_nash_writes_summary_and_shares(tmp_path):
    out = tmp_path / "run"
    r = run(str(write_case(tmp_path, CASE)), "--rule", "nash", "--out", str(out))
    assert r.exit_code == 0, r.output
    summary = json.loads((out / "summary.json").read_text())
    for key in ("status", "rule", "case", "years", "npv", "gain", "shares", "amounts", "binding", "approximation_gap"):
        assert key in summary
    assert summary["status"] == "optimal" and summary["rule"] == "nash" and summary["case"] == "cli-case"
    assert summary["years"] == [2025, 2026]
    # the cap of 60 binds: without it the surplus 180 would be split 90 / 90 (origin NPV 90)
    assert summary["npv"]["origin"] == pytest.approx(60, rel=1e-6)
    assert summary["binding"][0]["constraint"] == "origin_cap"
    assert summary["shares"]["gdp"] == summary["shares"]["tax"]  # gdp follows tax
    table = pd.read_csv(out / "shares.csv")
    assert list(table.columns) == ["year", "stream", "party", "share", "amount"]
    assert len(table) == 2 * 2 * 2  # years × streams × parties
    assert table.groupby(["year", "stream"])["share"].sum().tolist() == pytest.approx([1.0] * 4)
    assert "cap on origin's cumulative receipts from tax (60): binding" in r.stderr


def test_json_goes_to_stdout_and_progress_to_stderr(tmp_path):
    r = run(str(write_case(tmp_path, CASE)), "--rule", "proportional", "--out", str(tmp_path / "o"), "--json")
    assert r.exit_code == 0
    summary = json.loads(r.stdout)
    assert summary["rule"] == "proportional" and summary["npv"]["origin"] == pytest.approx(60)
    assert "rule proportional" in r.stderr
    quiet = run(str(write_case(tmp_path, CASE)), "--rule", "proportional", "--out", str(tmp_path / "q"), "--json", "--quiet")
    assert quiet.stderr == "" and json.loads(quiet.stdout)["rule"] == "proportional"


def test_fixed_rule_reports_violations(tmp_path):
    out = tmp_path / "fixed"
    r = run(str(write_case(tmp_path, CASE)), "--rule", "fixed", "--out", str(out))
    assert r.exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "evaluated"
    # 50:50 of 2 × 100 gives origin 100 > its cap of 60
    assert [v["family"] for v in summary["violations"]] == ["origin_cap"]
    assert summary["violations"][0]["shortfall"] == pytest.approx(40)
    assert "violated: cap on origin's cumulative receipts" in r.stderr


def test_default_run_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(str(write_case(tmp_path, CASE)), "--rule", "egalitarian", "--quiet")
    assert r.exit_code == 0, r.output
    folders = list((tmp_path / "results").glob("cli-case-egalitarian-*"))
    assert len(folders) == 1 and (folders[0] / "summary.json").is_file()


def test_invalid_case_exits_2_with_key_paths(tmp_path):
    bad = json.loads(json.dumps(CASE))
    bad["parties"][1]["contributions"]["land"] = "a lot"
    bad["discount_rate"] = 3
    r = run(str(write_case(tmp_path, bad)), "--rule", "nash", "--out", str(tmp_path / "o"))
    assert r.exit_code == 2
    assert "parties[1].contributions.land: must be a number at least 0, not 'a lot'" in r.stderr
    assert "discount_rate: must be at most 1, not 3" in r.stderr
    assert re.search(r"case\.yaml, line \d+, column \d+: discount_rate:", r.stderr), r.stderr
    assert "Traceback" not in r.output
    assert not (tmp_path / "o").exists()


def test_missing_file_and_unknown_rule_exit_2(tmp_path):
    assert run(str(tmp_path / "nope.yaml"), "--rule", "nash").exit_code == 2
    assert run(str(write_case(tmp_path, CASE)), "--rule", "shapley").exit_code == 2


def test_infeasible_exits_3_and_keeps_the_earlier_run(tmp_path):
    out = tmp_path / "run"
    assert run(str(write_case(tmp_path, CASE)), "--rule", "nash", "--out", str(out)).exit_code == 0
    before = (out / "summary.json").read_text()
    bad = json.loads(json.dumps(CASE))
    bad["constraints"]["guaranteed_minimum"] = [{"party": "origin", "amount": 70}]  # > its cap of 60 over two years
    r = run(str(write_case(tmp_path, bad, "bad.yaml")), "--rule", "nash", "--out", str(out))
    assert r.exit_code == 3
    assert "cap on origin's cumulative receipts from tax (60)" in r.stderr
    # either year's guarantee alone exceeds the cap: the conflict names the cap and one of them
    assert r.stderr.count("guaranteed minimum for origin in 202") == 1 and "at least 70 from tax" in r.stderr
    assert (out / "summary.json").read_text() == before


def test_subprocess_exit_codes(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    ok = subprocess.run(
        [sys.executable, "-m", "optimizer", "share", "enclave", str(BTH), "--rule", "fixed", "--json", "--quiet", "--out", str(tmp_path / "bth")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    summary = json.loads(ok.stdout)
    # 50:50 of 20, 26, 30, 34 and the last 17 of 36 (cap 72 reached in 2029)
    assert summary["totals"]["tax"]["beijing"] == pytest.approx(72)
    assert summary["shares"]["tax"]["beijing"][4] == pytest.approx(17 / 36)
    bad = write_case(tmp_path, {**CASE, "start_year": "soon"})
    err = subprocess.run(
        [sys.executable, "-m", "optimizer", "share", "enclave", str(bad), "--rule", "nash"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert err.returncode == 2
    assert "start_year: must be a whole number" in err.stderr and "Traceback" not in err.stderr
