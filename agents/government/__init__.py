"""Governments, in the origin or destination role (a country may hold both).

Destination role: labour demand, temporary schemes, settlement visas, integration
policy, agency regulation and enforcement, protected origins. Origin role: training
capacity, matching of collective remittances, return incentives, diaspora engagement,
remittance-cost partnership. (ODD §7.3, §7.11)
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from migdev.agents.government import kernels
from migdev.core.codes import OCCUPATIONS
from migdev.core.kernels import is_scalar, nonzero
from migdev.core.measures import rate


class Government(mesa.Agent):
    """The government of one country.

    Attributes:
        name: country name.
        roles: set of "origin" and/or "destination".
        origin_index / destination_index: row in the model's origin / destination arrays
            (None when the role is absent).
        demand_multiplier: (4,) destination role: adaptive multiplier of wanted stocks.
        training_multiplier: origin role: adaptive multiplier of training capacity.
    """

    def __init__(self, model, name: str, origin_index: int | None = None,
                 destination_index: int | None = None):
        super().__init__(model)
        self.name = name
        self.origin_index = origin_index
        self.destination_index = destination_index
        self.roles = set()
        if origin_index is not None:
            self.roles.add("origin")
        if destination_index is not None:
            self.roles.add("destination")

    @property
    def demand_multiplier(self) -> np.ndarray | None:
        """Destination role: the adaptive multiplier of demand per occupation (4,)."""
        d = self.destination_index
        return None if d is None else self.model.government_state.demand_multiplier[d]

    @property
    def training_multiplier(self) -> float | None:
        """Origin role: the adaptive multiplier of training capacity."""
        o = self.origin_index
        return None if o is None else float(self.model.government_state.training_multiplier[o])

    def __repr__(self):
        return f"Government({self.name!r}, roles={sorted(self.roles)})"

    # The policy levers read the model's current parameters (they change by scheduled
    # events), so a government's view and the mechanisms never disagree.
    def _destination_only(self, value):
        return value if self.destination_index is not None else None

    def _here(self, name: str, role: str) -> float | None:
        """A local lever's value for this country in ``role`` (None without the role)."""
        i = self.origin_index if role == "origin" else self.destination_index
        if i is None:
            return None
        v = self.model.lever(name)
        if np.ndim(v) == 2:  # a corridor lever: this origin's mean over its corridors
            w = self.model.world.corridor_weight
            row = v[i] if role == "origin" else v[:, i]
            weights = w[i] if role == "origin" else w[:, i]
            return float((row * weights).sum() / max(weights.sum(), 1e-12))
        return float(v if is_scalar(v) else v[i])

    # origin role
    @property
    def training_capacity(self) -> dict | None:
        p = self.model.p
        if self.origin_index is None:
            return None
        share = self.model.world.occ_share[self.origin_index]
        return {"health": self._here("training_capacity_health", "origin") * share[0]
                * self.training_multiplier,
                "education": p.training_capacity_education * share[1]
                * self.training_multiplier,
                "other_skilled": p.training_capacity_other * share[2] * self.training_multiplier}

    @property
    def matching_ratio(self) -> float | None:
        return self._here("matching_ratio", "origin")

    @property
    def return_incentive(self) -> float | None:
        return self._here("return_incentive", "origin")

    @property
    def diaspora_engagement(self) -> float | None:
        return self._here("diaspora_engagement", "origin")

    @property
    def remittance_partnership(self) -> dict | None:
        """Formal transfer cost and the access it reaches in this origin's communities."""
        if self.origin_index is None:
            return None
        m = self.model
        comms = m.world.comm_origin == self.origin_index
        return {"formal_fee": self._here("formal_fee", "origin"),
                "financial_access": float(m.community_state.access[comms].mean())}

    # destination role
    @property
    def labour_demand(self) -> dict | None:
        """Wanted stock of foreign workers by occupation at the current step."""
        if self.destination_index is None:
            return None
        w = wanted_now(self.model, self.model.steps)
        return dict(zip(OCCUPATIONS, w[self.destination_index].tolist()))

    @property
    def temporary_contracts(self) -> dict | None:
        p = self.model.p
        return self._destination_only({"skilled_quarters": p.contract_quarters_skilled,
                                       "low_skilled_quarters": p.contract_quarters_low})

    @property
    def settlement_visa_openness(self) -> float | None:
        return self._here("settlement_visa_openness", "destination")

    @property
    def integration_policy(self) -> float | None:
        return self._here("integration_policy", "destination")

    @property
    def agency_regulation(self) -> dict | None:
        if self.destination_index is None:
            return None
        return {"regulated_share": self._here("agency_regulation", "destination"),
                "enforcement": self._here("enforcement", "destination")}

    @property
    def protected_origins(self) -> list[int]:
        if self.destination_index is None:
            return []
        return np.flatnonzero(self.model.policy.protected[self.destination_index]).tolist()


