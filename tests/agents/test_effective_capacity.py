"""Effective health capacity at home (ODD §7.10): a returnee and a mission each raise it by
the amount the equation says, on a small world whose state is set by hand."""

import math

import numpy as np
import pytest

from migdev.agents import community, migrant
from migdev.agents.community import kernels
from migdev.core.codes import HEALTH, HOME, LOW, RETURNED, TEMP
from migdev.model.model import MigrationModel


def uplift(m, c: int, k: float) -> float:
    """ODD §7.10: 1 + a (1 - exp(-K / (n k_ref))) for community ``c`` with knowledge ``k``."""
    p = m.p
    return 1.0 + p.knowledge_productivity * (1.0 - math.exp(-k / (m.world.comm_size[c]
                                                                 * p.knowledge_ref)))


def test_knowledge_uplift_by_hand():
    # K / (n k_ref) = 10 / (20 x 0.5) = 1 -> 1 + 0.2 (1 - e^-1)
    assert kernels.knowledge_uplift(0.0, 20, 0.5, 0.2) == 1.0
    assert kernels.knowledge_uplift(10.0, 20, 0.5, 0.2) == pytest.approx(
        1.0 + 0.2 * (1.0 - math.exp(-1.0)))


@pytest.fixture
def small():
    """A model of 600 persons with no migration, so that everyone is at home until the test
    moves someone."""
    m = MigrationModel(rng=5, n_persons=600, migration_enabled=False)
    m.step()
    return m


def _capacity(m, c):
    community.update(m)
    return float(m.community_state.health_effective[c])


def _until_a_mission(m, j, c, tries=20):
    """Run the quarter abroad (migrant.abroad_quarter: work, remittances, missions, returns)
    with person ``j`` alone abroad (the others are set at home meanwhile), on a long
    contract, until she goes on a mission from community ``c``; the flows then hold that
    quarter's."""
    pop = m.pop
    pop.contract_left[j] = 1000
    others = np.flatnonzero(pop.abroad())
    others = others[others != j]
    kept = pop.status[others].copy()
    pop.status[others] = HOME
    try:
        for _ in range(tries):
            m.flows.reset()
            migrant.abroad_quarter(m)
            if m.flows["missions"][c] > 0:
                return
    finally:
        pop.status[others] = kept


def test_a_returnee_adds_her_skill_times_the_uplift(small):
    m, pop = small, small.pop
    j = int(np.flatnonzero(pop.occ == HEALTH)[0])
    c = int(pop.community[j])
    # she is abroad: the community lacks her
    pop.status[j], pop.dest[j] = TEMP, 0
    away = _capacity(m, c)
    u = uplift(m, c, float(m.community_state.knowledge[c]))
    # she returns with skills gained abroad
    pop.h[j] = np.float32(1.6)
    pop.status[j], pop.dest[j] = RETURNED, -1
    back = _capacity(m, c)
    assert back - away == pytest.approx(u * 1.6, rel=1e-6)
    assert float(m.community_state.health_eff_returnees[c]) == pytest.approx(u * 1.6, rel=1e-6)
    # a returnee with more skill adds more than one with her old skill would
    pop.h[j] = np.float32(1.0)
    assert _capacity(m, c) - away == pytest.approx(u * 1.0, rel=1e-6)


def test_knowledge_raises_every_local_worker(small):
    m, pop = small, small.pop
    c = 0
    before = _capacity(m, c)
    h_home = float(pop.h[(pop.community == c) & (pop.occ == HEALTH)
                         & np.isin(pop.status, [HOME, RETURNED])].astype(np.float64).sum())
    k_old = float(m.community_state.knowledge[c])
    u_old = uplift(m, c, k_old)
    assert before == pytest.approx(u_old * h_home, rel=1e-6)
    m.flows["knowledge_in"][c] += 50.0  # knowledge brought home this quarter
    after = _capacity(m, c)
    k_new = k_old * (1 - m.p.knowledge_depreciation) + 50.0
    u_new = uplift(m, c, k_new)
    assert u_new > u_old
    assert after == pytest.approx(u_new * h_home, rel=1e-6)


