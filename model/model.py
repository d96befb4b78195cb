"""MigrationModel: the world, the families' states, and the order of a step.

Behaviour lives in ``migdev.agents`` (each rule with the decision that uses it, and each
family's state in a record of its own: ``government_state``, ``community_state``,
``agency_state``, ``association_state``, ``migrant_state``); this module builds the world,
starts the families and calls the processes in the order of the ODD schedule (docs/ODD.md
§3). Per-person state is a struct of arrays (``model.pop``). The look-up of levers, the
output tables and Mesa's views are in ``levers.py``, ``outputs.py`` and ``views.py``.
"""

from __future__ import annotations

import mesa
import numpy as np

from migdev.agents import agency, community, government, intermediary, migrant
from migdev.agents.association import AssociationState, MigrantAssociation
from migdev.agents.migrant import MigrantState
from migdev.agents.migrant import kernels as migrant_kernels
from migdev.core.errors import ParameterError
from migdev.core.ledger import Flows
from migdev.core.measures import per_10000
from migdev.core.population import make_streams
from migdev.core.records import all_agreements, party_origins, split_local
from migdev.model import metrics
from migdev.model.calibration import DEFAULT, calibrated_values
from migdev.model.levers import Levers
from migdev.model.metrics import COL_INDEX
from migdev.model.outputs import Outputs
from migdev.model.params import AGENCY_TERMS, DEMAND, FIELDS, WAGES, Params, make_params
from migdev.model.views import AgentsOnDemand, MigrantViews, RowReports, reporters
from migdev.model.world import build_world


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


class MigrationModel(Levers, Outputs, mesa.Model):
    """Agent-based model of migration partnerships (one step = one quarter).

    Args:
        params: a validated :class:`migdev.model.params.Params`, taken as it is (default:
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
        self._reset_levers()
        self.agreements = all_agreements(p)
        self.world, self.pop = build_world(p, self.streams["init"])
        w = self.world
        # the world's wages before any destination's own scale: the reference of the
        # destination choice (ODD §7.4)
        self.wage_base = w.wage_dest.copy()
        self.n_orig, self.n_dest = p.n_origins, p.n_destinations
        self.n_comm = len(w.comm_origin)
        self.party = party_origins(self.agreements, self.n_orig)

        # each family's state and its Mesa agents (created in this order: governments,
        # communities, agencies; the associations' and the persons' agents when first asked
        # for, views onto the arrays: a run that never reads them does not build them)
        government.start(self)
        community.start(self)
        agency.start(self)
        intermediary.start(self)
        self.association_state = AssociationState(self.n_comm * self.n_dest, p.trust_initial)
        self.associations = AgentsOnDemand(self._make_associations)
        self.migrants = MigrantViews(self)
        self.migrant_state = MigrantState(self.pop, self.n_orig, p.entry_age, p.retirement_age)
        # this quarter's flows per community and per corridor, and its money totals
        self.flows = Flows(self.pop.community, self.n_comm, self.n_orig, self.n_dest)
        self._rows: list[np.ndarray] = []
        self._protected_rows: list[np.ndarray] = []
        self._corridor_rows: list[np.ndarray] = []
        self._fee_rows: list[np.ndarray] = []  # intermediary.fee_row of each step
        self._net, self._net_step = None, -1
        community.update(self)  # densities first: the protected list is drawn from them
        government.wage_references(self)  # the home wages' references (ODD §7.15)
        # the diaspora at the start: the reference of the destination choice (ODD §7.4)
        self.network0 = self.diaspora_share().copy()
        government.apply_agreements(self, 0)
        self.datacollector = RowReports(self, model_reporters=reporters())
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
        intermediary.update(self)                                # 7b. transfer fees
        community.update(self)                                   # 10. communities
        government.respond_wages(self)                           # 10. home wages
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
                self.community_state.access = community.formal_access(self)
            if changed & AGENCY_TERMS:
                agency.set_terms(self)
            if changed & DEMAND:
                government.set_demand(self)
            if changed & WAGES:
                government.set_wages(self)

    def record(self) -> None:
        """Store this step's row per origin, then let Mesa's DataCollector read it."""
        # metrics.country_row and corridor_row of this step's person_tallies, in one call
        row, corridor = metrics.step_rows(self)
        self._rows.append(row)
        self._protected_rows.append(self.derived("protected_origins", self._protected_origins))
        self._corridor_rows.append(corridor)
        self._fee_rows.append(intermediary.fee_row(self))
        self.datacollector.collect(self)

    def _protected_origins(self) -> np.ndarray:
        """Which origins some destination protects under the policy in force (read-only: the
        stored rows share it while the policy is the same)."""
        out = self.policy.protected.any(axis=0)
        out.setflags(write=False)
        return out

    @property
    def policy(self):
        """The policy in force this step (:class:`migdev.agents.government.PolicyState`)."""
        return self.government_state.policy

    # ------------------------------------------------------------------ state queries
    def origin_sum(self, x) -> np.ndarray:
        """Sum a per-community array (first axis) over each origin's communities."""
        x = np.asarray(x, dtype=float)
        out = np.zeros((self.n_orig,) + x.shape[1:])
        np.add.at(out, self.world.comm_origin, x)
        return out

    def health_density_by_origin(self) -> np.ndarray:
        """Health workers at home per 10,000 represented population, per origin."""
        return per_10000(self.origin_sum(self.community_state.health_home * self.world.comm_weight),
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

