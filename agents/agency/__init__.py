"""Private recruitment agencies and the recruitment market (ODD §7.4): who is offered work
abroad, through which channel, from which origin, and how agencies learn."""

from __future__ import annotations

import mesa
import numpy as np

from migdev.agents.agency import kernels
from migdev.agents.government import corridor_right
from migdev.core import kernels as core_kernels
from migdev.core.codes import CH_AGREEMENT, CH_INITIAL, CH_REGULATED, LOW
from migdev.core.kernels import is_scalar
from migdev.core.offers import OFFER_BLOCK, Attempts, Offers
from migdev.agents.government.params import GovernmentParams
from migdev.core.rng import draws32

#: the integration policy's declared default: the reference of the destination choice
INTEGRATION_DEFAULT = GovernmentParams.integration_policy
#: the rights a corridor can grant (destination levers or an agreement's clauses)
RIGHTS = ("worker_fee_ban", "employer_change_right", "social_security_portability")


class RecruitmentAgency(mesa.Agent):
    """A private recruiter based in a destination.

    Attributes:
        index: position among all agencies (row of the model's agency arrays).
        destination: index of the destination it places workers in.
        regulated: licensed and regulated (complies with restrictions with probability
            ``enforcement``; unregulated ones with ``unregulated_compliance``).
        fee_months: fee charged to a worker, in months of the destination wage.
        capacity: placements it can make per quarter.
        attractiveness: (n_origins,) learned weight of each origin (from past success).
        offers, accepted: (n_origins,) offers made and accepted in the last quarter.
        complied: whether it kept out of protected origins in the last quarter.

    The arrays are views onto the rows of ``model.agency_state`` (:class:`AgencyState`).
    """

    def __init__(self, model, index: int, destination: int):
        super().__init__(model)
        self.index = index
        self.destination = destination
        # views onto rows of the model's agency arrays (AgencyState): the market and the
        # learning rule update all agencies at once, the agent reads its own row
        st = model.agency_state
        self.attractiveness = st.attractiveness[index]
        self.offers = st.offers[index]
        self.accepted = st.accepted[index]

    def _row(name: str, kind: type):  # noqa: N805 (a property maker, used in the class body)
        """A read-only view of the agency's row of ``model.agency_state.<name>``."""
        return property(lambda self: kind(getattr(self.model.agency_state, name)[self.index]))

    regulated = _row("regulated", bool)
    fee_months = _row("fee_months", float)
    capacity = _row("capacity", float)
    complied = _row("complied", bool)
    total_placed = _row("total_placed", int)
    del _row


class AgencyState:
    """The agencies' terms, one value per agency (``destination``, ``regulated``,
    ``fee_months``, ``capacity``: :func:`set_terms`), and their learned and per-quarter
    state as (n_agencies, n_origins) arrays."""

    def __init__(self, n_agencies: int, n_origins: int, destination=None):
        self.destination = (np.zeros(n_agencies, dtype=np.int64) if destination is None
                            else np.asarray(destination, dtype=np.int64))
        self.regulated = np.zeros(n_agencies, dtype=bool)
        self.fee_months = np.zeros(n_agencies)
        self.capacity = np.zeros(n_agencies)
        self.attractiveness = np.ones((n_agencies, n_origins))
        self.offers = np.zeros((n_agencies, n_origins), dtype=np.int64)
        # the real persons it offered work to (its offers before they are turned into
        # offers to simulated persons): the denominator of what it learns
        self.offered = np.zeros((n_agencies, n_origins))
        # quarters it offered work to real persons of an origin since its offers last
        # reached simulated persons there (the learning rule's catch-up)
        self.pending = np.zeros((n_agencies, n_origins), dtype=np.int64)
        # the sum of its offers' chances of acceptance (the persons' logit probabilities)
        self.propensity = np.zeros((n_agencies, n_origins))
        self.accepted = np.zeros((n_agencies, n_origins), dtype=np.int64)
        self.complied = np.ones(n_agencies, dtype=bool)
        self.total_placed = np.zeros(n_agencies, dtype=np.int64)


def start(model) -> AgencyState:
    """The agencies at the start: ``agencies_per_destination`` in each destination, in
    destination order, with their terms (:func:`set_terms`)."""
    n_per, n_dest = model.p.agencies_per_destination, model.n_dest
    model.agency_state = AgencyState(n_dest * n_per, model.n_orig,
                                     np.repeat(np.arange(n_dest), n_per))
    model.agencies = [RecruitmentAgency(model, d * n_per + j, d)
                      for d in range(n_dest) for j in range(n_per)]
    set_terms(model)
    return model.agency_state


