"""Unit tests of the person-level mechanisms on tiny hand-built worlds (exact answers)."""

import math

import numpy as np
import pytest

from migdev.agents import migrant as mig
from migdev.core.codes import CH_UNREGULATED, HEALTH, HOME, IRREGULAR, LOW, RETURNED, SETTLED, TEMP
from migdev.core.params import Params
from migdev.core.population import Population

P = Params()


def test_ageing_adds_a_quarter_and_flags_retirement():
    age = np.array([64.8, 30.0], dtype=np.float32)
    exits = mig.ageing(age, 65.0)
    assert age.tolist() == pytest.approx([65.05, 30.25])
    assert exits.tolist() == [True, False]


def test_training_probabilities_by_hand():
    lw = np.log(np.array([[4.0, 2.0, 2.0, 1.0]]))
    cost = np.array([1.0, 0.0, 0.5, 0.0])
    pr = mig.training_probabilities(lw, cost, beta=1.0)
    v = np.array([math.log(4) - 1, math.log(2), math.log(2) - 0.5, 0.0])
    want = np.exp(v) / np.exp(v).sum()
    assert pr[0] == pytest.approx(want)
    assert pr.sum() == pytest.approx(1.0)


def test_choose_training_caps_places_by_lowest_rank():
    origin = np.array([0, 0, 0, 0])
    probs = np.array([[0.5, 0.0, 0.0, 0.5]])
    u_choice = np.array([0.1, 0.2, 0.7, 0.3])  # -> health, health, low, health
    u_rank = np.array([0.5, 0.1, 0.0, 0.9])  # applicants ranked: 1, 0, 3
    places = np.array([[2, 0, 0]])
    occ, applicants = mig.choose_training(origin, u_choice, u_rank, probs, places)
    assert occ.tolist() == [HEALTH, HEALTH, LOW, LOW]
    assert applicants[0].tolist() == [3, 0, 0, 1]


def test_migration_utility_by_hand():
    u = mig.migration_utility(np.array([5.0]), np.array([4.0]), np.array([9.0]),
                              np.array([0.5]), 0.5, 0.2, P)
    want = (0.2 + P.beta_wage * math.log(5) - P.beta_fee * 4 - P.moving_cost
            + P.beta_network * math.log(10) - P.beta_ties * 0.5 + P.beta_integration_policy * 0.5)
    assert u[0] == pytest.approx(want)


def tiny_abroad():
    pop = Population.empty(3)
    pop.status[:] = [TEMP, TEMP, IRREGULAR]
    pop.dest[:] = [0, 0, 0]
    pop.occ[:] = [HEALTH, HEALTH, LOW]
    pop.matched[:] = [True, False, False]
    pop.integration[:] = [0.5, 0.0, 0.0]
    pop.ties[:] = [1.0, 0.5, 0.5]
    pop.channel[:] = [0, CH_UNREGULATED, 3]
    return pop


def test_work_abroad_income_skills_integration():
    pop = tiny_abroad()
    wage = np.array([[15.0, 11.0, 13.0, 6.0]])
    idx = np.arange(3)
    no = np.ones(3)  # no joining, no recognition
    income = mig.work_abroad(pop, idx, wage, np.array([0.5]), no, no, P)
    assert income.tolist() == pytest.approx([15.0, 6.0, 0.7 * 6.0])
    assert pop.h.tolist() == pytest.approx([1 + P.skill_growth_abroad, 1 - P.brain_waste_rate, 1.0])
    i0 = 0.5 + P.integration_rate * 0.5 * 0.5
    i1 = max(0.0, P.integration_rate * (0.5 - P.abuse_penalty))
    assert pop.integration[:2].tolist() == pytest.approx([i0, i1])
    assert pop.ties[0] == pytest.approx(1 - P.ties_decay)
    assert pop.q_abroad.tolist() == [1, 1, 1]


def test_recognition_turns_mismatch_into_match_but_not_for_irregulars():
    pop = tiny_abroad()
    zero = np.zeros(3)
    mig.work_abroad(pop, np.arange(3), np.array([[15.0, 11.0, 13.0, 6.0]]), np.array([0.5]),
                    np.ones(3), zero, P)
    assert pop.matched.tolist() == [True, True, False]
    assert pop.member.tolist() == [False, False, False]


def test_remittance_amounts_by_hand():
    repay, remit, save = mig.remittance_amounts(np.array([10.0]), np.array([1.0]),
                                                np.array([0.5]), np.array([2.0]), P)
    net = 10 * (1 - P.consumption_share)
    r = min(1.0, P.debt_repay_share * net)
    share = P.remit_base + P.remit_ties * 0.5 - P.remit_years * 2
    assert repay[0] == pytest.approx(r)
    assert remit[0] == pytest.approx((net - r) * share)
    assert (repay + remit + save)[0] == pytest.approx(net)


