"""Persons: the Migrant agent (a view onto the population arrays), the vectorised rules
of person-level behaviour, and the processes of a step that use them (demography,
migration decisions, work abroad, remittances, returns).

Each mechanism is a function of arrays, so it can be tested on a tiny hand-built
world with given random numbers. Equations are written out in docs/ODD.md; the
section number there is given in each docstring.
"""

from __future__ import annotations

import mesa
import numpy as np

from migdev.agents.agency import learn as agencies_learn
from migdev.agents.association import (
    match_terms,
    participation,
    trust_step,
)
from migdev.agents.association import kernels as association_kernels
from migdev.agents import intermediary
from migdev.agents.government import corridor_right
from migdev.agents.migrant import kernels
from migdev.core import fmath
from migdev.core.codes import (
    HEALTH,
    IRREGULAR,
    LOW,
    OCCUPATIONS,
    STATUSES,
    TEMP,
)
from migdev.core.kernels import is_scalar
from migdev.core.ledger import FLOW_ROW, MONEY, Totals
from migdev.core.rng import draws32


class Migrant(mesa.Agent):
    """A person of working age from an origin community, at home, abroad or returned.

    The agent is a view onto slot ``slot`` of ``model.pop``: its attributes read the
    arrays, so the vectorised mechanisms and Mesa's agent API see the same state.
    """

    def __init__(self, model, slot: int):
        super().__init__(model)
        self.slot = slot

    @property
    def _pop(self):
        return self.model.pop

    @property
    def person_id(self) -> int:
        return int(self._pop.person_id[self.slot])

    @property
    def community(self):
        return self.model.communities[int(self._pop.community[self.slot])]

    @property
    def occupation(self) -> str:
        return OCCUPATIONS[int(self._pop.occ[self.slot])]

    @property
    def status(self) -> str:
        return STATUSES[int(self._pop.status[self.slot])]

    @property
    def human_capital(self) -> float:
        return float(self._pop.h[self.slot])

    @property
    def age(self) -> float:
        return float(self._pop.age[self.slot])

    @property
    def destination(self):
        d = int(self._pop.dest[self.slot])
        return self.model.destinations[d] if d >= 0 else None

    @property
    def is_abroad(self) -> bool:
        return TEMP <= int(self._pop.status[self.slot]) <= IRREGULAR

    def __getattr__(self, name):
        # any other per-person array (savings, debt, integration, ties, member, ...)
        if name.startswith("_") or name in ("model", "slot"):
            raise AttributeError(name)
        pop = self.__dict__["model"].pop if "model" in self.__dict__ else None
        arr = getattr(pop, name, None) if pop is not None else None
        if isinstance(arr, np.ndarray):
            return arr[self.__dict__["slot"]].item()
        raise AttributeError(name)

    def __repr__(self):
        return f"Migrant(slot={self.slot}, person={self.person_id}, {self.occupation}, {self.status})"


def logistic(x):
    """1 / (1 + exp(-x)), elementwise."""
    return fmath.logistic(x)


# ---------------------------------------------------------------------------
# 2. demography and training (ODD §7.2)
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# 5. migration decision (ODD §7.5)
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# 6. work abroad (ODD §7.6)
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# 7. remittances (ODD §7.7)
# ---------------------------------------------------------------------------


def formal_probability(formal_fee, informal_fee: float, informal_loss: float, p):
    """P(formal | access) = logistic(const - cost * 100 (f_formal - f_informal - loss))."""
    gap = 100.0 * (formal_fee - informal_fee - informal_loss)
    out = logistic(p.channel_const - p.channel_cost * gap)
    return float(out) if is_scalar(out) else out


# ---------------------------------------------------------------------------
# 9. returns (ODD §7.9)
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# The person-level processes of a step, in the order of the schedule (ODD §3). Each
# draws its stream for every person whether or not it is used (common random numbers).
# ---------------------------------------------------------------------------

class MigrantState:
    """The persons' family-level state (the persons themselves are ``model.pop``).

    Attributes:
        place_credit: (n_orig, 3) training places carried over, per origin and skilled
            track (ODD §7.2).
        cohort_expected: (n_orig,) the expected entering cohort per quarter (the whole
            population renews over a working life).
        next_person_id: the id the next entrant takes.
        entrants, exits: persons who entered and left (retired) since the start.
    """

    def __init__(self, pop, n_orig: int, entry_age: float, retirement_age: float):
        self.place_credit = np.zeros((n_orig, 3))
        self.cohort_expected = (np.bincount(pop.origin, minlength=n_orig)
                                / (4.0 * (retirement_age - entry_age)))
        self.next_person_id = pop.n
        self.entrants = 0
        self.exits = 0


