"""The governments' accounts (ODD §7.14): hand-worked cases of each rule, the world's
training costs against the published figures they come from, and the columns of a run."""

import numpy as np
import pandas as pd
import pytest

from migdev.agents.government.accounts import (
    LEDGER_COLUMNS,
    AccountTerms,
    accounts,
    agreement_parties,
    column_positions,
)
from migdev.core.codes import HEALTH
from migdev.core.records import Agreement, Local
from migdev.model.metrics import COL_INDEX
from migdev.model.model import MigrationModel
from migdev.model.world import health_training_cost


def test_the_cost_of_an_emigrant_health_worker_by_hand():
    """Origin A: doctors 2 and nurses 8 per 10,000 at home, half of the doctors and a fifth
    of the nurses abroad, so 2 doctors and 2 nurses abroad per 10,000 (m = 1/2); a doctor
    costs 60,000 and a nurse 30,000: c = 45,000. Origin B has no costs and no emigration
    rates: its doctor takes A's 60,000 (the mean of those that have one), its nurse
    60,000 x A's ratio 1/2 = 30,000, and the mix is the one at home (1 doctor in 4): c =
    37,500."""
    rows = [dict(train_cost_doctor=60_000.0, train_cost_nurse=30_000.0, doctors_density=2.0,
                 nurses_midwives_density=8.0, emig_doctors=0.5, emig_nurses=0.2),
            dict(train_cost_doctor=None, train_cost_nurse=None, doctors_density=1.0,
                 nurses_midwives_density=3.0, emig_doctors=None, emig_nurses=None)]
    assert health_training_cost(rows) == pytest.approx([45_000.0, 37_500.0], rel=1e-12)
    # a world without the figures counts no training cost
    none = [dict(r, train_cost_doctor=None, train_cost_nurse=None) for r in rows]
    assert (health_training_cost(none) == 0).all()


def test_the_worlds_training_costs_are_the_published_ones_in_2000_dollars():
    """Each figure read (docs/ODD.md §7.14), deflated by the US CPI-U annual averages; the
    United Kingdom's, in pounds, converted at the year's exchange rate first (the rates and
    the CPI-U of 1983 and 1989 are unchecked, as the world's sources say)."""
    from migdev.core.worlds import load_world

    cpi = {1983: 99.6, 1989: 124.0, 2000: 172.2, 2005: 195.3, 2006: 201.6, 2011: 224.87}
    usd_per_gbp = {1983: 1.5158, 1989: 1.6382}
    published = {("Kenya", "doctor"): (65_997, 2005), ("Kenya", "nurse"): (43_180, 2005),
                 ("Malawi", "doctor"): (56_946.79, 2006),
                 ("South Africa", "doctor"): (58_700, 2011),
                 ("United Kingdom", "doctor"): (100_000 * usd_per_gbp[1983], 1983),
                 ("United Kingdom", "nurse"): (14_000 * usd_per_gbp[1989], 1989)}
    rows = {r["country"]: r for r in load_world("health2005").countries}
    for (country, who), (usd, year) in published.items():
        assert rows[country][f"train_cost_{who}"] == pytest.approx(
            usd * cpi[2000] / cpi[year], abs=1.0), (country, who)


def test_the_destinations_avoided_training_by_hand():
    """Two origins (doctors a half of the first's emigrant health workers, a third of the
    second's health workers at home) and three destinations: one with its own costs, one with a doctor's only, one
    with none. The second's nurse is its doctor's times the first's nurse/doctor ratio; the
    third takes the mean doctor of the two and the nurse by the same ratio."""
    from migdev.model.world import destination_training_cost

    origins = [dict(doctors_density=1.0, nurses_midwives_density=4.0, emig_doctors=0.5,
                    emig_nurses=0.2),  # 1 doctor and 1 nurse abroad per 10,000: m = 1/2
               dict(doctors_density=2.0, nurses_midwives_density=4.0, emig_doctors=None,
                    emig_nurses=None)]  # the mix at home: m = 1/3
    dests = [dict(train_cost_doctor=200_000.0, train_cost_nurse=50_000.0),
             dict(train_cost_doctor=100_000.0, train_cost_nurse=None),
             dict(train_cost_doctor=None, train_cost_nurse=None)]
    cost = destination_training_cost(origins, dests)
    doc = np.array([200_000.0, 100_000.0, 150_000.0])
    nur = doc * 0.25
    want = np.vstack([0.5 * doc + 0.5 * nur, doc / 3 + 2 * nur / 3])
    assert cost == pytest.approx(want, rel=1e-12)


