"""Freight plans side by side: key figures with their differences against the first run, a cost waterfall by
component, a map of what changes (services and feeder legs opened or closed, hubs opened or closed, cities
whose boxes go to another hub), and the same as one tidy table (``compare.csv``).

The runs are freight run folders, or scenarios of batch folders picked by name. They must be runs of one
instance (the same name in summary.json, the same cities, hubs, gateways and destinations in nodes.csv):
anything else is refused, with exit code 2, before a file is written. Every plan compared is the run's
optimised plan; the first run is the reference of every difference.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from . import changemap, charts, netmap
from .fmt import Unit, change, compact, is_number, number, percent
from .freight import COST_PARTS, KPIS, FreightRun, _keyed, _map_nodes, _plan_rows, load, plan_network
from .page import Cell, Page, esc, figure, table
from .runs import BATCH, FREIGHT, detect_kind, read_csv, status_html

PLAN = "optimised"

#: the columns of compare.csv, in order (the header line also marks the file as this tool's own)
COLUMNS = ["section", "item", "name", "unit", "run", "value", "first_run", "difference", "relative_difference", "change"]
NODE_KINDS = (("city", "cities"), ("hub", "hubs"), ("gateway", "gateways"), ("destination", "destinations"))
COST_UNIT = Unit("CNY/yr", "compact")
MAX_LISTED = 12


def _problem(path, message: str) -> Problem:
    return Problem(str(path), message)


@dataclass
class Member:
    """One plan of the comparison: its label (a column of every table), the run and where it came from."""

    label: str
    run: FreightRun
    source: str  # the folder, or "BATCH, scenario NAME"
    scenario: str | None = None


# ---------------------------------------------------------------------------------------------- resolving


def _batch_scenarios(batch: Path) -> dict[str, str | None]:
    """Scenario name → None when it has a freight plan to compare, else why not (from summary.csv)."""
    df = read_csv(batch, "summary.csv")
    col = "scenario" if "scenario" in df.columns else ("name" if "name" in df.columns else None)
    out: dict[str, str | None] = {}
    if col is None:
        return out
    for r in df.to_dict("records"):
        name = str(r[col])
        has_plan = str(r.get("has_plan", "True")).strip().lower() in ("true", "1", "yes")
        if not (batch / "runs" / name / "summary.json").is_file():
            out[name] = f"has no run folder (status: {r.get('status', 'unknown')})"
        elif not has_plan:
            out[name] = f"has no plan (status: {r.get('status', 'unknown')})"
        else:
            out[name] = None
    return out


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _listing(names) -> str:
    names = list(names)
    shown = ", ".join(names[:30]) + (f", ... ({len(names)} in all)" if len(names) > 30 else "")
    return shown or "none"


def resolve(run_dirs: list[str | Path], scenarios: list[str] = ()) -> list[tuple[Path, str, str | None]]:
    """The run folders to compare, as (folder, source, scenario), in the order given.

    A freight run folder is taken as it is; a batch folder gives the runs of the ``scenarios`` (each name,
    exactly or ignoring case, must be a scenario of every batch given). Every problem is collected and raised
    together as an :class:`InputError` (exit 2): a folder that is no freight run, a batch without
    ``--scenario``, a name that is not a scenario (the valid names are listed), a scenario without a plan.
    """
    problems: list[Problem] = []
    found: list[tuple[Path, str, str | None]] = []
    scenarios = list(dict.fromkeys(scenarios))
    batches = 0
    for d in map(Path, run_dirs):
        try:
            kind = detect_kind(d)
        except InputError as exc:
            problems += exc.problems
            continue
        if kind == FREIGHT:
            found.append((d, str(d), None))
            continue
        if kind != BATCH:
            problems.append(_problem(d, f"{_a(kind)} run, not a freight run: only freight runs (or freight scenarios of a "
                                        "batch) are compared with each other"))
            continue
        batches += 1
        valid = _batch_scenarios(d)
        if not scenarios:
            problems.append(_problem(d, "a batch folder: pick the scenarios to compare with --scenario NAME "
                                        f"(repeatable); its scenarios: {_listing(valid)}"))
            continue
        folded = {}
        for n in valid:
            folded.setdefault(n.lower(), n)
        for name in scenarios:
            real = name if name in valid else folded.get(name.lower())
            if real is None:
                problems.append(_problem(d, f"no scenario named '{name}'; its scenarios: {_listing(valid)}"))
            elif valid[real] is not None:
                problems.append(_problem(d, f"scenario '{real}' {valid[real]}: nothing to compare"))
            else:
                run = d / "runs" / real
                try:
                    sub = detect_kind(run)
                except InputError as exc:
                    problems += exc.problems
                    continue
                if sub != FREIGHT:
                    problems.append(_problem(run, f"{_a(sub)} run, not a freight run: only freight scenarios are compared"))
                    continue
                found.append((run, f"{d}, scenario {real}", real))
    if scenarios and not batches and not problems:
        problems.append(_problem(", ".join(map(str, run_dirs)), "--scenario picks scenarios of a batch folder, "
                                                                 "but none of these folders is a batch"))
    seen: dict[Path, str] = {}
    for path, source, _ in found:
        key = path.resolve()
        if key in seen:
            problems.append(_problem(path, f"given twice (also as {seen[key]}): compare different runs"))
        seen.setdefault(key, source)
    if problems:
        raise InputError(problems, source="report")
    if len(found) < 2:
        raise InputError([_problem(", ".join(map(str, run_dirs)), "only one freight run to compare: give at least two "
                                                                  "run folders, or a batch folder and two --scenario names")],
                         source="report")
    return found


def _labels(found: list[tuple[Path, str, str | None]]) -> list[str]:
    """Short column names: the folder's name, or the scenario's (with its batch when several batches are given);
    a name already taken gets ``~2``, ``~3``."""
    batches = {p.parent.parent.resolve() for p, _, s in found if s is not None}
    out: list[str] = []
    for path, _, scenario in found:
        if scenario is None:
            base = path.resolve().name
        else:
            base = scenario if len(batches) == 1 else f"{path.resolve().parent.parent.name}/{scenario}"
        label, k = base, 2
        while label in out:
            label, k = f"{base}~{k}", k + 1
        out.append(label)
    return out


def _node_sets(path: Path) -> dict[str, set[str]] | None:
    df = read_csv(path, "nodes.csv", ("id", "kind"))
    if df.empty:
        return None
    kinds = df["kind"].astype(str)
    return {k: set(df.loc[kinds == k, "id"].astype(str)) for k, _ in NODE_KINDS}


def check_same_instance(members: list[Member]) -> None:
    """Refuse (exit 2) runs of different instances: another instance name, or other cities, hubs, gateways or
    destinations (nodes.csv) than the first run's."""
    first = members[0]
    name0 = first.run.summary.get("instance")
    sets0 = _node_sets(first.run.path)
    problems = []
    for m in members[1:]:
        name = m.run.summary.get("instance")
        why = []
        if name != name0:
            why.append(f"instance '{name}', not '{name0}'")
        sets = _node_sets(m.run.path)
        if sets is not None and sets0 is not None:
            for kind, plural in NODE_KINDS:
                extra, missing = sorted(sets[kind] - sets0[kind]), sorted(sets0[kind] - sets[kind])
                if extra or missing:
                    bits = ([f"only here: {_listing(extra)}"] if extra else []) + ([f"only in {first.label}: {_listing(missing)}"] if missing else [])
                    why.append(f"other {plural} ({'; '.join(bits)})")
        if why:
            problems.append(_problem(m.source, f"a run of another instance than {first.label} ({first.source}): "
                                               + "; ".join(why) + ". Only runs of one instance can be compared"))
    if problems:
        raise InputError(problems, source="report")


