"""Read a native instance (a folder of ``instance.yaml`` + CSV tables, or one workbook) into one validated :class:`Instance`.

Every problem is collected, then raised once as an :class:`~optimizer.errors.InputError` naming
file, row (as a spreadsheet counts it: header = row 1) and column, or the YAML key; in a workbook,
the workbook, sheet, row, column and cell. Both kinds of source (:class:`FolderSource` here,
:class:`~optimizer.instance.workbook.WorkbookSource`) only turn their tables into rows of text and
their settings into values; every check below is made here, the same for both:

* the folder, ``instance.yaml`` and every required table and column exist; files are UTF-8
  (a byte-order mark and whitespace around cells are tolerated);
* cells parse as their column's type and lie in range (numbers, ``inf`` only where it means no
  limit, whole numbers, booleans, allowed words); required cells are not blank;
* ids are unique (or the row's identifying columns, for tables without a key) and every reference
  names an existing row; ``instance.yaml`` has only known keys and parameters, each valid;
* services: ``min_trains`` ≤ ``max_trains``; the status quo fits its services;
* every destination with demand has a service, and every demand pair has a route (a feeder leg
  from the origin to a hub with a service to the destination) within its ``max_days``.

Unknown extra columns are allowed and ignored, with a warning in ``instance.meta["warnings"]``.
Feeder legs are derived (:mod:`optimizer.instance.network`) when ``feeder_legs.csv`` is absent.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
from ..documents import file_problem, read_yaml
from ..errors import InputError, Problem
from .data import Instance, default_params, make_table
from .network import add_own_city_legs, derive_feeder_legs
from .rules import rule_problems
from .schema import INF, PARAMETERS_BY_NAME, TABLES, TABLES_BY_NAME, Column, Table
from .values import FALSE_WORDS, TRUE_WORDS, coerce_parameter, range_message

#: files read as instance workbooks (.xls, .xlsb and .ods are named so the message can say to save as .xlsx)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

YAML_FILE = "instance.yaml"
META_KEYS = ("name", "description", "units", "provenance", "notes", "parameters")
MAX_LISTED = 20  # problems of one kind in one column listed one by one; the rest are counted
#: the settings (name, description, parameters) as a table name in problems: instance.yaml or the instance sheet
SETTINGS = "instance"
#: the order problems are listed in: settings first, then the tables in the order of the format
_RANK = {name: i for i, name in enumerate([SETTINGS] + [t.name for t in TABLES])}


@dataclass
class Raw:
    """One table as a source gives it: header names, non-blank rows of stripped text, their spreadsheet row numbers."""

    header: list[str]
    rows: list[list[str]]
    numbers: list[int]


class Source(Protocol):
    """Where an instance is read from: its tables as :class:`Raw` text and its settings, and how problems name places."""

    path: Path
    description: str  # the instance as the head of an error message names it

    def open(self, r: "_Reading") -> bool: ...  # False: nothing can be read (reported)
    def settings(self, r: "_Reading") -> tuple[dict, dict]: ...  # (meta, params)
    def table(self, table: Table, r: "_Reading") -> Raw | None: ...  # None: absent or unreadable (reported if so)
    def label(self, name: str) -> str: ...  # a table (or SETTINGS) as messages name it: "hubs.csv"
    def problem(self, name: str, message: str, row: int | None, column: str | None, line: int | None) -> Problem: ...
    def setting_problem(self, key: str, message: str) -> Problem: ...  # about parameter ``key``
    def close(self) -> None: ...


@dataclass
class _Reading:
    """State of one load: the problems found so far (with their table, for ordering) and the warnings."""

    source: Source
    found: list[tuple[str, Problem, int]] = field(default_factory=list)  # (table, problem, row to sort by)
    warnings: list[str] = field(default_factory=list)
    bad_rows: dict[str, set[int]] = field(default_factory=dict)  # table name → rows with a problem

    def add(self, name: str, message: str, row: int | None = None, column: str | None = None, line: int | None = None) -> None:
        """A problem of table ``name`` (or of the settings, :data:`SETTINGS`)."""
        self.found.append((name, self.source.problem(name, message, row, column, line), row or 0))
        self.bad_rows.setdefault(name, set()).add(row)  # None: the whole table

    def add_setting(self, key: str, message: str) -> None:
        problem = self.source.setting_problem(key, message)
        self.found.append((SETTINGS, problem, problem.row or 0))

    def add_problems(self, problems: list[Problem]) -> None:
        """Problems a source found on its own (a workbook that cannot be opened)."""
        self.found.extend((SETTINGS, p, 0) for p in problems)

    def label(self, name: str) -> str:
        return self.source.label(name)

    def report(self, name: str, column: str | None, rows, messages) -> None:
        """Add one problem per row (``messages``: one string, or one per row); list at most MAX_LISTED."""
        rows = [int(r) for r in rows]
        if isinstance(messages, str):
            messages = [messages] * len(rows)
        self.bad_rows.setdefault(name, set()).update(rows)
        for row, msg in list(zip(rows, messages))[:MAX_LISTED]:
            self.found.append((name, self.source.problem(name, msg, row, column, None), row))
        if len(rows) > MAX_LISTED:
            rest = rows[MAX_LISTED:]
            shown = ", ".join(map(str, rest[:10])) + (", ..." if len(rest) > 10 else "")
            self.found.append((name, self.source.problem(name, f"... and {len(rest)} more rows with such problems (rows {shown})", None, column, None), rest[0]))

    def raise_if_any(self) -> None:
        """Raise one InputError listing every problem: by table, then by row (the count of unlisted rows where they start)."""
        if self.found:
            ordered = sorted(self.found, key=lambda item: (_RANK.get(item[0], -1), item[2]))
            raise InputError([p for _, p, _ in ordered], source=self.source.description)


def open_source(path: str | Path) -> Source:
    """The source of ``path``: a workbook (``.xlsx``, also for ``.xls``/``.ods``, refused with a hint) or a folder."""
    p = Path(path)
    if p.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook import WorkbookSource

        return WorkbookSource(p)
    if p.name == YAML_FILE and p.is_file():
        p = p.parent
    return FolderSource(p)


def load_instance(path: str | Path) -> Instance:
    """Read and check the instance folder ``path`` (or its ``instance.yaml``) or workbook; raise one InputError listing every problem."""
    source = open_source(path)
    r = _Reading(source)
    try:
        if not source.open(r):
            r.raise_if_any()
        meta, params = source.settings(r)
        frames = {t.name: _read_table(source, t, params, r) for t in TABLES}
    finally:
        source.close()
    if frames["hubs"] is not None and frames["cities"] is not None:
        for name, message in rule_problems(params, frames["hubs"]["hub_id"].tolist(), frames["cities"]["city_id"].tolist(), hubs_in=r.label("hubs"), cities_in=r.label("cities")):
            r.add_setting(name, message)
    _check_unique(frames, r)
    _check_references(frames, r)
    _check_services(frames, r)
    legs_source = _feeder_legs(frames, params, r)
    _check_status_quo(frames, r)
    _check_routes(frames, r)
    r.raise_if_any()

    tables = {name: make_table(name, df) for name, df in frames.items() if df is not None}
    for name in ("feeder_legs", "network_edges", "status_quo", "status_quo_assignments"):
        tables.setdefault(name, make_table(name))
    scale = params["demand_scale"]
    if scale != 1.0:
        tables["demand"][["teu", "return_teu"]] *= scale
    meta["warnings"] = r.warnings
    meta["feeder_legs"] = legs_source
    meta.setdefault("overrides", {})
    return Instance(name=meta["name"], params=params, meta=meta, source=source.path, **tables)


validate = load_instance


# --------------------------------------------------------------------------------------------
# settings: what instance.yaml and the instance sheet both hold


def set_meta(meta: dict, key: str, value) -> None:
    """Record one descriptive key (``name`` is text; the others are kept as given)."""
    meta[key] = str(value) if key == "name" else value


def set_parameter(params: dict, key: str, value) -> str | None:
    """Record parameter ``key`` checked and typed; return why it cannot be, or None."""
    p = PARAMETERS_BY_NAME.get(key)
    if p is None:
        return f"unknown parameter (valid: {', '.join(PARAMETERS_BY_NAME)})"
    try:
        params[p.name] = coerce_parameter(p, value)
    except ValueError as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------------------------
# a folder: instance.yaml and CSV tables


class FolderSource:
    """An instance folder: ``instance.yaml`` and one CSV file per table."""

    def __init__(self, folder: Path) -> None:
        self.path = folder
        self.description = f"instance {folder}"

    def open(self, r: _Reading) -> bool:
        if self.path.is_dir():
            return True
        r.add_problems([Problem(str(self.path), "instance folder not found")])
        return False

    def label(self, name: str) -> str:
        return YAML_FILE if name == SETTINGS else TABLES_BY_NAME[name].file

    def problem(self, name: str, message: str, row: int | None, column: str | None, line: int | None) -> Problem:
        return Problem(self.label(name), message, row=row, column=column, line=line)

    def setting_problem(self, key: str, message: str) -> Problem:
        return Problem(YAML_FILE, message, column=f"parameters.{key}")

    def close(self) -> None:
        pass

    def settings(self, r: _Reading) -> tuple[dict, dict]:
        meta: dict = {"name": self.path.resolve().name}
        params = default_params()
        path = self.path / YAML_FILE
        if not path.exists():
            r.add(SETTINGS, "missing file (the instance's name, description and parameters)")
            return meta, params
        try:
            doc = read_yaml(path)
        except InputError as exc:
            for p in exc.problems:
                r.add(SETTINGS, p.message, line=p.line)
            return meta, params
        data = doc.data
        if data is None:
            data = {}
        if not isinstance(data, dict):
            r.add(SETTINGS, f"expected a mapping with the keys {', '.join(META_KEYS)}")
            return meta, params
        for key, value in data.items():
            key = str(key)
            if key not in META_KEYS:
                hint = "; parameters go under 'parameters:'" if key in PARAMETERS_BY_NAME else ""
                r.add(SETTINGS, f"unknown key (valid: {', '.join(META_KEYS)}){hint}", column=key)
            elif key != "parameters":
                set_meta(meta, key, value)
        given = data.get("parameters") or {}
        if not isinstance(given, dict):
            r.add(SETTINGS, "expected a mapping of parameter names to values", column="parameters")
            given = {}
        for key, value in given.items():
            problem = set_parameter(params, str(key), value)
            if problem:
                r.add(SETTINGS, problem, column=f"parameters.{key}")
        return meta, params

    def table(self, table: Table, r: _Reading) -> Raw | None:
        path = self.path / table.file
        if not path.exists():
            if table.required:
                r.add(table.name, "missing file")
            return None
        return _read_csv(path, table.name, r)


def _read_csv(path: Path, name: str, r: _Reading) -> Raw | None:
    """Header, non-blank records (cells stripped) and their spreadsheet row numbers."""
    problem = file_problem(path, "csv")
    if problem:
        r.add(name, problem)
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            records = [[cell.strip() for cell in rec] for rec in csv.reader(f)]
    except OSError as exc:
        r.add(name, f"cannot be read: {exc.strerror or exc}")
        return None
    except UnicodeDecodeError as exc:
        r.add(name, f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8")
        return None
    except csv.Error as exc:
        r.add(name, f"not a readable CSV file: {exc}")
        return None
    if not records or not any(records[0]):
        r.add(name, "empty file: the first row must name the columns")
        return None
    header, rows, numbers = records[0], [], []
    width = len(header)
    for i, rec in enumerate(records[1:], start=2):
        if not any(rec):
            continue
        if len(rec) > width and any(rec[width:]):
            r.add(name, f"{len(rec)} cells but the header names {width} columns", row=i)
        rows.append((rec + [""] * width)[:width])
        numbers.append(i)
    return Raw(header, rows, numbers)


# --------------------------------------------------------------------------------------------
# typed tables, from either source


def _read_table(source: Source, table: Table, params: dict, r: _Reading) -> pd.DataFrame | None:
    """The table's typed columns plus ``_row`` (spreadsheet row), or None when it is absent or unreadable."""
    raw = source.table(table, r)
    if raw is None:
        return None
    header, rows, numbers = raw.header, raw.rows, raw.numbers
    seen = set()
    for name in header:
        if name in seen and name:
            r.add(table.name, "column appears twice in the header", column=name)
        seen.add(name)
    known = {c.name for c in table.columns}
    unknown = [name for name in header if name and name not in known]
    for name in unknown:
        r.warnings.append(f"{r.label(table.name)}: unknown column '{name}' ignored")
    missing = "missing column" + (f" (the header has unknown columns: {', '.join(unknown)})" if unknown else "")
    first = {name: header.index(name) for name in header}
    raw_frame = pd.DataFrame(rows, columns=range(len(header)), dtype=object) if rows else pd.DataFrame(index=range(0))
    out = {"_row": np.asarray(numbers, dtype=int)}
    for c in table.columns:
        if c.name in first:
            cells = raw_frame[first[c.name]].astype(str) if len(rows) else pd.Series([], dtype=str)
        else:
            if c.required:
                r.add(table.name, missing, column=c.name)
            cells = pd.Series([""] * len(rows), dtype=str)
        cells = cells.reset_index(drop=True)
        out[c.name] = _typed(cells, out["_row"], table, c, params, r, report_blank=c.name in first)
    return pd.DataFrame(out)


