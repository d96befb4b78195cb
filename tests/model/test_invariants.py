"""Model invariants over many seeds and random parameter sets (Hypothesis).

People are conserved, money is conserved, rates stay in [0, 1], no stock goes negative.
"""

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from migdev.model import MigrationModel
from migdev.model.metrics import COUNTRY_COLUMNS

RATE_COLUMNS = ["skilled_emigration_rate", "health_emigration_rate", "return_rate",
                "remittance_cost_share", "formal_share", "development_index",
                "brain_waste_share", "overstay_share"]

params = st.fixed_dictionaries({
    "n_persons": st.integers(300, 1500),
    "agreement_kind": st.sampled_from(["none", "restrictive", "circular", "multilateral"]),
    "agreement_start": st.integers(0, 8),
    "implementation_rate": st.floats(0, 1),
    "agency_regulation": st.floats(0, 1),
    "enforcement": st.floats(0, 1),
    "matching_ratio": st.floats(0, 5),
    "return_incentive": st.floats(0, 3),
    "formal_fee": st.floats(0, 0.3),
    "settlement_visa_openness": st.floats(0, 1),
    "border_enforcement": st.floats(0, 1),
    "integration_policy": st.floats(0, 1),
    "adaptive_policy": st.booleans(),
    "migration_enabled": st.booleans(),
    "n_origins": st.integers(3, 6),
    "n_destinations": st.integers(1, 3),
    "communities_per_origin": st.integers(1, 4),
})


#: a run in which an origin's every remittance of a quarter was lost: its fees and losses
#: came out one unit in the last place above the amount sent (a cost share above 1, found
#: by Hypothesis; the share is now at most 1)
ALL_LOST = {"n_persons": 451, "agreement_kind": "none", "agreement_start": 0,
            "implementation_rate": 0.0, "agency_regulation": 0.0, "enforcement": 0.0,
            "matching_ratio": 0.0, "return_incentive": 0.0, "formal_fee": 0.25,
            "settlement_visa_openness": 0.0, "border_enforcement": 0.0,
            "integration_policy": 0.0, "adaptive_policy": True, "migration_enabled": True,
            "n_origins": 6, "n_destinations": 3, "communities_per_origin": 1}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kw=params, seed=st.integers(0, 2**32))
@example(kw=ALL_LOST, seed=65535)
@example(kw={**ALL_LOST, "n_persons": 489, "migration_enabled": False, "adaptive_policy": False,
             "n_destinations": 1}, seed=986)  # all lost: received was -4e-12 (Hypothesis)
def test_conservation_and_ranges(kw, seed):
    m = MigrationModel(rng=seed, **{"world": "abstract", **kw})
    pop = m.pop
    n = pop.n
    for _ in range(14):
        ids_before = pop.person_id.copy()
        abroad_before = pop.abroad().copy()
        age_before = pop.age.copy()
        m.step()
        # people: the population keeps its size; every exit is replaced by one entrant
        assert pop.n == n
        changed = pop.person_id != ids_before
        assert (age_before[changed] >= m.p.retirement_age - 0.25).all()
        assert len(np.unique(pop.person_id)) == n
        last = m.country_frame().query("step == @m.steps")
        # the table's counts are in real persons: back to simulated ones
        w = m.world.person_weight
        recruits = round(float((last.recruits.to_numpy() / w).sum()))
        returns = round(float((last.returns.to_numpy() / w).sum()))
        exits_abroad = int((changed & abroad_before).sum())
        assert pop.abroad().sum() == abroad_before.sum() + recruits - returns - exits_abroad
        if not kw["migration_enabled"]:
            assert recruits == 0
        # money: sent = received + fees + losses; collective funds and their match
        mo = m.flows.money
        assert np.isclose(mo["sent"], mo["received"] + mo["fees"] + mo["losses"], rtol=1e-9,
                          atol=1e-6)
        assert np.isclose(mo["matched"], m.p.matching_ratio * mo["collective"], atol=1e-6)
        assert np.isclose(mo["to_projects"], mo["collective"] - mo["collective_fees"]
                          + mo["matched"], atol=1e-6)
    df = m.country_frame()
    assert set(COUNTRY_COLUMNS) <= set(df.columns)
    assert len(df) == (m.steps + 1) * m.n_orig
    for c in RATE_COLUMNS:
        assert df[c].between(0, 1).all(), c
    # every number is non-negative but the returnee premium, which is above -1 (returnees
    # whose skills were wasted abroad can earn less than stayers; earnings stay positive),
    # and the net transfer to the origin (remittances less the training investment carried
    # away: either sign)
    numeric = df.select_dtypes("number").drop(columns=["returnee_earnings_premium",
                                                       "net_transfer_to_origin"])
    assert (numeric >= 0).all().all(), numeric.columns[(numeric < 0).any()].tolist()
    assert (df.returnee_earnings_premium > -1).all()
    assert (pop.debt >= 0).all() and (pop.savings >= 0).all()
    assert ((pop.integration >= 0) & (pop.integration <= 1)).all()
    assert ((pop.ties >= 0) & (pop.ties <= 1)).all()
    assert ((pop.h >= m.p.h_min - 1e-6) & (pop.h <= m.p.h_max + 1e-6)).all()
    for k in ("knowledge", "investment", "projects"):
        assert (getattr(m.community_state, k) >= 0).all()


def test_step_totals_are_the_sums_of_their_parts():
    """The quarter's money is stored as parts and summed when read: the same floats as
    summing at once, as a mapping (unpacked, iterated) like the dict it replaced."""
    from migdev.core.ledger import Totals
    parts = {"sent": np.array([0.1, 0.2, 0.3]), "losses": np.zeros(0), "matched": 2.5}
    t = Totals(**parts)
    assert dict(t) == {"sent": float(parts["sent"].sum()), "losses": 0.0, "matched": 2.5}
    assert list(t) == ["sent", "losses", "matched"] and len(t) == 3
    assert {**t, "x": 1.0}["sent"] == t["sent"]
    m = MigrationModel(n_persons=2_000, rng=3)
    for _ in range(5):
        m.step()
    assert isinstance(m.flows.money, Totals) and m.flows.money["sent"] > 0
    assert set(m.flows.money) == {"sent", "received", "fees", "losses", "collective",
                                 "collective_fees", "to_projects", "matched"}
