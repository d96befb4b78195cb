"""The oracle on every shipped scenario: the fast model agrees with the per-agent reference
(docs/ODD.md §7.13). Apart from test_reference.py so that the test runner, which spreads
whole files over the cores, can run these longest comparisons beside the others."""

import pytest

from migdev.model.oracle import compare
from migdev.model.scenarios import SCENARIOS

# scenarios with the same overrides are one test (spillover_vs_circulation is the
# restrictive MoU the headline sweep varies)
DISTINCT = list({repr(sorted(v.items())): k for k, v in SCENARIOS.items()}.values())


#: summaries where the fast model and the reference are known to disagree, each with what
#: was measured; every other summary must agree. One, found when persons were weighted
#: (issue 36), is older than that change: over the oracle's seeds 0-15 Nigeria's return rate
#: in the first 40 quarters is higher in the fast model (0.0681 against 0.0624, paired t 6.9;
#: 0.0673 against 0.0613 at the commit before weights, t 2.6, not rejected there: the seeds'
#: initial persons, shared by both versions, carry it). Over 96 seeds the difference is
#: +0.0009 (t 1.0): +0.0039 over seeds 0-47, -0.002 over 48-95. No swap of one stage between
#: the models reproduces it at 48 seeds, and the whole oracle on the baseline at seeds 16-31
#: and at seeds 32-47 rejects nothing. Its cause is not found yet (docs/ODD.md §7.13).
KNOWN_DISAGREEMENTS = {"return_rate | origin Nigeria | steps 1-40"}


@pytest.mark.slow
@pytest.mark.parametrize("name", DISTINCT)
def test_fast_model_agrees_with_the_reference(name, processes):
    a = compare(SCENARIOS[name], executor=processes)
    assert len(a.table) > 700  # country, corridor and person-state summaries were tested
    rejected = set(a.table.index[a.table.p_adjusted < a.alpha])
    assert rejected <= KNOWN_DISAGREEMENTS, a.report()
