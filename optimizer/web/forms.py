"""Form fields ⇄ the inputs of the API, checked by the same code as the files they stand for.

* Freight: each settable parameter (:func:`optimizer.instance.overrides.settable_names`) is a field; a filled-in
  field becomes an override, and the overrides are checked by
  :func:`~optimizer.instance.overrides.check_overrides`, exactly as ``--set`` is. Each problem is shown at
  its parameter's field.
* Enclave: the form is turned back into the mapping a CASE.yaml holds and validated by
  :func:`~optimizer.sharing.case.case_from_dict`, the YAML loader's own checks; a problem's key path
  (``parties[1].contributions.land: ...``) says which field it belongs to.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import yaml

from ..documents import key_path
from ..errors import InputError
from ..instance.data import Instance
from ..instance.overrides import check_overrides
from ..instance.schema import PARAMETERS
from ..sharing.case import ROLES, Case, case_from_dict

#: parameters edited as hub checkboxes rather than text
HUB_LISTS = ("closed_hubs", "open_hubs")


def shown(value) -> str:
    """A parameter value as ``--set`` takes it (blank for "no limit")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}:{shown(v)}" for k, v in value.items())
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:g}"
    return str(value)


# ---------------------------------------------------------------------------- freight


@dataclass
class FreightForm:
    values: dict[str, str] = field(default_factory=dict)  # field -> what the user typed
    hubs: dict[str, list[str]] = field(default_factory=dict)  # closed_hubs / open_hubs -> ticked hub ids
    errors: dict[str, str] = field(default_factory=dict)  # field -> message
    general: list[str] = field(default_factory=list)
    overrides: dict = field(default_factory=dict)
    scenario: str = ""
    time_limit: float | None = None


def parameter_fields(inst: Instance) -> list[dict]:
    """The settable parameters with their type, unit, help and the instance's own value."""
    out = []
    for p in PARAMETERS:
        if not p.settable or p.name in HUB_LISTS:
            continue
        out.append({"name": p.name, "type": p.type, "unit": p.unit, "help": p.description,
                    "current": shown(inst.params.get(p.name, p.default)), "choices": p.choices})
    return out


def freight_form(inst: Instance, form) -> FreightForm:
    """Read the Solve form; ``overrides`` hold what differs from the instance, ``errors`` what is wrong."""
    f = FreightForm(scenario=str(form.get("scenario", "")).strip())
    for p in parameter_fields(inst):
        v = str(form.get(f"p_{p['name']}", "")).strip()
        if v != "":
            f.values[p["name"]] = v
            f.overrides[p["name"]] = v
    for name in HUB_LISTS:
        ticked = [h for h in form.getlist(name) if h in inst.hubs.index]
        f.hubs[name] = ticked
        if set(ticked) != set(inst.params.get(name) or ()):
            f.overrides[name] = ",".join(ticked)
    tl = str(form.get("time_limit", "")).strip()
    if tl:
        try:
            f.time_limit = float(tl)
            if not (math.isfinite(f.time_limit) and f.time_limit > 0):
                raise ValueError
        except ValueError:
            f.errors["time_limit"] = f"must be a number of seconds > 0, got {tl!r}"
    if len(f.scenario) > 60:
        f.errors["scenario"] = "at most 60 characters"
    try:
        check_overrides(inst, f.overrides)
    except InputError as exc:
        for prob in exc.problems:
            if prob.column and prob.column not in f.errors:
                f.errors[prob.column] = prob.message
            elif prob.column:
                f.errors[prob.column] += "; " + prob.message
            else:
                f.general.append(prob.message)
    return f


# ---------------------------------------------------------------------------- enclave

#: sections of a case that the form edits only as YAML text ("other settings")
OTHER_KEYS = ("statistics", "statistics_split", "constraints", "fixed_rule")
SCALARS = ("name", "description", "units", "start_year", "discount_rate")
PARTY_FIELDS = ("id", "role", "contributions", "disagreement", "weight")
#: blank rows offered for adding a party or a revenue stream
SPARE_ROWS = 1


