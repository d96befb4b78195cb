"""The remittance world remit2005 (issue 38): communities as data, person weights from the
emigrant stock, and the checks of communities.csv. health2005 is unchanged by these rules
(its fingerprints, tests/model/test_fingerprint.py)."""

import shutil

import numpy as np
import pytest

from migdev.core.codes import HOME
from migdev.core.errors import ParameterError
from migdev.core.worlds import WorldError, load_world, shipped_worlds
from migdev.model import MigrationModel
from migdev.model.world import community_layout, stock_weights

W = "remit2005"


def test_mexicos_communities_are_conapos_classes_with_their_factors():
    wd = load_world(W)
    lay = community_layout(wd, wd.origins, 3)
    mexico, salvador = lay[0], lay[1]
    assert [c[0] for c in mexico] == [f"{k} migration intensity" for k in
                                      ("very high", "high", "medium", "low", "very low")]
    # factor = share of remittances / share of population (hand-computed: 0.10 / (2.2 / 96.9))
    assert mexico[0][3] == pytest.approx(0.10 / (2.2 / 96.9))
    assert mexico[4][3] == pytest.approx(0.12 / (38.9 / 96.9))
    pop = np.array([c[1] for c in mexico])
    assert (pop * [c[3] for c in mexico]).sum() / pop.sum() == pytest.approx(1.0)
    assert [c[3] for c in salvador] == [1.0, 1.0, 1.0]  # no rows: the default layout


def test_community_sizes_follow_population_and_emigration_follows_the_factor():
    m = MigrationModel(world=W, n_persons=20_000, rng=3)
    w, pop = m.world, m.pop
    mex = np.flatnonzero(w.comm_origin == 0)
    share = w.comm_size[mex] / w.comm_size[mex].sum()
    np.testing.assert_allclose(share, np.array([2.2, 6.3, 11.7, 37.8, 38.9]) / 96.9,
                               atol=1.0 / w.comm_size[mex].sum())
    away = np.array([(pop.status[pop.community == c] != HOME).mean() for c in mex])
    assert list(np.argsort(-away)) == [0, 1, 2, 3, 4], away  # very high ... very low
    assert m.communities[0].name == "Mexico / very high migration intensity"
    assert list(w.first_community) == [0, 5, 8]


def test_the_represented_diaspora_starts_at_the_emigrant_stock_at_any_size():
    wd = load_world(W)
    stock = np.array([c["emigrant_stock"] for c in wd.origins])
    for n in (5_000, 20_000):
        m = MigrationModel(world=W, n_persons=n, rng=1)
        pop, w = m.pop, m.world
        count = np.bincount(pop.origin[pop.status != HOME], minlength=3)
        expected = stock / w.person_weight  # simulated persons expected abroad
        # the realised count is a sum of independent draws: within 4 of its sd
        assert (np.abs(count - expected) < 4 * np.sqrt(expected)).all(), (n, count, expected)
        # so the represented diaspora is the stock up to that error, at any size
        np.testing.assert_allclose(count * w.person_weight, stock,
                                   rtol=4 / np.sqrt(expected.min()))
    # the weight itself is exact: the stock over the persons expected abroad
    np.testing.assert_allclose(stock_weights(stock, stock / 7.0), 7.0)


