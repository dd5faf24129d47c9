"""The change map of a comparison: what changes from one plan to another, as a :mod:`.netmap` scene.

Services, feeder legs and hubs found in only one of two plans are drawn in that plan's change
colour, those in both in grey, on the layer :data:`CHANGE_LAYER`; cities whose boxes go to another
hub are ringed. The scene is drawn by the same renderers as every corridor map
(:func:`.netmap.to_svg`), so the comparison report's map and the plans' own maps share one style.
"""

from __future__ import annotations

import math

import numpy as np

from .fmt import number
from .netmap import CITY, CLOSED, DESTINATION, GATEWAY, LabelPlacer, Mark, Node, PathItem, PlanNetwork, Projection, Scene, add_basemap, bend, label_nodes

#: the change map's colours (Okabe–Ito, colour-blind safe): in the second plan only, in the first only, in both
ADDED, REMOVED, KEPT, MOVED = "#0072B2", "#D55E00", "#9aa5b1", "#CC79A7"
CHANGE_LAYER = "change"


def _state(before: float | None, after: float | None) -> str:
    """``added``, ``removed`` or ``kept`` from a figure in the first and the compared plan (None: absent)."""
    if not before:
        return "added"
    if not after:
        return "removed"
    return "kept"


_STATE_COLOUR = {"added": ADDED, "removed": REMOVED, "kept": KEPT}
_STATE_WORD = {"added": "opened", "removed": "closed", "kept": "in both"}


