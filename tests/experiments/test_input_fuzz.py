"""Fuzzed calibration configs and world folders (issue 40, item 6), as
tests/experiments/test_config_fuzz.py does for experiment configs: every input is either
accepted or refused with the reader's own error naming what is wrong — never a traceback —
values of the wrong type are refused, and valid values are accepted."""

from __future__ import annotations

import copy
import math
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdev.core.worlds import WorldError, load_world, shipped_worlds
from migdev.experiments.engine.calibrate import parse_calibration
from migdev.experiments.engine.config import ConfigError

BASE = {
    "calibration": {"name": "fuzz", "world": "health2005", "n_persons": 3000, "steps": 16,
                    "population_size": 40, "generations": 3, "seed": 3},
    "free": {"financial_access": {"prior": "uniform", "low": 0.2, "high": 1.0}},
    "target": [{"output": "formal_share", "steps": [4, 16], "value": 0.6, "sd": 0.05,
                "year": 2003, "source": "a published figure (fuzz)"}],
}
#: any TOML value
VALUES = st.recursive(
    st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)
#: where a value can go in a calibration config
PLACES = [("calibration", k) for k in BASE["calibration"]] + [
    ("calibration", "predictive_draws"), ("calibration", "min_epsilon"),
    ("free.financial_access", "prior"), ("free.financial_access", "low"),
    ("free.financial_access", "high"), ("target.0", "output"), ("target.0", "country"),
    ("target.0", "steps"), ("target.0", "value"), ("target.0", "sd"), ("target.0", "year"),
    ("target.0", "source"), ("", "params"), ("", "free"), ("", "target"), ("params", "n_persons")]


def _put(cfg: dict, where: str, key: str, value) -> dict:
    node = cfg
    for part in [p for p in where.split(".") if p]:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[key] = value
    return cfg


def test_the_base_calibration_config_is_valid():
    assert parse_calibration(copy.deepcopy(BASE), "fuzz.toml").name == "fuzz"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=VALUES)
def test_a_fuzzed_calibration_config_is_accepted_or_refused_clearly(place, value):
    cfg = _put(copy.deepcopy(BASE), place[0], place[1], value)
    try:
        parse_calibration(cfg, "fuzz.toml")
    except ConfigError as e:
        assert str(e).startswith("fuzz.toml"), e
        assert "\n" not in str(e)


WRONG_NUMBER = st.one_of(st.text(max_size=5), st.booleans(),
                         st.lists(st.integers(), max_size=2), st.dictionaries(
                             st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(["n_persons", "steps", "population_size", "generations", "seed"]),
       value=WRONG_NUMBER)
def test_a_wrong_type_for_a_count_is_always_refused(key, value):
    cfg = _put(copy.deepcopy(BASE), "calibration", key, value)
    with pytest.raises(ConfigError, match=key):
        parse_calibration(cfg, "fuzz.toml")


@settings(max_examples=100, deadline=None)
@given(low=st.floats(0.0, 0.49), high=st.floats(0.5, 1.0), value=st.floats(0.0, 1.0),
       sd=st.floats(1e-6, 1.0), generations=st.integers(1, 20))
def test_valid_values_are_accepted(low, high, value, sd, generations):
    cfg = copy.deepcopy(BASE)
    cfg["free"]["financial_access"].update({"low": low, "high": high})
    cfg["target"][0].update({"value": value, "sd": sd})
    cfg["calibration"]["generations"] = generations
    assert parse_calibration(cfg, "fuzz.toml").generations == generations


# --------------------------------------------------------------------------- worlds
WORLD = shipped_worlds()["health2005"]
CELL = st.one_of(st.text(max_size=8), st.integers(-10**9, 10**9).map(str),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))
WORLD_TOML = st.sampled_from(["base_year", "extendable", "default_origins",
                              "default_destinations", "name", "title"])


def _world_with(edit) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="migdev-fuzz-")) / "w"
    shutil.copytree(WORLD, folder)
    edit(folder)
    return folder


def _load(folder: Path):
    try:
        return load_world(str(folder))
    except WorldError as e:
        assert str(folder) in str(e), e  # it names the file
        return None
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=st.sampled_from(["countries.csv", "corridors.csv", "sources.csv"]),
       row=st.integers(0, 12), col=st.integers(0, 25), cell=CELL)
def test_a_fuzzed_world_csv_is_read_or_refused_clearly(file, row, col, cell):
    def edit(folder):
        p = folder / file
        lines = p.read_text().splitlines()
        r = min(row, len(lines) - 1)
        cells = lines[r].split(",")
        cells[min(col, len(cells) - 1)] = cell.replace("\n", " ")
        lines[r] = ",".join(cells)
        p.write_text("\n".join(lines) + "\n")

    _load(_world_with(edit))


@settings(max_examples=150, deadline=None)
@given(key=WORLD_TOML, value=VALUES)
def test_a_fuzzed_world_toml_is_read_or_refused_clearly(key, value):
    import tomllib

    def edit(folder):
        p = folder / "world.toml"
        meta = tomllib.loads(p.read_text())
        meta[key] = value
        p.write_text(_toml(meta))

    w = _load(_world_with(edit))
    if w is not None:  # accepted: then the value had the type the key wants
        expected = {"base_year": int, "extendable": bool, "default_origins": int,
                    "default_destinations": int, "name": str, "title": str}[key]
        assert isinstance(value, expected) and (expected is bool
                                                or not isinstance(value, bool)), (key, value)


def _toml(d: dict) -> str:
    def v(x):
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, str):
            return '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(x, float):
            return repr(x) if math.isfinite(x) else ("nan" if x != x else
                                                     ("inf" if x > 0 else "-inf"))
        if isinstance(x, list):
            return "[" + ", ".join(v(i) for i in x) + "]"
        if isinstance(x, dict):
            return "{" + ", ".join(f'"{k}" = {v(i)}' for k, i in x.items()) + "}"
        return str(x)
    return "".join(f"{k} = {v(x)}\n" for k, x in d.items())
