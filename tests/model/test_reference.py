"""The per-agent reference model and the oracle test of the fast model against it.

The oracle (migdev.model.oracle.compare) must pass on every shipped scenario
(test_oracle_scenarios.py, a file of its own so that the test runner spreads the longest
comparisons over the cores) and must fail when a rule differs: a reference with a wrong
rule is rejected.
"""

import itertools

import numpy as np
import pandas as pd
import pytest

from migdev.core.codes import HEALTH, LOW, RETURNED, TEMP
from migdev.core.records import Event
from migdev.model import MigrationModel
from migdev.model.oracle import compare, max_t_test, person_state, pool
from migdev.model.reference import READ, STATE, Person, ReferenceModel
from migdev.model.scenarios import SCENARIOS

#: the rules of brain circulation with consequences switched on together: named re-hiring
#: in a circular scheme, a promised three-for-one match paid in part, diaspora outreach,
#: rights granted by destinations and by the agreement's clauses; and home wages that
#: respond to shortage and development (ODD §7.15); the match also at the state and
#: municipal levels, with budgets that bind, the least developed communities paid first
#: (ODD §7.7)
CIRCULATION_RULES = {**SCENARIOS["circular_mou"], "named_rehire_rate": 0.75,
                     "wage_shortage_elasticity": 1.0, "wage_development_elasticity": 0.5,
                     "matching_ratio": 3.0, "matching_honoured": 0.2, "diaspora_outreach": 0.1,
                     "matching_ratio_state": 1.0, "matching_budget_state": 60.0,
                     "matching_ratio_local": 0.5, "matching_budget": 400.0,
                     "matching_allocation": "least_developed_first",
                     "mission_rate": 0.02, "agreement_rights": 1.0, "worker_fee_ban": 0.5,
                     "employer_change_right": 0.3, "social_security_portability": 0.5,
                     "settlement_visa_openness": {"United Kingdom": 0.9, "Canada": 0.6},
                     "contract_substitution": 0.5, "hazard_savings": 1.0,
                     "hazard_retirement": 1.0,
                     "wage_dest_scale": {"United States": 1.3},
                     # the remittances' insurance motive, at work after a cut of home wages
                     "remit_insurance": 2.0, "events": (Event(45, "home_wage_scale", 0.7),)}


@pytest.mark.slow
def test_circulation_rules_agree_with_the_reference(processes):
    a = compare(CIRCULATION_RULES, executor=processes)
    assert a.agrees, a.report()


class FullCensus(ReferenceModel):
    """The reference with a census of every attribute each quarter."""

    def census(self, names=STATE) -> None:
        super().census(STATE)


def test_the_quarterly_census_copies_all_that_is_read():
    # the quarter's census copies only what the institutions and tables read (READ); a
    # census of everything must give the same run, outputs and persons bit for bit (ties
    # decay fast enough abroad for some transnational members to stop being so)
    rules = {**CIRCULATION_RULES, "adaptive_policy": True, "ties_decay": 0.05}
    runs = []
    for cls in (ReferenceModel, FullCensus):
        m = cls(rng=4, n_persons=900, **rules)
        m.run_for(30)
        runs.append((m.country_frame(), m.corridor_frame(), person_state(m), m.summary()))
    (c0, k0, s0, y0), (c1, k1, s1, y1) = runs
    pd.testing.assert_frame_equal(c0, c1)
    pd.testing.assert_frame_equal(k0, k1)
    pd.testing.assert_series_equal(s0, s1)
    assert y0 == y1
    assert c0.recruits.sum() > 0 and c0.returns.sum() > 0  # something happened
    assert set(READ) < set(STATE)


class IgnoresTrust(Person):
    """A rewrite that forgets the associations' trust: participation never moves."""

    def _participation(self):
        return 1.0


class NoTrust(ReferenceModel):
    person_class = IgnoresTrust


@pytest.mark.slow
def test_oracle_rejects_a_reference_that_ignores_trust(processes):
    a = compare(CIRCULATION_RULES, executor=processes, reference=NoTrust)
    assert not a.agrees, a.report()
    worst = " ".join(a.table.index[a.table.p_adjusted < a.alpha])
    assert "collective_contributions" in worst or "member" in worst, worst


class ContractOneQuarterLonger(Person):
    """An off-by-one a rewrite could make: temporary contracts end a quarter late."""

    def consider_return(self):
        if self.status == TEMP and self.contract_left == 1:
            self.contract_left += 1
        super().consider_return()


class LateContracts(ReferenceModel):
    person_class = ContractOneQuarterLonger


@pytest.mark.slow
def test_oracle_rejects_a_reference_with_a_wrong_rule(processes):
    a = compare(SCENARIOS["baseline"], replicates=10, n_persons=3000, reference=LateContracts,
                executor=processes)
    assert not a.agrees, a.report()
    worst = " ".join(a.table.index[a.table.p_adjusted < a.alpha])
    assert "abroad_temporary" in worst or "contract" in worst or "returns" in worst, worst


def test_max_t_test_exact_on_small_cases():
    # three pairs, all differences +1 on one summary: |t| infinite, reached by the
    # all-plus and all-minus sign vectors only: adjusted p = 2/8
    t, p = max_t_test(np.array([[1.0], [1.0], [1.0]]))
    assert np.isinf(t[0]) and p[0] == pytest.approx(2 / 8)
    # a summary with mean 0 is no evidence; the adjusted p-value never falls below 2^-R
    d = np.array([[1.0, 0.5], [-1.0, 0.6], [0.0, 0.4], [0.0, 0.55]])
    t, p = max_t_test(d)
    assert t[0] == 0 and p[0] == 1.0
    assert p[1] == pytest.approx(2 / 16)
    with pytest.raises(ValueError, match="too many"):
        max_t_test(np.zeros((17, 2)))


