"""``optimizer share game`` end to end: CliRunner and a real subprocess, exit codes, run folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.cli import main

ROOT = Path(__file__).resolve().parents[1]
GAMES_DIR = ROOT / "instances" / "games"


def run(*args):
    return CliRunner().invoke(main, ["share", "game", *map(str, args)])


def test_json_output_of_the_talmud_nucleolus():
    result = run(GAMES_DIR / "talmud-200.json", "--rule", "nucleolus", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rule"] == "nucleolus" and summary["status"] == "optimal"
    assert summary["kind"] == "bankruptcy" and summary["convention"] == "profit"
    assert summary["allocation"] == pytest.approx({"wife1": 50, "wife2": 75, "wife3": 75})
    # the first level: e(wife1) = 0 - 50 and e(wife2,wife3) = 100 - 150 are both -50
    first = summary["excess_levels"][0]
    assert first["level"] == pytest.approx(-50)
    assert sorted(first["coalitions"]) == ["wife1", "wife2,wife3"]


def test_text_output_and_progress_on_stderr():
    result = run(GAMES_DIR / "majority.json", "--rule", "core")
    assert result.exit_code == 0
    assert "empty_core" in result.stdout
    assert "least-core epsilon: 0.333333" in result.stdout
    assert "NOT in the core" in result.stdout
    assert "rule core" in result.stderr  # progress goes to stderr
    quiet = run(GAMES_DIR / "majority.json", "--rule", "core", "--quiet")
    assert quiet.stderr == ""


def test_out_writes_summary_and_allocation_table(tmp_path):
    out = tmp_path / "banzhaf-run"
    result = run(GAMES_DIR / "glove.json", "--rule", "banzhaf", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["allocation"] == pytest.approx({"l": 0.6, "r1": 0.2, "r2": 0.2})
    assert summary["raw_index"] == pytest.approx({"l": 0.75, "r1": 0.25, "r2": 0.25})
    table = pd.read_csv(out / "allocation.csv")
    assert list(table.columns) == ["player", "allocation", "stand_alone", "raw_index"]
    assert table["allocation"].sum() == pytest.approx(1)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["allocation.csv", "summary.json"]


def test_cost_game_shapley_in_cost_convention(tmp_path):
    result = run(GAMES_DIR / "airport.json", "--rule", "shapley", "--json", "-q")
    summary = json.loads(result.stdout)
    assert summary["convention"] == "cost" and summary["grand_coalition_value"] == 30
    assert summary["allocation"] == pytest.approx({"a": 1.6, "b": 2.6, "c": 2.6, "d": 6.6, "e": 16.6})


def test_invalid_file_exits_2_naming_file_and_key_and_keeps_an_earlier_run(tmp_path):
    out = tmp_path / "run"
    assert run(GAMES_DIR / "three-towns.json", "--rule", "shapley", "--out", out, "-q").exit_code == 0
    before = (out / "summary.json").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"players": ["a", "b"], "kind": "profit", "values": {"a": 1, "a,z": 2}}))
    result = run(bad, "--rule", "shapley", "--out", out, "-q")
    assert result.exit_code == 2
    assert "bad.json" in result.stderr and "values['a,z']: unknown player 'z'" in result.stderr
    assert "Traceback" not in result.output
    assert (out / "summary.json").read_text() == before


def test_empty_imputation_set_exits_3(tmp_path):
    game = tmp_path / "g.json"
    game.write_text(json.dumps({"players": ["a", "b"], "kind": "profit", "values": {"a": 5, "b": 5, "a,b": 6}}))
    result = run(game, "--rule", "nucleolus")
    assert result.exit_code == 3
    assert "no allocation is individually rational" in result.stderr
    assert run(game, "--rule", "prenucleolus").exit_code == 0


def test_unknown_rule_is_a_usage_error():
    result = run(GAMES_DIR / "glove.json", "--rule", "median")
    assert result.exit_code == 2
    assert "Invalid value for '--rule'" in result.output


def test_subprocess_exit_codes(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "optimizer", "share", "game", str(GAMES_DIR / "pitfall.json"), "--rule", "nucleolus", "--json", "-q"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["allocation"] == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0}, abs=1e-9)
    bad = tmp_path / "broken.json"
    bad.write_text('{"kind": "airport", "costs": {"a": 1,}}')
    failed = subprocess.run(
        [sys.executable, "-m", "optimizer", "share", "game", str(bad), "--rule", "shapley"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert failed.returncode == 2
    assert "broken.json" in failed.stderr and "invalid JSON at line 1" in failed.stderr
    assert failed.stdout == ""


def test_large_generated_games_through_the_cli(tmp_path):
    # 40 equal claims of 10 and an estate of 100: by symmetry every rule gives 2.5 each
    claims = {f"c{i}": 10 for i in range(40)}
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"kind": "bankruptcy", "estate": 100, "claims": claims}))
    result = run(path, "--rule", "nucleolus", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["allocation"] == pytest.approx({p: 2.5 for p in claims})
    # no exact Shapley value for a 40-player bankruptcy game: exit 2, the reason named
    result = run(path, "--rule", "shapley")
    assert result.exit_code == 2
    assert "exact only up to 20 players" in result.output


def test_a_game_beyond_the_search_budget_exits_2_with_the_reason(tmp_path, monkeypatch):
    from optimizer.sharing import nucleolus

    monkeypatch.setattr(nucleolus, "MAX_SCANNED", 1)  # a budget any search for a violated coalition exceeds
    claims = {f"c{i}": 10 + i for i in range(30)}
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"kind": "bankruptcy", "estate": 150, "claims": claims}))
    result = run(path, "--rule", "nucleolus")
    assert result.exit_code == 2
    assert "too large for an exact nucleolus" in result.output and "Traceback" not in result.output
