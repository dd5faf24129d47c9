"""Run folders: published whole or not at all; an older run survives a failed one."""

import json
import os
import stat

import pytest

from optimizer.results import MARKER, RunFolder, atomic_write_text, dumps, read_marker


def test_run_folder_is_published_whole(tmp_path):
    final = tmp_path / "run"
    with RunFolder(final, "freight") as run:
        run.write_json("summary.json", {"status": "optimal", "gap": float("nan")})
        assert not final.exists()  # nothing under the final name while the run is written
    assert json.loads((final / "summary.json").read_text()) == {"status": "optimal", "gap": None}
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no staging folder left behind
    assert read_marker(final)["kind"] == "freight" and read_marker(final)["files"] == ["summary.json"]


def test_failed_run_leaves_the_previous_one_intact(tmp_path):
    final = tmp_path / "run"
    with RunFolder(final, "freight") as run:
        run.write_text("a.txt", "good")
    with pytest.raises(RuntimeError):
        with RunFolder(final, "freight") as run:
            run.write_text("a.txt", "half")
            raise RuntimeError("solver died")
    assert (final / "a.txt").read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_new_run_replaces_the_old_one(tmp_path):
    final = tmp_path / "run"
    with RunFolder(final, "freight") as run:
        run.write_text("old.txt", "1")
    with RunFolder(final, "freight") as run:
        run.write_text("new.txt", "2")
    assert sorted(p.name for p in final.iterdir()) == [MARKER, "new.txt"]


def test_files_and_folders_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with RunFolder(tmp_path / "run", "freight") as run:
            run.write_text("a.txt", "x")
        atomic_write_text(tmp_path / "run" / "report.html", "<html></html>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "run").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "run" / "report.html").stat().st_mode) == 0o644


def test_dumps_turns_infinities_into_null():
    assert json.loads(dumps({"x": float("inf"), "y": [1.5]})) == {"x": None, "y": [1.5]}
