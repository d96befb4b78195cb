"""Home communities: service capacity, knowledge, investment and development (ODD §7.10)."""

from __future__ import annotations

import mesa
import numpy as np

from migdev.agents.community import kernels


class CommunityState:
    """The communities' state, one value per community (ODD §7.10), and what the
    communities tell their origins (the brain-gain prospect).

    Attributes:
        health_home, education_home: health and education workers at home (simulated
            persons).
        health_density: health workers at home per 10,000 represented population.
        knowledge, investment, projects: the stocks brought home, invested by households
            and built by associations (depreciated each quarter).
        development: the development index (0-1).
        health_effective, health_eff_returnees, health_eff_missions, education_effective:
            effective service capacity, and the parts returnees and missions add.
        h_home: the skill of the skilled workers at home, summed.
        access: reach of formal remittance services (0-1; ``financial_access``).
        counts: (community, occupation, at home?) persons at the last census.
        prospect: (n_orig, 4) each origin's perceived chance of emigrating per occupation.
    """

    def __init__(self, n_comm: int, n_orig: int, access: np.ndarray):
        for name in kernels.COMMUNITY_ROWS:
            setattr(self, name, np.zeros(n_comm))
        self.h_home = np.zeros(n_comm)
        self.access = access
        self.counts = np.zeros((n_comm, 4, 2), dtype=np.int64)
        self.prospect = np.zeros((n_orig, 4))


class HomeCommunity(mesa.Agent):
    """A locality in an origin country.

    Attributes:
        index: row in the model's community arrays.
        origin: index of its origin country.
        name: label.
        represented_population: the real persons it stands for (its origin's population in
            proportion to its simulated persons; ODD §2).
        size: simulated persons belonging to it (constant: slots are recycled); each stands
            for the origin's person weight of real persons.
    The stocks (health workers, knowledge, investment, projects, development index,
    financial access) are read from the model's community arrays.
    """

    def __init__(self, model, index: int, origin: int, name: str,
                 represented_population: float, size: int):
        super().__init__(model)
        self.index = index
        self.origin = origin
        self.name = name
        self.represented_population = represented_population
        self.size = size

    def _get(self, key):
        return float(getattr(self.model.community_state, key)[self.index])

    @property
    def health_workers(self) -> float:
        return self._get("health_home")

    @property
    def health_density(self) -> float:
        return self._get("health_density")

    @property
    def education_workers(self) -> float:
        return self._get("education_home")

    @property
    def knowledge_stock(self) -> float:
        return self._get("knowledge")

    @property
    def household_investment(self) -> float:
        return self._get("investment")

    @property
    def collective_projects(self) -> float:
        return self._get("projects")

    @property
    def financial_access(self) -> float:
        return self._get("access")

    @property
    def development_index(self) -> float:
        return self._get("development")

    def __repr__(self):
        return f"HomeCommunity({self.name!r}, density={self.health_density:.1f})"


def start(model) -> CommunityState:
    """The communities at the start: one :class:`HomeCommunity` agent per community
    (``model.communities``) and their state (stocks at zero until the first census)."""
    w = model.world
    model.communities = []
    for c in range(model.n_comm):
        o = int(w.comm_origin[c])
        model.communities.append(HomeCommunity(
            model, c, o, w.comm_names[c],
            float(w.represented_pop[c]), int(w.comm_size[c])))
    model.community_state = CommunityState(model.n_comm, model.n_orig, formal_access(model))
    return model.community_state


def formal_access(model) -> np.ndarray:
    """Each community's reach of formal remittance services (0-1): households with an
    account (the origin's account ownership) and, of those without, the share reached
    by money-transfer services (``financial_access``), times the community's relative
    remoteness factor (ODD §7.7). At the start and when an event changes
    ``financial_access``."""
    w = model.world
    fa = model.lever_at("financial_access", w.comm_origin)
    owned = w.origin_access[w.comm_origin]
    return np.clip(w.comm_access * (owned + (1.0 - owned) * fa), 0, 1)


def update(model) -> None:
    """10. Communities count who is at home, accumulate knowledge, investment and
    projects, and update their development index; origins update the perceived chance
    of emigrating (the brain-gain prospect)."""
    p, pop, w, state = model.p, model.pop, model.world, model.community_state
    # one pass over the persons (compiled): counts, and skill sums of those at home
    cnt, (h_health, h_back, h_edu, h_skilled) = kernels.community_census(pop, model.n_comm)
    state.counts = cnt  # (community, occupation, at home?) persons
    # densities, stocks, the development index, effective capacity and the brain-gain
    # prospect (the perceived chance of emigrating, per origin and occupation), for every
    # community in one compiled loop
    stocks, state.prospect = kernels.communities(
        cnt, h_health, h_back, h_edu, state, model.flows["knowledge_in"],
        model.flows["mission_health_h"], model.flows["mission_education_h"], w, p,
        model.n_orig)
    for name, stock in zip(kernels.COMMUNITY_ROWS, stocks):
        setattr(state, name, stock)
    state.h_home = h_skilled