def _typed(cells: pd.Series, rows: np.ndarray, table: Table, c: Column, params: dict, r: _Reading, report_blank: bool) -> pd.Series:
    """Convert one column of stripped strings; bad cells are reported and become blank (or NaN)."""
    name = table.name
    blank = (cells == "").to_numpy()
    if c.required and report_blank and blank.any():
        r.report(name, c.name, rows[blank], "missing value (required)")
    if c.type in ("id", "str"):
        if c.type == "id":
            bad = cells.str.contains(",", regex=False).to_numpy()
            r.report(name, c.name, rows[bad], [f"ids may not contain commas: '{v}'" for v in cells[bad]])
        if c.choices:
            bad = ~blank & ~cells.isin(c.choices).to_numpy()
            r.report(name, c.name, rows[bad], [f"must be one of {' | '.join(c.choices)}, not '{v}'" for v in cells[bad]])
        return cells.where(~blank, c.default if c.default is not None else "")
    if c.type == "bool":
        words = cells.str.lower()
        bad = ~blank & ~words.isin(TRUE_WORDS | FALSE_WORDS).to_numpy()
        r.report(name, c.name, rows[bad], [f"not a boolean: '{v}' (use true or false)" for v in cells[bad]])
        return words.isin(TRUE_WORDS).where(~blank, bool(c.default))
    num = pd.to_numeric(cells.where(~blank, None), errors="coerce").astype(float).to_numpy()
    notnum = ~blank & np.isnan(num)
    r.report(name, c.name, rows[notnum], [f"not a number: '{v}'" for v in cells[notnum]])
    ok = ~np.isnan(num)
    if c.type == "int":
        frac = ok & np.isfinite(num) & (num != np.round(num))
        r.report(name, c.name, rows[frac], [f"not a whole number: '{v}'" for v in cells[frac]])
        ok &= ~frac
    messages = np.array([range_message(x, c.min, c.max, c.strict_min, c.allows_inf) if k else None for x, k in zip(num, ok)], dtype=object)
    bad = np.not_equal(messages, None)
    r.report(name, c.name, rows[bad], list(messages[bad]))
    if c.param is not None:
        default = params[c.param]
        default = INF if default is None else default
    else:
        default = np.nan if c.default is None else c.default
    return pd.Series(np.where(blank, default, num), dtype=float)


