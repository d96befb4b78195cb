"""Financial intermediaries: money-transfer operators and banks on the corridors, and the
formal transfer fee they set each quarter (ODD §7.7b).

A world switches them on (``intermediaries = true`` in its world.toml; remit2005); without
them the formal fee is the ``formal_fee`` lever, as before. With them, each corridor's
money-transfer operators charge a fee that falls with the corridor's volume of
remittances from its base-year level towards a floor, with a markup cut by disclosure
rules; banks carry a share of the origin's formal transfers, which grows towards the
households with an account where a tri-partite partnership is in force, at a bank fee, or
at the central-bank link's fee where the link is in force. The corridor's fee is the
share-weighted mean. The rule is :func:`corridor_fees`, written once here; the fast model
and the per-agent reference both read :func:`formal_fee`.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from migdev.core.kernels import value_at
from migdev.core.ledger import CORRIDOR_FLOWS

_REMITTANCES = CORRIDOR_FLOWS.index("remittances")


@dataclass
class IntermediaryState:
    """The intermediaries' state: per corridor (n_orig, n_dest) the operators' base fee,
    the base volume (simulated kUSD a quarter, the first quarter's; NaN before it), the
    operators' fee and the fee in force; per origin the banks' share of formal transfers."""

    fee0: np.ndarray
    volume0: np.ndarray
    mto_fee: np.ndarray
    bank_share: np.ndarray
    fee: np.ndarray


class Intermediary(mesa.Agent):
    """The money-transfer operators (``kind = "mto"``) or the banks (``"bank"``) serving
    one corridor; their fee and share are read from the model's ``intermediary_state``.

    Attributes:
        kind: "mto" or "bank"; origin, destination: the corridor's indices.
        fee: the share of the amount they charge this quarter.
        share: their share of the corridor's formal transfers.
    """

    def __init__(self, model, kind: str, origin: int, destination: int):
        super().__init__(model)
        self.kind, self.origin, self.destination = kind, origin, destination

    @property
    def fee(self) -> float:
        st = self.model.intermediary_state
        if self.kind == "mto":
            return float(st.mto_fee[self.origin, self.destination])
        return float(bank_fee(self.model)[self.origin])

    @property
    def share(self) -> float:
        b = float(self.model.intermediary_state.bank_share[self.origin])
        return b if self.kind == "bank" else 1.0 - b

    def __repr__(self):
        m = self.model
        return (f"Intermediary({self.kind}, {m.world.origin_names[self.origin]} > "
                f"{m.world.destination_names[self.destination]}, fee={self.fee:.4f})")


def corridor_fees(fee0, volume, volume0, floor, elasticity, disclosure, disclosure_cut,
                  bank_share, bank_fee):
    """The fees of one quarter (ODD §7.7b), per corridor (n_orig, n_dest):

        f_mto = clip(floor + (f0 - floor) (V / V0)^(-elasticity) (1 - disclosure_cut D_o),
                     floor, 0.5),
        f     = b_o f_bank,o + (1 - b_o) f_mto,

    V the corridor's remittances last quarter and V0 in the first quarter (the operators'
    fee is f0 where V0 is 0 or not yet known; V / V0 is bounded to 1e-9..1e9 so that the power
    stays finite: a corridor without volume is at the cap), D_o the origin's disclosure rule
    (0-1), b_o the banks' share and f_bank,o their fee. Returns (f_mto, f)."""
    fee0 = np.asarray(fee0, dtype=float)
    ratio = np.divide(volume, volume0, out=np.ones_like(fee0),
                      where=np.isfinite(volume0) & (volume0 > 0))
    ratio = np.clip(ratio, 1e-9, 1e9)  # numerical bounds: the power stays finite
    markup = (fee0 - floor) * ratio ** (-elasticity) * (1.0 - disclosure_cut
                                                        * np.asarray(disclosure)[:, None])
    mto = np.clip(floor + markup, min(floor, 0.5), 0.5)
    b = np.asarray(bank_share, dtype=float)[:, None]
    return mto, b * np.asarray(bank_fee, dtype=float)[:, None] + (1.0 - b) * mto


