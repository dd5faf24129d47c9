"""The report of a freight run folder: story, KPI table, maps, load factors, hub use, costs, changes,
and the plan's sensitivity with its design fixed (sensitivity.csv)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..results import check_file_target
from . import charts, netmap
from .fmt import Unit, change, compact, is_number, number, percent
from .page import GENERATOR, Cell, Page, esc, figure, plan_toggle, table
from .runs import atomic_png, read_csv, read_summary, status_html

PLANS = ("baseline", "optimised")
PLAN_TITLES = {"baseline": "Status quo", "optimised": "Optimised"}

#: (key in summary kpis, label, unit, which direction is better: -1 lower, +1 higher, 0 neither)
KPIS: list[tuple[str, str, Unit, int]] = [
    ("total_cost", "Total cost", Unit("CNY/yr", "compact"), -1),
    ("cost_per_teu", "Cost per TEU", Unit("CNY/TEU", "count"), -1),
    ("served_teu", "Freight served", Unit("TEU/yr", "count"), +1),
    ("unserved_teu", "Freight unserved", Unit("TEU/yr", "count"), -1),
    ("trains", "Trains", Unit("trains/yr", "count"), -1),
    ("train_km", "Train-km", Unit("train-km/yr", "compact"), -1),
    ("avg_load_factor", "Average load factor", Unit("%", "fraction"), +1),
    ("min_load_factor", "Lowest load factor", Unit("%", "fraction"), +1),
    ("services_open", "Services run", Unit("services", "count"), -1),
    ("hubs_open", "Hubs used", Unit("hubs", "count"), 0),
    ("destinations_multi_hub", "Destinations served from more than one hub", Unit("destinations", "count"), -1),
    ("co2_t", "CO₂ emitted", Unit("t/yr", "count"), -1),
    ("avg_days", "Mean door-to-door days", Unit("days"), -1),
]

COST_PARTS = [
    ("feeder", "Feeder legs"),
    ("handling", "Hub handling"),
    ("trains", "Trains"),
    ("service_fixed", "Service fixed costs"),
    ("hub_fixed", "Hub fixed costs"),
    ("unserved_penalty", "Unserved penalty"),
    ("co2", "CO₂ at co2_price"),
]


@dataclass
class FreightRun:
    path: Path
    summary: dict
    flows: pd.DataFrame
    services: pd.DataFrame
    hubs: pd.DataFrame
    unserved: pd.DataFrame
    nodes: dict[tuple[str, str], netmap.Node]
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def plans(self) -> list[str]:
        """Plans present, status quo first."""
        have = ["optimised"]
        if self.summary.get("baseline"):
            have.insert(0, "baseline")
        return have

    def kpis(self, plan: str) -> dict:
        if plan == "baseline":
            return (self.summary.get("baseline") or {}).get("kpis") or {}
        return self.summary.get("kpis") or {}

    def name(self, kind: str, node_id) -> str:
        n = self.nodes.get((kind, str(node_id)))
        return n.label if n else str(node_id)


def load(run_dir: Path) -> FreightRun:
    nodes = {}
    for r in read_csv(run_dir, "nodes.csv", ("id", "kind")).itertuples(index=False):
        if is_number(getattr(r, "lon", None)) and is_number(getattr(r, "lat", None)):
            zh = getattr(r, "name_zh", "")
            nodes[(str(r.kind), str(r.id))] = netmap.Node(
                str(r.id), str(r.kind), str(getattr(r, "name", r.id) or r.id),
                "" if not isinstance(zh, str) else zh, float(r.lon), float(r.lat),
            )
    return FreightRun(
        run_dir, read_summary(run_dir), read_csv(run_dir, "flows.csv", ("city_id", "hub_id", "teu")),
        read_csv(run_dir, "services.csv", ("service_id", "hub_id", "destination_id")),
        read_csv(run_dir, "hubs.csv", ("hub_id",)), read_csv(run_dir, "unserved.csv"), nodes,
        read_csv(run_dir, "sensitivity.csv", ("kind", "id", "value", "unit")),
    )


def _plan_rows(df: pd.DataFrame, plan: str) -> pd.DataFrame:
    if df.empty:
        return df
    if "plan" not in df.columns:
        return df if plan == "optimised" else df.iloc[0:0]
    return df[df["plan"].astype(str) == plan]


def _truthy(col: pd.Series) -> pd.Series:
    """A CSV column of True/False, 1/0 or yes/no as booleans."""
    if col.dtype == bool:
        return col
    text = col.astype(str).str.strip().str.lower()
    return text.isin(("true", "yes", "y")) | (pd.to_numeric(col, errors="coerce").fillna(0) > 0.5)


def _open(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of open services or hubs (column ``open``; without it, services that run trains)."""
    if df.empty:
        return df
    if "open" in df.columns:
        return df[_truthy(df["open"])]
    return df[pd.to_numeric(df.get("trains", 0), errors="coerce").fillna(0) > 0]