def load_members(run_dirs: list[str | Path], scenarios: list[str] = ()) -> list[Member]:
    found = resolve(run_dirs, scenarios)
    members = [Member(label, load(path), source, scenario) for (path, source, scenario), label in zip(found, _labels(found))]
    check_same_instance(members)
    return members


# ------------------------------------------------------------------------------------------ plans compared


@dataclass
class Plan:
    """What the comparison reads of one run's optimised plan."""

    services: dict[str, float]  # open service -> trains/yr
    hubs: dict[str, float]  # open hub -> throughput TEU/yr
    assignments: dict[tuple[str, str], tuple[str, ...]]  # (city, destination) -> hubs carrying its boxes
    network: netmap.PlanNetwork


def plan_of(run: FreightRun) -> Plan:
    net = plan_network(run, PLAN)
    flows = _plan_rows(run.flows, PLAN)
    assignments: dict[tuple[str, str], tuple[str, ...]] = {}
    if not flows.empty and "destination_id" in flows.columns:
        teu = pd.to_numeric(flows["teu"], errors="coerce").fillna(0)
        used = flows[teu > 1e-6]
        for (city, dest), g in used.groupby([used["city_id"].astype(str), used["destination_id"].astype(str)]):
            assignments[(city, dest)] = tuple(sorted(set(g["hub_id"].astype(str))))
    return Plan({s.id: s.trains for s in net.services}, dict(net.hubs), assignments, net)


