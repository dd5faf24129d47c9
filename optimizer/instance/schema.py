"""Every table, column and parameter of a freight instance, declared once as data.

An instance is a folder (one CSV file per table below plus ``instance.yaml``: name, description,
units, provenance and the model parameters of :data:`PARAMETERS`), or the same as one workbook
(:mod:`optimizer.instance.workbook`: a sheet per table). The loader, the validator,
the README's format reference (``docs/instance-format.md``) and the importers all read these
declarations; nothing else lists columns.

Types: ``id`` (text, no commas, unique where the table has it as key), ``str``, ``float``,
``int``, ``bool``. A blank cell takes the column's default; a blank cell in a required column is
an error. ``inf`` as a default means "no limit", and only such columns accept the value ``inf``.
A column with ``param`` set takes that parameter's value when blank (filled in at load time, so
the tables an :class:`~optimizer.instance.data.Instance` holds are final numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

INF = float("inf")
MODES = ("road", "rail")  # feeder modes


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # id | str | float | int | bool
    unit: str = ""
    required: bool = True
    default: object = None
    description: str = ""
    min: float | None = 0.0  # smallest allowed value for numbers (None: any)
    ref: str | None = None  # table whose key this column refers to
    max: float | None = None  # largest allowed value for numbers (None: any)
    strict_min: bool = False  # the value must be greater than min, not equal to it
    choices: tuple[str, ...] = ()  # allowed values of a str column (empty: any)
    param: str | None = None  # parameter whose value a blank cell takes

    @property
    def allows_inf(self) -> bool:
        """``inf`` (no limit) is a valid value: the default, or the default parameter's, means no limit."""
        if self.default == INF:
            return True
        if self.param is not None:
            return PARAMETERS_BY_NAME[self.param].default in (INF, None)
        return False


@dataclass(frozen=True)
class Table:
    name: str  # also the file stem: <name>.csv
    key: str | None
    columns: tuple[Column, ...]
    required: bool = True
    description: str = ""
    unique: tuple[str, ...] = ()  # columns that identify a row when the table has no key

    @property
    def unique_columns(self) -> tuple[str, ...]:
        return (self.key,) if self.key else self.unique

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