def next_bank_share(share, partnership, uptake, reach):
    """The banks' share of formal transfers next quarter (ODD §7.7b): where a tri-partite
    partnership is in force (P_o = 1) it moves a fraction ``uptake`` of the way towards
    the households with an account (``reach``), b' = b + uptake P_o (reach - b); without
    it, it stays."""
    return share + uptake * np.asarray(partnership) * (np.asarray(reach) - share)


def bank_fee(model) -> np.ndarray:
    """The banks' fee per origin: the central-bank link's where it is in force
    (``transfer_link``), else ``bank_fee``."""
    link = np.broadcast_to(model.lever("transfer_link"), (model.n_orig,))
    return np.where(link > 0, model.p.transfer_link_fee, model.p.bank_fee)


def enabled(model) -> bool:
    return model.world.intermediaries


def start(model) -> None:
    """The intermediaries at the start (a world that switches them on): each corridor's
    operators charge the world's base-year fee (its ``formal_fee`` column, else the lever),
    banks carry ``bank_share0`` of the formal transfers; one agent per kind and corridor."""
    if not enabled(model):
        model.intermediary_state = None
        return
    w, n_o, n_d = model.world, model.n_orig, model.n_dest
    lever = np.broadcast_to(np.asarray(model.lever("formal_fee"), dtype=float), (n_o, n_d))
    fee0 = np.where(np.isnan(w.corridor_fee), lever, w.corridor_fee)
    share = np.full(n_o, float(model.p.bank_share0))
    mto, fee = corridor_fees(fee0, np.zeros((n_o, n_d)), np.full((n_o, n_d), np.nan),
                             model.p.mto_fee_floor, model.p.fee_volume_elasticity,
                             np.broadcast_to(model.lever("fee_disclosure"), (n_o,)),
                             model.p.disclosure_markup_cut, share, bank_fee(model))
    model.intermediary_state = IntermediaryState(fee0=fee0, volume0=np.full((n_o, n_d), np.nan),
                                                 mto_fee=mto, bank_share=share, fee=fee)
    model.intermediaries = [Intermediary(model, kind, o, d) for o in range(n_o)
                            for d in range(n_d) if w.corridor_weight[o, d] > 0
                            for kind in ("mto", "bank")]


def update(model) -> None:
    """After the quarter's remittances (ODD §3, 7b): the banks' share moves under the
    partnerships in force, and the fees of the next quarter are set from this quarter's
    volume on each corridor (the first quarter's is the base volume). The values derived
    from the fee are made anew."""
    st = model.intermediary_state
    if st is None:
        return
    p, n_o = model.p, model.n_orig
    volume = model.flows.corridor[:, :, _REMITTANCES]
    if np.isnan(st.volume0).all():
        st.volume0 = volume.copy()
    st.bank_share = next_bank_share(st.bank_share,
                                    np.broadcast_to(model.lever("bank_partnership"), (n_o,)),
                                    p.bank_uptake, model.world.origin_access)
    st.mto_fee, st.fee = corridor_fees(st.fee0, volume, st.volume0, p.mto_fee_floor,
                                       p.fee_volume_elasticity,
                                       np.broadcast_to(model.lever("fee_disclosure"), (n_o,)),
                                       p.disclosure_markup_cut, st.bank_share, bank_fee(model))
    model.forget("abroad_terms", "formal_probability")


def fee_row(model) -> np.ndarray:
    """(n_orig, n_dest, 2): each corridor's formal fee in force for the next quarter and the
    banks' share of its origin's formal transfers (NaN without intermediaries), for the
    corridor table."""
    out = np.empty((model.n_orig, model.n_dest, 2))
    out[:, :, 0] = formal_fee(model)
    st = model.intermediary_state
    out[:, :, 1] = np.nan if st is None else st.bank_share[:, None]
    return out


def formal_fee(model):
    """The formal transfer fee in force: the intermediaries' per corridor (n_orig, n_dest)
    where the world has them, else the ``formal_fee`` lever (a number, or a table where
    it has local values)."""
    st = getattr(model, "intermediary_state", None)
    return model.lever("formal_fee") if st is None else st.fee


def fee_at(model, index):
    """:func:`formal_fee` at ``index`` (e.g. ``(origin, destination)`` of a person)."""
    return value_at(formal_fee(model), index)