def _service_change(a: float | None, b: float | None) -> str:
    if a is None and b is None:
        return ""
    if a is None:
        return "opened"
    if b is None:
        return "closed"
    if b > a + 1e-6:
        return "more trains"
    if b < a - 1e-6:
        return "fewer trains"
    return ""


def _hub_change(a: float | None, b: float | None) -> str:
    return "opened" if a is None and b is not None else ("closed" if a is not None and b is None else "")


def _assignment_change(a: tuple, b: tuple) -> str:
    if a == b:
        return ""
    if not a:
        return "served"
    if not b:
        return "unserved"
    return "reassigned"


def _service_info(members: list[Member]) -> dict[str, dict]:
    info: dict[str, dict] = {}
    for m in members:
        if not m.run.services.empty:
            for r in m.run.services.to_dict("records"):
                info.setdefault(str(r["service_id"]), r)
    return info


def _service_name(run: FreightRun, r: dict) -> str:
    gw = r.get("gateway_id")
    via = f" via {run.name('gateway', gw)}" if isinstance(gw, str) and gw else ""
    return f"{run.name('hub', r.get('hub_id', ''))} → {run.name('destination', r.get('destination_id', ''))}{via}"


# ------------------------------------------------------------------------------------------------- table


def _num_or_none(x):
    return float(x) if is_number(x) else None


def _numeric_rows(section, item, name, unit, labels, values) -> list[dict]:
    first = values[0]
    rows = []
    for label, v in zip(labels, values):
        diff = v - first if v is not None and first is not None else None
        rel = diff / abs(first) if diff is not None and first else None
        rows.append({"section": section, "item": item, "name": name, "unit": unit, "run": label, "value": v,
                     "first_run": first, "difference": diff, "relative_difference": rel, "change": ""})
    return rows


def _overrides(m: Member) -> dict:
    return dict(m.run.summary.get("overrides") or {})


def _text(v) -> str:
    if isinstance(v, (list, tuple)):
        return ",".join(map(str, v))
    return "" if v is None else str(v)


