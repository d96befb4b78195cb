"""Worlds as data: the countries and corridors of a run, read from a folder of tables.

A world is a folder holding

* ``world.toml`` — ``name``, ``title``, ``base_year``; ``extendable`` (more origins than the
  table holds are made by repeating it, each round poorer — the abstract world only);
  ``default_origins`` and ``default_destinations`` (how many of an extendable world's rows
  a run uses by default);
* ``countries.csv`` — one row per country: ``country``, ``iso3``, ``role`` (origin,
  destination or both) and the figures in :data:`COUNTRY_FIELDS`;
* ``corridors.csv`` — one row per origin–destination pair: ``origin``, ``destination``,
  ``weight`` (the draw weight of the destination for that origin's migrants);
* ``communities.csv`` (optional) — an origin's communities as data, one row each:
  ``origin``, ``community`` (a name), ``population`` (persons in the base year) and
  ``remittance_share`` (the community's share of the origin's remittances, 0-1); an origin
  without rows has ``communities_per_origin`` communities of the model's default layout;
* ``sources.csv`` — where every figure comes from: ``table`` (countries, corridors or
  communities), ``country`` (a country, a corridor written ``origin>destination``, a
  community written ``origin/community``, or ``*`` for every row), ``field`` (or ``*``),
  ``kind`` (published, derived or assumption), ``source``, ``year``, ``note``, and
  optionally ``checked`` (yes: the figure was checked against the source or a work quoting
  it; no or empty: transcribed, not re-checked). A published figure needs a source and a
  year; an assumption needs a note saying why.

:func:`load_world` checks every cell and raises :class:`WorldError` naming the file, the
line and the column, and what is allowed. Shipped worlds live in ``migdev/worlds/``; a
path to a folder of the same form works too (docs/WORLDS.md).
"""

from __future__ import annotations

import csv
import functools
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from migdev.core.errors import ParameterError, did_you_mean

ROLES = ("origin", "destination", "both")
#: figure -> (unit, lowest, highest, the role that needs it: origin, destination or None
#: for optional descriptive figures)
COUNTRY_FIELDS = {
    # an origin needs one of these two: it sets how many real persons each simulated person
    # stands for (ODD §2; the emigrant stock where both are given)
    "health_density": ("health workers (doctors, nurses, midwives) per 10,000 population",
                       0.01, 500.0, None),
    "emigrant_stock": ("persons born in the origin living in the world's destinations in the "
                       "base year (where given, it sets the person weight instead of the "
                       "health density)", 1.0, 1e9, None),
    "wage_ratio_skilled": ("skilled home wage / reference destination's wage", 0.001, 5.0,
                           "origin"),
    "wage_ratio_low": ("low-skilled home wage / reference destination's wage", 0.001, 5.0,
                       "origin"),
    "population": ("persons: the origin's real population in the base year (the denominator "
                   "of its per-10,000 figures; with its health density, it sets how many real "
                   "persons each simulated person stands for)",
                   1.0, 2e9, "origin"),
    "sample_weight": ("relative share of the simulated persons (precision only: each person's "
                      "weight makes up for it)", 0.001, 1000.0, "origin"),
    "share_health": ("share of the working-age population at risk", 0.0, 1.0, "origin"),
    "share_education": ("share of the working-age population at risk", 0.0, 1.0, "origin"),
    "share_other": ("share of the working-age population at risk", 0.0, 1.0, "origin"),
    "emig_health": ("share abroad: abroad / (abroad + at home)", 0.0, 0.95, "origin"),
    "emig_education": ("share abroad: abroad / (abroad + at home)", 0.0, 0.95, "origin"),
    "emig_other": ("share abroad: abroad / (abroad + at home)", 0.0, 0.95, "origin"),
    "emig_low": ("share abroad: abroad / (abroad + at home)", 0.0, 0.95, "origin"),
    # the initial diaspora's status (optional: by default 20 % temporary, the rest settled)
    "temporary_share": ("share of the origin's emigrants abroad at the start on temporary "
                        "contracts (default 0.2)", 0.0, 1.0, None),
    "irregular_share": ("share of the origin's emigrants abroad at the start without legal "
                        "status (default 0)", 0.0, 1.0, None),
    "financial_access": ("share of households with a formal account (reached by formal "
                         "remittance services whatever the lever), 0-1", 0.0, 1.0, "origin"),
    "dest_wage_factor": ("destination wage / reference destination's wage", 0.01, 10.0,
                         "destination"),
    "dest_demand_weight": ("relative size of the destination's demand for migrants", 0.0,
                           1e6, "destination"),
    # descriptive figures (shown by `migdev world`, not used by the model yet)
    "doctors_density": ("doctors per 10,000 population", 0.0, 200.0, None),
    "nurses_midwives_density": ("nurses and midwives per 10,000 population", 0.0, 400.0,
                                None),
    "emig_doctors": ("share of physicians abroad: abroad / (abroad + at home)", 0.0, 0.95,
                     None),
    "emig_nurses": ("share of nurses abroad: abroad / (abroad + at home)", 0.0, 0.95, None),
    "uhc_index": ("UHC service coverage index, 0-100", 0.0, 100.0, None),
    "remittances_gdp": ("remittances received / GDP", 0.0, 1.0, None),
    "remittances_recorded": ("USD a year: remittances the origin recorded in the base year "
                             "(or the nearest year given in its source)", 0.0, 1e12, None),
    "dwellings_receiving_remittances": ("share of the origin's dwellings (households) "
                                        "receiving remittances", 0.0, 1.0, None),
    "safeguards_list": ("1 if on the WHO health workforce support and safeguards list", 0.0,
                        1.0, None),
    # the accounts' prices (ODD §7.14; an origin without one takes the rule of model/world.py)
    "train_cost_doctor": ("USD of the base year: the public cost of educating one doctor, "
                          "as its source counts it (the origins' from primary school, the "
                          "United Kingdom's from university entrance)", 0.0, 1e7, None),
    "train_cost_nurse": ("USD of the base year: the public cost of educating one nurse, as "
                         "its source counts it", 0.0, 1e7, None),
}
KINDS = ("published", "derived", "assumption")


