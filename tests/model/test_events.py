"""Every scheduled parameter change either takes effect or is refused (issue 11).

The first test finds, by tracing which parameters the model reads while it is built and
while it steps, every parameter that is read only at the start; each must be either
refused in an event (``READ_AT_START``, with the reason) or re-derived by the model when
an event changes it. The others check that the re-derived ones change outcomes, in the
documented direction where there is one.
"""

from __future__ import annotations

import numpy as np
import pytest

from migdev.model import params as P
from migdev.core.errors import ParameterError
from migdev.model.params import make_params
from migdev.core.records import Event
from migdev.model.model import MigrationModel

REDERIVED = P.AGENCY_TERMS | P.DEMAND | P.WAGES | {"financial_access"}

# configurations that between them take every branch that reads a parameter
TRACED = [
    {},
    # the financial intermediaries of a remittance world, every partnership lever on
    {"world": "remit2005", "bank_partnership": 1.0, "transfer_link": 1.0,
     "fee_disclosure": 1.0},
    {"adaptive_policy": True},
    {"agreement_kind": "circular", "agreement_start": 2},
    {"agreement_kind": "restrictive", "agreement_start": 2},
    {"agreement_kind": "multilateral", "agreement_start": 2},
    {"data_partnership": True, "migration_enabled": False},
    # rights granted, re-hiring, matching and outreach: the rules read only when in use
    {"employer_change_right": 0.5, "social_security_portability": 0.5, "worker_fee_ban": 0.5,
     "named_rehire_rate": 0.5, "matching_ratio": 3.0, "diaspora_outreach": 0.5,
     "contract_substitution": 0.5},
    # target earners, and pay abroad away from the start's (the return motives, ODD §7.9)
    {"hazard_savings": 1.0, "wage_dest_scale": 1.2},
]


class _NoCache(dict):
    """A lever cache that stores nothing, so every read of a lever reaches the parameters."""

    def __setitem__(self, key, value):
        pass


def _trace():
    reads = {"build": set(), "step": set()}
    phase = ["build"]
    getattribute = P.Params.__getattribute__

    def traced(self, name):
        if name in P.FIELDS:
            reads[phase[0]].add(name)
        return getattribute(self, name)

    P.Params.__getattribute__ = traced
    try:
        for over in TRACED:
            phase[0] = "build"
            m = MigrationModel(rng=1, n_persons=2000, **over)
            m._lever_cache = _NoCache()
            phase[0] = "step"
            m.run_for(24)
    finally:
        P.Params.__getattribute__ = getattribute
    return reads


def test_no_parameter_is_read_only_at_the_start_unless_events_on_it_are_refused_or_rederived():
    reads = _trace()
    only_at_start = reads["build"] - reads["step"] - set(P.RECORDS) - set(P.STRUCTURAL)
    unhandled = only_at_start - set(P.READ_AT_START) - REDERIVED
    assert not unhandled, (f"{sorted(unhandled)} are read only when the run is built, so an "
                           "event on them would be silently ineffective: re-derive them in "
                           "MigrationModel.apply_events or list them in params.READ_AT_START")
    # and nothing is refused that the model in fact reads while it runs
    assert not set(P.READ_AT_START) & reads["step"]
    assert set(P.PARAM_NAMES) - set(P.RECORDS) <= reads["build"] | reads["step"]


@pytest.mark.parametrize("name", sorted(P.READ_AT_START))
def test_an_event_on_a_parameter_read_only_at_the_start_is_refused_with_the_reason(name):
    value = P.FIELDS[name].default
    with pytest.raises(ParameterError, match="read only when the run starts") as e:
        make_params(events=(Event(10, name, value),))
    assert name in str(e.value) and P.READ_AT_START[name] in str(e.value)
    if name.startswith("agreement_"):
        assert "Agreement record" in str(e.value)


def _corridor_recruits(m):
    df = m.corridor_frame()
    return df.pivot_table(index="step", columns="origin", values="recruits",
                          aggfunc="sum", observed=True)


@pytest.mark.parametrize("event, more", [
    # wages abroad for health workers rise by half (vacancies bind agency recruitment, so
    # the direction of the total is not asserted here)
    (Event(20, "wage_dest_health", 1.5 * P.FIELDS["wage_dest_health"].default), None),
    # demand for foreign health workers doubles: more recruits
    (Event(20, "demand_health", 2.0 * P.FIELDS["demand_health"].default), True),
    # every UK agency becomes regulated (the closing of the agency loophole, 2005)
    (Event(20, "agency_regulation[United Kingdom]", 1.0), None),
    (Event(20, "agency_capacity", 0.0), False),
])
def test_a_rederived_parameter_changed_by_an_event_changes_what_follows_and_nothing_before(
        event, more):
    kw = dict(n_persons=8000, agreement_kind="multilateral", agreement_start=8)
    a = MigrationModel(rng=3, **kw)
    b = MigrationModel(rng=3, events=(event,), **kw)
    a.run_for(60)
    b.run_for(60)
    ra, rb = _corridor_recruits(a), _corridor_recruits(b)
    before = slice(0, event.step)  # rows are steps 0.. (0 = the start)
    np.testing.assert_array_equal(ra.iloc[before].to_numpy(), rb.iloc[before].to_numpy())
    after_a, after_b = ra.iloc[event.step + 1:].to_numpy(), rb.iloc[event.step + 1:].to_numpy()
    assert not np.array_equal(after_a, after_b), f"{event.param} changed nothing"
    if more is not None:
        assert (after_b.sum() > after_a.sum()) == more, (after_a.sum(), after_b.sum())


def test_closing_the_agency_loophole_cuts_recruitment_from_listed_origins():
    """Under a code that bars listed origins, regulating every agency mid-run (enforcement
    above unregulated compliance) lowers health recruitment from the listed origins."""
    kw = dict(n_persons=20_000, agreement_kind="multilateral", agreement_start=4,
              enforcement=0.95, unregulated_compliance=0.2)
    total = {False: 0.0, True: 0.0}
    for seed in range(3):
        for closed in (False, True):
            ev = (Event(20, "agency_regulation", 1.0),) if closed else ()
            m = MigrationModel(rng=seed, events=ev, **kw)
            m.run_for(60)
            df = m.country_frame()
            listed = df[(df.step > 20) & df.protected]
            total[closed] += listed["health_recruits"].sum()
    assert total[True] < total[False], total