def _column(df: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` that is a column of ``df`` (tables name the same thing differently)."""
    return next((n for n in names if n in df.columns), None)


def _num(x, default=0.0) -> float:
    return float(x) if is_number(x) else default


def plan_network(run: FreightRun, plan: str) -> netmap.PlanNetwork:
    flows = _plan_rows(run.flows, plan)
    feeders: dict[tuple[str, str], float] = {}
    if not flows.empty:
        g = flows.groupby([flows["city_id"].astype(str), flows["hub_id"].astype(str)])["teu"].sum()
        feeders = {k: float(v) for k, v in g.items() if v > 0}
    services = []
    for r in _open(_plan_rows(run.services, plan)).to_dict("records"):
        gw = r.get("gateway_id")
        teu = _num(r.get("teu_west")) + _num(r.get("teu_east"))
        services.append(netmap.Service(
            str(r["service_id"]), str(r["hub_id"]), str(gw) if isinstance(gw, str) and gw else None,
            str(r["destination_id"]), _num(r.get("trains")),
            float(r["load_factor"]) if is_number(r.get("load_factor")) else None, teu,
        ))
    hubs = {str(r["hub_id"]): _num(r.get("throughput_teu")) for r in _open(_plan_rows(run.hubs, plan)).to_dict("records")}
    unserved = _plan_rows(run.unserved, plan)
    cities = set()
    city_col = _column(unserved, "city_id", "origin")
    if city_col and "teu" in unserved.columns:
        teu = pd.to_numeric(unserved["teu"], errors="coerce").fillna(0)
        cities = set(unserved.loc[teu > 1e-6, city_col].astype(str))
    return netmap.PlanNetwork(plan, feeders, services, hubs, cities)


def _map_nodes(run: FreightRun) -> dict[str, netmap.Node]:
    """Nodes keyed ``kind:id``; a hub that sits on a city is labelled with that city's shorter name."""
    cities = [n for (k, _), n in run.nodes.items() if k == "city"]
    out = {}
    for (kind, nid), n in run.nodes.items():
        if kind == "hub":
            twin = next((c for c in cities if abs(c.lon - n.lon) < 0.05 and abs(c.lat - n.lat) < 0.05), None)
            if twin is not None:
                n = netmap.Node(n.id, n.kind, twin.name, twin.name_zh, n.lon, n.lat)
        out[f"{kind}:{nid}"] = n
    return out


def _keyed(p: netmap.PlanNetwork) -> netmap.PlanNetwork:
    """The plan with node ids turned into the ``kind:id`` keys of :func:`_map_nodes`."""
    return netmap.PlanNetwork(
        p.plan,
        {(f"city:{c}", f"hub:{h}"): v for (c, h), v in p.feeders.items()},
        [netmap.Service(s.id, f"hub:{s.hub}", f"gateway:{s.gateway}" if s.gateway else None,
                        f"destination:{s.destination}", s.trains, s.load_factor, s.teu) for s in p.services],
        {f"hub:{h}": v for h, v in p.hubs.items()},
        {f"city:{c}" for c in p.unserved_cities},
    )


def map_scenes(run: FreightRun) -> list[tuple[str, netmap.Scene]]:
    """The corridor view, and a close-up of the feeder region when it is much smaller than the corridor."""
    nodes = _map_nodes(run)
    if not nodes:
        return []
    plans = [_keyed(plan_network(run, p)) for p in run.plans]
    box = netmap.bounding_box(list(nodes.values()))
    scenes = [("Corridor", netmap.build_scene(nodes, plans, box, 1200.0, label_cities=False))]
    feeder_nodes = [n for n in nodes.values() if n.kind in ("city", "hub")]
    if feeder_nodes:
        fbox = netmap.bounding_box(feeder_nodes, margin=0.06, min_span=2.0)
        if (fbox[2] - fbox[0]) < 0.6 * (box[2] - box[0]):
            scenes.append(("Feeder region", netmap.build_scene(nodes, plans, fbox, 1000.0, label_cities=True)))
    return scenes


def write_map_png(run: FreightRun, scenes: list[tuple[str, netmap.Scene]], path: Path) -> bool:
    """``map.png``: one row per plan (status quo above optimised), the views side by side."""
    rows = []
    for plan in run.plans:
        height = scenes[0][1].height
        row = []
        for view, scene in scenes:
            row.append((_scaled(scene, height), plan, f"{PLAN_TITLES[plan]} – {view.lower()}"))
        rows.append(row)
    return netmap.to_png(rows, path)


def _scaled(scene: netmap.Scene, height: float) -> netmap.Scene:
    """The scene scaled to ``height`` px (so views in one PNG row line up); sizes scale with it."""
    f = height / scene.height
    if abs(f - 1) < 1e-9:
        return scene
    return netmap.Scene(
        scene.width * f, height,
        [netmap.PathItem(p.pts * f, p.stroke, p.width * f, p.fill, p.opacity, p.layer, p.title, p.cls, p.ref)
         for p in scene.paths],
        [netmap.Mark(m.x * f, m.y * f, m.shape, m.r * f, m.fill, m.stroke, m.layer, m.title, m.node) for m in scene.marks],
        [netmap.Label(lb.x * f, lb.y * f, lb.text, lb.size * f, lb.anchor, lb.weight, lb.layer) for lb in scene.labels],
    )


# --------------------------------------------------------------------------------------------- sections


def _story(run: FreightRun) -> str:
    opt = run.kpis("optimised")
    if "baseline" not in run.plans:
        parts = [f"Total cost <b>CNY {esc(compact(opt.get('total_cost')))}</b> a year"]
        if is_number(opt.get("trains")):
            parts.append(f"<b>{esc(number(opt['trains'], 0))}</b> trains a year")
        if is_number(opt.get("avg_load_factor")):
            parts.append(f"average load factor <b>{esc(percent(opt['avg_load_factor'], 0))}</b>")
        if is_number(opt.get("hubs_open")):
            parts.append(f"<b>{esc(number(opt['hubs_open'], 0))}</b> hubs")
        return "; ".join(parts) + "."
    base = run.kpis("baseline")
    parts = []
    c_old, c_new = base.get("total_cost"), opt.get("total_cost")
    if is_number(c_old) and is_number(c_new) and c_old:
        rel = 100 * (c_new - c_old) / abs(c_old)
        parts.append(f"Cost <b>{esc(_signed_pct(rel))}</b> (CNY {esc(compact(c_old))} → {esc(compact(c_new))} a year)")
    t_old, t_new = base.get("trains"), opt.get("trains")
    if is_number(t_old) and is_number(t_new):
        parts.append(f"trains <b>{esc(_signed(number(t_new - t_old, 0)))}</b> ({esc(number(t_old, 0))} → {esc(number(t_new, 0))} a year)")
    l_old, l_new = base.get("avg_load_factor"), opt.get("avg_load_factor")
    if is_number(l_old) and is_number(l_new):
        parts.append(f"load factor <b>{esc(percent(l_old, 0))} → {esc(percent(l_new, 0))}</b>")
    ch = run.summary.get("changes") or {}
    if ch.get("services_closed"):
        parts.append(_count(len(ch["services_closed"]), "service") + " closed")
    if ch.get("cities_reassigned"):
        parts.append(_count(len(ch["cities_reassigned"]), "city–destination flow") + " moved to another hub")
    return "; ".join(parts) + "." if parts else ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _signed(text: str) -> str:
    return text if text.startswith(("−", "-")) else "+" + text


def _signed_pct(rel: float) -> str:
    return _signed(number(rel, 1)) + " %"


def _kpi_table(run: FreightRun) -> str:
    plans = run.plans
    header = ["Figure", "Unit"] + [PLAN_TITLES[p] for p in plans] + (["Change"] if len(plans) == 2 else [])
    rows = []
    for key, label, unit, better in KPIS:
        vals = [run.kpis(p).get(key) for p in plans]
        if not any(is_number(v) for v in vals):
            continue
        row = [label, unit.label] + [unit(v) for v in vals]
        if len(plans) == 2:
            text, diff = change(vals[0], vals[1], unit)
            cls = ""
            if diff is not None and better and abs(diff) > 1e-9:
                cls = "good" if diff * better > 0 else "bad"
            row.append(Cell(text, cls))
        rows.append(row)
    return table(header, rows, num_cols=set(range(2, len(header))))


def _map_section(run: FreightRun, scenes) -> str:
    if not scenes:
        return '<p class="note">No coordinates in nodes.csv, so no map.</p>'
    plans = run.plans
    toggle = plan_toggle("netmaps", [(p, PLAN_TITLES[p]) for p in reversed(plans)], "optimised") if len(plans) > 1 else ""
    figs = "".join(
        figure(netmap.to_svg(scene, f"{view} map"), f"{view}: hover a line or a node for its figures.")
        for view, scene in scenes
    )
    leg = _map_legend(run)
    return f'{toggle}{leg}<div class="mapwrap" id="netmaps" data-show="optimised">{figs}</div>'


def _map_legend(run: FreightRun) -> str:
    shapes = [
        ('<circle cx="7" cy="7" r="3" fill="#52606d"/>', "feeder city"),
        ('<rect x="2" y="2" width="10" height="10" fill="#0072B2" stroke="#1f2933"/>', "hub in use (size: TEU handled)"),
        ('<rect x="3" y="3" width="8" height="8" fill="#fff" stroke="#9aa5b1"/>', "hub not used"),
        ('<polygon points="7,1 13,7 7,13 1,7" fill="#f59e0b" stroke="#7c2d12"/>', "border gateway"),
        ('<polygon points="7,1 13,12 1,12" fill="#3e4c59"/>', "destination"),
        ('<line x1="0" y1="7" x2="14" y2="7" stroke="#0072B2" stroke-width="1"/>', "feeder leg (colour: hub)"),
        ('<line x1="0" y1="7" x2="14" y2="7" stroke="#0072B2" stroke-width="5"/>', "trunk service (width: trains/yr)"),
        ('<circle cx="7" cy="7" r="5" fill="none" stroke="#d92d20"/>', "city with unserved demand"),
    ]
    return '<div class="legend">' + "".join(
        f'<span><svg width="14" height="14">{s}</svg> {esc(t)}</span>' for s, t in shapes
    ) + "</div>"


def _short(run: FreightRun, kind: str, node_id) -> str:
    """The English name's first word: enough to tell services apart in a chart label."""
    return run.name(kind, node_id).split(" ")[0]


def _service_label(run: FreightRun, r: dict) -> str:
    gw = r.get("gateway_id")
    via = f" ({_short(run, 'gateway', gw)})" if isinstance(gw, str) and gw else ""
    return f"{_short(run, 'hub', r['hub_id'])} → {_short(run, 'destination', r['destination_id'])}{via}"


def _load_factor_section(run: FreightRun) -> str:
    figs = []
    for plan in reversed(run.plans):
        rows = _open(_plan_rows(run.services, plan)).to_dict("records")
        if not rows:
            continue
        rows.sort(key=lambda r: -_num(r.get("load_factor")))
        labels = [_service_label(run, r) for r in rows]
        vals = [r.get("load_factor") for r in rows]
        svg = charts.hbars(labels, [(PLAN_TITLES[plan], charts.PLAN_COLOURS[plan], vals)], percent, vmax=1.0,
                           marker=1.0, width=600, left=235, title=f"Load factor per service, {PLAN_TITLES[plan]}")
        avg = run.kpis(plan).get("avg_load_factor")
        figs.append(figure(svg, f"{PLAN_TITLES[plan]}: {len(rows)} services, average {percent(avg)} "
                                "(westbound TEU carried ÷ train capacity)."))
    return f'<div class="grid2">{"".join(figs)}</div>' if figs else '<p class="note">No services.</p>'


def _hub_section(run: FreightRun) -> str:
    hubs = run.hubs
    if hubs.empty:
        return '<p class="note">No hub table.</p>'
    used = sorted({str(r["hub_id"]) for p in run.plans for r in _open(_plan_rows(hubs, p)).to_dict("records")})
    if not used:
        return '<p class="note">No hub in use.</p>'
    series = []
    for plan in run.plans:
        rows = {str(r["hub_id"]): r for r in _plan_rows(hubs, plan).to_dict("records")}
        series.append((PLAN_TITLES[plan], charts.PLAN_COLOURS[plan],
                       [_num(rows[h].get("utilisation")) if h in rows and is_number(rows[h].get("utilisation")) else 0.0
                        for h in used]))
    labels = [run.name("hub", h) for h in used]
    svg = charts.hbars(labels, series, percent, vmax=1.0, marker=1.0, title="Hub utilisation")
    return charts.legend([(n, c) for n, c, _ in series]) + figure(
        svg, "Throughput ÷ capacity of each hub used in either plan; the dashed line is full capacity.")


def _cost_section(run: FreightRun) -> str:
    plans = run.plans
    breakdown = {p: run.kpis(p).get("cost_breakdown") or {} for p in plans}
    parts = [(k, lab) for k, lab in COST_PARTS if any(is_number(breakdown[p].get(k)) and breakdown[p].get(k) for p in plans)]
    if not parts:
        return '<p class="note">No cost breakdown in summary.json.</p>'
    segs = [(lab, charts.colour(i), [breakdown[p].get(k) for p in plans]) for i, (k, lab) in enumerate(parts)]
    svg = charts.stacked_hbars([PLAN_TITLES[p] for p in plans], segs, compact, title="Cost breakdown")
    unit = Unit("CNY/yr", "compact")
    header = ["Cost", "Unit"] + [PLAN_TITLES[p] for p in plans] + (["Change"] if len(plans) == 2 else [])
    rows = []
    for k, lab in parts + [("__total__", "Total")]:
        vals = [breakdown[p].get(k) if k != "__total__" else run.kpis(p).get("total_cost") for p in plans]
        row = [lab, unit.label] + [unit(v) for v in vals]
        if len(plans) == 2:
            text, diff = change(vals[0], vals[1], unit)
            row.append(Cell(text, "" if diff is None or abs(diff) < 1e-9 else ("good" if diff < 0 else "bad")))
        rows.append(row)
    return (charts.legend([(lab, c) for lab, c, _ in segs]) + figure(svg, "Annual system cost by component, CNY.")
            + table(header, rows, num_cols=set(range(2, len(header)))))


def _changes_section(run: FreightRun) -> str:
    ch = run.summary.get("changes")
    if not ch:
        return '<p class="note">No status quo in this instance, so nothing to compare.</p>'
    out = []
    svc = {str(r["service_id"]): r for r in run.services.to_dict("records")} if not run.services.empty else {}

    def svc_rows(ids):
        rows = []
        for sid in ids:
            r = svc.get(str(sid), {})
            rows.append([sid, run.name("hub", r.get("hub_id", "")), run.name("destination", r.get("destination_id", "")),
                         run.name("gateway", r.get("gateway_id", "")) if isinstance(r.get("gateway_id"), str) else "–"])
        return rows

    for key, title in (("services_closed", "Services closed"), ("services_opened", "Services opened")):
        ids = ch.get(key) or []
        out.append(f"<h3>{esc(title)} ({len(ids)})</h3>")
        out.append(table(["Service", "Hub", "Destination", "Gateway"], svc_rows(ids)) if ids else '<p class="note">None.</p>')
    moved = ch.get("cities_reassigned") or []
    out.append(f"<h3>Cities re-assigned to another hub ({len(moved)})</h3>")
    if moved:
        rows = [[run.name("city", m.get("city_id")), run.name("destination", m.get("destination_id")),
                 run.name("hub", m.get("from_hub")) if m.get("from_hub") else "–",
                 run.name("hub", m.get("to_hub")) if m.get("to_hub") else "–"] for m in moved]
        out.append(table(["City", "Destination", "From hub", "To hub"], rows))
    else:
        out.append('<p class="note">None.</p>')
    return "".join(out)


def _unserved_section(run: FreightRun) -> str:
    df = run.unserved
    if df.empty or "teu" not in df.columns:
        return ""
    df = df[pd.to_numeric(df["teu"], errors="coerce").fillna(0) > 1e-6]
    if "plan" in df.columns:
        df = df[df["plan"].astype(str).isin(run.plans)]
    if df.empty:
        return ""
    city, dest = _column(df, "city_id", "origin"), _column(df, "destination_id", "destination")
    rows = [[PLAN_TITLES.get(str(r.get("plan", "optimised")), r.get("plan", "")), run.name("city", r.get(city)),
             run.name("destination", r.get(dest)), str(r.get("direction", "west")), number(r.get("teu"), 0)]
            for r in df.to_dict("records")]
    return table(["Plan", "City", "Destination", "Direction", "TEU/yr"], rows, num_cols={4})


#: rows of each list in the sensitivity section (all are in sensitivity.csv)
SENSITIVITY_ROWS = 10


def _sens_rows(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    rows = df[df["kind"].astype(str) == kind].copy()
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    for c in ("low", "high"):
        rows[c] = pd.to_numeric(rows[c], errors="coerce") if c in rows.columns else float("nan")
    rows["note"] = rows["note"].fillna("").astype(str) if "note" in rows.columns else ""
    return rows


def _bound(x) -> str:
    """A range end: a number, ∞ for no limit, – for not applicable."""
    if isinstance(x, float) and x in (float("inf"), float("-inf")):
        return "∞" if x > 0 else "−∞"
    return number(x, 0)


def _sensitivity_section(run: FreightRun) -> str:
    df = run.sensitivity
    if df.empty:
        return '<p class="note">No sensitivity.csv in this run folder (runs written before it existed, or the LP with the design fixed did not solve).</p>'
    intro = ('<p class="note"><strong>Local values with the design fixed.</strong> The hubs, services and train counts '
             "of the optimised plan are held as they are and the LP of the flows that remains is solved again; its duals "
             "and ranging say what one more unit is worth <em>for small changes around this plan</em>. A change large "
             "enough to open or close a hub or a service is not seen here (use <code>optimizer freight whatif</code>), "
             "and where the LP is degenerate other duals are as valid as these. Every item is in sensitivity.csv.</p>")
    out = [intro]

    def block(title: str, kind: str, name_kind: str, header: list[str], order=None, top: int | None = SENSITIVITY_ROWS) -> None:
        rows = _sens_rows(df, kind)
        if rows.empty:
            return
        if order is not None:
            rows = order(rows)
        shown = rows if top is None else rows.head(top)
        more = "" if len(shown) == len(rows) else f" (first {len(shown)} of {len(rows)})"
        body = [[_sens_name(run, name_kind, r["id"]), number(r["value"], 0), _bound(r["low"]), _bound(r["high"]), r["note"]]
                for r in shown.to_dict("records")]
        out.append(f"<h3>{esc(title)}{esc(more)}</h3>")
        out.append(table(header, body, num_cols={1, 2, 3}))

    highest = lambda rows: rows.sort_values("value", ascending=False, na_position="last")  # noqa: E731
    tightest = lambda rows: rows.assign(_room=rows["high"] - rows["value"]).sort_values("_room", na_position="last")  # noqa: E731
    block("Hub capacity: value of one more TEU/yr", "hub_capacity", "hub", ["Hub", "CNY/TEU", "Capacity from", "to", "Note"], top=None)
    block("Gateway capacity: value of one more train slot a year", "gateway_capacity", "gateway", ["Gateway", "CNY/train", "", "", "Note"], top=None)
    block("Train slots: saving of one more train a year, highest first", "train_slot", "service", ["Service", "CNY/train", "Trains from", "to", "Note"], highest)
    block("Marginal cost of one more TEU of a city's boxes (westbound), highest first", "city_demand", "pair",
          ["City → destination", "CNY/TEU", "Demand from", "to", "Note"], highest)
    block("Route costs: how far a used route's cost may rise before the flows change, least room first", "route_cost", "route",
          ["Route", "CNY/TEU now", "Cost from", "to", "Note"], tightest)
    return "".join(out)


def _sens_name(run: FreightRun, kind: str, item_id) -> str:
    """An item's id in words: node names for hubs and gateways, city / destination for pairs."""
    text = str(item_id)
    if kind in ("hub", "gateway"):
        return run.name(kind, text)
    if kind == "pair":
        o, _, d = text.partition("/")
        return f"{run.name('city', o)} → {run.name('destination', d)}"
    if kind == "route":
        o, _, rest = text.partition("/")
        d, _, svc = rest.partition("/")
        return f"{run.name('city', o)} → {run.name('destination', d)} via {svc}"
    return text


def _run_section(run: FreightRun, png_note: str) -> str:
    s = run.summary
    rows = [
        ["Instance", s.get("instance", "–")],
        ["Status", Cell(status_html(s.get("status")), raw=True)],
        ["Objective", f"CNY {number(s.get('objective'), 0)}"],
        ["Best bound", f"CNY {number(s.get('best_bound'), 0)}"],
        ["MIP gap", percent(s.get("mip_gap"), 3)],
        ["Build time", f"{number(s.get('build_seconds'), 2)} s"],
        ["Solve time", f"{number(s.get('solve_seconds'), 2)} s"],
    ]
    for k, v in (s.get("overrides") or {}).items():
        rows.append([f"Override: {k}", str(v)])
    for k, v in (s.get("sizes") or {}).items():
        rows.append([f"Size: {k}", number(v, 0) if is_number(v) else str(v)])
    return table(["", ""], rows) + f'<p class="note">{esc(png_note)}</p>'


def render(run_dir: Path) -> str:
    """Write ``map.png`` into ``run_dir`` and return the report page as HTML."""
    run = load(run_dir)
    s = run.summary
    scenes = map_scenes(run)
    png_note = "No map.png: the run has no coordinates."
    if scenes:
        check_file_target(run_dir / "map.png", signature=GENERATOR)
        with atomic_png(run_dir / "map.png") as tmp:
            cjk = write_map_png(run, scenes, tmp)
        png_note = "The same map for slides: map.png in this folder." + (
            "" if cjk else " No CJK font was found, so map.png shows English names only (install fonts-noto-cjk).")
    page = Page(f"Freight plan – {s.get('instance', run_dir.name)}")
    page.subtitle.append(f"{status_html(s.get('status'))} · objective CNY {esc(compact(s.get('objective')))}"
                         f" · gap {esc(percent(s.get('mip_gap'), 2))} · solved in {esc(number(s.get('solve_seconds'), 1))} s")
    page.story = _story(run)
    page.add("Key figures", _kpi_table(run), anchor="kpis")
    page.add("Network map", _map_section(run, scenes), anchor="map")
    page.add("Load factor per service", _load_factor_section(run), anchor="load-factor")
    page.add("Hub utilisation", _hub_section(run), anchor="hubs")
    page.add("Cost breakdown", _cost_section(run), anchor="costs")
    page.add("What changed", _changes_section(run), anchor="changes")
    unserved = _unserved_section(run)
    if unserved:
        page.add("Unserved demand", unserved, anchor="unserved")
    page.add("Sensitivity (local, design fixed)", _sensitivity_section(run), anchor="sensitivity")
    page.add("Run", _run_section(run, png_note), anchor="run")
    return page.render()
