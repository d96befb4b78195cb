"""The world of a run: countries, communities, agencies and the initial population.

The countries and corridors are data (``migdev.core.worlds``, docs/WORLDS.md): each origin's
initial health density, wages relative to the reference destination, occupation shares,
initial emigration rates and financial access; each destination's wage level and size;
each corridor's draw weight. This module turns them into the run's tables and draws the
initial population from the init stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from migdev.core import fmath
from migdev.core.codes import (CH_INITIAL, EDUCATION, HEALTH, HOME, IRREGULAR, LOW, OTHER,
                               SETTLED, TEMP)
from migdev.core.population import Population
from migdev.core.worlds import WorldData, load_world, origin_names
from migdev.agents.government import destination_wages

COMMUNITY_WEIGHTS = (1.0, 0.8, 0.6, 0.5)
COMMUNITY_ACCESS = (1.0, 0.85, 0.7, 0.6)


def origin_rows(wd: WorldData, n_origins: int) -> list[dict]:
    """The world's origin rows; an extendable world repeats its table for more origins,
    each further round poorer (density x 0.8, wages x 0.85 per round)."""
    table = wd.origins
    names = origin_names(wd, n_origins)
    rows = []
    for i in range(n_origins):
        base = dict(table[i % len(table)])
        k = i // len(table)
        if k:
            base["country"] = names[i]
            if "health_density" in base:
                base["health_density"] *= fmath.power(0.8, k)
            base["wage_ratio_skilled"] *= fmath.power(0.85, k)
            base["wage_ratio_low"] *= fmath.power(0.85, k)
        rows.append(base)
    return rows


@dataclass
class World:
    """Static tables of one run (built once from the parameters and the init stream)."""

    origin_names: list
    destination_names: list
    wage_dest: np.ndarray  # (n_dest, 4) kUSD per quarter
    wage_ratio: np.ndarray  # (n_orig, 4) home wage / reference destination's wage
    wage_factor: np.ndarray  # (n_dest,) destination wage relative to the reference's
    home_wage: np.ndarray  # (n_orig, 4) kUSD per quarter, before home_wage_scale (fixed at start)
    dest_weight: np.ndarray  # (n_dest,) share of foreign-worker demand
    corridor_weight: np.ndarray  # (n_orig, n_dest) destination draw weights, rows sum to 1
    origin_access: np.ndarray  # (n_orig,)
    comm_origin: np.ndarray  # (n_comm,)
    comm_names: list  # (n_comm,) "origin / community" labels
    first_community: np.ndarray  # (n_orig,) index of each origin's first community
    #: (n_comm,) relative emigration intensity: the initial emigration rates of the
    #: community's persons are the origin's times this (1 in the default layout)
    comm_emig_factor: np.ndarray
    comm_access: np.ndarray  # (n_comm,) relative access
    comm_size: np.ndarray  # (n_comm,)
    population: np.ndarray  # (n_orig,) real population of each origin (the world's data)
    person_weight: np.ndarray  # (n_orig,) real persons each simulated person stands for
    comm_weight: np.ndarray  # (n_comm,) the person weight of each community's origin
    represented_pop: np.ndarray  # (n_comm,) real population of each community
    education_ref: np.ndarray  # (n_comm,) initial education density
    occ_total0: np.ndarray  # (4,) real persons per occupation at start, all origins (expected)
    occ_share: np.ndarray  # (n_orig, 3) base-year share of persons in each skilled occupation
    dest_of_origin: np.ndarray  # (n_orig,) destination index of the same country, or -1
    #: the world switches on the financial intermediaries (ODD §7.7b)
    intermediaries: bool
    #: (n_orig, n_dest) base-year formal fee of each corridor where the world gives one, NaN
    corridor_fee: np.ndarray
    #: (n_orig,) USD of the base year: the public cost of educating one of the origin's
    #: emigrant health workers (health_training_cost; 0 in a world without the figures)
    health_train_cost: np.ndarray
    #: (n_orig, n_dest) USD of the base year: what the destination would have spent to
    #: educate one of the origin's emigrant health workers (destination_training_cost; 0 in
    #: a world without the figures)
    dest_train_cost: np.ndarray

    @property
    def real_persons(self) -> float:
        """The real persons all simulated persons stand for, at the start."""
        return float((self.comm_weight * self.comm_size).sum())

    @property
    def corridor_open(self) -> np.ndarray:
        """(n_orig, n_dest) 1.0 where the world has a corridor, else 0.0."""
        return (self.corridor_weight > 0).astype(float)


def apportion_1d(total: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    left = total - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:left]] += 1
    return out


def community_layout(wd: WorldData, rows: list[dict], cpo: int):
    """Each origin's communities (ODD §2): from the world's communities.csv where it has
    rows for the origin, otherwise ``cpo`` communities of the default layout
    (COMMUNITY_WEIGHTS, COMMUNITY_ACCESS). Returns per origin a list of (name, relative
    size, relative access, emigration factor). A data community's size is its population;
    its emigration factor is its share of the origin's remittances over its share of the
    origin's population (1 on average over the origin's population), its relative access
    1 (no community figure: assumption, docs/WORLDS.md)."""
    out = []
    for r in rows:
        data = wd.communities_of(r["country"])
        if data:
            pop = np.array([c["population"] for c in data])
            rem = np.array([c["remittance_share"] for c in data])
            factor = (rem / rem.sum()) / (pop / pop.sum())
            out.append([(c["community"], float(pop[j]), 1.0, float(factor[j]))
                        for j, c in enumerate(data)])
        else:
            out.append([(f"community {c + 1}", COMMUNITY_WEIGHTS[c % len(COMMUNITY_WEIGHTS)],
                         COMMUNITY_ACCESS[c % len(COMMUNITY_ACCESS)], 1.0)
                        for c in range(cpo)])
    return out


def stock_weights(stock, expected_abroad) -> np.ndarray:
    """Real persons each simulated person of an origin stands for, anchored on its emigrant
    stock (ODD §2): w_o = M_o / A_o, the persons born in the origin living in the world's
    destinations in the base year over the persons its simulated persons are expected to
    have abroad at the start (A_o = sum over communities c and occupations k of
    n_c s_k min(e_k f_c, 0.95) q). Deterministic, like :func:`person_weights`."""
    expected = np.asarray(expected_abroad, dtype=float)
    return np.divide(stock, expected, out=np.zeros(len(expected)), where=expected > 0)


def person_weights(population, density, persons, share_health, emig_health,
                   old_share: float) -> np.ndarray:
    """Real persons each simulated person of an origin stands for (ODD §2):

        w_o = (D_o P_o / 10,000) / (n_o s_o (1 - e_o q)),

    the origin's health workers at home (density D_o per 10,000 of its population P_o) over
    the health workers its n_o simulated persons are expected to hold at home at the start
    (a share s_o in health work, e_o of those old enough abroad, q the share old enough to
    have left). Deterministic: it does not depend on the draws, so the expected initial
    density is the origin's at any number of persons. 0 for an origin without persons."""
    expected = (np.asarray(persons, dtype=float) * share_health
                * (1.0 - emig_health * old_share))
    real = density * population / 10_000.0
    return np.divide(real, expected, out=np.zeros(len(real)), where=expected > 0)


