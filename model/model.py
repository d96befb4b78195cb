"""MigrationModel: the world, the order of a step, and the reporters.

Behaviour lives in ``agents/`` (one module per agent family); this module builds the
world and calls the mechanisms in the order of MODEL_SPEC §3. Per-person state is a
struct of arrays (``model.pop``); every mechanism is vectorised over it.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np
import pandas as pd
from migdev.agents import agency as agency_mod
from migdev.agents import association as assoc_mod
from migdev.agents import community as comm_mod
from migdev.agents import government as gov_mod
from migdev.agents import migrant as mig
from migdev.agents.agency import RecruitmentAgency
from migdev.agents.association import MigrantAssociation
from migdev.agents.community import HomeCommunity
from migdev.agents.government import Government
from migdev.agents.migrant import Migrant
from migdev.model import metrics
from migdev.model.policy import all_agreements, party_origins, policy_state
from migdev.model.world import build_world

from migdev.core import fmath
from migdev.core.codes import (
    CH_AGREEMENT,
    CH_INDEPENDENT,
    CH_REGULATED,
    CH_UNREGULATED,
    EDUCATION,
    HEALTH,
    IRREGULAR,
    LOW,
    SETTLED,
    TEMP,
)
from migdev.core.errors import ParameterError
from migdev.core.params import Params, make_params
from migdev.core.population import make_streams

#: per-community flows accumulated during a step (reset at its start)
FLOWS = ("rec_agreement", "rec_regulated", "rec_unregulated", "rec_independent", "rec_health",
         "returns", "return_gain", "missions", "knowledge_in", "rem_formal", "rem_informal",
         "rem_fees", "rem_losses", "collective", "matched", "recruit_fees", "overstays",
         "contract_ends", "health_trainees", "health_applicants",
         "abroad_start")
F = {name: i for i, name in enumerate(FLOWS)}
COLS = [c for c in metrics.COUNTRY_COLUMNS if c not in ("step", "country", "party_to_agreement",
                                                        "protected")]


def _seed_from(rng) -> int:
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(rng, str):  # e.g. typed into a text box
        if not rng.strip().isdigit():
            raise ParameterError(f"rng={rng!r} is invalid: allowed an integer seed or None")
        rng = int(rng.strip())
    if isinstance(rng, (bool, np.bool_)):
        raise ParameterError(f"rng={rng!r} is invalid: allowed an integer seed or None")
    if isinstance(rng, (int, np.integer)):
        if rng < 0:
            raise ParameterError(f"rng={rng!r} is invalid: allowed a non-negative integer seed")
        return int(rng)
    raise ParameterError(f"rng={rng!r} is invalid: allowed an integer seed or None")


class MigrationModel(mesa.Model):
    """Agent-based model of migration partnerships (one step = one quarter).

    Args:
        params: a validated :class:`model.params.Params` (default: all defaults).
        rng: integer seed of the run (None: a fresh one, recorded in ``model.seed``); a
            string of digits is accepted (as typed in the demo's seed box).
        scenario: a Mesa ``Scenario`` (as Mesa's visualisation passes on reset); only its
            ``rng`` is used, when ``rng`` is not given.
        **overrides: any parameter by name, e.g. ``agreement_kind="restrictive"``.

    Raises:
        ParameterError: an unknown parameter, or a value of the wrong type or out of range.
    """

    def __init__(self, params: Params | None = None, *, rng=None, scenario=None, **overrides):
        p = make_params(params, **overrides)  # validate before anything is built
        if rng is None and scenario is not None:
            # Mesa's visualisation passes a mesa Scenario on reset; only its seed is used
            rng = getattr(scenario, "rng", None)
        seed = _seed_from(rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.params0 = p
        self.p = p
        self.streams = make_streams(seed)
        self.agreements = all_agreements(p)
        self.world, self.pop = build_world(p, self.streams["init"])
        w = self.world
        self.n_orig, self.n_dest = p.n_origins, p.n_destinations
        self.n_comm = len(w.comm_origin)
        self.party = party_origins(self.agreements, self.n_orig)
        self._next_person_id = self.pop.n

        # institutions (ordinary Mesa agents)
        self.governments = []
        self.origins = []
        self.destinations = []
        for o, name in enumerate(w.origin_names):
            g = Government(self, name, origin_index=o)
            self.origins.append(g)
            self.governments.append(g)
        for d, name in enumerate(w.destination_names):
            g = Government(self, name, destination_index=d)
            self.destinations.append(g)
            self.governments.append(g)
        self.communities = []
        for c in range(self.n_comm):
            o = int(w.comm_origin[c])
            self.communities.append(HomeCommunity(
                self, c, o, f"{w.origin_names[o]} / community {c % p.communities_per_origin + 1}",
                float(w.represented_pop[c]), int(w.comm_size[c])))
        self.agencies = []
        for d in range(self.n_dest):
            n_reg = int(round(p.agency_regulation * p.agencies_per_destination))
            for j in range(p.agencies_per_destination):
                reg = j < n_reg
                self.agencies.append(RecruitmentAgency(
                    self, len(self.agencies), d, reg,
                    p.fee_regulated_months if reg else p.fee_unregulated_months,
                    p.agency_capacity * p.n_persons, self.n_orig))
        self.agency_dest = np.array([a.destination for a in self.agencies])
        self.agency_regulated = np.array([a.regulated for a in self.agencies])
        self.agency_fee = np.array([a.fee_months for a in self.agencies])
        self.associations = [MigrantAssociation(self, c, d) for c in range(self.n_comm)
                             for d in range(self.n_dest)]
        # persons: Mesa agents as views onto the arrays
        self.migrants = [Migrant(self, i) for i in range(self.pop.n)]

        # community stocks
        self.comm = {
            "health_home": np.zeros(self.n_comm), "education_home": np.zeros(self.n_comm),
            "health_density": np.zeros(self.n_comm), "knowledge": np.zeros(self.n_comm),
            "investment": np.zeros(self.n_comm), "projects": np.zeros(self.n_comm),
            "access": np.clip(p.financial_access * w.comm_access
                              * w.origin_access[w.comm_origin], 0, 1),
            "development": np.zeros(self.n_comm),
        }
        self.listed = np.zeros(self.n_orig, dtype=bool)
        self.demand_multiplier = np.ones((self.n_dest, 4))
        self.training_multiplier = np.ones(self.n_orig)
        self.wanted_base = (np.array([p.demand_health, p.demand_education, p.demand_other,
                                      p.demand_low])[None, :] * w.occ_total0[None, :]
                            * w.dest_weight[:, None])
        self.prospect = np.zeros((self.n_orig, 4))
        self.flows = np.zeros((len(FLOWS), self.n_comm))
        self.unfilled = np.zeros((self.n_dest, 4))
        self.last_vacancies = np.zeros((self.n_dest, 4), dtype=np.int64)
        self.flows_to_dest = np.zeros((self.n_orig, self.n_dest, 3))  # recruits, returns, remit
        self.totals = {"entrants": 0, "exits": 0}
        self._net, self._net_step = None, -1
        # a slot never changes community, so this part of the count key is fixed
        self._comm_key = self.pop.community.astype(np.int64) * 8
        self.last_money = dict.fromkeys(("sent", "received", "fees", "losses", "collective",
                                         "collective_fees", "to_projects", "matched"), 0.0)
        self._rows: list[np.ndarray] = []
        self._protected_rows: list[np.ndarray] = []
        self._communities()  # densities first: the protected list is drawn from them
        self._policy_update(0)
        self.datacollector = mesa.DataCollector(model_reporters={
            "mean_health_density": partial(_report, column="health_density", how="mean"),
            "recruits": partial(_report, column="recruits", how="sum"),
            "recruits_non_party": partial(_report, column="recruits", how="non_party"),
            "returns": partial(_report, column="returns", how="sum"),
            "missions": partial(_report, column="missions", how="sum"),
            "remittances_formal": partial(_report, column="remittances_formal", how="sum"),
            "remittances_informal": partial(_report, column="remittances_informal", how="sum"),
            "development_index": partial(_report, column="development_index", how="mean"),
        })
        self._collect()

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One quarter, in the order of MODEL_SPEC §3."""
        t = self.steps
        self.flows[:] = 0.0
        self.flows_to_dest[:] = 0.0
        self._apply_events(t)  # 1. scheduled policy events
        self._policy_update(t)
        self._demography(t)  # 2.
        vac = self._labour_demand(t)  # 3.
        cand = self._recruit(vac)  # 4.
        self._decide(cand)  # 5.
        idx, income = self._work_abroad()  # 6.
        self._remittances(idx, income)  # 7.
        self._missions(idx)  # 8.
        self._returns(idx)  # 9.
        self._communities()  # 10.
        if self.p.adaptive_policy:  # 11.
            self._adapt()
        self._collect()  # 12.

    # 1 ---------------------------------------------------------------------------
    def _apply_events(self, t: int) -> None:
        changes = {e.param: e.value for e in self.p.events if e.step == t}
        if changes:
            self.p = make_params(self.p, **changes)
            if "financial_access" in changes:
                w = self.world
                self.comm["access"] = np.clip(self.p.financial_access * w.comm_access
                                              * w.origin_access[w.comm_origin], 0, 1)

    def _policy_update(self, t: int) -> None:
        p = self.p
        if t % p.protection_review_quarters == 0 or t == 0 or any(
                a.start == t for a in self.agreements):
            dens = self._origin_sum(self.comm["health_home"]) * 10_000.0 / np.maximum(
                self._origin_sum(self.world.represented_pop), 1e-9)
            self.listed = dens < p.protection_density_threshold
        self.policy = policy_state(self.agreements, t, self.n_dest, self.n_orig, self.listed)

    # 2 ---------------------------------------------------------------------------
    def _demography(self, t: int) -> None:
        p, pop = self.p, self.pop
        u = self.streams["demography"].random((2, pop.n), dtype=np.float32)
        exits = mig.ageing(pop.age, p.retirement_age)
        if p.skill_growth_home > 0:
            mig.experience_at_home(pop.h, pop.at_home() & (pop.occ < LOW), p.skill_growth_home,
                                   p.h_max)
        idx = np.flatnonzero(exits)
        if len(idx) == 0:
            return
        comm = pop.community[idx]
        self.totals["exits"] += len(idx)
        self.totals["entrants"] += len(idx)
        # the brain-gain incentive: expected earnings with the chance of emigrating
        w = self.world
        home = w.wage_ratio * w.wage_dest[0][None, :] * p.home_wage_scale
        dest = (w.dest_weight[:, None] * w.wage_dest).sum(axis=0)[None, :]
        prospect = self.prospect if p.migration_enabled else np.zeros_like(self.prospect)
        expected = (1.0 - prospect) * home + prospect * dest
        cost = np.array([p.train_cost_health, p.train_cost_education, p.train_cost_other, 0.0])
        probs = mig.training_probabilities(fmath.log(expected), cost, p.beta_train_wage)
        origin = pop.origin[idx]
        cohort = np.bincount(origin, minlength=self.n_orig)
        cap = np.array([p.training_capacity_health, p.training_capacity_education,
                        p.training_capacity_other])
        places = gov_mod.training_places(cohort, cap, self.policy.extra_training,
                                         self.training_multiplier)
        occ, applicants = mig.choose_training(origin, u[0][idx], u[1][idx], probs, places,
                                              p.training_elasticity)
        # the new entrants take the slots of those who left
        new_ids = np.arange(self._next_person_id, self._next_person_id + len(idx))
        self._next_person_id += len(idx)
        fresh = type(pop).empty(len(idx))
        for name in ("status", "dest", "contract_left", "q_abroad", "n_stays", "savings", "debt",
                     "integration", "member", "channel", "matched", "guarantee", "remitted"):
            getattr(pop, name)[idx] = getattr(fresh, name)
        pop.person_id[idx] = new_ids
        pop.occ[idx] = occ
        pop.age[idx] = p.entry_age
        pop.h[idx] = 1.0
        pop.h_dep[idx] = 1.0
        pop.ties[idx] = 0.5 + 0.5 * u[1][idx]
        health = occ == HEALTH
        self.flows[F["health_trainees"]] += np.bincount(comm[health], minlength=self.n_comm)
        # applicants are counted per origin: put them on each origin's first community
        first = np.arange(self.n_orig) * p.communities_per_origin
        self.flows[F["health_applicants"], first] += applicants[:, HEALTH]

    # 3 ---------------------------------------------------------------------------
    def _dest_stock(self) -> np.ndarray:
        """Workers abroad in regular status by destination and occupation (n_dest, 4)."""
        pop = self.pop
        s = pop.status
        reg = (s == TEMP) | (s == SETTLED)
        return np.bincount(pop.dest[reg].astype(np.int64) * 4 + pop.occ[reg],
                           minlength=self.n_dest * 4).reshape(self.n_dest, 4)

    def _labour_demand(self, t: int) -> np.ndarray:
        p = self.p
        wanted = gov_mod.wanted_stock(self.wanted_base, p.demand_growth, t, self.demand_multiplier)
        vac = gov_mod.vacancies(wanted, self._dest_stock(), p.vacancy_fill_rate)
        self.last_vacancies = vac
        return vac

    # 4 ---------------------------------------------------------------------------
    def _recruit(self, vac: np.ndarray) -> dict:
        """Offers (G2G, then agencies) and independent attempts; returns the candidates."""
        p, pop, w = self.p, self.pop, self.world
        n_ag = len(self.agencies)
        u = self.streams["recruit"].random((3, pop.n), dtype=np.float32)
        u_ag = self.streams["agency"].random((n_ag, self.n_orig))
        for a in self.agencies:
            a.offers[:] = 0
            a.accepted[:] = 0
        if not p.migration_enabled:
            return {}
        eligible = pop.at_home() & (pop.age < p.max_migration_age)
        el = np.flatnonzero(eligible)
        g_el = pop.origin[el].astype(np.int64) * 4 + pop.occ[el]
        n_g = self.n_orig * 4
        supply = np.bincount(g_el, minlength=n_g).reshape(self.n_orig, 4)

        # government-to-government placements first
        vac_left = vac.copy()
        blocks = []  # rows: group, count, channel, dest, agency, fee, contract, match, guarantee
        for a, d, o in self.policy.g2g:
            for k in a.occupations:
                n = int(min(vac_left[d, k],
                            np.floor(a.g2g_quota * a.implementation_rate * supply[o, k] + 0.5)))
                if n > 0:
                    vac_left[d, k] -= n
                    match = 1.0 if k == LOW else p.skill_match_agreement
                    blocks.append((o * 4 + k, n, CH_AGREEMENT, d, -1, 0.0, a.contract_quarters,
                                   match, a.return_guarantee))
        # then private agencies
        comp = np.where(self.agency_regulated, p.enforcement, p.unregulated_compliance)
        strength = self.policy.protect_strength
        respects = u_ag < comp[:, None] * strength[self.agency_dest]
        for a in self.agencies:
            a.complied = not bool((~respects[a.index] & self.policy.protected[a.destination]).any())
        penalty = p.penalty_risk * p.enforcement * strength
        attract = np.array([a.attractiveness for a in self.agencies])
        cap = np.array([a.capacity for a in self.agencies])
        offers = agency_mod.agency_offers(vac_left, self.agency_dest, cap, attract, respects,
                                          self.policy.protected, self.policy.covered, penalty,
                                          supply)
        ai, oi, ki = np.nonzero(offers)
        if len(ai):
            d = self.agency_dest[ai]
            skilled = ki < LOW
            ag_blocks = np.column_stack([
                oi * 4 + ki, offers[ai, oi, ki],
                np.where(self.agency_regulated[ai], CH_REGULATED, CH_UNREGULATED), d, ai,
                self.agency_fee[ai] * w.wage_dest[d, ki] / 3.0,
                np.where(skilled, p.contract_quarters_skilled, p.contract_quarters_low),
                np.where(skilled, p.skill_match_agency, 1.0), np.zeros(len(ai))]).astype(float)
            blocks = np.concatenate([np.array(blocks, dtype=float).reshape(-1, 9), ag_blocks])
        cand = {}
        if len(blocks):
            b = np.asarray(blocks, dtype=float)
            order = np.argsort(b[:, 0], kind="stable")
            b = b[order]
            grp = b[:, 0].astype(np.int64)
            cnt = b[:, 1].astype(np.int64)
            total = np.bincount(grp, weights=cnt, minlength=n_g).astype(np.int64)
            chosen, rank, gsel = _lowest_per_group(el, g_el, u[0][el], total, supply.reshape(-1))
            # the i-th chosen person of a group takes the group's i-th offer
            block_end = np.cumsum(cnt)
            group_first = np.searchsorted(grp, np.arange(n_g))
            offer_start = np.concatenate(([0], block_end))[group_first]
            bi = np.searchsorted(block_end, offer_start[gsel] + rank, side="right")
            cand["offer"] = {"idx": chosen, "channel": b[bi, 2].astype(np.int8),
                             "dest": b[bi, 3].astype(np.int8), "agency": b[bi, 4].astype(np.int64),
                             "fee": b[bi, 5], "contract": b[bi, 6].astype(np.int16),
                             "match": b[bi, 7], "guarantee": b[bi, 8]}
            ag = cand["offer"]["agency"]
            has = ag >= 0
            per_ag = np.bincount(ag[has] * self.n_orig + pop.origin[chosen[has]],
                                 minlength=n_ag * self.n_orig).reshape(n_ag, self.n_orig)
            for a in self.agencies:
                a.offers[:] = per_ag[a.index]
            offered = np.zeros(pop.n, dtype=bool)
            offered[chosen] = True
        else:
            offered = np.zeros(pop.n, dtype=bool)
        # independent (network-driven) migration where the visa regime allows
        occ_el = pop.occ[el]
        rate = np.where(occ_el < LOW, p.independent_rate * p.settlement_visa_openness,
                        p.irregular_rate * (1.0 - p.border_enforcement))
        ind = el[(u[1][el] < rate) & ~offered[el]]
        if len(ind):
            net = self._network()  # (n_comm, n_dest) per cent abroad
            weights = net[pop.community[ind]] + 1.0
            cum = np.cumsum(weights, axis=1)
            cum /= cum[:, -1:]
            dest = np.minimum((u[2][ind][:, None] >= cum[:, :-1]).sum(axis=1), self.n_dest - 1)
            cand["independent"] = {"idx": ind, "dest": dest.astype(np.int8)}
        return cand

    def _network(self) -> np.ndarray:
        """Per cent of each community abroad in each destination (cached within a step)."""
        if self._net_step == self.steps:
            return self._net
        pop = self.pop
        ab = pop.abroad()
        cnt = np.bincount(pop.community[ab].astype(np.int64) * self.n_dest + pop.dest[ab],
                          minlength=self.n_comm * self.n_dest).reshape(self.n_comm, self.n_dest)
        self._net, self._net_step = 100.0 * cnt / self.world.comm_size[:, None], self.steps
        return self._net

    # 5 ---------------------------------------------------------------------------
    def _decide(self, cand: dict) -> None:
        p, pop, w = self.p, self.pop, self.world
        u = self.streams["decide"].random((2, pop.n), dtype=np.float32)
        if not cand:
            return
        net = self._network()
        home_wage = w.wage_ratio * w.wage_dest[0][None, :] * p.home_wage_scale
        n_ag = len(self.agencies)
        for kind, c in cand.items():
            idx = c["idx"]
            d = c["dest"].astype(np.int64)
            occ = pop.occ[idx]
            o = pop.origin[idx]
            fee_months = (c["fee"] * 3.0 / w.wage_dest[d, occ]) if kind == "offer" else 0.0
            util = mig.migration_utility(
                w.wage_dest[d, occ] / home_wage[o, occ], fee_months,
                net[pop.community[idx], d], pop.ties[idx], p.integration_policy,
                p.asc_offer if kind == "offer" else p.asc_independent, p)
            accept = u[0][idx] < mig.logistic(util)
            a_idx = idx[accept]
            if len(a_idx) == 0:
                continue
            da = d[accept]
            occa = occ[accept]
            if kind == "offer":
                chan = c["channel"][accept]
                matched = u[1][a_idx] < c["match"][accept]
                mig.start_stay(pop, a_idx, da, chan, c["contract"][accept], c["fee"][accept],
                               matched, c["guarantee"][accept], TEMP)
                ag = c["agency"][accept]
                has = ag >= 0
                per_ag = np.bincount(ag[has] * self.n_orig + pop.origin[a_idx[has]],
                                     minlength=n_ag * self.n_orig).reshape(n_ag, self.n_orig)
                for a in self.agencies:
                    a.accepted[:] = per_ag[a.index]
                self._flow_add("recruit_fees", a_idx, c["fee"][accept])
            else:
                skilled = occa < LOW
                chan = np.full(len(a_idx), CH_INDEPENDENT, dtype=np.int8)
                matched = np.where(skilled, u[1][a_idx] < p.skill_match_independent, True)
                status = np.where(skilled, SETTLED, IRREGULAR).astype(np.int8)
                mig.start_stay(pop, a_idx, da, chan, 0, 0.0, matched, 0.0, status)
            comm = pop.community[a_idx]
            for ch, name in ((CH_AGREEMENT, "rec_agreement"), (CH_REGULATED, "rec_regulated"),
                             (CH_UNREGULATED, "rec_unregulated"),
                             (CH_INDEPENDENT, "rec_independent")):
                sel = chan == ch
                if sel.any():
                    self.flows[F[name]] += np.bincount(comm[sel], minlength=self.n_comm)
            self.flows[F["rec_health"]] += np.bincount(comm[occa == HEALTH],
                                                       minlength=self.n_comm)
            np.add.at(self.flows_to_dest[:, :, 0], (pop.origin[a_idx], da), 1)
        for a in self.agencies:
            a.learn(p.agency_learning_rate)

    def _flow_add(self, name, idx, values=None) -> None:
        self.flows[F[name]] += np.bincount(self.pop.community[idx], weights=values,
                                           minlength=self.n_comm)

    # 6 ---------------------------------------------------------------------------
    def _work_abroad(self):
        p, pop, w = self.p, self.pop, self.world
        u = self.streams["work"].random((2, pop.n), dtype=np.float32)
        idx = np.flatnonzero(pop.abroad())
        self.flows[F["abroad_start"]] += np.bincount(pop.community[idx], minlength=self.n_comm)
        integ = np.full(self.n_dest, p.integration_policy)
        income = mig.work_abroad(pop, idx, w.wage_dest, integ, u[0][idx], u[1][idx], p)
        return idx, income

    # 7 ---------------------------------------------------------------------------
    def _remittances(self, idx, income) -> None:
        p, pop = self.p, self.pop
        u = self.streams["remit"].random((3, pop.n), dtype=np.float32)
        self.last_money = dict.fromkeys(self.last_money, 0.0)
        if len(idx) == 0:
            return
        repay, remit, save = mig.remittance_amounts(income, pop.debt[idx], pop.ties[idx],
                                                    pop.q_abroad[idx] / 4.0, p)
        pop.debt[idx] = np.maximum(pop.debt[idx] - repay, 0.0)
        pop.savings[idx] += save
        member = pop.member[idx]
        collective = np.where(member, remit * p.collective_share, 0.0)
        household = remit - collective
        comm = pop.community[idx]
        access = self.comm["access"][comm]
        p_formal = mig.formal_probability(p.formal_fee, p.informal_fee, p.informal_loss, p)
        ch = mig.remittance_channels(household, access, u[0][idx], u[1][idx], u[2][idx],
                                     p_formal, p.formal_fee, p.informal_fee, p.informal_loss)
        pop.remitted[idx] = household > 0
        nc = self.n_comm
        formal = ch["formal"]
        self.flows[F["rem_formal"]] += np.bincount(comm, weights=household * formal, minlength=nc)
        self.flows[F["rem_informal"]] += np.bincount(comm, weights=household * ~formal,
                                                     minlength=nc)
        self.flows[F["rem_losses"]] += np.bincount(comm, weights=ch["loss"], minlength=nc)
        contrib = np.bincount(comm, weights=collective, minlength=nc)
        matched, to_projects, cfees = assoc_mod.collective_funds(contrib, p.matching_ratio,
                                                                 p.formal_fee)
        self.flows[F["rem_fees"]] += np.bincount(comm, weights=ch["fee"], minlength=nc) + cfees
        self.flows[F["collective"]] += contrib
        self.flows[F["matched"]] += matched
        self.comm["projects"] += to_projects
        received = np.bincount(comm, weights=ch["received"], minlength=nc)
        self.comm["investment"] += p.household_invest_share * received
        np.add.at(self.flows_to_dest[:, :, 2], (pop.origin[idx], pop.dest[idx]), remit)
        self.last_money = {"sent": float(household.sum()), "received": float(received.sum()),
                            "fees": float(ch["fee"].sum()), "losses": float(ch["loss"].sum()),
                            "collective": float(contrib.sum()), "collective_fees": float(
                                cfees.sum()), "to_projects": float(to_projects.sum()),
                            "matched": float(matched.sum())}
        # association records (members, funds, matches) per community x destination
        key = comm.astype(np.int64) * self.n_dest + pop.dest[idx]
        nk = nc * self.n_dest
        self._assoc_members = np.bincount(key, weights=member, minlength=nk)
        self._assoc_fund = np.bincount(key, weights=collective, minlength=nk)

    # 8 ---------------------------------------------------------------------------
    def _missions(self, idx) -> None:
        p, pop = self.p, self.pop
        u = self.streams["mission"].random(pop.n, dtype=np.float32)
        nk = self.n_comm * self.n_dest
        if len(idx) == 0:
            for a in self.associations:
                a.record(0, 0.0, 0.0, 0)
            return
        ok = (pop.occ[idx] < LOW) & (pop.status[idx] != IRREGULAR)
        prob = assoc_mod.mission_probability(pop.ties[idx], pop.member[idx],
                                             p.diaspora_engagement, p)
        go = idx[ok & (u[idx] < prob)]
        self._flow_add("missions", go)
        self._flow_add("knowledge_in", go, p.knowledge_per_mission * pop.h[go])
        key = pop.community[go].astype(np.int64) * self.n_dest + pop.dest[go]
        organised = np.bincount(key[pop.member[go]], minlength=nk)
        members = getattr(self, "_assoc_members", np.zeros(nk))
        fund = getattr(self, "_assoc_fund", np.zeros(nk))
        for i, a in enumerate(self.associations):
            a.record(int(members[i]), float(fund[i]), float(fund[i] * p.matching_ratio),
                     int(organised[i]))

    # 9 ---------------------------------------------------------------------------
    def _returns(self, idx) -> None:
        p, pop = self.p, self.pop
        u = self.streams["returns"].random(pop.n, dtype=np.float32)
        if len(idx) == 0:
            return
        st = pop.status[idx]
        dev = self.comm["development"][pop.community[idx]]
        back = np.zeros(len(idx), dtype=bool)
        # temporary contracts
        temp = st == TEMP
        pop.contract_left[idx[temp]] -= 1
        ending = temp & (pop.contract_left[idx] <= 0)
        ti = np.flatnonzero(ending)
        if len(ti):
            j = idx[ti]
            skilled = pop.occ[j] < LOW
            g = pop.guarantee[j]
            settle = np.where(skilled, p.settlement_visa_openness * pop.integration[j] * (1 - g), 0.0)
            over = mig.overstay_probability(p.border_enforcement, 1.0 - dev[ti], g, p)
            out = mig.contract_end_outcome(u[j], settle, over)
            pop.status[j[out == 1]] = SETTLED
            pop.status[j[out == 2]] = IRREGULAR
            back[ti[out == 0]] = True
            self._flow_add("contract_ends", j)
            self._flow_add("overstays", j[out == 2])
        # settled migrants: proportional hazard
        si = np.flatnonzero(st == SETTLED)
        if len(si):
            j = idx[si]
            prob = mig.settled_return_probability(pop.ties[j], dev[si], p.return_incentive,
                                                  pop.integration[j], pop.q_abroad[j] / 4.0, p)
            back[si[u[j] < prob]] = True
        ii = np.flatnonzero(st == IRREGULAR)
        if len(ii):
            j = idx[ii]
            back[ii[u[j] < p.irregular_return + p.removal_rate * p.border_enforcement]] = True
        r = idx[back]
        if len(r) == 0:
            return
        savings = pop.savings[r].astype(np.float64)
        pop.savings[r] = 0.0
        gain = mig.end_stay(pop, r)
        self._flow_add("returns", r)
        self._flow_add("return_gain", r, gain)
        self._flow_add("knowledge_in", r, p.knowledge_per_gain * gain)
        self.comm["investment"] += np.bincount(pop.community[r], weights=savings,
                                               minlength=self.n_comm) * p.household_invest_share
        np.add.at(self.flows_to_dest[:, :, 1], (pop.origin[r], pop.dest[r]), 1)

    # 10 --------------------------------------------------------------------------
    def _communities(self) -> None:
        p, pop, w = self.p, self.pop, self.world
        home = pop.at_home()
        key = self._comm_key + pop.occ * 2 + home
        cnt = np.bincount(key, minlength=self.n_comm * 8).reshape(self.n_comm, 4, 2)
        self.counts = cnt  # (community, occupation, at home?) persons
        c = self.comm
        c["health_home"] = cnt[:, HEALTH, 1].astype(float)
        c["education_home"] = cnt[:, EDUCATION, 1].astype(float)
        c["health_density"] = comm_mod.density(c["health_home"], w.represented_pop)
        edu_density = comm_mod.density(c["education_home"], w.represented_pop)
        c["knowledge"] = comm_mod.accumulate(c["knowledge"], self.flows[F["knowledge_in"]],
                                             p.knowledge_depreciation)
        c["investment"] = comm_mod.accumulate(c["investment"], 0.0, p.investment_depreciation)
        c["projects"] = comm_mod.accumulate(c["projects"], 0.0, p.project_depreciation)
        c["development"] = comm_mod.development_index(
            c["health_density"], p.health_density_ref, edu_density, w.education_ref,
            c["knowledge"], c["investment"], c["projects"], w.comm_size, p)
        skilled_home = home & (pop.occ < LOW)
        self._h_home = np.bincount(pop.community[skilled_home], weights=pop.h[skilled_home],
                                   minlength=self.n_comm)
        # the perceived chance of emigrating, per origin and occupation (brain-gain prospect)
        abroad_oc = self._origin_sum(cnt[:, :, 0])
        home_oc = self._origin_sum(cnt[:, :, 1])
        self.prospect = np.clip(p.prospect_weight * metrics.emigration_rate(abroad_oc, home_oc),
                                0.0, 1.0)

    # 11 --------------------------------------------------------------------------
    def _adapt(self) -> None:
        p = self.p
        stock = self._dest_stock()
        wanted = gov_mod.wanted_stock(self.wanted_base, p.demand_growth, self.steps,
                                      self.demand_multiplier)
        unfilled = metrics.rate(np.maximum(wanted - stock, 0), wanted)
        dens = self._last_health_density()
        short = dens < p.protection_density_threshold
        gov_mod.adapt(self.demand_multiplier, unfilled, self.training_multiplier, short,
                      p.adaptive_rate)
        for g in self.destinations:
            g.demand_multiplier = self.demand_multiplier[g.destination_index]
        for g in self.origins:
            g.training_multiplier = float(self.training_multiplier[g.origin_index])

    # 12 --------------------------------------------------------------------------
    def _origin_sum(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = np.zeros((self.n_orig,) + x.shape[1:])
        np.add.at(out, self.world.comm_origin, x)
        return out

    def _last_health_density(self) -> np.ndarray:
        return self._origin_sum(self.comm["health_home"]) * 10_000.0 / self._origin_sum(
            self.world.represented_pop)

    def _collect(self) -> None:
        """Per-origin row of every metric for this step, then Mesa's datacollector."""
        pop, w = self.pop, self.world
        osum = self._origin_sum
        fl = osum(self.flows.T)  # (n_orig, n_flows)
        cnt = osum(self.counts.reshape(self.n_comm, 8)).reshape(self.n_orig, 4, 2)
        rep = osum(w.represented_pop)
        ab = pop.abroad()
        ia = np.flatnonzero(ab)
        oa = pop.origin[ia]
        sk = pop.occ[ia] < LOW
        n_ab = np.bincount(oa, minlength=self.n_orig)
        mean_debt = metrics.rate(np.bincount(oa, weights=pop.debt[ia], minlength=self.n_orig), n_ab)
        wasted = sk & ~pop.matched[ia] & (pop.status[ia] != IRREGULAR)
        sk_reg = sk & (pop.status[ia] != IRREGULAR)
        brain_waste = metrics.rate(np.bincount(oa, weights=wasted, minlength=self.n_orig),
                                   np.bincount(oa, weights=sk_reg, minlength=self.n_orig))
        dev = metrics.rate(osum(self.comm["development"] * w.comm_size), osum(w.comm_size))
        recruits = fl[:, [F["rec_agreement"], F["rec_regulated"], F["rec_unregulated"],
                          F["rec_independent"]]]
        sent = fl[:, F["rem_formal"]] + fl[:, F["rem_informal"]]
        row = {
            "health_density": metrics.per_10000(cnt[:, HEALTH, 1], rep),
            "education_density": metrics.per_10000(cnt[:, EDUCATION, 1], rep),
            "skilled_emigration_rate": metrics.emigration_rate(cnt[:, :LOW, 0].sum(1),
                                                               cnt[:, :LOW, 1].sum(1)),
            "health_emigration_rate": metrics.emigration_rate(cnt[:, HEALTH, 0],
                                                              cnt[:, HEALTH, 1]),
            "recruits": recruits.sum(axis=1),
            "recruits_agreement": recruits[:, 0],
            "recruits_agency_regulated": recruits[:, 1],
            "recruits_agency_unregulated": recruits[:, 2],
            "recruits_independent": recruits[:, 3],
            "health_recruits": fl[:, F["rec_health"]],
            "returns": fl[:, F["returns"]],
            "return_rate": metrics.rate(fl[:, F["returns"]], fl[:, F["abroad_start"]]),
            "missions": fl[:, F["missions"]],
            "mean_returnee_skill_gain": metrics.rate(fl[:, F["return_gain"]], fl[:, F["returns"]]),
            "knowledge_stock": osum(self.comm["knowledge"]),
            "knowledge_transferred": fl[:, F["knowledge_in"]],
            "remittances_formal": fl[:, F["rem_formal"]],
            "remittances_informal": fl[:, F["rem_informal"]],
            "remittance_fees": fl[:, F["rem_fees"]],
            "remittance_losses": fl[:, F["rem_losses"]],
            "remittance_cost_share": metrics.rate(fl[:, F["rem_fees"]] + fl[:, F["rem_losses"]],
                                                  sent + fl[:, F["collective"]]),
            "formal_share": metrics.rate(fl[:, F["rem_formal"]], sent),
            "collective_contributions": fl[:, F["collective"]],
            "matched_funds": fl[:, F["matched"]],
            "recruitment_fees": fl[:, F["recruit_fees"]],
            "development_index": dev,
            "mean_recruitment_debt": mean_debt,
            "brain_waste_share": brain_waste,
            "overstay_share": metrics.rate(fl[:, F["overstays"]], fl[:, F["contract_ends"]]),
            "human_capital_home": osum(self._h_home),
            "skilled_home": cnt[:, :LOW, 1].sum(axis=1),
            "abroad": n_ab.astype(float),
            "health_trainees": fl[:, F["health_trainees"]],
            "health_applicants": fl[:, F["health_applicants"]],
        }
        self._rows.append(np.stack([row[c] for c in COLS], axis=1))
        self._protected_rows.append(self.policy.protected.any(axis=0).copy())
        self.datacollector.collect(self)

    def _last(self, column: str) -> np.ndarray:
        return self._rows[-1][:, COLS.index(column)]

    # ------------------------------------------------------------------ outputs
    def country_frame(self) -> pd.DataFrame:
        """Tidy table, one row per step x origin country (columns: metrics.COUNTRY_COLUMNS)."""
        data = np.stack(self._rows)  # (steps, n_orig, n_cols)
        n_steps = data.shape[0]
        df = pd.DataFrame(data.reshape(n_steps * self.n_orig, len(COLS)), columns=COLS)
        df.insert(0, "step", np.repeat(np.arange(n_steps), self.n_orig))
        df.insert(1, "country", pd.Categorical(np.tile(self.world.origin_names, n_steps),
                                               categories=self.world.origin_names))
        df.insert(2, "party_to_agreement", np.tile(self.party, n_steps))
        df.insert(3, "protected", np.concatenate(self._protected_rows))
        return df

    def paths(self) -> dict:
        """Shares of emigrants who settled, returned once, circulated or are transnational."""
        pop = self.pop
        return metrics.path_shares(pop.status, pop.n_stays, pop.ties, pop.member, pop.remitted)

    def flows_frame(self) -> pd.DataFrame:
        """This quarter's flows on each origin-destination edge (recruits, returns, remittances)."""
        rows = []
        for o in range(self.n_orig):
            for d in range(self.n_dest):
                r, ret, rem = self.flows_to_dest[o, d]
                rows.append({"origin": self.world.origin_names[o],
                             "destination": self.world.destination_names[d],
                             "recruits": r, "returns": ret, "remittances": rem})
        return pd.DataFrame(rows)

    def network(self):
        """A networkx graph of countries and communities with integer node ids.

        Nodes 0..n_dest-1 are destinations, then origins, then communities; node
        attributes: kind, name, and stocks; edges origin-destination carry this
        quarter's flows, community-origin edges membership.
        """
        import networkx as nx

        gph = nx.Graph()
        dens = self._last_health_density()
        for d, name in enumerate(self.world.destination_names):
            gph.add_node(d, kind="destination", name=name, abroad=int(
                (self.pop.dest[self.pop.abroad()] == d).sum()))
        for o, name in enumerate(self.world.origin_names):
            gph.add_node(self.n_dest + o, kind="origin", name=name, health_density=float(dens[o]),
                         party=bool(self.party[o]))
        base = self.n_dest + self.n_orig
        for c, comm in enumerate(self.communities):
            gph.add_node(base + c, kind="community", name=comm.name,
                         health_density=float(self.comm["health_density"][c]),
                         development=float(self.comm["development"][c]), size=int(comm.size))
            gph.add_edge(base + c, self.n_dest + comm.origin, kind="member")
        for o in range(self.n_orig):
            for d in range(self.n_dest):
                r, ret, rem = self.flows_to_dest[o, d]
                gph.add_edge(self.n_dest + o, d, kind="flow", recruits=float(r),
                             returns=float(ret), remittances=float(rem))
        return gph

    def summary(self) -> dict:
        """A few headline numbers of the run so far (for the CLI and the demo)."""
        df = self.country_frame()
        last = df[df.step == df.step.max()]
        return {
            "steps": int(self.steps),
            "seed": self.seed,
            "mean_health_density_end": float(last.health_density.mean()),
            "skilled_emigration_rate_end": float(last.skilled_emigration_rate.mean()),
            "recruits_total": float(df.recruits.sum()),
            "returns_total": float(df.returns.sum()),
            "missions_total": float(df.missions.sum()),
            "remittances_formal_total": float(df.remittances_formal.sum()),
            "remittances_informal_total": float(df.remittances_informal.sum()),
            "development_index_end": float(last.development_index.mean()),
            **{f"path_{k}": v for k, v in self.paths().items()},
        }


def _report(model: MigrationModel, column: str, how: str) -> float:
    """A model reporter: this step's ``column`` over origins (sum, mean, or non-party sum)."""
    x = model._last(column)
    if how == "mean":
        return float(x.mean())
    if how == "non_party":
        return float(x[~model.party].sum())
    return float(x.sum())


def _lowest_per_group(el, g_el, u_el, total, supply):
    """For each group g, the ``total[g]`` eligible persons with the lowest draws.

    Exact and deterministic (ties broken by slot order): it first keeps only draws
    below a per-group threshold generous enough to hold the wanted number, then sorts
    that small set; groups where the threshold kept too few are redone with all.

    Returns:
        (chosen slots, their rank within their group, their group).
    """
    want = np.minimum(total, supply)
    need = want[g_el] > 0
    el, g_el, u_el = el[need], g_el[need], u_el[need]
    q = np.minimum(1.0, 2.0 * want / np.maximum(supply, 1) + 0.02)
    keep = u_el < q[g_el]
    kept = np.bincount(g_el[keep], minlength=len(total))
    short = kept < want
    if short.any():
        keep |= short[g_el]
    el, g_el, u_el = el[keep], g_el[keep], u_el[keep]
    order = np.lexsort((u_el, g_el))
    gs = g_el[order]
    start = np.searchsorted(gs, np.arange(len(total)))
    rank = np.arange(len(gs)) - start[gs]
    take = rank < want[gs]
    return el[order][take], rank[take], gs[take]
