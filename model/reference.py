"""The reference model: the rules of migdev written the plain Mesa way, one agent per person.

Read this first. ``ReferenceModel`` runs the schedule of docs/ODD.md §3 with one
:class:`Person` object per simulated person, each with its own attributes and one method
per stage of its quarter (grow older, decide on an offer, work, remit, go on a mission,
return). Each method states the person's rule of ODD §7 in scalar Python, one person at a
time, drawing its own random numbers from Mesa's ``model.random`` only when it needs them.

It serves three purposes:

* the **executable specification** of the person-level rules, written independently of
  the vectorised processes of ``migdev.agents.migrant`` (which draw fixed blocks of
  numbers for common random numbers and work on whole arrays);
* the **oracle** of the fast model: the same parameters on the same world must give the
  same distribution of every per-step output (:mod:`migdev.model.oracle` states the
  test; ``tests/model/test_reference.py`` runs it on every shipped scenario);
* the **fair baseline** of the benchmark (``python -m migdev.benchmarks`` prints the
  ratio): the same rules on the same world, as a per-agent Mesa model would run them.

What it shares with :class:`~migdev.model.MigrationModel`: the world and the initial
population (``build_world``, so run *s* of both starts from the same persons), and the
institutions — governments (agreements, measured density, labour demand, training
places, adaptive policy), the agencies' split of vacancies over origins and their
learning, the communities' stocks — and the output tables. The associations' accounts
(collective gifts, the match at its three levels, projects, records) it states itself
(:meth:`ReferenceModel.collect_collective`), as the fast model makes them in one compiled
call with its flows.
The institutions read the persons through a census (``pop`` arrays filled from the
agents) taken where the schedule needs one, as a statistical office would.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np

from migdev.agents import association, community, government, intermediary
from migdev.agents.agency import INTEGRATION_DEFAULT, RIGHTS, g2g_placements, market_blocks
from migdev.agents.agency import learn as agencies_learn
from migdev.agents.migrant import count_applicants, keep_unused_places, training_system
from migdev.core import fmath
from migdev.core.codes import (
    CH_AGREEMENT,
    CH_INDEPENDENT,
    CH_INITIAL,
    CH_REGULATED,
    CH_UNREGULATED,
    EDUCATION,
    HEALTH,
    HOME,
    IRREGULAR,
    LOW,
    RETURNED,
    SETTLED,
    TEMP,
)
from migdev.core.kernels import is_scalar
from migdev.core.ledger import Totals
from migdev.model.model import MigrationModel

#: a person's attributes (the fields of migdev.core.population.Population)
STATE = ("person_id", "community", "origin", "occ", "age", "h", "status", "dest",
         "contract_left", "q_abroad", "n_stays", "savings", "debt", "integration", "ties",
         "member", "channel", "matched", "h_dep", "guarantee", "remitted", "named",
         "substituted", "kept_total", "q_total")
#: the attributes the institutions and the output tables read after a quarter's returns
#: (communities' stocks, adaptive policy, the country and corridor tables, the paths, the
#: diaspora shares and labour demand of the next quarter): the quarter's census copies
#: these; ``tests/model/test_reference.py`` checks that a census of every attribute gives
#: the same run
READ = ("community", "origin", "occ", "h", "status", "dest", "n_stays", "debt", "ties",
        "member", "matched", "remitted", "substituted", "kept_total", "q_total")
#: what a new entrant starts with besides origin, community, age, skill and ties
NEWBORN = {"status": HOME, "dest": -1, "contract_left": 0, "q_abroad": 0, "n_stays": 0,
           "savings": 0.0, "debt": 0.0, "integration": 0.0, "member": False, "channel": -1,
           "matched": False, "guarantee": 0.0, "remitted": False, "named": False,
           "substituted": False, "kept_total": 0.0, "q_total": 0}
REC_FLOW = {CH_AGREEMENT: "rec_agreement", CH_REGULATED: "rec_regulated",
            CH_UNREGULATED: "rec_unregulated", CH_INDEPENDENT: "rec_independent"}


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + fmath.exp(-x))


def _clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


class Person(mesa.Agent):
    """One person of working age: at home, abroad (temporary, settled, irregular) or
    returned. Attributes as in ``STATE`` (ODD §2); ``offer`` / ``attempt`` hold this
    quarter's offer of work abroad (a named re-hire when ``rehire``) or destination of an
    independent attempt."""

    def __init__(self, model, slot: int, **state):
        super().__init__(model)
        self.slot = slot  # the person's row in the census
        self.__dict__.update(state)
        self.offer = None
        self.rehire = False
        self.attempt = None
        self.income = 0.0

    @property
    def abroad(self) -> bool:
        return TEMP <= self.status <= IRREGULAR

    @property
    def at_home(self) -> bool:
        return self.status == HOME or self.status == RETURNED

    @property
    def skilled(self) -> bool:
        return self.occ < LOW

    def _right(self, name: str, dest: int | None = None) -> float:
        """A right's level on the person's corridor (or the one to ``dest``) this quarter
        (ODD §7.1)."""
        r = self.model.rights[name]
        d = self.dest if dest is None else dest
        return float(r[self.origin, d]) if np.ndim(r) else 0.0

    def _home_wage(self) -> float:
        """The person's wage at home (ODD §7.5): the world's for its origin and occupation,
        times the origin's ``home_wage_scale`` and the wages' response this quarter (ODD
        §7.15), and a health worker's times its ``health_wage_scale``."""
        m = self.model
        wage = (m.world.home_wage[self.origin, self.occ]
                * m.lever_at("home_wage_scale", self.origin)
                * m.government_state.wage_response[self.origin, self.occ])
        if self.occ == HEALTH:
            wage = wage * m.lever_at("health_wage_scale", self.origin)
        return wage

    def _insurance(self) -> float:
        """The insurance motive of remittances (ODD §7.7): ``remit_insurance`` times the
        fall of the origin's low-skilled home wage (the levers and the wages' response this
        quarter) below the world's, max(0, 1 - w / w0); 0 while the weight is 0."""
        m, p = self.model, self.model.p
        if p.remit_insurance == 0:
            return 0.0
        w0 = m.world.home_wage[self.origin, LOW]
        w = (w0 * m.lever_at("home_wage_scale", self.origin)
             * m.government_state.wage_response[self.origin, LOW])
        return p.remit_insurance * max(0.0, 1.0 - w / w0)

    def _participation(self) -> float:
        """Trust of the person's association in the origin government over its initial
        value (ODD §7.6-7.7)."""
        st = self.model.association_state
        return st.trust[self.community * self.model.n_dest + self.dest] / st.trust0

    def _flow(self, name: str, amount: float = 1.0) -> None:
        self.model.flows[name][self.community] += amount

    # 2. demography (ODD §7.2) ----------------------------------------------------------
    def grow_older(self) -> bool:
        """A quarter older; skilled persons at home gain experience. True at retirement."""
        p = self.model.p
        self.age += 0.25
        if p.skill_growth_home > 0 and self.at_home and self.skilled:
            self.h = min(self.h * (1.0 + p.skill_growth_home), p.h_max)
        return self.age >= p.retirement_age

    def choose_track(self, probs) -> int:
        """An entrant applies to a track with the origin's logit probabilities."""
        u, cum = self.random.random(), 0.0
        for k in range(LOW):
            cum += probs[k]
            if u < cum:
                return k
        return LOW

    # 5. migration decision (ODD §7.5) --------------------------------------------------
    def decide(self) -> None:
        """Accept an offer, or make an independent attempt, with logit probability."""
        m, p = self.model, self.model.p
        w = m.world
        if self.offer is not None:
            o = self.offer
            d = int(o["dest"])
            fee_months = o["fee"] * 3.0 / w.wage_dest[d, self.occ]
            asc = p.asc_offer
        elif self.attempt is not None:
            d, fee_months, asc = self.attempt, 0.0, p.asc_independent
        else:
            return
        utility = (asc + p.beta_wage * fmath.log(w.wage_dest[d, self.occ] / self._home_wage())
                   - p.beta_fee * fee_months - p.moving_cost
                   + p.beta_network * fmath.log1p(m.network_pct[self.community, d])
                   - p.beta_ties * self.ties
                   + p.beta_integration_policy * m.lever_at("integration_policy", d))
        chance = _logistic(utility)
        if self.offer is not None and self.offer["agency"] >= 0:
            # the agency learns from its offers' chances of acceptance (ODD §7.4)
            m.agency_state.propensity[self.offer["agency"], self.origin] += chance
        if self.random.random() >= chance:
            return
        if self.offer is not None:
            o = self.offer
            self.leave(d, int(o["channel"]), int(o["contract"]), float(o["fee"]),
                       self.random.random() < o["match"], float(o["guarantee"]), TEMP)
            if o["agency"] >= 0:
                m.agency_state.accepted[o["agency"], self.origin] += 1
            rate = m.lever_at("contract_substitution", d)
            if (rate > 0 and self.channel == CH_UNREGULATED and not self.rehire
                    and self.random.random() < rate):
                self.substituted = True  # a worse contract on arrival (ODD §7.6)
            if self.rehire:
                self._flow("rec_named")
            self._flow("recruit_fees", float(o["fee"]))
            if o["fee"] > 0:
                self._flow("rec_fee_paid")
        elif self.skilled:  # settles on a skilled visa
            self.leave(d, CH_INDEPENDENT, 0, 0.0,
                       self.random.random() < p.skill_match_independent, 0.0, SETTLED)
        else:  # irregular
            self.leave(d, CH_INDEPENDENT, 0, 0.0, True, 0.0, IRREGULAR)
        self._flow(REC_FLOW[self.channel])
        m.flows.corridor[self.origin, d, 0] += 1
        if self.occ == HEALTH:
            self._flow("rec_health")
            m.flows.corridor[self.origin, d, 1] += 1

    def destination_weights(self) -> list[float]:
        """Where to go on one's own: the corridor weight (the world's base-year pattern) times
        the logit of the changes since the start in the destination's wage, the community's
        network there and the integration policy (ODD §7.4)."""
        m, p, w = self.model, self.model.p, self.model.world
        c, k = self.community, self.occ
        v = [p.beta_wage * fmath.log(w.wage_dest[d, k] / m.wage_base[d, k])
             + p.beta_network * (fmath.log1p(m.network_pct[c, d]) - fmath.log1p(m.network0[c, d]))
             + p.beta_integration_policy * (m.lever_at("integration_policy", d)
                                            - INTEGRATION_DEFAULT
                                            + p.rights_integration_weight
                                            * sum(self._right(r, d) for r in RIGHTS) / 3)
             for d in range(m.n_dest)]
        top = max(v)
        return [w.corridor_weight[self.origin, d] * fmath.exp(x - top) for d, x in enumerate(v)]

    def leave(self, d, channel, contract, fee, matched, guarantee, status) -> None:
        self.status, self.dest, self.channel, self.contract_left = status, d, channel, contract
        self.q_abroad, self.n_stays = 0, self.n_stays + 1
        self.debt += fee
        self.matched, self.h_dep, self.guarantee = bool(matched), self.h, guarantee
        self.integration, self.member, self.savings = 0.0, False, 0.0
        self.named = self.substituted = False

    # 6. work abroad (ODD §7.6) ---------------------------------------------------------
    def work(self) -> None:
        """A quarter of work: income, skills, association membership, integration, ties."""
        m, p = self.model, self.model.p
        wage = m.world.wage_dest[self.dest]
        irregular = self.status == IRREGULAR
        recognition = p.recognition_rate
        leave = 0.0
        if self.status == TEMP:  # free to change employer: more chance of a matching job
            leave = p.change_employer_match * self._right("employer_change_right")
            recognition += leave
        seek = not irregular and not self.matched and self.skilled
        if seek or (self.substituted and leave > 0):
            u = self.random.random()  # one draw: a change of employer does both
            if seek and u < recognition:
                self.matched = True  # skills recognised
            if self.substituted and u < leave:
                self.substituted = False  # out of the substituted contract
        if irregular:
            self.matched = False
            self.income = 0.7 * wage[LOW]
        else:
            self.income = wage[self.occ] * self.h if self.matched else wage[LOW]
            if self.substituted and self.status == TEMP:
                self.income /= 1.0 + p.substitution_loss
        if self.matched:
            self.h *= 1.0 + p.skill_growth_abroad
        elif self.skilled:
            self.h *= 1.0 - p.brain_waste_rate
        self.h = min(max(self.h, p.h_min), p.h_max)
        if not self.member and self.random.random() < min(
                1.0, p.association_join_rate * self._participation()):
            self.member = True
        drive = (m.lever_at("integration_policy", self.dest)
                 + p.association_advocacy * self.member
                 - p.abuse_penalty * (self.channel == CH_UNREGULATED))
        self.integration = _clip01(self.integration
                                   + p.integration_rate * drive * (1.0 - self.integration))
        self.ties = _clip01(self.ties - p.ties_decay * self.ties
                            + p.association_ties * self.member * (1.0 - self.ties))
        self.q_abroad += 1
        self.q_total += 1  # over all stays
        self._flow("abroad_start")

    # 7. remittances (ODD §7.7) ---------------------------------------------------------
    def remit(self) -> tuple[float, float]:
        """Repay debt, save, remit to the household (formal or informal channel) and, as a
        member, to the association. Returns (collective gift, household transfer fee)."""
        m, p = self.model, self.model.p
        net = self.income * (1.0 - p.consumption_share)
        repay = min(self.debt, p.debt_repay_share * net)
        share = _clip01(p.remit_base + p.remit_ties * self.ties
                        - p.remit_years * self.q_abroad / 4.0 + self._insurance())
        amount = (net - repay) * share
        self.debt = max(self.debt - repay, 0.0)
        self.savings += net - repay - amount
        collective = (amount * min(1.0, p.collective_share * self._participation())
                      if self.member else 0.0)
        household = amount - collective
        formal_fee = intermediary.fee_at(m, (self.origin, self.dest))
        p_formal = _logistic(p.channel_const - p.channel_cost * 100.0
                             * (formal_fee - p.informal_fee - p.informal_loss))
        formal = (self.random.random() < m.community_state.access[self.community]
                  and self.random.random() < p_formal)
        fee = household * (formal_fee if formal else p.informal_fee)
        lost = not formal and self.random.random() < p.informal_loss
        loss = household - fee if lost else 0.0
        self.remitted = household > 0
        # the migrant's own quarter, by status: what is kept of the income after debt
        # service and what is sent home, the debt service, the person, the stay so far
        kind = {TEMP: "temporary", SETTLED: "settled"}.get(self.status, "irregular")
        self._flow(f"kept_{kind}", self.income - repay - amount)
        self.kept_total += self.income - repay - amount  # and over the person's stays
        self._flow(f"repaid_{kind}", repay)
        self._flow(f"abroad_{kind}")
        self._flow(f"quarters_{kind}", self.q_abroad)
        self._flow("rem_formal" if formal else "rem_informal", household)
        self._flow("rem_losses", loss)
        m.community_state.investment[self.community] += p.household_invest_share * (household - fee
                                                                            - loss)
        m.flows.corridor[self.origin, self.dest, 3] += amount
        m.money["sent"] += household
        m.money["received"] += household - fee - loss
        m.money["fees"] += fee
        m.money["losses"] += loss
        return collective, fee

    # 8. missions (ODD §7.8) ------------------------------------------------------------
    def go_on_mission(self) -> bool:
        """A skilled migrant in regular status may make a temporary return mission."""
        m, p = self.model, self.model.p
        if not self.skilled or self.status == IRREGULAR:
            return False
        engagement = m.lever_at("diaspora_engagement", self.origin)
        prob = min(1.0, p.mission_rate * (1.0 + engagement)
                   * (1.0 + p.mission_member_boost * self.member) * self.ties)
        if self.random.random() >= prob:
            return False
        self._flow("missions")
        self._flow("knowledge_in", p.knowledge_per_mission * self.h)
        if self.occ == HEALTH:  # a health missionary adds service capacity (ODD §7.10)
            self._flow("mission_health_h", self.h)
        elif self.occ == EDUCATION:  # and a teacher teaching capacity
            self._flow("mission_education_h", self.h)
        m.flows.corridor[self.origin, self.dest, 4] += 1
        return True

    # 9. returns (ODD §7.9) -------------------------------------------------------------
    def consider_return(self) -> None:
        """Temporary contracts run down and end in return, settlement or overstay; settled
        migrants return with a hazard, irregular ones by choice or removal."""
        m, p = self.model, self.model.p
        dev = m.community_state.development[self.community]
        if self.status == TEMP:
            self.contract_left -= 1
            if self.contract_left > 0:
                return
            self._flow("contract_ends")
            g = self.guarantee
            settle = (m.lever_at("settlement_visa_openness", self.dest) * self.integration
                      * (1 - g) if self.skilled else 0.0)
            overstay = _logistic(p.overstay_const - p.overstay_enforcement * p.border_enforcement
                                 + p.overstay_hardship * (1.0 - dev)
                                 - p.overstay_rights * self._right("employer_change_right")
                                 ) * (1.0 - g)
            u = self.random.random()
            if u < settle:
                self.status = SETTLED
                self._flow("contract_settles")
            elif u < settle + (1.0 - settle) * overstay:
                self.status = IRREGULAR
                self._flow("overstays")
            else:
                self.come_home()
                # the employer may name the worker for re-hiring (ODD §7.9)
                rate = m.lever_at("named_rehire_rate", self.dest)
                if rate > 0 and self.random.random() < rate:
                    self.named = True
        elif self.status == SETTLED:
            hazard = p.return_hazard * fmath.exp(
                p.hazard_ties * self.ties + p.hazard_development * dev
                + p.hazard_incentive * m.lever_at("return_incentive", self.origin)
                - p.hazard_integration * self.integration - p.hazard_years * self.q_abroad / 4.0
                + p.hazard_portability * self._right("social_security_portability")
                # conditions abroad: the destination's wage against the start's (life cycle)
                - p.hazard_wage_abroad * fmath.log(m.world.wage_dest[self.dest, self.occ]
                                                   / m.wage_base[self.dest, self.occ])
                # target earners: savings against the target, capped at 1
                + p.hazard_savings * min(self.savings / (
                    p.savings_target_quarters * self._home_wage()), 1.0)
                # nearer retirement, nearer home: the share of the working life gone
                + p.hazard_retirement * (self.age - p.entry_age)
                / (p.retirement_age - p.entry_age))
            if self.random.random() < -fmath.expm1(-hazard):
                self.come_home()
        elif self.random.random() < p.irregular_return + p.removal_rate * p.border_enforcement:
            self.come_home()

    def come_home(self) -> None:
        """Back home with the skills gained and the savings (invested in part)."""
        m, p = self.model, self.model.p
        gain = max(self.h - self.h_dep, 0.0)
        m.community_state.investment[self.community] += p.household_invest_share * self.savings
        self.savings = 0.0
        self.status, self.contract_left, self.member, self.remitted = RETURNED, 0, False, False
        self._flow("returns")
        if self.occ == HEALTH:
            self._flow("returns_health")
        self._flow("return_gain", gain)
        self._flow("knowledge_in", p.knowledge_per_gain * gain)
        m.flows.corridor[self.origin, self.dest, 2] += 1


