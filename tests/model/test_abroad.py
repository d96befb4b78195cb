"""A quarter abroad in one compiled call (migrant.abroad_quarter) against the four processes
it stands for (migrant.work, migrant.remit, association.missions, migrant.returns) called one
after the other: the same model run both ways must change everything the same, bit for bit,
step after step, with every lever the quarter reads set per country or corridor."""

from dataclasses import fields

import numpy as np
import pytest

import migdev.model.model as model_module
from migdev.agents import association, migrant
from migdev.agents.migrant import kernels as migrant_kernels
from migdev.core.params import make_params
from migdev.core.records import Event
from migdev.model import MigrationModel
from migdev.model.scenarios import SCENARIOS

#: every lever and switch of the quarter abroad, most of them per country or corridor:
#: rights to change employer and to carry pensions, a promised match paid in part (trust
#: moves, so joining and giving depend on each association), savings and wage motives of
#: return (a wage change by event), named re-hiring, contract substitution
LOCAL_RULES = {**SCENARIOS["circular_mou"], "named_rehire_rate": {"United Kingdom": 0.75},
               "matching_ratio": 3.0, "matching_honoured": 0.2, "diaspora_outreach": 0.1,
               "mission_rate": 0.02, "agreement_rights": 1.0, "worker_fee_ban": 0.5,
               "employer_change_right": {"United States": 0.9, "Canada": 0.6},
               "social_security_portability": {"United Kingdom": 0.5},
               "settlement_visa_openness": {"United Kingdom": 0.9, "Canada": 0.6},
               "contract_substitution": 0.5, "hazard_savings": 1.0,
               "formal_fee": {"Ghana>United Kingdom": 0.02},
               "return_incentive": {"Ghana": 0.5}, "diaspora_engagement": {"Ghana": 2.0},
               "integration_policy": {"Canada": 0.9}, "adaptive_policy": True,
               "events": (Event(12, "wage_dest_scale[United States]", 1.3),)}


def state(m) -> dict:
    """Everything a step leaves behind, as bytes."""
    out = {f"pop.{f.name}": getattr(m.pop, f.name).tobytes() for f in fields(m.pop)}
    out.update({f"comm.{k}": np.asarray(v).tobytes() for k, v in m.comm.items()})
    out["flows"] = m.flows.data.tobytes()
    out["flows_to_dest"] = m.flows_to_dest.tobytes()
    st = m.association_state
    out.update({f"assoc.{k}": np.asarray(v).tobytes() for k, v in vars(st).items()})
    out["assoc_members"] = np.asarray(m.assoc_members).tobytes()
    out["assoc_fund"] = np.asarray(m.assoc_fund).tobytes()
    out["money"] = np.array([m.last_money[k] for k in sorted(m.last_money)]).tobytes()
    out["row"] = m._rows[-1].tobytes()
    out["streams"] = repr([g.bit_generator.state for g in m.streams.values()])
    return out


#: the match promised and the share paid per origin (the associations' accounts per
#: community)
LOCAL_MATCH = {**LOCAL_RULES, "matching_ratio": {"Ghana": 3.0, "Nigeria": 1.0},
               "matching_honoured": {"Ghana": 0.5}}


@pytest.mark.parametrize("rules", [SCENARIOS["baseline"], LOCAL_RULES, LOCAL_MATCH],
                         ids=["baseline", "local_rules", "local_match"])
def test_one_call_changes_what_the_four_processes_change(rules, monkeypatch):
    fused = MigrationModel(rng=11, n_persons=3000, **rules)
    four = MigrationModel(rng=11, n_persons=3000, **rules)
    moved = abroad = 0
    for t in range(40):
        fused.step()
        with monkeypatch.context() as mp:
            mp.setattr(model_module.migrant, "abroad_quarter", migrant.abroad_quarter_stated)
            four.step()
        a, b = state(fused), state(four)
        differ = [k for k in a if a[k] != b[k]]
        assert not differ, f"step {t}: {differ}"
        abroad = max(abroad, int(fused.pop.abroad().sum()))
        moved += fused.association_state.moved
    assert abroad > 100  # the quarter abroad had persons to work on
    if rules is not SCENARIOS["baseline"]:
        assert moved > 0  # and the associations' trust moved (participation per association)
        assert fused.flows_to_dest[:, :, 2].sum() > 0  # returns by corridor


