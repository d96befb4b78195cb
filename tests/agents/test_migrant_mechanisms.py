"""Unit tests of the person-level mechanisms on tiny hand-built worlds (exact answers)."""

import math

import numpy as np
import pytest

from migdev.agents import migrant as mig
from migdev.core.codes import HEALTH, LOW
from migdev.core.params import Params

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


def test_formal_probability_falls_with_fee():
    hi = mig.formal_probability(0.0739, 0.02, 0.02, P)
    lo = mig.formal_probability(0.03, 0.02, 0.02, P)
    x = P.channel_const - P.channel_cost * 100 * (0.0739 - 0.04)
    assert hi == pytest.approx(1 / (1 + math.exp(-x)))
    assert lo > hi


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
