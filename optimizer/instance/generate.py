"""Synthetic New Eurasian Land Bridge corridors, for benchmarks and scale tests.

:func:`generate_corridor` builds an :class:`Instance` that looks like the real corridor at any size:

* cities scattered around the real centres of the corridor provinces (Shandong, Jiangsu, Henan,
  Shaanxi, Gansu, Qinghai, Ningxia, Xinjiang) and of the provinces that feed them (Sichuan,
  Chongqing, Hubei, Zhejiang, …); each province's first city is its capital at its real place;
  city sizes are heavy-tailed (log-normal, capitals larger);
* the hubs are the largest cities, each able to handle 2.5 × its share of all demand and at
  least 1.25 × what it handles today; the gateways are the four real ones (Alashankou, Khorgos,
  Erenhot, Manzhouli) with capacities from ``../shared/facts/cr-express.md`` §4;
* destinations are real European and Central-Asian terminals, the most attractive first;
* demand is skewed: a city's volume follows its size, and it ships to a sparse subset of
  destinations drawn by attractiveness (return demand 30–90 % of it, the corridor's ~84 %
  return/outbound ratio on average);
* services hub × destination through the one or two plausible gateways (the shortest route,
  and the second shortest when it is at most 5 % longer), train cost growing with distance (≈ CNY 2.3 M for 10,000 km, that is about
  US$ 7.8 k per FEU on 41 FEU = 82 TEU trains, cr-express.md §1 and §7), days ≈ km / 700 + 1;
* a status quo that carries all demand, as today's network does: a city ships from its own
  platform, or else its nearest (cheapest feeder leg), every platform runs its own lines (at
  today's ~85 % load) to the terminals its cities ship to — many of them to the same terminals,
  the duplication the policy targets — within line, gateway and transit-time limits
  (:func:`.status_quo.status_quo_network`). A pair rides a farther hub's line only where its home lines cannot take
  it: their gateway is full (Alashankou and Erenhot fill first) or the only home line is a weekly
  one its few boxes would not open; 86–100 % of the pairs ship from home (94.5 % at 130 × 30 × 60 seed 3).
  A corridor too small for its demand (a few hubs carrying the whole 1.2 M TEU) gets its lines'
  farther gateways, then more than two trains a day per line, until all of it fits;
* feeder legs derived from coordinates up to ``max_feeder_km`` (road, rail beyond
  ``rail_min_km``), plus each city's two nearest hubs, so every city has a handful of candidates.

Every demand pair has a route (a leg to a hub that has a service to its destination), so the
instance is always solvable. The same seed gives the same instance.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .data import Instance, default_params, make_table
from .network import add_own_city_legs, derive_feeder_legs, haversine_km
from .status_quo import hub_capacity_for_today, status_quo_network

# name, code, capital, capital (zh), lon, lat, spread (degrees), weight (share of cities), corridor province
PROVINCES = (
    ("Jiangsu", "JS", "Nanjing", "南京", 118.80, 32.06, 1.3, 9.0, True),
    ("Shandong", "SD", "Jinan", "济南", 117.00, 36.65, 1.5, 8.0, True),
    ("Henan", "HA", "Zhengzhou", "郑州", 113.63, 34.75, 1.4, 8.0, True),
    ("Zhejiang", "ZJ", "Hangzhou", "杭州", 120.16, 30.27, 1.0, 8.0, False),
    ("Sichuan", "SC", "Chengdu", "成都", 104.07, 30.67, 2.0, 7.0, False),
    ("Shaanxi", "SN", "Xi'an", "西安", 108.94, 34.34, 1.3, 6.0, True),
    ("Guangdong", "GD", "Guangzhou", "广州", 113.26, 23.13, 1.3, 6.0, False),
    ("Chongqing", "CQ", "Chongqing", "重庆", 106.55, 29.56, 0.8, 5.0, False),
    ("Hubei", "HB", "Wuhan", "武汉", 114.31, 30.59, 1.5, 5.0, False),
    ("Hebei", "HE", "Shijiazhuang", "石家庄", 114.51, 38.04, 1.5, 5.0, False),
    ("Gansu", "GS", "Lanzhou", "兰州", 103.83, 36.06, 2.5, 4.0, True),
    ("Xinjiang", "XJ", "Urumqi", "乌鲁木齐", 87.62, 43.83, 5.0, 4.0, True),
    ("Anhui", "AH", "Hefei", "合肥", 117.23, 31.82, 1.3, 4.0, False),
    ("Hunan", "HN", "Changsha", "长沙", 112.94, 28.23, 1.5, 3.0, False),
    ("Liaoning", "LN", "Shenyang", "沈阳", 123.43, 41.80, 1.5, 3.0, False),
    ("Fujian", "FJ", "Fuzhou", "福州", 119.30, 26.08, 1.2, 3.0, False),
    ("Shanxi", "SX", "Taiyuan", "太原", 112.55, 37.87, 1.3, 2.0, False),
    ("Heilongjiang", "HL", "Harbin", "哈尔滨", 126.64, 45.76, 2.5, 2.0, False),
    ("Qinghai", "QH", "Xining", "西宁", 101.78, 36.62, 2.5, 1.5, True),
    ("Ningxia", "NX", "Yinchuan", "银川", 106.23, 38.49, 0.8, 1.5, True),
    ("Inner Mongolia", "NM", "Hohhot", "呼和浩特", 111.75, 40.84, 3.0, 1.5, False),
    ("Guizhou", "GZ", "Guiyang", "贵阳", 106.63, 26.65, 1.5, 1.5, False),
)

# id, name, zh, lon, lat, trains per year it can clear (cr-express.md §4: Khorgos 7,762 in 2023,
# Alashankou ~21–30 a day, Manzhouli 4,818 in 2022, Erenhot > 3,000 in 2023)
GATEWAYS = (
    ("ALASHANKOU", "Alashankou", "阿拉山口", 82.57, 45.17, 8000.0),
    ("KHORGOS", "Khorgos", "霍尔果斯", 80.42, 44.21, 8500.0),
    ("ERENHOT", "Erenhot", "二连浩特", 111.98, 43.65, 3200.0),
    ("MANZHOULI", "Manzhouli", "满洲里", 117.38, 49.60, 5000.0),
)

# id, name, country, lon, lat, attractiveness (relative share of the corridor's cargo)
DESTINATIONS = (
    ("DUISBURG", "Duisburg", "DE", 6.76, 51.43, 10.0),
    ("HAMBURG", "Hamburg", "DE", 9.99, 53.55, 6.0),
    ("LODZ", "Łódź", "PL", 19.46, 51.76, 6.0),
    ("MOSCOW", "Moscow", "RU", 37.62, 55.75, 6.0),
    ("MALASZEWICZE", "Małaszewicze", "PL", 23.53, 52.04, 5.0),
    ("ALMATY", "Almaty", "KZ", 76.89, 43.24, 5.0),
    ("TASHKENT", "Tashkent", "UZ", 69.24, 41.30, 4.0),
    ("BUDAPEST", "Budapest", "HU", 19.04, 47.50, 3.0),
    ("MINSK", "Minsk", "BY", 27.56, 53.90, 3.0),
    ("WARSAW", "Warsaw", "PL", 21.01, 52.23, 3.0),
    ("MADRID", "Madrid", "ES", -3.70, 40.42, 2.0),
    ("MILAN", "Milan", "IT", 9.19, 45.46, 2.0),
    ("LIEGE", "Liège", "BE", 5.57, 50.63, 2.0),
    ("PRAGUE", "Prague", "CZ", 14.42, 50.08, 2.0),
    ("VIENNA", "Vienna", "AT", 16.37, 48.21, 2.0),
    ("ROTTERDAM", "Rotterdam", "NL", 4.48, 51.92, 2.0),
    ("ANTWERP", "Antwerp", "BE", 4.40, 51.22, 2.0),
    ("ST_PETERSBURG", "St Petersburg", "RU", 30.32, 59.94, 2.0),
    ("PARIS", "Paris", "FR", 2.35, 48.86, 1.5),
    ("NUREMBERG", "Nuremberg", "DE", 11.08, 49.45, 1.5),
    ("LEIPZIG", "Leipzig", "DE", 12.37, 51.34, 1.5),
    ("NEUSS", "Neuss", "DE", 6.69, 51.20, 1.5),
    ("KAUNAS", "Kaunas", "LT", 23.90, 54.90, 1.5),
    ("YEKATERINBURG", "Yekaterinburg", "RU", 60.60, 56.84, 1.5),
    ("NOVOSIBIRSK", "Novosibirsk", "RU", 82.92, 55.03, 1.5),
    ("ASTANA", "Astana", "KZ", 71.45, 51.17, 1.5),
    ("BISHKEK", "Bishkek", "KG", 74.59, 42.87, 1.5),
    ("ISTANBUL", "Istanbul", "TR", 28.98, 41.01, 1.5),
    ("TEHRAN", "Tehran", "IR", 51.39, 35.69, 1.5),
    ("LYON", "Lyon", "FR", 4.84, 45.76, 1.0),
    ("MUNICH", "Munich", "DE", 11.58, 48.14, 1.0),
    ("MANNHEIM", "Mannheim", "DE", 8.47, 49.49, 1.0),
    ("SLAWKOW", "Sławków", "PL", 19.39, 50.30, 1.0),
    ("BRATISLAVA", "Bratislava", "SK", 17.11, 48.15, 1.0),
    ("BELGRADE", "Belgrade", "RS", 20.46, 44.79, 1.0),
    ("BUCHAREST", "Bucharest", "RO", 26.10, 44.43, 1.0),
    ("BARCELONA", "Barcelona", "ES", 2.17, 41.39, 1.0),
    ("HELSINKI", "Helsinki", "FI", 24.94, 60.17, 1.0),
    ("KAZAN", "Kazan", "RU", 49.11, 55.79, 1.0),
    ("DUSHANBE", "Dushanbe", "TJ", 68.79, 38.56, 1.0),
    ("BAKU", "Baku", "AZ", 49.87, 40.41, 1.0),
    ("TBILISI", "Tbilisi", "GE", 44.79, 41.72, 1.0),
    ("ULAANBAATAR", "Ulaanbaatar", "MN", 106.92, 47.89, 1.0),
    ("SAMARKAND", "Samarkand", "UZ", 66.96, 39.65, 0.8),
    ("SOFIA", "Sofia", "BG", 23.32, 42.70, 0.8),
    ("PIRAEUS", "Piraeus", "GR", 23.65, 37.94, 0.8),
    ("VENICE", "Venice", "IT", 12.33, 45.44, 0.8),
    ("VALENCIA", "Valencia", "ES", -0.38, 39.47, 0.8),
    ("STOCKHOLM", "Stockholm", "SE", 18.07, 59.33, 0.8),
    ("RIGA", "Riga", "LV", 24.11, 56.95, 0.8),
    ("KALININGRAD", "Kaliningrad", "RU", 20.45, 54.71, 0.8),
    ("ASHGABAT", "Ashgabat", "TM", 58.38, 37.96, 0.8),
    ("AKTOBE", "Aktobe", "KZ", 57.17, 50.28, 0.7),
    ("COPENHAGEN", "Copenhagen", "DK", 12.57, 55.68, 0.7),
    ("GDANSK", "Gdańsk", "PL", 18.65, 54.35, 0.7),
    ("LONDON", "London", "GB", -0.13, 51.51, 0.6),
    ("LISBON", "Lisbon", "PT", -9.14, 38.72, 0.5),
    ("OSLO", "Oslo", "NO", 10.75, 59.91, 0.5),
    ("TALLINN", "Tallinn", "EE", 24.75, 59.44, 0.5),
    ("VILNIUS", "Vilnius", "LT", 25.28, 54.69, 0.5),
    ("KRAKOW", "Kraków", "PL", 19.94, 50.06, 0.5),
    ("ROME", "Rome", "IT", 12.50, 41.90, 0.5),
)

TRAIN_TEU = 82.0  # 41 FEU on the Europe leg (cr-express.md §1)
TRAIN_BASE_CNY = 400_000.0  # terminal handling, wagons and border costs per train
TRAIN_CNY_PER_KM = 190.0  # so 10,000 km ≈ CNY 2.3 M ≈ US$ 0.32 M per 41-FEU train (§7)
RAIL_KM_PER_DAY = 700.0
CHINA_CIRCUITY, ABROAD_CIRCUITY = 1.25, 1.3
#: times the maximum trains of lines still too small (every gateway offered) are doubled, 730 → 11,680 a year
MORE_TRAINS_ROUNDS = 4


def generate_corridor(
    cities: int,
    hubs: int,
    destinations: int,
    seed: int = 0,
    *,
    total_teu: float = 1.2e6,
    max_feeder_km: float = 500.0,
    nearest_hubs: int = 2,
    max_destinations_per_city: int = 12,
    timed_share: float = 0.2,
) -> Instance:
    """A synthetic corridor with ``cities`` feeders, the ``hubs`` largest of them as hubs, and ``destinations`` terminals.

    ``total_teu``: westbound TEU a year over all cities (≈ the corridor's 2024 outbound volume);
    ``max_feeder_km``: derived feeder legs up to this distance, plus each city's ``nearest_hubs``;
    ``timed_share``: share of demand pairs given a ``max_days`` (1.5 × their fastest route).
    """
    _check_sizes(cities, hubs, destinations, max_feeder_km)
    rng = np.random.default_rng(seed)
    city_df, size = _cities(cities, rng)
    hub_df = _hubs(city_df, size, hubs, total_teu, rng)
    gate_df = make_table("gateways", [dict(zip(("gateway_id", "name", "name_zh", "lon", "lat", "capacity_trains"), g)) for g in GATEWAYS])
    dest_df, attract = _destinations(destinations, rng)
    params = default_params()
    params.update(max_feeder_km=float(max_feeder_km), feeder_mode="auto", rail_min_km=500.0, feeder_fixed_cost_per_teu=150.0, unserved_penalty=100_000.0)
    legs = _feeder_legs(city_df, hub_df, params, nearest_hubs)
    demand = _demand(size, dest_df, attract, total_teu, max_destinations_per_city, rng)
    services = _services(legs, demand, hub_df, gate_df, dest_df, attract, rng)
    demand = _time_limits(demand, legs, services, timed_share, rng)
    status_quo, assignments, throughput, missed = status_quo_network(hub_df, gate_df, legs, demand, services)
    for _ in range(len(GATEWAYS) - 1 + MORE_TRAINS_ROUNDS):  # a corridor too small for its demand: farther gateways, then more trains
        if not len(missed):
            break
        more = _more_gateways(services, demand.iloc[missed], legs, hub_df, gate_df, dest_df, attract, rng)
        if len(more) == len(services):
            more = _more_trains(services, demand.iloc[missed], legs)
            if more.equals(services):
                break
        services = more
        status_quo, assignments, throughput, missed = status_quo_network(hub_df, gate_df, legs, demand, services)
    hub_df = hub_capacity_for_today(hub_df, throughput)
    return Instance(
        name=f"corridor-{cities}c-{hubs}h-{destinations}d-s{seed}",
        cities=city_df,
        hubs=hub_df,
        gateways=gate_df,
        destinations=dest_df,
        demand=demand,
        feeder_legs=legs,
        services=services,
        status_quo=status_quo,
        status_quo_assignments=assignments,
        params=params,
        meta={
            "description": f"Synthetic New Eurasian Land Bridge corridor: {cities} cities, {hubs} hubs, {destinations} destinations (seed {seed})",
            "units": {"money": "CNY", "volume": "TEU", "distance": "km", "time": "days"},
            "provenance": "generated by optimizer.instance.generate.generate_corridor; geography real, volumes and costs synthetic "
            "(calibrated to cr-express.md: 82 TEU trains, ~US$ 7-9 k per FEU, gateway capacities)",
            "feeder_legs": f"derived from coordinates (max_feeder_km {max_feeder_km:g}, plus the {nearest_hubs} nearest hubs)",
            "warnings": [],
            "overrides": {},
        },
    )


def _check_sizes(cities: int, hubs: int, destinations: int, max_feeder_km: float) -> None:
    problems = []
    if cities < 1:
        problems.append(Problem("--cities", f"must be at least 1, not {cities}"))
    if not 1 <= hubs <= max(cities, 1):
        problems.append(Problem("--hubs", f"must be between 1 and the number of cities ({cities}), not {hubs}"))
    if destinations < 1:
        problems.append(Problem("--destinations", f"must be at least 1, not {destinations}"))
    if not max_feeder_km > 0:
        problems.append(Problem("--max-feeder-km", f"must be positive, not {max_feeder_km}"))
    if problems:
        raise InputError(problems, source="generate corridor")


def _cities(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    """``n`` cities (largest first) and their sizes: per province by weight (largest remainder), its capital first at its real place."""
    weights = np.array([p[7] for p in PROVINCES])
    quota = n * weights / weights.sum()
    counts = np.floor(quota).astype(int)
    counts[np.argsort(-(quota - counts), kind="stable")[: n - counts.sum()]] += 1
    rows = []
    for (province, code, capital, capital_zh, lon, lat, spread, weight, corridor), k in zip(PROVINCES, counts):
        if k == 0:
            continue
        size = rng.lognormal(-1.2, 0.8, k) * math.sqrt(weight)  # heavy tail: a few big cities, many small
        size[0] = weight * rng.lognormal(0.0, 0.2) * (1.3 if corridor else 1.0)  # the capital, usually the largest
        dlon = rng.normal(0.0, spread / 2, k) / max(math.cos(math.radians(lat)), 0.3)
        dlat = rng.normal(0.0, spread / 2, k)
        dlon[0] = dlat[0] = 0.0
        for i in range(k):
            rows.append(
                {
                    "city_id": f"{code}{i + 1:02d}",
                    "name": capital if i == 0 else f"{province} {i + 1}",
                    "name_zh": capital_zh if i == 0 else "",
                    "province": province,
                    "lon": round(float(np.clip(lon + dlon[i], 73.5, 134.5)), 4),
                    "lat": round(float(np.clip(lat + dlat[i], 18.5, 53.0)), 4),
                    "size": float(size[i]),
                }
            )
    df = pd.DataFrame(rows).sort_values("size", ascending=False, kind="stable")
    return make_table("cities", df), df.set_index("city_id")["size"]


def _hubs(cities: pd.DataFrame, size: pd.Series, n: int, total_teu: float, rng: np.random.Generator) -> pd.DataFrame:
    """The ``n`` largest cities; capacity 2.5 × their share of all demand, fixed cost growing with it."""
    top = cities.loc[size.nlargest(n).index]
    share = size[top.index] / size[top.index].sum()
    capacity = np.maximum(np.round(2.5 * total_teu * share, -3), 20_000.0)
    return make_table(
        "hubs",
        {
            "hub_id": ["H_" + c for c in top.index],
            "name": top["name"].to_numpy() + " hub",
            "name_zh": [z + "集结中心" if z else "" for z in top["name_zh"]],
            "city_id": top.index.to_numpy(),
            "lon": top["lon"].to_numpy(),
            "lat": top["lat"].to_numpy(),
            "handling_cost": np.round(rng.uniform(150.0, 300.0, n), 0),
            "capacity_teu": capacity.to_numpy(),
            "fixed_cost": np.round(2.0e6 + 40.0 * capacity * rng.uniform(0.8, 1.2, n), -4),
        },
    )


def _destinations(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """The ``n`` most attractive terminals and their attractiveness; beyond the list, satellites near the real ones."""
    rows = [dict(zip(("destination_id", "name", "country", "lon", "lat", "attractiveness"), d)) for d in DESTINATIONS[:n]]
    for k in range(n - len(rows)):
        base = DESTINATIONS[k % len(DESTINATIONS)]
        copy = k // len(DESTINATIONS) + 2
        rows.append(
            {
                "destination_id": f"{base[0]}_{copy}",
                "name": f"{base[1]} {copy}",
                "country": base[2],
                "lon": round(base[3] + rng.normal(0, 1.0), 4),
                "lat": round(base[4] + rng.normal(0, 0.7), 4),
                "attractiveness": base[5] * 0.5,
            }
        )
    df = pd.DataFrame(rows)
    return make_table("destinations", df.assign(max_hubs=np.inf)), df["attractiveness"].to_numpy()


def _feeder_legs(cities: pd.DataFrame, hubs: pd.DataFrame, params: dict, nearest: int) -> pd.DataFrame:
    """Legs within max_feeder_km, plus each city's ``nearest`` hubs (so remote cities have candidates too)."""
    legs = derive_feeder_legs(cities, hubs, params)
    km = haversine_km(cities["lon"].to_numpy()[:, None], cities["lat"].to_numpy()[:, None], hubs["lon"].to_numpy()[None, :], hubs["lat"].to_numpy()[None, :])
    k = min(nearest, len(hubs))
    near = np.argsort(km, axis=1, kind="stable")[:, :k]
    wide = dict(params, max_feeder_km=math.inf)
    extra = derive_feeder_legs(cities, hubs, wide)
    wanted = pd.MultiIndex.from_arrays([np.repeat(cities.index.to_numpy(), k), hubs.index.to_numpy()[near.ravel()]])
    extra = extra[pd.MultiIndex.from_frame(extra[["city_id", "hub_id"]]).isin(wanted)]
    legs = pd.concat([legs, extra]).drop_duplicates(["city_id", "hub_id"])
    legs[["cost_per_teu", "days", "distance_km"]] = legs[["cost_per_teu", "days", "distance_km"]].round(4)
    return add_own_city_legs(legs, cities, hubs, replace=True)


def _demand(size: pd.Series, dests: pd.DataFrame, attract: np.ndarray, total_teu: float, max_dest: int, rng: np.random.Generator) -> pd.DataFrame:
    """Each city ships its size's share of ``total_teu`` to a few destinations drawn by attractiveness."""
    p = attract / attract.sum()
    rel = size.to_numpy() / size.median()
    volume = total_teu * size.to_numpy() / size.sum()
    rows = []
    for city_id, r, vol in zip(size.index, rel, volume):
        k = int(min(1 + rng.poisson(1.0 + 2.0 * max(math.log10(r) + 1.0, 0.0)), max_dest, len(dests)))
        chosen = rng.choice(len(dests), size=k, replace=False, p=p)
        w = attract[chosen] * rng.uniform(0.5, 1.5, k)
        teu = np.maximum(np.round(vol * w / w.sum()), 1.0)
        back = np.round(teu * rng.uniform(0.3, 0.9, k))
        for j, t, b in zip(chosen, teu, back):
            rows.append((city_id, dests.index[j], float(t), float(b)))
    df = pd.DataFrame(rows, columns=["origin", "destination", "teu", "return_teu"])
    return make_table("demand", df.assign(max_days=np.inf))


def _services(legs: pd.DataFrame, demand: pd.DataFrame, hubs: pd.DataFrame, gates: pd.DataFrame, dests: pd.DataFrame, attract: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """A service per plausible gateway for every hub that some city with demand for the destination can reach."""
    pairs = demand[["origin", "destination"]].merge(legs[["city_id", "hub_id"]], left_on="origin", right_on="city_id")[["hub_id", "destination"]].drop_duplicates()
    pairs = pairs.sort_values(["hub_id", "destination"], ignore_index=True)
    km = _line_km(pairs, hubs, gates, dests)
    best = km.min(axis=1, keepdims=True)
    second = np.sort(km, axis=1)[:, 1:2] if km.shape[1] > 1 else best
    pi, gi = np.nonzero((km == best) | ((km == second) & (second <= 1.05 * best)))
    return _service_rows(pairs, pi, gi, km, gates, dests, attract, rng)


def _line_km(pairs: pd.DataFrame, hubs: pd.DataFrame, gates: pd.DataFrame, dests: pd.DataFrame) -> np.ndarray:
    """Rail km of each (hub_id, destination) pair through each gateway: pairs × gateways."""
    h = hubs.loc[pairs["hub_id"]]
    d = dests.loc[pairs["destination"]]
    china = haversine_km(h["lon"].to_numpy()[:, None], h["lat"].to_numpy()[:, None], gates["lon"].to_numpy()[None, :], gates["lat"].to_numpy()[None, :]) * CHINA_CIRCUITY
    abroad = haversine_km(gates["lon"].to_numpy()[None, :], gates["lat"].to_numpy()[None, :], d["lon"].to_numpy()[:, None], d["lat"].to_numpy()[:, None]) * ABROAD_CIRCUITY
    return china + abroad


def _service_rows(pairs: pd.DataFrame, pi: np.ndarray, gi: np.ndarray, km: np.ndarray, gates: pd.DataFrame, dests: pd.DataFrame, attract: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Services for (pair ``pi``, gateway ``gi``): train cost growing with distance, weekly minimum more likely to attractive terminals."""
    n = len(pi)
    dist = np.round(km[pi, gi], 0)
    a = pd.Series(attract, index=dests.index)[pairs["destination"]].to_numpy()
    weekly = rng.random(n) < 0.5 * a[pi] / attract.max() + 0.1
    return make_table(
        "services",
        {
            "service_id": [f"{hh}-{dd}-{gg}" for hh, dd, gg in zip(pairs["hub_id"].to_numpy()[pi], pairs["destination"].to_numpy()[pi], gates.index.to_numpy()[gi])],
            "hub_id": pairs["hub_id"].to_numpy()[pi],
            "destination_id": pairs["destination"].to_numpy()[pi],
            "gateway_id": gates.index.to_numpy()[gi],
            "cost_per_train": np.round((TRAIN_BASE_CNY + TRAIN_CNY_PER_KM * dist) * rng.uniform(0.9, 1.1, n), -3),
            "train_capacity_teu": TRAIN_TEU,
            "min_trains": np.where(weekly, 52.0, 0.0),
            "max_trains": 730.0,
            "fixed_cost": np.round(rng.uniform(1.0e6, 5.0e6, n), -4),
            "days": np.round(dist / RAIL_KM_PER_DAY + 1.0, 1),
            "distance_km": dist,
        },
    )


def _more_gateways(services: pd.DataFrame, missed: pd.DataFrame, legs: pd.DataFrame, hubs: pd.DataFrame, gates: pd.DataFrame, dests: pd.DataFrame, attract: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """``services`` plus, for every (hub, destination) a pair in ``missed`` (origin, destination) can use, a line
    through its next-shortest gateway not offered yet: today's lines of a small corridor fill the gateways nearest to
    them (Alashankou, Erenhot) long before Khorgos and Manzhouli, so the pairs that fit nowhere get those too."""
    pairs = missed[["origin", "destination"]].merge(legs[["city_id", "hub_id"]], left_on="origin", right_on="city_id")[["hub_id", "destination"]].drop_duplicates()
    pairs = pairs.sort_values(["hub_id", "destination"], ignore_index=True)
    if not len(pairs):
        return services
    km = _line_km(pairs, hubs, gates, dests)
    offered = set(zip(services["hub_id"], services["destination_id"], services["gateway_id"]))
    for i, (h, d) in enumerate(zip(pairs["hub_id"], pairs["destination"])):
        for g, gate in enumerate(gates.index):
            if (h, d, gate) in offered:
                km[i, g] = np.inf
    pi = np.flatnonzero(np.isfinite(km).any(axis=1))
    if not len(pi):
        return services
    extra = _service_rows(pairs, pi, km[pi].argmin(axis=1), km, gates, dests, attract, rng)
    return make_table("services", pd.concat([services, extra]).sort_values(["hub_id", "destination_id"], kind="stable"))


def _more_trains(services: pd.DataFrame, missed: pd.DataFrame, legs: pd.DataFrame) -> pd.DataFrame:
    """``services`` with twice the maximum trains on every line a pair in ``missed`` can use: a corridor of one or
    two hubs carries the whole corridor's volume on a handful of lines, more than two trains a day each."""
    pairs = missed[["origin", "destination"]].merge(legs[["city_id", "hub_id"]], left_on="origin", right_on="city_id")
    lines = pd.MultiIndex.from_frame(services[["hub_id", "destination_id"]]).isin(pd.MultiIndex.from_arrays([pairs["hub_id"], pairs["destination"]]))
    out = services.copy()
    out.loc[lines, "max_trains"] *= 2.0
    return out


def _time_limits(demand: pd.DataFrame, legs: pd.DataFrame, services: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """A ``share`` of the pairs gets max_days = 1.5 × its fastest route (so it stays feasible)."""
    routes = demand.reset_index()[["index", "origin", "destination"]].merge(legs[["city_id", "hub_id", "days"]], left_on="origin", right_on="city_id")
    routes = routes.merge(services[["hub_id", "destination_id", "days"]], left_on=["hub_id", "destination"], right_on=["hub_id", "destination_id"])
    fastest = (routes["days_x"] + routes["days_y"]).groupby(routes["index"]).min().reindex(demand.index)
    timed = rng.random(len(demand)) < share
    out = demand.copy()
    out.loc[timed, "max_days"] = np.ceil(1.5 * fastest[timed].to_numpy())
    return out
