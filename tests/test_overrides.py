"""Scenario overrides: ``--set KEY=VALUE`` parsing, typing, range checks and their effect on the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import write_folder
from optimizer.errors import InputError
from optimizer.instance.load import load_instance
from optimizer.instance.overrides import apply_overrides, parse_set, settable_names


@pytest.fixture
def tiny(tiny_dir):
    return load_instance(tiny_dir)


def test_parse_set():
    assert parse_set(["demand_scale=1.5", " closed_hubs = A,B ", "max_days="]) == {"demand_scale": "1.5", "closed_hubs": "A,B", "max_days": ""}
    assert parse_set([]) == {}


def test_parse_set_bad_syntax_lists_every_item():
    with pytest.raises(InputError) as info:
        parse_set(["demand_scale", "=3", "max_days=3", "max_days=4"])
    text = str(info.value)
    assert "3 problems found" in text
    assert "expected KEY=VALUE, got 'demand_scale'" in text and "expected KEY=VALUE, got '=3'" in text
    assert "column 'max_days': given more than once" in text


def test_input_is_untouched_and_overrides_recorded(tiny):
    before = tiny.copy()
    new = apply_overrides(tiny, {"demand_scale": "2", "single_sourcing": "true", "unserved_penalty": 1e6, "max_open_hubs": "1"})
    for name in ("demand", "services", "destinations", "feeder_legs"):
        pd.testing.assert_frame_equal(getattr(tiny, name), getattr(before, name))
    assert tiny.params == before.params and tiny.meta == before.meta
    assert new.params["single_sourcing"] is True and new.params["unserved_penalty"] == 1e6 and new.params["max_open_hubs"] == 1
    assert new.meta["overrides"] == {"demand_scale": 2.0, "single_sourcing": True, "unserved_penalty": 1e6, "max_open_hubs": 1}


def test_demand_scale_scales_both_directions_and_composes(tiny):
    once = apply_overrides(tiny, {"demand_scale": "2"})
    assert once.demand["teu"].tolist() == [2000.0, 600.0, 400.0]
    assert once.demand["return_teu"].tolist() == [800.0, 0.0, 100.0]
    twice = apply_overrides(once, {"demand_scale": 0.5})
    assert twice.demand["teu"].tolist() == [1000.0, 300.0, 200.0]
    assert twice.params["demand_scale"] == 1.0


def test_row_parameters_rewrite_every_row(tiny):
    new = apply_overrides(tiny, parse_set(["train_capacity_teu=100", "max_hubs_per_destination=2", "max_days=30"]))
    assert new.services["train_capacity_teu"].tolist() == [100.0, 100.0, 100.0]  # LZ-DUI had 82 in the file
    assert new.destinations["max_hubs"].tolist() == [2.0, 2.0]  # Almaty had 1 in the file
    assert new.demand["max_days"].tolist() == [30.0, 30.0, 30.0]  # Tianshui→Almaty had 20
    unlimited = apply_overrides(new, {"max_hubs_per_destination": "none", "max_days": "inf"})
    assert unlimited.destinations["max_hubs"].tolist() == [np.inf, np.inf]
    assert unlimited.demand["max_days"].tolist() == [np.inf] * 3
    assert unlimited.params["max_hubs_per_destination"] is None


def test_closed_hubs_as_string_or_list(tiny):
    assert apply_overrides(tiny, {"closed_hubs": "H_XIAN, H_LANZHOU"}).params["closed_hubs"] == ("H_XIAN", "H_LANZHOU")
    assert apply_overrides(tiny, {"closed_hubs": ["H_LANZHOU"]}).params["closed_hubs"] == ("H_LANZHOU",)
    assert apply_overrides(tiny, {"closed_hubs": ""}).params["closed_hubs"] == ()


def test_bad_keys_and_values_are_all_reported(tiny):
    with pytest.raises(InputError) as info:
        apply_overrides(
            tiny,
            {
                "demand_scal": "2",  # typo
                "demand_scale": "-1",
                "train_capacity_teu": "0",
                "max_hubs_per_destination": "1.5",
                "single_sourcing": "perhaps",
                "closed_hubs": "H_XIAN,H_ATLANTIS",
                "unserved_penalty": "inf",
                "feeder_mode": "ship",
            },
        )
    err = info.value
    assert {p.column for p in err.problems} == {
        "demand_scal", "demand_scale", "train_capacity_teu", "max_hubs_per_destination", "single_sourcing", "closed_hubs", "unserved_penalty", "feeder_mode",
    }
    text = str(err)
    assert "column 'demand_scal': unknown parameter (valid: " + ", ".join(settable_names()) + ")" in text
    assert "must be at least 0, not -1" in text and "must be greater than 0, not 0" in text
    assert "not a whole number: '1.5'" in text and "not a boolean: 'perhaps'" in text
    assert "unknown hub ids H_ATLANTIS" in text and "must be a finite number" in text
    assert "must be one of road | rail | auto" in text
    assert err.exit_code == 2


def test_feeder_parameters_rederive_derived_legs(tiny):
    new = apply_overrides(tiny, {"feeder_cost_per_teu_km": "road:8"})
    old_legs = tiny.feeder_legs.set_index(["city_id", "hub_id"])
    legs = new.feeder_legs.set_index(["city_id", "hub_id"])
    assert legs.loc[("BAOJI", "H_XIAN"), "cost_per_teu"] == pytest.approx(2 * old_legs.loc[("BAOJI", "H_XIAN"), "cost_per_teu"])
    assert new.params["feeder_cost_per_teu_km"] == {"road": 8.0, "rail": 1.6}
    shorter = apply_overrides(tiny, {"max_feeder_km": 300})
    assert (shorter.feeder_legs["distance_km"] <= 300).all() and len(shorter.feeder_legs) < len(tiny.feeder_legs)


def test_feeder_parameters_do_not_touch_explicit_legs(tiny_files, tmp_path):
    tiny_files["feeder_legs.csv"] = "city_id,hub_id,cost_per_teu\nBAOJI,H_XIAN,700\nTIANSHUI,H_LANZHOU,900\n"
    inst = load_instance(write_folder(tmp_path / "legs", tiny_files))
    new = apply_overrides(inst, {"circuity": "1.5"})
    pd.testing.assert_frame_equal(new.feeder_legs, inst.feeder_legs)
    assert new.meta["warnings"] == ["circuity: no effect, the feeder legs are given explicitly"]
    assert inst.meta["warnings"] == []
