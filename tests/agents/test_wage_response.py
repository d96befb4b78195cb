"""Home wages that respond to shortage and development (ODD §7.15): the rule by hand, its
default (off: the run is the one without it), and its effect."""

import numpy as np
import pytest

from migdev.agents.government import wage_response
from migdev.model.model import MigrationModel


def test_the_wage_response_by_hand():
    """Origin 0 has lost a quarter of its health workers and a half of its teachers, gained
    'other' skilled workers, and its development index rose from 0.2 to 0.3; origin 1 is as
    at the start. With e_S = 2 and e_D = 1: health 1 + 2 x 0.25 = 1.5, education 2, other
    1 (no shortage), times 0.3 / 0.2 = 1.5; the low-skilled only the development term."""
    home0 = np.array([[100.0, 10.0, 20.0, 500.0], [50.0, 5.0, 5.0, 100.0]])
    home = np.array([[75.0, 5.0, 30.0, 400.0], [50.0, 5.0, 5.0, 100.0]])
    r = wage_response(home, home0, np.array([0.3, 0.4]), np.array([0.2, 0.4]), 2.0, 1.0)
    assert r[0] == pytest.approx([1.5 * 1.5, 2.0 * 1.5, 1.0 * 1.5, 1.5])
    assert r[1] == pytest.approx([1.0, 1.0, 1.0, 1.0])
    # no response at all with both elasticities 0, whatever the shortage
    assert (wage_response(home, home0, np.array([0.3, 0.4]), np.array([0.2, 0.4]), 0.0, 0.0)
            == 1.0).all()


def test_off_by_default_and_then_the_run_is_the_one_without_it():
    a = MigrationModel(n_persons=2000, rng=3)
    b = MigrationModel(n_persons=2000, rng=3, wage_shortage_elasticity=0.0,
                       wage_development_elasticity=0.0)
    a.run_for(6)
    b.run_for(6)
    assert (a.government_state.wage_response == 1.0).all()
    assert a.country_frame().equals(b.country_frame())


def test_a_shortage_raises_the_home_wage_the_persons_compare_with():
    """With the shortage response on, an origin whose health workers at home fell below the
    start's pays them more, and the wage the migration decision reads is that wage."""
    from migdev.agents import migrant
    from migdev.core.codes import HEALTH

    m = MigrationModel(n_persons=6000, rng=2, wage_shortage_elasticity=1.0)
    m.run_for(20)
    st = m.government_state
    home = np.zeros(m.n_orig)
    np.add.at(home, m.world.comm_origin, m.community_state.counts[:, HEALTH, 1])
    short = np.clip(1 - home / st.home0[:, HEALTH], 0, 1)
    assert (short > 0).any()
    np.testing.assert_allclose(st.wage_response[:, HEALTH], 1 + short)
    np.testing.assert_allclose(migrant.home_wages(m)[:, HEALTH],
                               m.world.home_wage[:, HEALTH] * (1 + short))
