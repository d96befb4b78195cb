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


def _accounts(table, cost=None, departed=0.0, returned=0.0, net=0.0, avoided=0.0):
    """The accounts' columns of a _table (kUSD per quarter per origin): ``cost``, a dict of
    each origin's public spending."""
    cost = cost or {}
    t = table.copy()
    t["origin_public_cost"] = t.country.map(lambda n: cost.get(n, 0.0))
    t["destination_public_cost"] = 0.0
    t["training_cost_departed"] = departed
    t["training_cost_returned"] = returned
    t["net_transfer_to_origin"] = net
    t["training_cost_avoided"] = avoided
    return t


def test_health_worker_years_per_million_dollars_by_hand():
    """Six quarters (0-5), window from quarter 2: four quarters. The policy raises B's
    effective density from 10 to 12 per 10,000 (1e6 people: 200 more health workers) and
    costs B 250 kUSD a quarter: 1 million USD over the window buys 200 x 4 / 4 = 200
    health-worker years. Counted over B alone when the point's settings name B (A, party to
    the agreement, is counted too: unchanged); over both origins when they name no one."""
    control = _accounts(_table({"A": 10.0, "B": 10.0}), departed=3.0, returned=1.0)
    policy = _accounts(_table({"A": 10.0, "B": 12.0}), cost={"B": 250.0}, departed=3.0,
                       returned=1.0, net=5.0, avoided=6.0)
    out = run_outcomes(policy, 2, control, None, concerned={"B"})
    assert out["public_cost"] == pytest.approx(1.0)
    assert out["public_cost_change"] == pytest.approx(1.0)
    assert out["health_worker_years_change"] == pytest.approx(200.0)
    assert out["worker_years_per_million_usd"] == pytest.approx(200.0)
    assert out["net_transfer_change"] == pytest.approx(2 * 4 * 5.0 / 1000)
    # (3 - 1) kUSD x 2 origins x 4 quarters
    assert out["lost_training_investment"] == pytest.approx(0.016)
    # the destinations' avoided training: 6 kUSD x 2 origins x 4 quarters, none in control
    assert out["destination_training_avoided"] == pytest.approx(0.048)
    assert out["destination_training_avoided_change"] == pytest.approx(0.048)
    # a policy that costs nothing more than its control buys at no defined rate
    free = run_outcomes(control, 2, control, None)
    assert free["public_cost_change"] == 0 and np.isnan(free["worker_years_per_million_usd"])


def test_the_origins_a_point_concerns_are_those_its_settings_name():
    from migdev.experiments.analysis.stats import concerned_origins

    assert concerned_origins({"health_wage_scale[Ghana]": 1.1, "agreement_kind": "none",
                              "return_incentive[Ghana]": 0.0,
                              "formal_fee[Kenya>United Kingdom]": 0.05}) == {"Ghana", "Kenya"}
    # a local lever at its default names no one
    assert concerned_origins({"health_wage_scale[Ghana]": 1.0}) == set()
