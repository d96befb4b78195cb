"""Reproducibility: same seed -> identical data; pickling; batch_run; common random numbers."""

import pickle

import mesa
import numpy as np
import pandas as pd
import pytest

from migdev.model import SCENARIOS, MigrationModel


def frame(seed, steps=30, **kw):
    m = MigrationModel(rng=seed, n_persons=2000, **kw)
    m.run_for(steps)
    return m.country_frame()


def test_same_seed_identical_different_seed_not():
    a, b, c = frame(7), frame(7), frame(8)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a.equals(c)


def test_fresh_seed_is_recorded_and_reproduces():
    m = MigrationModel(n_persons=1000)
    m.run_for(10)
    again = MigrationModel(rng=m.seed, n_persons=1000)
    again.run_for(10)
    pd.testing.assert_frame_equal(m.country_frame(), again.country_frame(), check_exact=True)


def test_pickle_round_trip_continues_identically():
    m = MigrationModel(rng=3, n_persons=1500, agreement_kind="restrictive", agreement_start=5)
    m.run_for(10)
    twin = pickle.loads(pickle.dumps(m))
    m.run_for(10)
    twin.run_for(10)
    pd.testing.assert_frame_equal(m.country_frame(), twin.country_frame(), check_exact=True)
    assert twin.migrants[5].status == m.migrants[5].status


def test_mesa_batch_run():
    out = mesa.batch_run(MigrationModel, {"n_persons": 1000,
                                          "agreement_kind": ["none", "restrictive"]},
                         rng=[1, 2], max_steps=20, number_processes=1, display_progress=False)
    assert len(out) == 4
    assert {r["agreement_kind"] for r in out} == {"none", "restrictive"}
    assert all(r["Step"] == 20 for r in out)
    assert all(np.isfinite(r["mean_health_density"]) for r in out)


@pytest.mark.parametrize("name", [s for s in SCENARIOS if s != "baseline"])
def test_common_random_numbers_policy_leaves_the_past_identical(name):
    """A policy starting at step 40 leaves steps 0-39 identical to the control."""
    ctrl = MigrationModel(rng=11, n_persons=2000)
    pol = MigrationModel(rng=11, n_persons=2000, **SCENARIOS[name])
    ctrl.run_for(60)
    pol.run_for(60)
    a, b = ctrl.country_frame(), pol.country_frame()
    cols = [c for c in a.columns if c != "party_to_agreement"]
    before_a, before_b = a[a.step < 40][cols], b[b.step < 40][cols]
    pd.testing.assert_frame_equal(before_a.reset_index(drop=True),
                                  before_b.reset_index(drop=True), check_exact=True)
    after_a, after_b = a[a.step >= 40][cols], b[b.step >= 40][cols]
    assert not after_a.reset_index(drop=True).equals(after_b.reset_index(drop=True))


def test_agents_are_views_of_the_arrays():
    from migdev.agents import (
        Government,
        HomeCommunity,
        Migrant,
        MigrantAssociation,
        RecruitmentAgency,
    )

    m = MigrationModel(rng=1, n_persons=500, world="abstract")
    m.run_for(4)
    assert len(m.agents_by_type[Migrant]) == 500
    assert len(m.agents_by_type[HomeCommunity]) == 12
    assert len(m.agents_by_type[RecruitmentAgency]) == 20
    assert len(m.agents_by_type[MigrantAssociation]) == 24
    roles = [g.roles for g in m.agents_by_type[Government]]
    assert roles.count({"origin"}) == 4 and roles.count({"destination"}) == 2
    a = m.migrants[17]
    assert a.human_capital == pytest.approx(float(m.pop.h[17]))
    assert a.status in ("home", "abroad_temporary", "abroad_settled", "abroad_irregular",
                        "returned")
    assert a.debt == pytest.approx(float(m.pop.debt[17]))
    assert a.community.origin == int(m.pop.origin[17])


