"""Named re-hiring (ODD §7.4, §7.9): employers ask for the same temporary worker again, which
makes temporary schemes circular."""

import numpy as np
import pytest

from migdev.agents import agency
from migdev.core.codes import CH_AGREEMENT, CH_REGULATED, HEALTH, LOW, RETURNED
from migdev.core.population import Population
from migdev.model import MigrationModel, scenario


def _pop():
    pop = Population.empty(6)
    pop.status[:] = RETURNED
    pop.occ[:] = [HEALTH, HEALTH, HEALTH, LOW, HEALTH, LOW]
    pop.dest[:] = [0, 0, 0, 1, 1, 0]
    pop.channel[:] = [CH_AGREEMENT, CH_REGULATED, CH_REGULATED, CH_REGULATED, CH_REGULATED,
                      CH_REGULATED]
    pop.q_abroad[:] = [8, 12, 12, 3, 12, 3]
    pop.matched[:] = [True, False, True, True, True, True]
    pop.guarantee[:] = [0.8, 0, 0, 0, 0, 0]
    pop.named[:] = [True, True, True, True, False, False]
    return pop


def test_named_workers_get_their_old_job_while_there_are_vacancies():
    pop = _pop()
    vac = np.zeros((2, 4))  # real persons
    vac[0, HEALTH], vac[1, LOW] = 2, 5
    u = np.array([0.5, 0.1, 0.9, 0.3, 0.0, 0.0], dtype=np.float32)
    one = np.ones(1)  # each simulated person stands for one real person
    off = agency.named_offers(pop, np.arange(6), vac, u, one)
    # three named health workers for two vacancies: the two lowest draws (slots 1, 0)
    assert off.idx.tolist() == [0, 1, 3]
    assert off.dest.tolist() == [0, 0, 1]
    assert off.channel.tolist() == [CH_AGREEMENT, CH_REGULATED, CH_REGULATED]
    assert off.contract.tolist() == [8, 12, 3] and off.fee.tolist() == [0, 0, 0]
    assert off.match.tolist() == [1.0, 0.0, 1.0] and off.guarantee[0] == pytest.approx(0.8)
    assert (off.agency == -1).all() and off.named.all()
    assert vac[0, HEALTH] == 0 and vac[1, LOW] == 4
    # those offered are no longer named; the one left without a vacancy still is
    assert pop.named.tolist() == [False, False, True, False, False, False]
    # nobody named and eligible: no offers
    assert agency.named_offers(pop, np.array([0, 1, 4]), vac, u, one) is None


def test_a_named_worker_takes_the_real_persons_it_stands_for_off_the_vacancies():
    # each simulated person stands for 1.5 real ones: of the three named health workers
    # (draws 0.1, 0.5, 0.9) only the first fits in 2 vacancies, which leaves 0.5
    pop = _pop()
    vac = np.zeros((2, 4))
    vac[0, HEALTH], vac[1, LOW] = 2, 5
    u = np.array([0.5, 0.1, 0.9, 0.3, 0.0, 0.0], dtype=np.float32)
    off = agency.named_offers(pop, np.arange(6), vac, u, np.array([1.5]))
    assert off.idx.tolist() == [1, 3]
    assert vac[0, HEALTH] == pytest.approx(0.5) and vac[1, LOW] == pytest.approx(3.5)


def _circular(rate, seed=3):
    m = MigrationModel(rng=seed, **scenario("circular_mou", n_persons=5000,
                                            named_rehire_rate=rate))
    m.run_for(100)
    return m


def test_named_rehiring_raises_the_share_with_two_or_more_stays():
    off, on = _circular(0.0), _circular(0.75)
    assert off.country_frame().recruits_named.sum() == 0
    assert on.country_frame().recruits_named.sum() > 100
    two_plus = [float((m.pop.n_stays >= 2).sum()) / max(int((m.pop.n_stays >= 1).sum()), 1)
                for m in (off, on)]
    assert two_plus[1] > two_plus[0] + 0.1, two_plus
    assert on.paths()["circulated"] > off.paths()["circulated"] + 0.1


def test_rehire_rate_is_a_lever_per_destination():
    m = MigrationModel(rng=3, **scenario("circular_mou", n_persons=3000,
                                         named_rehire_rate={"United Kingdom": 0.9}))
    m.run_for(60)
    assert m.country_frame().recruits_named.sum() > 0
    # workers are only named by employers in the United Kingdom
    named = np.flatnonzero(m.pop.named)
    assert len(named) and all(m.world.destination_names[int(d)] == "United Kingdom"
                              for d in m.pop.dest[named])