def test_an_origin_needs_a_density_or_a_stock(tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(shipped_worlds()[W], folder)
    text = (folder / "countries.csv").read_text()
    (folder / "countries.csv").write_text(text.replace("Guatemala,GTM,origin,372487,",
                                                       "Guatemala,GTM,origin,,"))
    with pytest.raises(WorldError, match="Guatemala.*health_density or emigrant_stock"):
        load_world(str(folder))


@pytest.mark.parametrize("old, new, needle", [
    ("Mexico,very low migration intensity,38900000,0.12",
     "Mexico,very low migration intensity,38900000,0.22", "sum to 1.1"),
    ("Mexico,very low migration intensity,38900000,0.12",
     "Belize,very low migration intensity,38900000,0.12", "'Belize' is not an origin"),
    ("Mexico,high migration intensity,6300000,0.19",
     "Mexico,very high migration intensity,6300000,0.19", "appears twice"),
    ("Mexico,medium migration intensity,11700000,0.19",
     "Mexico,medium migration intensity,-5,0.19", "column 'population' = -5"),
    ("origin,community,population,remittance_share", "origin,community,population,remit_share",
     "missing column 'remittance_share'"),
])
def test_malformed_communities_are_named(tmp_path, old, new, needle):
    folder = tmp_path / "w"
    shutil.copytree(shipped_worlds()[W], folder)
    path = folder / "communities.csv"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(WorldError) as e:
        load_world(str(folder))
    assert "communities.csv" in str(e.value) and needle in str(e.value), str(e.value)
    with pytest.raises(ParameterError):
        MigrationModel(world=str(folder), n_persons=500)


def test_a_community_without_a_source_is_refused(tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(shipped_worlds()[W], folder)
    path = folder / "sources.csv"
    lines = [x for x in path.read_text().splitlines()
             if not x.startswith("communities,*,remittance_share")]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(WorldError, match="no source for communities.csv line 2"):
        load_world(str(folder))


def test_remit2005_runs_calibrated_by_default():
    """The calibrated model is the model: remit2005's shipped calibration, with the reach
    of transfer services per origin; and its base year's recorded remittances are near the
    figures it was fitted to (Mexico 1,625,000 kUSD a quarter in 2000)."""
    m = MigrationModel(world=W, n_persons=10_000, rng=4)
    assert m.calibration == "remit2005"
    fa = m.lever("financial_access")
    assert fa.shape == (3,) and len(set(fa)) == 3
    assert MigrationModel(world=W, n_persons=500, calibration=None).calibration is None
    m.run_for(4)
    cf = m.country_frame()
    mx = cf[(cf.country == "Mexico") & cf.step.between(1, 4)].remittances_formal.mean()
    assert 1_625_000 / 2 < mx < 1_625_000 * 2


def test_remit2005_runs_and_its_tables_are_in_real_units():
    m = MigrationModel(world=W, n_persons=3_000, rng=2)
    for _ in range(8):
        m.step()
    cf = m.country_frame()
    assert set(cf.country) == {"Mexico", "El Salvador", "Guatemala"}
    year = cf[cf.step.between(1, 4)].groupby("country").remittances_formal.sum()
    # real kUSD: Mexico's formal remittances in the first year are billions of USD
    assert 1e6 < year["Mexico"] < 1e8 and year["Mexico"] > year["El Salvador"]


def test_the_initial_diaspora_has_the_worlds_status_shares():
    """Mexico's emigrants start 52 % without legal status (4.8 of 9.2 million, 2000) and
    2 % temporary; El Salvador's keep the default (20 % temporary, none irregular)."""
    from migdev.core.codes import IRREGULAR, TEMP

    m = MigrationModel(world=W, n_persons=40_000, rng=6, calibration=None)
    pop = m.pop
    for o, (temp, irr) in enumerate(((0.02, 0.52), (0.2, 0.0))):
        away = (pop.origin == o) & (pop.status != HOME)
        n = away.sum()
        for status, share in ((TEMP, temp), (IRREGULAR, irr)):
            got = (pop.status[away] == status).mean()
            assert abs(got - share) < 4 * np.sqrt(max(share * (1 - share), 1e-9) / n) + 1e-9


def test_status_shares_above_one_are_refused(tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(shipped_worlds()[W], folder)
    path = folder / "countries.csv"
    path.write_text(path.read_text().replace(",0.02,0.52", ",0.6,0.52"))
    with pytest.raises(WorldError, match="temporary_share \\+ irregular_share > 1 for Mexico"):
        load_world(str(folder))


def test_who_gets_the_funds_per_community():
    """community_frame: one row per community; under 3x1 for Mexico the match per person
    follows the share abroad across CONAPO's classes (most to the very high class); with a
    social investment fund taking all of it, the very low class (the most need) gets
    the largest projects stock per 10,000 instead of the least; real units."""
    kw = dict(world=W, n_persons=8000, rng=2, matching_ratio=1.0, matching_ratio_state=1.0,
              matching_ratio_local=1.0)
    m = MigrationModel(**kw)
    m.run_for(12)
    cf = m.community_frame()
    assert len(cf) == m.n_comm and list(cf.columns[:2]) == ["origin", "community"]
    mx = cf[cf.origin == "Mexico"].reset_index(drop=True)
    assert mx.community[0] == "very high migration intensity"
    per_person = mx.matched_total / mx.population
    assert list(np.argsort(-per_person.to_numpy())) == list(np.argsort(-mx.abroad_share.to_numpy()))
    assert mx.matched_total.sum() == pytest.approx(
        m.country_frame().query("country == 'Mexico'").matched_funds.sum(), rel=1e-6)
    f = MigrationModel(**kw, **{"social_fund[Mexico]": 1.0})
    f.run_for(12)
    fx = f.community_frame().query("origin == 'Mexico'").reset_index(drop=True)
    assert mx.projects_per_10000.iloc[-1] < mx.projects_per_10000.iloc[0]
    assert fx.projects_per_10000.iloc[-1] > mx.projects_per_10000.iloc[-1]
