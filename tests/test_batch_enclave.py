"""Enclave batches: rules and case values as scenario overrides, checked before anything runs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from optimizer.batch.enclave_engine import get_path, set_path
from optimizer.cli import main

# Two parties, one year, 100 of tax, nothing secured without the deal (disagreement 0):
# nash splits the discounted surplus equally, proportional follows contributions 60 : 40.
CASE = """\
name: two
start_year: 2025
discount_rate: 0
parties:
  - {id: origin, role: originating, contributions: {capital: 60}, disagreement: 0}
  - {id: host, role: receiving, contributions: {land: 40}, disagreement: 0}
revenues:
  tax: [100]
"""


def files(tmp_path, scenarios: str):
    (tmp_path / "case.yaml").write_text(CASE, encoding="utf-8")
    spec = tmp_path / "rules.yaml"
    spec.write_text("model: enclave\nbase: case.yaml\noptions: {rule: nash}\n" + scenarios, encoding="utf-8")
    return spec


def test_rules_and_rates_swept(tmp_path):
    spec = files(
        tmp_path,
        "scenarios:\n  - {name: host-needs-70, set: {parties.host.disagreement: 70}}\n"
        "sweep:\n  rule: [nash, proportional]\n  discount_rate: [0, 0.25]\n",
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["batch", str(spec), "--workers", "2", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out / "summary.csv").set_index("scenario")
    # discount 0.25: one year's 100 is worth 100 / 1.25 = 80 today
    expected = {
        "rule=nash,discount_rate=0": (50, 50),
        "rule=nash,discount_rate=0.25": (40, 40),
        "rule=proportional,discount_rate=0": (60, 40),
        "rule=proportional,discount_rate=0.25": (48, 32),
    }
    # (nash's tangent-cut approximation gets the split to about the square root of its tolerance)
    for name, (o, h) in expected.items():
        assert df.loc[name, "npv.origin"] == pytest.approx(o, rel=1e-4), name
        assert df.loc[name, "npv.host"] == pytest.approx(h, rel=1e-4), name
    # host secures 70 alone, so the surplus over (0, 70) is 30, split equally: 15 and 85
    assert df.loc["host-needs-70", "npv.origin"] == pytest.approx(15, rel=1e-4)
    assert df.loc["host-needs-70", "npv.host"] == pytest.approx(85, rel=1e-4)
    assert df.loc["host-needs-70", "parties.host.disagreement"] == 70
    assert df.loc["rule=nash,discount_rate=0", "parties.host.disagreement"] == 0  # the base value
    assert set(df["status"]) == {"optimal"} and df["has_plan"].all()
    run = out / "runs" / "rule=proportional,discount_rate=0.25"
    shares = pd.read_csv(run / "shares.csv")
    assert list(shares["share"]) == pytest.approx([0.6, 0.4])
    assert json.loads((run / "summary.json").read_text())["rule"] == "proportional"


def test_every_bad_override_is_named(tmp_path):
    spec = files(
        tmp_path,
        """\
scenarios:
  - {name: nobody, set: {parties.nobody.weight: 2}}
  - {name: rate, set: {discount_rate: 2}}
  - {name: written, set: {rule: fixed}}
  - {name: unknown-rule, set: {rule: coin-toss}}
  - {name: scale, set: {revenue_scale: -1}}
  - {name: deep, set: {discount_rate.x: 1}}
  - {name: fine, set: {discount_rate: 0.1}}
""",
    )
    res = CliRunner().invoke(main, ["batch", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    for text in (
        "scenario 'nobody' (scenarios[0]): parties.nobody: no item 'nobody' (ids: origin, host)",
        "scenario 'rate' (scenarios[1]): discount_rate:",
        "scenario 'written' (scenarios[2]): rule: fixed evaluates the case's fixed_rule, and this case has none",
        "scenario 'unknown-rule' (scenarios[3]): rule: must be one of",
        "scenario 'scale' (scenarios[4]): revenue_scale: must be a number >= 0",
        "scenario 'deep' (scenarios[5]): discount_rate.x: discount_rate is a int",
    ):
        assert text in res.output, (text, res.output)
    assert "'fine'" not in res.output
    assert not (tmp_path / "out").exists()


def test_an_infeasible_scenario_does_not_stop_the_others(tmp_path):
    # the host is guaranteed 90 of the year's 100, the origin at least half of it: no split fits
    spec = files(
        tmp_path,
        "scenarios:\n  - name: impossible\n    set:\n      constraints.guaranteed_minimum: [{party: host, amount: 90}]\n"
        "      constraints.share_limits: [{party: origin, min: 0.5}]\n  - {name: fine}\n",
    )
    res = CliRunner().invoke(main, ["batch", str(spec), "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"])
    df = pd.read_csv(tmp_path / "out" / "summary.csv").set_index("scenario")
    assert df.loc["impossible", "status"] == "infeasible" and not df.loc["impossible", "has_plan"]
    assert df.loc["impossible", "reason"]
    assert df.loc["fine", "status"] == "optimal"
    assert res.exit_code == 3  # some scenario has no split, none failed with an error


def test_dotted_paths():
    doc = {"parties": [{"id": "a", "weight": 1}], "constraints": {}}
    set_path(doc, "parties.a.weight", 3)
    set_path(doc, "constraints.buffer.years", 2)
    set_path(doc, "parties.0.id", "b")
    assert doc == {"parties": [{"id": "b", "weight": 3}], "constraints": {"buffer": {"years": 2}}}
    assert get_path(doc, "constraints.buffer.years") == 2
    assert get_path(doc, "parties.b.weight") == 3
    assert get_path(doc, "parties.zz.weight") is None and get_path(doc, "nothing.here") is None
    with pytest.raises(ValueError, match="not a dotted path"):
        set_path(doc, "a..b", 1)
