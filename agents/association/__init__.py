"""Migrant (hometown) associations: collective remittances, matching, missions (ODD §7.7-7.8)."""

from __future__ import annotations

import mesa
import numpy as np

from migdev.core.kernels import is_scalar, nonzero
from migdev.core.ledger import Totals


class MigrantAssociation(mesa.Agent):
    """The association of one origin community in one destination.

    Attributes:
        community: index of the home community; destination: index of the destination.
        members: members last quarter.
        trust: trust in the origin government (0-1), which scales participation.
        fund: collective remittances raised last quarter (kUSD).
        matched: public money added to them last quarter (kUSD).
        missions: temporary-return missions organised last quarter.
        total_fund, total_matched, total_missions: cumulative.

    The records are read from the model's ``AssociationState`` (one row per association).
    """

    def __init__(self, model, community: int, destination: int):
        super().__init__(model)
        self.community = community
        self.destination = destination
        self.index = community * model.n_dest + destination  # row of AssociationState

    def _get(self, name):
        return getattr(self.model.association_state, name)[self.index].item()

    members = property(lambda self: self._get("members"))
    trust = property(lambda self: self._get("trust"))
    fund = property(lambda self: self._get("fund"))
    matched = property(lambda self: self._get("matched"))
    missions = property(lambda self: self._get("missions"))
    total_fund = property(lambda self: self._get("total_fund"))
    total_matched = property(lambda self: self._get("total_matched"))
    total_missions = property(lambda self: self._get("total_missions"))


class AssociationState:
    """Every association's records as arrays, one row per community x destination (the
    order of ``model.associations``): last quarter's members, fund, match and missions and
    their cumulative totals; :func:`record` writes them all at once. ``trust`` (0-1) is each
    association's trust in its origin government (ODD §7.7), ``trust0`` where it started."""

    def __init__(self, n: int, trust0: float = 0.5):
        self.trust0 = float(trust0)
        self.trust = np.full(n, self.trust0)
        self.moved = False  # has any trust left trust0 (else participation is unchanged)
        self.members = np.zeros(n, dtype=np.int64)
        self.fund = np.zeros(n)
        self.matched = np.zeros(n)
        self.missions = np.zeros(n, dtype=np.int64)
        self.total_fund = np.zeros(n)
        self.total_matched = np.zeros(n)
        self.total_missions = np.zeros(n, dtype=np.int64)

    def record(self, members, fund, matched, missions) -> None:
        self.members[:] = members
        self.fund[:] = fund
        self.matched[:] = matched
        self.missions[:] = missions
        self.total_fund += self.fund
        self.total_matched += self.matched
        self.total_missions += self.missions


def collective_funds(contributions: np.ndarray, matching_ratio: float, fee: float):
    """Collective remittances and their public match ("three for one" when ratio = 3).

    matched = matching_ratio * contributions; the project stock receives
    contributions (1 - fee) + matched; the fee goes to the transfer provider.

    Returns:
        (matched, to_projects, fees).
    """
    matched = matching_ratio * contributions
    fees = contributions * fee
    return matched, contributions - fees + matched, fees


def update_trust(trust, promised, honoured, outreach, rate):
    """Associations' trust in their origin government after a quarter (ODD §7.7):

    T <- T + rate * outreach * (1 - T)               (outreach: consular services, ...)
    T <- T + rate * (honoured - T)   where a match was promised on contributions this quarter

    so trust rises with outreach and settles at the share of promised matching actually paid.
    All arguments are per association (or scalars); returns the new trust, in [0, 1]."""
    trust = trust + rate * outreach * (1.0 - trust)
    trust = np.where(promised, trust + rate * (honoured - trust), trust)
    return np.clip(trust, 0.0, 1.0)


def participation(model):
    """Each association's participation factor, trust / trust_initial (1 while trust has not
    moved): it scales the chance of joining and the share given collectively (ODD §7.6-7.7).
    A scalar 1.0 when no trust has moved (the fast path)."""
    st = model.association_state
    return st.trust / st.trust0 if st.moved else 1.0


# ---------------------------------------------------------------------------
# 7. collective remittances and 8. temporary return missions
# ---------------------------------------------------------------------------