def test_agreement_parties_by_hand():
    """Four origins, three destinations. A bilateral agreement of destinations 0 and 1 with
    origins 0 and 1: each origin signs one, and each destination's one is spread over the
    two (1/2 each, twice). A code of destinations 0, 1, 2 with origins 2 and 3 on the list:
    they sign nothing, and each gets 3/2. An agreement not yet in force counts nothing."""
    bilateral = Agreement(kind="restrictive", destinations=(0, 1), origins=(0, 1), start=0)
    code = Agreement(kind="multilateral", destination=-1, origins=(), start=0)
    later = Agreement(kind="circular", destination=2, origins=(3,), start=5)
    listed = np.array([False, False, True, True])
    own, partners = agreement_parties((bilateral, code, later), 1, 3, 4, listed)
    assert own.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert partners.tolist() == [1.0, 1.0, 1.5, 1.5]
    own, partners = agreement_parties((later,), 5, 3, 4, listed)
    assert own.tolist() == [0, 0, 0, 1.0] and partners.tolist() == [0, 0, 0, 1.0]


def test_the_accounts_of_one_row_by_hand():
    """Two origins; every input column set by hand, each account worked out on paper."""
    names = ["population", "health_density", "health_recruits", "health_returns",
             "health_trainees", "returns", "recruits_agreement", "matched_funds",
             "remittances_formal", "remittances_informal", "collective_contributions",
             "remittance_fees", "remittance_losses", "missions"]
    col = {n: i for i, n in enumerate(names + list(LEDGER_COLUMNS))}
    row = np.full((2, len(col)), np.nan)
    row[:, :len(names)] = [
        # pop, dens, h.rec, h.ret, trainees, returns, g2g, matched, formal, informal,
        # collective, fees, losses, missions
        [1e6, 20.0, 10, 4, 30, 50, 6, 7.0, 100.0, 40.0, 10.0, 8.0, 2.0, 8.0],
        [5e5, 10.0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0]]
    terms = AccountTerms(train=np.array([40.0, 30.0]), wage_rise=np.array([0.5, 0.0]),
                         incentive=np.array([5.0, 0.0]), admin_origin=np.array([25.0, 0.0]),
                         admin_destination=np.array([12.5, 0.0]), placement=2.0,
                         train_destination=np.array([[100.0, 60.0], [80.0, 50.0]]),
                         mission=np.array([2.5, 0.0]), data=np.array([25.0, 0.0]))
    # the health recruits by destination (origin 0: 7 to destination 0, 3 to destination 1)
    accounts(row, column_positions(col), terms, np.array([[7.0, 3.0], [0.0, 0.0]]))
    a = {n: row[:, col[n]].tolist() for n in LEDGER_COLUMNS}
    assert a["training_cost_departed"] == [400.0, 0.0]  # 10 x 40
    assert a["training_cost_returned"] == [160.0, 0.0]  # 4 x 40
    assert a["training_spending"] == [1200.0, 0.0]  # 30 x 40
    assert a["wage_rise_cost"] == [1000.0, 0.0]  # 0.5 x 20 x 1e6 / 1e4
    assert a["return_incentive_cost"] == [250.0, 0.0]  # 50 x 5
    assert a["agreement_admin_origin"] == [25.0, 0.0]
    assert a["agreement_admin_destination"] == [12.5, 0.0]
    assert a["g2g_placement_cost"] == [12.0, 0.0]  # 6 x 2
    assert a["mission_programme_cost"] == [20.0, 0.0]  # 8 x 2.5; no programme: 0
    assert a["data_partnership_cost"] == [25.0, 0.0]
    assert a["origin_public_cost"] == [1302.0, 0.0]  # 7 + 1000 + 250 + 25 + 20
    assert a["destination_public_cost"] == [49.5, 0.0]  # 12.5 + 12 + 25
    assert a["remittances_received"] == [140.0, 0.0]  # 100 + 40 + 10 - 8 - 2
    assert a["net_transfer_to_origin"] == [-100.0, 0.0]  # 140 - 400 + 160
    assert a["training_cost_avoided"] == [880.0, 0.0]  # 7 x 100 + 3 x 60


