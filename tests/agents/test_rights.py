"""Migrants' rights as a lever (ODD §7.1, §7.4, §7.6, §7.9): fees charged to workers, the
right to change employer, social-security portability, and agreements' rights clauses with
their own implementation rate."""

import numpy as np
import pytest

from migdev.agents import government
from migdev.model import MigrationModel, scenario


def test_corridor_right_from_levers_and_clauses():
    m = MigrationModel(rng=1, n_persons=500)
    assert government.corridor_right(m, "employer_change_right") == 0.0  # nowhere granted
    m = MigrationModel(rng=1, n_persons=500, employer_change_right={"United Kingdom": 0.6},
                       **scenario("circular_mou", agreement_rights=1.0,
                                  rights_implementation=0.5, agreement_start=0))
    r = government.corridor_right(m, "employer_change_right")
    uk = m.world.destination_names.index("United Kingdom")
    assert r.shape == (m.n_orig, m.n_dest)
    # the UK's own lever everywhere, the clause (1.0 x 0.5) on the party corridor is lower
    assert (r[:, uk] == 0.6).all() and (np.delete(r, uk, axis=1) == 0).all()
    m2 = MigrationModel(rng=1, n_persons=500, **scenario(
        "circular_mou", agreement_rights=1.0, rights_implementation=0.8, agreement_start=0))
    r2 = government.corridor_right(m2, "social_security_portability")
    assert r2[0, uk] == pytest.approx(0.8) and r2.sum() == pytest.approx(0.8)


def _run(seed=6, steps=80, **kw):
    m = MigrationModel(rng=seed, n_persons=6000, **kw)
    m.run_for(steps)
    return m, m.country_frame()


def _mean(df, col, after=20):
    return float(df[df.step > after][col].mean())


def test_a_fee_ban_lowers_fees_and_debt_but_not_through_unregulated_agencies():
    # half the agencies regulated (in health2005 only 140 of 800 are: the ban then does less)
    _, base = _run(agency_regulation=0.5)
    _, ban = _run(agency_regulation=0.5, worker_fee_ban=1.0)
    # fees per recruit (the number recruited varies from run to run)
    per_recruit = [float(d[d.step > 20].recruitment_fees.sum() / d[d.step > 20].recruits.sum())
                   for d in (base, ban)]
    assert per_recruit[1] < 0.8 * per_recruit[0], per_recruit
    assert _mean(ban, "mean_recruitment_debt") < _mean(base, "mean_recruitment_debt")
    assert _mean(ban, "fee_paying_share") < _mean(base, "fee_paying_share")
    # unregulated agencies keep charging: someone still pays
    assert _mean(ban, "fee_paying_share") > 0


def test_the_right_to_change_employer_lowers_brain_waste_and_overstay():
    _, base = _run(steps=100)
    _, free = _run(steps=100, employer_change_right=1.0)
    assert _mean(free, "change_employer_share") == pytest.approx(1.0)
    assert _mean(base, "change_employer_share") == 0.0
    assert _mean(free, "brain_waste_share") < _mean(base, "brain_waste_share")
    assert _mean(free, "overstay_share") < _mean(base, "overstay_share")


def test_portability_brings_more_settled_migrants_home():
    mb, base = _run(steps=100)
    mp, port = _run(steps=100, social_security_portability=1.0)
    assert port[port.step > 20].returns.sum() > 1.1 * base[base.step > 20].returns.sum()


def test_an_agreements_rights_clause_applies_on_its_corridor_only_when_implemented():
    kw = dict(agreement_rights=1.0, g2g_quota=0.02)
    m, on = _run(steps=90, **scenario("circular_mou", rights_implementation=1.0, **kw))
    _, off = _run(steps=90, **scenario("circular_mou", rights_implementation=0.0, **kw))
    party = m.world.origin_names[0]
    after = on[(on.step > 45)]
    assert after[after.country == party].change_employer_share.mean() > 0.2
    assert (after[after.country != party].change_employer_share == 0).all()
    assert (off.change_employer_share == 0).all()
    # before the agreement starts the two runs are the same
    assert on[on.step < 40].equals(off[off.step < 40])


def test_substitution_lowers_remittances_and_slows_debt_repayment():
    kw = dict(agency_regulation=0.0, steps=60)
    _, base = _run(**kw)
    _, sub = _run(contract_substitution=1.0, **kw)
    _, free = _run(contract_substitution=1.0, employer_change_right=1.0, **kw)
    assert _mean(base, "substituted_share") == 0.0
    assert _mean(sub, "substituted_share") > 0.5
    # free to change employer, about half the substituted leave their contracts: 0.46-0.50
    # of the share without the right at seeds 1-3, calibrated or not (0.505 at seed 6 on the
    # shipped calibration), so the bound is 0.6, not a halving the model only grazes
    assert _mean(free, "substituted_share") < 0.6 * _mean(sub, "substituted_share")
    # in real units the origins with the largest settled (never substituted) diasporas weigh
    # most: the fall was 9 % and 8 % at seeds 6 and 7
    sent = "remittances_formal"
    assert _mean(sub, sent) + _mean(sub, "remittances_informal") < 0.95 * (
        _mean(base, sent) + _mean(base, "remittances_informal"))
    assert _mean(sub, "mean_recruitment_debt") > _mean(base, "mean_recruitment_debt")