def tidy(members: list[Member], plans: list[Plan]) -> pd.DataFrame:
    """compare.csv: one row per (section, item, run); ``first_run`` is the first run's value, ``difference``
    the run's value less it (numbers), ``change`` says in words what changed (services, hubs, assignments)."""
    labels = [m.label for m in members]
    first = members[0].run
    rows: list[dict] = []

    def text_rows(section, item, name, values, change_of=None):
        for label, v in zip(labels, values):
            ch = change_of(values[0], v) if change_of else ("differs" if v != values[0] else "")
            rows.append({"section": section, "item": item, "name": name, "unit": "", "run": label, "value": v,
                         "first_run": values[0], "difference": None, "relative_difference": None, "change": ch})

    text_rows("run", "source", "Run folder", [m.source for m in members], lambda a, b: "")
    text_rows("run", "status", "Status", [str(m.run.summary.get("status", "")) for m in members])
    keys = list(dict.fromkeys(k for m in members for k in _overrides(m)))
    for k in keys:
        text_rows("run", f"set.{k}", f"Setting {k}", [_text(_overrides(m).get(k)) for m in members])
    rows += _numeric_rows("run", "mip_gap", "MIP gap", "fraction", labels,
                          [_num_or_none(m.run.summary.get("mip_gap")) for m in members])
    for key, label, unit, _ in KPIS:
        values = [_num_or_none(m.run.kpis(PLAN).get(key)) for m in members]
        if any(v is not None for v in values):
            rows += _numeric_rows("kpi", key, label, unit.label, labels, values)
    for key, label in COST_PARTS:
        values = [_num_or_none((m.run.kpis(PLAN).get("cost_breakdown") or {}).get(key)) for m in members]
        if any(v is not None for v in values):
            rows += _numeric_rows("cost", key, label, COST_UNIT.label, labels, values)
    info = _service_info(members)
    for sid in sorted(set().union(*(p.services for p in plans))):
        values = [p.services.get(sid) for p in plans]
        name = _service_name(first, info.get(sid, {}))
        for r, v in zip(_numeric_rows("service", sid, name, "trains/yr", labels, [x or 0.0 for x in values]), values):
            r["change"] = _service_change(values[0], v)
            rows.append(r)
    for hub in sorted(set().union(*(p.hubs for p in plans))):
        values = [p.hubs.get(hub) for p in plans]
        for r, v in zip(_numeric_rows("hub", hub, first.name("hub", hub), "TEU/yr", labels, [x or 0.0 for x in values]), values):
            r["change"] = _hub_change(values[0], v)
            rows.append(r)
    for city, dest in sorted(set().union(*(p.assignments for p in plans))):
        values = [p.assignments.get((city, dest), ()) for p in plans]
        name = f"{first.name('city', city)} → {first.name('destination', dest)}"
        for label, v in zip(labels, values):
            rows.append({"section": "assignment", "item": f"{city}>{dest}", "name": name, "unit": "hubs", "run": label,
                         "value": "+".join(v), "first_run": "+".join(values[0]), "difference": None,
                         "relative_difference": None, "change": _assignment_change(values[0], v)})
    return pd.DataFrame(rows, columns=COLUMNS)


# ---------------------------------------------------------------------------------------------- sections


def _runs_section(members: list[Member], out_dir: Path | None) -> str:
    keys = list(dict.fromkeys(k for m in members for k in _overrides(m)))
    header = ["Run", "Source", "Status", "Objective", "Gap"] + [f"Setting {k}" for k in keys] + ["Report"]
    rows = []
    for i, m in enumerate(members):
        s = m.run.summary
        report = m.run.path / "report.html"
        link = "–"
        if report.is_file() and out_dir is not None:
            rel = Path(os.path.relpath(report.resolve(), out_dir.resolve())).as_posix()
            link = f'<a href="{esc(rel)}">report</a>'
        rows.append([m.label + (" (first: the reference)" if i == 0 else ""), m.source,
                     Cell(status_html(s.get("status")), raw=True), f"CNY {compact(s.get('objective'))}",
                     percent(s.get("mip_gap"), 2)] + [_text(_overrides(m).get(k)) or "–" for k in keys]
                    + [Cell(link, raw=True)])
    return table(header, rows, num_cols={3, 4})


def _diff_cell(old, new, unit: Unit, better: int) -> Cell:
    text, diff = change(old, new, unit)
    cls = ""
    if diff is not None and better and abs(diff) > 1e-9:
        cls = "good" if diff * better > 0 else "bad"
    return Cell(text, cls)


