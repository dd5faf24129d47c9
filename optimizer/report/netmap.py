"""The corridor map: one scene of projected shapes, drawn as inline SVG (HTML report) and as PNG (slides).

A :class:`Scene` holds paths, markers and labels in pixel coordinates (y down) of a nominal canvas, each on a
layer: ``None`` for what every plan shares (basemap, nodes), ``"baseline"``/``"optimised"`` for one plan's
feeder assignments and trunk services. Both renderers draw the same scene, so the HTML map and ``map.png``
cannot disagree. The projection is equirectangular with the horizontal scale set by the cosine of the middle
latitude, which keeps shapes recognisable over the corridor's 40° of latitude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .basemap import load_basemap
from .charts import colour
from .fmt import number, percent
from .page import GENERATOR, esc

SEA, LAND, LAND_EDGE, BORDER = "#dbe8f1", "#f4f2ec", "#b8b2a2", "#b3ab98"
CITY, GATEWAY, DESTINATION, CLOSED = "#52606d", "#f59e0b", "#3e4c59", "#9aa5b1"
UNSERVED = "#d92d20"
LEGEND_TEXT = (
    "● feeder city   ■ hub in use (size: TEU handled)   □ hub not used   ◆ border gateway   ▲ destination   "
    "thin lines: feeder legs, thick lines: trunk services (width: trains per year), coloured by hub   "
    "○ red ring: demand left unserved"
)


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # city | hub | gateway | destination
    name: str
    name_zh: str
    lon: float
    lat: float

    @property
    def label(self) -> str:
        return f"{self.name} {self.name_zh}".strip() if self.name_zh and self.name_zh != self.name else self.name


@dataclass(frozen=True)
class Service:
    id: str
    hub: str
    gateway: str | None
    destination: str
    trains: float
    load_factor: float | None
    teu: float


@dataclass
class PlanNetwork:
    """What one plan uses: feeders (city, hub) → TEU, open services, hubs with their throughput (TEU)."""

    plan: str  # "optimised" | "baseline"
    feeders: dict[tuple[str, str], float]
    services: list[Service]
    hubs: dict[str, float]  # open hub -> throughput TEU
    unserved_cities: set[str] = field(default_factory=set)


@dataclass
class PathItem:
    pts: np.ndarray  # (n, 2) px
    stroke: str | None
    width: float
    fill: str | None = None
    opacity: float = 1.0
    layer: str | None = None
    title: str = ""
    cls: str = ""
    ref: str = ""  # what the path draws, e.g. "service:xian-duisburg-ala" (a data-ref attribute in SVG)


@dataclass
class Mark:
    x: float
    y: float
    shape: str  # circle | square | diamond | triangle
    r: float
    fill: str
    stroke: str
    layer: str | None = None
    title: str = ""
    node: str = ""
    z: int = 1  # 0: under the plan layers' markers (cities), 1: above them


@dataclass
class Label:
    x: float
    y: float
    text: str
    size: float
    anchor: str = "start"  # start | middle | end
    weight: str = "normal"
    layer: str | None = None


@dataclass
class Scene:
    width: float
    height: float
    paths: list[PathItem] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


class Projection:
    """lon/lat (degrees) → px on a canvas ``width`` wide showing ``box`` = (lon0, lat0, lon1, lat1)."""

    def __init__(self, box: tuple[float, float, float, float], width: float) -> None:
        self.box = box
        lon0, lat0, lon1, lat1 = box
        self.kx = math.cos(math.radians((lat0 + lat1) / 2))
        self.scale = width / ((lon1 - lon0) * self.kx)
        self.width = width
        self.height = (lat1 - lat0) * self.scale

    def __call__(self, lon, lat):
        lon0, _, _, lat1 = self.box
        return (np.asarray(lon) - lon0) * self.kx * self.scale, (lat1 - np.asarray(lat)) * self.scale

    def points(self, lonlat: np.ndarray) -> np.ndarray:
        x, y = self(lonlat[:, 0], lonlat[:, 1])
        return np.column_stack([x, y])


def bounding_box(
    nodes, margin: float = 0.08, min_span: float = 4.0, min_aspect: float = 1.6
) -> tuple[float, float, float, float]:
    """A lon/lat box around ``nodes`` with a relative margin (and at least ``min_span`` degrees each way).

    The box is widened until the projected map is at least ``min_aspect`` times wider than tall.
    """
    lons = [n.lon for n in nodes]
    lats = [n.lat for n in nodes]
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    dlon = max(lon1 - lon0, min_span)
    dlat = max(lat1 - lat0, min_span)
    cx, cy = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    dlon, dlat = dlon * (1 + 2 * margin), dlat * (1 + 2 * margin) + 2.0  # room for labels above and below
    dlon = max(dlon, min_aspect * dlat / math.cos(math.radians(cy)))
    return (cx - dlon / 2, max(-89.0, cy - dlat / 2), cx + dlon / 2, min(89.0, cy + dlat / 2))


def _simplify(pts: np.ndarray, w: float, h: float, tol: float = 0.8) -> np.ndarray:
    """Clamp to a slightly larger canvas and drop points closer than ``tol`` px to the last one kept."""
    pts = np.column_stack([np.clip(pts[:, 0], -10, w + 10), np.clip(pts[:, 1], -10, h + 10)])
    keep = [0]
    last = pts[0]
    for i in range(1, len(pts)):
        if abs(pts[i, 0] - last[0]) + abs(pts[i, 1] - last[1]) >= tol:
            keep.append(i)
            last = pts[i]
    return pts[keep]


def add_basemap(scene: Scene, proj: Projection) -> None:
    lon0, lat0, lon1, lat1 = proj.box
    bm = load_basemap((lon0 - 5, lat0 - 5, lon1 + 5, lat1 + 5))
    for kind, shapes, fill, stroke, width in (
        ("land", bm.land, LAND, LAND_EDGE, 0.6),
        ("lake", bm.lakes, SEA, LAND_EDGE, 0.4),
        ("border", bm.borders, None, BORDER, 0.7),
    ):
        for s in shapes:
            raw = proj.points(s.lonlat)
            # keep shapes whose extent meets the canvas (a land mass may enclose it with no vertex inside)
            if raw[:, 0].max() < 0 or raw[:, 0].min() > proj.width or raw[:, 1].max() < 0 or raw[:, 1].min() > proj.height:
                continue
            pts = _simplify(raw, proj.width, proj.height)
            if len(pts) < 2 or (fill is not None and len(pts) < 3):
                continue
            scene.paths.append(PathItem(pts, stroke, width, fill=fill, cls=kind))


def bend(a: np.ndarray, b: np.ndarray, offset: float, n: int = 18) -> np.ndarray:
    """Points of a quadratic curve from ``a`` to ``b`` whose middle is ``offset`` px off the straight line."""
    if abs(offset) < 1e-9:
        return np.vstack([a, b])
    d = b - a
    length = float(np.hypot(*d)) or 1.0
    normal = np.array([-d[1], d[0]]) / length
    ctrl = (a + b) / 2 + normal * 2 * offset
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * ctrl + t**2 * b


def _text_width(text: str, size: float) -> float:
    return sum(size if ord(ch) >= 0x2E80 else 0.62 * size for ch in text)


class LabelPlacer:
    """Greedy label placement around a point: the first position that overlaps no earlier label nor marker.

    ``important`` labels may cover markers (never labels) when no position is free; ``force`` ones are
    placed even over labels.
    """

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.labels: list[tuple[float, float, float, float]] = []
        self.markers: list[tuple[float, float, float, float]] = []

    def reserve(self, x: float, y: float, r: float) -> None:
        self.markers.append((x - r, y - r, x + r, y + r))

    def _free(self, box, boxes) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 2 or y0 < 2 or x1 > self.scene.width - 2 or y1 > self.scene.height - 2:
            return False
        return all(x1 <= a or x0 >= c or y1 <= b or y0 >= d for a, b, c, d in boxes)

    def place(self, x: float, y: float, r: float, text: str, size: float, weight: str = "normal", *,
              important: bool = False, force: bool = False) -> None:
        w, h = _text_width(text, size), size * 1.15
        candidates = []
        for anchor, lx, ly in (
            ("start", x + r + 2, y), ("end", x - r - 2, y), ("middle", x, y - r - h / 2 - 1),
            ("middle", x, y + r + h / 2 + 1), ("start", x + r + 2, y - h * 0.8), ("start", x + r + 2, y + h * 0.8),
            ("end", x - r - 2, y - h * 0.8), ("end", x - r - 2, y + h * 0.8),
        ):
            x0 = lx if anchor == "start" else (lx - w if anchor == "end" else lx - w / 2)
            candidates.append(((x0, ly - h / 2, x0 + w, ly + h / 2), lx, ly, anchor))
        passes = [self.labels + self.markers] + ([self.labels] if important or force else [])
        for boxes in passes:
            for box, lx, ly, anchor in candidates:
                if self._free(box, boxes):
                    self._put(box, lx, ly, anchor, text, size, weight)
                    return
        if force:
            self._put(*candidates[0], text, size, weight)

    def _put(self, box, lx, ly, anchor, text, size, weight) -> None:
        self.labels.append(box)
        self.scene.labels.append(Label(lx, ly, text, size, anchor, weight))


def hub_colours(plans: list[PlanNetwork]) -> dict[str, str]:
    """One colour per hub used by any plan, stable across plans and views."""
    hubs = sorted({h for p in plans for h in p.hubs} | {s.hub for p in plans for s in p.services})
    return {h: colour(i) for i, h in enumerate(hubs)}


def build_scene(
    nodes: dict[str, Node],
    plans: list[PlanNetwork],
    box: tuple[float, float, float, float],
    width: float,
    *,
    label_cities: bool,
) -> Scene:
    """Basemap, every node, and per plan its feeder lines and trunk services (width by trains per year)."""
    proj = Projection(box, width)
    scene = Scene(width, proj.height)
    add_basemap(scene, proj)
    colours = hub_colours(plans)
    xy = {k: np.array(proj(n.lon, n.lat), dtype=float) for k, n in nodes.items()}
    max_trains = max((s.trains for p in plans for s in p.services), default=1.0) or 1.0
    max_feed = max((v for p in plans for v in p.feeders.values()), default=1.0) or 1.0
    max_hub = max((v for p in plans for v in p.hubs.values()), default=1.0) or 1.0
    s_scale = width / 1200.0

    def trunk_width(trains: float) -> float:
        return (1.2 + 8.0 * math.sqrt(max(trains, 0.0) / max_trains)) * s_scale

    for plan in plans:
        for (city, hub), teu in sorted(plan.feeders.items()):
            if city == hub or city not in xy or hub not in xy:
                continue
            scene.paths.append(PathItem(
                np.vstack([xy[city], xy[hub]]), colours.get(hub, CITY), (0.6 + 2.2 * math.sqrt(teu / max_feed)) * s_scale,
                opacity=0.75, layer=plan.plan, cls="feeder", ref=f"feeder:{city}>{hub}",
                title=f"{nodes[city].label} → {nodes[hub].label}: {number(teu, 0)} TEU/yr",
            ))
        # first leg hub → gateway, one line per (hub, gateway) carrying the sum of its services' trains
        legs: dict[tuple[str, str], list[Service]] = {}
        for s in plan.services:
            if s.gateway and s.gateway in xy:
                legs.setdefault((s.hub, s.gateway), []).append(s)
        for (hub, gw), ss in sorted(legs.items()):
            if hub not in xy:
                continue
            trains = sum(s.trains for s in ss)
            scene.paths.append(PathItem(
                np.vstack([xy[hub], xy[gw]]), colours[hub], trunk_width(trains), opacity=0.8, layer=plan.plan,
                cls="trunk", title=f"{nodes[hub].label} → {nodes[gw].label}: {number(trains, 0)} trains/yr on "
                f"{len(ss)} service{'s' if len(ss) > 1 else ''}",
            ))
        # second leg gateway → destination, one curve per service, fanned out where several share the leg
        shared: dict[tuple[str, str], list[Service]] = {}
        for s in plan.services:
            start = s.gateway if s.gateway and s.gateway in xy else s.hub
            shared.setdefault((start, s.destination), []).append(s)
        for (start, dest), ss in sorted(shared.items()):
            if start not in xy or dest not in xy:
                continue
            ss = sorted(ss, key=lambda s: s.hub)
            length = float(np.hypot(*(xy[dest] - xy[start])))
            for i, s in enumerate(ss):
                offset = (i - (len(ss) - 1) / 2) * min(7.0 * s_scale, 0.6 * length / len(ss))
                lf = f", load factor {percent(s.load_factor)}" if s.load_factor is not None else ""
                scene.paths.append(PathItem(
                    bend(xy[start], xy[dest], offset), colours.get(s.hub, CITY), trunk_width(s.trains), opacity=0.8,
                    layer=plan.plan, cls="trunk", ref=f"service:{s.id}",
                    title=f"{s.id}: {nodes[s.hub].label if s.hub in nodes else s.hub} → {nodes[dest].label}"
                    f"{' via ' + nodes[s.gateway].label if s.gateway in nodes else ''}: {number(s.trains, 0)} trains/yr, "
                    f"{number(s.teu, 0)} TEU{lf}",
                ))

    placer = LabelPlacer(scene)
    hub_ids_used = {h for p in plans for h in p.hubs}
    for kind in ("city", "gateway", "destination", "hub"):
        for nid, n in sorted(nodes.items()):
            if n.kind != kind:
                continue
            x, y = xy[nid]
            if not (0 <= x <= width and 0 <= y <= proj.height):
                continue
            if kind == "city":
                stroke = "#ffffff"
                for plan in plans:
                    if nid in plan.unserved_cities:
                        scene.marks.append(Mark(x, y, "circle", 4.5 * s_scale, "none", UNSERVED, plan.plan,
                                                f"{n.label}: demand left unserved", nid))
                scene.marks.append(Mark(x, y, "circle", 2.6 * s_scale, CITY, stroke, None, f"city {n.label}", nid, z=0))
                placer.reserve(x, y, 3 * s_scale)
            elif kind == "gateway":
                scene.marks.append(Mark(x, y, "diamond", 6 * s_scale, GATEWAY, "#7c2d12", None, f"border gateway {n.label}", nid))
                placer.reserve(x, y, 6 * s_scale)
            elif kind == "destination":
                scene.marks.append(Mark(x, y, "triangle", 6 * s_scale, DESTINATION, "#ffffff", None, f"destination {n.label}", nid))
                placer.reserve(x, y, 6 * s_scale)
            else:
                for plan in plans:
                    teu = plan.hubs.get(nid)
                    r = (4.0 + 5.0 * math.sqrt((teu or 0.0) / max_hub)) * s_scale
                    if teu is None:
                        mark = Mark(x, y, "square", 4.0 * s_scale, "#ffffff", CLOSED, plan.plan, f"hub {n.label}: closed", nid)
                    else:
                        mark = Mark(x, y, "square", r, colours.get(nid, CITY), "#1f2933", plan.plan,
                                    f"hub {n.label}: {number(teu, 0)} TEU/yr", nid)
                    scene.marks.append(mark)
                placer.reserve(x, y, 9 * s_scale if nid in hub_ids_used else 5 * s_scale)
    throughput = {h: max(p.hubs.get(h, 0.0) for p in plans) for h in hub_ids_used}
    label_nodes(scene, placer, nodes, xy, [nid for nid, n in nodes.items() if label_cities or n.kind != "city"], hub_ids_used, throughput)
    return scene


def label_nodes(
    scene: Scene, placer: LabelPlacer, nodes: dict[str, Node], xy: dict, shown: list[str], hubs_used: set[str], throughput: dict[str, float]
) -> None:
    """Label the nodes ``shown`` that lie on the canvas where there is room: the busiest used hubs
    first, then gateways and destinations (always labelled), the other hubs, cities; used hubs in bold."""
    s_scale = scene.width / 1200.0
    size = 11.0 * s_scale
    ranked = sorted(
        shown,
        key=lambda nid: (
            {"hub": 0 if nid in hubs_used else 2, "gateway": 1, "destination": 1, "city": 3}[nodes[nid].kind],
            -throughput.get(nid, 0.0), nid,
        ),
    )
    for nid in ranked:
        n = nodes[nid]
        x, y = xy[nid]
        if not (0 <= x <= scene.width and 0 <= y <= scene.height):
            continue
        city = n.kind == "city"
        placer.place(x, y, (3 if city else 7) * s_scale, n.label, size * (0.85 if city else 1.0),
                     "bold" if nid in hubs_used else "normal", important=nid in hubs_used,
                     force=n.kind in ("gateway", "destination"))


def _poly(pts: np.ndarray) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def _mark_svg(m: Mark) -> str:
    t = f"<title>{esc(m.title)}</title>" if m.title else ""
    attrs = f'fill="{m.fill}" stroke="{m.stroke}" stroke-width="1" data-node="{esc(m.node)}"'
    if m.shape == "circle":
        return f'<circle cx="{m.x:.1f}" cy="{m.y:.1f}" r="{m.r:.1f}" {attrs}>{t}</circle>'
    if m.shape == "square":
        return f'<rect x="{m.x - m.r:.1f}" y="{m.y - m.r:.1f}" width="{2 * m.r:.1f}" height="{2 * m.r:.1f}" {attrs}>{t}</rect>'
    pts = _shape_points(m)
    return f'<polygon points="{_poly(pts)}" {attrs}>{t}</polygon>'


def _outline(m: Mark) -> np.ndarray:
    """The marker as a polygon (a circle as a 20-gon), for the PNG."""
    if m.shape == "circle":
        a = np.linspace(0, 2 * np.pi, 20, endpoint=False)
        return np.column_stack([m.x + m.r * np.cos(a), m.y + m.r * np.sin(a)])
    if m.shape == "square":
        return np.array([(m.x - m.r, m.y - m.r), (m.x + m.r, m.y - m.r), (m.x + m.r, m.y + m.r), (m.x - m.r, m.y + m.r)])
    return _shape_points(m)


def _shape_points(m: Mark) -> np.ndarray:
    if m.shape == "diamond":
        return np.array([(m.x, m.y - m.r), (m.x + m.r, m.y), (m.x, m.y + m.r), (m.x - m.r, m.y)])
    return np.array([(m.x, m.y - m.r), (m.x + m.r * 0.95, m.y + m.r * 0.7), (m.x - m.r * 0.95, m.y + m.r * 0.7)])


def to_svg(scene: Scene, label: str) -> str:
    """The scene as one inline ``<svg>``; plan layers are ``<g class="plan-<name>">`` for the toggle."""
    groups: dict[str | None, list[str]] = {}
    for p in scene.paths:
        title = f"<title>{esc(p.title)}</title>" if p.title else ""
        fill = p.fill or "none"
        tag = "polygon" if p.fill else "polyline"
        op = f' opacity="{p.opacity}"' if p.opacity < 1 else ""
        cls = f' class="{p.cls}"' if p.cls else ""
        caps = ' stroke-linecap="round" stroke-linejoin="round"' if p.cls in ("trunk", "feeder") else ""
        ref = f' data-ref="{esc(p.ref)}"' if p.ref else ""
        groups.setdefault(p.layer, []).append(
            f'<{tag}{cls}{ref} points="{_poly(p.pts)}" fill="{fill}" stroke="{p.stroke or "none"}" '
            f'stroke-width="{p.width:.2f}"{op}{caps}>{title}</{tag}>'
        )
    marks: dict[tuple[str | None, int], list[str]] = {}
    for m in scene.marks:
        marks.setdefault((m.layer, m.z), []).append(_mark_svg(m))
    text = "".join(
        f'<text x="{lb.x:.1f}" y="{lb.y:.1f}" font-size="{lb.size:.1f}" text-anchor="{lb.anchor}" '
        f'dominant-baseline="middle" font-weight="{lb.weight}" fill="#1f2933" stroke="#ffffff" stroke-width="3" '
        f'paint-order="stroke" stroke-opacity="0.85">{esc(lb.text)}</text>'
        for lb in scene.labels
    )
    plans = list(dict.fromkeys([p.layer for p in scene.paths if p.layer] + [m.layer for m in scene.marks if m.layer]))

    def plan_groups(items: dict, z: int | None) -> str:
        return "".join(
            f'<g class="plan-{esc(k)}">{"".join(items.get(k if z is None else (k, z), []))}</g>' for k in plans
        )

    return (
        f'<svg viewBox="0 0 {scene.width:.0f} {scene.height:.0f}" role="img" aria-label="{esc(label)}" '
        f'style="background:{SEA}"><g class="basemap">{"".join(groups.get(None, []))}</g>'
        f'{plan_groups(groups, None)}<g class="nodes">{"".join(marks.get((None, 0), []))}</g>'
        f'{plan_groups(marks, 1)}<g class="nodes">{"".join(marks.get((None, 1), []))}</g>'
        f'<g class="labels">{text}</g></svg>'
    )


def _cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    preferred = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei",
                 "WenQuanYi Zen Hei", "Droid Sans Fallback", "SimHei", "Noto Sans SC")
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in preferred:
        if name in names:
            return name
    return next((n for n in sorted(names) if "CJK" in n), None)


def _strip_cjk(text: str) -> str:
    return "".join(ch for ch in text if ord(ch) < 0x2E80).strip()


def to_png(panels: list[list[tuple[Scene, str | None, str]]], path: str | Path, dpi: int = 150) -> bool:
    """Draw a grid of panels (rows of (scene, plan layer, title)) into a PNG.

    Returns whether Chinese names could be drawn (a CJK font was found); without one they are left out of
    the PNG rather than drawn as empty boxes.
    """
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    cjk = _cjk_font()
    family = ["DejaVu Sans"] + ([cjk] if cjk else [])
    gap, title_h, foot_h = 12.0, 26.0, 24.0
    row_h = [max(s.height for s, _, _ in row) + title_h for row in panels]
    row_w = [sum(s.width for s, _, _ in row) + gap * (len(row) - 1) for row in panels]
    W, H = max(row_w), sum(row_h) + gap * (len(panels) - 1) + foot_h
    px = 1 / 100.0  # inches per nominal pixel
    fig = Figure(figsize=(W * px, H * px))
    FigureCanvasAgg(fig)
    pt = 72 * px  # points per nominal pixel
    top = 0.0
    for row, rh in zip(panels, row_h):
        left = 0.0
        for scene, layer, title in row:
            ax = fig.add_axes([left / W, 1 - (top + title_h + scene.height) / H, scene.width / W, scene.height / H])
            ax.set_xlim(0, scene.width)
            ax.set_ylim(scene.height, 0)
            ax.set_facecolor(SEA)
            ax.set_xticks([])
            ax.set_yticks([])
            paths = [p for p in scene.paths if p.layer in (None, layer)]
            fills = [p for p in paths if p.fill]
            strokes = [p for p in paths if not p.fill]
            # collections, not one artist per shape: the same picture, drawn many times faster
            ax.add_collection(PolyCollection([p.pts for p in fills], facecolors=[p.fill for p in fills],
                                             edgecolors=[p.stroke for p in fills],
                                             linewidths=[p.width * pt for p in fills], zorder=1), autolim=False)
            ax.add_collection(LineCollection([p.pts for p in strokes], colors=[to_rgba(p.stroke, p.opacity) for p in strokes],
                                             linewidths=[p.width * pt for p in strokes], capstyle="round",
                                             joinstyle="round", zorder=2), autolim=False)
            marks: dict[float, list[Mark]] = {}
            for m in scene.marks:
                if m.layer in (None, layer):
                    marks.setdefault(4 + m.z + (0.5 if m.layer is None else 0.0), []).append(m)
            for z, ms in sorted(marks.items()):
                ax.add_collection(PolyCollection([_outline(m) for m in ms],
                                                 facecolors=[to_rgba(m.fill) if m.fill != "none" else (0, 0, 0, 0) for m in ms],
                                                 edgecolors=[m.stroke for m in ms], linewidths=pt, zorder=z), autolim=False)
            for lb in scene.labels:
                text = lb.text if cjk else _strip_cjk(lb.text)
                ha = {"start": "left", "end": "right", "middle": "center"}[lb.anchor]
                t = ax.text(lb.x, lb.y, text, fontsize=lb.size * pt, ha=ha, va="center", family=family,
                            fontweight=lb.weight, color="#1f2933", zorder=6)
                t.set_path_effects([patheffects.withStroke(linewidth=3 * pt, foreground="white", alpha=0.85)])
            fig.text((left + 4) / W, 1 - (top + title_h / 2) / H, title, fontsize=15 * pt, va="center", ha="left",
                     family=family, fontweight="bold", color="#1f2933")
            left += scene.width + gap
        top += rh + gap
    fig.text(4 / W, foot_h / 2 / H, LEGEND_TEXT, fontsize=12 * pt, va="center", ha="left", family=family,
             color="#3e4c59")
    fig.savefig(path, dpi=dpi, facecolor="white", metadata={"Software": GENERATOR})
    return cjk is not None
