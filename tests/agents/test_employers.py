"""Employers (ODD §7.4): employers bound by a code (public health services) stop recruiting
from a barred origin, whatever their agency; employers not bound keep recruiting there as
their agencies choose (the private back door seen after the 2001 NHS code)."""

import numpy as np

from migdev.agents import agency
from migdev.model import MigrationModel, scenario


def _offers(bound_share, respects_all=False):
    vac = np.array([[40, 0, 0, 0]])
    dest = np.array([0, 0])
    cap = np.array([100.0, 100.0])
    attract = np.ones((2, 2))
    respects = np.full((2, 2), respects_all)  # neither agency respects the bar
    protected = np.array([[True, False]])
    covered = np.zeros((1, 2, 4), bool)
    covered[0, 0, 0] = True
    penalty = np.array([[0.0, 0.0]])
    supply = np.array([[100, 0, 0, 0], [100, 0, 0, 0]])
    return agency.agency_offers(vac, dest, cap, attract, respects, protected, covered, penalty,
                                supply, None, None, None, bound_share, np.zeros((2, 4)))


def test_bound_employers_never_recruit_from_a_barred_origin():
    free = _offers(0.0)
    half = _offers(0.5)
    bound = _offers(1.0)
    assert free.sum() == half.sum() == bound.sum() == 40
    # non-compliant agencies working for private employers split evenly (no penalty)
    assert free[:, 0, 0].sum() == 20
    # for bound employers they keep out of the barred origin: half the vacancies
    assert half[:, 0, 0].sum() == 10
    assert bound[:, 0, 0].sum() == 0


def _listed_health_recruits(share, seed=4):
    """Health workers recruited from listed origins under a multilateral code (every
    destination bars them) after it starts, with ``share`` of vacancies at bound employers.
    Independent migration (no employer, no agency) is switched off: it is not the rule here."""
    m = MigrationModel(rng=seed, **scenario("multilateral_code", n_persons=8000,
                                            agreement_start=8, unregulated_compliance=0.2,
                                            code_bound_share=share, independent_rate=0.0))
    m.run_for(48)
    df = m.country_frame()
    return float(df[(df.step > 8) & (df.listed == 1)].health_recruits.sum())


def test_an_unbound_employer_keeps_recruiting_from_a_listed_origin_when_bound_ones_stop():
    private, mixed, public = (_listed_health_recruits(s) for s in (0.0, 0.6, 1.0))
    assert private > mixed > public
    # with 40 % of vacancies at unbound (private) employers, recruitment from the listed
    # origins goes on (the back door); when every employer is bound, almost none is left
    assert mixed > 5 * public