def build_change_scene(
    nodes: dict[str, Node],
    before: PlanNetwork,
    after: PlanNetwork,
    box: tuple[float, float, float, float],
    width: float,
    *,
    label_cities: bool,
    moved_cities: set[str] = frozenset(),
    names: tuple[str, str] = ("first", "compared"),
) -> Scene:
    """Basemap and nodes, and what changes from ``before`` to ``after`` on the layer ``change``.

    Trunk services and feeder legs present in only one plan are drawn in that plan's change colour
    (:data:`ADDED`, :data:`REMOVED`), those in both in grey; width by trains (services) or TEU (feeders), the
    larger of the two plans. Hubs are filled by the same rule; ``moved_cities`` (cities whose boxes go to
    another hub) are ringed. Every title gives both plans' figures.
    """
    proj = Projection(box, width)
    scene = Scene(width, proj.height)
    add_basemap(scene, proj)
    xy = {k: np.array(proj(n.lon, n.lat), dtype=float) for k, n in nodes.items()}
    a_name, b_name = names
    svc_a = {s.id: s for s in before.services}
    svc_b = {s.id: s for s in after.services}
    max_trains = max((s.trains for s in [*before.services, *after.services]), default=1.0) or 1.0
    feeds = sorted(set(before.feeders) | set(after.feeders))
    max_feed = max([*before.feeders.values(), *after.feeders.values()], default=1.0) or 1.0
    max_hub = max([*before.hubs.values(), *after.hubs.values()], default=1.0) or 1.0
    s_scale = width / 1200.0

    def trunk_width(trains: float) -> float:
        return (1.2 + 8.0 * math.sqrt(max(trains, 0.0) / max_trains)) * s_scale

    def label(nid: str) -> str:
        return nodes[nid].label if nid in nodes else nid

    # grey first, so that what changes is drawn on top
    order = {"kept": 0, "removed": 1, "added": 2}
    items: list[tuple[int, PathItem]] = []
    for city, hub in feeds:
        if city == hub or city not in xy or hub not in xy:
            continue
        ta, tb = before.feeders.get((city, hub)), after.feeders.get((city, hub))
        st = _state(ta, tb)
        items.append((order[st], PathItem(
            np.vstack([xy[city], xy[hub]]), _STATE_COLOUR[st], (0.6 + 2.2 * math.sqrt(max(ta or 0, tb or 0) / max_feed)) * s_scale,
            opacity=0.85, layer=CHANGE_LAYER, cls=f"feeder {st}", ref=f"feeder:{city}>{hub}",
            title=f"{label(city)} → {label(hub)}: {number(ta or 0, 0)} → {number(tb or 0, 0)} TEU/yr ({a_name} → {b_name})",
        )))
    legs: dict[tuple[str, str], list[float]] = {}
    for plan_i, svc in enumerate((svc_a, svc_b)):
        for s in svc.values():
            if s.gateway and s.gateway in xy:
                legs.setdefault((s.hub, s.gateway), [0.0, 0.0])[plan_i] += s.trains
    for (hub, gw), (ta, tb) in sorted(legs.items()):
        if hub not in xy:
            continue
        st = _state(ta, tb)
        items.append((order[st], PathItem(
            np.vstack([xy[hub], xy[gw]]), _STATE_COLOUR[st], trunk_width(max(ta, tb)), opacity=0.85, layer=CHANGE_LAYER,
            cls=f"trunk {st}", title=f"{label(hub)} → {label(gw)}: {number(ta, 0)} → {number(tb, 0)} trains/yr ({a_name} → {b_name})",
        )))
    shared: dict[tuple[str, str], list[str]] = {}
    for sid in sorted(set(svc_a) | set(svc_b)):
        s = svc_b.get(sid) or svc_a[sid]
        start = s.gateway if s.gateway and s.gateway in xy else s.hub
        shared.setdefault((start, s.destination), []).append(sid)
    for (start, dest), ids in sorted(shared.items()):
        if start not in xy or dest not in xy:
            continue
        ids = sorted(ids, key=lambda i: ((svc_b.get(i) or svc_a[i]).hub, i))
        length = float(np.hypot(*(xy[dest] - xy[start])))
        for i, sid in enumerate(ids):
            a, b = svc_a.get(sid), svc_b.get(sid)
            s = b or a
            ta, tb = (a.trains if a else 0.0), (b.trains if b else 0.0)
            st = _state(ta if a else None, tb if b else None)
            offset = (i - (len(ids) - 1) / 2) * min(7.0 * s_scale, 0.6 * length / len(ids))
            via = f" via {label(s.gateway)}" if s.gateway in nodes else ""
            items.append((order[st], PathItem(
                bend(xy[start], xy[dest], offset), _STATE_COLOUR[st], trunk_width(max(ta, tb)), opacity=0.85,
                layer=CHANGE_LAYER, cls=f"trunk {st}", ref=f"service:{sid}",
                title=f"{sid}: {label(s.hub)} → {label(dest)}{via}: {_STATE_WORD[st]}, "
                f"{number(ta, 0)} → {number(tb, 0)} trains/yr ({a_name} → {b_name})",
            )))
    scene.paths.extend(p for _, p in sorted(items, key=lambda t: t[0]))

    placer = LabelPlacer(scene)
    hubs_used = set(before.hubs) | set(after.hubs)
    for kind in ("city", "gateway", "destination", "hub"):
        for nid, n in sorted(nodes.items()):
            if n.kind != kind:
                continue
            x, y = xy[nid]
            if not (0 <= x <= width and 0 <= y <= proj.height):
                continue
            if kind == "city":
                if nid in moved_cities:
                    scene.marks.append(Mark(x, y, "circle", 5.0 * s_scale, "none", MOVED, CHANGE_LAYER,
                                            f"{n.label}: boxes go to another hub", nid))
                scene.marks.append(Mark(x, y, "circle", 2.6 * s_scale, CITY, "#ffffff", None, f"city {n.label}", nid, z=0))
                placer.reserve(x, y, 3 * s_scale)
            elif kind == "gateway":
                scene.marks.append(Mark(x, y, "diamond", 6 * s_scale, GATEWAY, "#7c2d12", None, f"border gateway {n.label}", nid))
                placer.reserve(x, y, 6 * s_scale)
            elif kind == "destination":
                scene.marks.append(Mark(x, y, "triangle", 6 * s_scale, DESTINATION, "#ffffff", None, f"destination {n.label}", nid))
                placer.reserve(x, y, 6 * s_scale)
            else:
                ta, tb = before.hubs.get(nid), after.hubs.get(nid)
                if ta is None and tb is None:
                    scene.marks.append(Mark(x, y, "square", 4.0 * s_scale, "#ffffff", CLOSED, CHANGE_LAYER,
                                            f"hub {n.label}: not used in either plan", nid))
                else:
                    st = "added" if ta is None else ("removed" if tb is None else "kept")
                    r = (4.0 + 5.0 * math.sqrt(max(ta or 0.0, tb or 0.0) / max_hub)) * s_scale
                    words = {"added": "opened", "removed": "closed", "kept": "used in both"}[st]
                    scene.marks.append(Mark(x, y, "square", r, _STATE_COLOUR[st], "#1f2933", CHANGE_LAYER,
                                            f"hub {n.label}: {words}, {number(ta or 0, 0)} → {number(tb or 0, 0)} TEU/yr "
                                            f"({a_name} → {b_name})", nid))
                placer.reserve(x, y, 9 * s_scale if nid in hubs_used else 5 * s_scale)
    throughput = {h: max(before.hubs.get(h, 0.0), after.hubs.get(h, 0.0)) for h in hubs_used}
    shown = [nid for nid, n in nodes.items() if label_cities or n.kind != "city" or nid in moved_cities]
    label_nodes(scene, placer, nodes, xy, shown, hubs_used, throughput)
    return scene