def demography(model, t: int) -> None:
    """2. Ageing and exit at retirement; the entering cohort chooses a training track."""
    p, pop, st = model.p, model.pop, model.migrant_state
    # per person: the track choice, the rank for scarce places, the entrant's ties
    u = draws32(model.streams["demography"], (3, pop.n))
    # ageing, and experience at home for the skilled, in one pass (compiled)
    idx = kernels.age_and_experience(pop, p.retirement_age, p.skill_growth_home, p.h_max)
    if len(idx) == 0:
        return
    st.exits += len(idx)
    st.entrants += len(idx)
    u = u.rows_at(idx)  # the entrants' numbers (3, entrants)
    # the training system, the track choice, the places kept and the entrants taking the slots
    # of those who left, in one compiled call (kernels.entry)
    trainees, applicants = kernels.entry(
        pop, idx, u, prospect(model), _training_terms(model), p.beta_train_wage,
        model.government_state.training_multiplier, model.policy.extra_training,
        st.place_credit, model.u_round["training"], p.training_elasticity,
        model.u_round["elastic"], st.cohort_expected, st.next_person_id, p.entry_age,
        model.n_comm)
    model.flows["health_trainees"] += trainees
    st.next_person_id += len(idx)
    count_applicants(model, applicants)


def home_wages(model) -> np.ndarray:
    """Each origin's home wages (n_orig, 4), kept with the parameters
    (:meth:`MigrationModel.derived`; :func:`make_home_wages`)."""
    return model.derived("home_wage", lambda: make_home_wages(model))


def make_home_wages(model) -> np.ndarray:
    """Each origin's home wages (n_orig, 4): the world's, times its ``home_wage_scale`` and
    the wages' response to shortage and development (ODD §7.15), and the health workers'
    times its ``health_wage_scale`` (ODD §7.5)."""
    home = (model.world.home_wage * model.lever_at("home_wage_scale", np.s_[:, None])
            * model.government_state.wage_response)
    home[:, HEALTH] = home[:, HEALTH] * model.lever_at("health_wage_scale", np.s_[:])
    return home


def _training_terms(model) -> tuple:
    """The terms of the training system that change only with the parameters (the wages
    abroad change only by scheduled events), kept while they are the same
    (:meth:`MigrationModel.derived`): the home wages (n_orig, 4), each origin's
    corridor-weighted wage abroad (n_orig, 4), the tracks' costs (4,), and the places per
    entrant before policy (n_orig, 3): the capacity (x replacement) times the base-year
    occupation share, the health capacity possibly per origin."""
    return model.derived("training_terms", lambda: make_training_terms(model))


def make_training_terms(model) -> tuple:
    """:func:`_training_terms`, computed."""
    p, w = model.p, model.world
    dest = (w.corridor_weight[:, :, None] * w.wage_dest[None, :, :]).sum(axis=1)
    cost = np.array([p.train_cost_health, p.train_cost_education, p.train_cost_other, 0.0])
    cap = np.stack(np.broadcast_arrays(model.lever("training_capacity_health"),
                                       p.training_capacity_education,
                                       p.training_capacity_other), axis=-1) * w.occ_share
    return home_wages(model), dest, cost, cap


def training_system(model, origin: np.ndarray):
    """The origins' side of entry (ODD §7.2) for this quarter's entrants (``origin``: the
    origin of each), as the compiled entry computes it (:func:`kernels.training_system`; the
    per-agent reference asks it too): the track probabilities (n_orig, 4), the integer
    places of the skilled tracks (n_orig, 3), the places credited before rounding and the
    places per entrant."""
    p = model.p
    home, dest, cost, cap = _training_terms(model)
    origin = np.asarray(origin, dtype=np.int64)
    return kernels.training_system(np.arange(len(origin)), origin, prospect(model), home, dest,
                                   cost, p.beta_train_wage, cap,
                                   model.government_state.training_multiplier,
                                   model.policy.extra_training,
                                   model.migrant_state.place_credit, model.u_round["training"])


def prospect(model) -> np.ndarray:
    """The brain-gain incentive of the training choice (ODD §7.2): each origin's perceived
    chance of emigrating per occupation, as the communities last counted it (zero when
    migration is off)."""
    pr = model.community_state.prospect
    return pr if model.p.migration_enabled else np.zeros_like(pr)