def adapt(demand_multiplier: np.ndarray, unfilled_share: np.ndarray,
          training_multiplier: np.ndarray, short: np.ndarray, rate: float) -> None:
    """Adaptive policy (step 11), in place.

    Destinations raise wanted stocks where demand went unfilled:
    m_dk *= 1 + rate * unfilled_dk. Origins short of health workers (density below the
    threshold) expand training: t_o *= 1 + rate, up to 3x.
    """
    demand_multiplier *= 1.0 + rate * unfilled_share
    np.minimum(demand_multiplier, 3.0, out=demand_multiplier)
    training_multiplier[short] *= 1.0 + rate
    np.minimum(training_multiplier, 3.0, out=training_multiplier)


class GovernmentState:
    """The governments' state as arrays (one row per origin or destination), as the model
    keeps it between steps.

    Attributes:
        policy: the :class:`PolicyState` in force; ``policy_key`` what it rests on (the
            agreements active and the protected list: it is made anew when that changes).
        measured: (n_orig,) health-worker density per 10,000 as destinations measure it
            (lagged and noisy; at the last review).
        listed: (n_orig,) bool, on the protected list (measured density below the
            threshold); ``truly_short``: below the threshold in truth.
        wanted_base: (n_dest, 4) wanted stocks of foreign workers before growth.
        demand_multiplier: (n_dest, 4) the destinations' adaptive multiplier of demand.
        training_multiplier: (n_orig,) the origins' adaptive multiplier of training places.
        replacement: (n_dest, 4) replacement demand of countries in both roles (real
            persons; :func:`labour_demand`).
        last_vacancies: (n_dest, 4) this quarter's vacancies (real persons).
        both_roles: does any country hold both roles; ``health_abroad0``: (n_orig,) each
            origin's health workers abroad at the start (real persons).
        wage_response: (n_orig, 4) the home wages' response to shortage and development
            (:func:`respond_wages`; ones while both elasticities are 0); ``home0``,
            ``development0``: the persons at home per occupation and the development index
            at the start, per origin (its references).
    """

    def __init__(self, n_orig: int, n_dest: int):
        self.policy: PolicyState | None = None
        self.policy_key = None
        self.measured = np.zeros(n_orig)
        self.listed = np.zeros(n_orig, dtype=bool)
        self.truly_short = np.zeros(n_orig, dtype=bool)
        self.wanted_base = np.zeros((n_dest, 4))
        self.demand_multiplier = np.ones((n_dest, 4))
        self.training_multiplier = np.ones(n_orig)
        self.replacement = np.zeros((n_dest, 4))
        self.last_vacancies = np.zeros((n_dest, 4), dtype=np.int64)
        self.both_roles = False
        self.health_abroad0 = np.zeros(n_orig)
        self.wage_response = np.ones((n_orig, 4))
        self.home0 = np.zeros((n_orig, 4))
        self.development0 = np.zeros(n_orig)


def start(model) -> GovernmentState:
    """The governments at the start: one :class:`Government` agent per country (a country
    in both roles has one, with both indices: ``model.governments``, ``model.origins``,
    ``model.destinations``) and their state: demand and wages from the parameters, the
    counts abroad at the start (after the world is built)."""
    w = model.world
    model.governments = []
    for name in dict.fromkeys([*w.origin_names, *w.destination_names]):
        o = w.origin_names.index(name) if name in w.origin_names else None
        d = w.destination_names.index(name) if name in w.destination_names else None
        model.governments.append(Government(model, name, origin_index=o, destination_index=d))
    model.origins = sorted((g for g in model.governments if g.origin_index is not None),
                           key=lambda g: g.origin_index)
    model.destinations = sorted((g for g in model.governments
                                 if g.destination_index is not None),
                                key=lambda g: g.destination_index)
    st = model.government_state = GovernmentState(model.n_orig, model.n_dest)
    set_demand(model)
    if np.any(model.lever("wage_dest_scale") != 1.0):
        set_wages(model)
    st.both_roles = bool((model.world.dest_of_origin >= 0).any())
    st.health_abroad0 = own_health_abroad(model)
    return st


