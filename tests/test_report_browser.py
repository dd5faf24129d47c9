"""Open the reports in headless Chromium: they render, run their script, log no console message, fetch nothing.

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it on CI); without it these tests are
skipped. Screenshots are kept as test artifacts in ``test-artifacts/report/`` at the repository root
(or in ``$REPORT_ARTIFACTS``) so a person can look at what the browser drew.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import png_size, write_batch, write_enclave_run, write_freight_run

from optimizer.freight.pareto import pareto_front, write_pareto
from optimizer.report import write_comparison, write_report
from test_business_rules import corridor

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("REPORT_ARTIFACTS", REPO / "test-artifacts" / "report"))


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found (Debian: apt-get install chromium; .ci/run installs it on CI)",
)


def run_chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium on ``page`` with every host name unresolvable (so any fetch would fail and be logged)."""
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr", "--v=0", *args, page.resolve().as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def console_messages(stderr: str) -> list[str]:
    """Messages the page wrote to the console, errors included (Chromium logs them as ``CONSOLE``)."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("browser")
    nash = write_enclave_run(root / "nash", "nash")
    prop = write_enclave_run(root / "proportional", "proportional")
    return {
        "freight": write_report(write_freight_run(root / "freight")),
        "enclave": write_report(nash),
        "comparison": write_comparison([nash, prop], root / "comparison.html"),
        "batch": write_report(write_batch(root / "batch")),
        "pareto": write_report(write_pareto(pareto_front(corridor(), "co2", 3, mip_gap=0.0), root / "pareto")),
    }


@pytest.mark.parametrize("kind", ["freight", "enclave", "comparison", "batch", "pareto"])
def test_report_renders_without_console_errors(kind, pages, tmp_path):
    p = run_chromium(tmp_path, pages[kind], "--dump-dom")
    assert p.returncode == 0, p.stderr[-2000:]
    assert console_messages(p.stderr) == []
    dom = p.stdout
    assert 'data-ready="1"' in dom  # the page's script ran to its end
    assert re.search(r"<h1>[^<]+</h1>", dom)


def test_freight_report_screenshot_is_kept(pages, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "freight-report.png"
    if shot.exists():
        shot.unlink()
    p = run_chromium(tmp_path, pages["freight"], "--window-size=1400,2400", f"--screenshot={shot}")
    assert p.returncode == 0, p.stderr[-2000:]
    assert console_messages(p.stderr) == []
    assert png_size(shot) == (1400, 2400)
    assert shot.stat().st_size > 50_000  # a map and charts, not a blank page
    shutil.copy(pages["freight"].parent / "map.png", ARTIFACTS / "freight-map.png")


def test_plan_toggle_switches_the_map_layers(pages, tmp_path):
    """Clicking "Status quo" shows the status-quo layers (the page is copied with one click appended)."""
    page = tmp_path / "clicked.html"
    click = "<script>document.querySelector('.toggle button[data-plan=baseline]').click();</script></body>"
    page.write_text(pages["freight"].read_text(encoding="utf-8").replace("</body>", click), encoding="utf-8")
    p = run_chromium(tmp_path, page, "--dump-dom")
    assert p.returncode == 0 and console_messages(p.stderr) == []
    assert '<div class="mapwrap" id="netmaps" data-show="baseline">' in p.stdout
    assert '<button type="button" data-plan="baseline" class="on">' in p.stdout
    assert '<button type="button" data-plan="optimised" class="">' in p.stdout