def collect_collective(model, comm, origin, dest, member, collective, household_fees) -> Totals:
    """Members' collective remittances reach the associations and are matched by the
    origin government; the total goes to community projects.

    Args:
        comm, origin, dest: home community, origin and destination of each person abroad
            (arrays); member: whether each is a member; collective: what each gives
            (kUSD); household_fees: fees on each one's household transfer.

    Returns:
        this quarter's collective money (kUSD): collective, collective_fees,
        to_projects, matched.
    """
    nc, nk = model.n_comm, model.n_comm * model.n_dest
    fee = model.lever("formal_fee")
    paid = (np.bincount(comm, weights=collective * fee[origin, dest], minlength=nc)
            if not is_scalar(fee) else None)
    key = comm.astype(np.int64) * model.n_dest + dest
    return collect_tallied(model, np.bincount(comm, weights=collective, minlength=nc), paid,
                           np.bincount(comm, weights=household_fees, minlength=nc),
                           np.bincount(key, weights=member, minlength=nk),
                           np.bincount(key, weights=collective, minlength=nk))


def collect_tallied(model, contrib, paid, household_fees, members, fund) -> Totals:
    """:func:`collect_collective` from its sums: per community the collective gifts
    (``contrib``), the gifts times their corridor's formal fee (``paid``, used where the
    fee differs by corridor) and the household transfers' fees; per association (community
    x destination) the members and the gifts (``fund``). The model's quarter abroad makes
    the same in one compiled call with its flows (:func:`kernels.accounts`;
    ``tests/model/test_abroad.py`` compares the two)."""
    nc = model.n_comm
    # the match promised and the share of it actually paid (broken promises below 1)
    promised_ratio, ratio = model.derived("match_ratio", lambda: match_ratio(model))
    fee = model.lever("formal_fee")
    if not is_scalar(fee):  # per corridor: the contribution-weighted fee of each community
        fee = np.divide(paid, contrib, out=np.zeros(nc), where=contrib > 0)
    matched, to_projects, cfees = collective_funds(contrib, ratio, fee)
    model.flows["rem_fees"] += household_fees + cfees
    model.flows["collective"] += contrib
    model.flows["matched"] += matched
    model.comm["projects"] += to_projects
    # association records (members, funds) per community x destination
    model.assoc_members = members
    model.assoc_fund = fund
    trust_step(model, promised_ratio)
    return Totals(collective=contrib, collective_fees=cfees, to_projects=to_projects,
                  matched=matched)


def match_ratio(model) -> tuple:
    """Each community's promised matching ratio and the ratio paid (promised x the share
    honoured), of its origin: scalars where one value holds everywhere."""
    promised = model.lever_at("matching_ratio", model.world.comm_origin)
    return promised, promised * model.lever_at("matching_honoured", model.world.comm_origin)


def trust_step(model, promised_ratio) -> None:
    """Associations update their trust after this quarter's collective remittances: with the
    origin's outreach, and where a match was promised on their contributions, toward the
    share of it paid (:func:`update_trust`)."""
    p, st = model.p, model.association_state
    outreach = model.lever("diaspora_outreach")
    if is_scalar(promised_ratio):  # one ratio everywhere (the usual case)
        promised = (model.assoc_fund > 0) if promised_ratio > 0 else None
    else:
        promised = np.repeat(promised_ratio > 0, model.n_dest) & (model.assoc_fund > 0)
    if p.trust_learning_rate == 0 or not (nonzero(outreach)
                                          or (promised is not None and promised.any())):
        return
    if promised is None:
        promised = np.zeros(model.n_comm * model.n_dest, dtype=bool)
    o = model.world.comm_origin

    def per_association(name):  # an origin lever, one value per (community, destination)
        return np.repeat(np.broadcast_to(model.lever_at(name, o), (model.n_comm,)),
                         model.n_dest)
    st.trust = update_trust(st.trust, promised, per_association("matching_honoured"),
                            per_association("diaspora_outreach"), p.trust_learning_rate)
    st.moved = st.moved or bool((st.trust != st.trust0).any())


def record(model, organised: np.ndarray) -> None:
    """The associations' records of the quarter: members and funds (from
    :func:`collect_collective`), the public match and the missions they organised
    (``organised``, one count per community x destination). The model's quarter abroad
    writes them in :func:`kernels.accounts`, as here."""
    model.association_state.record(model.assoc_members.astype(np.int64), model.assoc_fund,
                                   model.assoc_fund * model.derived("match_paid",
                                                                    lambda: match_paid(model)),
                                   organised)


def match_paid(model) -> np.ndarray:
    """The public match paid per unit contributed, per association (laid out community by
    community, n_dest each): the promised ratio times the share honoured, of its origin."""
    paid = model.derived("match_ratio", lambda: match_ratio(model))[1]
    out = np.repeat(np.broadcast_to(paid, (model.n_comm,)), model.n_dest)
    out.setflags(write=False)
    return out