def test_max_t_test_as_stated_directly():
    # the blocked computation against the whole table of sign vectors at once (2^10 sign
    # vectors: four blocks), with exact ties, zero columns and a constant difference
    rng = np.random.default_rng(7)
    d = rng.normal(size=(10, 300))
    d[:, :40] = np.round(d[:, :40])
    d[:, 40:50] = 0.0
    d[:, 50] = 1.5
    signs = np.array(list(itertools.product((1.0, -1.0), repeat=10)))
    r, total_sq = 10, (d ** 2).sum(axis=0)

    def t_of(means):
        var = np.maximum(total_sq - r * means ** 2, 0.0) / (r - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(means) / np.sqrt(var / r)
        return np.where(means == 0, 0.0, t)

    observed = t_of(d.mean(axis=0))
    largest = t_of(signs @ d / r).max(axis=1)
    want = (largest[:, None] >= observed[None, :]).mean(axis=0)
    t, p = max_t_test(d)
    assert np.array_equal(t, observed) and np.array_equal(p, want)
    assert p.min() == pytest.approx(2 / 1024) and (p[40:50] == 1.0).all()


def test_oracle_command_and_its_errors(capsys):
    from migdev.model import oracle

    with pytest.raises(ValueError, match="could never reject"):
        compare(SCENARIOS["baseline"], replicates=4)
    assert oracle.main(["--scenario", "baseline", "--replicates", "8", "--persons", "300",
                        "--steps", "6", "--workers", "1", "--rows", "2"]) == 0
    out = capsys.readouterr().out
    assert "== baseline:" in out and "paired replicates" in out and "all 1 scenario(s) agree" in out
    for bad in (["--scenario", "nope"], ["--replicates", "4"], ["--persons", "10"]):
        with pytest.raises(SystemExit) as e:
            oracle.main(bad)
        assert e.value.code == 2
    assert "unknown scenario 'nope'" in capsys.readouterr().err


def test_oracle_command_exits_1_when_a_scenario_disagrees(monkeypatch, capsys):
    import pandas as pd

    from migdev.model import oracle

    bad = oracle.Agreement(pd.DataFrame({"fast": [1.0], "reference": [2.0], "t": [9.0],
                                         "p_adjusted": [0.001]}, index=["returns"]), 0.01, 8, 0)
    monkeypatch.setattr(oracle, "compare", lambda *a, **k: bad)
    assert oracle.main(["--scenario", "baseline"]) == 1
    captured = capsys.readouterr()
    assert "1 disagree" in captured.out and "DISAGREE: baseline" in captured.err


def test_reference_is_a_mesa_model_of_person_agents():
    m = ReferenceModel(rng=3, n_persons=600)
    ids0 = {p.person_id for p in m.persons}
    m.run_for(12)
    persons = m.agents_by_type[Person]
    assert len(persons) == 600 == len(m.persons) == len(m.migrants)
    assert all(p.slot == i for i, p in enumerate(m.persons))
    ids = [p.person_id for p in m.persons]
    assert len(set(ids)) == 600 and ids0 - set(ids)  # some retired, ids never reused
    assert m.migrant_state.entrants == m.migrant_state.exits == len(set(ids) - ids0)
    df = m.country_frame()
    assert len(df) == 13 * m.n_orig and not df.isna().any().any()
    # the same world as the fast model at the same seed
    f = MigrationModel(rng=3, n_persons=600)
    m0 = ReferenceModel(rng=3, n_persons=600)
    m0.census()
    for name in ("occ", "age", "h", "status", "ties", "community"):
        assert np.array_equal(getattr(f.pop, name), getattr(m0.pop, name)), name


def test_person_rules_by_their_equations():
    m = ReferenceModel(rng=5, n_persons=400)
    p = m.p
    x = next(q for q in m.persons if q.at_home and q.occ == HEALTH)
    x.status, x.dest, x.matched, x.h, x.channel, x.member = TEMP, 0, True, 1.2, 1, True
    x.contract_left, x.savings, x.h_dep, x.ties = 1, 3.0, 1.0, 0.5
    m.flows.reset()
    x.work()
    assert x.income == pytest.approx(m.world.wage_dest[0, HEALTH] * 1.2)
    assert x.h == pytest.approx(min(1.2 * (1 + p.skill_growth_abroad), p.h_max))
    assert x.ties == pytest.approx(0.5 - p.ties_decay * 0.5 + p.association_ties * 0.5)
    invest0 = m.community_state.investment[x.community]
    x.come_home()
    assert x.status == RETURNED and not x.member and x.savings == 0.0
    assert m.community_state.investment[x.community] - invest0 == pytest.approx(
        p.household_invest_share * 3.0)
    assert m.flows["return_gain"][x.community] == pytest.approx(x.h - 1.0)
    # an irregular worker earns 0.7 of the low-skilled wage and never a matched job
    y = next(q for q in m.persons if q.at_home and q.occ == LOW)
    y.status, y.dest, y.matched = 3, 1, True
    y.work()
    assert y.income == pytest.approx(0.7 * m.world.wage_dest[1, LOW]) and not y.matched


def test_the_oracle_gives_the_same_result_in_one_process_or_two():
    """Each paired run is seeded on its own, so the comparison's table is the same whether
    its runs go through one process or a pool of two (the file's tests use either)."""
    kw = dict(replicates=8, n_persons=300, steps=6, window=3)
    one = compare(SCENARIOS["baseline"], **kw)
    with pool(2) as ex:
        two = compare(SCENARIOS["baseline"], executor=ex, **kw)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.identical == two.identical