def test_a_quarter_abroad_refuses_whole_rows_of_draws():
    m = MigrationModel(rng=3, n_persons=500)
    m.run_for(8)
    idx = np.flatnonzero(m.pop.abroad())
    assert len(idx) > 0
    whole = np.zeros(m.pop.n, dtype=np.float32)
    mine = np.zeros(len(idx), dtype=np.float32)
    args = (np.zeros((2, len(idx)), np.float32), np.zeros((3, len(idx)), np.float32), mine,
            mine)
    for k, bad in enumerate([np.zeros((2, m.pop.n), np.float32), np.zeros((3, len(idx))),
                             whole, whole]):
        given = list(args)
        given[k] = bad
        with pytest.raises(ValueError, match="draws of shape"):
            migrant_kernels.abroad_quarter(m.pop, idx, *given, 1.0, m.comm["access"],
                                   m.comm["development"], m.flows_to_dest,
                                   migrant.abroad_terms(m), m.n_comm, m.n_dest)


def below32(x: float) -> bool:
    """Whether float32(x) < x: a float32 draw equal to float32(x) is then below x at float64
    but not below float32(x) (the one draw where the two comparisons differ)."""
    return float(np.float32(x)) < x


def test_draws_at_the_float32_thresholds(monkeypatch):
    # where a lever is one Python number, numpy compared a float32 draw with it at float32;
    # the one call must too: draws set equal to float32 of each such threshold (joining,
    # recognition of skills, the formal channel, the informal channel's loss)
    from migdev.core import rng as rng_module

    rules = {"association_join_rate": 0.35, "recognition_rate": 0.45, "informal_loss": 0.35}
    assert all(below32(v) for v in rules.values())
    for const in np.linspace(-10.0, 10.0, 2001):  # a formal channel's probability below too
        # (a formal fee that is the informal fee plus its loss: logistic(const))
        p_formal = migrant.formal_probability(0.40, 0.05, 0.35, make_params(
            channel_const=float(const), **rules))
        if below32(p_formal) and 0.2 < p_formal < 0.9:
            break
    else:
        pytest.fail("no channel constant gives a formal probability below its float32")
    rules.update(channel_const=float(const), formal_fee=0.40, informal_fee=0.05)
    at = {("work", 0): rules["association_join_rate"], ("work", 1): rules["recognition_rate"],
          ("remit", 1): p_formal, ("remit", 2): rules["informal_loss"]}
    fused = MigrationModel(rng=5, n_persons=3000, **rules)
    four = MigrationModel(rng=5, n_persons=3000, **rules)
    fused.run_for(12)
    four.run_for(12)
    original = rng_module.draws32

    def crafted(model):
        names = {id(g): name for name, g in model.streams.items()}

        def draws32(gen, shape):
            values = original(gen, shape).dense().copy()
            rows = values.reshape(-1, values.shape[-1])
            for (name, row), x in at.items():
                if names[id(gen)] == name:
                    rows[row, ::2] = np.float32(x)
            return rng_module.Draws(None, 0, values.shape, values)
        return draws32

    hits = 0
    for t in range(6):
        for m, way in ((fused, migrant.abroad_quarter), (four, migrant.abroad_quarter_stated)):
            with monkeypatch.context() as mp:
                mp.setattr(migrant, "draws32", crafted(m))
                mp.setattr(association, "draws32", crafted(m))
                mp.setattr(model_module.migrant, "abroad_quarter", way)
                m.step()
        a, b = state(fused), state(four)
        assert not [k for k in a if a[k] != b[k]], f"step {t}"
        hits += int(fused.pop.abroad().sum())
    assert hits > 300  # persons abroad met those draws
