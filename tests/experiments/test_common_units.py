"""The analysis puts spillover and brain circulation in one unit: effective health workers
per 10,000 at home (ODD §7.10), against the paired control and the no-migration control."""

import numpy as np
import pandas as pd
import pytest

from migdev.experiments.analysis.stats import country_outcomes, run_outcomes


def _table(eff, returnees=0.0, missions=0.0, steps=range(6)):
    """A country table of two origins, A party to the agreement and B not, with the given
    effective density per origin (a dict) from step 0 on."""
    rows = []
    for s in steps:
        for n in ("A", "B"):
            rows.append({"step": s, "country": n, "party_to_agreement": n == "A",
                         "population": 1e6, "health_recruits": 0, "recruits": 1, "returns": 0,
                         "missions": 0, "knowledge_transferred": 0.0,
                         "mean_returnee_skill_gain": 0.0, "remittances_formal": 0.0,
                         "remittances_informal": 0.0, "remittance_fees": 0.0,
                         "remittance_losses": 0.0, "collective_contributions": 0.0,
                         "matched_funds": 0.0, "health_density": 10.0,
                         "human_capital_home": 100.0, "effective_health_density": eff[n],
                         "effective_density_returnees": returnees,
                         "effective_density_missions": missions})
    return pd.DataFrame(rows)


def test_spillover_and_net_brain_gain_in_effective_density():
    policy = _table({"A": 12.0, "B": 9.0}, returnees=1.5, missions=0.25)
    control = _table({"A": 11.0, "B": 10.0})
    nomig = _table({"A": 10.0, "B": 10.5})
    out = run_outcomes(policy, 2, control, nomig)
    assert out["effective_density_change_nonparty"] == pytest.approx(-1.0)  # B: 9 - 10
    assert out["effective_density_change_all"] == pytest.approx(0.0)  # (12 + 9 - 11 - 10) / 2
    assert out["net_effective_density"] == pytest.approx((12 + 9 - 10 - 10.5) / 2)
    assert out["circulation_capacity"] == pytest.approx(1.75)
    per = country_outcomes(policy, 2, control, nomig).set_index("country")
    assert per.loc["A", "effective_density_change"] == pytest.approx(1.0)
    assert per.loc["B", "effective_density_change"] == pytest.approx(-1.0)
    assert per.loc["A", "effective_density_vs_no_migration"] == pytest.approx(2.0)
    assert per.loc["B", "effective_density_vs_no_migration"] == pytest.approx(-1.5)
    # spillover and net brain gain of an origin add up in the one unit
    total = per.effective_density_change + per.effective_density_vs_no_migration
    assert total.to_dict() == pytest.approx({"A": 3.0, "B": -2.5})


def test_only_the_window_counts_and_no_migration_control_is_optional():
    policy = _table({"A": 12.0, "B": 9.0})
    policy.loc[policy.step < 2, "effective_health_density"] = 100.0  # before the agreement
    control = _table({"A": 11.0, "B": 10.0})
    out = run_outcomes(policy, 2, control, None)
    assert out["effective_density_change_all"] == pytest.approx(0.0)
    assert "net_effective_density" not in out
    per = country_outcomes(policy, 2, control)
    assert per.effective_density_vs_no_migration.isna().all()


def test_tables_written_before_effective_capacity_still_analyse():
    old = _table({"A": 1.0, "B": 1.0}).drop(columns=["effective_health_density",
                                                       "effective_density_returnees",
                                                       "effective_density_missions"])
    out = run_outcomes(old, 2, old, old)
    assert "effective_density_change_all" not in out and out["net_human_capital"] == 0.0
    per = country_outcomes(old, 2, old, old)
    assert per.effective_density_change.isna().all()
    assert np.isfinite(per.density_change).all()


def test_returnee_premium_is_the_last_quarter_s_mean_over_origins():
    policy = _table({"A": 1.0, "B": 1.0})
    policy["returnee_earnings_premium"] = np.where(policy.country == "A", 0.10, 0.20)
    policy.loc[policy.step < 5, "returnee_earnings_premium"] = 5.0  # earlier quarters: unused
    out = run_outcomes(policy, 2, policy, None)
    assert out["returnee_earnings_premium"] == pytest.approx(0.15)
    assert "returnee_earnings_premium" not in run_outcomes(_table({"A": 1.0, "B": 1.0}), 2,
                                                           None, None)