def keep_unused_places(model, credit, applicants, places, per_entrant) -> None:
    """Places not taken this quarter are credited to later entrants, up to a year's worth
    plus one (ODD §7.2; :func:`kernels.keep_unused`, in place on the place credit)."""
    st = model.migrant_state
    kernels.keep_unused(st.place_credit, credit, applicants, places, per_entrant,
                        st.cohort_expected)


def count_applicants(model, applicants) -> None:
    """Health applicants are counted per origin: on each origin's first community."""
    model.flows["health_applicants"][model.world.first_community] += applicants[:, HEALTH]


def decide(model, offers, attempts) -> None:
    """5. Persons with an offer, or trying on their own, accept or refuse (logit, with
    :func:`kernels.utility`); those who accept start their stay (contract substitution on
    arrival), and the recruits are counted per community, channel and corridor. One
    compiled pass over the candidates (:func:`kernels.accept_and_leave`; hand-made cases in
    ``tests/agents/test_migrant_mechanisms.py``)."""
    p, pop = model.p, model.pop
    u = draws32(model.streams["decide"], (2, pop.n))
    u_sub = draws32(model.streams["substitution"], pop.n)
    if offers is not None or attempts is not None:
        # the candidates (offers, then attempts) and their numbers, in their order
        cand = np.concatenate([c.idx for c in (offers, attempts) if c is not None])
        sums = kernels.accept_and_leave(
            pop, cand, offers, attempts, u.rows_at(cand), u_sub[cand], model.diaspora_share(),
            model.derived("decide_terms", lambda: make_decide_terms(model)), model.n_comm,
            model.flows.corridor, model.agency_state.accepted, model.n_orig,
            model.agency_state.propensity)
        model.flows.add_sums(kernels.DECIDE_SUMS, sums)
    # every quarter, candidates or not: a quarter of real recruitment whose offers reached
    # no simulated person counts towards the agencies' next update
    agencies_learn(model.agency_state, p.agency_learning_rate)


def make_decide_terms(model) -> tuple:
    """The terms of the decisions that change only with the parameters and the policy in
    force (:func:`kernels.decide_terms`)."""
    return kernels.decide_terms(model.p, model.world.wage_dest, home_wages(model),
                                model.lever("contract_substitution"),
                                model.lever("integration_policy"), model.n_dest)


def return_motive_tables(model) -> tuple:
    """The settled migrants' return motives (ODD §7.9) as tables read at a migrant's
    (destination, occupation) and (origin, occupation): the destination's wage for the
    occupation over the start's (None while every wage is as at the start), and the savings
    target, ``savings_target_quarters`` quarters of the home wage (None while target-earning
    is off; a migrant's savings over it, capped at 1, enter the hazard)."""
    p, w = model.p, model.world
    wage_rel = (None if np.array_equal(w.wage_dest, model.wage_base)
                else w.wage_dest / model.wage_base)
    target = None
    if p.hazard_savings > 0:
        target = p.savings_target_quarters * home_wages(model)
    return wage_rel, target


