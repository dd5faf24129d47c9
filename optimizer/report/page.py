"""A self-contained HTML page: inline styles, one small inline script, no external reference at all.

The page must open offline: every image is inline SVG or a ``data:`` URI, fonts come from the reader's
machine through a CSS font stack that names common Chinese fonts (Noto/Source Han, PingFang, YaHei, WenQuanYi)
before the generic family, so Chinese names render wherever any CJK font is installed.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

FONT_STACK = (
    '"Noto Sans", "Segoe UI", "Helvetica Neue", Arial, "Noto Sans CJK SC", "Source Han Sans SC", '
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "Droid Sans Fallback", sans-serif'
)

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9dee3; --good:#1a7f37; --bad:#b42318; --accent:#1d4ed8; }
* { box-sizing: border-box; }
body { font-family: %(font)s; color: var(--ink); margin: 0; background: #fbfbfa; line-height: 1.45; }
main { max-width: 1280px; margin: 0 auto; padding: 0 24px 48px; }
header { background: #13293d; color: #fff; padding: 20px 24px; }
header h1 { margin: 0 0 4px; font-size: 1.55rem; font-weight: 600; }
header p { margin: 2px 0; color: #cfd8e3; }
.story { font-size: 1.15rem; color: #fff; margin-top: 10px; }
.story b { color: #ffe08a; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.0rem; margin: 18px 0 6px; color: var(--muted); }
p.note { color: var(--muted); font-size: 0.9rem; margin: 4px 0 10px; }
.tablewrap { overflow-x: auto; max-width: 100%%; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 0.92rem; background: #fff; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.good { color: var(--good); } td.bad { color: var(--bad); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 170px; }
.card .v { font-size: 1.3rem; font-weight: 600; } .card .k { color: var(--muted); font-size: 0.85rem; }
.card .d { font-size: 0.85rem; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px; }
figure { margin: 8px 0 16px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figure svg { display: block; width: 100%%; height: auto; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 4px; }
.toggle { margin: 8px 0; }
.toggle button { font: inherit; padding: 4px 12px; border: 1px solid var(--accent); background: #fff;
  color: var(--accent); cursor: pointer; }
.toggle button.on { background: var(--accent); color: #fff; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 0.85rem; color: var(--muted); margin: 4px 0; }
.legend svg { vertical-align: middle; }
.status-ok { color: var(--good); } .status-warn { color: #b54708; } .status-bad { color: var(--bad); }
header .status-ok { color: #86efac; } header .status-warn { color: #fcd34d; } header .status-bad { color: #fca5a5; }
.zh { color: var(--muted); }
.mapwrap[data-show="optimised"] .plan-baseline { display: none; }
.mapwrap[data-show="baseline"] .plan-optimised { display: none; }
svg text { font-family: %(font)s; }
""" % {"font": FONT_STACK}

# Plan toggles: buttons carry data-plan; their wrapper carries data-target (the id of the map wrapper).
# The last line marks the page as fully scripted (a browser test checks that nothing failed before it).
SCRIPT = """
document.querySelectorAll('.toggle').forEach(function (bar) {
  var wrap = document.getElementById(bar.dataset.target);
  bar.querySelectorAll('button').forEach(function (b) {
    b.addEventListener('click', function () {
      wrap.dataset.show = b.dataset.plan;
      bar.querySelectorAll('button').forEach(function (o) { o.classList.toggle('on', o === b); });
    });
  });
});
document.documentElement.dataset.ready = "1";
"""


def esc(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def png_data_uri(path: str | Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


@dataclass
class Cell:
    """A table cell: ``text`` is escaped; ``cls`` is a CSS class (num, good, bad)."""

    text: str
    cls: str = ""
    raw: bool = False  # text is already HTML


def table(header: list[str], rows: list[list], num_cols: set[int] | None = None) -> str:
    """An HTML table; cells are strings or :class:`Cell`; columns in ``num_cols`` are right-aligned."""
    num_cols = num_cols or set()

    def td(i: int, c, tag: str) -> str:
        cell = c if isinstance(c, Cell) else Cell(str(c))
        classes = " ".join(x for x in (cell.cls, "num" if i in num_cols else "") if x)
        attr = f' class="{classes}"' if classes else ""
        return f"<{tag}{attr}>{cell.text if cell.raw else esc(cell.text)}</{tag}>"

    head = "<tr>" + "".join(td(i, h, "th") for i, h in enumerate(header)) + "</tr>"
    body = "".join("<tr>" + "".join(td(i, c, "td") for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<div class="tablewrap"><table><thead>{head}</thead><tbody>{body}</tbody></table></div>'


def figure(content: str, caption: str = "") -> str:
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f"<figure>{content}{cap}</figure>"


def plan_toggle(target: str, plans: list[tuple[str, str]], default: str) -> str:
    """Buttons that show one plan layer of the maps inside the element ``target``."""
    buttons = "".join(
        f'<button type="button" data-plan="{esc(p)}"{" class=on" if p == default else ""}>{esc(label)}</button>'
        for p, label in plans
    )
    return f'<div class="toggle" data-target="{esc(target)}">{buttons}</div>'


#: marks every report page as this tool's own (a report may replace only such a file)
GENERATOR = "optimizer report"


@dataclass
class Page:
    """Sections are appended as HTML strings; :meth:`render` wraps them in one self-contained document."""

    title: str
    subtitle: list[str] = field(default_factory=list)
    story: str = ""  # HTML
    sections: list[str] = field(default_factory=list)

    def add(self, heading: str, *parts: str, anchor: str = "") -> None:
        aid = f' id="{esc(anchor)}"' if anchor else ""
        self.sections.append(f"<section{aid}><h2>{esc(heading)}</h2>{''.join(parts)}</section>")

    def render(self) -> str:
        sub = "".join(f"<p>{s}</p>" for s in self.subtitle)
        story = f'<p class="story">{self.story}</p>' if self.story else ""
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta name="generator" content="{GENERATOR}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(self.title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{esc(self.title)}</h1>{sub}{story}</header><main>{''.join(self.sections)}</main>"
            f"<script>{SCRIPT}</script></body></html>\n"
        )