def test_person_views_are_made_on_demand_and_institutions_read_their_rows():
    from migdev.agents import Migrant

    m = MigrationModel(rng=3, n_persons=800, world="abstract")
    m.run_for(6)
    # no person view exists until one is asked for
    assert len(m.migrants) == 800 and not m.migrants._views
    # nor any association agent (their records are arrays the model updates)
    assert m.associations._agents is None
    v = m.migrants[-1]
    assert v is m.migrants[799] and v.slot == 799 and len(m.migrants._views) == 1
    assert [x.slot for x in m.migrants[3:6]] == [3, 4, 5]
    with pytest.raises(IndexError, match="outside the population"):
        m.migrants[800]
    # Mesa's agent sets see every person (reading them creates the views, once)
    assert len(m.agents_by_type[Migrant]) == 800
    assert m.migrants[799] is v and len(m.agents_by_type[Migrant]) == 800
    from migdev.agents import MigrantAssociation
    made = m.associations._agents  # made with Mesa's agent sets, once
    assert len(made) == m.n_comm * m.n_dest == len(m.agents_by_type[MigrantAssociation])
    assert m.associations[0] is made[0] and len(m.associations) == len(made)
    # agencies and associations read their rows of the arrays the model updates at once
    st = m.agency_state
    for a in m.agencies[:5]:
        assert np.shares_memory(a.attractiveness, st.attractiveness)
        assert np.array_equal(a.offers, st.offers[a.index])
        assert a.complied == bool(st.complied[a.index])
        assert a.total_placed == int(st.total_placed[a.index])
    assert st.total_placed.sum() > 0  # agencies placed someone in six quarters
    ast = m.association_state
    for a in m.associations:
        assert a.index == a.community * m.n_dest + a.destination
        assert a.total_fund == ast.total_fund[a.index]
        assert a.members == ast.members[a.index]


def test_seed_as_typed_text_and_bad_seeds():
    from migdev.core.errors import ParameterError

    a = MigrationModel(rng="12", n_persons=500)
    assert a.seed == 12
    for bad in ("twelve", -3, 1.5, True):
        with pytest.raises(ParameterError, match="rng="):
            MigrationModel(rng=bad, n_persons=500)


def test_mesa_datacollector_holds_the_world_series():
    """A Mesa user's get_model_vars_dataframe() works and agrees with country_frame()."""
    from migdev import MigrationModel

    m = MigrationModel(rng=5, n_persons=2000, agreement_kind="restrictive", agreement_start=2)
    m.run_for(8)
    mv = m.datacollector.get_model_vars_dataframe()
    cf = m.country_frame()
    assert len(mv) == 9  # the initial state and 8 steps
    by_step = cf.groupby("step")
    np.testing.assert_allclose(mv["recruits"].to_numpy(), by_step["recruits"].sum().to_numpy(),
                               rtol=1e-12)
    assert mv["recruits"].sum() > 0
    non_party = cf[~cf.party_to_agreement].groupby("step")["recruits"].sum().to_numpy()
    np.testing.assert_allclose(mv["recruits_non_party"].to_numpy(), non_party, rtol=1e-12)
    assert mv["mean_health_density"].to_numpy() == pytest.approx(
        by_step["health_density"].mean().to_numpy())


def test_datacollector_read_during_a_run_gives_what_a_read_at_its_end_gives():
    """The reporters' values are read from the stored rows when asked for: a series read
    after 3 steps and again after 8 equals the series of the same run read only at the end,
    one value per step and per reporter, computed once."""
    from migdev import MigrationModel

    a = MigrationModel(rng=9, n_persons=1500)
    a.run_for(3)
    early = a.datacollector.get_model_vars_dataframe()
    assert len(early) == 4
    a.run_for(5)
    b = MigrationModel(rng=9, n_persons=1500)
    b.run_for(8)
    got, want = a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(got.iloc[:4], early, check_exact=True)
    assert all(len(v) == 9 for v in a.datacollector.model_vars.values())
    assert a.datacollector._collection_steps == list(range(9))
    # each value is the reporter's on the model's row of that step
    last = a.country_rows[-1][:, a.col_index("returns")].sum()
    assert got["returns"].iloc[-1] == last