class WorldError(ParameterError):
    """A world's files are malformed; the message names the file, line and column."""


@dataclass(frozen=True)
class WorldData:
    """One world's validated tables."""

    name: str
    title: str
    folder: Path
    base_year: int | None
    extendable: bool
    default_origins: int
    default_destinations: int
    #: the world switches on the financial intermediaries (ODD §7.7b)
    intermediaries: bool
    countries: tuple[dict, ...]
    corridors: tuple[dict, ...]
    sources: tuple[dict, ...]
    #: communities as data (communities.csv), in file order; empty when the world has none
    communities: tuple[dict, ...] = ()

    def communities_of(self, origin: str) -> list[dict]:
        """The communities.csv rows of one origin (empty: the default layout)."""
        return [c for c in self.communities if c["origin"] == origin]

    @property
    def origins(self) -> list[dict]:
        return [c for c in self.countries if c["role"] in ("origin", "both")]

    @property
    def destinations(self) -> list[dict]:
        return [c for c in self.countries if c["role"] in ("destination", "both")]

    def corridor_fees(self) -> np.ndarray:
        """(origins, destinations) base-year formal fees (corridors.csv's optional
        ``formal_fee``), NaN where none is given."""
        oi = {c["country"]: i for i, c in enumerate(self.origins)}
        di = {c["country"]: i for i, c in enumerate(self.destinations)}
        f = np.full((len(oi), len(di)), np.nan)
        for r in self.corridors:
            if "formal_fee" in r:
                f[oi[r["origin"]], di[r["destination"]]] = r["formal_fee"]
        return f

    def corridor_weights(self) -> np.ndarray:
        """(origins, destinations) draw weights, in table order (0 where no corridor)."""
        oi = {c["country"]: i for i, c in enumerate(self.origins)}
        di = {c["country"]: i for i, c in enumerate(self.destinations)}
        w = np.zeros((len(oi), len(di)))
        for r in self.corridors:
            w[oi[r["origin"]], di[r["destination"]]] = r["weight"]
        return w

    def source_of(self, table: str, key: str, field: str) -> dict | None:
        """The sources row for one figure (the most specific match)."""
        best = None
        for s in self.sources:
            if s["table"] != table or s["country"] not in (key, "*") or \
                    s["field"] not in (field, "*"):
                continue
            rank = (s["field"] == field) * 2 + (s["country"] == key)
            if best is None or rank > best[0]:
                best = (rank, s)
        return best[1] if best else None


def origin_names(w: WorldData, n_origins: int) -> list[str]:
    """The names of a run's ``n_origins`` origins: the table's, then (an extendable world
    only) "Origin E", "Origin F", ... for the repeated rows."""
    table = [c["country"] for c in w.origins]
    return [table[i] if i < len(table) else f"Origin {chr(ord('A') + i)}"
            for i in range(n_origins)]


