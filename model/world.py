"""The default world: countries, communities, agencies and the initial population.

Origins follow ORIGIN_TABLE (figures in the range of published ones: physician
emigration rates of 14-27 % around 2000-03 (Clemens & Pettersson 2008), densities either side of WHO's 23 per
10,000 shortage threshold). Origin A is the middle-income origin that a
bilateral agreement names in the shipped scenarios; B and C are short-staffed
non-parties; D is a non-party above the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from migdev.core import fmath
from migdev.core.codes import CH_INITIAL, EDUCATION, HEALTH, HOME, LOW, OTHER, SETTLED, TEMP
from migdev.core.population import Population

#: one row per origin: initial health density (per 10,000), skilled and low-skilled
#: wage as a share of the destination wage, population weight, occupation shares
#: (health, education, other skilled), initial emigration rates (health, education,
#: other skilled, low skilled) and relative financial access.
ORIGIN_TABLE = (
    # South Africa-like: physician emigration 27 % around 2000 (Clemens & Pettersson 2008)
    dict(name="Origin A", density=40.0, wage=0.25, low_wage=0.30, weight=1.0,
         shares=(0.045, 0.06, 0.12), emig=(0.25, 0.05, 0.10, 0.02), access=1.0),
    # Ghana-like: 22 %, below the WHO 2006 threshold
    dict(name="Origin B", density=18.0, wage=0.12, low_wage=0.15, weight=1.0,
         shares=(0.035, 0.05, 0.08), emig=(0.22, 0.06, 0.12, 0.03), access=0.85),
    # Uganda-like: 14 %, critical shortage
    dict(name="Origin C", density=12.0, wage=0.08, low_wage=0.10, weight=0.8,
         shares=(0.03, 0.045, 0.06), emig=(0.14, 0.05, 0.10, 0.03), access=0.7),
    # a non-party above the threshold
    dict(name="Origin D", density=30.0, wage=0.18, low_wage=0.22, weight=0.6,
         shares=(0.04, 0.055, 0.10), emig=(0.12, 0.04, 0.08, 0.02), access=0.95),
)
DESTINATION_NAMES = ("Destination X", "Destination Y", "Destination Z", "Destination W")
#: each further destination pays a little less and draws fewer migrants
DEST_WAGE_FACTOR = (1.0, 0.9, 0.85, 0.8)
COMMUNITY_WEIGHTS = (1.0, 0.8, 0.6, 0.5)
COMMUNITY_ACCESS = (1.0, 0.85, 0.7, 0.6)


def origin_rows(n_origins: int) -> list[dict]:
    """Rows of ORIGIN_TABLE, extended for more origins (each further one poorer)."""
    rows = []
    for i in range(n_origins):
        base = dict(ORIGIN_TABLE[i % len(ORIGIN_TABLE)])
        k = i // len(ORIGIN_TABLE)
        if k:
            base["name"] = f"Origin {chr(ord('A') + i)}"
            base["density"] *= fmath.power(0.8, k)
            base["wage"] *= fmath.power(0.85, k)
            base["low_wage"] *= fmath.power(0.85, k)
        rows.append(base)
    return rows


@dataclass
class World:
    """Static tables of one run (built once from the parameters and the init stream)."""

    origin_names: list
    destination_names: list
    wage_dest: np.ndarray  # (n_dest, 4) kUSD per quarter
    wage_ratio: np.ndarray  # (n_orig, 4) home wage / destination-X wage
    dest_weight: np.ndarray  # (n_dest,)
    origin_access: np.ndarray  # (n_orig,)
    comm_origin: np.ndarray  # (n_comm,)
    comm_access: np.ndarray  # (n_comm,) relative access
    comm_size: np.ndarray  # (n_comm,)
    represented_pop: np.ndarray  # (n_comm,)
    education_ref: np.ndarray  # (n_comm,) initial education density
    occ_total0: np.ndarray  # (4,) persons per occupation at start, all origins


def apportion_1d(total: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    left = total - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:left]] += 1
    return out


def build_world(p, rng: np.random.Generator) -> tuple[World, Population]:
    """Build the tables and the initial population (draws only from the init stream)."""
    rows = origin_rows(p.n_origins)
    n_orig, n_dest, cpo = p.n_origins, p.n_destinations, p.communities_per_origin
    base_wage = np.array([p.wage_dest_health, p.wage_dest_education, p.wage_dest_other,
                          p.wage_dest_low])
    wage_dest = np.array([DEST_WAGE_FACTOR[d] for d in range(n_dest)])[:, None] * base_wage
    wage_ratio = np.array([[r["wage"]] * 3 + [r["low_wage"]] for r in rows])
    dw = fmath.power(2.0 / 3.0, np.arange(n_dest))
    dest_weight = dw / dw.sum()

    # persons per origin, then per community (slots laid out community by community)
    per_origin = apportion_1d(p.n_persons, [r["weight"] for r in rows])
    cw = [COMMUNITY_WEIGHTS[c % len(COMMUNITY_WEIGHTS)] for c in range(cpo)]
    comm_size = np.concatenate([apportion_1d(int(m), cw) for m in per_origin])
    n_comm = n_orig * cpo
    comm_origin = np.repeat(np.arange(n_orig), cpo)
    comm_access = np.tile([COMMUNITY_ACCESS[c % len(COMMUNITY_ACCESS)] for c in range(cpo)],
                          n_orig)

    n = p.n_persons
    pop = Population.empty(n)
    pop.community[:] = np.repeat(np.arange(n_comm), comm_size)
    pop.origin[:] = comm_origin[pop.community]
    o = pop.origin

    u = rng.random((8, n))
    shares = np.array([r["shares"] for r in rows])  # (n_orig, 3)
    cum = np.cumsum(shares, axis=1)[o]
    pop.occ[:] = (u[0][:, None] >= cum).sum(axis=1)
    span = p.retirement_age - p.entry_age
    pop.age[:] = p.entry_age + u[1] * span
    skilled = pop.occ < LOW
    experience = (pop.age - p.entry_age) / span
    pop.h[:] = np.where(skilled, 1.0 + 0.5 * experience, 1.0)
    pop.ties[:] = 0.5 + 0.5 * u[2]

    # the initial diaspora
    emig = np.array([r["emig"] for r in rows])  # (n_orig, 4)
    old_enough = pop.age >= p.entry_age + 1.0
    abroad = old_enough & (u[3] < emig[o, pop.occ])
    idx = np.flatnonzero(abroad)
    cumd = np.cumsum(dest_weight)
    pop.dest[idx] = np.minimum((u[4][idx][:, None] >= cumd[None, :-1]).sum(axis=1), n_dest - 1)
    temp = u[5][idx] < 0.2
    pop.status[idx] = np.where(temp, TEMP, SETTLED)
    contract = np.where(pop.occ[idx] < LOW, p.contract_quarters_skilled, p.contract_quarters_low)
    pop.contract_left[idx] = np.where(temp, 1 + (u[6][idx] * contract).astype(np.int16), 0)
    max_q = ((pop.age[idx] - p.entry_age) * 4).astype(np.int64)
    pop.q_abroad[idx] = np.minimum((u[6][idx] * np.minimum(max_q, 60)).astype(np.int64), 60)
    pop.n_stays[idx] = 1
    pop.integration[idx] = 0.2 + 0.6 * u[7][idx]
    pop.ties[idx] = 0.2 + 0.6 * u[2][idx]
    pop.member[idx] = u[5][idx] > 0.8
    pop.channel[idx] = CH_INITIAL
    pop.matched[idx] = (pop.occ[idx] == LOW) | (u[7][idx] < p.skill_match_independent)
    pop.h_dep[idx] = pop.h[idx]
    pop.status[~abroad] = HOME

    # represented population: calibrated so the initial density equals the origin's
    home = pop.at_home()
    health_home = np.bincount(pop.community[home & (pop.occ == HEALTH)], minlength=n_comm)
    edu_home = np.bincount(pop.community[home & (pop.occ == EDUCATION)], minlength=n_comm)
    dens = np.array([r["density"] for r in rows])
    represented = np.maximum(health_home, 1) * 10_000.0 / dens[comm_origin]
    education_ref = np.maximum(edu_home, 1) * 10_000.0 / represented
    occ_total0 = np.bincount(pop.occ, minlength=4).astype(float)

    world = World(
        origin_names=[r["name"] for r in rows],
        destination_names=list(DESTINATION_NAMES[:n_dest]),
        wage_dest=wage_dest,
        wage_ratio=wage_ratio,
        dest_weight=dest_weight,
        origin_access=np.array([r["access"] for r in rows]),
        comm_origin=comm_origin,
        comm_access=comm_access,
        comm_size=comm_size,
        represented_pop=represented,
        education_ref=education_ref,
        occ_total0=occ_total0,
    )
    return world, pop


__all__ = ["EDUCATION", "HEALTH", "LOW", "ORIGIN_TABLE", "OTHER", "World", "build_world"]
