"""Migrant (hometown) associations: collective remittances, matching, missions (ODD §7.7-7.8)."""

from __future__ import annotations

import mesa
import numpy as np

from migdev.agents.association import kernels
from migdev.core.kernels import is_scalar, nonzero


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
# 7. the match of collective remittances (the quarter abroad's accounts:
#    kernels.accounts)
# ---------------------------------------------------------------------------


def match_terms(model) -> kernels.MatchTerms:
    """The match's terms of each community (ODD §7.7): the ratio promised in all levels,
    the ratio paid (promised x the share honoured) and the budget of each level
    (municipal, state, national; the nation's budget is its origin's; in simulated money,
    real kUSD over the person weight), and the rule that
    shares a binding national budget (:func:`kernels.match_levels`)."""
    o, n = model.world.comm_origin, model.n_comm
    honoured = model.lever_at("matching_honoured", o)
    promised = [model.lever_at(name, o) for name in
                ("matching_ratio_local", "matching_ratio_state", "matching_ratio")]
    # the budgets in the units of the simulated persons' money: real kUSD over the person
    # weight (ODD §2), so that the match does not depend on how many persons are simulated
    weight = model.world.comm_weight
    ratio, budget = np.empty((3, n)), np.empty((3, n))
    for k, name in enumerate(("matching_budget_local", "matching_budget_state",
                              "matching_budget")):
        ratio[k] = promised[k] * honoured
        budget[k] = np.divide(model.lever_at(name, o), weight, out=np.full(n, np.inf),
                              where=weight > 0)
    ratio.setflags(write=False)
    budget.setflags(write=False)
    fund = np.broadcast_to(np.asarray(model.lever_at("social_fund", o), dtype=float), (n,))
    return kernels.MatchTerms((promised[0] + promised[1]) + promised[2], ratio, budget,
                              model.p.matching_allocation == "least_developed_first",
                              np.ascontiguousarray(fund), model.world.represented_pop,
                              model.n_orig)


def trust_step(model, promised_ratio, fund) -> None:
    """Associations update their trust after this quarter's collective remittances: with the
    origin's outreach, and where a match was promised on their contributions, toward the
    share of it paid (:func:`update_trust`). ``fund``: this quarter's collective fund per
    association."""
    p, st = model.p, model.association_state
    outreach = model.lever("diaspora_outreach")
    if is_scalar(promised_ratio):  # one ratio everywhere (the usual case)
        promised = (fund > 0) if promised_ratio > 0 else None
    else:
        promised = np.repeat(promised_ratio > 0, model.n_dest) & (fund > 0)
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