def shipped_worlds() -> dict[str, Path]:
    """The worlds shipped with migdev, by name."""
    return dict(_shipped())


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple:
    """The shipped worlds' (name, folder) pairs, listed once a process (the package's own
    folders; each model asks twice, and a world's files are still checked for changes by
    :func:`load_world`)."""
    from importlib.resources import files

    root = Path(str(files("migdev.worlds")))
    return tuple((p.name, p) for p in sorted(root.iterdir()) if (p / "world.toml").is_file())


def resolve_world(name_or_path: str) -> Path:
    """A shipped world's folder, or a folder path; WorldError lists the choices."""
    shipped = shipped_worlds()
    if name_or_path in shipped:
        return shipped[name_or_path]
    p = Path(name_or_path).expanduser()
    if (p / "world.toml").is_file():
        return p.resolve()
    raise WorldError(f"world {name_or_path!r} is neither a shipped world "
                     f"({', '.join(shipped)}) nor a folder with a world.toml")


#: the files of a world that determine a run (sources.csv holds citations and notes only)
RUN_FILES = ("world.toml", "countries.csv", "corridors.csv", "communities.csv")


def world_files_digest(name_or_path: str) -> dict[str, str]:
    """SHA-256 of each of a world's :data:`RUN_FILES` (file name -> hex digest): what a
    run of the world depends on, recorded in run keys and manifests so that an edited world
    is run again, never mistaken for the one stored."""
    folder = resolve_world(name_or_path)
    stamp = tuple((n, (folder / n).stat().st_mtime_ns, (folder / n).stat().st_size)
                  for n in RUN_FILES if (folder / n).is_file())
    return dict(_digests(folder, stamp))


@functools.lru_cache(maxsize=64)
def _digests(folder: Path, stamp) -> tuple:
    import hashlib

    return tuple((name, hashlib.sha256((folder / name).read_bytes()).hexdigest())
                 for name, _, _ in stamp)


def load_world(name_or_path: str) -> WorldData:
    """Read and check a world (cached per folder and file modification times)."""
    folder = resolve_world(name_or_path)
    stamp = []
    with os.scandir(folder) as entries:
        for e in entries:
            if e.is_file():
                st = e.stat()
                stamp.append((e.name, st.st_mtime_ns, st.st_size))
    return _load(folder, tuple(sorted(stamp)))


@functools.lru_cache(maxsize=16)
def _load(folder: Path, stamp) -> WorldData:
    meta_path = folder / "world.toml"
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8-sig"))  # a BOM is accepted
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise WorldError(f"{meta_path}: not valid TOML: {e}") from None
    for key in ("name", "title"):
        if not isinstance(meta.get(key), str):
            raise WorldError(f"{meta_path}: key '{key}' is missing or not a string")
    _check_meta(meta, meta_path)
    countries = _countries(folder / "countries.csv")
    corridors = _corridors(folder / "corridors.csv", countries)
    sources = _sources(folder / "sources.csv")
    communities = _communities(folder / "communities.csv", countries)
    n_orig = sum(c["role"] in ("origin", "both") for c in countries)
    n_dest = sum(c["role"] in ("destination", "both") for c in countries)
    if not n_orig or not n_dest:
        raise WorldError(f"{folder / 'countries.csv'}: a world needs at least one origin and "
                         f"one destination")
    for key, n in (("default_origins", n_orig), ("default_destinations", n_dest)):
        if key in meta and not meta.get("extendable", False) and meta[key] > n:
            raise WorldError(f"{meta_path}: key '{key}' = {meta[key]} is invalid: the world has "
                             f"{n} and is not extendable; give 1 to {n}")
    w = WorldData(
        name=meta["name"], title=meta["title"], folder=folder,
        base_year=meta.get("base_year"), extendable=meta.get("extendable", False),
        intermediaries=meta.get("intermediaries", False),
        default_origins=int(meta.get("default_origins", n_orig)),
        default_destinations=int(meta.get("default_destinations", n_dest)),
        countries=tuple(countries), corridors=tuple(corridors), sources=tuple(sources),
        communities=tuple(communities))
    _check_sources(w, folder / "sources.csv")
    return w