def set_terms(model) -> None:
    """Each destination's agencies: the first ``round(agency_regulation * agencies)`` are
    regulated; fees and capacity from the parameters. At the start and when an event
    changes one of them (for example the UK's closing of the agency loophole)."""
    p, st = model.p, model.agency_state
    n_per = p.agencies_per_destination
    d = st.destination
    j = np.arange(len(d)) % n_per
    regulation = model.per_destination("agency_regulation")
    # the same rounding for every agency of a destination, as Python's round (half to even)
    n_regulated = np.array([int(round(float(x) * n_per)) for x in regulation])
    st.regulated = j < n_regulated[d]
    st.fee_months = np.where(st.regulated, model.per_destination("fee_regulated_months")[d],
                             model.per_destination("fee_unregulated_months")[d]).astype(float)
    # placements a quarter: a share of all the real persons the run stands for
    st.capacity = np.full(len(d), p.agency_capacity * model.world.real_persons)


def learn(state: AgencyState, rate: float) -> None:
    """Every agency's attractiveness moves toward the acceptance rate of its latest offers
    where they reached persons:

    a_o <- (1 - rate)^m a_o + (1 - (1 - rate)^m) (propensity_o / offers_o),

    the mean chance of acceptance (the persons' logit probabilities, ODD §7.5) of the offers
    it made to origin o's persons this quarter, m the quarters it offered work to real
    persons there since the last such update (1 when it recruits there every quarter);
    with a floor of 0.05 so that an origin is never forgotten for good. An agency recruits
    among many real persons, so what it observes is their acceptance rate, not the
    outcome of a few draws: learning from the chances, and counting the quarters of real
    recruitment, makes what it learns the same at any number of simulated persons
    (learning from a few simulated acceptances made its view of an origin simulated with
    few persons noisy, and its offers there lower the longer it stayed low). Compiled
    (:func:`kernels.agencies_learn`; hand case in ``tests/agents/test_market_rules.py``).
    """
    kernels.agencies_learn(state.attractiveness, state.offers, state.offered,
                           state.propensity, state.accepted, state.pending, float(rate),
                           state.total_placed)


