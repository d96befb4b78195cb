"""The shared compiled helpers (a row's sum in numpy's order, the unbiased rounding of the
split), the derived terms kept while parameters and policy are the same, and the passes'
check of their draws. The rules themselves are tested by hand in ``tests/agents/``."""

import numpy as np
import pytest

from migdev.agents import agency, migrant
from migdev.agents.migrant import kernels as migrant_kernels
from migdev.model.params import make_params
from migdev.core.records import Event
from migdev.core.kernels import pairwise_sum


@pytest.mark.parametrize("n", [0, 1, 5, 7, 8, 9, 15, 16, 17, 127, 128, 129, 200, 256, 257, 1000,
                               4097, 100_003])
def test_pairwise_sum_is_numpys_sum(n):
    rng = np.random.default_rng(n)
    x = rng.random(n) * 10.0 ** rng.uniform(-6, 6, n) * rng.choice([-1.0, 1.0], n)
    assert pairwise_sum(x, 0, n) == x.sum()
    if n:  # and along the rows of a matrix, as x.sum(axis=1)
        m = rng.random((3, n)) * 10.0 ** rng.uniform(-3, 3, (3, n))
        assert [pairwise_sum(row, 0, n) for row in m] == list(m.sum(axis=1))


def test_apportion_systematic_rounding_is_unbiased():
    """With draws, a column's mean count is its exact share (here 10 x 0.25 = 2.5 and
    10 x 0.75 = 7.5 would round to 2 and 8 by largest remainders, ties to the lower)."""
    rng = np.random.default_rng(7)
    k = 20_000
    out = agency.apportion(np.full(k, 10), np.tile([1.0, 3.0], (k, 1)), rng.random(k))
    assert abs(out[:, 0].mean() - 2.5) < 0.02 and abs(out[:, 1].mean() - 7.5) < 0.02


def paired_runs(monkeypatch, module, name, statement, levers, seed, steps, n=4_000):
    """The same seeded run twice: as the model makes it, then with ``module.name`` replaced
    by ``statement`` (which the run must call). Checks that every
    person's state and the country and corridor tables have the same bits; returns both
    models."""
    from migdev.model.model import MigrationModel
    runs = []
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return statement(*args, **kwargs)

    for swapped in (False, True):
        if swapped:
            monkeypatch.setattr(module, name, counted)
        m = MigrationModel(make_params(n_persons=n, **levers), rng=seed)
        for _ in range(steps):
            m.step()
        runs.append(m)
    # else the two runs are the same run: the model no longer calls module.name
    assert calls, f"the run never called {module.__name__}.{name}"
    a, b = runs
    for f in a.pop.__dataclass_fields__:
        assert getattr(a.pop, f).tobytes() == getattr(b.pop, f).tobytes(), f
    assert a.country_frame().equals(b.country_frame())
    assert a.corridor_frame().equals(b.corridor_frame())
    return a, b


def _training_terms_uncached(model):
    model._derived.pop("training_terms", None)
    model._derived.pop("home_wage", None)
    return _TRAINING_TERMS(model)


_TRAINING_TERMS = migrant._training_terms


def test_training_terms_are_recomputed_when_parameters_or_wages_change(monkeypatch):
    """The training system's kept terms: a run with events that change the wages abroad and
    the home wages equals the run that recomputes them every quarter, bit for bit."""
    levers = {"events": (Event(6, "wage_dest_scale", 1.5), Event(12, "home_wage_scale", 0.5),
                         Event(18, "training_capacity_health", 0.9))}
    a, _ = paired_runs(monkeypatch, migrant, "_training_terms", _training_terms_uncached,
                       levers, 3, 30)
    # the events changed the entrants' choices: a run without them trains otherwise
    from migdev.model.model import MigrationModel
    b = MigrationModel(make_params(n_persons=4_000), rng=3)
    for _ in range(30):
        b.step()
    assert not np.array_equal(a.pop.occ, b.pop.occ)


def test_passes_refuse_a_whole_row_of_draws():
    """The compiled passes read the n-th person's draw at n, unchecked: their wrappers refuse
    draws that are not one per person handled (a whole row, read by slot, would give other
    persons' numbers silently)."""
    from migdev.model import MigrationModel

    m = MigrationModel(n_persons=300, rng=3)
    pop = m.pop
    idx = np.array([2, 5, 7])
    whole = np.random.default_rng(1).random((3, pop.n), dtype=np.float32)
    mine = whole[:, idx]
    calls = {
        "enter": lambda u: migrant_kernels.enter(pop, idx, np.zeros(3, np.int8), 10_000, 18.0, u[0],
                                         m.n_comm),
        "choose_tracks": lambda u: migrant_kernels.choose_tracks(
            idx, pop.origin, u[0], u[1], np.full((m.n_orig, 4), 0.25),
            np.zeros((m.n_orig, 3), np.int64), 0.0, 0.0),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match="one draw per person"):
            call(whole)
        call(mine)  # one per person: accepted


def test_the_persons_record_follows_the_population_arrays():
    """Population.persons() is kept between calls (the passes ask four times a step), so it
    must follow the population: the same arrays while none is replaced, the new array once
    one is, and not carried in a pickle."""
    import pickle

    from migdev.model.model import MigrationModel

    pop = MigrationModel(rng=1, n_persons=300).pop
    first = pop.persons()
    assert pop.persons() is first and first.status is pop.status
    pop.status[0] = pop.status[0]  # a change in place keeps the record: the same arrays
    assert pop.persons() is first
    pop.ties = pop.ties.copy()  # a replaced array drops it
    again = pop.persons()
    assert again is not first and again.ties is pop.ties and again.status is pop.status
    back = pickle.loads(pickle.dumps(pop))
    assert "_persons" not in back.__dict__
    assert back.persons().ties is back.ties
    assert np.array_equal(back.persons().ties, pop.ties)
