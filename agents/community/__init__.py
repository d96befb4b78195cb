"""Home communities: service capacity, knowledge, investment and development (ODD §7.10)."""

from __future__ import annotations

import mesa

from migdev.agents.community import kernels


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


def update(model) -> None:
    """10. Communities count who is at home, accumulate knowledge, investment and
    projects, and update their development index; origins update the perceived chance
    of emigrating (the brain-gain prospect)."""
    p, pop, w = model.p, model.pop, model.world
    # one pass over the persons (compiled): counts, and skill sums of those at home
    cnt, (h_health, h_back, h_edu, h_skilled) = kernels.community_census(pop, model.n_comm)
    model.counts = cnt  # (community, occupation, at home?) persons
    # densities, stocks, the development index, effective capacity and the brain-gain
    # prospect (the perceived chance of emigrating, per origin and occupation), for every
    # community in one compiled loop
    stocks, model.prospect = kernels.communities(
        cnt, h_health, h_back, h_edu, model.comm, model.flows["knowledge_in"],
        model.flows["mission_health_h"], model.flows["mission_education_h"], w, p,
        model.n_orig)
    model.comm.update(zip(kernels.COMMUNITY_ROWS, stocks))
    model.comm["h_home"] = h_skilled