def apportion(totals: np.ndarray, weights: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
    """Split integer ``totals`` (n,) over columns in proportion to ``weights`` (n, m).

    Each column first gets the floor of its exact share; the units left over go to
    columns by their remainders. With ``u`` (one uniform draw per row) they are drawn by
    systematic sampling, so each column's expected count is exactly its share whatever
    the totals (a single unit is not always won by the largest share: per-capita outcomes
    do not depend on how many persons are simulated). Without ``u`` the largest
    remainders win (deterministic; ties go to the lower column). A row whose weights are
    all zero gets nothing.

    Returns:
        (n, m) integers whose rows sum to ``totals`` (or 0 for zero-weight rows).

    Compiled (:func:`migdev.core.kernels.apportion`); hand cases and invariants in
    ``tests/agents/test_market_rules.py``.
    """
    return core_kernels.apportion(totals, weights, u)


def agency_offers(vacancies: np.ndarray, agency_dest: np.ndarray, capacity: np.ndarray,
                  attractiveness: np.ndarray, respects: np.ndarray, protected: np.ndarray,
                  covered: np.ndarray, penalty: np.ndarray, supply: np.ndarray,
                  corridor: np.ndarray | None = None,
                  u_split: np.ndarray | None = None,
                  u_origin: np.ndarray | None = None,
                  bound_share: np.ndarray | float = 0.0,
                  u_bound: np.ndarray | None = None,
                  weight: np.ndarray | None = None) -> np.ndarray:
    """Offers each agency makes per origin and occupation this quarter (ODD §7.4), in real
    persons.

    A destination's vacancies left after G2G placements are shared among its agencies
    in proportion to capacity (each capped at its capacity). An agency spreads its share
    of occupation k over origins in proportion to

        score[a, o] = attractiveness[a, o] * supply[o, k] * w_o * margin[a, o, k] * corridor[o, d],

    the origin's *represented* candidates (supply x w_o, the real persons its simulated
    candidates stand for) and not its simulated ones, so that the split does not depend on
    how many persons an origin is simulated with,

    where margin = 0 if the origin is protected for k and the agency respects the bar
    this quarter, 1 - penalty[d, o] if protected and not respected, 1 otherwise. So a
    bar moves a compliant agency's recruitment to other origins (diversion), and a
    non-compliant one's partly (expected penalty). ``corridor`` is the world's draw weight
    of the corridor (shared language, historical tie, agency presence): an agency does
    not recruit where there is no corridor, for example in its own country.

    Args:
        vacancies: (n_dest, 4) integer vacancies left for agencies.
        agency_dest: (n_ag,) destination of each agency.
        capacity: (n_ag,) placements per quarter.
        attractiveness: (n_ag, n_orig).
        respects: (n_ag, n_orig) bool, agency keeps out of that origin if it is protected.
        protected: (n_dest, n_orig) bool; covered: (n_dest, n_orig, 4) bool.
        penalty: (n_dest, n_orig) expected share of margin lost when caught.
        supply: (n_orig, 4) candidates at home (simulated persons).
        corridor: (n_orig, n_dest) corridor weights (default: 1 everywhere).
        u_split: (n_dest, 4) and u_origin: (n_ag, 4) uniform draws that place the units
            left after rounding down (see :func:`apportion`); None: largest remainders.
        bound_share: (n_dest,) or a scalar, share of each destination's vacancies at
            employers bound by its codes and agreements: an agency recruits for them as if
            it respected every bar; u_bound: (n_ag, 4) uniform draws rounding each agency's
            bound part, floor(per * share + u) (expected number exact at any size).
        weight: (n_orig,) real persons each simulated person of an origin stands for
            (default: 1 everywhere).

    Returns:
        (n_ag, n_orig, 4) integer offers of real persons (the market turns them into
        offers to simulated persons: :func:`kernels.to_persons`).

    Compiled (:func:`kernels.agency_offers`); hand cases and invariants in
    ``tests/agents/test_market_rules.py`` and ``tests/agents/test_institutions.py``.
    """
    return kernels.agency_offers(vacancies, agency_dest, capacity, attractiveness, respects,
                                 protected, covered, penalty, supply, corridor, u_split,
                                 u_origin, bound_share, u_bound, weight)


# ---------------------------------------------------------------------------
# 4. the recruitment market (ODD §7.4): G2G placements first, then agencies, then
#    independent (network-driven) migration where the visa regime allows
# ---------------------------------------------------------------------------

def recruitment_market(model, vacancies: np.ndarray) -> tuple[Offers | None, Attempts | None]:
    """This quarter's offers (one per chosen person) and independent attempts.

    Draws its streams ("recruit": 3 per person, "agency": 1 per agency and origin,
    "allocate": 4 per destination and 4 per agency, "g2g": 4 per corridor) whether or not
    they are used (common random numbers).
    """
    p, pop = model.p, model.pop
    n_ag, n_orig = len(model.agencies), model.n_orig
    u = draws32(model.streams["recruit"], (3, pop.n))
    u_ag = model.streams["agency"].random((n_ag, n_orig))
    u_alloc = model.streams["allocate"].random((model.n_dest + n_ag, 4))
    u_g2g = model.streams["g2g"].random((n_orig, model.n_dest, 4))
    u_named = draws32(model.streams["rehire"], pop.n)
    model.agency_state.offers[:] = 0
    model.agency_state.offered[:] = 0.0
    model.agency_state.propensity[:] = 0.0
    model.agency_state.accepted[:] = 0
    if not p.migration_enabled:
        return None, None
    # the first two rows are read for every eligible person (most of those at home): whole,
    # in one call; the third and the re-hiring draws for a few (computed there)
    u_rank, u_ind = u.head(2)
    # the persons the market can recruit, their groups (origin x occupation) and the
    # persons per group, in one call (compiled)
    el, g_el, supply = kernels.eligible_groups(pop, p.max_migration_age, n_orig)
    vac_left = vacancies.astype(np.float64)  # real persons
    # employers first re-hire the workers they named (ODD §7.4)
    named = named_offers(pop, el, vac_left, u_named, model.world.person_weight)
    if named is not None:  # those offered their old job are not candidates again
        el = el[~np.isin(el, named.idx, assume_unique=True)]
        g_el, supply = kernels.market_groups(pop, el, n_orig)

    g2g = g2g_placements(model.policy.g2g, vac_left, supply, p.skill_match_agreement, u_g2g,
                         model.world.person_weight)
    counts = agency_offer_counts(model, vac_left, supply, u_ag, u_alloc)
    # independent (network-driven) migration where the visa regime allows
    visa = model.lever("settlement_visa_openness")
    # with one openness everywhere a skilled person tries at rate independent_rate * V;
    # with one per destination, at independent_rate * sum_d P(d) V_d, and goes to d with
    # probability proportional to P(d) V_d (the same when every V_d is equal)
    per_dest = not is_scalar(visa)
    # blocks of identical offers (G2G placements first, then the agencies'), group by group;
    # in each (origin, occupation) group the persons with the lowest draws take them in
    # order, the i-th chosen person the group's i-th offer; then the eligible persons left
    # without an offer who try on their own (kernels.independents), in one compiled call
    # (kernels.market_offers)
    made, ind = kernels.market_offers(
        g2g, counts, model.derived("market_terms", lambda: market_terms(model)), el, g_el,
        u_rank, supply.reshape(-1), pop.origin, model.agency_state.offers, u_ind, pop.occ,
        p.independent_rate * (1.0 if per_dest else visa),
        p.irregular_rate * (1.0 - p.border_enforcement))
    offers = None
    if made is not None:
        chosen, (channel, dest, agency_of, fee, contract, match, guarantee) = made
        offers = Offers(idx=chosen, channel=channel, dest=dest, agency=agency_of, fee=fee,
                        contract=contract, match=match, guarantee=guarantee)
    if named is not None:
        offers = named if offers is None else concat_offers(named, offers)
    attempts = None
    if len(ind):
        net = model.diaspora_share()  # (n_comm, n_dest) per cent abroad
        weights = destination_weights(model, ind, net)
        if per_dest:
            ind, weights = open_doors(ind, weights, pop.occ[ind] < LOW, u_ind[ind], visa,
                                      p.independent_rate)
    if len(ind):
        # each draws its destination: the number of cumulated shares at or below its draw
        # (cum = np.cumsum(weights, axis=1) / its last column, compiled)
        attempts = Attempts(idx=ind, dest=kernels.choose_destinations(u[2][ind], weights))
    return offers, attempts


def market_terms(model) -> tuple:
    """The terms of the market's offers fixed by the parameters and the policy in force
    (:func:`kernels.market_terms`)."""
    st = model.agency_state
    return kernels.market_terms(st.destination, st.regulated, st.fee_months,
                                model.world.wage_dest, corridor_right(model, "worker_fee_ban"),
                                model.p)


def open_doors(ind, weights, skilled, u, visa, independent_rate):
    """Skilled would-be independent migrants where settlement visas differ by destination
    (ODD §7.4): person i tries with probability independent_rate * sum_d P_i(d) V_d (kept
    when ``u`` is below it; everyone in ``ind`` drew u < independent_rate) and weighs each
    destination by P_i(d) V_d; the others (irregular) keep their weights. Returns the kept
    persons and their weights."""
    total = weights.sum(axis=1)
    open_w = weights * visa[None, :]
    share = open_w.sum(axis=1) / np.maximum(total, 1e-300)
    keep = ~skilled | (u < independent_rate * share)
    weights = np.where(skilled[:, None], open_w, weights)
    return ind[keep], weights[keep]


def destination_weights(model, ind: np.ndarray, net: np.ndarray) -> np.ndarray:
    """Where the independent migrants ``ind`` (slots) go (ODD §7.4): a logit over the
    destinations that starts from the world's observed pattern and moves with the terms of
    the utility of leaving (§7.5) as they change from the start,

    P(d) proportional to corridor_o,d * exp(beta_wage ln(w_d,k / w0_d,k)
                                         + beta_network ln((1 + net_c,d) / (1 + net0_c,d))
                                         + beta_integration_policy (I_d - I_default)),

    plus beta_integration_policy * rights_integration_weight * R_o,d, the corridor's rights
    (mean of fee ban, right to change employer and portability, all 0 by default) counted as
    part of its integration policy; with ``corridor_o,d`` the world's corridor weight (the
    base-year destinations of the origin's emigrants: wages, ties and language as they were;
    0 where it has no corridor), w0 the world's wages before any destination's own scale,
    net0 the community's diaspora at the start and I_default the integration policy's
    declared default (terms that change alike everywhere cancel). ``net``: this quarter's
    diaspora per cent, (n_comm, n_dest). One row per migrant, not normalised. Compiled
    (:func:`kernels.destination_weights`)."""
    p, w = model.p, model.world
    integ_term, rights = model.derived("destination_terms", lambda: destination_terms(model))
    return kernels.destination_weights(
        model.pop, ind, w.wage_dest, model.wage_base, net, model.network0, integ_term, rights,
        p.beta_integration_policy * p.rights_integration_weight, p.beta_wage, p.beta_network,
        w.corridor_weight)


def destination_terms(model):
    """The destination choice's terms fixed by the parameters and the policy in force:
    beta_integration_policy * (I_d - I_default), (n_dest,), and the corridors' rights index
    (:func:`corridor_rights_index`)."""
    integ = np.broadcast_to(model.lever("integration_policy"), (model.n_dest,))
    return (np.ascontiguousarray(model.p.beta_integration_policy * (integ - INTEGRATION_DEFAULT)),
            corridor_rights_index(model))


def corridor_rights_index(model):
    """R_o,d: the mean of a corridor's three rights (fee ban, right to change employer,
    social-security portability), (n_orig, n_dest); the scalar 0.0 where none is granted."""
    rights = [corridor_right(model, name) for name in RIGHTS]
    if all(is_scalar(r) for r in rights):
        return 0.0
    return sum(np.broadcast_to(r, (model.n_orig, model.n_dest)) for r in rights) / len(rights)


def named_offers(pop, el: np.ndarray, vac_left: np.ndarray, u: np.ndarray,
                 weight: np.ndarray) -> Offers | None:
    """Named re-hiring (ODD §7.4): each named worker at home and eligible (``el``) is offered
    their old job again — same destination, channel, contract length (their last stay's
    quarters), skill match and guarantee, no new recruitment fee — while the destination's
    vacancies in their occupation (real persons) cover the real persons the worker stands
    for (``weight`` of the origin); in each destination and occupation the named come in the
    order of their draw ``u`` (one per person), each taking its weight off ``vac_left``
    (reduced in place), until the next one no longer fits. The named flag of those offered
    is cleared (the offer is made, taken or not)."""
    if not pop.named.any():  # nobody named (no re-hiring by name: the default)
        return None
    nm = el[pop.named[el]]
    if len(nm) == 0:
        return None
    g = pop.dest[nm].astype(np.int64) * 4 + pop.occ[nm]
    order = np.lexsort((nm, u[nm], g))  # by group, then draw, then slot
    nm, g = nm[order], g[order]
    w = weight[pop.origin[nm]]
    # each one's weight cumulated within its group, compared with the group's vacancies
    cum = np.cumsum(w)
    first = np.searchsorted(g, g, side="left")
    before = np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    keep = (cum - before) <= vac_left.reshape(-1)[g]
    chosen = nm[keep]
    if len(chosen) == 0:
        return None
    np.subtract.at(vac_left.reshape(-1), g[keep], w[keep])
    chosen = np.sort(chosen)
    pop.named[chosen] = False
    k = len(chosen)
    # the initial diaspora's temporary workers came by an unrecorded channel: their employer
    # re-hires them directly, counted with regulated recruitment
    channel = np.where(pop.channel[chosen] == CH_INITIAL, CH_REGULATED, pop.channel[chosen])
    return Offers(idx=chosen, channel=channel.astype(np.int8), dest=pop.dest[chosen].copy(),
                  agency=np.full(k, -1, dtype=np.int64), fee=np.zeros(k),
                  contract=np.maximum(pop.q_abroad[chosen], 1).astype(np.int16),
                  match=pop.matched[chosen].astype(np.float64),
                  guarantee=pop.guarantee[chosen].astype(np.float64),
                  named=np.ones(k, dtype=bool))


def concat_offers(a: Offers, b: Offers) -> Offers:
    """Offers ``a`` then ``b`` (``named`` kept where either has it)."""
    out = {f: np.concatenate([getattr(a, f), getattr(b, f)])
           for f in ("idx", "channel", "dest", "agency", "fee", "contract", "match",
                     "guarantee")}
    na = a.named if a.named is not None else np.zeros(len(a.idx), dtype=bool)
    nb = b.named if b.named is not None else np.zeros(len(b.idx), dtype=bool)
    return Offers(**out, named=np.concatenate([na, nb]))


def g2g_placements(channels, vac_left: np.ndarray, supply: np.ndarray,
                   skill_match: float, u: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Government-to-government placements under the agreements in force (first in line).

    n = min(floor(vacancies left / w_o), floor(quota * implementation * supply + u)) persons
    per channel and covered occupation, with u uniform on [0, 1) (``u[o, d, k]``) and w_o
    the real persons each simulated person of the origin stands for: the expected number is
    the quota's share of the supply at any population size and weight; ``vac_left`` (real
    persons) is reduced in place by n * w_o.
    """
    rows = []
    for a, d, o in channels:
        for k in a.occupations:
            w = weight[o]
            room = np.floor(vac_left[d, k] / w) if w > 0 else 0.0
            n = int(min(room,
                        np.floor(a.g2g_quota * a.implementation_rate * supply[o, k] + u[o, d, k])))
            if n > 0:
                vac_left[d, k] -= n * w
                rows.append((o * 4 + k, n, CH_AGREEMENT, d, -1, 0.0, a.contract_quarters,
                             1.0 if k == LOW else skill_match, a.return_guarantee))
    return np.array(rows, dtype=OFFER_BLOCK)


def agency_offer_counts(model, vac_left, supply, u_ag, u_alloc) -> np.ndarray:
    """Each agency's offers this quarter per origin and occupation, (n_ag, n_orig, 4); an
    agency respects a bar this quarter with probability compliance * implementation
    (regulated: enforcement); for employers bound by the codes (``code_bound_share`` of the
    vacancies) it respects every bar. Draws the ``employers`` stream (4 per agency) every
    quarter; records which agencies complied."""
    u_bound = model.streams["employers"].random((len(model.agencies), 4))
    u_persons = model.streams["persons"].random((len(model.agencies), model.n_orig, 4))
    # respects = u_ag < respect_rate; complied = ~(~respects & barred).any(axis=1); then
    # agency_offers of the whole real vacancies left with the terms kept while the parameters
    # and policy are the same, then the offers to simulated persons, in one compiled call
    # (kernels.offer_counts)
    return kernels.offer_counts(np.floor(vac_left).astype(np.int64), supply, u_ag, u_alloc,
                                u_bound, u_persons,
                                model.agency_state.attractiveness, model.agency_state.complied,
                                model.agency_state.offered,
                                model.derived("offer_count_terms",
                                              lambda: make_offer_count_terms(model)))


def make_offer_count_terms(model) -> kernels.OfferCountTerms:
    """The agencies' terms that :func:`agency_offer_counts` reads, for the parameters and
    the policy in force (:func:`kernels.offer_count_terms`)."""
    respect_rate, barred, penalty = model.derived("agency_terms", lambda: agency_terms(model))
    st = model.agency_state
    return kernels.offer_count_terms(st.destination, st.capacity, respect_rate,
                                     barred, model.policy.protected, model.policy.covered,
                                     penalty, model.world.corridor_weight,
                                     model.lever("code_bound_share"), model.n_dest,
                                     model.world.person_weight)


def agency_terms(model):
    """What the agencies' respect of the bars rests on, for the parameters and the policy in
    force: the probability that agency a respects a bar on origin o this quarter,
    compliance_a * implementation_d,o (regulated: the destination's enforcement; else
    ``unregulated_compliance``), (n_ag, n_orig); whether o is barred at a's destination,
    (n_ag, n_orig); and the expected penalty, penalty_risk * enforcement_d *
    implementation_d,o, (n_dest, n_orig)."""
    p, dest = model.p, model.agency_state.destination
    comp = np.where(model.agency_state.regulated, model.lever_at("enforcement", dest),
                    p.unregulated_compliance)
    strength = model.policy.protect_strength
    return (comp[:, None] * strength[dest], model.policy.protected[dest],
            p.penalty_risk * model.lever_at("enforcement", np.s_[:, None]) * strength)


def market_blocks(model, g2g, vac_left, supply, u_ag, u_alloc) -> np.ndarray:
    """This quarter's offers as blocks of identical offers (OFFER_BLOCK rows, group by
    group): the G2G placements ``g2g`` (:func:`g2g_placements`) first, then each agency's
    offers (:func:`agency_offer_counts`) with its channel, destination, fee (``fee_months``
    of the destination's wage for the occupation; regulated agencies obey a corridor's
    worker-fee ban), contract length and skill match (:func:`kernels.market_blocks`, the
    rule :func:`kernels.market_offers` applies). The per-agent reference reads them."""
    offers = agency_offer_counts(model, vac_left, supply, u_ag, u_alloc)
    return kernels.market_blocks(g2g, offers,
                                 model.derived("market_terms", lambda: market_terms(model)))
