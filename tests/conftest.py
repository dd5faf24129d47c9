"""Shared fixtures: a tiny, valid instance folder written from text, and the benchmark folder."""

from __future__ import annotations

from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"

# Two feeder cities (Baoji, Tianshui) and one hub city (Xi'an), two hubs (Xi'an at its city,
# Lanzhou on its own), one gateway, two destinations. Feeder legs are derived from coordinates.
TINY_FILES = {
    "instance.yaml": """\
name: tiny
description: two feeders, two hubs, two destinations
units: {cost: CNY, volume: TEU}
parameters:
  unserved_penalty: 50000
  max_feeder_km: 1000
""",
    "cities.csv": """\
city_id,name,province,lon,lat
XIAN,Xi'an,Shaanxi,108.94,34.34
BAOJI,Baoji,Shaanxi,107.24,34.36
TIANSHUI,Tianshui,Gansu,105.72,34.58
""",
    "hubs.csv": """\
hub_id,name,city_id,lon,lat,handling_cost,capacity_teu,fixed_cost
H_XIAN,Xi'an hub,XIAN,108.94,34.34,100,,1000000
H_LANZHOU,Lanzhou hub,,103.83,36.06,80,5000,
""",
    "gateways.csv": """\
gateway_id,name,lon,lat,capacity_trains
KHORGOS,Khorgos,80.42,44.21,8000
""",
    "destinations.csv": """\
destination_id,name,country,lon,lat,max_hubs
DUISBURG,Duisburg,DE,6.76,51.43,
ALMATY,Almaty,KZ,76.89,43.24,1
""",
    "demand.csv": """\
origin,destination,teu,return_teu,max_days
XIAN,DUISBURG,1000,400,
BAOJI,DUISBURG,300,,
TIANSHUI,ALMATY,200,50,20
""",
    "services.csv": """\
service_id,hub_id,destination_id,gateway_id,cost_per_train,train_capacity_teu,min_trains,max_trains,fixed_cost,days,distance_km
XIAN-DUI,H_XIAN,DUISBURG,KHORGOS,2000000,,52,,0,15,9500
LZ-DUI,H_LANZHOU,DUISBURG,KHORGOS,1900000,82,0,400,0,14,9000
LZ-ALA,H_LANZHOU,ALMATY,KHORGOS,500000,,0,,0,6,3000
""",
    "status_quo.csv": """\
service_id,trains
XIAN-DUI,60
""",
}


def write_folder(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (name → text or bytes) into ``folder``; a value of None leaves the file out."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_files() -> dict[str, str]:
    """The tiny instance's files as a dict to modify before writing (``write_folder``)."""
    return dict(TINY_FILES)


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    return write_folder(tmp_path / "tiny", TINY_FILES)


@pytest.fixture
def benchmarks() -> Path:
    return BENCHMARKS