def test_a_runs_accounts_follow_its_levers():
    """A run with Ghana's health pay raised by 10 %, a return incentive of 1, a diaspora
    programme, a data partnership and a circular agreement with the UK: Ghana's
    wage_rise_cost is 0.1 x its health wage x its health workers at home, its incentive costs
    5 kUSD per return, its programme pays for the missions it adds, the UK pays for each G2G
    placement, the destinations for the data partnership, and both sides pay the
    administration; no other origin pays anything. The health workers who return are among
    the returns."""
    gh = "Ghana"
    m = MigrationModel(n_persons=6000, rng=2, agreement_kind="circular", agreement_origin=gh,
                       agreement_destination="United Kingdom", g2g_quota=0.05,
                       agreement_start=2, local=(Local("health_wage_scale", gh, 1.1),
                                                 Local("return_incentive", gh, 1.0),
                                                 Local("diaspora_engagement", gh, 1.0),
                                                 Local("data_partnership", gh, True)))
    g = m.world.origin_names.index(gh)
    m.run_for(12)
    df = m.country_frame()
    ghana, rest = df[df.country == gh], df[(df.country != gh) & (df.step > 0)]
    health_home = ghana.health_density * ghana.population / 10_000
    wage = m.world.home_wage[g, HEALTH]
    np.testing.assert_allclose(ghana.wage_rise_cost, (1.1 - 1.0) * wage * health_home,
                               rtol=1e-12)
    np.testing.assert_allclose(ghana.return_incentive_cost, 5.0 * ghana.returns, rtol=1e-12)
    np.testing.assert_allclose(ghana.g2g_placement_cost, 2.0 * ghana.recruits_agreement)
    # the programme doubles the mission rate, so pays for half of the missions at 5 kUSD;
    # the destinations pay 25 kUSD a quarter for the data partnership
    np.testing.assert_allclose(ghana.mission_programme_cost, 5.0 * 0.5 * ghana.missions,
                               rtol=1e-12)
    assert ghana.missions.sum() > 0 and (ghana.data_partnership_cost[ghana.step > 0] == 25).all()
    assert ghana.recruits_agreement.sum() > 0 and ghana.health_returns.sum() > 0
    later = ghana.step >= 2
    assert (ghana.agreement_admin_origin[later] == 25.0).all()
    assert (ghana.agreement_admin_destination[later] == 25.0).all()
    assert (ghana.agreement_admin_origin[~later] == 0.0).all()
    for c in ("wage_rise_cost", "return_incentive_cost", "g2g_placement_cost",
              "agreement_admin_origin", "agreement_admin_destination",
              "mission_programme_cost", "data_partnership_cost"):
        assert (rest[c] == 0).all(), c
    assert (df.health_returns <= df.returns).all()
    assert (df.training_cost_departed > 0).any()
    c = m.world.health_train_cost / 1000.0
    np.testing.assert_allclose(ghana.training_cost_departed, ghana.health_recruits * c[g])


def test_the_accounts_columns_are_in_the_table_in_real_units():
    """Every account is a column of the country table, with a finite value in every row
    (that they do not depend on how many persons are simulated is tests/model/test_scale.py's
    to show)."""
    assert set(LEDGER_COLUMNS) <= set(COL_INDEX)
    m = MigrationModel(n_persons=1000, rng=3)
    m.run_for(2)
    df = m.country_frame()
    assert np.isfinite(df[list(LEDGER_COLUMNS)].to_numpy()).all()


def test_prices_change_no_behaviour():
    """The accounts' prices are read by the accounts alone: a run with every price at five
    times its default is the same run, bit for bit, but for the columns they price."""
    kw = dict(n_persons=3000, rng=5, agreement_kind="circular", agreement_origin="Ghana",
              agreement_destination="United Kingdom", g2g_quota=0.05, agreement_start=2,
              local=(Local("return_incentive", "Ghana", 1.0),
                     Local("diaspora_engagement", "Ghana", 1.0),
                     Local("data_partnership", "Ghana", True)))
    a = MigrationModel(**kw)
    b = MigrationModel(agreement_admin_cost=125.0, g2g_placement_cost=10.0,
                       return_incentive_cost=25.0, mission_cost=25.0,
                       data_partnership_cost=125.0, **kw)
    a.run_for(10)
    b.run_for(10)
    fa, fb = a.country_frame(), b.country_frame()
    priced = ["return_incentive_cost", "agreement_admin_origin", "agreement_admin_destination",
              "g2g_placement_cost", "mission_programme_cost", "data_partnership_cost",
              "origin_public_cost", "destination_public_cost"]
    same = [c for c in fa.columns if c not in priced]
    pd.testing.assert_frame_equal(fa[same], fb[same])
    assert (fb.origin_public_cost > fa.origin_public_cost).any()
    np.testing.assert_allclose(fb.agreement_admin_origin, 5 * fa.agreement_admin_origin)
