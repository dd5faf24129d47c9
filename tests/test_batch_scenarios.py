"""Scenario files: shape checks, sweep expansion, naming, hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.batch.scenarios import (
    content_hash,
    format_value,
    load_spec,
    safe_name,
    scenario_hash,
    sweep_name,
)
from optimizer.errors import InputError


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    (tmp_path / "base").mkdir(exist_ok=True)
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(exc: InputError) -> list[str]:
    return [p.message for p in exc.problems]


def test_sweep_is_the_cartesian_product_last_key_fastest(tmp_path):
    spec = load_spec(
        write(
            tmp_path,
            "model: freight\nbase: base\nsweep:\n  demand_scale: [0.8, 1.0, 1.2]\n  max_hubs_per_destination: [1, 2]\n",
        )
    )
    names = [s.name for s in spec.scenarios]
    assert names == [
        "demand_scale=0.8,max_hubs_per_destination=1",
        "demand_scale=0.8,max_hubs_per_destination=2",
        "demand_scale=1,max_hubs_per_destination=1",
        "demand_scale=1,max_hubs_per_destination=2",
        "demand_scale=1.2,max_hubs_per_destination=1",
        "demand_scale=1.2,max_hubs_per_destination=2",
    ]
    assert spec.scenarios[3].overrides == {"demand_scale": 1.0, "max_hubs_per_destination": 2}
    assert spec.sweep_keys == ("demand_scale", "max_hubs_per_destination")
    assert spec.base == (tmp_path / "base").resolve()
    assert spec.override_keys == ["demand_scale", "max_hubs_per_destination"]


def test_named_scenarios_come_first_and_common_set_is_underneath(tmp_path):
    spec = load_spec(
        write(
            tmp_path,
            """\
model: freight
base: base
options: {time_limit: 5}
set: {unserved_penalty: 1000, demand_scale: 2}
scenarios:
  - name: xian-closed
    set: {closed_hubs: [XIAN]}
  - name: base-case
sweep:
  demand_scale: [0.5]
""",
        )
    )
    assert [s.name for s in spec.scenarios] == ["xian-closed", "base-case", "demand_scale=0.5"]
    assert spec.scenarios[0].overrides == {"unserved_penalty": 1000, "demand_scale": 2, "closed_hubs": ["XIAN"]}
    assert spec.scenarios[1].overrides == {"unserved_penalty": 1000, "demand_scale": 2}
    assert spec.scenarios[2].overrides == {"unserved_penalty": 1000, "demand_scale": 0.5}  # the sweep wins
    assert spec.options == {"time_limit": 5}
    assert spec.scenarios[0].origin == "scenarios[0]"


def test_names_from_values_are_folder_safe():
    assert format_value(["XIAN", "LANZHOU"]) == "XIAN+LANZHOU"
    assert format_value([]) == "none"
    assert format_value(None) == "none"
    assert format_value(True) == "true"
    assert format_value(1e-7) == "1e-07"
    assert format_value({"road": 4, "rail": 1.6}) == "road:4+rail:1.6"
    assert sweep_name({"closed_hubs": "A/B", "x": "a b"}) == "closed_hubs=A_B,x=a_b"
    assert safe_name(".hidden") == "_.hidden"
    long = safe_name("k=" + "v" * 300)
    assert len(long) <= 120 and "/" not in long
    assert safe_name("k=" + "v" * 300) == long and safe_name("k=" + "w" * 300) != long


def test_sweep_names_that_collide_after_sanitising_get_a_suffix(tmp_path):
    spec = load_spec(write(tmp_path, "model: freight\nbase: base\nsweep:\n  closed_hubs: ['A/B', 'A_B', 'a_b']\n"))
    assert [s.name for s in spec.scenarios] == ["closed_hubs=A_B", "closed_hubs=A_B~2", "closed_hubs=a_b~3"]
    assert len({s.name.casefold() for s in spec.scenarios}) == 3


def test_every_shape_problem_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        """\
model: railway
base: nowhere
colour: blue
options: [1, 2]
scenarios:
  - name: a
    set: {demand_scale: 2}
    extra: 1
  - name: A
  - set: {demand_scale: 3}
  - name: "bad/name"
  - name: ok
    set: [demand_scale, 2]
  - just a string
sweep:
  demand_scale: 0.8
  max_hubs_per_destination: [1, 1]
""",
    )
    with pytest.raises(InputError) as info:
        load_spec(path)
    msgs = problems(info.value)
    expected = [
        "colour: unknown key",
        "model: must be one of freight | enclave | consolidation, not 'railway'",
        "base: 'nowhere' not found",
        "options: must be a mapping",
        "scenarios[0].extra: unknown key",
        "scenarios[2].name: missing",
        "scenarios[3].name: 'bad/name' cannot be a folder name",
        "scenarios[4].set: must be a mapping",
        "scenarios[5]: must be a mapping",
        "sweep.demand_scale: must be a list, not 0.8",
        "sweep.max_hubs_per_destination: value 1 is listed twice",
        "scenarios[1].name: duplicate scenario name 'A' (also scenarios[0])",
    ]
    for text in expected:
        assert any(text in m for m in msgs), (text, msgs)
    assert all(p.file == str(path) for p in info.value.problems)


def test_a_named_scenario_may_not_take_a_sweep_name(tmp_path):
    path = write(
        tmp_path,
        "model: freight\nbase: base\nscenarios:\n  - name: demand_scale=2\nsweep:\n  demand_scale: [2, 3]\n",
    )
    with pytest.raises(InputError, match=r"scenarios\[0\].name: duplicate scenario name 'demand_scale=2'"):
        load_spec(path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("model: freight\nbase: base\n", "no scenarios"),
        ("- a\n- b\n", "must be a mapping \\(key: value\\) with the keys model, base"),
        ("model: freight\nbase: base\nsweep: {}\n", "sweep: must have at least 1 entry, not 0"),
        ("model: freight\nsweep: {a: [1]}\n", "base: missing"),
        ("base: base\nsweep: {a: [1]}\n", "model: missing"),
        ("model: freight\nbase: base\nsweep: {a: [1]\n", "not valid YAML"),
    ],
)
def test_shape_errors(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_spec(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_spec(tmp_path / "absent.yaml")


def test_hashes_change_with_contents_options_and_overrides(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    (base / "a.csv").write_text("x\n1\n")
    (base / ".partial").write_text("ignored")
    h1 = content_hash(base)
    (base / ".partial").write_text("still ignored")
    assert content_hash(base) == h1
    (base / "a.csv").write_text("x\n2\n")
    h2 = content_hash(base)
    assert h2 != h1
    s = scenario_hash("freight", h2, {"time_limit": 5}, {"demand_scale": 1.0, "closed_hubs": ("A",)})
    assert s == scenario_hash("freight", h2, {"time_limit": 5}, {"closed_hubs": ["A"], "demand_scale": 1.0})
    assert s != scenario_hash("freight", h2, {"time_limit": 6}, {"demand_scale": 1.0, "closed_hubs": ("A",)})
    assert s != scenario_hash("freight", h1, {"time_limit": 5}, {"demand_scale": 1.0, "closed_hubs": ("A",)})
    assert s != scenario_hash("freight", h2, {"time_limit": 5}, {"demand_scale": 1.1, "closed_hubs": ("A",)})