def _side_by_side(members: list[Member], rows_spec) -> str:
    """A table: figure, unit, then each run's value, and after every run but the first its change."""
    header = ["Figure", "Unit", members[0].label]
    for m in members[1:]:
        header += [m.label, f"{m.label} − {members[0].label}"]
    rows = []
    for label, unit, values, better in rows_spec:
        row = [label, unit.label, unit(values[0])]
        for v in values[1:]:
            row += [unit(v), _diff_cell(values[0], v, unit, better)]
        rows.append(row)
    return table(header, rows, num_cols=set(range(2, len(header))))


def _kpi_section(members: list[Member]) -> str:
    spec = []
    for key, label, unit, better in KPIS:
        values = [m.run.kpis(PLAN).get(key) for m in members]
        if any(is_number(v) for v in values):
            spec.append((label, unit, values, better))
    note = (f'<p class="note">Each run\'s optimised plan; changes are against {esc(members[0].label)} '
            "(green when a figure moves the right way).</p>")
    return note + _side_by_side(members, spec)


def _breakdown(m: Member) -> dict:
    return m.run.kpis(PLAN).get("cost_breakdown") or {}


def _cost_section(members: list[Member]) -> str:
    parts = [(k, lab) for k, lab in COST_PARTS if any(is_number(_breakdown(m).get(k)) for m in members)]
    if not parts:
        return '<p class="note">No cost breakdown in summary.json.</p>'
    first = members[0]
    figs = []
    for m in members[1:]:
        steps = [(lab, (_breakdown(m).get(k) or 0.0) - (_breakdown(first).get(k) or 0.0)) for k, lab in parts]
        svg = charts.waterfall((first.label, first.run.kpis(PLAN).get("total_cost")), steps,
                               (m.label, m.run.kpis(PLAN).get("total_cost")), compact,
                               title=f"Cost from {first.label} to {m.label}")
        figs.append(figure(svg, f"From {first.label} to {m.label}: the change of each cost component, CNY a year "
                                "(vermillion: costs more, green: costs less; components that do not change are left out)."))
    spec = [(lab, COST_UNIT, [_breakdown(m).get(k) for m in members], -1) for k, lab in parts]
    spec.append(("Total", COST_UNIT, [m.run.kpis(PLAN).get("total_cost") for m in members], -1))
    legend = charts.legend([("costs more", charts.RISE), ("costs less", charts.FALL), ("total", charts.TOTAL)])
    return legend + f'<div class="grid2">{"".join(figs)}</div>' + _side_by_side(members, spec)


def _moved_cities(a: Plan, b: Plan) -> set[str]:
    return {f"city:{c}" for (c, d) in set(a.assignments) | set(b.assignments)
            if _assignment_change(a.assignments.get((c, d), ()), b.assignments.get((c, d), ())) == "reassigned"}


def change_scenes(members: list[Member], plans: list[Plan], i: int) -> list[tuple[str, netmap.Scene]]:
    """The corridor, and the feeder region when it is much smaller: what changes from the first plan to plan ``i``."""
    nodes = _map_nodes(members[0].run)
    if not nodes:
        return []
    a, b = _keyed(plans[0].network), _keyed(plans[i].network)
    moved = _moved_cities(plans[0], plans[i])
    names = (members[0].label, members[i].label)
    box = netmap.bounding_box(list(nodes.values()))
    scenes = [("Corridor", changemap.build_change_scene(nodes, a, b, box, 1200.0, label_cities=False, moved_cities=moved, names=names))]
    feeder_nodes = [n for n in nodes.values() if n.kind in ("city", "hub")]
    if feeder_nodes:
        fbox = netmap.bounding_box(feeder_nodes, margin=0.06, min_span=2.0)
        if (fbox[2] - fbox[0]) < 0.6 * (box[2] - box[0]):
            scenes.append(("Feeder region", changemap.build_change_scene(nodes, a, b, fbox, 1000.0, label_cities=True,
                                                                      moved_cities=moved, names=names)))
    return scenes


