"""Sobol and Morris designs end in sensitivity indices and their figure."""

import pandas as pd
import pytest

from migdev.experiments.analysis.stats import analyse
from migdev.experiments.engine.config import parse
from migdev.experiments.engine.sweep import run_experiment


@pytest.mark.parametrize("design", [
    {"kind": "sobol", "samples": 4, "seed": 1},
    {"kind": "morris", "samples": 3, "levels": 4, "seed": 1},
])
def test_sensitivity_indices_are_computed(tmp_path, design):
    cfg = parse({
        "experiment": {"name": "sens", "scenario": "restrictive_mou", "steps": 24,
                       "replicates": 1, "master_seed": 3},
        # 4,000 persons: on the shipped calibration the formal share is near its ceiling
        # and moves less with the fee (0.70 at 1 % to 0.58 at 20 %), so 400 persons' noise
        # hid it
        "params": {"n_persons": 4000, "agreement_start": 4},
        "design": {**design, "factors": {"return_incentive": {"low": 0.0, "high": 3.0},
                                         "formal_fee": {"low": 0.01, "high": 0.2}}},
    }, src="sens.toml")
    res = run_experiment(cfg, tmp_path / "s", inprocess=True, quiet=True)
    assert res["failed"] == 0
    analyse(res["out"], quiet=True)
    sens = pd.read_csv(tmp_path / "s" / "analysis" / "sensitivity.csv")
    assert set(sens.factor) == {"return_incentive", "formal_fee"}
    col = "ST" if design["kind"] == "sobol" else "mu_star"
    fs = sens[sens.outcome == "formal_share"].set_index("factor")[col]
    # the formal share depends on the fee, not on return incentives
    assert fs["formal_fee"] > fs["return_incentive"]
    assert (tmp_path / "s" / "figures" / "sensitivity.png").stat().st_size > 10_000
