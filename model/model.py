"""MigrationModel: the world, the order of a step, and the outputs.

Behaviour lives in ``migdev.agents`` (each rule with the decision that uses it); this
module builds the world and calls the processes in the order of the ODD schedule
(docs/ODD.md §3). Per-person state is a struct of arrays (``model.pop``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import mesa
import numpy as np
import pandas as pd

from migdev.agents import agency, community, government, migrant
from migdev.agents.agency import AgencyState, RecruitmentAgency
from migdev.agents.association import AssociationState, MigrantAssociation
from migdev.agents.community import HomeCommunity
from migdev.agents.government import Government
from migdev.agents.migrant import Migrant
from migdev.agents.migrant import kernels as migrant_kernels
from migdev.core.errors import ParameterError
from migdev.core.ledger import Flows
from migdev.core.measures import per_10000
from migdev.core.params import (AGENCY_TERMS, DEMAND, FIELDS, LOCAL_LEVERS, WAGES, Params,
                                 make_params)
from migdev.core.population import make_streams
from migdev.core.records import all_agreements, party_origins, split_local
from migdev.model import metrics
from migdev.model.calibration import DEFAULT, calibrated_values
from migdev.model.metrics import COL_INDEX, COLS
from migdev.model.world import build_world, destination_wages


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
        params: a validated :class:`migdev.core.params.Params`, taken as it is (default:
            the parameters' defaults with the world's calibration, see ``calibration``).
        rng: integer seed of the run (None: a fresh one, recorded in ``model.seed``); a
            string of digits is accepted (as typed in the demo's seed box).
        scenario: a Mesa ``Scenario`` (as Mesa's visualisation passes on reset); only its
            ``rng`` is used, when ``rng`` is not given.
        calibration: where the calibrated parameters come from when ``params`` is not
            given: ``"default"`` the world's shipped calibration (health2005's for the
            default world: the calibrated model is the model), ``None`` the parameters'
            uncalibrated defaults, or a calibration by name or folder. The posterior's
            weighted means are used; ``overrides`` win over them. Recorded in
            ``model.calibration`` (the calibration's name, or None).
        **overrides: any parameter by name, e.g. ``agreement_kind="restrictive"``.

    Raises:
        ParameterError: an unknown parameter, or a value of the wrong type or out of range.
        ValueError: a calibration that does not exist, or one named with ``params``.
    """

    def __init__(self, params: Params | None = None, *, rng=None, scenario=None,
                 calibration="default", **overrides):
        if params is None:
            world = overrides.get("world", FIELDS["world"].default)
            calibrated, used = calibrated_values(world, calibration)
            overrides = {**calibrated, **overrides}
        elif calibration is not None and calibration != DEFAULT:
            raise ValueError(f"calibration={calibration!r} was given with params: a Params "
                             f"object is taken as it is; give the calibration without params "
                             f"(and parameters as keywords)")
        else:
            used = None
        p = make_params(params, **overrides)  # validate before anything is built
        if rng is None and scenario is not None:
            # Mesa's visualisation passes a mesa Scenario on reset; only its seed is used
            rng = getattr(scenario, "rng", None)
        seed = _seed_from(rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.calibration = used
        self.params0 = p
        self.p = p
        self.streams = make_streams(seed)
        self._lever_cache: dict = {}
        # what the policy in force rests on (government.apply_agreements keeps it)
        self.policy_key = None
        self._derived: dict = {}  # derived()
        self.agreements = all_agreements(p)
        self.world, self.pop = build_world(p, self.streams["init"])
        w = self.world
        # the world's wages before any destination's own scale: the reference of the
        # destination choice (ODD §7.4)
        self.wage_base = w.wage_dest.copy()
        self.n_orig, self.n_dest = p.n_origins, p.n_destinations
        self.n_comm = len(w.comm_origin)
        self.party = party_origins(self.agreements, self.n_orig)
        self.next_person_id = self.pop.n

        # institutions (ordinary Mesa agents)
        self.governments = []
        # one government per country: a country in both roles has one, with both indices
        for name in dict.fromkeys([*w.origin_names, *w.destination_names]):
            o = w.origin_names.index(name) if name in w.origin_names else None
            d = w.destination_names.index(name) if name in w.destination_names else None
            g = Government(self, name, origin_index=o, destination_index=d)
            self.governments.append(g)
        self.origins = sorted((g for g in self.governments if g.origin_index is not None),
                              key=lambda g: g.origin_index)
        self.destinations = sorted((g for g in self.governments
                                    if g.destination_index is not None),
                                   key=lambda g: g.destination_index)
        self.communities = []
        for c in range(self.n_comm):
            o = int(w.comm_origin[c])
            self.communities.append(HomeCommunity(
                self, c, o, f"{w.origin_names[o]} / community {c % p.communities_per_origin + 1}",
                float(w.represented_pop[c]), int(w.comm_size[c])))
        self.agency_state = AgencyState(self.n_dest * p.agencies_per_destination, self.n_orig)
        self.agencies = [RecruitmentAgency(self, d * p.agencies_per_destination + j, d, False,
                                           0.0, 0.0, self.n_orig)
                         for d in range(self.n_dest) for j in range(p.agencies_per_destination)]
        self.agency_dest = np.array([a.destination for a in self.agencies])
        if np.any(self.lever("wage_dest_scale") != 1.0):
            self._set_wages()
        self._set_agency_terms()
        self.association_state = AssociationState(self.n_comm * self.n_dest, p.trust_initial)
        # the associations' Mesa agents (views onto association_state), created when first
        # asked for: a run that never reads them does not build them
        self.associations = AgentsOnDemand(self._make_associations)
        # persons: Mesa agents as views onto the arrays, created when first asked for
        self.migrants = MigrantViews(self)

        # community stocks
        self.comm = {
            "health_home": np.zeros(self.n_comm), "education_home": np.zeros(self.n_comm),
            "health_density": np.zeros(self.n_comm), "knowledge": np.zeros(self.n_comm),
            "investment": np.zeros(self.n_comm), "projects": np.zeros(self.n_comm),
            "access": self._access(),
            "development": np.zeros(self.n_comm), "h_home": np.zeros(self.n_comm),
            "health_effective": np.zeros(self.n_comm),
            "health_eff_returnees": np.zeros(self.n_comm),
            "health_eff_missions": np.zeros(self.n_comm),
            "education_effective": np.zeros(self.n_comm),
        }
        self.listed = np.zeros(self.n_orig, dtype=bool)
        self.measured = np.zeros(self.n_orig)
        self.truly_short = np.zeros(self.n_orig, dtype=bool)
        self.demand_multiplier = np.ones((self.n_dest, 4))
        self.training_multiplier = np.ones(self.n_orig)
        # training places carried over (migrant.demography), and the expected entering
        # cohort per origin and quarter (the whole population renews over a working life)
        self.place_credit = np.zeros((self.n_orig, 3))
        self.cohort_expected = (np.bincount(self.pop.origin, minlength=self.n_orig)
                                / (4.0 * (p.retirement_age - p.entry_age)))
        self._set_demand()
        self.both_roles = bool((w.dest_of_origin >= 0).any())
        self.health_abroad0 = government.own_health_abroad(self)
        self.replacement = np.zeros((self.n_dest, 4))
        self.prospect = np.zeros((self.n_orig, 4))
        self.flows = Flows(self.pop.community, self.n_comm)
        self.unfilled = np.zeros((self.n_dest, 4))
        self.last_vacancies = np.zeros((self.n_dest, 4), dtype=np.int64)
        # this quarter's flows per corridor (metrics.CORRIDOR_FLOWS)
        self.flows_to_dest = np.zeros((self.n_orig, self.n_dest, len(metrics.CORRIDOR_FLOWS)))
        self._corridor_rows: list[np.ndarray] = []
        self.totals = {"entrants": 0, "exits": 0}
        self._net, self._net_step = None, -1
        self.last_money = dict.fromkeys(("sent", "received", "fees", "losses", "collective",
                                         "collective_fees", "to_projects", "matched"), 0.0)
        self._rows: list[np.ndarray] = []
        self._protected_rows: list[np.ndarray] = []
        nk = self.n_comm * self.n_dest
        self.assoc_members, self.assoc_fund = np.zeros(nk), np.zeros(nk)
        community.update(self)  # densities first: the protected list is drawn from them
        # the diaspora at the start: the reference of the destination choice (ODD §7.4)
        self.network0 = self.diaspora_share().copy()
        government.apply_agreements(self, 0)
        self.datacollector = RowReports(self, model_reporters={
            "mean_health_density": partial(_report, column="health_density", how="mean"),
            "recruits": partial(_report, column="recruits", how="sum"),
            "recruits_non_party": partial(_report, column="recruits", how="non_party"),
            "returns": partial(_report, column="returns", how="sum"),
            "missions": partial(_report, column="missions", how="sum"),
            "remittances_formal": partial(_report, column="remittances_formal", how="sum"),
            "remittances_informal": partial(_report, column="remittances_informal", how="sum"),
            "development_index": partial(_report, column="development_index", how="mean"),
        })
        self.record()

    # ------------------------------------------------------------------ Mesa's agent sets
    # The associations' agents and the persons' Migrant views are registered with Mesa only
    # when Mesa's agent sets are first read (building a million persons' views up front cost
    # 4 s, the model itself 0.2 s; the default world has 147 associations).
    def _materialise(self) -> None:
        for name in ("associations", "migrants"):
            views = self.__dict__.get(name)
            if views is not None:
                views.materialise()

    def _make_associations(self) -> list:
        """One MigrantAssociation per community and destination (AssociationState's order)."""
        return [MigrantAssociation(self, c, d) for c in range(self.n_comm)
                for d in range(self.n_dest)]

    @property
    def country_rows(self) -> list[np.ndarray]:
        """The country table's rows stored so far, one (n_orig, n_cols) array per step, in
        order (read them, do not change them: :meth:`country_frame` builds the table from
        them)."""
        return self._rows

    @property
    def agents(self):
        self._materialise()
        return super().agents

    @property
    def agents_by_type(self):
        self._materialise()
        return super().agents_by_type

    @property
    def agent_types(self):
        self._materialise()
        return super().agent_types

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One quarter, in the order of the ODD schedule (docs/ODD.md §3)."""
        t = self.steps
        self.flows.reset()
        self.flows_to_dest[:] = 0.0
        self.apply_events(t)                                     # 1. scheduled events
        # fixed draws each step (common random numbers): vacancies (n_dest, 4), then training
        # and elastic places (n_orig, 3) each, taken in one call (float64 draws follow one
        # another: the numbers of three calls in turn)
        nv, nt = 4 * self.n_dest, 3 * self.n_orig
        r = self.streams["rounding"].random(nv + 2 * nt)
        self.u_round = {"vacancies": r[:nv].reshape(self.n_dest, 4),
                        "training": r[nv:nv + nt].reshape(self.n_orig, 3),
                        "elastic": r[nv + nt:].reshape(self.n_orig, 3)}
        government.apply_agreements(self, t)                     # 1. agreements in force
        migrant.demography(self, t)                              # 2. ageing, entry, training
        vacancies = government.labour_demand(self, t)            # 3. labour demand
        offers, attempts = agency.recruitment_market(self, vacancies)  # 4. recruitment
        migrant.decide(self, offers, attempts)                   # 5. migration decisions
        # 6. work abroad, 7. remittances, 8. missions, 9. returns (one compiled call)
        migrant.abroad_quarter(self)
        community.update(self)                                   # 10. communities
        if self.p.adaptive_policy:
            government.adapt_policies(self)                      # 11. adaptive policy
        self.record()                                            # 12. data collection

    def apply_events(self, t: int) -> None:
        """Scheduled parameter changes of this step take effect."""
        changes = {e.param: e.value for e in self.p.events if e.step == t}
        if changes:
            try:
                self.p = make_params(self.p, **changes)
            except ParameterError as e:
                what = ", ".join(f"{k} = {v!r}" for k, v in changes.items())
                raise ParameterError(f"scheduled event(s) at step {t} ({what}): {e}") from None
            changed = {split_local(k)[0] for k in changes}
            if "financial_access" in changed:
                self.comm["access"] = self._access()
            if changed & AGENCY_TERMS:
                self._set_agency_terms()
            if changed & DEMAND:
                self._set_demand()
            if changed & WAGES:
                self._set_wages()

    def _set_wages(self) -> None:
        """Wages abroad from ``wage_dest_*`` and the world's factors, times each
        destination's ``wage_dest_scale``; at the start and when an event changes one."""
        scale = self._per_destination("wage_dest_scale")
        self.world.wage_dest = destination_wages(self.p, self.world.wage_factor) * scale[:, None]

    def _set_agency_terms(self) -> None:
        """Each destination's agencies: the first ``round(agency_regulation * agencies)`` are
        regulated; fees and capacity from the parameters. At the start and when an event
        changes one of them (for example the UK's closing of the agency loophole)."""
        p = self.p
        regulation = self._per_destination("agency_regulation")
        fee_reg = self._per_destination("fee_regulated_months")
        fee_unreg = self._per_destination("fee_unregulated_months")
        for a in self.agencies:
            d, j = a.destination, a.index % p.agencies_per_destination
            a.regulated = j < int(round(regulation[d] * p.agencies_per_destination))
            a.fee_months = fee_reg[d] if a.regulated else fee_unreg[d]
            # placements a quarter: a share of all the real persons the run stands for
            a.capacity = p.agency_capacity * self.world.real_persons
        self.agency_regulated = np.array([a.regulated for a in self.agencies])
        self.agency_fee = np.array([a.fee_months for a in self.agencies])
        self.agency_capacity = np.array([a.capacity for a in self.agencies])

    def _set_demand(self) -> None:
        """Each destination's wanted stock of foreign workers per occupation before growth
        (ODD §7.3), from ``demand_*``; at the start and when an event changes one."""
        p, w = self.p, self.world
        self.wanted_base = (np.array([p.demand_health, p.demand_education, p.demand_other,
                                      p.demand_low])[None, :] * w.occ_total0[None, :]
                            * w.dest_weight[:, None])

    def record(self) -> None:
        """Store this step's row per origin, then let Mesa's DataCollector read it."""
        # metrics.country_row and corridor_row of this step's person_tallies, in one call
        row, corridor = metrics.step_rows(self)
        self._rows.append(row)
        self._protected_rows.append(self.derived("protected_origins", self._protected_origins))
        self._corridor_rows.append(corridor)
        self.datacollector.collect(self)

    def _protected_origins(self) -> np.ndarray:
        """Which origins some destination protects under the policy in force (read-only: the
        stored rows share it while the policy is the same)."""
        out = self.policy.protected.any(axis=0)
        out.setflags(write=False)
        return out

    def _access(self) -> np.ndarray:
        """Each community's reach of formal remittance services (0-1): households with an
        account (the origin's account ownership) and, of those without, the share reached
        by money-transfer services (``financial_access``), times the community's relative
        remoteness factor (ODD §7.7)."""
        w = self.world
        fa = self.lever_at("financial_access", w.comm_origin)
        owned = w.origin_access[w.comm_origin]
        return np.clip(w.comm_access * (owned + (1.0 - owned) * fa), 0, 1)

    def _per_destination(self, name: str) -> np.ndarray:
        return np.broadcast_to(self.lever(name), (self.n_dest,))

    # ------------------------------------------------------------------ local levers
    def lever(self, name: str):
        """A lever's value where it applies: a float when it has one value everywhere (the
        usual case), else an array — per origin (n_orig,), per destination (n_dest,) or
        per corridor (n_orig, n_dest) as its scope says — with the ``local`` values of
        single countries or corridors on top (docs/WORLDS.md)."""
        p = self.p
        cache = self._lever_cache
        if cache.get("_p") is not p:
            cache.clear()
            cache["_p"] = p
        if name in cache:
            return cache[name]
        value = getattr(p, name)
        entries = [x for x in p.local if x.param == name]
        if not entries:
            cache[name] = value
            return value
        w = self.world
        scope = LOCAL_LEVERS[name]
        if scope == "corridor":
            arr = np.full((self.n_orig, self.n_dest), float(value))
            # the least specific first: a whole origin, a whole destination, then one pair
            for x in sorted(entries, key=lambda x: ("*" not in x.key and ">" in x.key,)):
                o, _, d = (part.strip() for part in x.key.partition(">"))
                rows = slice(None) if o == "*" else w.origin_names.index(o)
                cols = slice(None) if not d else w.destination_names.index(d)
                arr[rows, cols] = x.value
        else:
            names = w.origin_names if scope == "origin" else w.destination_names
            arr = np.full(len(names), float(value))
            for x in entries:
                arr[names.index(x.key)] = x.value
        cache[name] = arr
        return arr

    def derived(self, name: str, make):
        """``make()``, a value computed from the parameters and the policy in force only,
        kept while both are the same (a scheduled event or an agreement starting or ending
        makes it anew). The value must not be changed by its readers."""
        cache = self._derived
        if cache.get("_p") is not self.p or cache.get("_policy") is not self.policy:
            cache.clear()
            cache["_p"], cache["_policy"] = self.p, self.policy
        if name not in cache:
            cache[name] = make()
        return cache[name]

    def lever_at(self, name: str, index):
        """:meth:`lever` for the given rows: the value itself when it is the same everywhere,
        else the array indexed by ``index`` (for example the persons' origins, or
        ``np.s_[:, None]`` to multiply a table with one row per country)."""
        v = self.lever(name)
        if type(v) is not np.ndarray or v.ndim == 0:  # one value everywhere
            return v
        return v[index]

    # ------------------------------------------------------------------ state queries
    def origin_sum(self, x) -> np.ndarray:
        """Sum a per-community array (first axis) over each origin's communities."""
        x = np.asarray(x, dtype=float)
        out = np.zeros((self.n_orig,) + x.shape[1:])
        np.add.at(out, self.world.comm_origin, x)
        return out

    def health_density_by_origin(self) -> np.ndarray:
        """Health workers at home per 10,000 represented population, per origin."""
        return per_10000(self.origin_sum(self.comm["health_home"] * self.world.comm_weight),
                         self.origin_sum(self.world.represented_pop))

    def diaspora_share(self) -> np.ndarray:
        """Per cent of each community abroad in each destination (cached within a step)."""
        if self._net_step == self.steps:
            return self._net
        cnt = migrant_kernels.abroad_by_community(self.pop, self.n_comm, self.n_dest)
        self._net, self._net_step = 100.0 * cnt / self.world.comm_size[:, None], self.steps
        return self._net

    def col_index(self, column: str) -> int:
        return COL_INDEX[column]

    # ------------------------------------------------------------------ outputs
    def country_frame(self) -> pd.DataFrame:
        """Tidy table, one row per step x origin country (columns: metrics.COUNTRY_COLUMNS)."""
        data = np.stack(self._rows)  # (steps, n_orig, n_cols)
        n_steps = data.shape[0]
        names = self.world.origin_names
        lead = pd.DataFrame({
            "step": np.repeat(np.arange(n_steps), self.n_orig),
            "country": pd.Categorical.from_codes(np.tile(np.arange(self.n_orig), n_steps),
                                                 categories=names),
            "party_to_agreement": np.tile(self.party, n_steps),
            "protected": np.concatenate(self._protected_rows)})
        values = pd.DataFrame(data.reshape(n_steps * self.n_orig, len(COLS)), columns=COLS)
        return pd.concat([lead, values], axis=1)

    def paths(self) -> dict:
        """Shares of emigrants who settled, returned once, circulated or are transnational."""
        return metrics.path_shares(metrics.tallies(self).paths)

    def corridor_frame(self) -> pd.DataFrame:
        """Tidy table, one row per step x corridor of the world (columns:
        metrics.CORRIDOR_COLUMNS): recruits, returns, remittances and missions on each
        origin-destination pair, the stock abroad there, and the paths of the persons whose
        last stay was there."""
        data = np.stack(self._corridor_rows)  # (steps, n_orig, n_dest, k)
        o, d = np.nonzero(self.world.corridor_weight > 0)
        data = data[:, o, d, :]  # (steps, n_corr, k)
        n_steps, n_corr, k = data.shape
        cols = [*metrics.CORRIDOR_FLOWS, "abroad", *metrics.PATHS]
        # counts in real persons (simulated ones times the origin's person weight)
        df = pd.DataFrame(data.reshape(n_steps * n_corr, k), columns=cols)
        names_o = np.array(self.world.origin_names, dtype=object)[o]
        names_d = np.array(self.world.destination_names, dtype=object)[d]
        df.insert(0, "step", np.repeat(np.arange(n_steps), n_corr))
        df.insert(1, "origin", pd.Categorical(np.tile(names_o, n_steps),
                                              categories=self.world.origin_names))
        df.insert(2, "destination", pd.Categorical(np.tile(names_d, n_steps),
                                                   categories=self.world.destination_names))
        return df

    def flows_frame(self) -> pd.DataFrame:
        """This quarter's flows on each corridor (the last step of :meth:`corridor_frame`)."""
        df = self.corridor_frame()
        return df[df.step == df.step.max()].drop(columns="step").reset_index(drop=True)

    def network(self):
        """A networkx graph of countries and communities with integer node ids.

        Nodes 0..n_dest-1 are destinations, then origins, then communities; node
        attributes: kind, name, and stocks; edges origin-destination carry this
        quarter's flows, community-origin edges membership.
        """
        import networkx as nx

        gph = nx.Graph()
        dens = self.health_density_by_origin()
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
                if self.world.corridor_weight[o, d] <= 0:
                    continue
                r, _h, ret, rem, _m = self.flows_to_dest[o, d]
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


class AgentsOnDemand(Sequence):
    """A list of agents made by ``make`` (and so registered with Mesa) the first time one of
    them, their number or Mesa's agent sets are asked for."""

    def __init__(self, make):
        self._make = make
        self._agents: list | None = None

    def materialise(self) -> list:
        if self._agents is None:
            self._agents = self._make()
        return self._agents

    def __len__(self) -> int:
        return len(self.materialise())

    def __getitem__(self, i):
        return self.materialise()[i]


class MigrantViews(Sequence):
    """``model.migrants``: one :class:`Migrant` view per population slot, each created (and
    registered with Mesa) the first time it is asked for, so that building a model costs
    nothing per person beyond its arrays. Indexing, ``len`` and iteration work as on a list;
    reading ``model.agents`` creates every view."""

    def __init__(self, model):
        self._model = model
        self._views: dict[int, Migrant] = {}

    def __len__(self) -> int:
        return self._model.pop.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        j = int(i) + n if int(i) < 0 else int(i)
        if not 0 <= j < n:
            raise IndexError(f"slot {i} is outside the population (0 to {n - 1})")
        v = self._views.get(j)
        if v is None:
            v = self._views[j] = Migrant(self._model, j)
        return v

    def materialise(self) -> None:
        """Create every view not yet created (in slot order)."""
        if len(self._views) < len(self):
            for j in range(len(self)):
                self[j]


class RowReports(mesa.DataCollector):
    """``model.datacollector``: Mesa's DataCollector of the model reporters (``model_vars``,
    ``get_model_vars_dataframe``), whose values are read from the per-origin rows the model
    stores each step (:meth:`MigrationModel.record`) when they are first asked for, not while
    the model steps: eight reporter calls a step are a visible share of a small run's time,
    and sweeps and calibrations read the tables instead."""

    def __init__(self, model: MigrationModel, model_reporters: dict):
        self._vars: dict[str, list] = {}
        self._model = model
        self._filled = 0  # rows of model._rows whose reports are in model_vars
        super().__init__(model_reporters=model_reporters)

    @property
    def model_vars(self) -> dict[str, list]:
        rows = self._model._rows
        while self._filled < len(rows):
            for name, reporter in self.model_reporters.items():
                self._vars[name].append(reporter(self._model, row=self._filled))
            self._filled += 1
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._vars = value

    def collect(self, model: MigrationModel) -> None:
        """The step's row is already stored: note the time as Mesa's DataCollector does."""
        self._collection_steps.append(model.time)


def _report(model: MigrationModel, column: str, how: str, row: int = -1) -> float:
    """A model reporter: ``column`` over origins (sum, mean, or non-party sum) at a stored
    row (by default this step's)."""
    x = model._rows[row][:, COL_INDEX[column]]
    if how == "mean":
        return float(x.mean())
    if how == "non_party":
        return float(x[~model.party].sum())
    return float(x.sum())
