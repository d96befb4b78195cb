"""The home communities' compiled kernels (ODD §7.10): the census of health and education
workers at home and the communities' capacity, knowledge and development."""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np

from migdev.core.codes import (
    EDUCATION,
    HEALTH,
    HOME,
    LOW,
    RETURNED,
)
from migdev.core.fmath import exp_one
from migdev.core.kernels import (
    as_array,
    fresh_caches,
)
from migdev.core.ledger import rows_by_name


@numba.njit(cache=True, nogil=True)
def _census(community, occ, status, h, counts, h_health, h_returned, h_education, h_skilled):
    """The census of one step (:func:`community_census`): persons per community, occupation and
    whether at home, and the skill sums of the health, returned, education and skilled
    workers at home."""
    for i in range(community.shape[0]):
        c = community[i]
        k = occ[i]
        s = status[i]
        home = (s == HOME) | (s == RETURNED)
        counts[c, k, np.int64(home)] += 1
        if not home:
            continue
        x = np.float64(h[i])
        if k == HEALTH:
            h_health[c] += x
            if s == RETURNED:
                h_returned[c] += x
        elif k == EDUCATION:
            h_education[c] += x
        if k < LOW:
            h_skilled[c] += x


def community_census(pop, n_comm: int):
    """One pass over the persons: (n_comm, 4, 2) persons by community, occupation and
    whether at home (1) or abroad (0), and per community the summed skill h of the health
    workers at home, of those of them who returned, of the teachers at home and of all
    skilled persons at home — added in person order, as ``np.bincount`` adds them."""
    counts = np.zeros((n_comm, 4, 2), dtype=np.int64)
    sums = np.zeros((4, n_comm))
    _census(pop.community, pop.occ, pop.status, pop.h, counts, sums[0], sums[1], sums[2],
            sums[3])
    return counts, sums


@numba.njit(cache=True, nogil=True)
def development_index(health_density, health_ref, education_density, education_ref,
                      knowledge, investment, projects, size, knowledge_ref, investment_ref):
    """A community's development index in [0, 1] (ODD §7.10):

    D = 0.5 S + 0.25 (1 - exp(-K / (n k_ref))) + 0.25 (1 - exp(-(I + P) / (n i_ref))),
    S = 0.5 min(1, health_density / health_ref) + 0.5 min(1, edu_density / edu_ref),

    with n the community's simulated size, K its knowledge, I its households' investment and
    P its collective projects."""
    service = 0.5 * min(1.0, health_density / health_ref) + 0.5 * min(
        1.0, education_density / max(education_ref, 1e-12))
    know = 1.0 - exp_one(-knowledge / (size * knowledge_ref))
    invest = 1.0 - exp_one(-(investment + projects) / (size * investment_ref))
    return 0.5 * service + 0.25 * know + 0.25 * invest


@numba.njit(cache=True, nogil=True)
def knowledge_uplift(knowledge, size, knowledge_ref, productivity):
    """The productivity multiplier of local workers from the community's knowledge (ODD
    §7.10): 1 + a (1 - exp(-K / (n k_ref))), a = ``knowledge_productivity``."""
    return 1.0 + productivity * (1.0 - exp_one(-knowledge / (size * knowledge_ref)))


#: the communities' terms fixed by the world and the parameters (:func:`_communities`):
#: represented (real) population and the real persons each simulated person stands for, the
#: shares of knowledge, investment and projects kept a quarter,
#: the density references, sizes, knowledge and investment references, the knowledge
#: productivity, the length of a mission (quarters), each community's origin and the weight
#: of the share abroad in the perceived chance of emigrating
CommunityTerms = namedtuple("CommunityTerms", "represented weight keep_k keep_i keep_p health_ref "
                            "education_ref size knowledge_ref investment_ref productivity "
                            "mission_quarters comm_origin prospect_weight")


