"""A quarter abroad in one compiled call (migrant.abroad_quarter) takes one draw per person
it handles: whole rows of draws are refused. Its rules are tested by hand in
``tests/agents/test_abroad_by_hand.py``."""


import numpy as np
import pytest

from migdev.agents import migrant
from migdev.agents.migrant import kernels as migrant_kernels
from migdev.model import MigrationModel


def test_a_quarter_abroad_refuses_whole_rows_of_draws():
    m = MigrationModel(rng=3, n_persons=500)
    m.run_for(8)
    idx = np.flatnonzero(m.pop.abroad())
    assert len(idx) > 0
    whole = np.zeros(m.pop.n, dtype=np.float32)
    mine = np.zeros(len(idx), dtype=np.float32)
    args = (np.zeros((2, len(idx)), np.float32), np.zeros((3, len(idx)), np.float32), mine,
            mine)
    for k, bad in enumerate([np.zeros((2, m.pop.n), np.float32), np.zeros((3, len(idx))),
                             whole, whole]):
        given = list(args)
        given[k] = bad
        with pytest.raises(ValueError, match="draws of shape"):
            migrant_kernels.abroad_quarter(m.pop, idx, *given, 1.0, m.community_state.access,
                                   m.community_state.development, m.flows.corridor,
                                   migrant.abroad_terms(m), m.n_comm, m.n_dest)