def test_a_health_mission_adds_its_length_times_skill_while_it_lasts():
    # matched, with no growth of skills abroad: h at the mission is h as set
    m = MigrationModel(rng=5, n_persons=600, migration_enabled=False, mission_rate=0.2,
                       mission_quarters=0.5, skill_growth_abroad=0.0)
    m.step()
    pop = m.pop
    j = int(np.flatnonzero(pop.occ == HEALTH)[0])
    c = int(pop.community[j])
    pop.status[j], pop.dest[j] = TEMP, 0
    pop.ties[j], pop.member[j], pop.h[j] = np.float32(1.0), True, np.float32(1.4)
    pop.matched[j] = True
    m.flows.reset()
    before = _capacity(m, c)
    # draw missions until she goes (probability 0.2 * 3 = 0.6 a quarter)
    _until_a_mission(m, j, c)
    assert m.flows["mission_health_h"][c] == pytest.approx(1.4, rel=1e-6)
    during = m.p.mission_quarters * float(m.flows["mission_health_h"][c])
    assert during == pytest.approx(0.5 * 1.4, rel=1e-6)
    k = m.community_state.knowledge.copy()
    community.update(m)
    # capacity rises by the mission itself and by the knowledge it brought
    assert m.community_state.health_eff_missions[c] == pytest.approx(0.7, rel=1e-6)
    assert m.community_state.health_effective[c] > before + 0.7 - 1e-9
    assert m.community_state.knowledge[c] > k[c] * (1 - m.p.knowledge_depreciation)
    # the next quarter, the mission is over: its capacity is gone
    m.flows.reset()
    community.update(m)
    assert m.community_state.health_eff_missions[c] == 0.0


def test_non_health_missions_add_no_health_capacity():
    m = MigrationModel(rng=5, n_persons=600, migration_enabled=False, mission_rate=0.2)
    m.step()
    pop = m.pop
    j = int(np.flatnonzero((pop.occ < LOW) & (pop.occ != HEALTH))[0])
    pop.status[j], pop.dest[j], pop.ties[j] = TEMP, 0, np.float32(1.0)
    _until_a_mission(m, j, int(pop.community[j]), tries=40)
    assert m.flows["missions"].sum() == 1
    assert m.flows["mission_health_h"].sum() == 0.0


def test_returnee_earnings_premium_is_the_skill_returnees_bring_home():
    from migdev.core.codes import HOME
    from migdev.model.metrics import COLS, country_row

    m = MigrationModel(rng=5, n_persons=600, migration_enabled=False)
    pop = m.pop
    pop.status[:] = HOME
    pop.n_stays[:] = 0
    pop.h[:] = np.float32(1.0)
    o0 = np.flatnonzero((pop.origin == 0) & (pop.occ == HEALTH))
    # two health workers of origin 0 came back with h 1.5 and 2.0; everyone else stayed
    pop.status[o0[:2]] = RETURNED
    pop.n_stays[o0[:2]] = 1
    pop.h[o0[0]], pop.h[o0[1]] = np.float32(1.5), np.float32(2.0)
    community.update(m)
    row = country_row(m)
    premium = row[:, COLS.index("returnee_earnings_premium")]
    assert premium[0] == pytest.approx(0.75)  # mean h 1.75 against 1.0, one wage
    assert (premium[1:] == 0).all()  # no returnee: 0


def test_a_teacher_s_return_and_mission_raise_effective_teaching_capacity():
    from migdev.core.codes import EDUCATION

    # matched, with no growth of skills abroad: h at the mission is h as set
    m = MigrationModel(rng=5, n_persons=600, migration_enabled=False, mission_rate=0.2,
                       mission_quarters=0.5, skill_growth_abroad=0.0)
    m.step()
    pop = m.pop
    teachers = np.flatnonzero(pop.occ == EDUCATION)
    c = int(np.bincount(pop.community[teachers]).argmax())  # a community with two or more
    j, k = teachers[pop.community[teachers] == c][:2]

    def teaching():
        community.update(m)
        return float(m.community_state.education_effective[c])
    m.flows.reset()
    pop.status[[j, k]], pop.dest[[j, k]] = TEMP, 0
    away = teaching()
    u = uplift(m, c, float(m.community_state.knowledge[c]))
    # the first comes home with h 1.5: capacity rises by the uplift times her skill
    pop.status[j], pop.h[j] = RETURNED, np.float32(1.5)
    assert teaching() - away == pytest.approx(u * 1.5, rel=1e-6)
    # the second, abroad with h 1.2, goes on a mission: half a quarter times his skill
    pop.ties[k], pop.member[k], pop.h[k] = np.float32(1.0), True, np.float32(1.2)
    pop.matched[k] = True
    _until_a_mission(m, k, c)
    assert m.flows["mission_education_h"][c] == pytest.approx(1.2, rel=1e-6)
    assert m.flows["mission_health_h"][c] == 0.0
    during = teaching()
    u2 = uplift(m, c, float(m.community_state.knowledge[c]))
    home_h = float(pop.h[(pop.community == c) & (pop.occ == EDUCATION)
                         & np.isin(pop.status, [HOME, RETURNED])].astype(np.float64).sum())
    assert during == pytest.approx(u2 * home_h + 0.5 * 1.2, rel=1e-6)