def _scalar(text: str):
    """A typed value from a text field: int, float, or the text itself (the loader then says what is wrong)."""
    s = str(text).strip()
    if s == "":
        return None
    for cast in (int, float):
        try:
            return cast(s)
        except ValueError:
            pass
    if s.lower() in ("true", "false"):
        return s.lower() == "true"
    return s


def _list(text: str) -> list:
    return [_scalar(x) for x in re.split(r"[,\s]+", str(text).strip()) if x != ""]


def _num_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _yaml_text(obj) -> str:
    return yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100) if obj else ""


def case_to_form(data: dict) -> dict:
    """The form's values for a parsed CASE.yaml (a dict)."""
    data = data if isinstance(data, dict) else {}
    form = {k: _num_text(data.get(k)) for k in SCALARS}
    parties = []
    for p in data.get("parties") or []:
        p = p if isinstance(p, dict) else {}
        contrib = p.get("contributions") or {}
        parties.append({
            "id": _num_text(p.get("id")), "role": _num_text(p.get("role")),
            "contributions": ", ".join(f"{k}: {_num_text(v)}" for k, v in contrib.items()) if isinstance(contrib, dict) else _num_text(contrib),
            "disagreement": _num_text(p.get("disagreement")), "weight": _num_text(p.get("weight")),
        })
    parties += [dict.fromkeys(PARTY_FIELDS, "") for _ in range(SPARE_ROWS)]
    revenues = [{"stream": str(k), "values": ", ".join(_num_text(x) for x in (v if isinstance(v, list) else [v]))}
                for k, v in (data.get("revenues") or {}).items()]
    revenues += [{"stream": "", "values": ""} for _ in range(SPARE_ROWS)]
    constraints = dict(data.get("constraints") or {})
    buffer = constraints.pop("buffer", None) or {}
    other = {k: data[k] for k in OTHER_KEYS if k in data and k != "constraints"}
    if constraints:
        other["constraints"] = constraints
    return {
        **form, "parties": parties, "revenues": revenues,
        "buffer_years": _num_text(buffer.get("years")), "buffer_floor": _num_text(buffer.get("floor")),
        "buffer_streams": ", ".join(map(str, buffer.get("streams") or [])),
        "other": _yaml_text({k: other[k] for k in OTHER_KEYS if k in other}),
    }