TABLES: tuple[Table, ...] = (
    Table(
        "cities",
        key="city_id",
        description="Cities that originate freight (feeders). A city may also be a candidate hub.",
        columns=(
            Column("city_id", "id", description="identifier used by the other tables"),
            Column("name", "str", description="English name"),
            Column("name_zh", "str", required=False, default="", description="Chinese name (shown beside the English one)"),
            Column("province", "str", required=False, default="", description="province or region"),
            Column("lon", "float", "degrees", min=-180.0, max=180.0, description="longitude (WGS84)"),
            Column("lat", "float", "degrees", min=-90.0, max=90.0, description="latitude (WGS84)"),
        ),
    ),
    Table(
        "hubs",
        key="hub_id",
        description="Candidate assembly hubs (集结中心). A hub at a feeder city names it in city_id: that city feeds it at zero cost.",
        columns=(
            Column("hub_id", "id", description="identifier used by the other tables"),
            Column("name", "str", description="English name"),
            Column("name_zh", "str", required=False, default="", description="Chinese name"),
            Column("city_id", "id", required=False, default="", ref="cities", description="the feeder city where the hub stands, if any"),
            Column("lon", "float", "degrees", min=-180.0, max=180.0, description="longitude (WGS84)"),
            Column("lat", "float", "degrees", min=-90.0, max=90.0, description="latitude (WGS84)"),
            Column("handling_cost", "float", "CNY/TEU", required=False, default=0.0, description="η[h]: handling cost per TEU through the hub"),
            Column("capacity_teu", "float", "TEU/year", required=False, default=INF, description="U[h]: throughput capacity (westbound + eastbound)"),
            Column("fixed_cost", "float", "CNY/year", required=False, default=0.0, description="G[h]: fixed annual cost of running the hub platform"),
        ),
    ),
    Table(
        "gateways",
        key="gateway_id",
        description="Border gateways (口岸) through which trunk services leave China.",
        columns=(
            Column("gateway_id", "id", description="identifier used by services.csv"),
            Column("name", "str", description="English name"),
            Column("name_zh", "str", required=False, default="", description="Chinese name"),
            Column("lon", "float", "degrees", min=-180.0, max=180.0, description="longitude (WGS84)"),
            Column("lat", "float", "degrees", min=-90.0, max=90.0, description="latitude (WGS84)"),
            Column("capacity_trains", "float", "trains/year", required=False, default=INF, description="V[b]: trains per year the gateway can clear"),
        ),
    ),
    Table(
        "destinations",
        key="destination_id",
        description="European and Central-Asian terminals.",
        columns=(
            Column("destination_id", "id", description="identifier used by the other tables"),
            Column("name", "str", description="English name"),
            Column("name_zh", "str", required=False, default="", description="Chinese name"),
            Column("country", "str", required=False, default="", description="ISO country code"),
            Column("lon", "float", "degrees", min=-180.0, max=180.0, description="longitude (WGS84)"),
            Column("lat", "float", "degrees", min=-90.0, max=90.0, description="latitude (WGS84)"),
            Column("max_hubs", "int", required=False, default=None, min=1, param="max_hubs_per_destination", description="K[d]: at most this many hubs run services to d (blank: the parameter max_hubs_per_destination; inf: no limit)"),
        ),
    ),
    Table(
        "demand",
        key=None,
        unique=("origin", "destination"),
        description="Freight per (origin city, destination) and year.",
        columns=(
            Column("origin", "id", ref="cities", description="origin city_id"),
            Column("destination", "id", ref="destinations", description="destination_id"),
            Column("teu", "float", "TEU/year", description="q[c,d]: westbound demand"),
            Column("return_teu", "float", "TEU/year", required=False, default=0.0, description="q'[d,c]: eastbound (return) demand"),
            Column("max_days", "float", "days", required=False, default=None, param="max_days", description="τ[c,d]: maximum door-to-door days (blank: the parameter max_days; inf: no limit)"),
        ),
    ),
    Table(
        "feeder_legs",
        key=None,
        unique=("city_id", "hub_id"),
        required=False,
        description="Feeder legs city → hub. Optional: when absent, every city–hub pair within "
        "max_feeder_km is derived from coordinates (great-circle distance × circuity, cost and speed by mode), or from "
        "network_edges.csv when given. A hub's own city (hubs.city_id) always has a zero-cost leg to it.",
        columns=(
            Column("city_id", "id", ref="cities", description="feeder city"),
            Column("hub_id", "id", ref="hubs", description="hub it can send boxes to"),
            Column("cost_per_teu", "float", "CNY/TEU", description="f[c,h]: cost of moving one TEU from the city to the hub"),
            Column("days", "float", "days", required=False, default=0.0, description="t[c,h]: feeder transit days"),
            Column("distance_km", "float", "km", required=False, default=0.0, description="feeder distance (for CO₂)"),
            Column("mode", "str", required=False, default="road", choices=MODES, description="road | rail"),
        ),
    ),
    Table(
        "network_edges",
        key=None,
        unique=("from_id", "to_id", "mode"),
        required=False,
        description="Optional road/rail network for deriving feeder legs (used only when feeder_legs.csv is absent). "
        "Edges are undirected; a node id that is a city_id or hub_id is that city or hub (a hub with a city_id is joined "
        "to its city), any other id is a junction. Each city–hub leg is then the cheapest path (cost per TEU-km by the "
        "edge's mode, plus feeder_fixed_cost_per_teu), kept when its length is at most max_feeder_km; its mode is the "
        "mode of most of its kilometres. circuity is not applied: distances are network distances.",
        columns=(
            Column("from_id", "id", description="city_id, hub_id or junction name"),
            Column("to_id", "id", description="city_id, hub_id or junction name"),
            Column("distance_km", "float", "km", description="length of the edge"),
            Column("mode", "str", required=False, default="road", choices=MODES, description="road | rail"),
        ),
    ),
    Table(
        "services",
        key="service_id",
        description="Candidate trunk services hub → destination through one gateway (block trains).",
        columns=(
            Column("service_id", "id", description="identifier used by status_quo.csv"),
            Column("hub_id", "id", ref="hubs", description="hub the trains leave from"),
            Column("destination_id", "id", ref="destinations", description="terminal the trains go to"),
            Column("gateway_id", "id", ref="gateways", description="border gateway the trains cross"),
            Column("cost_per_train", "float", "CNY/train", description="k[r]: cost of one train (round trip when return flows are modelled)"),
            Column("train_capacity_teu", "float", "TEU/train", required=False, default=None, strict_min=True, param="train_capacity_teu", description="κ[r] (blank: the parameter train_capacity_teu)"),
            Column("min_trains", "float", "trains/year", required=False, default=0.0, description="m[r]: trains per year if the service runs at all"),
            Column("max_trains", "float", "trains/year", required=False, default=INF, description="M[r]: trains per year at most"),
            Column("fixed_cost", "float", "CNY/year", required=False, default=0.0, description="F[r]: fixed annual cost of running the service"),
            Column("days", "float", "days", required=False, default=0.0, description="T[r]: hub-to-terminal transit days"),
            Column("distance_km", "float", "km", required=False, default=0.0, description="rail distance (for train-km and CO₂)"),
        ),
    ),
    Table(
        "status_quo",
        key="service_id",
        required=False,
        description="Today's services (the baseline): which services run and how many trains a year.",
        columns=(
            Column("service_id", "id", ref="services", description="a service that runs today"),
            Column("trains", "float", "trains/year", required=False, default=None, description="trains per year today (blank: chosen by the model within the service's limits)"),
        ),
    ),
    Table(
        "status_quo_assignments",
        key=None,
        unique=("city_id", "destination_id"),
        required=False,
        description="Today's feeder assignments (optional): city c sends its boxes for destination d to hub h.",
        columns=(
            Column("city_id", "id", ref="cities", description="feeder city"),
            Column("destination_id", "id", ref="destinations", description="destination of its boxes"),
            Column("hub_id", "id", ref="hubs", description="hub it sends them to today"),
        ),
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # float | int | bool | id_list | id_map | mode_map
    default: object
    unit: str = ""
    description: str = ""
    min: float | None = 0.0
    settable: bool = True  # may be changed with `--set KEY=VALUE`
    strict_min: bool = False  # numbers (or a mode_map's values) must be greater than min
    max: float | None = None
    choices: tuple[str, ...] = ()  # allowed values of a str parameter (empty: any)


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("unserved_penalty", "float", 1.0e5, "CNY/TEU", "π: penalty per TEU left unserved (reported, never hidden)"),
    Parameter("max_hubs_per_destination", "int", None, "", "K: default duplication limit per destination (blank: no limit); `--set` applies it to every destination", min=1),
    Parameter("max_open_hubs", "int", None, "", "p: at most this many hubs open in total (blank: no limit)", min=1),
    Parameter("single_sourcing", "bool", False, "", "each city sends each destination's boxes to one hub"),
    Parameter("max_days", "float", INF, "days", "τ: default maximum door-to-door days; `--set` applies it to every demand pair"),
    Parameter("train_capacity_teu", "float", 82.0, "TEU/train", "κ: default train capacity (41 FEU = 82 TEU); `--set` overrides every service", strict_min=True),
    Parameter("demand_scale", "float", 1.0, "", "multiplies every demand (westbound and return); applied to the demand table when the instance is loaded or overridden, and then recorded here as the factor applied"),
    Parameter("closed_hubs", "id_list", (), "", "hubs that may not be used (comma-separated ids)"),
    Parameter("open_hubs", "id_list", (), "", "business rule: hubs forced open (w = 1, paying their fixed cost); may not also be closed"),
    Parameter("min_open_hubs", "int", None, "", "business rule: at least this many hubs open (blank: no minimum)", min=1),
    Parameter("fixed_assignments", "id_map", {}, "", "business rule: a city's boxes (both directions, every destination) go through the given hub, e.g. `XIAN_C:XIAN,LANZ_C:LANZ` (a commitment; boxes it cannot route there are unserved)"),
    Parameter("co2_price", "float", 0.0, "CNY/t CO₂", "business rule: price of CO₂ in the objective (emissions as in the co2_t KPI)"),
    Parameter("max_avg_days", "float", INF, "days", "business rule: the carried boxes' mean door-to-door days (TEU-weighted, both directions) at most this (inf: no limit)"),
    Parameter("co2_cap", "float", INF, "t CO₂/year", "business rule: at most this many tonnes of CO₂ a year (emissions as in the co2_t KPI; inf: no cap)"),
    Parameter("return_flows", "bool", True, "", "carry eastbound demand on the same trains (round trips)"),
    Parameter("feeder_cost_per_teu_km", "mode_map", {"road": 4.0, "rail": 1.6}, "CNY/TEU-km", "feeder cost by mode, for derived legs (`road:4,rail:1.6` on the command line)"),
    Parameter("feeder_speed_km_per_day", "mode_map", {"road": 500.0, "rail": 400.0}, "km/day", "feeder speed by mode, for derived legs", strict_min=True),
    Parameter("feeder_fixed_cost_per_teu", "float", 0.0, "CNY/TEU", "fixed part of a derived feeder leg's cost (loading, first/last mile)"),
    Parameter("feeder_mode", "str", "road", "", "mode of derived feeder legs: road | rail | auto (rail above rail_min_km)", choices=("road", "rail", "auto")),
    Parameter("rail_min_km", "float", 600.0, "km", "with feeder_mode auto, legs longer than this go by rail"),
    Parameter("max_feeder_km", "float", INF, "km", "derived feeder legs only up to this distance"),
    Parameter("circuity", "float", 1.25, "", "road/rail distance over great-circle distance, for derived legs (not used with network_edges.csv)", min=1.0),
    Parameter("co2_train_kg_per_km", "float", 20.0, "kg CO₂/train-km", "trunk trains: emissions per train-km (so fuller trains emit less per box)"),
    Parameter("co2_rail_kg_per_teu_km", "float", 0.25, "kg CO₂/TEU-km", "rail feeder legs: emissions per TEU-km"),
    Parameter("co2_road_kg_per_teu_km", "float", 0.9, "kg CO₂/TEU-km", "road feeder legs: emissions per TEU-km"),
)

PARAMETERS_BY_NAME = {p.name: p for p in PARAMETERS}


# --------------------------------------------------------------------------------------------
# The format reference (docs/instance-format.md is this text; regenerate it with
# `python -m optimizer.instance.schema > docs/instance-format.md`, a test checks it is current).

_INTRO = """\
# Instance format

<!-- Generated from optimizer/instance/schema.py by `python -m optimizer.instance.schema`; do not edit by hand. -->

A freight instance is a folder: `instance.yaml` plus one CSV file per table below, or the same as
one Excel workbook ([below](#one-workbook-xlsx)). Every table can be edited in a spreadsheet;
`optimizer validate FOLDER` (or `WORKBOOK.xlsx`) checks it without solving.

```
instances/landbridge/
  instance.yaml      name, description, units, provenance, notes, parameters
  cities.csv  hubs.csv  gateways.csv  destinations.csv  demand.csv  services.csv
  feeder_legs.csv  network_edges.csv  status_quo.csv  status_quo_assignments.csv   (optional)
```

## Conventions

* CSV files are UTF-8 (with or without a byte-order mark, as Excel writes "CSV UTF-8"), comma
  separated, with a header row naming the columns in any order. Spaces around cells and names
  are ignored, and so are empty rows.
* A blank cell takes the column's default; a blank cell in a required column is an error.
  `inf` means "no limit" and is accepted only in columns whose default means no limit.
  Columns whose default is a parameter take that parameter's value.
* Columns not listed here are allowed (notes, populations, …); `validate` names them in a warning.
* Problems are reported all at once, each with file, row (as a spreadsheet counts it: the
  header is row 1) and column, or with the YAML key; the exit code is then 2.
* Besides types and ranges, `validate` checks that ids are unique, that every reference names
  an existing row, that `min_trains` ≤ `max_trains`, that the status quo fits its services,
  that every destination with demand has a service, and that every demand pair has a route (a
  feeder leg from its origin to a hub with a service to its destination) within its `max_days`.
"""

_YAML = """\
## instance.yaml

```yaml
name: landbridge                      # default: the folder's name
description: ...                      # free text
units: {money: CNY, volume: TEU}      # free mapping, for the reader
provenance: ...                       # sources of the figures (text, list or mapping)
notes: ...
parameters:                           # any of the parameters below; others keep their default
  unserved_penalty: 100000
  max_hubs_per_destination: 3
```

Any other top-level key is an error (a parameter written at the top level is pointed to
`parameters:`).
"""

_WORKBOOK = """\
## One workbook (.xlsx)

`optimizer freight solve network.xlsx`, `optimizer validate network.xlsx` and a batch file's
`base: network.xlsx` read an instance from one workbook, with exactly the tables, columns and
checks of the folder; `optimizer export xlsx FOLDER --out network.xlsx` writes one (solving it
gives the same optimum).

```
network.xlsx
  instance       key | value | unit | description        (the settings of instance.yaml, one per row)
  cities  hubs  gateways  destinations  demand  services   (one sheet per table, named as the table)
  feeder_legs  network_edges  status_quo  status_quo_assignments   (optional)
```

| instance sheet: key | value |
|---|---|
| `name` | the instance's name (default: the workbook's file name) |
| `description`, `notes` | text |
| `units`, `provenance` | text, or a mapping written as YAML text in the cell (as the export writes them) |
| any parameter below | written as on the command line: `4000000`, `TRUE`/`FALSE`, `xian,lanzhou`, `road:4,rail:1.6`, `none` or `inf` for no limit |

* The `instance` sheet has the columns `key` and `value` in row 1 (`unit` and `description`,
  which the export fills in, are for the reader). A key given twice, an unknown key and a bad
  value are errors naming the row.
* A table sheet is its CSV file: the column names in row 1, in any order, one item per row.
  Cells may be numbers or text; numbers are read at full precision, `inf` is typed as text.
  Rows blank in every named column are skipped (trailing empty rows too), a column without a
  name in row 1 is notes and is not read, other sheets are ignored. Sheet names are exact:
  a sheet `Hubs` is pointed out, not read.
* Formulas are read as the values Excel saved with them. A program that writes formulas
  without calculating them saves none: such cells are named (open the workbook in Excel or
  LibreOffice and save it). Merged cells over a table's columns are an error: a merged cell's
  value stands only in its first cell.
* Every problem names the workbook, the sheet, the row, the column and the cell:
  `network.xlsx, sheet 'demand', row 3, column 'teu' (cell C3): not a number: 'lots'`.
* Workbooks are read defensively: at most {max_mb} MB, unpacking to at most {unpacked_mb} MB
  (read from the zip directory before anything is unpacked: zip bombs are refused at once),
  values only down to row {max_rows:,} of a sheet (a value at row 1,048,576 is named, not read
  up to); an old `.xls`, an `.ods` or a password-protected workbook is refused with a hint.
  Larger instances belong in a CSV folder.
* The reader is openpyxl in read-only mode (streaming, pure Python), after the sheet's XML has
  been scanned with the standard library's expat parser for the limits, merged cells and
  formulas. python-calamine reads faster but allocates a sheet as one dense block from its
  first to its last cell: a 5 KB workbook with values in A1 and XFD1048576 makes it ask for
  512 GB and abort the whole process, which no check in Python can catch.
"""

_PARAMS_NOTE = """\
Parameters can be changed for one run with `--set KEY=VALUE` (repeatable) or in a batch file.
Lists are written `closed_hubs=H1,H2`, mode maps `feeder_cost_per_teu_km=road:4,rail:1.6`,
id maps `fixed_assignments=CITY:HUB,CITY:HUB` (in YAML a mapping),
booleans `true`/`false`, and `none` (or `inf`) clears an optional limit.
"""


def _number_range(lo, hi, strict: bool) -> str:
    if lo is not None and hi is not None:
        return f" {lo:g} … {hi:g}"
    if lo is not None:
        return f" {'>' if strict else '≥'} {lo:g}"
    return ""


def _type_text(kind: str, lo=None, hi=None, strict=False, choices=()) -> str:
    if choices:
        return " | ".join(choices)
    if kind in ("float", "int"):
        return kind + _number_range(lo, hi, strict)
    if kind == "id_map":
        return "id_map (city → hub)"
    if kind == "mode_map":
        return f"mode_map (road, rail → float{_number_range(lo, hi, strict)})"
    return kind


def _value_text(value) -> str:
    if value is None:
        return "blank"
    if value == INF:
        return "inf (no limit)"
    if isinstance(value, tuple):
        return ", ".join(value) if value else "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v:g}" if isinstance(v, float) else f"{k}: {v}" for k, v in value.items()) if value else "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    if value == "":
        return "(empty)"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The instance format reference (tables, columns, parameters) as Markdown."""
    from ..documents import MAX_BYTES
    from ..xlsx.read import MAX_ROWS, MAX_UNPACKED

    out = [_INTRO, _YAML]
    for t in TABLES:
        out.append(f"## {t.file} ({'required' if t.required else 'optional'})\n")
        out.append(_cell(t.description) + "\n")
        if t.key:
            out.append(f"One row per `{t.key}` (unique).\n")
        elif t.unique:
            out.append(f"At most one row per {' + '.join(f'`{c}`' for c in t.unique)}.\n")
        out.append("| column | type | unit | required / default | description |")
        out.append("|---|---|---|---|---|")
        for c in t.columns:
            if c.required:
                need = "required"
            elif c.param:
                need = f"parameter `{c.param}`"
            else:
                need = _value_text(c.default)
            kind = _type_text(c.type, c.min, c.max, c.strict_min, c.choices)
            if c.ref:
                kind += f" → {TABLES_BY_NAME[c.ref].file}"
            out.append(f"| `{c.name}` | {_cell(kind)} | {_cell(c.unit)} | {_cell(need)} | {_cell(c.description)} |")
        out.append("")
    out.append(_WORKBOOK.format(max_mb=MAX_BYTES["xlsx"] // 2**20, unpacked_mb=MAX_UNPACKED // 2**20, max_rows=MAX_ROWS))
    out.append("## Parameters\n")
    out.append(_PARAMS_NOTE)
    out.append("| parameter | type | unit | default | `--set` | description |")
    out.append("|---|---|---|---|---|---|")
    for p in PARAMETERS:
        kind = _type_text(p.type, p.min if p.type in ("float", "int", "mode_map") else None, p.max, p.strict_min, p.choices)
        default = "none (no limit)" if p.default is None else _value_text(p.default)
        out.append(f"| `{p.name}` | {_cell(kind)} | {_cell(p.unit)} | {_cell(default)} | {'yes' if p.settable else 'no'} | {_cell(p.description)} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