class ReferenceModel(MigrationModel):
    """The per-agent reference (see the module docstring); same arguments and outputs as
    :class:`~migdev.model.MigrationModel`. ``model.persons`` lists the Person agents by
    census row (``model.migrants`` is the same list)."""

    #: the class of the persons (a subclass may change a rule, as the oracle's tests do)
    person_class = Person

    def __init__(self, params=None, *, rng=None, scenario=None, **overrides):
        super().__init__(params, rng=rng, scenario=scenario, **overrides)
        pop = self.pop
        columns = {name: getattr(pop, name).tolist() for name in STATE}
        self.persons = [self.person_class(self, i, **{k: v[i] for k, v in columns.items()})
                        for i in range(pop.n)]
        self.migrants = self.persons
        self.network_pct = self.diaspora_share()
        self.money = dict.fromkeys(("sent", "received", "fees", "losses"), 0.0)
        self.rights = {name: government.corridor_right(self, name) for name in RIGHTS}

    def _materialise(self) -> None:  # every person is an agent from the start
        pass

    def step(self) -> None:
        """One quarter, in the order of the ODD schedule (docs/ODD.md §3)."""
        t = self.steps
        self.flows.reset()
        self.apply_events(t)                                     # 1. scheduled events
        r = self.streams["rounding"]
        self.u_round = {"vacancies": r.random((self.n_dest, 4)),
                        "training": r.random((self.n_orig, 3)),
                        "elastic": r.random((self.n_orig, 3))}
        government.apply_agreements(self, t)                     # 1. agreements in force
        self.rights = {name: government.corridor_right(self, name) for name in RIGHTS}
        self.demography()                                        # 2. ageing, entry, training
        self.census(("status", "dest", "occ"))
        vacancies = government.labour_demand(self, t)            # 3. labour demand
        self.recruitment(vacancies)                              # 4. recruitment
        for person in self.persons:                              # 5. migration decisions
            person.decide()
        agencies_learn(self.agency_state, self.p.agency_learning_rate)
        abroad = [person for person in self.persons if person.abroad]
        for person in abroad:                                    # 6. work abroad
            person.work()
        self.remittances(abroad)                                 # 7. remittances
        self.missions(abroad)                                    # 8. missions
        for person in abroad:                                    # 9. returns
            person.consider_return()
        intermediary.update(self)                                # 7b. transfer fees
        self.census(READ)
        community.update(self)                                   # 10. communities
        government.respond_wages(self)                           # 10. home wages
        if self.p.adaptive_policy:
            government.adapt_policies(self)                      # 11. adaptive policy
        self.record()                                            # 12. data collection

    def census(self, names=STATE) -> None:
        """Copy the persons' attributes ``names`` (by default all) into the ``pop`` arrays.
        Each quarter copies what the institutions and the tables read (``READ``); the other
        arrays are filled when this is called with no names (as the oracle does before it
        reads the persons' state)."""
        for name in names:
            getattr(self.pop, name)[:] = [getattr(person, name) for person in self.persons]

    # 2. retirement and entry ----------------------------------------------------------
    def demography(self) -> None:
        """Persons retire at ``retirement_age``; each is replaced in the same community by an
        entrant who applies to a training track; scarce places go to applicants drawn at
        random, the others become low-skilled (ODD §7.2)."""
        p = self.p
        leaving = [person for person in self.persons if person.grow_older()]
        if not leaving:
            return
        self.migrant_state.exits += len(leaving)
        self.migrant_state.entrants += len(leaving)
        probs, places, credit, per_entrant = training_system(
            self, np.array([x.origin for x in leaving], dtype=np.int64))
        applicants = np.zeros((self.n_orig, 4), dtype=np.int64)
        queues = defaultdict(list)
        for old in leaving:
            new = self.person_class(self, old.slot, person_id=self.migrant_state.next_person_id,
                                    community=old.community,
                         origin=old.origin, occ=LOW, age=p.entry_age, h=1.0, h_dep=1.0,
                         ties=0.5 + 0.5 * self.random.random(), **NEWBORN)
            self.migrant_state.next_person_id += 1
            old.remove()
            self.persons[new.slot] = new
            new.occ = new.choose_track(probs[new.origin])
            applicants[new.origin, new.occ] += 1
            if new.skilled:
                queues[new.origin, new.occ].append(new)
        excess = np.maximum(applicants[:, :LOW] - places, 0)
        admitted = places + np.floor(p.training_elasticity * excess
                                     + self.u_round["elastic"]).astype(np.int64)
        for (o, k), queue in queues.items():
            self.random.shuffle(queue)
            for person in queue[admitted[o, k]:]:
                person.occ = LOW
            for person in queue[:admitted[o, k]]:
                if k == HEALTH:
                    person._flow("health_trainees")
        keep_unused_places(self, credit, applicants, places, per_entrant)
        count_applicants(self, applicants)

    # 4. the recruitment market ---------------------------------------------------------
    def recruitment(self, vacancies) -> None:
        """G2G placements and the agencies' offers (institutions, as in the fast model) go to
        persons at home below ``max_migration_age`` drawn at random from the offer's origin
        and occupation; others may try on their own where the visa regime allows, to a
        destination drawn by their community's network (ODD §7.4)."""
        p = self.p
        n_ag = len(self.agencies)
        u_ag = self.streams["agency"].random((n_ag, self.n_orig))
        u_alloc = self.streams["allocate"].random((self.n_dest + n_ag, 4))
        u_g2g = self.streams["g2g"].random((self.n_orig, self.n_dest, 4))
        self.agency_state.offers[:] = 0
        self.agency_state.offered[:] = 0.0
        self.agency_state.propensity[:] = 0.0
        self.agency_state.accepted[:] = 0
        for person in self.persons:
            person.offer = person.attempt = None
            person.rehire = False
        if not p.migration_enabled:
            return
        vac_left = vacancies.astype(float)  # real persons
        weight = self.world.person_weight  # the real persons a simulated person stands for
        # employers first offer their old jobs to the workers they named, the named drawn
        # at random, each while the vacancies in the occupation still cover the real persons
        # the worker stands for (ODD §7.4)
        named = defaultdict(list)
        for person in self.persons:
            if person.named and person.at_home and person.age < p.max_migration_age:
                named[person.dest, person.occ].append(person)
        for (d, k), people in named.items():
            for person in self.random.sample(people, len(people)):
                if weight[person.origin] > vac_left[d, k]:
                    break
                channel = CH_REGULATED if person.channel == CH_INITIAL else person.channel
                person.offer = {"channel": channel, "dest": d, "agency": -1, "fee": 0.0,
                                "contract": max(person.q_abroad, 1),
                                "match": 1.0 if person.matched else 0.0,
                                "guarantee": person.guarantee}
                person.rehire, person.named = True, False
                vac_left[d, k] -= weight[person.origin]
        candidates = defaultdict(list)
        for person in self.persons:
            if person.at_home and person.age < p.max_migration_age and person.offer is None:
                candidates[person.origin, person.occ].append(person)
        supply = np.zeros((self.n_orig, 4), dtype=np.int64)
        for (o, k), people in candidates.items():
            supply[o, k] = len(people)
        g2g = g2g_placements(self.policy.g2g, vac_left, supply, p.skill_match_agreement, u_g2g,
                             weight)
        blocks = market_blocks(self, g2g, vac_left, supply, u_ag, u_alloc)
        offers = defaultdict(list)  # (origin, occupation) -> offers, one per unit
        for b in blocks:
            offers[divmod(int(b["group"]), 4)].extend([b] * int(b["count"]))
        for (o, k), group_offers in offers.items():
            people = candidates[o, k]
            chosen = self.random.sample(people, min(len(group_offers), len(people)))
            for person, offer in zip(chosen, group_offers):
                person.offer = offer
                if offer["agency"] >= 0:
                    self.agency_state.offers[offer["agency"], o] += 1
        self.network_pct = self.diaspora_share()
        destinations = range(self.n_dest)
        visa = self.lever("settlement_visa_openness")
        for people in candidates.values():
            for person in people:
                if person.offer is not None:
                    continue
                u = self.random.random()
                if not person.skilled:  # irregular
                    if u < p.irregular_rate * (1.0 - p.border_enforcement):
                        person.attempt = self.random.choices(destinations,
                                                             person.destination_weights())[0]
                elif np.ndim(visa) == 0:  # one settlement-visa openness everywhere
                    if u < p.independent_rate * visa:
                        person.attempt = self.random.choices(destinations,
                                                             person.destination_weights())[0]
                elif u < p.independent_rate:  # openness per destination (ODD §7.4): tries
                    # with chance independent_rate * sum_d P(d) V_d, goes where doors are open
                    weights = person.destination_weights()
                    doors = [x * v for x, v in zip(weights, visa)]
                    if u < p.independent_rate * sum(doors) / sum(weights):
                        person.attempt = self.random.choices(destinations, doors)[0]

    # 7. and 8. -------------------------------------------------------------------------
    def remittances(self, abroad: list[Person]) -> None:
        """Everyone abroad remits; members' collective remittances go to the associations
        (:meth:`collect_collective`)."""
        self.money = dict.fromkeys(self.money, 0.0)
        self.flows.money = dict.fromkeys(self.flows.money, 0.0)
        if not abroad:
            return
        gifts = [person.remit() for person in abroad]
        collected = self.collect_collective(abroad, [g[0] for g in gifts],
                                            [g[1] for g in gifts])
        self.flows.money = {**self.money, **collected}

    def collect_collective(self, abroad: list[Person], collective, household_fees) -> dict:
        """Members' collective remittances reach their associations and are matched by the
        municipality, the state and the nation (:meth:`match`); gifts (less the transfer
        fee) and the match go to community projects (ODD §7.7): fee = gifts x the formal
        fee (where the fee differs by corridor, each community's gift-weighted fee), to
        projects = gifts - fee + matched. Returns the quarter's collective money per
        community."""
        nc, nd = self.n_comm, self.n_dest
        contrib, paid, hh_fees = np.zeros(nc), np.zeros(nc), np.zeros(nc)
        members, fund = np.zeros(nc * nd), np.zeros(nc * nd)
        fee = intermediary.formal_fee(self)
        for person, gift, hh_fee in zip(abroad, collective, household_fees):
            c = person.community
            contrib[c] += gift
            hh_fees[c] += hh_fee
            if not is_scalar(fee):
                paid[c] += gift * fee[person.origin, person.dest]
            members[c * nd + person.dest] += person.member
            fund[c * nd + person.dest] += gift
        terms = self.derived("match_terms", lambda: association.match_terms(self))
        if not is_scalar(fee):
            fee = np.divide(paid, contrib, out=np.zeros(nc), where=contrib > 0)
        local, state, national = self.match(contrib, terms)
        matched = (local + state) + national
        cfees = contrib * fee
        to_projects = contrib - cfees + matched
        to_projects, fund_in = self.social_fund(to_projects, terms)
        self.flows["to_projects"] += to_projects
        self.flows["social_fund"] += fund_in
        self.flows["rem_fees"] += hh_fees + cfees
        self.flows["collective"] += contrib
        self.flows["matched"] += matched
        self.flows["matched_local"] += local
        self.flows["matched_state"] += state
        self.community_state.projects += to_projects
        # an association's match: its fund times its community's match per unit given
        per_unit = np.divide(matched, contrib, out=np.zeros(nc), where=contrib > 0)
        self._members, self._fund = members, fund  # recorded with the missions
        self._match_per_unit = np.repeat(per_unit, nd)
        association.trust_step(self, terms.promised, fund)
        return Totals(collective=contrib, collective_fees=cfees, to_projects=to_projects,
                      matched=matched)

    def social_fund(self, to_projects, terms) -> tuple:
        """A social investment fund (ODD §7.7): in each origin, the share of each
        community's money for projects that goes through the fund is pooled and directed to
        the communities in proportion to their need, (1 - development) x population; with
        no need anywhere in the origin, it goes back where it came from. Returns the money
        to each community's projects and the part the fund directed there."""
        dev = self.community_state.development
        out, fund_in = to_projects.copy(), np.zeros(self.n_comm)
        for o in range(self.n_orig):
            mine = [c for c in range(self.n_comm) if self.world.comm_origin[c] == o]
            given = {c: terms.fund_share[c] * to_projects[c] for c in mine}
            need = {c: max(1.0 - dev[c], 0.0) * terms.population[c] for c in mine}
            total_need = sum(need.values())
            for c in mine:
                fund_in[c] = (sum(given.values()) * need[c] / total_need if total_need > 0
                              else given[c])
                out[c] = to_projects[c] - given[c] + fund_in[c]
        return out, fund_in

    def match(self, gifts, terms) -> tuple:
        """The public match of each community's gifts at three levels (ODD §7.7): the
        municipality and the state each pay min(ratio x gifts, their budget); the nation
        pays ratio x gifts where its origin's requests are within its budget, else shares
        the budget in proportion to the requests, or pays the least developed communities
        first (``matching_allocation``). Returns the municipal, state and national match
        per community."""
        ratio, budget = terms.ratio, terms.budget
        local = np.minimum(ratio[0] * gifts, budget[0])
        state = np.minimum(ratio[1] * gifts, budget[1])
        national = ratio[2] * gifts
        development = self.community_state.development
        for o in range(self.n_orig):
            mine = [c for c in range(self.n_comm) if self.world.comm_origin[c] == o]
            asked = sum(national[c] for c in mine)
            left = budget[2, mine[0]]
            if asked <= left:
                continue
            if not terms.least_developed_first:
                for c in mine:
                    national[c] *= left / asked
                continue
            for c in sorted(mine, key=lambda c: (development[c], c)):
                national[c] = min(national[c], left)
                left -= national[c]
        return local, state, national

    def missions(self, abroad: list[Person]) -> None:
        """Skilled migrants go on missions; the associations record those of members."""
        if not abroad:
            self.association_state.record(0, 0.0, 0.0, 0)
            return
        organised = np.zeros(self.n_comm * self.n_dest, dtype=np.int64)
        for person in abroad:
            if person.go_on_mission() and person.member:
                organised[person.community * self.n_dest + person.dest] += 1
        self.association_state.record(self._members.astype(np.int64), self._fund,
                                      self._fund * self._match_per_unit, organised)
