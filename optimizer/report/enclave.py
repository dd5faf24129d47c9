"""The report of an enclave run (one rule), and the side-by-side comparison of several rules on one case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import charts
from .fmt import Unit, is_number, number, percent
from .page import Cell, Page, esc, figure, table
from .runs import read_summary, status_html


@dataclass
class EnclaveRun:
    path: Path
    summary: dict

    @property
    def rule(self) -> str:
        return str(self.summary.get("rule", "?"))

    @property
    def case(self) -> str:
        return str(self.summary.get("case", self.path.name))

    @property
    def parties(self) -> list[str]:
        s = self.summary
        return list(s.get("npv") or {}) or sorted({p for ps in (s.get("shares") or {}).values() for p in ps})

    @property
    def years(self) -> list:
        ys = self.summary.get("years")
        if ys:
            return list(ys)
        n = max((len(v) for ps in (self.summary.get("shares") or {}).values() for v in ps.values()), default=0)
        return list(range(1, n + 1))

    @property
    def money(self) -> Unit:
        return Unit(str(self.summary.get("units") or "money units"), "plain")

    @property
    def statistics(self) -> set[str]:
        return set((self.summary.get("streams") or {}).get("statistics") or [])

    def disagreement(self, party: str) -> float | None:
        d = (self.summary.get("disagreement") or {}).get(party)
        if is_number(d):
            return float(d)
        npv, gain = (self.summary.get("npv") or {}).get(party), (self.summary.get("gain") or {}).get(party)
        return float(npv) - float(gain) if is_number(npv) and is_number(gain) else None


def load(run_dir: Path) -> EnclaveRun:
    return EnclaveRun(run_dir, read_summary(run_dir))


def party_colours(parties: list[str]) -> dict[str, str]:
    return {p: charts.colour(i) for i, p in enumerate(parties)}


# --------------------------------------------------------------------------------------------- one run


def _story(run: EnclaveRun) -> str:
    npv, gain = run.summary.get("npv") or {}, run.summary.get("gain") or {}
    unit = run.money
    parts = [
        f"{esc(p)}: NPV <b>{esc(unit(npv.get(p)))}</b> ({esc(_signed(unit(gain.get(p))))} over its disagreement point)"
        for p in run.parties
    ]
    return f"Rule <b>{esc(run.rule)}</b> · " + "; ".join(parts) + f" · {esc(unit.label)}."


def _signed(text: str) -> str:
    return text if text.startswith(("−", "-", "–")) else "+" + text


def _party_table(run: EnclaveRun) -> str:
    s, unit = run.summary, run.money
    totals = s.get("totals") or {}
    streams = list(totals)
    header = ["Party", f"Disagreement ({unit.label})", f"NPV ({unit.label})", f"Gain ({unit.label})"] + [
        f"Total {st} ({'statistic' if st in run.statistics else unit.label})" for st in streams
    ]
    rows = []
    for p in run.parties:
        gain = (s.get("gain") or {}).get(p)
        cls = "" if not is_number(gain) else ("good" if gain > 1e-9 else ("bad" if gain < -1e-9 else ""))
        rows.append([p, unit(run.disagreement(p)), unit((s.get("npv") or {}).get(p)), Cell(_signed(unit(gain)), cls)]
                    + [unit(totals[st].get(p)) for st in streams])
    return table(header, rows, num_cols=set(range(1, len(header))))


def _npv_chart(run: EnclaveRun) -> str:
    parties, unit = run.parties, run.money
    npv = run.summary.get("npv") or {}
    svg = charts.hbars(
        parties,
        [("disagreement point", charts.PLAN_COLOURS["baseline"], [run.disagreement(p) for p in parties]),
         ("NPV under the rule", charts.PLAN_COLOURS["optimised"], [npv.get(p) for p in parties])],
        unit, title="NPV against the disagreement point",
    )
    return charts.legend([("disagreement point", charts.PLAN_COLOURS["baseline"]),
                          ("NPV under the rule", charts.PLAN_COLOURS["optimised"])]) + figure(
        svg, f"Net present value per party, {unit.label}; the gain is the difference.")


def _stream_charts(run: EnclaveRun) -> str:
    s, years, unit = run.summary, [str(y) for y in run.years], run.money
    colours = party_colours(run.parties)
    figs = []
    for stream, by_party in (s.get("shares") or {}).items():
        segs = [(p, colours[p], by_party.get(p, [])) for p in run.parties]
        figs.append(figure(charts.stacked_columns(years, segs, lambda v: percent(v, 0), vmax=1.0,
                                                  title=f"Shares of {stream}"), f"{stream}: share of each party per year"))
        amounts = (s.get("amounts") or {}).get(stream)
        if amounts:
            segs = [(p, colours[p], amounts.get(p, [])) for p in run.parties]
            what = "statistic" if stream in run.statistics else unit.label
            figs.append(figure(charts.stacked_columns(years, segs, unit, title=f"Amounts of {stream}"),
                               f"{stream}: amount each party receives per year ({what})"))
    return charts.legend([(p, colours[p]) for p in run.parties]) + f'<div class="grid2">{"".join(figs)}</div>'


def _share_table(run: EnclaveRun) -> str:
    years = run.years
    rows = [[stream, p] + [percent(v, 1) for v in vals]
            for stream, by_party in (run.summary.get("shares") or {}).items() for p, vals in by_party.items()]
    return table(["Stream", "Party"] + [str(y) for y in years], rows, num_cols=set(range(2, 2 + len(years))))


def _binding_section(run: EnclaveRun) -> str:
    if run.rule == "fixed":
        return ('<p class="note">A written rule is evaluated, not optimised: no constraint shapes it. '
                "See the policy checks below.</p>")
    binding = run.summary.get("binding") or []
    tight = run.summary.get("also_tight") or []
    also = ""
    if tight:
        also = (f"<h3>Also tight ({len(tight)}), but relaxing any one of them alone changes nothing</h3><ul>"
                + "".join(f"<li>{esc(t)}</li>" for t in tight) + "</ul>")
    if not binding:
        return '<p class="note">No policy constraint limits the result: relaxing any one alone is worth nothing.</p>' + also
    rows = [[b.get("description") or b.get("constraint", ""),
             number(b.get("dual"), 4) if is_number(b.get("dual")) else "–",
             number(b.get("value_of_relaxing"), 4) if is_number(b.get("value_of_relaxing")) else "–",
             b.get("explanation", "")] for b in binding]
    return ('<p class="note">The dual value is the change of the rule\'s objective per unit of the constraint\'s '
            'bound (a share point is 0.01); the value of relaxing is that change in the direction that helps.</p>'
            + table(["Constraint", "Dual value", "Value of relaxing", "What it means"], rows, num_cols={1, 2}) + also)


def _checks_section(run: EnclaveRun) -> str:
    s = run.summary
    out = []
    if s.get("checks"):
        rows = [[c.get("description", c.get("family", "")), number(c.get("rows"), 0), number(c.get("violated"), 0),
                 Cell(str(c.get("status", "")), "bad" if c.get("status") == "violated" else "good")] for c in s["checks"]]
        out.append(table(["Policy constraint", "Rows checked", "Violated", "Status"], rows, num_cols={1, 2}))
    if s.get("violations"):
        rows = [[v.get("description", ""), number(v.get("shortfall")) if is_number(v.get("shortfall")) else "–"]
                for v in s["violations"]]
        out.append("<h3>Violations of the written rule</h3>" + table(["Constraint", "Shortfall"], rows, num_cols={1}))
    return "".join(out)


def _run_rows(run: EnclaveRun) -> list[list]:
    s = run.summary
    rows = [["Case", run.case], ["Rule", run.rule], ["Status", Cell(status_html(s.get("status")), raw=True)],
            ["Years", f"{run.years[0]}–{run.years[-1]}" if run.years else "–"],
            ["Discount rate", percent(s.get("discount_rate"), 1)]]
    if "approximation_gap" in s:
        rows.append(["Nash approximation gap", number(s.get("approximation_gap"), 6)])
    solver = s.get("solver") or {}
    for k, v in solver.items():
        rows.append([f"Solver: {k}", number(v) if is_number(v) else str(v)])
    return rows


def render(run_dir: Path) -> str:
    run = load(run_dir)
    s = run.summary
    page = Page(f"Enclave sharing – {run.case} – {run.rule}")
    page.subtitle.append(f"{status_html(s.get('status'))} · {len(run.parties)} parties · {len(run.years)} years"
                         f" · money in {esc(run.money.label)}")
    page.story = _story(run)
    page.add("Parties", _party_table(run), _npv_chart(run), anchor="parties")
    page.add("Shares and amounts per year", _stream_charts(run), _share_table(run), anchor="streams")
    page.add("Binding constraints", _binding_section(run), anchor="binding")
    checks = _checks_section(run)
    if checks:
        page.add("Policy checks of the written rule", checks, anchor="checks")
    notes = s.get("notes") or []
    if notes:
        page.add("Notes", "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>", anchor="notes")
    page.add("Run", table(["", ""], _run_rows(run)), anchor="run")
    return page.render()


# --------------------------------------------------------------------------------------------- comparison


def comparison_sections(runs: list[EnclaveRun]) -> list[tuple[str, str]]:
    """(heading, HTML) sections comparing rules side by side: NPV and gain per party, shares by year."""
    parties = list(dict.fromkeys(p for r in runs for p in r.parties))
    unit = runs[0].money
    rule_names = [f"{r.rule} ({r.path.name})" if [x.rule for x in runs].count(r.rule) > 1 else r.rule for r in runs]
    header = ["Rule", "Status"] + [f"{p} NPV" for p in parties] + [f"{p} gain" for p in parties] + ["Binding constraints"]
    rows = []
    for name, r in zip(rule_names, runs):
        npv, gain = r.summary.get("npv") or {}, r.summary.get("gain") or {}
        rows.append([name, Cell(status_html(r.summary.get("status")), raw=True)] + [unit(npv.get(p)) for p in parties]
                    + [_signed(unit(gain.get(p))) for p in parties]
                    + ["–" if r.rule == "fixed" else str(len(r.summary.get("binding") or []))])
    overview = table(header, rows, num_cols=set(range(2, len(header))))
    colours = {name: charts.colour(i) for i, name in enumerate(rule_names)}
    npv_svg = charts.hbars(parties, [(name, colours[name], [(r.summary.get("npv") or {}).get(p) for p in parties])
                                     for name, r in zip(rule_names, runs)], unit, title="NPV per party and rule")
    npv_fig = charts.legend(list(colours.items())) + figure(npv_svg, f"NPV per party under each rule, {unit.label}.")
    years = runs[0].years
    streams = list(dict.fromkeys(st for r in runs for st in (r.summary.get("shares") or {})))
    figs = []
    shown = parties[:1] if len(parties) == 2 else parties  # with two parties the other share is the rest
    rest = f" ({parties[1]} gets the rest)" if len(parties) == 2 else ""
    for st in streams:
        for p in shown:
            series = [(name, colours[name], ((r.summary.get("shares") or {}).get(st) or {}).get(p, []))
                      for name, r in zip(rule_names, runs)]
            svg = charts.lines(list(range(len(years))), series, lambda i: str(years[int(i)]), lambda v: percent(v, 0),
                               x_label="year", y_label=f"share of {p}", y_range=(0.0, 1.0),
                               title=f"{st}: share of {p} by rule")
            figs.append(figure(svg, f"{st}: share of {p}{rest}, one line per rule"))
    shares = charts.legend(list(colours.items())) + f'<div class="grid2">{"".join(figs)}</div>'
    return [("Rules side by side", overview + npv_fig), ("Shares by year under each rule", shares)]


def render_comparison(run_dirs: list[Path]) -> str:
    runs = [load(d) for d in run_dirs]
    cases = sorted({r.case for r in runs})
    page = Page(f"Enclave sharing – {' / '.join(cases)} – {len(runs)} rules compared")
    page.subtitle.append(esc("Rules: " + ", ".join(r.rule for r in runs)))
    if len(cases) > 1:
        page.subtitle.append(esc("Warning: these runs are of different cases: " + ", ".join(cases)))
    for heading, html in comparison_sections(runs):
        page.add(heading, html)
    return page.render()