# --------------------------------------------------------------------------------------------
# checks across rows and tables


def _check_unique(frames: dict, r: _Reading) -> None:
    for t in TABLES:
        df = frames[t.name]
        cols = list(t.unique_columns)
        if df is None or not cols or not len(df):
            continue
        filled = (df[cols] != "").all(axis=1)
        dup = df[filled & df.duplicated(cols, keep=False)]
        if not len(dup):
            continue
        first_row = dup.groupby(cols, sort=False)["_row"].transform("min")
        later = dup[dup["_row"] != first_row]
        what = " / ".join(cols)
        r.report(
            t.name,
            cols[0],
            later["_row"],
            [f"duplicate {what} '{' / '.join(str(v) for v in key)}' (first at row {f})" for key, f in zip(later[cols].itertuples(index=False), first_row[later.index])],
        )


def _check_references(frames: dict, r: _Reading) -> None:
    for t in TABLES:
        df = frames[t.name]
        if df is None:
            continue
        for c in t.columns:
            target = TABLES_BY_NAME[c.ref] if c.ref else None
            if target is None or frames[target.name] is None:
                continue
            valid = set(frames[target.name][target.key])
            bad = (df[c.name] != "") & ~df[c.name].isin(valid)
            r.report(t.name, c.name, df.loc[bad, "_row"], [f"unknown {target.key} '{v}' (not in {r.label(target.name)})" for v in df.loc[bad, c.name]])