def _map_legend() -> str:
    items = [
        (f'<line x1="0" y1="7" x2="14" y2="7" stroke="{changemap.ADDED}" stroke-width="4"/>', "opened (service, feeder leg)"),
        (f'<line x1="0" y1="7" x2="14" y2="7" stroke="{changemap.REMOVED}" stroke-width="4"/>', "closed"),
        (f'<line x1="0" y1="7" x2="14" y2="7" stroke="{changemap.KEPT}" stroke-width="4"/>', "in both plans (width: trains/yr)"),
        (f'<rect x="2" y="2" width="10" height="10" fill="{changemap.ADDED}" stroke="#1f2933"/>', "hub opened"),
        (f'<rect x="2" y="2" width="10" height="10" fill="{changemap.REMOVED}" stroke="#1f2933"/>', "hub closed"),
        (f'<rect x="2" y="2" width="10" height="10" fill="{changemap.KEPT}" stroke="#1f2933"/>', "hub in both"),
        (f'<circle cx="7" cy="7" r="5" fill="none" stroke="{changemap.MOVED}" stroke-width="1.5"/>', "city re-assigned to another hub"),
    ]
    return '<div class="legend">' + "".join(f'<span><svg width="14" height="14">{s}</svg> {esc(t)}</span>' for s, t in items) + "</div>"


def _map_section(members: list[Member], plans: list[Plan]) -> str:
    out = []
    for i in range(1, len(members)):
        scenes = change_scenes(members, plans, i)
        if not scenes:
            return '<p class="note">No coordinates in nodes.csv, so no map.</p>'
        title = f"{members[i].label} against {members[0].label}"
        figs = "".join(figure(netmap.to_svg(scene, f"{title}: {view.lower()}"),
                              f"{title} – {view.lower()}: hover a line or a node for both plans' figures.")
                       for view, scene in scenes)
        out.append(f"<h3>{esc(title)}</h3><div class=\"mapwrap\">{figs}</div>")
    return _map_legend() + "".join(out)


def _changes_section(members: list[Member], plans: list[Plan]) -> str:
    first = members[0]
    info = _service_info(members)
    out = []
    for i in range(1, len(members)):
        m, a, b = members[i], plans[0], plans[i]
        out.append(f"<h3>{esc(m.label)} against {esc(first.label)}</h3>")
        svc_rows = []
        for sid in sorted(set(a.services) | set(b.services)):
            ch = _service_change(a.services.get(sid), b.services.get(sid))
            if ch:
                r = info.get(sid, {})
                svc_rows.append([ch, sid, first.run.name("hub", r.get("hub_id", "")),
                                 first.run.name("destination", r.get("destination_id", "")),
                                 first.run.name("gateway", r.get("gateway_id")) if isinstance(r.get("gateway_id"), str) else "–",
                                 number(a.services.get(sid, 0.0), 0), number(b.services.get(sid, 0.0), 0)])
        svc_rows.sort(key=lambda r: (["opened", "closed", "more trains", "fewer trains"].index(r[0]), r[1]))
        out.append(f"<p><b>Services</b> ({len(svc_rows)} changed)</p>")
        out.append(table(["Change", "Service", "Hub", "Destination", "Gateway", f"Trains/yr {first.label}",
                          f"Trains/yr {m.label}"], svc_rows, num_cols={5, 6}) if svc_rows else '<p class="note">No service changes.</p>')
        hub_rows = [[_hub_change(a.hubs.get(h), b.hubs.get(h)), first.run.name("hub", h),
                     number(a.hubs.get(h, 0.0), 0), number(b.hubs.get(h, 0.0), 0)]
                    for h in sorted(set(a.hubs) | set(b.hubs)) if _hub_change(a.hubs.get(h), b.hubs.get(h))]
        out.append(f"<p><b>Hubs</b> ({len(hub_rows)} opened or closed)</p>")
        out.append(table(["Change", "Hub", f"TEU/yr {first.label}", f"TEU/yr {m.label}"], hub_rows, num_cols={2, 3})
                   if hub_rows else '<p class="note">The same hubs are open.</p>')
        moved = []
        for city, dest in sorted(set(a.assignments) | set(b.assignments)):
            ha, hb = a.assignments.get((city, dest), ()), b.assignments.get((city, dest), ())
            ch = _assignment_change(ha, hb)
            if ch:
                moved.append([ch, first.run.name("city", city), first.run.name("destination", dest),
                              " + ".join(first.run.name("hub", h) for h in ha) or "–",
                              " + ".join(first.run.name("hub", h) for h in hb) or "–"])
        out.append(f"<p><b>Cities re-assigned</b> ({len(moved)} city–destination flows)</p>")
        out.append(table(["Change", "City", "Destination", f"Hub in {first.label}", f"Hub in {m.label}"], moved)
                   if moved else '<p class="note">Every city sends its boxes to the same hubs.</p>')
    return "".join(out)