def abroad_quarter(model) -> None:
    """6.-9. A quarter abroad (ODD §7.6-7.9): work, remittances, the associations' missions
    and returns, the persons' part of all four in one compiled call
    (:func:`kernels.abroad_quarter`; the lever values looked up per person kept as tables
    while the parameters and the policy are the same, :func:`abroad_terms`), then the
    institutions' accounts (:func:`migdev.agents.association.kernels.accounts`) and the
    associations' trust. Hand-made cases: ``tests/agents/test_abroad_by_hand.py``."""
    p, pop = model.p, model.pop
    # every person's draws of the four streams (common random numbers)
    u_work = draws32(model.streams["work"], (2, pop.n))
    u_remit = draws32(model.streams["remit"], (3, pop.n))
    u_mission = draws32(model.streams["mission"], pop.n)
    u_return = draws32(model.streams["returns"], pop.n)
    # the persons abroad, counted per community at the start of the quarter (compiled)
    idx = kernels.abroad_slots(pop, model.flows["abroad_start"])
    model.flows.money = dict.fromkeys(MONEY, 0.0)
    if len(idx) == 0:
        model.association_state.record(0, 0.0, 0.0, 0)
        return
    (remit_sums, per_association, household, fee_paid, loss, mission_sums, organised,
     return_sums) = kernels.abroad_quarter(
        pop, idx, u_work.rows_at(idx), u_remit.rows_at(idx), u_mission[idx], u_return[idx],
        participation(model), model.community_state.access, model.community_state.development,
        model.flows.corridor, abroad_terms(model), model.n_comm, model.n_dest)
    # the flows, the households' investment, the associations' gifts, match, projects and
    # records, and the savings brought home, from these sums, in one compiled call
    # (association_kernels.accounts); the associations' trust after it (it reads only the
    # funds)
    terms = model.derived("match_terms", lambda: match_terms(model))
    fee = intermediary.formal_fee(model)
    cfees, to_projects, matched = association_kernels.accounts(
        model.flows.data, _ACCOUNT_ROWS, remit_sums, mission_sums, return_sums,
        model.community_state.investment, model.community_state.projects,
        p.household_invest_share, terms, model.world.comm_origin,
        model.community_state.development, fee if is_scalar(fee) else None,
        per_association, organised, model.association_state)
    trust_step(model, terms.promised, model.association_state.fund)
    model.flows.money = Totals(sent=household, received=remit_sums[kernels.REMIT.received],
                              fees=fee_paid, losses=loss,
                              collective=remit_sums[kernels.REMIT.collective],
                              collective_fees=cfees,
                              to_projects=to_projects, matched=matched)


#: the flows' rows association_kernels.accounts adds to (REMIT_SUMS[:3], rem_fees,
#: collective, matched, MISSION_SUMS, RETURN_SUMS but the savings brought home) and the rows
#: of the persons' sums it reads one by one
_ACCOUNT_ROWS = association_kernels.AccountRows(
    remit=np.array([FLOW_ROW[f] for f in kernels.REMIT_SUMS[:3]], dtype=np.int64),
    fees=FLOW_ROW["rem_fees"], collective=FLOW_ROW["collective"], matched=FLOW_ROW["matched"],
    matched_levels=np.array([FLOW_ROW["matched_local"], FLOW_ROW["matched_state"]],
                            dtype=np.int64),
    mission=np.array([FLOW_ROW[f] for f in association_kernels.MISSION_SUMS], dtype=np.int64),
    ret=np.array([FLOW_ROW[f] for f in kernels.RETURN_SUMS[:-1]], dtype=np.int64),
    welfare=np.array([FLOW_ROW[f] for f in kernels.WELFARE_SUMS], dtype=np.int64),
    to_projects=FLOW_ROW["to_projects"], social_fund=FLOW_ROW["social_fund"],
    sum_received=kernels.REMIT.received, sum_household_fees=kernels.REMIT.household_fees,
    sum_collective=kernels.REMIT.collective,
    sum_collective_fee_paid=kernels.REMIT.collective_fee_paid,
    sum_savings_home=kernels.RETURN.savings_home)


def abroad_terms(model) -> tuple:
    """The lever tables and constants of :func:`abroad_quarter`, kept while the parameters
    and the policy in force are the same (:meth:`MigrationModel.derived`)."""
    return model.derived("abroad_terms", lambda: make_abroad_terms(model))


def make_abroad_terms(model) -> tuple:
    """:func:`abroad_terms`, computed (:func:`kernels.abroad_terms`)."""
    p = model.p
    fee = intermediary.formal_fee(model)
    p_formal = model.derived("formal_probability", lambda: formal_probability(
        fee, p.informal_fee, p.informal_loss, p))
    return kernels.abroad_terms(
        p, model.world.wage_dest, model.lever("integration_policy"),
        corridor_right(model, "employer_change_right"), fee, p_formal,
        model.lever("diaspora_engagement"), model.lever("settlement_visa_openness"),
        model.lever("named_rehire_rate"), model.lever("return_incentive"),
        corridor_right(model, "social_security_portability"), *return_motive_tables(model),
        insurance_motive(model), model.n_orig, model.n_dest)


def insurance_motive(model):
    """The remittances' insurance motive (ODD §7.7), per origin: ``remit_insurance`` times
    the fall of the origin's home earnings below the base year's, max(0, 1 - w_o / w0_o),
    with w the low-skilled home wage (:func:`home_wages`: the levers and the wages'
    response) and w0 the world's; None while off."""
    p = model.p
    if p.remit_insurance == 0:
        return None
    fall = 1.0 - home_wages(model)[:, LOW] / model.world.home_wage[:, LOW]
    return p.remit_insurance * np.maximum(fall, 0.0)