def _report_greater(r: _Reading, name: str, df: pd.DataFrame, column: str, limit: str, message: str) -> None:
    """Report the rows where ``df[column] > df[limit]``; ``message`` formats ``{value}`` and ``{limit}``."""
    bad = df[df[column] > df[limit]]
    r.report(name, column, bad["_row"], [message.format(value=v, limit=m) for v, m in zip(bad[column], bad[limit])])


def _check_services(frames: dict, r: _Reading) -> None:
    if frames["services"] is not None:
        _report_greater(r, "services", frames["services"], "min_trains", "max_trains", "min_trains {value:g} is greater than max_trains {limit:g}")


def _check_status_quo(frames: dict, r: _Reading) -> None:
    sq, s = frames["status_quo"], frames["services"]
    if sq is not None and s is not None:
        m = sq.merge(s[["service_id", "max_trains"]], on="service_id")
        _report_greater(r, "status_quo", m, "trains", "max_trains", "{value:g} trains exceed the service's max_trains {limit:g}")
    a, legs = frames["status_quo_assignments"], frames["feeder_legs"]
    if a is None or s is None or None in r.bad_rows.get("services", ()):
        return  # without services (or with a column missing) every assignment would look wrong
    served = set(zip(s["hub_id"], s["destination_id"]))
    no_service = np.array([(h, d) not in served for h, d in zip(a["hub_id"], a["destination_id"])], dtype=bool)
    r.report(
        "status_quo_assignments",
        "hub_id",
        a.loc[no_service, "_row"],
        [f"hub '{h}' has no service to '{d}' in {r.label('services')}" for h, d in zip(a.loc[no_service, "hub_id"], a.loc[no_service, "destination_id"])],
    )
    if legs is not None:
        have = set(zip(legs["city_id"], legs["hub_id"]))
        no_leg = np.array([(c, h) not in have for c, h in zip(a["city_id"], a["hub_id"])], dtype=bool) & ~no_service
        r.report(
            "status_quo_assignments",
            "hub_id",
            a.loc[no_leg, "_row"],
            [f"no feeder leg from '{c}' to hub '{h}'" for c, h in zip(a.loc[no_leg, "city_id"], a.loc[no_leg, "hub_id"])],
        )


