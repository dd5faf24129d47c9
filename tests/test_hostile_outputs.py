"""Output folders as a hostile (or careless) user gives them: nothing that is not the tool's own run folder
is ever replaced or deleted, and a command that fails changes nothing on disk.

Every test types the command, checks the exit code and the message naming the path, and lists the disk
before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import TINY_FILES, write_folder
from optimizer.cli import main
from optimizer.results import MARKER

GAME = {"name": "three", "kind": "profit", "players": ["a", "b", "c"],
        "values": {"a": 0, "b": 0, "c": 0, "a,b": 60, "a,c": 60, "b,c": 60, "a,b,c": 90}}
CASE = {
    "name": "c", "start_year": 2025, "discount_rate": 0.0,
    "parties": [{"id": "origin", "role": "originating", "contributions": {"capital": 70}},
                {"id": "host", "role": "receiving", "contributions": {"land": 30}}],
    "revenues": {"tax": [100, 100]},
    "fixed_rule": {"shares": {"tax": {"origin": 0.5, "host": 0.5}}},
}


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` (relative name → content hash, or 'dir')."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return out


def run(*args, cwd: Path | None = None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args])
    finally:
        os.chdir(old)


def refused(res, *words: str) -> None:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    for w in words:
        assert w in res.output, res.output


@pytest.fixture()
def user_folder(tmp_path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "budget.xlsx").write_bytes(b"PK\x03\x04 the user's budget")
    (project / "notes").mkdir()
    (project / "notes" / "a.txt").write_text("mine")
    return project


@pytest.fixture()
def case_file(tmp_path) -> Path:
    d = tmp_path / "case"
    d.mkdir()
    (d / "README.md").write_text("the negotiator's notes")
    path = d / "case.yaml"
    path.write_text(yaml.safe_dump(CASE), encoding="utf-8")
    return path


@pytest.fixture()
def game_file(tmp_path) -> Path:
    path = tmp_path / "games" / "three.json"
    path.parent.mkdir()
    path.write_text(json.dumps(GAME))
    return path


def test_freight_solve_never_replaces_a_folder_of_the_users(tiny_dir, user_folder, tmp_path):
    before = snapshot(tmp_path)
    res = run("freight", "solve", tiny_dir, "--out", user_folder, "--quiet")
    refused(res, str(user_folder), "budget.xlsx", "did not write")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["enclave", "game"])
def test_share_commands_never_replace_a_folder_of_the_users(command, user_folder, case_file, game_file, tmp_path):
    before = snapshot(tmp_path)
    args = ["share", "enclave", case_file, "--rule", "fixed"] if command == "enclave" else ["share", "game", game_file, "--rule", "shapley"]
    res = run(*args, "--out", user_folder, "--quiet")
    refused(res, str(user_folder), "did not write")
    assert snapshot(tmp_path) == before


def test_the_instance_folder_itself_is_refused(tiny_dir, tmp_path):
    before = snapshot(tmp_path)
    res = run("freight", "solve", tiny_dir, "--out", tiny_dir, "--quiet")
    refused(res, str(tiny_dir), "is the input")
    assert snapshot(tmp_path) == before


def test_the_folder_of_the_case_file_is_refused(case_file, game_file, tmp_path):
    before = snapshot(tmp_path)
    refused(run("share", "enclave", case_file, "--rule", "fixed", "--out", case_file.parent), "holds the input")
    refused(run("share", "game", game_file, "--rule", "shapley", "--out", game_file.parent), "holds the input")
    assert snapshot(tmp_path) == before


def test_an_existing_file_is_never_replaced_by_a_folder(tiny_dir, case_file, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    before = snapshot(tmp_path)
    refused(run("freight", "solve", tiny_dir, "--out", notes, "--quiet"), str(notes), "is a file")
    refused(run("share", "enclave", case_file, "--rule", "fixed", "--out", notes), "is a file")
    assert snapshot(tmp_path) == before


def test_dev_null_is_refused_and_stays_a_device(tiny_dir, case_file, game_file):
    for args in (["freight", "solve", tiny_dir, "--quiet"], ["share", "enclave", case_file, "--rule", "fixed"],
                 ["share", "game", game_file, "--rule", "shapley"], ["generate", "corridor", "--cities", "5", "--hubs", "2", "--destinations", "2"]):
        refused(run(*args, "--out", "/dev/null"), "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_out_dot_and_a_parent_that_is_a_file_are_refused(tiny_dir, tmp_path):
    (tmp_path / "some.txt").write_text("x")
    before = snapshot(tmp_path)
    refused(run("freight", "solve", tiny_dir, "--out", ".", "--quiet", cwd=tmp_path), "not a folder name")
    refused(run("freight", "solve", tiny_dir, "--out", tmp_path / "some.txt" / "run", "--quiet"), "is a file, not a folder")
    assert snapshot(tmp_path) == before


def test_an_unwritable_place_is_refused_before_solving(tiny_dir):
    res = run("freight", "solve", tiny_dir, "--out", "/proc/self/optimizer-run", "--quiet")
    refused(res, "/proc/self/optimizer-run", "cannot be written")


def test_a_symbolic_link_is_refused(tiny_dir, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    refused(run("freight", "solve", tiny_dir, "--out", tmp_path / "link", "--quiet"), "symbolic link")
    assert (tmp_path / "link").is_symlink() and list(target.iterdir()) == []


def test_own_run_folders_are_replaced_but_not_with_user_files_inside_or_of_another_kind(tiny_dir, case_file, tmp_path):
    out = tmp_path / "run"
    assert run("freight", "solve", tiny_dir, "--out", out, "--quiet", "--no-report").exit_code == 0
    assert json.loads((out / MARKER).read_text())["kind"] == "freight"
    assert run("freight", "solve", tiny_dir, "--out", out, "--quiet").exit_code == 0  # its own run: replaced
    assert (out / "report.html").is_file()
    assert run("freight", "solve", tiny_dir, "--out", out, "--quiet").exit_code == 0  # report.html is registered as its own
    before = snapshot(tmp_path)
    refused(run("share", "enclave", case_file, "--rule", "fixed", "--out", out), "freight run folder", "not a enclave run folder")
    assert snapshot(tmp_path) == before
    (out / "my-analysis.xlsx").write_text("the planner's work")
    before = snapshot(tmp_path)
    refused(run("freight", "solve", tiny_dir, "--out", out, "--quiet"), "my-analysis.xlsx")
    assert snapshot(tmp_path) == before


def test_an_empty_folder_may_receive_a_run(tiny_dir, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert run("freight", "solve", tiny_dir, "--out", out, "--quiet", "--no-report").exit_code == 0
    assert (out / "summary.json").is_file()


def test_a_failed_run_leaves_no_folder_behind(tmp_path):
    files = dict(TINY_FILES)
    files["gateways.csv"] = files["gateways.csv"].replace("8000", "50")  # today's network cannot run
    inst = write_folder(tmp_path / "conflict", files)
    out = tmp_path / "new" / "deeper" / "run"
    res = run("freight", "solve", inst, "--out", out, "--quiet")
    assert res.exit_code == 3, res.output
    assert not (tmp_path / "new").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_report_out_must_name_a_file_the_tool_may_write(tiny_dir, tmp_path):
    out = tmp_path / "run"
    assert run("freight", "solve", tiny_dir, "--out", out, "--quiet", "--no-report").exit_code == 0
    folder = tmp_path / "reports"
    folder.mkdir()
    mine = tmp_path / "mine.html"
    mine.write_text("<html>my own page</html>")
    before = snapshot(tmp_path)
    refused(run("report", out, "--out", folder), str(folder), "is a folder")
    refused(run("report", out, "--out", mine), "not written by this tool")
    refused(run("report", out, "--out", "/dev/null"), "not a regular file")
    assert snapshot(tmp_path) == before
    page = tmp_path / "page.html"
    assert run("report", out, "--out", page).exit_code == 0
    assert run("report", out, "--out", page).exit_code == 0  # its own report may be rewritten


def test_generate_and_import_never_replace_a_folder_of_the_users(user_folder, tmp_path):
    before = snapshot(tmp_path)
    refused(run("generate", "corridor", "--cities", "5", "--hubs", "2", "--destinations", "2", "--out", user_folder), "did not write")
    assert snapshot(tmp_path) == before
    out = tmp_path / "gen"
    args = ["generate", "corridor", "--cities", "5", "--hubs", "2", "--destinations", "2", "--out", out, "--quiet"]
    assert run(*args).exit_code == 0
    assert run(*args).exit_code == 0  # its own instance folder: replaced
    res = run("freight", "solve", out, "--out", out, "--quiet")
    refused(res, "is the input")


def _batch_file(folder: Path, tiny_dir: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"model: freight\nbase: {tiny_dir}\nsweep:\n  demand_scale: [1.0]\n", encoding="utf-8")
    return path


def test_a_failing_batch_changes_nothing_in_a_good_batch_folder(tiny_dir, tmp_path):
    good = tmp_path / "good"
    first = _batch_file(tmp_path / "a", tiny_dir, "first.yaml")
    res = run("batch", first, "--workers", "1", "--out", good, "--quiet", "--no-report")
    assert res.exit_code == 0, res.output
    second = _batch_file(tmp_path / "b", tiny_dir, "second.yaml")
    before = snapshot(tmp_path)
    # another scenario file's batch folder: refused, whatever the executor
    refused(run("batch", second, "--workers", "1", "--out", good, "--quiet"), "first.yaml")
    # the same scenario file, but the cluster cannot be reached: nothing is written
    res = run("batch", first, "--scheduler", "tcp://127.0.0.1:9", "--out", good, "--quiet")
    refused(res, "cannot reach the Dask scheduler")
    refused(run("batch", first, "--workers", "1", "--out", tmp_path / "a" / "first.yaml", "--quiet"), "is the input")
    assert snapshot(tmp_path) == before


def test_a_batch_never_writes_into_a_folder_of_the_users(tiny_dir, user_folder, tmp_path):
    spec = _batch_file(tmp_path / "a", tiny_dir, "first.yaml")
    before = snapshot(tmp_path)
    refused(run("batch", spec, "--workers", "1", "--out", user_folder, "--quiet"), "did not write")
    refused(run("batch", spec, "--workers", "1", "--out", tmp_path / "a", "--quiet"), "holds the input")
    assert snapshot(tmp_path) == before
