"""The policy in force is made anew only when it changes, and what is derived from it and
from the parameters (MigrationModel.derived) follows every change."""

import numpy as np
import pytest

from migdev.agents import agency, association, government, migrant
from migdev.agents.government.accounts import make_account_terms
from migdev.core.records import Event
from migdev.model import MigrationModel
from migdev.model.scenarios import scenario


def fresh_policy(m):
    return government.policy_state(m.agreements, m.steps, m.n_dest, m.n_orig,
                                   m.government_state.listed)


def same_policy(a, b):
    return (all(np.array_equal(getattr(a, f), getattr(b, f))
                for f in ("protected", "protect_strength", "covered", "extra_training", "rights"))
            and [(id(x), d, o) for x, d, o in a.g2g] == [(id(x), d, o) for x, d, o in b.g2g])


def test_policy_kept_while_unchanged_and_made_anew_when_an_agreement_starts():
    m = MigrationModel(n_persons=300, rng=3,
                       **scenario("restrictive_mou", agreement_start=4, g2g_quota=0.01))
    kept, made = 0, []
    for _ in range(10):
        before = m.policy
        m.step()
        assert same_policy(m.policy, fresh_policy(m))  # as if made every step
        if m.policy is before:
            kept += 1
        else:
            made.append(m.steps)
    assert 4 in made and kept >= 7, (made, kept)
    assert m.policy.protected[0, 0] and not m.policy.protected.flags.writeable


#: how each value MigrationModel.derived keeps is made (every name it holds must be here)
MAKERS = {
    "agency_terms": agency.agency_terms,
    "offer_count_terms": agency.make_offer_count_terms,
    "market_terms": agency.market_terms,
    "destination_terms": agency.destination_terms,
    "formal_probability": lambda m: migrant.formal_probability(
        m.lever("formal_fee"), m.p.informal_fee, m.p.informal_loss, m.p),
    "home_wage": migrant.make_home_wages,
    "protected_origins": lambda m: m.policy.protected.any(axis=0),
    "match_terms": association.match_terms,
    "training_terms": migrant.make_training_terms,
    "abroad_terms": migrant.make_abroad_terms,
    "decide_terms": migrant.make_decide_terms,
    **{"right:" + r: (lambda m, r=r: government.make_corridor_right(m, r))
       for r in agency.RIGHTS},
    "account_terms": make_account_terms,
}


def assert_same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("param, value", [("enforcement", 0.1), ("integration_policy", 0.9),
                                          ("worker_fee_ban", 1.0), ("formal_fee", 0.03),
                                          ("matching_ratio", 3.0), ("home_wage_scale", 1.2)])
def test_derived_values_follow_scheduled_events(param, value):
    m = MigrationModel(n_persons=2000, rng=4, events=(Event(3, param, value),),
                       **scenario("restrictive_mou", agreement_start=2))
    compared = {name: [] for name in MAKERS}
    for _ in range(8):
        m.step()
        if m._derived.get("_p") is not m.p:
            continue
        for name, held in m._derived.items():  # what this step's processes read
            if name.startswith("_"):
                continue
            assert name in MAKERS, f"add {name!r} to MAKERS"
            assert_same(held, MAKERS[name](m))
            compared[name].append(m.steps)
    # every value was read after the event (a stale one would have failed above)
    assert all(any(t >= 3 for t in steps) for steps in compared.values()), compared


def test_derived_values_follow_the_home_wages_when_they_respond():
    """With the home wages responding to shortage and development (ODD §7.15), every value
    a step holds that reads them is the one the current wages give."""
    m = MigrationModel(n_persons=2000, rng=4, wage_shortage_elasticity=2.0,
                       wage_development_elasticity=1.0)
    moved = 0
    for _ in range(8):
        before = m.government_state.wage_response.copy()
        m.step()
        moved += not np.array_equal(before, m.government_state.wage_response)
        for name, held in m._derived.items():
            if not name.startswith("_"):
                assert_same(held, MAKERS[name](m))
        m.step()  # a step reads them all: compare what it held at its end
        for name, held in m._derived.items():
            if not name.startswith("_"):
                assert_same(held, MAKERS[name](m))
    assert moved >= 3
