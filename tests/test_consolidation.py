"""The consolidation cost game: coalition values from the freight MIP, the rules on them, the run folder.

The hand-computed game (``TINY``): cities A, B, C (one player each), one hub H, one destination D,
one service H->D with 100 CNY per train of 15 TEU and a fixed cost of 1,000; feeder legs cost
1, 2 and 3 CNY/TEU; A and B ship 10 TEU, C 20 TEU. So c(S) = feeder + 100 * ceil(q(S)/15) + 1000:

    c(A) = 10 + 100 + 1000 = 1110     c(AB) = 30 + 200 + 1000 = 1230
    c(B) = 20 + 100 + 1000 = 1120     c(AC) = 70 + 200 + 1000 = 1270
    c(C) = 60 + 200 + 1000 = 1260     c(BC) = 80 + 200 + 1000 = 1280
                                      c(ABC) = 90 + 300 + 1000 = 1390

Shapley (the six orders of arrival): A (1110+1110+110+110+10+110)/6 = 426.67, B 436.67, C 526.67.
Nucleolus: in savings v(S) = sum c(i) - c(S): v(pairs) = 1000, 1100, 1100, v(N) = 2100, v(i) = 0;
the pair excesses are x_C - 1100, x_B - 1000, x_A - 1000, equal at t = -333.33, so savings
(666.67, 666.67, 766.67) and costs (443.33, 453.33, 493.33); least-core epsilon -333.33.
Proportional to stand-alone: 1390 * c(i) / 3490; its ratios are all equal and it is in the core,
so it is also the equal-profit allocation. Today (one service, 4 trains): 90 + 400 + 1000 = 1490,
attributed A 10 + 350, B 20 + 350, C 60 + 700.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from freight_helpers import tiny_instance

from optimizer.errors import InputError, TooLargeError
from optimizer.freight.run import solve_instance
from optimizer.instance.load import load_instance
from optimizer.instance.write import write_instance
from optimizer.sharing.consolidation import define_players, solve_consolidation
from optimizer.sharing.consolidation.result import open_folder, write_result
from optimizer.sharing.consolidation.separation import Separation
from optimizer.sharing.game_io import load_game
from optimizer.sharing.games import solve_game

C = {"A": 1110.0, "B": 1120.0, "C": 1260.0, "AB": 1230.0, "AC": 1270.0, "BC": 1280.0, "ABC": 1390.0}
SHAPLEY = [2560 / 6, 2620 / 6, 3160 / 6]
NUCLEOLUS = [1110 - 2000 / 3, 1120 - 2000 / 3, 1260 - 2300 / 3]
PROPORTIONAL = [1390 * C[p] / 3490 for p in "ABC"]
TODAY = [360.0, 370.0, 760.0]


def tiny(**params):
    return tiny_instance(
        cities=[{"city_id": c, "province": p} for c, p in (("A", "P1"), ("B", "P1"), ("C", "P2"))],
        hubs=[{"hub_id": "H", "handling_cost": 0.0}],
        destinations=["D"],
        demand=[{"origin": "A", "destination": "D", "teu": 10}, {"origin": "B", "destination": "D", "teu": 10}, {"origin": "C", "destination": "D", "teu": 20}],
        legs=[{"city_id": c, "hub_id": "H", "cost_per_teu": k} for c, k in (("A", 1), ("B", 2), ("C", 3))],
        services=[{"service_id": "S", "hub_id": "H", "destination_id": "D", "cost_per_train": 100, "train_capacity_teu": 15, "fixed_cost": 1000}],
        status_quo=[{"service_id": "S", "trains": 4}],
        assignments=[{"city_id": c, "destination_id": "D", "hub_id": "H"} for c in "ABC"],
        unserved_penalty=1e6,
        **params,
    )


def cost_of(res, members: str) -> float:
    mask = sum(1 << res.players.names.index(p) for p in members)
    return res.cache[mask].cost


@pytest.mark.parametrize("rule,expected", [("shapley", SHAPLEY), ("nucleolus", NUCLEOLUS), ("proportional", PROPORTIONAL), ("equal-profit", PROPORTIONAL)])
def test_tiny_game_by_hand(rule, expected):
    res = solve_consolidation(tiny(), rule, players="city")
    for key, value in C.items():
        assert cost_of(res, key) == pytest.approx(value), key
    assert res.grand == pytest.approx(1390)
    assert res.allocation == pytest.approx(expected, abs=1e-4)
    assert res.allocation.sum() == pytest.approx(1390)
    assert res.stand_alone == pytest.approx([1110, 1120, 1260])
    assert res.today == pytest.approx(TODAY)
    assert res.core["in_core"]
    assert res.core["least_core_epsilon"] == pytest.approx(-1000 / 3, abs=1e-4)


def test_grand_coalition_is_the_freight_optimum():
    inst = tiny()
    res = solve_consolidation(inst, "shapley", players="city")
    assert res.grand == pytest.approx(solve_instance(inst, mip_gap=0.0).summary["objective"])


def test_row_generation_matches_enumeration_on_the_tiny_game():
    for rule in ("nucleolus", "least-core", "equal-profit", "core"):
        enum = solve_consolidation(tiny(), rule, players="city", enumerate_all=True)
        gen = solve_consolidation(tiny(), rule, players="city", enumerate_all=False)
        assert gen.method == "row generation" and enum.method == "enumeration"
        assert gen.allocation == pytest.approx(enum.allocation, abs=1e-3), rule
        assert gen.core["least_core_epsilon"] == pytest.approx(enum.core["least_core_epsilon"], abs=1e-3)
        assert gen.counts["separation_mips"] > 0


def test_separation_finds_the_largest_excess():
    inst = tiny()
    ps = define_players(inst, "city")
    sep = Separation(inst, ps, abs_gap=1e-6)
    proper = [s for s in C if s != "ABC"]
    for y in ([500.0, 500.0, 400.0], [300.0, 700.0, 390.0], [463.3, 463.3, 463.4], [1200.0, 10.0, 180.0]):
        excess = {s: sum(y["ABC".index(p)] for p in s) - C[s] for s in proper}
        mask, found, bound, removals = sep.solve(np.array(y))
        assert found == pytest.approx(max(excess.values()), abs=1e-4) and removals == []  # no level: no removals
        members = "".join(p for i, p in enumerate(ps.names) if mask >> i & 1)
        assert excess[members] == pytest.approx(found, abs=1e-4)


def test_separation_lists_the_removals_its_plan_proves_violated():
    """At y = 1300 each: excesses A 190, B 180, C 40, AB 1370, AC 1330, BC 1320. Above 50, the
    MIP finds a pair; its plan minus one member's boxes (feeder cost a_p) keeps the pair's trains
    and fixed cost, so e(S - p) >= e(S) - 1300 + a_p: from AB, A (90) and B (80); from AC, A (90);
    from BC, B (80). One MIP lists the pair and those removals, each truly above 50."""
    inst = tiny()
    ps = define_players(inst, "city")
    sep = Separation(inst, ps, abs_gap=1e-6)
    y = np.array([1300.0, 1300.0, 1300.0])
    listed = list(sep.ranked(y, above=50.0))
    assert sep.stats.solves == 1 and len(listed) >= 2
    name = lambda m: "".join(p for i, p in enumerate(ps.names) if m >> i & 1)  # noqa: E731
    pair, first = name(listed[0][1]), listed[0][0]
    assert first == pytest.approx(2600 - C[pair])
    feeder = {"A": 10.0, "B": 20.0, "C": 60.0}
    for lower, m in listed[1:]:
        single = name(m)
        assert len(single) == 1 and single in pair
        other = pair.replace(single, "")
        assert lower == pytest.approx(first - 1300 + feeder[other])
        assert 1300 - C[single] >= lower > 50.0


def two_services():
    """A and B ship 10 TEU each to D1, C 20 TEU to D2; services H->D1 and H->D2, each 100 CNY per
    train of 15 TEU and 1,000 fixed; feeders 1, 2, 3 CNY/TEU. c(A) 1110, c(B) 1120, c(AB) 1230,
    c(C) 1260, c(AC) 2370, c(BC) 2380, c(ABC) 2490."""
    return tiny_instance(
        cities=["A", "B", "C"],
        hubs=[{"hub_id": "H", "handling_cost": 0.0}],
        destinations=["D1", "D2"],
        demand=[{"origin": "A", "destination": "D1", "teu": 10}, {"origin": "B", "destination": "D1", "teu": 10}, {"origin": "C", "destination": "D2", "teu": 20}],
        legs=[{"city_id": c, "hub_id": "H", "cost_per_teu": k} for c, k in (("A", 1), ("B", 2), ("C", 3))],
        services=[
            {"service_id": f"S{d}", "hub_id": "H", "destination_id": f"D{d}", "cost_per_train": 100, "train_capacity_teu": 15, "fixed_cost": 1000}
            for d in (1, 2)
        ],
        unserved_penalty=1e6,
    )


def test_separation_answers_from_an_earlier_design_and_falls_back_to_the_mip():
    """On :func:`two_services`. Without a level the MIP at y = 1300 each finds AB (excess 1370;
    A 190, AC 230); its design: service 1 open, service 2 closed. At y = (1150, 50, 100), above 0,
    only A is violated (40; AB 1200 - 1230): with that design fixed and the trains re-optimised
    (one instead of two), A costs 1110, found without a second MIP. At y = (100, 100, 1300), above
    0, only C is (40; AC 1400 - 2370): the design cannot carry C's boxes (service 2 closed), so the
    MIP runs. Above 50 nothing is violated: neither design finds anything and the MIP proves it."""
    inst = two_services()
    ps = define_players(inst, "city")
    sep = Separation(inst, ps, abs_gap=1e-6)
    name = lambda m: "".join(p for i, p in enumerate(ps.names) if m >> i & 1)  # noqa: E731
    mask, excess, _, _ = sep.solve(np.array([1300.0, 1300.0, 1300.0]))
    assert name(mask) == "AB" and excess == pytest.approx(1370)
    mask, excess, bound, removals = sep.solve(np.array([1150.0, 50.0, 100.0]), above=0.0)
    assert name(mask) == "A" and excess == pytest.approx(40) and bound is None and removals == []
    assert (sep.stats.solves, sep.stats.from_designs) == (1, 1)
    mask, excess, _, _ = sep.solve(np.array([100.0, 100.0, 1300.0]), above=0.0)
    assert name(mask) == "C" and excess == pytest.approx(40)
    assert (sep.stats.solves, sep.stats.from_designs) == (2, 1)
    assert sep.solve(np.array([100.0, 100.0, 1300.0]), above=50.0) is None
    assert (sep.stats.solves, sep.stats.from_designs) == (3, 1)


def test_row_generation_with_designs_matches_enumeration_on_two_services():
    for rule in ("nucleolus", "least-core"):
        enum = solve_consolidation(two_services(), rule, players="city", enumerate_all=True)
        gen = solve_consolidation(two_services(), rule, players="city", enumerate_all=False)
        assert gen.allocation == pytest.approx(enum.allocation, abs=1e-3), rule
        assert gen.core["least_core_epsilon"] == pytest.approx(enum.core["least_core_epsilon"], abs=1e-3)


def test_sampled_shapley_is_exact_when_every_order_is_drawn_and_adds_up():
    res = solve_consolidation(tiny(), "shapley", players="city", enumerate_all=False, samples=400, seed=1)
    assert res.allocation.sum() == pytest.approx(1390)
    half = res.details["shapley_sampling"]["ci95_half_width"]
    for p, x, exact in zip("ABC", res.allocation, SHAPLEY):
        assert abs(x - exact) <= max(half[p], 1e-6) * 1.5
    assert res.details["shapley_sampling"]["coalitions_read"] <= 7


def test_core_rule_checks_shapley_and_proportional():
    res = solve_consolidation(tiny(), "core", players="city")
    checks = res.details["checks"]
    assert checks["shapley"]["in_core"] and checks["proportional"]["in_core"]
    # Shapley's largest excess: y(A) + y(C) - c(AC) = 426.67 + 526.67 - 1270 = -316.67 (tied with BC)
    assert checks["shapley"]["max_excess"] == pytest.approx(-950 / 3, abs=1e-4)


def test_empty_core_is_reported_not_an_error():
    # Three cities of 10 TEU, trains of 20 TEU at 1,000 each, no fixed cost: c(i) = 1000 + f,
    # c(pair) = 1000 + f, c(N) = 2000 + f. Pairs share a train, the three need two: the core is empty.
    inst = tiny_instance(
        cities=["A", "B", "C"], hubs=[{"hub_id": "H", "handling_cost": 0.0}], destinations=["D"],
        demand=[{"origin": c, "destination": "D", "teu": 10} for c in "ABC"],
        legs=[{"city_id": c, "hub_id": "H", "cost_per_teu": 0.0} for c in "ABC"],
        services=[{"service_id": "S", "hub_id": "H", "destination_id": "D", "cost_per_train": 1000, "train_capacity_teu": 20, "fixed_cost": 0}],
        unserved_penalty=1e6,
    )
    res = solve_consolidation(inst, "core", players="city")
    # y(pair) <= 1000 + eps for the three pairs and y(N) = 2000: eps = 1000/3
    assert res.core["least_core_epsilon"] == pytest.approx(1000 / 3, abs=1e-4)
    assert not res.core["in_core"]
    assert res.allocation == pytest.approx([2000 / 3] * 3, abs=1e-4)
    assert res.today is None


def test_players_by_province_and_only():
    inst = tiny()
    ps = define_players(inst)
    assert ps.names == ("P1", "P2") and ps.cities["P1"] == ("A", "B")
    res = solve_consolidation(inst, "shapley")
    # c(P1) = c(AB) = 1230, c(P2) = c(C) = 1260, c(N) = 1390: Shapley 1230 - 550, 1260 - 550
    assert res.allocation == pytest.approx([680, 710])
    only = solve_consolidation(inst, "shapley", only=["P1"])
    assert only.grand == pytest.approx(1230) and only.allocation == pytest.approx([1230])


def test_bad_players_are_named(tmp_path):
    inst = tiny()
    with pytest.raises(InputError, match="unknown player 'P9'"):
        define_players(inst, only=["P1", "P9"])
    f = tmp_path / "players.csv"
    f.write_text("city_id,player\nA,x\nA,y\nZ,x\n")
    with pytest.raises(InputError) as err:
        define_players(inst, f)
    text = str(err.value)
    assert "row 3, column 'city_id': city 'A' is already in player 'x'" in text
    assert "row 4, column 'city_id': unknown city 'Z'" in text
    assert "city 'B' has demand but is in no player" in text and "city 'C' has demand" in text
    f.write_text("city,team\nA,x\n")
    with pytest.raises(InputError, match="header must be exactly 'city_id,player'"):
        define_players(inst, f)
    f.write_text("city_id,player\nA,x\nB,x\nC,x\n")
    assert define_players(inst, f).names == ("x",)


def test_enumeration_refused_above_its_limit():
    cities = [f"C{i}" for i in range(17)]
    inst = tiny_instance(
        cities=cities, hubs=["H"], destinations=["D"], demand=[{"origin": c, "destination": "D", "teu": 1} for c in cities],
        legs=[{"city_id": c, "hub_id": "H", "cost_per_teu": 1} for c in cities],
        services=[{"service_id": "S", "hub_id": "H", "destination_id": "D", "cost_per_train": 10}],
    )
    with pytest.raises(TooLargeError, match="--no-enumerate"):
        solve_consolidation(inst, "shapley", players="city", enumerate_all=True)


def test_run_folder_game_json_reproduces_the_rules(tmp_path):
    inst = tiny()
    out = tmp_path / "run"
    res = solve_consolidation(inst, "nucleolus", players="city", cache_path=open_folder(out))
    s = write_result(res, out)
    assert set(s["allocation"]) == {"A", "B", "C"} and s["in_core"]
    assert s["savings"]["vs_today"]["A"] == pytest.approx(360 - NUCLEOLUS[0], abs=1e-3)
    game = load_game(out / "GAME.json")
    assert solve_game(game, "nucleolus").allocation == pytest.approx(NUCLEOLUS, abs=1e-4)
    assert solve_game(game, "shapley").allocation == pytest.approx(SHAPLEY, abs=1e-4)
    alloc = (out / "allocation.csv").read_text().splitlines()
    assert alloc[0].startswith("player,cities,stand_alone,today,allocated,saving_vs_stand_alone")
    coalitions = (out / "coalitions.csv").read_text().splitlines()
    assert len(coalitions) == 1 + 7 and all(",optimal," in line for line in coalitions[1:])
    assert "Who pays for consolidation" in (out / "report.html").read_text()


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "optimizer", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_end_to_end_json_and_resume(tmp_path):
    inst_dir = tmp_path / "tiny"
    write_instance(tiny(), inst_dir)
    out = tmp_path / "game"
    r = _cli("share", "consolidation", str(inst_dir), "--rule", "shapley", "--players", "city", "--workers", "1", "--out", str(out), "--json", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["allocation"] == pytest.approx(dict(zip("ABC", SHAPLEY)))
    assert s["stand_alone"] == pytest.approx({"A": 1110, "B": 1120, "C": 1260})
    assert s["counts"]["coalitions_solved"] == 7
    # a second run in the same folder reads every coalition from the cache
    r = _cli("share", "consolidation", str(inst_dir), "--rule", "nucleolus", "--players", "city", "--workers", "1", "--out", str(out), "--json", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["counts"]["coalitions_resumed"] == 7 and s["counts"]["coalitions_solved"] == 0
    assert s["allocation"] == pytest.approx(dict(zip("ABC", NUCLEOLUS)), abs=1e-3)
    # bad input: exit 2, named, nothing written
    bad = tmp_path / "bad"
    r = _cli("share", "consolidation", str(inst_dir), "--rule", "shapley", "--only", "P1,NOPE", "--out", str(bad), cwd=tmp_path)
    assert r.returncode == 2 and "unknown player 'NOPE'" in r.stderr and not bad.exists()
    r = _cli("share", "consolidation", str(inst_dir), "--rule", "shapley", "--out", "/dev/null", cwd=tmp_path)
    assert r.returncode == 2 and "/dev/null" in r.stderr


def test_cli_resumes_after_a_kill(tmp_path):
    """Kill an enumeration while it runs; the next run reuses what the first one cached."""
    import os
    import signal
    import time

    inst_dir = tmp_path / "tiny"
    cities = [f"C{i}" for i in range(7)]
    inst = tiny_instance(
        cities=cities, hubs=[{"hub_id": "H", "handling_cost": 0.0}], destinations=["D"],
        demand=[{"origin": c, "destination": "D", "teu": 5 + 3 * i} for i, c in enumerate(cities)],
        legs=[{"city_id": c, "hub_id": "H", "cost_per_teu": 1 + i} for i, c in enumerate(cities)],
        services=[{"service_id": "S", "hub_id": "H", "destination_id": "D", "cost_per_train": 100, "train_capacity_teu": 15, "fixed_cost": 1000}],
        unserved_penalty=1e6,
    )
    write_instance(inst, inst_dir)
    out = tmp_path / "game"
    args = [sys.executable, "-m", "optimizer", "share", "consolidation", str(inst_dir), "--rule", "shapley", "--players", "city", "--workers", "1", "--out", str(out), "--quiet"]
    p = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cache = out / "coalitions-cache.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not cache.exists() or len(cache.read_text().splitlines()) < 20):
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    cached = len(cache.read_text().splitlines()) - 1  # the first line is the game's fingerprint
    assert cached >= 19
    r = subprocess.run(args[:-1] + ["--json", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["counts"]["coalitions_resumed"] >= cached - 1  # at most the line being written is lost
    assert s["counts"]["coalitions_priced"] == 127
    assert math.isclose(sum(s["allocation"].values()), s["grand_coalition_cost"], rel_tol=1e-9)
    assert np.isfinite(list(s["allocation"].values())).all()


def test_landbridge_subset_row_generation_equals_enumeration():
    inst = load_instance(Path(__file__).resolve().parents[1] / "instances" / "landbridge")
    only = ["Shaanxi", "Gansu", "Ningxia", "Qinghai"]
    enum = {r: solve_consolidation(inst, r, only=only) for r in ("nucleolus", "equal-profit")}  # each also finds the least core
    for rule, e in enum.items():
        g = solve_consolidation(inst, rule, only=only, enumerate_all=False)
        assert g.allocation == pytest.approx(e.allocation, rel=1e-6), rule
        assert g.allocation.sum() == pytest.approx(e.grand)
        assert g.core["least_core_epsilon"] == pytest.approx(e.core["least_core_epsilon"], rel=1e-5, abs=1e3)


def test_batch_scenarios_run_the_game_under_rules_and_parameters(tmp_path):
    write_instance(tiny(), tmp_path / "tiny")
    spec = tmp_path / "game.yaml"
    spec.write_text(
        "model: consolidation\nbase: tiny\noptions: {players: city, rule: shapley}\n"
        "scenarios:\n  - name: shapley\n  - name: nucleolus\n    set: {rule: nucleolus}\n"
        "  - name: pair\n    set: {rule: nucleolus, only: [A, B]}\n"
    )
    r = _cli("batch", str(spec), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    runs = tmp_path / "out" / "runs"
    shapley = json.loads((runs / "shapley" / "summary.json").read_text())
    assert [shapley["allocation"][p] for p in "ABC"] == pytest.approx(SHAPLEY, abs=1e-4)
    nucleolus = json.loads((runs / "nucleolus" / "summary.json").read_text())
    assert [nucleolus["allocation"][p] for p in "ABC"] == pytest.approx(NUCLEOLUS, abs=1e-4)
    assert (runs / "nucleolus" / "GAME.json").exists() and (runs / "nucleolus" / "allocation.csv").exists()
    # A and B alone: c(AB) = 1230 split equally over the 10 CNY/TEU difference of their feeders
    pair = json.loads((runs / "pair" / "summary.json").read_text())
    assert pair["allocation"] == pytest.approx({"A": 610.0, "B": 620.0}, abs=1e-4)
    table = (tmp_path / "out" / "summary.csv").read_text()
    assert "allocation.A" in table.splitlines()[0]


def test_batch_scenario_errors_name_the_key(tmp_path):
    write_instance(tiny(), tmp_path / "tiny")
    spec = tmp_path / "game.yaml"
    spec.write_text("model: consolidation\nbase: tiny\noptions: {players: city, samples: 1}\nscenarios:\n  - name: one\n")
    r = _cli("batch", str(spec), "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path)
    assert r.returncode == 2 and "options.samples: must be a whole number >= 2, not 1" in r.stderr
    spec.write_text(
        "model: consolidation\nbase: tiny\noptions: {players: city}\n"
        "scenarios:\n  - name: bad\n    set: {rule: fairest}\n  - name: norule\n  - name: nobody\n    set: {rule: shapley, only: [Z]}\n"
    )
    r = _cli("batch", str(spec), "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for text in ("bad", "fairest", "norule", "no rule", "nobody", "'Z'"):
        assert text in r.stderr, (text, r.stderr)
    assert not (tmp_path / "out").exists()


def test_api_solves_and_writes_the_run_folder(tmp_path):
    from optimizer import api

    write_instance(tiny(), tmp_path / "tiny")
    res = api.solve_consolidation(tmp_path / "tiny", "shapley", players="city")
    assert dict(zip(res.players.names, res.allocation)) == pytest.approx(dict(zip("ABC", SHAPLEY)), abs=1e-4)
    s = api.write_consolidation_run(res, tmp_path / "run", report=False)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["allocation"] == s["allocation"]
    assert (tmp_path / "run" / "GAME.json").exists()