# ---------------------------------------------------------------------------
# 10. home wages that respond (ODD §7.15)
# ---------------------------------------------------------------------------

#: the derived values that read the home wages (made anew when the wages move)
WAGE_TERMS = ("home_wage", "training_terms", "decide_terms", "abroad_terms", "account_terms")


def _at_home_and_development(model) -> tuple[np.ndarray, np.ndarray]:
    """Per origin: the persons at home per occupation (n_orig, 4, at the last census) and
    the development index (the communities' mean weighted by their persons)."""
    w, cs = model.world, model.community_state
    size = model.origin_sum(w.comm_size)
    dev = model.origin_sum(cs.development * w.comm_size)
    return (model.origin_sum(cs.counts[:, :, 1]),
            np.divide(dev, size, out=np.zeros(model.n_orig), where=size > 0))


def wage_references(model) -> None:
    """The references of the wages' response: the persons at home per occupation and the
    development index at the start (after the first census)."""
    st = model.government_state
    st.home0, st.development0 = _at_home_and_development(model)


def wage_response(home, home0, dev, dev0, e_shortage: float, e_development: float):
    """The home wages' response (ODD §7.15), (n_orig, 4):

        r_ok = (1 + e_S S_ok) (D_o / D_o^0) ^ e_D,   S_ok = clip(1 - N_ok / N_ok^0, 0, 1)

    for the skilled occupations k (the low-skilled's shortage term is 0), with ``N`` the
    persons at home and ``D`` the development index (its term 1 where the start's is 0)."""
    short = np.clip(1.0 - np.divide(home, home0, out=np.ones_like(home), where=home0 > 0),
                    0.0, 1.0)
    short[:, 3] = 0.0  # the low-skilled: development only
    growth = np.divide(dev, dev0, out=np.ones_like(dev), where=dev0 > 0)
    return (1.0 + e_shortage * short) * (growth ** e_development)[:, None]


def respond_wages(model) -> None:
    """After the communities' census (step 10), the home wages respond to each skilled
    occupation's shortage at home and to the development index (:func:`wage_response`); the
    values that read them are made anew when they move. Nothing moves while both
    elasticities are 0."""
    p, st = model.p, model.government_state
    if p.wage_shortage_elasticity == 0.0 and p.wage_development_elasticity == 0.0:
        if not (st.wage_response == 1.0).all():  # an event switched the response off
            st.wage_response = np.ones_like(st.wage_response)
            model.forget(*WAGE_TERMS)
        return
    home, dev = _at_home_and_development(model)
    response = wage_response(home, st.home0, dev, st.development0,
                             p.wage_shortage_elasticity, p.wage_development_elasticity)
    if not np.array_equal(response, st.wage_response):
        st.wage_response = response
        model.forget(*WAGE_TERMS)


def set_demand(model) -> None:
    """Each destination's wanted stock of foreign workers per occupation before growth
    (ODD §7.3), from ``demand_*``; at the start and when an event changes one."""
    p, w = model.p, model.world
    model.government_state.wanted_base = (
        np.array([p.demand_health, p.demand_education, p.demand_other,
                  p.demand_low])[None, :] * w.occ_total0[None, :] * w.dest_weight[:, None])


def destination_wages(p, wage_factor: np.ndarray) -> np.ndarray:
    """(n_dest, 4) wages abroad, kUSD per quarter: the reference wage of each occupation
    (``wage_dest_*``) times each destination's factor. Recomputed when an event changes a
    ``wage_dest_*``; the home wages (``World.home_wage``) stay those of the start."""
    base = np.array([p.wage_dest_health, p.wage_dest_education, p.wage_dest_other,
                     p.wage_dest_low])
    return wage_factor[:, None] * base


def set_wages(model) -> None:
    """Wages abroad from ``wage_dest_*`` and the world's factors, times each destination's
    ``wage_dest_scale``; at the start (when a scale is not 1) and when an event changes
    one."""
    scale = model.per_destination("wage_dest_scale")
    model.world.wage_dest = destination_wages(model.p, model.world.wage_factor) * scale[:, None]


# ---------------------------------------------------------------------------
# 1. agreements in force (ODD §7.1)
# ---------------------------------------------------------------------------