#: world.toml's optional keys: (type, lowest, highest) of each
META = {"base_year": (int, 1800, 2200), "extendable": (bool, None, None),
        "intermediaries": (bool, None, None),
        "default_origins": (int, 1, 60), "default_destinations": (int, 1, 60)}  # n_origins


def _check_meta(meta: dict, path: Path) -> None:
    """world.toml's keys, typed: unknown keys, a string where a number or a switch is
    wanted, and numbers out of range are refused with what to give."""
    unknown = sorted(set(meta) - {"name", "title"} - set(META))
    if unknown:
        raise WorldError(f"{path}: unknown key(s) {unknown}: allowed name, title, "
                         f"{', '.join(META)}")
    for key, (kind, lo, hi) in META.items():
        if key not in meta:
            continue
        v = meta[key]
        if kind is bool:
            if not isinstance(v, bool):
                raise WorldError(f"{path}: key '{key}' = {v!r} is invalid: allowed true or false")
        elif isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise WorldError(f"{path}: key '{key}' = {v!r} is invalid: allowed a whole number "
                             f"from {lo} to {hi}")


def _rows(path: Path, required: tuple[str, ...], allowed: tuple[str, ...]):
    """(line number, row dict) of a CSV file, after checking its header."""
    if not path.is_file():
        raise WorldError(f"{path}: missing (a world needs world.toml, countries.csv, "
                         f"corridors.csv and sources.csv)")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:  # a BOM (Excel) is accepted
            lines = list(csv.reader(f))
    except (UnicodeDecodeError, csv.Error) as e:
        raise WorldError(f"{path}: cannot read as CSV: {e}") from None
    if not lines:
        raise WorldError(f"{path}: empty")
    header = [h.strip() for h in lines[0]]
    for col in required:
        if col not in header:
            raise WorldError(f"{path}: missing column '{col}' (required: "
                             f"{', '.join(required)})")
    for col in header:
        if col not in allowed:
            raise WorldError(f"{path}: unknown column '{col}'{did_you_mean(col, allowed)}; "
                             f"allowed: {', '.join(allowed)}")
    out = []
    for n, row in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise WorldError(f"{path}, line {n}: {len(row)} field(s) where the header has "
                             f"{len(header)}")
        out.append((n, {h: cell.strip() for h, cell in zip(header, row)}))
    return out


def _number(path, n, col, text, unit, lo, hi) -> float:
    try:
        v = float(text)
    except ValueError:
        raise WorldError(f"{path}, line {n}, column '{col}': {text!r} is not a number "
                         f"({unit})") from None
    if not math.isfinite(v):
        raise WorldError(f"{path}, line {n}, column '{col}': {text!r} is not a finite number")
    if not lo <= v <= hi:
        hint = ""
        if hi <= 1.0 and 1.0 < v <= 100.0:
            hint = " — it looks like a percentage: give a share from 0 to 1"
        raise WorldError(f"{path}, line {n}, column '{col}' = {text}: allowed {lo:g} to "
                         f"{hi:g} ({unit}){hint}")
    return v


def _countries(path: Path) -> list[dict]:
    rows = _rows(path, ("country", "role"), ("country", "iso3", "role", *COUNTRY_FIELDS))
    out, seen = [], set()
    for n, r in rows:
        name, role = r["country"], r["role"]
        if not name:
            raise WorldError(f"{path}, line {n}, column 'country': empty")
        if name in seen:
            raise WorldError(f"{path}, line {n}, column 'country': {name!r} appears twice")
        seen.add(name)
        if role not in ROLES:
            raise WorldError(f"{path}, line {n}, column 'role' = {role!r}: allowed "
                             f"{', '.join(ROLES)}")
        row = {"country": name, "iso3": r.get("iso3", ""), "role": role, "_line": n}
        for col, (unit, lo, hi, needed_by) in COUNTRY_FIELDS.items():
            text = r.get(col, "")
            needed = needed_by is not None and (role == needed_by or role == "both")
            if text == "":
                if needed:
                    raise WorldError(f"{path}, line {n}, column '{col}': missing for "
                                     f"{name} (a {needed_by} needs it: {unit})")
                continue
            row[col] = _number(path, n, col, text, unit, lo, hi)
        if role in ("origin", "both"):
            if "health_density" not in row and "emigrant_stock" not in row:
                raise WorldError(f"{path}, line {n}, column 'health_density': missing for "
                                 f"{name} (an origin needs health_density or emigrant_stock: "
                                 f"either sets how many real persons each simulated person "
                                 f"stands for)")
            if row.get("temporary_share", 0.2) + row.get("irregular_share", 0.0) > 1.0:
                raise WorldError(f"{path}, line {n}: temporary_share + irregular_share > 1 "
                                 f"for {name} (the rest of the initial diaspora is settled)")
            total = row["share_health"] + row["share_education"] + row["share_other"]
            if total > 1.0:
                raise WorldError(f"{path}, line {n}: share_health + share_education + "
                                 f"share_other = {total:g} for {name}; allowed at most 1")
        out.append(row)
    return out


