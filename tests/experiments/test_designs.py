"""Designs: shape, bounds, determinism; seeds derived from the master seed and recorded."""

import numpy as np
import pytest

from migdev.experiments.engine.config import ConfigError, parse
from migdev.experiments.engine.design import build
from migdev.experiments.engine.specs import build_specs, replicate_seeds


def cfg(design, **ex):
    # the abstract world: its number of origins can vary (a factor below)
    return parse({"experiment": {"name": "d", **ex}, "params": {"world": "abstract"},
                  "design": design}, src="t.toml")


FACTORS = {"implementation_rate": {"low": 0.2, "high": 0.9},
           "n_origins": {"low": 3, "high": 6},
           "agreement_kind": {"values": ["restrictive", "circular"]}}


def test_grid_is_every_combination():
    c = cfg({"kind": "grid", "factors": {"agreement_kind": {"values": ["restrictive", "circular"]},
                                         "implementation_rate": {"values": [0.5, 0.75, 1.0]}}})
    d = build(c.design)
    assert len(d.points) == 6
    assert {(p["agreement_kind"], p["implementation_rate"]) for p in d.points} == {
        (k, r) for k in ("restrictive", "circular") for r in (0.5, 0.75, 1.0)}


def test_latin_hypercube_shape_bounds_and_strata():
    c = cfg({"kind": "lhs", "samples": 20, "seed": 3, "factors": FACTORS})
    d = build(c.design)
    assert d.X.shape == (20, 3) and len(d.points) == 20
    r = np.array([p["implementation_rate"] for p in d.points])
    assert ((r >= 0.2) & (r <= 0.9)).all()
    # one sample in each of the 20 equal strata of each factor
    strata = np.floor((r - 0.2) / 0.7 * 20).astype(int)
    assert sorted(strata) == list(range(20))
    assert all(isinstance(p["n_origins"], int) and 3 <= p["n_origins"] <= 6 for p in d.points)
    assert {p["agreement_kind"] for p in d.points} == {"restrictive", "circular"}
    assert build(c.design).points == d.points  # same seed, same design


def test_sobol_shape():
    c = cfg({"kind": "sobol", "samples": 16, "factors": FACTORS})
    d = build(c.design)
    assert d.X.shape == (16 * (3 + 2), 3)
    assert d.problem["names"] == list(FACTORS)


def test_morris_shape_and_levels():
    c = cfg({"kind": "morris", "samples": 5, "levels": 4, "factors": FACTORS})
    d = build(c.design)
    assert d.X.shape == (5 * (3 + 1), 3)
    r = d.X[:, 0]
    assert len(np.unique(np.round((r - 0.2) / 0.7 * 3, 6))) <= 4  # on the 4-level grid


def test_table_design(tmp_path):
    (tmp_path / "pts.csv").write_text("implementation_rate,agreement_kind\n0.3,restrictive\n"
                                      "0.9,circular\n")
    from migdev.experiments.engine.config import load

    (tmp_path / "c.toml").write_text("[experiment]\nname='t'\n[design]\nkind='table'\n"
                                     "file='pts.csv'\n")
    c = load(tmp_path / "c.toml")
    d = build(c.design, c.source)
    assert d.points == [{"implementation_rate": 0.3, "agreement_kind": "restrictive"},
                        {"implementation_rate": 0.9, "agreement_kind": "circular"}]
    (tmp_path / "pts.csv").write_text("implementation_rate\n3.0\n")
    with pytest.raises(ConfigError, match="row 1.*implementation_rate"):
        build(load(tmp_path / "c.toml").design, "c.toml")


def test_seeds_derived_from_master_recorded_and_stable():
    c = cfg({}, replicates=3, master_seed=42, controls=["no_agreement", "no_migration"])
    rows, specs = build_specs(c, build(c.design))
    seeds = replicate_seeds(42, 3)
    assert len(set(seeds)) == 3 and seeds == replicate_seeds(42, 3)
    assert seeds != replicate_seeds(43, 3)
    assert [r["seed"] for r in rows] == [s for s in seeds for _ in range(3)]
    # the policy run and its controls share the replicate's seed (common random numbers)
    for rep in range(3):
        assert len({r["seed"] for r in rows if r["replicate"] == rep}) == 1
    rows2, _ = build_specs(c, build(c.design))
    assert rows == rows2  # same config -> same seeds and run keys
    assert {specs[r["key"]].seed for r in rows} == set(seeds)


def test_the_no_design_control_is_the_experiment_without_its_design():
    """``no_design``: one control run per replicate, shared by every design point, with the
    experiment's own parameters and none of what the design varies; refused without a
    design (it would be each point itself)."""
    c = parse({"experiment": {"name": "d", "replicates": 2, "controls": ["no_design"]},
               "params": {"world": "abstract", "n_persons": 500},
               "design": {"kind": "grid", "factors": {
                   "health_wage_scale": {"values": [1.0, 1.1]},
                   "return_incentive": {"values": [0.0, 1.0]}}}}, src="t.toml")
    rows, specs = build_specs(c, build(c.design))
    ctrl = [r for r in rows if r["role"] == "no_design"]
    assert len(ctrl) == 4 * 2 and len({r["key"] for r in ctrl}) == 2  # one per replicate
    for r in ctrl:
        p = specs[r["key"]].params
        assert "health_wage_scale" not in p and "return_incentive" not in p
        assert p["n_persons"] == 500
    pol = {specs[r["key"]].params["health_wage_scale"] for r in rows if r["role"] == "policy"}
    assert pol == {1.0, 1.1}
    with pytest.raises(ConfigError, match="no_design with a design"):
        parse({"experiment": {"name": "d", "controls": ["no_design"]},
               "params": {"world": "abstract"}}, src="t.toml")


def test_summaries_compare_agreement_kinds_only_where_they_tell_points_apart():
    """A grid of kinds x levers is summarised by kind (a balanced marginal); a table of
    settings where two points share a kind (a pay rise and an incentive, both without an
    agreement) is summarised per point."""
    from migdev.experiments.analysis.outcomes import compares_kinds

    def manifest(kind, points):
        return {"design": {"kind": kind, "factors": [{"name": k} for k in points[0]],
                           "points": points}}

    grid = [{"agreement_kind": k, "x": v} for k in ("none", "restrictive") for v in (0, 1)]
    table = [{"agreement_kind": "none", "x": 1}, {"agreement_kind": "restrictive", "x": 0},
             {"agreement_kind": "none", "x": 0}]
    assert compares_kinds(manifest("grid", grid))
    assert not compares_kinds(manifest("table", table))
    assert compares_kinds(manifest("table", table[:2]))
    assert not compares_kinds(manifest("grid", [{"x": 0}, {"x": 1}]))