@dataclass
class PolicyState:
    """What the agreements in force imply for one step (at step 1 of the schedule; made anew
    only when an agreement starts or ends or the protected list changes, else kept).

    Attributes:
        protected: (n_destinations, n_origins) bool, active recruitment barred.
        protect_strength: (n_destinations, n_origins) implementation rate of the restriction.
        covered: (n_destinations, n_origins, 4) bool, occupation covered by the restriction.
        g2g: list of (agreement, destination, origin) placement channels in force.
        extra_training: (n_origins,) extra training places, share of cohort.
        rights: (n_destinations, n_origins) level of the rights clauses in force on each
            corridor (clause x its implementation rate; the highest of the agreements).
    """

    protected: np.ndarray
    protect_strength: np.ndarray
    covered: np.ndarray
    g2g: list
    extra_training: np.ndarray
    rights: np.ndarray | None = None


def policy_state(agreements, step: int, n_dest: int, n_orig: int,
                 listed: np.ndarray) -> PolicyState:
    """Combine the agreements in force at ``step`` into one :class:`PolicyState`.

    Args:
        agreements: all agreement records of the run.
        step: the current step.
        n_dest, n_orig: numbers of destinations and origins.
        listed: (n_orig,) bool, origins on the multilateral protected list (drawn from
            measured density at the last review).
    """
    protected = np.zeros((n_dest, n_orig), dtype=bool)
    strength = np.zeros((n_dest, n_orig))
    covered = np.zeros((n_dest, n_orig, 4), dtype=bool)
    g2g = []
    extra = np.zeros(n_orig)
    rights = np.zeros((n_dest, n_orig))
    for a in agreements:
        if not a.active(step):
            continue
        dests = a.parties(n_dest)
        if a.kind == "multilateral":
            origins = np.flatnonzero(listed)
        else:
            origins = a.origins
        for d in dests:
            for o in origins:
                if a.kind in ("restrictive", "multilateral"):
                    protected[d, o] = True
                    strength[d, o] = max(strength[d, o], a.implementation_rate)
                    covered[d, o, list(a.occupations)] = True
                if a.kind in ("restrictive", "circular") and a.g2g_quota > 0:
                    g2g.append((a, d, int(o)))
                rights[d, o] = max(rights[d, o], a.rights * a.rights_implementation)
        if a.kind == "circular":
            for o in a.origins:
                extra[o] += a.training_places * a.implementation_rate
    for x in (protected, strength, covered, extra, rights):
        x.setflags(write=False)  # kept while the policy in force is the same (apply_agreements)
    return PolicyState(protected, strength, covered, g2g, extra, rights)


def corridor_right(model, name: str) -> np.ndarray | float:
    """A right's level on each corridor, (n_orig, n_dest): the destination's lever
    (``worker_fee_ban``, ``employer_change_right`` or ``social_security_portability``) or
    the rights clauses of the agreements in force there, whichever is higher (ODD §7.1).
    The scalar 0.0 when the right is nowhere granted (the fast path). Kept while the
    parameters and the policy in force are the same (:meth:`MigrationModel.derived`; the
    array is read-only)."""
    return model.derived("right:" + name, lambda: make_corridor_right(model, name))


def make_corridor_right(model, name: str) -> np.ndarray | float:
    """:func:`corridor_right`, computed."""
    lever = model.lever(name)
    clause = model.policy.rights
    if not nonzero(lever) and (clause is None or not clause.any()):
        out = 0.0
    else:
        out = np.broadcast_to(np.asarray(lever, dtype=float), (model.n_dest,))[None, :]
        out = np.broadcast_to(out, (model.n_orig, model.n_dest))
        out = np.maximum(out, clause.T) if clause is not None else out.copy()
        out.setflags(write=False)
    return out


def measure(true_lagged: np.ndarray, noise: np.ndarray, u: np.ndarray) -> np.ndarray:
    """What a government measures: true_lagged * (1 + noise * sqrt(3) * (2u - 1)), an error
    uniform on [-sqrt(3) noise, sqrt(3) noise] (standard deviation ``noise``), floored at 0."""
    return np.maximum(true_lagged * (1.0 + noise * 3.0 ** 0.5 * (2.0 * u - 1.0)), 0.0)