def _column(rows: list[dict], name: str) -> np.ndarray:
    return np.array([np.nan if r.get(name) is None else float(r[name]) for r in rows])


def training_costs(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """The public cost of educating one doctor and one nurse of each origin, in USD of the
    base year (ODD §7.14): the world's ``train_cost_doctor`` and ``train_cost_nurse``, and
    where one is missing (assumption, docs/WORLDS.md) a doctor's is the mean of the origins
    that have one, a nurse's the doctor's times the mean nurse/doctor ratio of the origins
    that have both. All zero when no origin has a doctor's cost."""
    doc, nur = _column(rows, "train_cost_doctor"), _column(rows, "train_cost_nurse")
    if np.isnan(doc).all():
        return np.zeros(len(rows)), np.zeros(len(rows))
    both = ~np.isnan(doc) & ~np.isnan(nur)
    ratio = (nur[both] / doc[both]).mean() if both.any() else 1.0
    doc = np.where(np.isnan(doc), np.nanmean(doc), doc)
    return doc, np.where(np.isnan(nur), doc * ratio, nur)


def doctor_share_abroad(rows: list[dict]) -> np.ndarray:
    """The share of doctors among each origin's health workers abroad (ODD §7.14), from its
    densities at home and emigration rates, D^doc e^doc / (1 - e^doc) over that plus the
    nurses' likewise, or among those at home where an emigration rate is missing (one half
    without densities)."""
    d_home, n_home = _column(rows, "doctors_density"), _column(rows, "nurses_midwives_density")
    e_doc, e_nur = _column(rows, "emig_doctors"), _column(rows, "emig_nurses")
    d_abroad, n_abroad = d_home * e_doc / (1.0 - e_doc), n_home * e_nur / (1.0 - e_nur)
    abroad = ~np.isnan(d_abroad) & ~np.isnan(n_abroad) & (d_abroad + n_abroad > 0)
    share = np.where(abroad, d_abroad / np.where(abroad, d_abroad + n_abroad, 1.0),
                     d_home / (d_home + n_home))
    return np.where(np.isnan(share), 0.5, share)


def health_training_cost(rows: list[dict]) -> np.ndarray:
    """The public cost of educating one emigrant health worker of each origin (ODD §7.14),
    in USD of the base year: c_o = m_o c^doc_o + (1 - m_o) c^nur_o, with the costs of
    :func:`training_costs` and the doctors' share ``m_o`` of :func:`doctor_share_abroad`."""
    doc, nur = training_costs(rows)
    share = doctor_share_abroad(rows)
    return share * doc + (1.0 - share) * nur


def destination_training_cost(rows: list[dict], dests: list[dict]) -> np.ndarray:
    """What each destination would have spent to educate one emigrant health worker of each
    origin (ODD §7.14), in USD of the base year, (n_orig, n_dest): m_o c^doc_d + (1 - m_o)
    c^nur_d, with the destinations' costs by the rule of :func:`training_costs` (a missing
    figure from the destinations that have one) and the origins' doctor share ``m_o`` of
    :func:`doctor_share_abroad`."""
    doc, nur = training_costs(dests)
    share = doctor_share_abroad(rows)[:, None]
    return share * doc[None, :] + (1.0 - share) * nur[None, :]


def build_world(p, rng: np.random.Generator) -> tuple[World, Population]:
    """Build the tables and the initial population (draws only from the init stream)."""
    wd = load_world(p.world)
    rows = origin_rows(wd, p.n_origins)
    dests = wd.destinations[:p.n_destinations]
    n_orig, n_dest, cpo = p.n_origins, p.n_destinations, p.communities_per_origin
    wage_factor = np.array([d["dest_wage_factor"] for d in dests], dtype=float)
    wage_dest = destination_wages(p, wage_factor)
    wage_ratio = np.array([[r["wage_ratio_skilled"]] * 3 + [r["wage_ratio_low"]]
                           for r in rows])
    dw = np.array([d["dest_demand_weight"] for d in dests])
    dest_weight = dw / dw.sum()
    table = wd.corridor_weights()[:, :n_dest]
    cw = np.array([table[i % len(wd.origins)] for i in range(n_orig)])
    corridor_weight = cw / cw.sum(axis=1, keepdims=True)

    # persons per origin, then per community (slots laid out community by community)
    per_origin = apportion_1d(p.n_persons, [r["sample_weight"] for r in rows])
    layout = community_layout(wd, rows, cpo)
    comm_size = np.concatenate([apportion_1d(int(m), [c[1] for c in lay])
                                for m, lay in zip(per_origin, layout)])
    comm_origin = np.concatenate([np.full(len(lay), i, dtype=np.int64)
                                  for i, lay in enumerate(layout)])
    n_comm = len(comm_origin)
    comm_access = np.array([c[2] for lay in layout for c in lay])
    comm_factor = np.array([c[3] for lay in layout for c in lay])
    comm_names = [f"{r['country']} / {c[0]}" for r, lay in zip(rows, layout) for c in lay]
    first_community = np.concatenate([[0], np.cumsum([len(lay) for lay in layout])[:-1]])

    n = p.n_persons
    pop = Population.empty(n)
    pop.community[:] = np.repeat(np.arange(n_comm), comm_size)
    pop.origin[:] = comm_origin[pop.community]
    o = pop.origin

    u = rng.random((8, n))
    shares = np.array([[r["share_health"], r["share_education"], r["share_other"]]
                       for r in rows])  # (n_orig, 3)
    cum = np.cumsum(shares, axis=1)[o]
    pop.occ[:] = (u[0][:, None] >= cum).sum(axis=1)
    span = p.retirement_age - p.entry_age
    pop.age[:] = p.entry_age + u[1] * span
    skilled = pop.occ < LOW
    experience = (pop.age - p.entry_age) / span
    pop.h[:] = np.where(skilled, 1.0 + 0.5 * experience, 1.0)
    pop.ties[:] = 0.5 + 0.5 * u[2]

    # the initial diaspora
    emig = np.array([[r["emig_health"], r["emig_education"], r["emig_other"], r["emig_low"]]
                     for r in rows])  # (n_orig, 4)
    old_enough = pop.age >= p.entry_age + 1.0
    abroad = old_enough & (u[3] < np.minimum(emig[o, pop.occ] * comm_factor[pop.community],
                                             0.95))
    idx = np.flatnonzero(abroad)
    cumd = np.cumsum(corridor_weight, axis=1)  # (n_orig, n_dest)
    pop.dest[idx] = np.minimum((u[4][idx][:, None] >= cumd[o[idx], :-1]).sum(axis=1),
                               n_dest - 1)
    # the initial diaspora's status: temporary with the origin's share (0.2 unless the world
    # gives one), without legal status with its irregular share (0 unless given), settled
    # otherwise (one draw decides)
    t_share = np.array([r.get("temporary_share", 0.2) for r in rows])[o[idx]]
    i_share = np.array([r.get("irregular_share", 0.0) for r in rows])[o[idx]]
    temp = u[5][idx] < t_share
    irregular = ~temp & (u[5][idx] < t_share + i_share)
    pop.status[idx] = np.where(temp, TEMP, np.where(irregular, IRREGULAR, SETTLED))
    contract = np.where(pop.occ[idx] < LOW, p.contract_quarters_skilled, p.contract_quarters_low)
    pop.contract_left[idx] = np.where(temp, 1 + (u[6][idx] * contract).astype(np.int16), 0)
    max_q = ((pop.age[idx] - p.entry_age) * 4).astype(np.int64)
    pop.q_abroad[idx] = np.minimum((u[6][idx] * np.minimum(max_q, 60)).astype(np.int64), 60)
    pop.q_total[idx] = pop.q_abroad[idx]
    pop.n_stays[idx] = 1
    pop.integration[idx] = 0.2 + 0.6 * u[7][idx]
    pop.ties[idx] = 0.2 + 0.6 * u[2][idx]
    pop.member[idx] = u[5][idx] > 0.8
    pop.channel[idx] = CH_INITIAL
    pop.matched[idx] = (pop.occ[idx] == LOW) | (u[7][idx] < p.skill_match_independent)
    pop.h_dep[idx] = pop.h[idx]
    pop.status[~abroad] = HOME

    # each simulated person's weight: the real persons it stands for (ODD §2), from the
    # origin's population and health density and the *expected* health workers at home
    # among its simulated persons, so that the expected initial density is the origin's
    # (or, where the world gives it, from the origin's emigrant stock and the persons its
    # simulated persons are expected to have abroad)
    dens = np.array([r.get("health_density", np.nan) for r in rows])
    population = np.array([float(r["population"]) for r in rows])
    old_share = 1.0 - 1.0 / span
    weight = person_weights(population, np.nan_to_num(dens), per_origin, shares[:, 0],
                            emig[:, 0], old_share=old_share)
    stock = np.array([r.get("emigrant_stock", np.nan) for r in rows])
    if not np.isnan(stock).all():
        occ_all = np.column_stack([shares, 1.0 - shares.sum(axis=1)])  # (n_orig, 4)
        rate = np.minimum(emig[comm_origin] * comm_factor[:, None], 0.95)  # (n_comm, 4)
        abroad_c = comm_size * (occ_all[comm_origin] * rate).sum(axis=1) * old_share
        by_stock = stock_weights(np.nan_to_num(stock),
                                 np.bincount(comm_origin, abroad_c, minlength=n_orig))
        weight = np.where(np.isnan(stock), weight, by_stock)
    comm_weight = weight[comm_origin]
    # a community's real population: its origin's, in proportion to its simulated persons
    represented = population[comm_origin] * comm_size / np.maximum(per_origin[comm_origin], 1)
    home = pop.at_home()
    edu_home = np.bincount(pop.community[home & (pop.occ == EDUCATION)], minlength=n_comm)
    education_ref = np.divide(np.maximum(edu_home, 1) * comm_weight * 10_000.0, represented,
                              out=np.zeros(n_comm), where=represented > 0)
    # real persons per occupation at start, expected (the base of destinations' demand)
    low = 1.0 - shares.sum(axis=1)
    occ_total0 = ((weight * per_origin)[:, None]
                  * np.column_stack([shares, low])).sum(axis=0)

    dest_names = [d["country"] for d in dests]
    dest_of_origin = np.array([dest_names.index(r["country"]) if r["country"] in dest_names
                               else -1 for r in rows], dtype=np.int64)
    world = World(
        origin_names=[r["country"] for r in rows],
        destination_names=dest_names,
        wage_dest=wage_dest,
        wage_ratio=wage_ratio,
        wage_factor=wage_factor,
        home_wage=wage_ratio * wage_dest[0][None, :],
        dest_weight=dest_weight,
        corridor_weight=corridor_weight,
        origin_access=np.array([r["financial_access"] for r in rows]),
        comm_origin=comm_origin,
        comm_names=comm_names,
        first_community=first_community.astype(np.int64),
        comm_emig_factor=comm_factor,
        comm_access=comm_access,
        comm_size=comm_size,
        population=population,
        person_weight=weight,
        comm_weight=comm_weight,
        represented_pop=represented,
        education_ref=education_ref,
        occ_total0=occ_total0,
        occ_share=shares,
        dest_of_origin=dest_of_origin,
        intermediaries=wd.intermediaries,
        corridor_fee=np.array([wd.corridor_fees()[i % len(wd.origins)]
                               for i in range(n_orig)])[:, :n_dest],
        health_train_cost=health_training_cost(rows),
        dest_train_cost=destination_training_cost(rows, dests),
    )
    return world, pop


__all__ = ["EDUCATION", "HEALTH", "LOW", "OTHER", "World", "build_world", "origin_rows"]