def _corridors(path: Path, countries: list[dict]) -> list[dict]:
    roles = {c["country"]: c["role"] for c in countries}
    out, seen = [], set()
    for n, r in _rows(path, ("origin", "destination", "weight"),
                      ("origin", "destination", "weight", "formal_fee")):
        for col, need in (("origin", "origin"), ("destination", "destination")):
            name = r[col]
            if name not in roles:
                raise WorldError(f"{path}, line {n}, column '{col}': {name!r} is not a "
                                 f"country of countries.csv")
            if roles[name] not in (need, "both"):
                raise WorldError(f"{path}, line {n}, column '{col}': {name!r} is not an "
                                 f"{need} (its role in countries.csv is {roles[name]})")
        pair = (r["origin"], r["destination"])
        if pair[0] == pair[1]:
            raise WorldError(f"{path}, line {n}: corridor {pair[0]} > {pair[1]} joins a "
                             f"country to itself; a country in both roles has no such corridor")
        if pair in seen:
            raise WorldError(f"{path}, line {n}: corridor {pair[0]} > {pair[1]} appears twice")
        seen.add(pair)
        w = _number(path, n, "weight", r["weight"], "draw weight", 0.0, 1e9)
        row = {"origin": pair[0], "destination": pair[1], "weight": w, "_line": n}
        if r.get("formal_fee", ""):
            row["formal_fee"] = _number(path, n, "formal_fee", r["formal_fee"],
                                        "share of the amount sent", 0.0, 0.5)
        out.append(row)
    for c in countries:
        if c["role"] in ("origin", "both") and not any(
                x["origin"] == c["country"] and x["weight"] > 0 for x in out):
            raise WorldError(f"{path}: origin {c['country']!r} has no corridor with a "
                             f"positive weight")
    return out


COMMUNITY_FIELDS = {
    "population": ("persons: the community's real population in the base year", 1.0, 2e9),
    "remittance_share": ("the community's share of its origin's remittances, 0-1", 0.0, 1.0),
}


def _communities(path: Path, countries: list[dict]) -> list[dict]:
    """communities.csv (optional): each origin's communities, with their population and
    share of the origin's remittances; an origin's shares sum to 1 (within 0.01)."""
    if not path.is_file():
        return []
    roles = {c["country"]: c["role"] for c in countries}
    out, seen = [], set()
    for n, r in _rows(path, ("origin", "community", *COMMUNITY_FIELDS),
                      ("origin", "community", *COMMUNITY_FIELDS)):
        name = r["origin"]
        if roles.get(name) not in ("origin", "both"):
            raise WorldError(f"{path}, line {n}, column 'origin': {name!r} is not an origin "
                             f"of countries.csv")
        if not r["community"]:
            raise WorldError(f"{path}, line {n}, column 'community': empty")
        if (name, r["community"]) in seen:
            raise WorldError(f"{path}, line {n}: community {name}/{r['community']} appears "
                             f"twice")
        seen.add((name, r["community"]))
        row = {"origin": name, "community": r["community"], "_line": n}
        for col, (unit, lo, hi) in COMMUNITY_FIELDS.items():
            row[col] = _number(path, n, col, r[col], unit, lo, hi)
        out.append(row)
    for name in dict.fromkeys(r["origin"] for r in out):
        total = sum(r["remittance_share"] for r in out if r["origin"] == name)
        if abs(total - 1.0) > 0.01:
            raise WorldError(f"{path}: the remittance_share of {name}'s communities sum to "
                             f"{total:g}; they must sum to 1 (within 0.01)")
    return out