def _story(members: list[Member], plans: list[Plan]) -> str:
    first = members[0]
    c0 = first.run.kpis(PLAN).get("total_cost")
    parts = []
    for m, p in zip(members[1:], plans[1:]):
        c = m.run.kpis(PLAN).get("total_cost")
        bits = []
        if is_number(c) and is_number(c0) and c0:
            rel = 100 * (c - c0) / abs(c0)
            sign = "+" if rel >= 0 else "−"
            bits.append(f"cost <b>{sign}{esc(number(abs(rel), 1))} %</b> (CNY {esc(compact(c0))} → {esc(compact(c))})")
        opened = sum(1 for s in p.services if s not in plans[0].services)
        closed = sum(1 for s in plans[0].services if s not in p.services)
        if opened or closed:
            bits.append(f"{opened} service{'s' if opened != 1 else ''} opened, {closed} closed")
        hubs = sum(1 for h in set(p.hubs) ^ set(plans[0].hubs))
        if hubs:
            bits.append(f"{hubs} hub{'s' if hubs != 1 else ''} opened or closed")
        moved = sum(1 for k in set(p.assignments) | set(plans[0].assignments)
                    if _assignment_change(plans[0].assignments.get(k, ()), p.assignments.get(k, ())) == "reassigned")
        if moved:
            bits.append(f"{moved} city–destination flow{'s' if moved != 1 else ''} re-assigned")
        parts.append(f"<b>{esc(m.label)}</b>: " + (", ".join(bits) if bits else "the same plan"))
    return f"Against <b>{esc(first.label)}</b> – " + "; ".join(parts) + "."


def render(members: list[Member], out_dir: Path | None = None, csv_name: str = "compare.csv") -> tuple[str, pd.DataFrame]:
    """The comparison page (HTML) and its tidy table."""
    plans = [plan_of(m.run) for m in members]
    df = tidy(members, plans)
    instance = members[0].run.summary.get("instance", "")
    page = Page(f"Freight plans side by side – {instance}")
    page.subtitle.append(esc(f"{len(members)} plans: " + ", ".join(m.label for m in members)
                             + f" · differences against {members[0].label}"))
    page.story = _story(members, plans)
    page.add("Runs", _runs_section(members, out_dir), anchor="runs")
    page.add("Key figures", _kpi_section(members), anchor="kpis")
    page.add("Cost waterfall", _cost_section(members), anchor="costs")
    page.add("Map of what changes", _map_section(members, plans), anchor="map")
    page.add("What changes", _changes_section(members, plans), anchor="changes")
    page.add("The table", f'<p class="note">Every figure of this page, one row per figure and run, with the first '
                          f'run\'s value and the difference: {esc(csv_name)} beside this file.</p>', anchor="table")
    return page.render(), df
