"""The calibrated model is the model (issue 36): ``MigrationModel()`` starts from the default
world's shipped calibration, ``calibration=None`` from the parameters' own defaults, and
experiment configs without a calibration from their world's shipped one."""

from __future__ import annotations

import tomllib

import pytest

from migdev.model.params import FIELDS, make_params
from migdev.experiments.engine.config import parse
from migdev.model import MigrationModel
from migdev.model.calibration import (SHIPPED, CalibrationNotFound, calibrated_values,
                                      posterior_means, shipped_calibration_of)

MEANS = posterior_means(SHIPPED / "health2005")


def test_the_default_model_runs_the_shipped_calibration():
    assert shipped_calibration_of("health2005") == "health2005"
    assert shipped_calibration_of("abstract") is None
    m = MigrationModel(rng=1, n_persons=2000)
    assert m.calibration == "health2005"
    assert set(MEANS) == {"channel_const", "financial_access", "demand_health",
                          "return_hazard", "independent_rate"}
    for name, value in MEANS.items():
        assert getattr(m.p, name) == pytest.approx(value), name
        assert value != FIELDS[name].default  # so the check above can fail
    # a keyword wins over the calibration, the others stay calibrated
    m = MigrationModel(rng=1, n_persons=2000, demand_health=0.3)
    assert m.p.demand_health == 0.3 and m.p.channel_const == pytest.approx(MEANS["channel_const"])


def test_calibration_none_gives_the_uncalibrated_defaults_and_a_world_without_one_has_none():
    m = MigrationModel(rng=1, n_persons=2000, calibration=None)
    assert m.calibration is None
    assert all(getattr(m.p, k) == FIELDS[k].default for k in MEANS)
    a = MigrationModel(rng=1, world="abstract", n_persons=2000)
    assert a.calibration is None and a.p.channel_const == FIELDS["channel_const"].default
    # a calibration by name or folder works for a world given as a folder too
    values, label = calibrated_values("elsewhere", SHIPPED / "health2005")
    assert values == pytest.approx(MEANS) and label == "health2005"


def test_a_calibrated_default_run_differs_from_an_uncalibrated_one():
    cal = MigrationModel(rng=3, n_persons=3000)
    unc = MigrationModel(rng=3, n_persons=3000, calibration=None)
    cal.run_for(12)
    unc.run_for(12)
    assert not cal.country_frame().equals(unc.country_frame())


def test_bad_calibrations_are_refused_with_a_message():
    with pytest.raises(CalibrationNotFound, match="not found"):
        MigrationModel(rng=1, calibration="no_such_calibration")
    with pytest.raises(ValueError, match="taken as it is"):
        MigrationModel(make_params(), rng=1, calibration="health2005")
    # a Params object is taken as it is (here: the uncalibrated defaults)
    m = MigrationModel(make_params(n_persons=2000), rng=1)
    assert m.calibration is None and m.p.channel_const == FIELDS["channel_const"].default


def test_a_config_without_a_calibration_runs_its_worlds_shipped_one(tmp_path):
    base = '[experiment]\nname = "x"\n'

    def load_text(text, base_dir):
        return parse(tomllib.loads(text), "test", base_dir)

    default = load_text(base, base_dir=tmp_path)
    assert default.calibration is not None and default.calibration.endswith("health2005")
    assert default.params["channel_const"] == pytest.approx(MEANS["channel_const"])
    none = load_text(base + 'calibration = "none"\n', base_dir=tmp_path)
    assert none.calibration is None and "channel_const" not in none.params
    abstract = load_text(base + '[params]\nworld = "abstract"\n', base_dir=tmp_path)
    assert abstract.calibration is None