def _feeder_legs(frames: dict, params: dict, r: _Reading) -> str:
    """Fill ``frames["feeder_legs"]`` (derived when the file is absent); return where the legs come from."""
    cities, hubs, edges = frames["cities"], frames["hubs"], frames["network_edges"]
    if cities is None or hubs is None:
        return "unavailable"
    cities_i = cities.drop_duplicates("city_id").set_index("city_id")
    hubs_i = hubs.drop_duplicates("hub_id").set_index("hub_id")
    if frames["feeder_legs"] is not None:
        if edges is not None:
            r.warnings.append(f"{r.label('network_edges')} is ignored: {r.label('feeder_legs')} gives the legs")
        legs = frames["feeder_legs"]
        frames["feeder_legs"] = add_own_city_legs(legs, cities_i, hubs_i, replace=False).merge(legs[["city_id", "hub_id", "_row"]], how="left")
        frames["feeder_legs"]["_row"] = frames["feeder_legs"]["_row"].fillna(0).astype(int)
        return r.label("feeder_legs")
    usable_edges = edges[np.isfinite(edges["distance_km"])] if edges is not None else None
    legs = derive_feeder_legs(cities_i, hubs_i, params, usable_edges)
    frames["feeder_legs"] = legs.assign(_row=0)
    return f"derived from {r.label('network_edges')}" if edges is not None else "derived from coordinates"


