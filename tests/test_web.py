"""``optimizer serve``: the routes through Starlette's TestClient, and the whole app in a real headless Chromium.

The browser test starts ``python -m optimizer serve`` on a free port in a subprocess, drives Debian's chromium
through chromedriver (selenium), solves the landbridge corridor twice (as it stands, and with the Zhengzhou
hub closed by a click on the map), compares the two scenarios, edits an enclave case and submits invalid
values. It checks the figures against :mod:`optimizer.api`, that the browser logged no error and that no
request left 127.0.0.1. Screenshots go to ``test-artifacts/web/``. Without chromium or chromedriver
(Debian: ``apt-get install chromium chromium-driver``; ``.ci/run`` installs both) it is skipped.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from optimizer import api
from optimizer.documents import read_yaml
from optimizer.sharing.case import case_from_dict
from optimizer.sharing.enclave import RULES as ENCLAVE_RULES

ROOT = Path(__file__).resolve().parents[1]
LANDBRIDGE = ROOT / "instances" / "landbridge"
BTH = ROOT / "instances" / "enclave" / "bth-relocated-firm" / "case.yaml"
ARTIFACTS = ROOT / "test-artifacts" / "web"
#: the proven optimum of the bundled corridor (README)
LANDBRIDGE_OPTIMUM = "14,154,775,494"

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from optimizer.web.app import _DictForm, create_app  # noqa: E402
from optimizer.web.forms import case_to_form  # noqa: E402
from optimizer.web.workspace import Workspace  # noqa: E402


@pytest.fixture()
def client(tmp_path):
    app = create_app(tmp_path / "ws", allowed_hosts=["testserver"])
    with TestClient(app) as c:
        c.ws = app.state.optimizer.ws
        yield c


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="field-error" id="err-([^"]+)">([^<]*)<', html))


def _case_form(**changes) -> dict:
    d = dict(_DictForm.of(case_to_form(read_yaml(BTH).data)))
    d["case"] = "bundled:bth-relocated-firm"
    d.update(changes)
    return d


def _npvs(html: str) -> dict[tuple[str, str], float]:
    return {(r, p): float(v) for r, p, v in re.findall(r'id="npv-([a-z-]+)-(beijing|hebei)" data-value="([^"]+)"', html)}


def _bth_with_buffer(years: int):
    data = copy.deepcopy(read_yaml(BTH).data)
    data["constraints"]["buffer"]["years"] = years
    return case_from_dict(data)


# ------------------------------------------------------------------------------------------ routes


def test_pages_render_and_reference_only_local_urls(client):
    for url in ("/", "/freight", "/freight?instance=bundled:landbridge", "/enclave", "/games", "/games?game=bundled:glove"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "Content-Security-Policy" in r.headers
        for ref in re.findall(r'(?:href|src|action)="([^"]*)"', r.text):
            assert ref.startswith(("/", "#", "?")) or ref == "", f"{url}: non-local reference {ref!r}"
        assert "http://" not in r.text.replace("http://www.w3.org/", "") and "https://" not in r.text, url
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/favicon.ico").status_code == 200


def test_freight_page_shows_form_map_and_hubs(client):
    html = client.get("/freight?instance=bundled:landbridge").text
    for name in ("demand_scale", "train_capacity_teu", "max_hubs_per_destination", "co2_price"):
        assert f'name="p_{name}"' in html
    assert 'id="close-zhengzhou"' in html and 'id="open-zhengzhou"' in html
    assert html.count('data-node="hub:') == 19
    assert 'id="no-scenarios"' in html


def test_bad_parameters_are_shown_at_the_field_and_nothing_is_solved(client):
    r = client.post("/freight/solve", data={"instance": "bundled:landbridge", "p_train_capacity_teu": "-5",
                                            "p_demand_scale": "lots", "closed_hubs": ["zhengzhou"], "open_hubs": ["zhengzhou"],
                                            "time_limit": "0"}, follow_redirects=False)
    assert r.status_code == 200  # the form again, with the problems at the fields (a 4xx would be a console error)
    errors = _errors(r.text)
    assert "greater than 0" in errors["train_capacity_teu"]
    assert "demand_scale" in errors and "time_limit" in errors
    assert "closed_hubs" in errors or "open_hubs" in errors
    assert client.app.state.optimizer.jobs.jobs == {}
    assert list(client.ws.runs.iterdir()) == []
    # the typed values are kept in the form
    assert 'value="-5"' in r.text


def test_unknown_instance_is_404(client):
    assert client.get("/freight?instance=../../etc").status_code == 404
    assert client.post("/freight/solve", data={"instance": "nope"}).status_code == 404


def test_solve_progress_result_and_report_readable_by_the_cli(client):
    r = client.post("/freight/solve", data={"instance": "bundled:landbridge", "scenario": "base web"}, follow_redirects=False)
    assert r.status_code == 303
    job = r.headers["location"].split("job=")[1]
    deadline, seen_progress = time.time() + 240, False
    while True:
        st = client.get(f"/api/jobs/{job}").json()
        seen_progress |= st["best"] is not None
        if st["finished"] or time.time() > deadline:
            break
        time.sleep(0.5)
    assert st["status"] == "done", st
    assert seen_progress and st["best"]["gap"] is not None
    assert st["scenario"] == "base-web"
    run = client.ws.runs / "base-web"
    from optimizer.report import detect_kind

    assert detect_kind(run) == "freight"
    assert (run / "report.html").is_file() and (run / "summary.json").is_file()
    page = client.get(f"/freight?instance=bundled:landbridge&scenario={st['scenario']}").text
    assert re.search(r'data-kpi="total_cost"><td>[^<]*</td><td class="num">18,412,804,863</td><td class="num plan">' + LANDBRIDGE_OPTIMUM, page)
    assert client.get("/files/runs/base-web/report.html").status_code == 200
    # a second scenario under the same name gets its own folder; compare the two
    assert client.ws.reserve("base-web").name == "base-web-2"
    shutil.rmtree(client.ws.runs / "base-web-2")
    shutil.copytree(run, client.ws.runs / "copy")
    r = client.post("/freight/compare", data={"instance": "bundled:landbridge", "run": ["base-web", "copy"]}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    src = re.search(r'id="compare-frame"[^>]*src="([^"]+)"', page) or re.search(r'src="(/files/compare/[^"]+)"', page)
    assert client.get(src.group(1)).status_code == 200
    assert len(list((client.ws.root / "compare").glob("*/compare.csv"))) == 1


def test_compare_needs_two_scenarios(client):
    r = client.post("/freight/compare", data={"instance": "bundled:landbridge", "run": ["x"]})
    assert r.status_code == 200 and "two or more" in r.text


def test_cancel_stops_the_solve_and_leaves_no_folder(client):
    r = client.post("/freight/solve", data={"instance": "bundled:landbridge", "scenario": "stopme"}, follow_redirects=False)
    job = r.headers["location"].split("job=")[1]
    time.sleep(0.5)
    assert client.post(f"/api/jobs/{job}/cancel").json() == {"cancelled": True}
    deadline = time.time() + 30
    while not client.get(f"/api/jobs/{job}").json()["finished"] and time.time() < deadline:
        time.sleep(0.2)
    assert client.get(f"/api/jobs/{job}").json()["status"] == "cancelled"
    assert list(client.ws.runs.iterdir()) == []
    assert client.post(f"/api/jobs/{job}/cancel").status_code == 409
    assert client.get("/api/jobs/nope").status_code == 404


def test_enclave_split_follows_the_engine(client):
    r = client.get("/enclave?case=bundled:bth-relocated-firm")
    assert r.status_code == 200
    case = api.load_case(BTH)
    got = _npvs(r.text)
    for rule in ENCLAVE_RULES:
        res = api.solve_case(case, rule)
        for p, v in res.npv.items():
            assert got[(rule, p)] == pytest.approx(v, rel=1e-8)
    r = client.post("/enclave", data=_case_form(buffer_years="3"))
    assert r.status_code == 200
    changed = _bth_with_buffer(3)
    got3 = _npvs(r.text)
    for rule in ENCLAVE_RULES:
        for p, v in api.solve_case(changed, rule).npv.items():
            assert got3[(rule, p)] == pytest.approx(v, rel=1e-8)
    assert got3 != got


@pytest.mark.parametrize("field, value, fid, words", [
    ("buffer_years", "99", "buffer_years", "exceed the 8 years"),
    ("buffer_years", "-1", "buffer_years", ""),
    ("buffer_floor", "2", "buffer_floor", ""),
    ("party-0-contributions", "existing_tax_base: lots", "party-0-contributions", "must be a number"),
    ("party-1-role", "", "party-1-role", ""),
    ("revenue-0-values", "20, 26, x", "revenue-0-values", ""),
    ("discount_rate", "7", "discount_rate", ""),
    ("other", "constraints: [1", "other", "YAML"),
])
def test_enclave_errors_at_the_field(client, field, value, fid, words):
    r = client.post("/enclave", data=_case_form(**{field: value}))
    assert r.status_code == 200
    errors = _errors(r.text)
    assert fid in errors, (errors, r.text[:2000])
    assert words in errors[fid]
    assert 'id="no-results"' in r.text


def test_enclave_downloads(client):
    r = client.post("/enclave", data=_case_form(buffer_years="4", action="yaml"))
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    import yaml

    assert case_from_dict(yaml.safe_load(r.text)).constraints.buffer.years == 4
    r = client.post("/enclave", data=_case_form(action="zip"))
    assert r.status_code == 200
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert any(n.endswith("nash/summary.json") for n in names) and any(n.endswith("comparison.html") for n in names)
    r = client.post("/enclave", data=_case_form(name="my-case", action="save"))
    assert r.status_code == 200 and (client.ws.root / "cases" / "my-case.yaml").is_file()
    assert "ws:my-case" in client.get("/enclave").text


def test_games_allocations_and_core_check(client):
    r = client.get("/games?game=bundled:glove")
    assert r.status_code == 200
    game = api.load_game(ROOT / "instances" / "games" / "glove.json")
    sh = api.solve_game(game, "shapley").allocation
    for p, v in zip(game.players, sh):
        m = re.search(rf'id="alloc-shapley-{re.escape(p)}">([^<]*)<', r.text)
        assert float(m.group(1).replace(",", "")) == pytest.approx(v, abs=0.01)
    assert re.search(r'id="core-nucleolus">yes<', r.text)
    assert 'id="core-summary"' in r.text


def test_files_cannot_leave_the_workspace(client):
    for bad in ("../secret", "runs/../../x", ".hidden", "runs/%2e%2e/x"):
        assert client.get(f"/files/{bad}").status_code == 404


def test_foreign_host_and_cross_site_post_refused(tmp_path):
    app = create_app(tmp_path / "ws")
    c = TestClient(app, base_url="http://127.0.0.1:8050")
    assert c.get("/").status_code == 200
    assert TestClient(app, base_url="http://evil.example").get("/").status_code == 400
    r = c.post("/enclave", data=_case_form(), headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_server_error_is_shown_logged_and_the_server_keeps_running(client, monkeypatch, caplog):
    import optimizer.web.games_view as gv

    def boom(game):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(gv, "allocations", boom)
    c = TestClient(client.app, raise_server_exceptions=False)
    r = c.get("/games?game=bundled:glove")
    assert r.status_code == 500 and "simulated failure" in r.text and 'id="server-error"' in r.text
    assert any("internal error" in rec.getMessage() for rec in caplog.records)
    monkeypatch.undo()
    assert c.get("/games?game=bundled:glove").status_code == 200


def test_workspace_instances_and_reservations(tmp_path):
    ws = Workspace(tmp_path / "ws")
    api.write_instance_workbook(api.load_instance(LANDBRIDGE), ws.root / "mine.xlsx")
    keys = [s.key for s in ws.instances()]
    assert "bundled:landbridge" in keys and "ws:mine.xlsx" in keys
    a, b = ws.reserve("x"), ws.reserve("x")
    assert a != b and a.is_dir() and b.is_dir()
    assert ws.run_dir("x") is None  # reserved, not yet a run folder


def test_serve_command_is_registered():
    from click.testing import CliRunner

    from optimizer.cli import main

    r = CliRunner().invoke(main, ["serve", "--help"])
    assert r.exit_code == 0 and "127.0.0.1" in r.output


# ------------------------------------------------------------------------------------------ browser


def _browser_tools() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium not found (Debian: apt-get install chromium; .ci/run installs it)"
    if not shutil.which("chromedriver"):
        return "chromedriver not found (Debian: apt-get install chromium-driver; .ci/run installs it)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path):
    port = _free_port()
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "optimizer", "serve", "--port", str(port), "--workspace", str(tmp_path / "ws")],
                            stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1], env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    log.seek(0)
    started = log.read()
    if proc.poll() is not None:
        pytest.fail(f"the server did not start:\n{started}")
    yield f"http://127.0.0.1:{port}", started, tmp_path / "ws", proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture()
def browser():
    why = _browser_tools()
    if why:
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1500,1800",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def _wait(driver, cond, timeout: float = 240, what: str = "condition"):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.3).until(cond, message=f"timed out waiting for {what}")


def _shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _total_cost(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, '#kpis tr[data-kpi="total_cost"] td.plan').text


def _solve(driver, base: str, scenario: str) -> None:
    from selenium.webdriver.common.by import By

    name = driver.find_element(By.ID, "f-scenario")
    name.clear()
    name.send_keys(scenario)
    driver.find_element(By.ID, "solve").click()
    _wait(driver, lambda d: "job=" in d.current_url, 30, "the job page")
    _wait(driver, lambda d: d.find_element(By.ID, "job").get_attribute("data-status") in ("running", "done"), 60, "the job to start")
    _wait(driver, lambda d: "scenario=" in d.current_url or (d.find_elements(By.ID, "job-error") and d.find_element(By.ID, "job-error").is_displayed()),
          300, f"scenario {scenario} to be solved")
    assert "scenario=" in driver.current_url, driver.find_element(By.ID, "job-error").text


def test_browser_end_to_end(server, browser):
    from selenium.webdriver.common.by import By

    base, started, ws, proc = server
    assert "127.0.0.1 only" in started and f"{base}/" in started
    d = browser
    d.get(f"{base}/freight?instance=bundled:landbridge")
    _wait(d, lambda d: d.execute_script("return document.documentElement.dataset.ready") == "1", 30, "the page script")
    _shot(d, "01-freight")

    # 1. today's corridor as it stands: the known optimum
    _solve(d, base, "as-is")
    assert _total_cost(d) == LANDBRIDGE_OPTIMUM
    _shot(d, "02-solved-as-is")

    # 2. close the Zhengzhou hub by clicking it on the map; the KPI is what the API computes
    hub = d.find_element(By.CSS_SELECTOR, '#network-map [data-node="hub:zhengzhou"]')
    d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", hub)
    assert d.find_element(By.ID, "close-zhengzhou").is_selected()
    expected = api.solve_freight(LANDBRIDGE, overrides={"closed_hubs": "zhengzhou"}).summary["kpis"]["total_cost"]
    _solve(d, base, "no-zhengzhou")
    assert _total_cost(d) == f"{expected:,.0f}"
    summary = json.loads((ws / "runs" / "no-zhengzhou" / "summary.json").read_text())
    assert summary["overrides"] == {"closed_hubs": ["zhengzhou"]}
    _shot(d, "03-solved-no-zhengzhou")

    # 3. compare the two scenarios (the comparison report of optimizer report RUN RUN)
    for n in ("as-is", "no-zhengzhou"):
        d.find_element(By.ID, f"cmp-{n}").click()
    d.find_element(By.ID, "compare").click()
    _wait(d, lambda d: "/compare?" in d.current_url, 60, "the comparison")
    d.switch_to.frame(d.find_element(By.ID, "compare-frame"))
    _wait(d, lambda d: "no-zhengzhou" in d.find_element(By.TAG_NAME, "body").text, 30, "the comparison report")
    d.switch_to.default_content()
    _shot(d, "04-compare")

    # 4. an invalid parameter is shown at its field
    d.get(f"{base}/freight?instance=bundled:landbridge")
    d.find_element(By.ID, "p-train_capacity_teu").send_keys("-1")
    d.find_element(By.ID, "solve").click()
    msg = _wait(d, lambda d: d.find_elements(By.ID, "err-train_capacity_teu"), 30, "the field error")[0].text
    assert "greater than 0" in msg
    _shot(d, "05-freight-invalid")

    # 5. enclave: change the buffer years; every rule's split as the engine computes it
    d.get(f"{base}/enclave?case=bundled:bth-relocated-firm")
    before = {r: float(d.find_element(By.ID, f"npv-{r}-beijing").get_attribute("data-value")) for r in ENCLAVE_RULES}
    years = d.find_element(By.ID, "f-buffer_years")
    years.clear()
    years.send_keys("3")
    d.find_element(By.ID, "update").click()
    _wait(d, lambda d: d.find_element(By.ID, "f-buffer_years").get_attribute("value") == "3", 60, "the updated split")
    changed = _bth_with_buffer(3)
    after = {}
    for rule in ENCLAVE_RULES:
        res = api.solve_case(changed, rule)
        for p, v in res.npv.items():
            shown = float(d.find_element(By.ID, f"npv-{rule}-{p}").get_attribute("data-value"))
            assert shown == pytest.approx(v, rel=1e-8), (rule, p)
        after[rule] = res.npv["beijing"]
    assert after != pytest.approx(before)
    _shot(d, "06-enclave-buffer-3")
    years = d.find_element(By.ID, "f-buffer_years")
    years.clear()
    years.send_keys("99")
    d.find_element(By.ID, "update").click()
    msg = _wait(d, lambda d: d.find_elements(By.ID, "err-buffer_years"), 30, "the field error")[0].text
    assert "99 buffer years exceed the 8 years of the case" in msg
    assert d.find_elements(By.ID, "no-results")
    _shot(d, "07-enclave-invalid")

    # 6. games
    d.get(f"{base}/games?game=bundled:glove")
    assert d.find_element(By.ID, "core-nucleolus").text == "yes"
    _shot(d, "08-games")

    # nothing failed in the browser, and no request left 127.0.0.1
    severe = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == [], severe
    urls = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    assert urls, "the performance log recorded no request"
    foreign = [u for u in urls if not u.startswith((base + "/", "data:", "about:", "blob:"))]
    assert foreign == [], foreign
    assert proc.poll() is None  # the server is still running