def form_rows(form, prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Rows ``prefix-<i>-<name>`` of a posted form, in order."""
    rows, i = [], 0
    while any(f"{prefix}-{i}-{n}" in form for n in names):
        rows.append({n: str(form.get(f"{prefix}-{i}-{n}", "")) for n in names})
        i += 1
    return rows


@dataclass
class CaseForm:
    values: dict
    data: dict | None = None
    case: Case | None = None
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, fid: str | None, message: str) -> None:
        if fid is None:
            self.general.append(message)
        elif fid in self.errors:
            self.errors[fid] += "; " + message
        else:
            self.errors[fid] = message


def read_case_form(form) -> CaseForm:
    """The posted enclave form → the CASE.yaml mapping → :func:`case_from_dict` (the loader's checks)."""
    values = {k: str(form.get(k, "")) for k in SCALARS}
    values["parties"] = form_rows(form, "party", PARTY_FIELDS)
    values["revenues"] = form_rows(form, "revenue", ("stream", "values"))
    for k in ("buffer_years", "buffer_floor", "buffer_streams", "other"):
        values[k] = str(form.get(k, ""))
    cf = CaseForm(values)
    fields: dict[str, str] = {}  # key path of the loader -> form field id

    data: dict = {}
    for k in SCALARS:
        v = _scalar(values[k]) if k in ("start_year", "discount_rate") else (values[k].strip() or None)
        if v is not None:
            data[k] = v
        fields[k] = k
    parties = []
    for i, row in enumerate(values["parties"]):
        if not any(v.strip() for v in row.values()):
            continue
        j = len(parties)
        party: dict = {}
        for n in ("id", "role"):
            if row[n].strip():
                party[n] = row[n].strip()
        contributions = {}
        for item in (x for x in row["contributions"].split(",") if x.strip()):
            k, sep, v = item.partition(":")
            if not sep or not k.strip():
                cf.add(f"party-{i}-contributions", f"write each factor as name: amount, separated by commas (got {item.strip()!r})")
                continue
            contributions[k.strip()] = _scalar(v)
        party["contributions"] = contributions
        for n in ("disagreement", "weight"):
            v = _scalar(row[n])
            if v is not None:
                party[n] = v
        parties.append(party)
        fields[f"parties[{j}]"] = f"party-{i}-id"
        for n in PARTY_FIELDS:
            fields[f"parties[{j}].{n}"] = f"party-{i}-{n}"
    data["parties"] = parties
    fields["parties"] = "parties"
    revenues = {}
    for i, row in enumerate(values["revenues"]):
        name, amounts = row["stream"].strip(), row["values"].strip()
        if not name and not amounts:
            continue
        if not name:
            cf.add(f"revenue-{i}-stream", "give the stream a name, e.g. tax")
            continue
        if name in revenues:
            cf.add(f"revenue-{i}-stream", f"stream {name!r} given twice")
            continue
        revenues[name] = _list(amounts)
        fields[key_path(("revenues", name))] = f"revenue-{i}-values"
    data["revenues"] = revenues
    fields["revenues"] = "revenues"

    other: dict = {}
    if values["other"].strip():
        try:
            parsed = yaml.safe_load(values["other"])
        except yaml.YAMLError as exc:
            cf.add("other", f"not valid YAML: {exc}".splitlines()[0])
            parsed = {}
        if parsed is None:
            parsed = {}
        if not isinstance(parsed, dict):
            cf.add("other", f"must be a mapping of {', '.join(OTHER_KEYS)}")
            parsed = {}
        for k in parsed:
            if k not in OTHER_KEYS:
                cf.add("other", f"unknown key {k!r} here (allowed: {', '.join(OTHER_KEYS)}; the rest has its own fields)")
        other = {k: v for k, v in parsed.items() if k in OTHER_KEYS}
    constraints = other.pop("constraints", None)
    if constraints is not None and not isinstance(constraints, dict):
        data["constraints"] = constraints  # the loader says what is wrong with it
    else:
        constraints = dict(constraints or {})
        buffer = {}
        if values["buffer_years"].strip():
            buffer["years"] = _scalar(values["buffer_years"])
        if values["buffer_floor"].strip():
            buffer["floor"] = _scalar(values["buffer_floor"])
        if values["buffer_streams"].strip():
            buffer["streams"] = [str(s) for s in _list(values["buffer_streams"])]
        if buffer:
            if "buffer" in constraints:
                cf.add("other", "constraints.buffer is set in its own fields (buffer years, floor, streams); remove it here")
            constraints["buffer"] = buffer
        if constraints:
            data["constraints"] = constraints
    data.update(other)
    for k in ("years", "floor", "streams"):
        fields[f"constraints.buffer.{k}"] = f"buffer_{k}"
    fields["constraints.buffer"] = "buffer_years"
    for k in OTHER_KEYS:
        fields.setdefault(k, "other")
    order = sorted(fields, key=len, reverse=True)
    cf.data = data
    try:
        cf.case = case_from_dict(data, source="case")
    except InputError as exc:
        cf.case = None
        for prob in exc.problems:
            path, sep, msg = prob.message.partition(": ")
            fid = next((fields[k] for k in order if path == k or path.startswith(k + ".") or path.startswith(k + "[")), None) if sep else None
            cf.add(fid, msg if fid else prob.message)
    if cf.errors or cf.general:
        cf.case = None
    return cf


def case_yaml(data: dict) -> str:
    """The case as CASE.yaml text (a mapping in the loader's key order)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)


ROLE_CHOICES = ROLES
