"""Documents as a hostile (or careless) user gives them: alias bombs, deep nesting, huge numbers,
duplicate keys, huge files and runaway sweeps are refused at once with exit 2 and the file (and key or
line) named — never a hang, a traceback or a partial result.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import TINY_FILES, write_folder
from optimizer import documents
from optimizer.batch.scenarios import load_spec
from optimizer.errors import InputError
from test_hostile_outputs import CASE, GAME, refused, run

#: a "billion laughs" document: nine levels of ten aliases each expand to 10^9 strings
BOMB = "\n".join(
    ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    + [f"{b}: &{b} [{','.join(['*' + a] * 10)}]" for a, b in zip("abcdefgh", "bcdefghi")]
) + "\n"


def timed(*args):
    start = time.perf_counter()
    res = run(*args)
    return res, time.perf_counter() - start


def no_staging_left(root: Path) -> None:
    left = [p for p in root.rglob("*") if p.name.startswith(".partial")]
    assert not left, left


# ---------------------------------------------------------------------------------------------
# alias bombs and recursive aliases


def test_an_alias_bomb_in_a_case_file_is_refused_at_once(tmp_path):
    case = tmp_path / "bomb.yaml"
    case.write_text(BOMB)
    res, seconds = timed("share", "enclave", case, "--rule", "fixed", "--out", tmp_path / "out")
    refused(res, str(case), "alias bombs are refused", "line")
    assert seconds < 1.0
    assert not (tmp_path / "out").exists()


def test_an_alias_bomb_in_instance_yaml_is_refused_at_once(tmp_path):
    inst = write_folder(tmp_path / "inst", {**TINY_FILES, "instance.yaml": BOMB})
    res, seconds = timed("validate", inst)
    refused(res, "instance.yaml", "alias bombs are refused")
    assert seconds < 1.0


def test_an_alias_bomb_in_a_scenario_file_is_refused_at_once(tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(BOMB)
    res, seconds = timed("batch", spec, "--out", tmp_path / "out")
    refused(res, str(spec), "alias bombs are refused")
    assert seconds < 1.0
    assert not (tmp_path / "out").exists()


def test_a_recursive_alias_is_refused():
    with pytest.raises(InputError, match="recursive aliases are refused"):
        documents.parse_yaml("a: &x [1, *x]\n", "r.yaml")


def test_aliases_that_expand_moderately_are_read():
    doc = documents.parse_yaml("base: &b {x: 1, y: 2}\nother: *b\nmerged: {<<: *b, z: 3}\n", "ok.yaml")
    assert doc.data == {"base": {"x": 1, "y": 2}, "other": {"x": 1, "y": 2}, "merged": {"x": 1, "y": 2, "z": 3}}


# ---------------------------------------------------------------------------------------------
# deep nesting


def test_json_nested_100000_deep_in_a_game_file_is_refused(tmp_path):
    game = tmp_path / "deep.json"
    game.write_text("[" * 100_000 + "]" * 100_000)
    res, seconds = timed("share", "game", game, "--rule", "shapley")
    refused(res, str(game), "nested more than")
    assert seconds < 1.0


def test_yaml_nested_deep_is_refused(tmp_path):
    case = tmp_path / "deep.yaml"
    case.write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    refused(run("share", "enclave", case, "--rule", "fixed"), str(case), "nest")
    block = "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "leaf: 1\n"
    case.write_text(block)
    refused(run("share", "enclave", case, "--rule", "fixed"), str(case), "nested more than 64 levels")


def test_a_tampered_summary_nested_deep_is_refused_by_report(tiny_dir, tmp_path):
    out = tmp_path / "run"
    assert run("freight", "solve", tiny_dir, "--out", out, "--quiet", "--no-report").exit_code == 0
    (out / "summary.json").write_text("{\"a\": " + "[" * 100_000 + "]" * 100_000 + "}")
    refused(run("report", out), "summary.json", "nested more than")
    assert not (out / "report.html").exists()


def test_a_summary_of_the_wrong_shape_is_refused_by_report(tiny_dir, tmp_path):
    out = tmp_path / "run"
    assert run("freight", "solve", tiny_dir, "--out", out, "--quiet", "--no-report").exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    summary["kpis"] = "cheap"
    (out / "summary.json").write_text(json.dumps(summary))
    refused(run("report", out), "summary.json", "kpis")
    assert not (out / "report.html").exists()


# ---------------------------------------------------------------------------------------------
# numbers that overflow


def write_case(tmp_path: Path, case: dict, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("rule", ["nash", "fixed"])
def test_revenues_of_1e308_are_refused_up_front(tmp_path, rule):
    case = write_case(tmp_path, {**CASE, "revenues": {"tax": [1e308, 100]}})
    refused(run("share", "enclave", case, "--rule", rule, "--out", tmp_path / "out"), "revenues.tax[0]", "at most 1e+15")
    assert not (tmp_path / "out").exists()


def test_a_huge_integer_is_refused_without_echoing_it(tmp_path):
    case = tmp_path / "case.yaml"
    text = yaml.safe_dump({**CASE, "revenues": {"tax": [100, 100]}}, sort_keys=False)
    case.write_text(text.replace("- 100\n  - 100", "- " + "9" * 5000 + "\n  - 100"), encoding="utf-8")
    res = run("share", "enclave", case, "--rule", "fixed")
    refused(res, "revenues.tax[0]", "5,000 digits", "line")
    assert "9" * 100 not in res.output
    game = tmp_path / "g.json"
    game.write_text(json.dumps(GAME).replace('"a,b,c": 90', '"a,b,c": ' + "9" * 5000))
    res = run("share", "game", game, "--rule", "shapley")
    refused(res, "values['a,b,c']", "5,000 digits")
    assert "9" * 100 not in res.output


def test_start_year_1e30_is_refused(tmp_path):
    case = write_case(tmp_path, {**CASE, "start_year": 1e30})
    refused(run("share", "enclave", case, "--rule", "fixed"), "start_year", "1900")


def test_game_values_of_1e308_are_refused(tmp_path):
    game = tmp_path / "g.json"
    game.write_text(json.dumps({**GAME, "values": {**GAME["values"], "a,b,c": 1e308}}))
    refused(run("share", "game", game, "--rule", "shapley"), str(game), "a,b,c", "at most 1e+15")


def test_a_csv_cost_of_1e308_is_refused(tmp_path):
    files = dict(TINY_FILES)
    header, first, *rest = files["services.csv"].splitlines()
    cols = header.split(",")
    cells = first.split(",")
    cells[cols.index("cost_per_train")] = "1e308"
    files["services.csv"] = "\n".join([header, ",".join(cells), *rest]) + "\n"
    inst = write_folder(tmp_path / "inst", files)
    refused(run("validate", inst), "services.csv", "row 2", "cost_per_train", "at most 1e+15")


# ---------------------------------------------------------------------------------------------
# duplicate keys


def test_a_duplicate_key_in_a_case_file_is_refused_with_its_line(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("name: c\nstart_year: 2025\ndiscount_rate: 0.0\ndiscount_rate: 0.05\n")
    refused(run("share", "enclave", case, "--rule", "fixed"), str(case), "line 4", "discount_rate", "given twice")


def test_a_duplicate_key_in_a_scenario_file_is_refused_with_its_line(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("model: freight\nbase: inst\nscenarios:\n  - name: a\n    set: {demand_scale: 1.0, demand_scale: 2.0}\n")
    refused(run("batch", spec, "--out", tmp_path / "out"), str(spec), "line 5", "demand_scale", "given twice")


def test_a_duplicate_key_in_instance_yaml_is_refused_with_its_line(tmp_path):
    text = TINY_FILES["instance.yaml"] + "parameters_again: 1\n"
    lines = TINY_FILES["instance.yaml"].splitlines()
    dup = next(line for line in lines if line.startswith("name:"))
    inst = write_folder(tmp_path / "inst", {**TINY_FILES, "instance.yaml": text + dup + "\n"})
    res = run("validate", inst)
    refused(res, "instance.yaml", "'name'", "given twice", f"line {len(lines) + 2}")


def test_a_duplicate_key_in_json_is_refused(tmp_path):
    game = tmp_path / "g.json"
    game.write_text('{"name": "x", "name": "y", "kind": "profit", "players": ["a"], "values": {"a": 1}}')
    refused(run("share", "game", game, "--rule", "shapley"), str(game), "'name'", "given twice")


# ---------------------------------------------------------------------------------------------
# files that are not what they claim


def test_a_case_path_that_is_a_folder_is_refused(tmp_path):
    refused(run("share", "enclave", tmp_path, "--rule", "fixed"), str(tmp_path), "is a directory")
    spec = tmp_path / "s.yaml"
    spec.write_text(f"model: enclave\nbase: {tmp_path}\nscenarios:\n  - name: a\n")
    refused(run("batch", spec, "--out", tmp_path / "out"), str(tmp_path), "folder")


def test_a_50_mb_case_file_is_refused_without_reading_it(tmp_path):
    case = tmp_path / "big.yaml"
    with open(case, "wb") as f:
        f.truncate(50 * 2**20)
    res, seconds = timed("share", "enclave", case, "--rule", "fixed")
    refused(res, str(case), "50.0 MB", "at most 10 MB")
    assert seconds < 1.0


def test_a_top_level_that_is_not_a_mapping_is_named_and_not_echoed(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("root:x:0:0:root:/root:/bin/bash\n")
    res = run("share", "enclave", case, "--rule", "fixed")
    refused(res, str(case), "mapping")
    assert "root:x:0" not in res.output


def test_a_base_that_is_etc_passwd_is_not_echoed(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("model: enclave\nbase: /etc/passwd\nscenarios:\n  - name: a\n")
    res = run("batch", spec, "--out", tmp_path / "out")
    refused(res, "/etc/passwd")
    assert "root:x:0" not in res.output
    assert not (tmp_path / "out").exists()


def test_an_unreadable_case_file_is_refused(tmp_path, monkeypatch):
    case = write_case(tmp_path, CASE)
    case.chmod(0)
    if os.geteuid() == 0:  # root reads every file: make the read fail as it does for anyone else

        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(documents, "open", denied, raising=False)
    refused(run("share", "enclave", case, "--rule", "fixed"), str(case), "cannot be read", "Permission denied")


def test_a_pipe_or_a_device_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    res, seconds = timed("share", "enclave", fifo, "--rule", "fixed")
    refused(res, str(fifo), "not a regular file")
    assert seconds < 1.0
    refused(run("share", "game", "/dev/zero", "--rule", "shapley"), "/dev/zero", "not a regular file")
    inst = write_folder(tmp_path / "inst", {**TINY_FILES, "demand.csv": None})
    os.mkfifo(inst / "demand.csv")
    res, seconds = timed("validate", inst)
    refused(res, "demand.csv", "not a regular file")
    assert seconds < 2.0


# ---------------------------------------------------------------------------------------------
# unknown names are quoted with what was expected


def test_an_unknown_option_in_a_scenario_file_is_quoted(tiny_dir, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"model: freight\nbase: {tiny_dir}\noptions: {{colour: red}}\nscenarios:\n  - name: a\n")
    res = run("batch", spec, "--out", tmp_path / "out")
    refused(res, "'colour'", "time_limit")


def test_an_unknown_stream_in_statistics_follow_is_quoted(tmp_path):
    case = write_case(tmp_path, {**CASE, "revenues": {"tax": [100, 100], "gdp": [500, 500]}, "statistics": ["gdp"],
                                 "statistics_split": {"gdp": {"follow": "vat"}}})
    res = run("share", "enclave", case, "--rule", "fixed")
    refused(res, "statistics_split.gdp.follow", "'vat'", "tax")
    case = write_case(tmp_path, {**CASE, "statistics_split": {"follow": "vat"}})
    refused(run("share", "enclave", case, "--rule", "fixed"), "statistics_split.follow", "'follow' is not among the statistics")


# ---------------------------------------------------------------------------------------------
# runaway sweeps


def sweep_file(tmp_path: Path, base: Path, axes: int, values: int, extra: str = "") -> Path:
    spec = tmp_path / "sweep.yaml"
    lines = ["model: freight", f"base: {base}", extra, "sweep:"]
    keys = ["demand_scale", "train_capacity_teu", "unserved_penalty", "max_hubs_per_destination",
            "max_days", "circuity", "rail_min_km", "max_feeder_km", "feeder_fixed_cost_per_teu",
            "co2_train_kg_per_km", "co2_rail_kg_per_teu_km", "co2_road_kg_per_teu_km"]
    for key in keys[:axes]:
        lines.append(f"  {key}: [{', '.join(str(1 + i) for i in range(values))}]")
    spec.write_text("\n".join(lines) + "\n")
    return spec


def test_a_10000_scenario_sweep_is_refused_with_its_count(tiny_dir, tmp_path):
    spec = sweep_file(tmp_path, tiny_dir, 4, 10)
    res = run("batch", spec, "--out", tmp_path / "out")
    refused(res, "10,000 scenarios", "--yes", "max_scenarios")
    assert not (tmp_path / "out").exists()


def test_a_10_to_the_12_sweep_is_refused_at_once(tiny_dir, tmp_path):
    spec = sweep_file(tmp_path, tiny_dir, 12, 10)
    res, seconds = timed("batch", spec, "--out", tmp_path / "out", "--yes")
    refused(res, "1,000,000,000,000 scenarios", "at most 100,000")
    assert seconds < 2.0


def test_max_scenarios_and_yes_allow_a_large_sweep(tiny_dir, tmp_path):
    spec = sweep_file(tmp_path, tiny_dir, 2, 40)
    with pytest.raises(InputError, match="1,600 scenarios"):
        load_spec(spec)
    assert len(load_spec(spec, yes=True).scenarios) == 1600
    spec = sweep_file(tmp_path, tiny_dir, 2, 40, extra="max_scenarios: 2000")
    assert len(load_spec(spec).scenarios) == 1600
    spec = sweep_file(tmp_path, tiny_dir, 2, 40, extra="max_scenarios: 1000")
    with pytest.raises(InputError, match="max_scenarios"):
        load_spec(spec)


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_batch_process(tiny_dir, tmp_path, sig):
    spec = sweep_file(tmp_path, tiny_dir, 1, 40, extra="options: {time_limit: 30}")
    proc = subprocess.Popen([sys.executable, "-c", "from optimizer.cli import main; main()", "batch", str(spec), "--out", str(tmp_path / "out"),
                             "--workers", "2", "--quiet", "--no-report"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = [c for c in children_of(proc.pid) if alive(c)]
        assert workers, "the batch started no worker process"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(alive(w) for w in workers), "workers outlived the batch process"
    finally:
        if proc.poll() is None:
            proc.kill()
    if sig != signal.SIGKILL:  # a killed process cannot tidy up; a stopped one leaves no staging folder
        no_staging_left(tmp_path)


def test_named_scenarios_without_a_sweep_are_exactly_the_named_ones(tiny_dir, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"model: freight\nbase: {tiny_dir}\nscenarios:\n  - name: a\n  - name: b\n    set: {{demand_scale: 2}}\n")
    assert [s.name for s in load_spec(spec).scenarios] == ["a", "b"]
