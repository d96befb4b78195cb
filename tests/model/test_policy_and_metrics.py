"""Policy records and pure metric functions on hand-made inputs."""

import numpy as np
import pytest

from migdev.agents.government import policy_state
from migdev.core.codes import HEALTH, HOME, RETURNED, SETTLED, TEMP
from migdev.model.params import make_params
from migdev.core.records import Agreement, all_agreements, headline_agreement, party_origins
from migdev.model.metrics import emigration_rate, path_shares, per_10000, rate


def test_agreement_active_window():
    a = Agreement(kind="restrictive", start=40, end=60)
    assert [a.active(t) for t in (39, 40, 59, 60)] == [False, True, True, False]
    assert Agreement(kind="circular", start=0).active(10_000)


def test_headline_agreement_from_shorthand():
    assert headline_agreement(make_params()) is None
    a = headline_agreement(make_params(agreement_kind="circular", agreement_origin=2))
    assert a.kind == "circular" and a.origins == (2,) and a.training_places > 0
    assert a.return_guarantee == make_params().return_guarantee
    m = headline_agreement(make_params(agreement_kind="multilateral"))
    assert m.destination == -1 and m.origins == ()


def test_policy_state_restrictive_and_multilateral():
    p = make_params(agreement_kind="restrictive", agreement_origin=1, agreement_destination=0,
                    implementation_rate=0.5, agreements=(
                        Agreement(kind="multilateral", destination=-1, origins=(), start=10),))
    ags = all_agreements(p)
    listed = np.array([False, False, True, True])
    before = policy_state(ags, 5, 2, 4, listed)
    assert not before.protected.any() and before.g2g == []
    s = policy_state(ags, 40, 2, 4, listed)
    assert s.protected.tolist() == [[False, True, True, True], [False, False, True, True]]
    assert s.protect_strength[0, 1] == 0.5 and s.protect_strength[1, 2] == 1.0
    assert s.covered[0, 1, HEALTH] and not s.covered[0, 1, 1]
    assert [(d, o) for _, d, o in s.g2g] == [(0, 1)]
    assert party_origins(ags, 4).tolist() == [False, True, False, False]


def test_circular_funds_training_scaled_by_implementation():
    p = make_params(agreement_kind="circular", implementation_rate=0.5)
    s = policy_state(all_agreements(p), 50, 2, 4, np.zeros(4, bool))
    assert s.extra_training[0] == pytest.approx(0.5 * p.circular_training_places)
    assert not s.protected.any()


def test_rates():
    assert rate([1, 2], [0, 4]).tolist() == [0.0, 0.5]
    assert emigration_rate([25], [75]).tolist() == [0.25]
    assert per_10000([23], [10_000]).tolist() == [23.0]


#: six persons by hand: status, number of stays, ties, member, remitted
PERSONS = (np.array([HOME, RETURNED, RETURNED, SETTLED, SETTLED, TEMP]),
           np.array([0, 1, 2, 1, 1, 3]), np.array([1, 1, 1, 0.9, 0.2, 1]),
           np.array([0, 0, 0, 1, 1, 0], bool), np.array([0, 0, 0, 1, 1, 1], bool))


def six_persons(origin=(0, 0, 0, 1, 1, 1), dest=(-1, 1, 1, 0, 0, 1)):
    """PERSONS as a population, of origin 0 or 1, last stay in destination 0 or 1 (the first
    never left: no destination)."""
    from migdev.core.population import Population

    pop = Population.empty(6)
    pop.status[:], pop.n_stays[:], pop.ties[:], pop.member[:], pop.remitted[:] = PERSONS
    pop.origin[:], pop.dest[:] = origin, dest
    return pop


def test_path_shares_by_hand():
    from migdev.model.tally import person_tallies

    t = person_tallies(six_persons(), np.ones((2, 4)), 0.0, 2, 2)
    s = path_shares(t.paths)
    assert s["emigrants"] == 5
    assert s["circulated"] == pytest.approx(2 / 5)
    assert s["returned_once"] == pytest.approx(1 / 5)
    assert s["transnational"] == pytest.approx(1 / 5)
    assert s["settled"] == pytest.approx(1 / 5)


def test_path_counts_per_corridor_by_hand():
    from migdev.model.metrics import shares
    from migdev.model.tally import person_tallies

    c = person_tallies(six_persons(), np.ones((2, 4)), 0.0, 2, 2).paths
    assert c[0, 1].tolist() == [1, 1, 0, 0]  # circulated, returned once
    assert c[1, 0].tolist() == [0, 0, 1, 1]  # transnational, settled
    assert c[1, 1].tolist() == [1, 0, 0, 0]
    assert c[0, 0].sum() == 0 and c.sum() == 5 and c.shape == (2, 3, 4)
    assert shares(c)[0, 0].tolist() == [0, 0, 0, 0]
    assert shares(c)[1, 0].tolist() == [0, 0, 0.5, 0.5]


def test_paths_per_corridor_add_up_to_the_origin_s():
    from migdev.model import MigrationModel
    from migdev.model.metrics import PATHS

    m = MigrationModel(rng=2, n_persons=4000)
    m.run_for(40)
    cor = m.corridor_frame()
    last = cor[cor.step == cor.step.max()]
    # each corridor's shares sum to 1 where someone's last stay was there, else 0
    tot = last[list(PATHS)].sum(axis=1)
    assert np.allclose(tot[tot > 0], 1.0) and (tot[tot > 0].size > 5)
    # weighted by the corridor's emigrants, they give the origin's shares
    pop = m.pop
    ever = pop.n_stays >= 1
    n = np.bincount(pop.origin[ever].astype(int) * m.n_dest + pop.dest[ever],
                    minlength=m.n_orig * m.n_dest).reshape(m.n_orig, m.n_dest)
    cf = m.country_frame()
    row = cf[cf.step == cf.step.max()].set_index("country")
    for o, name in enumerate(m.world.origin_names):
        sel = last[last.origin == name]
        w = np.array([n[o, m.world.destination_names.index(d)] for d in sel.destination])
        if w.sum() == 0:
            continue
        assert n[o].sum() == w.sum()  # every emigrant's last stay is on a corridor
        for col in PATHS:
            assert (sel[col].to_numpy() * w).sum() / w.sum() == pytest.approx(row.loc[name, col])


def test_multilateral_code_from_step_zero_protects_only_short_staffed_origins():
    from migdev.model import MigrationModel

    m = MigrationModel(rng=1, n_persons=4000, agreement_kind="multilateral", agreement_start=0,
                       world="abstract")
    m.run_for(3)
    df = m.country_frame()
    prot = df[df.step == 1].set_index("country").protected
    # B (18) and C (12) are below 23 per 10,000; A (40) and D (30) are not
    assert prot.to_dict() == {"Origin A": False, "Origin B": True, "Origin C": True,
                              "Origin D": False}
