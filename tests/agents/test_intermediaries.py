"""Financial intermediaries (ODD §7.7b): the fee rule by hand, the banks' share, the
partnership levers in a run of remit2005, the agents, and a world without them unchanged."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migdev.agents.intermediary import Intermediary, corridor_fees, next_bank_share
from migdev.core.records import Event
from migdev.model import MigrationModel

W = "remit2005"


def test_fees_by_hand():
    # f0 0.20, floor 0.03, the volume four times the base, elasticity 0.5: the markup 0.17
    # halves to 0.085, so the operators charge 0.115; a disclosure rule (cut 0.3) leaves
    # 0.085 x 0.7 = 0.0595 of it: 0.0895. Banks carry half at 0.01: 0.5 x 0.01 + 0.5 x 0.115
    mto, fee = corridor_fees(np.array([[0.20], [0.20]]), np.array([[4.0], [4.0]]),
                             np.array([[1.0], [1.0]]), 0.03, 0.5, np.array([0.0, 1.0]), 0.3,
                             np.array([0.5, 0.0]), np.array([0.01, 0.01]))
    np.testing.assert_allclose(mto[:, 0], [0.115, 0.0895])
    np.testing.assert_allclose(fee[:, 0], [0.0625, 0.0895])
    # before the base volume is known, the base fee; without volume, the cap
    mto, fee = corridor_fees(np.array([[0.2]]), np.array([[5.0]]), np.array([[np.nan]]),
                             0.03, 0.5, np.zeros(1), 0.3, np.zeros(1), np.zeros(1))
    assert mto[0, 0] == fee[0, 0] == 0.2
    mto, _ = corridor_fees(np.array([[0.2]]), np.array([[0.0]]), np.array([[3.0]]),
                           0.03, 0.5, np.zeros(1), 0.3, np.zeros(1), np.zeros(1))
    assert mto[0, 0] == 0.5


def test_banks_share_by_hand():
    # under a partnership, 5 % of the gap to the households with an account (0.274) a quarter
    b = next_bank_share(np.array([0.03, 0.03]), np.array([1.0, 0.0]), 0.05,
                        np.array([0.274, 0.274]))
    np.testing.assert_allclose(b, [0.03 + 0.05 * 0.244, 0.03])


@settings(max_examples=200, deadline=None)
@given(f0=st.floats(0.0, 0.5), floor=st.floats(0.0, 0.5), v=st.floats(0.0, 1e6),
       v0=st.floats(1e-3, 1e6), eps=st.floats(0.0, 5.0), d=st.floats(0.0, 1.0),
       b=st.floats(0.0, 1.0), fb=st.floats(0.0, 0.5))
def test_fees_stay_between_floor_and_half_and_fall_with_volume(f0, floor, v, v0, eps, d, b, fb):
    args = (np.array([[f0]]), np.array([[v]]), np.array([[v0]]), floor, eps, np.array([d]),
            0.3, np.array([b]), np.array([fb]))
    mto, fee = corridor_fees(*args)
    assert min(floor, 0.5) - 1e-12 <= mto[0, 0] <= 0.5 + 1e-12
    assert min(fb, mto[0, 0]) - 1e-12 <= fee[0, 0] <= max(fb, mto[0, 0]) + 1e-12
    more, _ = corridor_fees(np.array([[f0]]), np.array([[2 * v + 1.0]]), *args[2:])
    if f0 >= floor:  # a markup falls as the market grows
        assert more[0, 0] <= mto[0, 0] + 1e-12


def test_a_world_without_intermediaries_keeps_the_lever():
    m = MigrationModel(n_persons=1500, rng=1)
    m.run_for(2)
    assert m.intermediary_state is None
    cor = m.corridor_frame()
    assert (cor.formal_fee == m.p.formal_fee).all() and cor.bank_share.isna().all()


def run(events=(), steps=24, seed=1):
    m = MigrationModel(world=W, n_persons=4000, rng=seed, events=events)
    fees, shares = [], []
    for _ in range(steps):
        m.step()
        fees.append(m.intermediary_state.fee[0, 0])
        shares.append(m.intermediary_state.bank_share[0])
    return m, np.array(fees), np.array(shares)


def test_partnership_and_link_lower_mexicos_fee():
    ctrl, fee_c, share_c = run()
    part, fee_p, share_p = run((Event(4, "bank_partnership[Mexico]", 1.0),))
    link, fee_l, share_l = run((Event(4, "bank_partnership[Mexico]", 1.0),
                                Event(12, "transfer_link[Mexico]", 1.0)))
    assert (share_c == 0.03).all()
    assert (np.diff(share_p[3:]) > 0).all() and share_p[-1] < 0.274  # towards the accounts
    # Mexico's only: El Salvador's banks stay at the base share
    assert part.intermediary_state.bank_share[1] == 0.03
    assert fee_p[-1] < fee_c[-1] and fee_l[-1] < fee_p[-1]
    # the persons pay the fee in force: the corridor table records it
    cor = link.corridor_frame()
    mx = cor[cor.origin == "Mexico"].set_index("step")
    assert mx.formal_fee.iloc[-1] == pytest.approx(fee_l[-1])
    assert mx.bank_share.iloc[-1] == pytest.approx(share_l[-1])
    # disclosure cuts the operators' markup
    disc, fee_d, _ = run((Event(4, "fee_disclosure", 1.0),))
    assert fee_d[-1] < fee_c[-1]


def test_intermediaries_are_mesa_agents_on_each_corridor():
    m, _, _ = run(steps=3)
    ags = list(m.agents_by_type[Intermediary])
    assert len(ags) == 6 and {a.kind for a in ags} == {"mto", "bank"}
    mto = next(a for a in ags if a.kind == "mto" and a.origin == 0)
    bank = next(a for a in ags if a.kind == "bank" and a.origin == 0)
    st_ = m.intermediary_state
    assert mto.fee == st_.mto_fee[0, 0] and bank.fee == m.p.bank_fee
    assert mto.share + bank.share == pytest.approx(1.0)
    assert mto.share * mto.fee + bank.share * bank.fee == pytest.approx(st_.fee[0, 0])
