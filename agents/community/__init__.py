"""Home communities: service capacity, knowledge, investment and development (ODD §7.10)."""

from __future__ import annotations

import mesa
import numpy as np

from migdev.agents.community import kernels
from migdev.core import fmath
from migdev.core.measures import per_10000


class HomeCommunity(mesa.Agent):
    """A locality in an origin country.

    Attributes:
        index: row in the model's community arrays.
        origin: index of its origin country.
        name: label.
        represented_population: persons it stands for (calibrated so that the initial
            health-worker density equals its country's).
        size: simulated persons belonging to it (constant: slots are recycled).
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
        return float(self.model.comm[key][self.index])

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


def density(workers: np.ndarray, represented_population: np.ndarray) -> np.ndarray:
    """Workers at home per 10,000 of the represented population."""
    return per_10000(workers, represented_population)


def accumulate(stock: np.ndarray, inflow: np.ndarray, depreciation: float) -> np.ndarray:
    """Stock next quarter: S (1 - delta) + inflow."""
    return stock * (1.0 - depreciation) + inflow


def development_index(health_density, health_ref, education_density, education_ref,
                      knowledge, investment, projects, size, p) -> np.ndarray:
    """Development index in [0, 1] (ODD §7.10).

    D = 0.5 S + 0.25 (1 - exp(-K / (n k_ref))) + 0.25 (1 - exp(-(I + P) / (n i_ref))),
    S = 0.5 min(1, health_density / health_ref) + 0.5 min(1, edu_density / edu_ref).
    """
    service = 0.5 * np.minimum(1.0, health_density / health_ref) + 0.5 * np.minimum(
        1.0, education_density / np.maximum(education_ref, 1e-12))
    know = 1.0 - fmath.exp(-knowledge / (size * p.knowledge_ref))
    inv = 1.0 - fmath.exp(-(investment + projects) / (size * p.investment_ref))
    return 0.5 * service + 0.25 * know + 0.25 * inv


def knowledge_uplift(knowledge, size, p) -> np.ndarray:
    """Productivity multiplier of local health workers from the community's knowledge
    (ODD §7.10): 1 + a (1 - exp(-K / (n k_ref))), a = ``knowledge_productivity``."""
    return 1.0 + p.knowledge_productivity * (1.0 - fmath.exp(-knowledge / (size * p.knowledge_ref)))


def effective_health(h_home, h_returnees, mission_h, uplift, p) -> dict:
    """Effective health capacity of each community (ODD §7.10), in health workers of entry
    skill (h = 1):

    E = u * sum_{health workers at home} h + m * sum_{health missionaries this quarter} h,

    u the knowledge uplift, m = ``mission_quarters`` (the share of the quarter a mission
    lasts). Returns E and the parts due to returnees (u * their h) and to missions."""
    missions = p.mission_quarters * mission_h
    return {"total": uplift * h_home + missions, "returnees": uplift * h_returnees,
            "missions": missions}


def update(model) -> None:
    """10. Communities count who is at home, accumulate knowledge, investment and
    projects, and update their development index; origins update the perceived chance
    of emigrating (the brain-gain prospect)."""
    p, pop, w = model.p, model.pop, model.world
    # one pass over the persons (compiled): counts, and skill sums of those at home
    cnt, (h_health, h_back, h_edu, h_skilled) = kernels.community_census(pop, model.n_comm)
    model.counts = cnt  # (community, occupation, at home?) persons
    # density, accumulate, development_index, knowledge_uplift, effective_health and the
    # brain-gain prospect (the perceived chance of emigrating, per origin and occupation),
    # for every community in one compiled loop (tests compare it with these functions)
    stocks, model.prospect = kernels.communities(
        cnt, h_health, h_back, h_edu, model.comm, model.flows["knowledge_in"],
        model.flows["mission_health_h"], model.flows["mission_education_h"], w, p,
        model.n_orig)
    model.comm.update(zip(kernels.COMMUNITY_ROWS, stocks))
    model.comm["h_home"] = h_skilled