def _check_routes(frames: dict, r: _Reading) -> None:
    """Every destination with demand has a service; every demand pair has a route within its max_days."""
    names = ("cities", "hubs", "destinations", "demand", "services", "feeder_legs", "network_edges")
    if any(frames[n] is None for n in names if TABLES_BY_NAME[n].required) or frames["feeder_legs"] is None:
        return
    if any(None in r.bad_rows.get(n, ()) for n in names):
        return  # a missing column or unreadable file: every route would look broken
    if r.bad_rows.get("network_edges") and (frames["feeder_legs"]["_row"] == 0).any():
        return  # legs derived from a network with bad edges

    def sound(name: str) -> pd.DataFrame:
        df = frames[name]
        return df[~df["_row"].isin(r.bad_rows.get(name, set()))]

    # Rows with a problem of their own are left out, and so is what they would hide: a demand
    # pair whose origin, a feeder leg from it, a hub or a service that might carry it has a
    # problem is not checked for routes.
    dem, dests, cities, svc, legs = sound("demand"), frames["destinations"], sound("cities"), sound("services"), frames["feeder_legs"]
    bad_hubs = set(frames["hubs"]["hub_id"]) - set(sound("hubs")["hub_id"])
    bad_leg_cities = set(legs.loc[legs["_row"].isin(r.bad_rows.get("feeder_legs", set())), "city_id"])
    bad_svc = frames["services"][~frames["services"]["_row"].isin(svc["_row"])]
    unsure_dest = set(bad_svc["destination_id"]) | set(svc.loc[svc["hub_id"].isin(bad_hubs), "destination_id"])
    valid = (
        dem["origin"].isin(set(cities["city_id"]))
        & ~dem["origin"].isin(bad_leg_cities)
        & dem["destination"].isin(set(dests["destination_id"]))
        & ~dem["destination"].isin(unsure_dest)
    )
    dem = dem[valid & ((dem["teu"] > 0) | (dem["return_teu"] > 0))]
    served = set(svc["destination_id"])
    unreachable = dem[~dem["destination"].isin(served)]
    dest_rows = dict(zip(dests["destination_id"], dests["_row"]))
    for d, g in unreachable.groupby("destination", sort=False):
        r.add(
            "demand",
            f"unreachable destination '{d}' ({r.label('destinations')} row {dest_rows.get(d)}): no service in {r.label('services')} goes there; "
            f"{len(g)} demand row(s), {g['teu'].sum():g} TEU (rows {', '.join(map(str, g['_row'].head(10)))}{', ...' if len(g) > 10 else ''})",
            row=int(g["_row"].iloc[0]),
            column="destination",
        )
    dem = dem[dem["destination"].isin(served)]
    routes = (
        dem[["_row", "origin", "destination"]]
        .merge(legs[["city_id", "hub_id", "days"]], left_on="origin", right_on="city_id")
        .merge(svc[["hub_id", "destination_id", "days"]], left_on=["hub_id", "destination"], right_on=["hub_id", "destination_id"], suffixes=("_leg", "_service"))
    )
    fastest = (routes["days_leg"] + routes["days_service"]).groupby(routes["_row"]).min()
    hubs_to = svc.groupby("destination_id")["hub_id"].agg(lambda s: ", ".join(sorted(set(s))))
    no_route = dem[~dem["_row"].isin(fastest.index)]
    r.report(
        "demand",
        "origin",
        no_route["_row"],
        [f"no route can carry '{o}' → '{d}': no feeder leg from '{o}' to a hub with a service to '{d}' (hubs serving it: {hubs_to[d]})" for o, d in zip(no_route["origin"], no_route["destination"])],
    )
    timed = dem.set_index("_row").join(fastest.rename("fastest"), how="inner")
    slow = timed[timed["fastest"] > timed["max_days"]]
    r.report(
        "demand",
        "max_days",
        slow.index,
        [f"no route can carry '{o}' → '{d}' within max_days {m:g}: the fastest takes {f:g} days" for o, d, m, f in zip(slow["origin"], slow["destination"], slow["max_days"], slow["fastest"])],
    )


__all__ = ["load_instance", "validate", "open_source", "set_meta", "set_parameter", "Raw", "SETTINGS", "YAML_FILE"]
