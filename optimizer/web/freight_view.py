"""The freight page's map of an instance before any solve: the report's map scene with no plan drawn."""

from __future__ import annotations

from dataclasses import replace

from ..freight.kpis import nodes_table
from ..instance.data import Instance
from ..report import netmap


def network_map(inst: Instance) -> str:
    """Inline SVG of every city, candidate hub, gateway and destination (hubs carry ``data-node="hub:<id>"``)."""
    nodes = {}
    for r in nodes_table(inst).itertuples(index=False):
        zh = r.name_zh if isinstance(r.name_zh, str) else ""
        nodes[f"{r.kind}:{r.id}"] = netmap.Node(str(r.id), str(r.kind), str(r.name or r.id), zh, float(r.lon), float(r.lat))
    if not nodes:
        return ""
    box = netmap.bounding_box(list(nodes.values()))
    # one plan that uses no hub: every candidate hub is drawn as a plain square the page can click
    scene = netmap.build_scene(nodes, [netmap.PlanNetwork("network", {}, [], {}, set())], box, 1200.0, label_cities=False)
    scene.marks = [replace(m, title=f"hub {nodes[m.node].label}: click to close it, again to force it open, again to reset")
                   if m.node.startswith("hub:") and m.node in nodes else m for m in scene.marks]
    return netmap.to_svg(scene, f"network of {inst.name}")
