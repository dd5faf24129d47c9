"""The report of a consolidation game (``optimizer share consolidation``): who pays for the network.

Per player: stand-alone cost, allocated share and today's cost side by side; which coalitions
bind (the most objecting coalition, the excess levels of the LP rules, the core checks); a map of
the players' cities coloured by their saving; how the coalition values were found.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ..results import atomic_write_text, check_file_target, register_files
from . import charts
from .fmt import compact, is_number, number
from .netmap import Label, Mark, Projection, Scene, add_basemap, bounding_box, to_svg
from .page import GENERATOR, Cell, Page, esc, figure, table
from .runs import read_summary

REPORT = "report.html"
#: saving (%) → colour: losses red, small gains amber, large gains green
SCALE = ((-1e9, "#b42318"), (0.0, "#f79009"), (5.0, "#fdb022"), (10.0, "#66c61c"), (20.0, "#039855"), (30.0, "#05603a"))


def _money(x) -> str:
    return compact(x) if is_number(x) else "–"


def _pct(x) -> str:
    return f"{number(float(x), 1)} %" if is_number(x) else "–"


def _colour(saving_pct) -> str:
    if not is_number(saving_pct):
        return "#9aa5b1"
    out = SCALE[0][1]
    for lo, col in SCALE:
        if saving_pct >= lo:
            out = col
    return out


def _is_consolidation(s: dict) -> bool:
    return "grand_coalition_cost" in s and "allocation" in s and "stand_alone" in s


def _map(s: dict, savings: dict) -> str:
    cities = [c for c in s.get("cities") or [] if is_number(c.get("lon")) and is_number(c.get("lat"))]
    if not cities:
        return "<p>No city coordinates in the run.</p>"

    class _P:  # bounding_box reads lon/lat attributes
        def __init__(self, c):
            self.lon, self.lat = float(c["lon"]), float(c["lat"])

    proj = Projection(bounding_box([_P(c) for c in cities], min_aspect=1.5), 760.0)
    scene = Scene(proj.width, proj.height)
    add_basemap(scene, proj)
    for c in cities:
        x, y = proj(c["lon"], c["lat"])
        pct = savings.get(c["player"])
        scene.marks.append(Mark(float(x), float(y), "circle", 5.5, _colour(pct), "#ffffff", title=f"{c.get('name') or c['city_id']} ({c['player']}): saving {_pct(pct)}", node=c["city_id"]))
    seen = set()
    for c in cities:  # one label per player, at its first city
        if c["player"] in seen:
            continue
        seen.add(c["player"])
        x, y = proj(c["lon"], c["lat"])
        scene.labels.append(Label(float(x) + 8, float(y), c["player"], 10.5))
    legend = charts.legend([(f"saving ≥ {lo:g} %" if lo > -1e8 else "saving < 0 %", col) for lo, col in SCALE])
    return figure(to_svg(scene, "players' cities coloured by saving") + legend, "Each city is coloured by its player's saving (hover for the figure).")


def render(run_dir: Path) -> str:
    s = read_summary(run_dir)
    if not _is_consolidation(s):
        raise InputError([Problem(str(run_dir / "summary.json"), "not the summary of a consolidation game")], source="report")
    players = list(s["allocation"])
    alloc, stand = s["allocation"], s["stand_alone"]
    today = s.get("today") or {}
    sav = s.get("savings") or {}
    vs_alone_pct = sav.get("vs_stand_alone_pct") or {}
    vs_today_pct = sav.get("vs_today_pct") or {}
    page = Page(f"Who pays for consolidation: {s.get('instance', '')}")
    page.subtitle = [
        f"Rule <b>{esc(s.get('rule'))}</b> ({esc(s.get('method'))}), {len(players)} players by {esc((s.get('players') or {}).get('basis'))}.",
        f"Cost of the consolidated network c(N) = {esc(_money(s['grand_coalition_cost']))} CNY/yr; "
        f"going alone the players would pay {esc(_money(sum(stand.values())))} "
        f"(the savings game s(N) = {esc(_money((s.get('savings_game') or {}).get('total')))}, {esc(_pct((s.get('savings_game') or {}).get('total_pct')))})"
        + (f"; today they pay {esc(_money(s.get('today_total')))}." if s.get("today_total") is not None else "."),
    ]
    verdict = "in the core: no group of players could do better on its own" if s.get("in_core") else "NOT in the core: some coalition would pay less alone"
    page.story = esc(f"The allocation is {verdict}.")
    # per player
    series = [("stand-alone", "#9aa5b1", [stand[p] for p in players]), ("allocated", "#1d4ed8", [alloc[p] for p in players])]
    if today:
        series.append(("today", "#E69F00", [today.get(p) for p in players]))
    bars = charts.hbars(players, series, _money, title="cost per player")
    rows = []
    for p in players:
        a_pct, t_pct = vs_alone_pct.get(p), vs_today_pct.get(p)
        rows.append([
            p, _money(stand[p]), _money(today.get(p)) if today else "–", _money(alloc[p]),
            Cell(_pct(a_pct), "good" if is_number(a_pct) and a_pct >= 0 else "bad"),
            Cell(_pct(t_pct), "good" if is_number(t_pct) and t_pct >= 0 else "bad") if today else "–",
        ])
    page.add(
        "Per player",
        figure(bars + charts.legend([(n, c) for n, c, _ in series])),
        table(["player", "stand-alone c({i})", "today", "allocated", "saving vs alone", "saving vs today"], rows, {1, 2, 3, 4, 5}),
        "<p>Amounts in CNY per year. Today's cost is each player's share of today's network: "
        + esc(s.get("today_attribution") or "no status quo in the instance") + ".</p>",
        anchor="players",
    )
    # binding coalitions
    moc = s.get("most_objecting_coalition") or {}
    parts = [
        "<p>"
        + esc(
            f"Least-core epsilon: {_money(s.get('least_core_epsilon'))} (≤ 0: the core is not empty). "
            f"The coalition that objects most is {{{', '.join(moc.get('members') or [])}}} with excess "
            f"{_money(moc.get('excess'))} (its share minus what it would pay alone; > 0 means it would leave)."
        )
        + "</p>"
    ]
    details = s.get("details") or {}
    levels = details.get("excess_levels") or []
    if levels:
        parts.append(table(["excess level", "coalitions", "examples"], [[_money(lv["level"]), str(lv["count"]), "; ".join(lv["coalitions"][:4])] for lv in levels[:12]], {0, 1}))
    for name, check in (details.get("checks") or {}).items():
        worst = ", ".join(check.get("most_objecting_coalition") or [])
        parts.append(f"<p>{esc(name)}: {'in the core' if check.get('in_core') else 'not in the core'}; largest excess {esc(_money(check.get('max_excess')))} for {{{esc(worst)}}}.</p>")
    ep = details.get("equal_profit")
    if ep:
        parts.append(f"<p>Equal profit method within the {esc(ep['within'])}: the relative savings differ by at most {esc(_pct(100 * ep['max_difference']))}.</p>")
    sampling = details.get("shapley_sampling")
    if sampling:
        half = sampling["ci95_half_width"]
        parts.append(
            f"<p>Shapley value estimated from {sampling['orders']} random orders of arrival ({sampling['coalitions_read']} coalitions); 95 % half-widths: "
            + esc(", ".join(f"{p} ±{_money(h)}" for p, h in half.items())) + ".</p>"
        )
    page.add("Which coalitions bind", *parts, anchor="binding")
    page.add("Map", _map(s, vs_today_pct if today else vs_alone_pct), anchor="map")
    counts = s.get("counts") or {}
    warn = "".join(f"<li>{esc(w)}</li>" for w in s.get("warnings") or [])
    page.add(
        "How the values were found",
        f"<p>{esc(s.get('definition', ''))}</p>",
        table(["figure", "value"], [[k.replace("_", " "), str(v)] for k, v in counts.items()], {1}),
        f"<ul>{warn}</ul>" if warn else "<p>Every coalition MIP finished within its gap.</p>",
        "<p>Every coalition solved is listed in coalitions.csv.</p>",
        anchor="values",
    )
    return page.render()


def write_consolidation_report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write ``report.html`` of a consolidation folder (or ``out``) and return its path."""
    run_dir = Path(run_dir)
    target = check_file_target(Path(out) if out is not None else run_dir / REPORT, signature=GENERATOR)
    atomic_write_text(target, render(run_dir))
    if out is None:
        register_files(run_dir, [REPORT])
    return target
