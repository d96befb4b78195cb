"""Associations' trust in their origin government (ODD §7.7): outreach raises it, broken
matching promises lower it, and participation follows it."""

import numpy as np
import pytest

from migdev.agents import association
from migdev.model import MigrationModel, scenario


def test_update_trust_by_hand():
    t = np.array([0.5, 0.5, 0.5, 0.5])
    promised = np.array([False, True, True, False])
    honoured = np.array([1.0, 1.0, 0.2, 0.2])
    outreach = np.array([0.0, 0.0, 0.0, 0.5])
    new = association.update_trust(t, promised, honoured, outreach, 0.1)
    # no promise, no outreach: unchanged; kept promise: toward 1; broken: toward 0.2;
    # outreach: + 0.1 * 0.5 * (1 - 0.5)
    assert new.tolist() == pytest.approx([0.5, 0.55, 0.47, 0.525])
    # repeated broken promises settle trust at the share paid
    for _ in range(300):
        t = association.update_trust(t, np.ones(4, bool), np.full(4, 0.2), 0.0, 0.1)
    assert t == pytest.approx(np.full(4, 0.2))


def _run(seed=2, **kw):
    m = MigrationModel(rng=seed, **scenario("remittance_partnership", n_persons=5000, **kw))
    m.run_for(100)
    return m


def _late(m, col):
    df = m.country_frame()
    return float(df[df.step > 60][col].mean())


def test_broken_matching_promises_lower_participation_in_later_years():
    kept, broken = _run(matching_honoured=1.0), _run(matching_honoured=0.2)
    assert _late(broken, "association_trust") < 0.3 < 0.9 < _late(kept, "association_trust")
    assert _late(broken, "association_membership") < _late(kept, "association_membership") - 0.1
    assert (_late(broken, "collective_contributions")
            < 0.5 * _late(kept, "collective_contributions"))
    # before the partnership's match starts, the two runs are the same (common random numbers)
    a, b = kept.country_frame(), broken.country_frame()
    start = int(a.loc[a.matched_funds > 0, "step"].min())
    assert a[a.step < start].equals(b[b.step < start])
    # the government paid only a fifth of the match it promised
    assert 0 < broken.country_frame().matched_funds.sum() < 0.2 * a.matched_funds.sum()


def test_outreach_raises_trust_and_membership_without_any_matching():
    base = MigrationModel(rng=4, n_persons=4000)
    base.run_for(80)
    reach = MigrationModel(rng=4, n_persons=4000, diaspora_outreach=0.5)
    reach.run_for(80)
    assert not base.association_state.moved
    assert (base.association_state.trust == base.p.trust_initial).all()
    assert reach.association_state.trust.min() > 0.9
    for col in ("association_membership", "collective_contributions"):
        lo = float(base.country_frame().query("step > 40")[col].mean())
        hi = float(reach.country_frame().query("step > 40")[col].mean())
        assert hi > lo * 1.2, (col, lo, hi)


def test_trust_of_an_unmoved_world_does_not_matter():
    a = MigrationModel(rng=9, n_persons=2000, trust_initial=0.5)
    b = MigrationModel(rng=9, n_persons=2000, trust_initial=0.9)
    a.run_for(40)
    b.run_for(40)
    cols = [c for c in a.country_frame().columns if c != "association_trust"]
    assert a.country_frame()[cols].equals(b.country_frame()[cols])


def test_association_agents_report_their_trust():
    m = MigrationModel(rng=1, n_persons=1000, diaspora_outreach=1.0)
    m.run_for(4)
    a = m.associations[0]
    assert a.trust == pytest.approx(float(m.association_state.trust[a.index]))
    assert a.trust > m.p.trust_initial