def _sources(path: Path) -> list[dict]:
    out = []
    cols = ("table", "country", "field", "kind", "source", "year", "note")
    for n, r in _rows(path, cols, (*cols, "checked")):
        r.setdefault("checked", "")
        if r["checked"] not in ("", "yes", "no"):
            raise WorldError(f"{path}, line {n}, column 'checked' = {r['checked']!r}: allowed "
                             f"yes, no or empty")
        if r["table"] not in ("countries", "corridors", "communities"):
            raise WorldError(f"{path}, line {n}, column 'table' = {r['table']!r}: allowed "
                             f"countries, corridors or communities")
        if r["kind"] not in KINDS:
            raise WorldError(f"{path}, line {n}, column 'kind' = {r['kind']!r}: allowed "
                             f"{', '.join(KINDS)}")
        if r["kind"] in ("published", "derived") and not (r["source"] and r["year"]):
            raise WorldError(f"{path}, line {n}: a {r['kind']} figure needs a source and a "
                             f"year")
        if r["kind"] == "assumption" and not r["note"]:
            raise WorldError(f"{path}, line {n}: an assumption needs a note saying why")
        if r["year"] and not r["year"].isdigit():
            raise WorldError(f"{path}, line {n}, column 'year' = {r['year']!r}: allowed a "
                             f"year such as 2004")
        out.append({**r, "_line": n})
    return out


def _check_sources(w: WorldData, path: Path) -> None:
    for c in w.countries:
        for col in COUNTRY_FIELDS:
            if col in c and w.source_of("countries", c["country"], col) is None:
                raise WorldError(f"{path}: no source for countries.csv line {c['_line']}, "
                                 f"{c['country']}, column '{col}'; add a row (kind published "
                                 f"with source and year, or assumption with a note)")
    for r in w.corridors:
        key = f"{r['origin']}>{r['destination']}"
        for col in ("weight", "formal_fee"):
            if col in r and w.source_of("corridors", key, col) is None:
                raise WorldError(f"{path}: no source for corridors.csv line {r['_line']} "
                                 f"({key}, {col})")
    for r in w.communities:
        key = f"{r['origin']}/{r['community']}"
        for col in COMMUNITY_FIELDS:
            if w.source_of("communities", key, col) is None:
                raise WorldError(f"{path}: no source for communities.csv line {r['_line']} "
                                 f"({key}, {col})")


def world_table(w: WorldData, sources: bool = False) -> str:
    """A world as text: its countries and figures (with each figure's source), its
    corridors. Used by ``migdev world``."""
    lines = [f"{w.name}: {w.title}" + (f" (base year {w.base_year})" if w.base_year else ""),
             f"folder: {w.folder}",
             f"{len(w.origins)} origin(s), {len(w.destinations)} destination(s), "
             f"{len(w.corridors)} corridor(s)" + (" — extendable" if w.extendable else ""), ""]
    for c in w.countries:
        lines.append(f"{c['country']} ({c['iso3'] or '-'}), {c['role']}")
        for col, (unit, *_rest) in COUNTRY_FIELDS.items():
            if col not in c:
                continue
            text = f"  {col:<24} {c[col]:>10g}  {unit}"
            if sources:
                s = w.source_of("countries", c["country"], col)
                text += f"\n  {'':<24} {'':>10}  [{_cite(s)}]"
            lines.append(text)
    if w.communities:
        lines += ["", "communities (origin / community: population, share of the origin's "
                      "remittances)"]
        for r in w.communities:
            key = f"{r['origin']}/{r['community']}"
            lines.append(f"  {r['origin']} / {r['community']}: {r['population']:,.0f} persons, "
                         f"{r['remittance_share']:g} of remittances")
            if sources:
                for col in COMMUNITY_FIELDS:
                    lines.append(f"    {col}: [{_cite(w.source_of('communities', key, col))}]")
    lines += ["", "corridors (origin > destination: draw weight)"]
    for r in w.corridors:
        key = r['origin'] + '>' + r['destination']
        text = f"  {r['origin']} > {r['destination']}: {r['weight']:g}"
        if sources:
            text += f"  [{_cite(w.source_of('corridors', key, 'weight'))}]"
        if "formal_fee" in r:
            text += f"\n    formal fee in the base year {r['formal_fee']:g}"
            if sources:
                text += f"  [{_cite(w.source_of('corridors', key, 'formal_fee'))}]"
        lines.append(text)
    return "\n".join(lines)


def _cite(s: dict | None) -> str:
    if s is None:
        return "no source"
    parts = [s["kind"]] + [x for x in (s["source"], s["year"]) if x]
    if s["kind"] != "assumption" or s["source"]:
        parts.append("checked against the source" if s.get("checked") == "yes"
                     else "not re-checked against the source")
    return ", ".join(parts) + (f": {s['note']}" if s["note"] else "")