def measured_density(model, u: np.ndarray) -> np.ndarray:
    """Each origin's measured health density: the true density ``lag`` quarters ago, with
    error; a data partnership replaces the origin's noise and lag by the partnership's
    (ODD §7.1)."""
    p, n = model.p, model.n_orig
    partner = np.broadcast_to(model.lever("data_partnership"), (n,)).astype(bool)
    noise = np.where(partner, p.partnership_noise,
                     np.broadcast_to(model.lever("measurement_noise"), (n,)))
    lag = np.where(partner, p.partnership_lag_quarters,
                   np.broadcast_to(model.lever("measurement_lag_quarters"), (n,))).astype(int)
    rows = model.country_rows
    if not rows:  # at the start: today's figure is all there is
        lagged = model.health_density_by_origin()
    else:
        col = model.col_index("health_density")
        last = len(rows) - 1
        lagged = np.array([rows[max(0, last - int(lag[o]))][o, col] for o in range(n)])
    return measure(lagged, noise, u)


def apply_agreements(model, t: int) -> None:
    """Combine the agreements in force into this step's policy state.

    Destinations review the protected list (origins whose *measured* health-worker density
    is below the threshold, see :func:`measured_density`) every
    ``protection_review_quarters``, at step 0 and when an agreement starts; a multilateral
    code protects the listed origins.
    """
    p, st = model.p, model.government_state
    u = model.streams["measure"].random(model.n_orig)  # every step (common random numbers)
    if t % p.protection_review_quarters == 0 or t == 0 or any(
            a.start == t for a in model.agreements):
        st.measured = measured_density(model, u)
        st.listed = st.measured < p.protection_density_threshold
        st.truly_short = model.health_density_by_origin() < p.protection_density_threshold
    # the policy in force changes only when an agreement starts or ends or the list does:
    # otherwise the same state is kept (what is derived from it is then kept too)
    key = (tuple(a.active(t) for a in model.agreements), st.listed.tobytes())
    if st.policy_key != key:
        st.policy = policy_state(model.agreements, t, model.n_dest, model.n_orig, st.listed)
        st.policy_key = key


# ---------------------------------------------------------------------------
# 3. labour demand (ODD §7.3) and 11. adaptive policy (ODD §7.11)
# ---------------------------------------------------------------------------

def dest_stock(model) -> np.ndarray:
    """Workers abroad in regular status by destination and occupation (n_dest, 4), real
    persons."""
    return kernels.abroad_counts(model.pop, model.n_dest, model.n_orig,
                                 model.world.person_weight)[0]


def own_health_abroad(model) -> np.ndarray:
    """Each origin's health workers abroad (real persons, n_orig)."""
    return kernels.abroad_counts(model.pop, model.n_dest, model.n_orig,
                                 model.world.person_weight)[1]


def wanted_now(model, step: int) -> np.ndarray:
    """Wanted stocks of foreign workers at ``step`` (n_dest, 4), with the replacement demand
    of countries in both roles as last computed by :func:`labour_demand`
    (:func:`kernels.wanted_stocks`)."""
    st = model.government_state
    return kernels.wanted_stocks(st.wanted_base, model.p.demand_growth, step,
                                 st.demand_multiplier, st.replacement)


def labour_demand(model, t: int) -> np.ndarray:
    """Destinations advertise this quarter's vacancies (n_dest, 4), in real persons."""
    p, st = model.p, model.government_state
    # the counts abroad in one compiled pass over the persons, then the replacement demand
    # (into st.replacement), the wanted stocks and the vacancies, compiled
    vac = kernels.labour_demand(model.pop, model.n_orig, model.world.person_weight,
                                st.both_roles, st.health_abroad0, model.world.dest_of_origin,
                                model.lever("replacement_hiring"), st.wanted_base,
                                p.demand_growth, t, st.demand_multiplier,
                                p.vacancy_fill_rate, model.u_round["vacancies"],
                                st.replacement)
    st.last_vacancies = vac
    return vac


def adapt_policies(model) -> None:
    """Destinations raise wanted stocks where demand went unfilled; origins short of
    health workers expand training (see :func:`adapt`)."""
    p = model.p
    wanted = wanted_now(model, model.steps)
    unfilled = rate(np.maximum(wanted - dest_stock(model), 0), wanted)
    short = model.health_density_by_origin() < p.protection_density_threshold
    st = model.government_state
    adapt(st.demand_multiplier, unfilled, st.training_multiplier, short, p.adaptive_rate)
