"""The oracle on the remittance world (issue 38): the fast model agrees with the per-agent
reference on remit2005 with financial intermediaries, partnership levers, the match at three
levels and social investment funds, and rejects a reference whose persons ignore the fees
the intermediaries set (a file of its own, so that the test runner can run it beside
test_reference.py)."""

import pytest

from migdev.core.records import Event
from migdev.model.oracle import compare
from migdev.model.reference import ReferenceModel


#: the remittance world (issue 38): financial intermediaries setting the fee each quarter,
#: a tri-partite partnership and a central-bank link for Mexico, a disclosure rule, the
#: match at three levels over CONAPO's classes of municipalities, and social investment
#: funds directing collective money by need (ODD §7.7, §7.7b)
REMITTANCE_RULES = {"world": "remit2005",
                    "events": (Event(4, "bank_partnership[Mexico]", 1.0),
                               Event(8, "fee_disclosure", 1.0),
                               Event(12, "transfer_link[Mexico]", 1.0)),
                    "matching_ratio": 1.0, "matching_ratio_state": 1.0,
                    "matching_ratio_local": 1.0, "social_fund[El Salvador]": 1.0,
                    "social_fund[Mexico]": 0.5}
#: 24 quarters: the levers start at quarters 4, 8 and 12, so the fees, the banks' share and
#: the funds have 12 to 20 quarters under them in every run
REMITTANCE_ORACLE = {"replicates": 16, "n_persons": 3000, "steps": 24, "window": 24}


@pytest.mark.slow
def test_remittance_world_agrees_with_the_reference(processes):
    a = compare(REMITTANCE_RULES, executor=processes, **REMITTANCE_ORACLE)
    assert a.agrees, a.report()


class BaseFeeOnly(ReferenceModel):
    """A reference whose persons pay the corridors' base-year fee whatever the
    intermediaries set (the rule of §7.7b ignored)."""

    def remittances(self, abroad):
        st = self.intermediary_state
        kept = st.fee
        st.fee = st.fee0
        try:
            super().remittances(abroad)
        finally:
            st.fee = kept


@pytest.mark.slow
def test_oracle_rejects_a_reference_that_ignores_the_intermediaries(processes):
    # 10 replicates: the smallest attainable adjusted p-value is 2/2^10, below alpha; the
    # base-year fee differs from the fee set by about 5 points, which 10 pairs reject
    a = compare(REMITTANCE_RULES, executor=processes, reference=BaseFeeOnly,
                **{**REMITTANCE_ORACLE, "replicates": 10})
    assert not a.agrees, a.report()
    worst = " ".join(a.table.index[a.table.p_adjusted < a.alpha])
    assert "formal" in worst or "remittance" in worst or "fee" in worst, worst