@numba.njit(cache=True, nogil=True)
def _communities(census, stocks, inflows, T, out, prospect):
    """Every community's new stocks (ODD §7.10) into ``out`` (COMMUNITY_ROWS) and each
    origin's perceived chance of emigrating into ``prospect``. ``census``:
    (counts, h_health, h_back, h_edu) of the persons; ``stocks``: (knowledge, investment,
    projects) last quarter; ``inflows``: this quarter's knowledge brought home and health and
    education missions' skill; ``T``: :data:`CommunityTerms`."""
    counts, h_health, h_back, h_edu = census
    knowledge, investment, projects = stocks
    knowledge_in, mission_health_h, mission_education_h = inflows
    represented, weight = T.represented, T.weight
    keep_k, keep_i, keep_p = T.keep_k, T.keep_i, T.keep_p
    health_ref, education_ref, size = T.health_ref, T.education_ref, T.size
    knowledge_ref, investment_ref = T.knowledge_ref, T.investment_ref
    productivity, mission_quarters = T.productivity, T.mission_quarters
    comm_origin, prospect_weight = T.comm_origin, T.prospect_weight
    n_comm = counts.shape[0]
    abroad = np.zeros((prospect.shape[0], 4))
    home = np.zeros((prospect.shape[0], 4))
    for c in range(n_comm):
        hh = np.float64(counts[c, HEALTH, 1])
        eh = np.float64(counts[c, EDUCATION, 1])
        rep = represented[c]
        # per 10,000 of the real population: each simulated worker stands for weight[c]
        hd = hh * weight[c] * 10_000.0 / rep if rep > 0 else 0.0
        ed = eh * weight[c] * 10_000.0 / rep if rep > 0 else 0.0
        k = knowledge[c] * keep_k + knowledge_in[c]  # S (1 - depreciation) + inflow
        inv = investment[c] * keep_i + 0.0
        proj = projects[c] * keep_p + 0.0
        # effective capacity (ODD §7.10), in workers of entry skill: E = u sum h at home
        # + m sum h of this quarter's missionaries, u the knowledge uplift, m the share of
        # the quarter a mission lasts
        uplift = knowledge_uplift(k, size[c], knowledge_ref, productivity)
        missions_h = mission_quarters * mission_health_h[c]
        out[STOCK.health_home, c] = hh
        out[STOCK.education_home, c] = eh
        out[STOCK.health_density, c] = hd
        out[STOCK.knowledge, c] = k
        out[STOCK.investment, c] = inv
        out[STOCK.projects, c] = proj
        out[STOCK.development, c] = development_index(hd, health_ref, ed, education_ref[c], k,
                                                      inv, proj, size[c], knowledge_ref,
                                                      investment_ref)
        out[STOCK.health_effective, c] = uplift * h_health[c] + missions_h
        out[STOCK.health_eff_returnees, c] = uplift * h_back[c]
        out[STOCK.health_eff_missions, c] = missions_h
        out[STOCK.education_effective, c] = (uplift * h_edu[c]
                                             + mission_quarters * mission_education_h[c])
        o = comm_origin[c]
        for j in range(4):
            abroad[o, j] += np.float64(counts[c, j, 0])
            home[o, j] += np.float64(counts[c, j, 1])
    # the perceived chance of emigrating: prospect_weight x the share abroad, in [0, 1]
    for o in range(prospect.shape[0]):
        for j in range(4):
            total = abroad[o, j] + home[o, j]
            r = abroad[o, j] / total if total > 0 else 0.0
            prospect[o, j] = min(max(prospect_weight * r, 0.0), 1.0)


#: rows of communities()' output, in order: the model's community stocks
COMMUNITY_ROWS = ("health_home", "education_home", "health_density", "knowledge",
                  "investment", "projects", "development", "health_effective",
                  "health_eff_returnees", "health_eff_missions", "education_effective")
#: each row's position by name (``out[STOCK.development, c]``)
STOCK = rows_by_name(COMMUNITY_ROWS, "CommunityStocks")


def communities(counts, h_health, h_back, h_edu, state, knowledge_in, mission_health_h,
                mission_education_h, world, p, n_orig: int):
    """The communities' stocks (ODD §7.10) for every community in one compiled loop: workers
    at home and their densities, knowledge, investment and projects (depreciated, plus this
    quarter's inflow), the development index, effective health and teaching capacity; and
    each origin's perceived chance of emigrating. Returns (len(COMMUNITY_ROWS), n_comm) new
    stocks and the (n_orig, 4) prospect."""
    n_comm = counts.shape[0]
    out = np.empty((len(COMMUNITY_ROWS), n_comm))
    prospect = np.empty((n_orig, 4))
    terms = CommunityTerms(
        represented=as_array(world.represented_pop), weight=as_array(world.comm_weight),
        keep_k=1.0 - p.knowledge_depreciation,
        keep_i=1.0 - p.investment_depreciation, keep_p=1.0 - p.project_depreciation,
        health_ref=float(p.health_density_ref), education_ref=as_array(world.education_ref),
        size=as_array(world.comm_size), knowledge_ref=float(p.knowledge_ref),
        investment_ref=float(p.investment_ref), productivity=float(p.knowledge_productivity),
        mission_quarters=float(p.mission_quarters),
        comm_origin=as_array(world.comm_origin, np.int64),
        prospect_weight=float(p.prospect_weight))
    _communities((counts, h_health, h_back, h_edu),
                 (state.knowledge, state.investment, state.projects),
                 (as_array(knowledge_in), as_array(mission_health_h),
                  as_array(mission_education_h)), terms, out, prospect)
    return out, prospect


fresh_caches(__name__)
