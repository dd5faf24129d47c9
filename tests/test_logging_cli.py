"""Logging and the command line's plumbing: the library logs through ``logging``, every run folder
has run.log, ``--debug`` shows the traceback of an internal error, commands register without cycles."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import yaml
from click.testing import CliRunner

from optimizer import api
from optimizer.cli import main
from test_hostile_outputs import CASE


def test_a_library_caller_captures_progress_through_logging(tiny_dir, caplog):
    with caplog.at_level(logging.INFO, logger="optimizer"):
        res = api.solve_freight(tiny_dir, time_limit=30)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("optimizer.")]
    assert any(m.startswith("optimised plan: model built") for m in messages)
    assert any(m.startswith("today's network: optimal") for m in messages)
    assert "optimised plan: optimal" in res.logs["run.log"]


def test_freight_enclave_and_batch_run_folders_have_run_log(tiny_dir, tmp_path):
    out = tmp_path / "freight"
    assert CliRunner().invoke(main, ["freight", "solve", str(tiny_dir), "--out", str(out), "--quiet", "--no-report"]).exit_code == 0
    text = (out / "run.log").read_text()
    assert "model built" in text and "optimised plan: optimal" in text

    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(CASE), encoding="utf-8")
    out = tmp_path / "enclave"
    assert CliRunner().invoke(main, ["share", "enclave", str(case), "--rule", "proportional", "--out", str(out), "--quiet", "--no-report"]).exit_code == 0
    assert "rule proportional" in (out / "run.log").read_text()

    spec = tmp_path / "s.yaml"
    spec.write_text(f"model: enclave\nbase: {case}\noptions: {{rule: fixed}}\nscenarios:\n  - name: a\n")
    out = tmp_path / "batch"
    res = CliRunner().invoke(main, ["batch", str(spec), "--out", str(out), "--workers", "1", "--quiet", "--no-report"])
    assert res.exit_code == 0, res.output
    assert "rule fixed" in (out / "runs" / "a" / "run.log").read_text()


def test_quiet_keeps_stderr_empty_and_progress_goes_to_stderr(tiny_dir, tmp_path):
    loud = CliRunner().invoke(main, ["freight", "solve", str(tiny_dir), "--out", str(tmp_path / "a"), "--json", "--no-report"])
    assert loud.exit_code == 0 and "model built" in loud.stderr
    json.loads(loud.stdout)  # stdout holds only the summary
    quiet = CliRunner().invoke(main, ["freight", "solve", str(tiny_dir), "--out", str(tmp_path / "b"), "--quiet", "--no-report"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_debug_shows_the_traceback_of_an_internal_error(tiny_dir, tmp_path, monkeypatch):
    import optimizer.freight.run as freight_run

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(freight_run, "solve_instance", broken)
    monkeypatch.delenv("OPTIMIZER_DEBUG", raising=False)
    plain = CliRunner().invoke(main, ["freight", "solve", str(tiny_dir), "--out", str(tmp_path / "a"), "--quiet"])
    assert plain.exit_code == 1 and "internal error: RuntimeError: boom" in plain.stderr and "Traceback" not in plain.stderr
    assert "--debug" in plain.stderr
    debug = CliRunner().invoke(main, ["--debug", "freight", "solve", str(tiny_dir), "--out", str(tmp_path / "b"), "--quiet"])
    assert debug.exit_code == 1 and "Traceback" in debug.stderr and "boom" in debug.stderr


def test_every_command_module_imports_on_its_own():
    """No import cycle: each CLI module can be imported first, in a fresh interpreter."""
    for module in ("batch", "freight", "instance_cmds", "report_cmd", "share", "share_enclave", "share_game", "common"):
        p = subprocess.run([sys.executable, "-c", f"import optimizer.cli.{module}"], capture_output=True, text=True)
        assert p.returncode == 0, (module, p.stderr)