def test_remittance_channels_conserve_money():
    amount = np.array([100.0, 100.0, 100.0, 100.0])
    access = np.array([1.0, 1.0, 0.0, 0.0])
    u_access = np.array([0.5, 0.5, 0.5, 0.5])
    u_channel = np.array([0.1, 0.9, 0.1, 0.1])
    u_loss = np.array([0.5, 0.5, 0.5, 0.01])
    out = mig.remittance_channels(amount, access, u_access, u_channel, u_loss, 0.5, 0.07, 0.02,
                                  0.02)
    assert out["formal"].tolist() == [True, False, False, False]
    assert out["fee"].tolist() == pytest.approx([7.0, 2.0, 2.0, 2.0])
    assert out["loss"].tolist() == pytest.approx([0.0, 0.0, 0.0, 98.0])
    assert out["received"].tolist() == pytest.approx([93.0, 98.0, 98.0, 0.0])
    assert (out["received"] + out["fee"] + out["loss"]).sum() == pytest.approx(amount.sum())


def test_formal_probability_falls_with_fee():
    hi = mig.formal_probability(0.0739, 0.02, 0.02, P)
    lo = mig.formal_probability(0.03, 0.02, 0.02, P)
    x = P.channel_const - P.channel_cost * 100 * (0.0739 - 0.04)
    assert hi == pytest.approx(1 / (1 + math.exp(-x)))
    assert lo > hi


def test_contract_end_outcome_partitions_the_unit_interval():
    u = np.array([0.05, 0.15, 0.5, 0.95])
    out = mig.contract_end_outcome(u, np.full(4, 0.1), np.full(4, 0.5))
    # settle below 0.1; overstay in [0.1, 0.55); return above
    assert out.tolist() == [1, 2, 2, 0]


def test_overstay_probability_by_hand():
    o = mig.overstay_probability(0.5, 0.4, np.array([0.0, 0.8]), P)
    base = 1 / (1 + math.exp(-(P.overstay_const - P.overstay_enforcement * 0.5
                               + P.overstay_hardship * 0.4)))
    assert o.tolist() == pytest.approx([base, base * 0.2])


def test_settled_return_probability_proportional_hazard():
    p0 = mig.settled_return_probability(np.array([0.0]), 0.0, 0.0, np.array([0.0]),
                                         np.array([0.0]), P)
    assert p0[0] == pytest.approx(1 - math.exp(-P.return_hazard))
    more = mig.settled_return_probability(np.array([0.0]), 0.0, 1.0, np.array([0.0]),
                                          np.array([0.0]), P)
    lam = P.return_hazard * math.exp(P.hazard_incentive)
    assert more[0] == pytest.approx(1 - math.exp(-lam))
    less = mig.settled_return_probability(np.array([0.0]), 0.0, 0.0, np.array([1.0]),
                                          np.array([10.0]), P)
    assert less[0] < p0[0]


def test_start_and_end_stay():
    pop = Population.empty(2)
    pop.h[:] = [1.2, 1.0]
    mig.start_stay(pop, np.array([0]), np.array([1]), np.array([0]), np.array([8]),
                   np.array([5.0]), np.array([True]), np.array([0.8]), TEMP)
    assert pop.status.tolist() == [TEMP, HOME]
    assert pop.dest[0] == 1 and pop.contract_left[0] == 8 and pop.n_stays[0] == 1
    assert pop.debt[0] == pytest.approx(5.0) and pop.h_dep[0] == pytest.approx(1.2)
    pop.h[0] = 1.5
    gain = mig.end_stay(pop, np.array([0]))
    assert gain.tolist() == pytest.approx([0.3])
    assert pop.status[0] == RETURNED
    pop.status[1] = SETTLED
    pop.h[1] = 0.9
    assert mig.end_stay(pop, np.array([1])).tolist() == [0.0]  # a loss is not a gain


def test_experience_at_home_only_for_skilled_at_home():
    h = np.array([1.0, 1.0, 2.99], dtype=np.float32)
    mig.experience_at_home(h, np.array([True, False, True]), 0.01, 3.0)
    assert h.tolist() == pytest.approx([1.01, 1.0, 3.0])


def test_training_elasticity_admits_a_share_of_the_excess():
    origin = np.zeros(6, dtype=np.int64)
    probs = np.array([[1.0, 0.0, 0.0, 0.0]])  # all six apply for health
    u = np.linspace(0.05, 0.95, 6)
    places = np.array([[2, 0, 0]])
    occ, _ = mig.choose_training(origin, u, u, probs, places, elasticity=0.5)
    assert (occ == HEALTH).sum() == 2 + 2  # 2 places + floor(0.5 * 4 excess + 0)
    occ, _ = mig.choose_training(origin, u, u, probs, places, elasticity=0.3,
                                 u_extra=np.array([[0.9, 0.0, 0.0]]))
    assert (occ == HEALTH).sum() == 2 + 2  # floor(0.3 * 4 + 0.9) = 2
    occ, _ = mig.choose_training(origin, u, u, probs, places, elasticity=1.0)
    assert (occ == HEALTH).sum() == 6
