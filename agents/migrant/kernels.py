"""The migrant family's compiled passes over persons: ageing and entry (ODD §7.2), the
migration decision (§7.5), and a quarter abroad: work (§7.6), remittances (§7.7) and
returns (§7.9), with the associations' missions (§7.8) in the same pass."""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from migdev.agents.association.kernels import ASSOCIATION, MISSION, missions_pass
from migdev.core.codes import (
    CH_AGREEMENT,
    CH_INDEPENDENT,
    CH_REGULATED,
    CH_UNREGULATED,
    HEALTH,
    HOME,
    IRREGULAR,
    LOW,
    RETURNED,
    SETTLED,
    TEMP,
)
from migdev.core.fmath import exp_one, expm1_one, log_one
from migdev.core.kernels import (
    F32,
    NO_VECTOR,
    as_array,
    as_table,
    at_most_one,
    check_draws,
    check_float32_draws,
    fresh_caches,
    is_scalar,
    log1p,
    pairwise_sum,
    table_of,
    threshold,
)
from migdev.core.ledger import CORRIDOR, rows_by_name


TERM_NAMES = ("wage_dest", "integ_d", "join_rate", "change_od", "has_change", "change_match",
              "recognition", "growth_matched", "growth_wasted", "h_min", "h_max",
              "substitution_loss", "advocacy", "abuse", "integration_rate", "ties_decay",
              "association_ties", "net_share", "repay_share", "remit_base", "remit_ties",
              "remit_years", "insure_o", "has_insure", "collective_share", "formal_fee_od",
              "p_formal_od", "p_formal_scalar", "informal_loss", "informal_fee", "mission_rate_o",
              "mission_boost", "knowledge_per_mission32", "visa_d", "visa_scalar",
              "const_minus_enforcement", "hardship_weight", "rights_weight", "named_rate_d",
              "hazard", "w_ties32", "w_development", "incentive_o", "w_incentive",
              "w_integration32", "w_years", "port_od", "has_port_table", "w_port", "wage_rel",
              "has_wage_rel", "w_wage", "saving_target", "has_saved", "w_saved", "w_retire",
              "retire_from", "retire_span",
              "irregular_threshold32", "knowledge_per_gain32")
#: the terms of a quarter abroad that change only with the parameters and the policy in
#: force (:func:`abroad_terms`): each lever as a table (``_od`` per corridor, ``_d`` per
#: destination, ``_o`` per origin) or a number, with the flags that say which are one
#: number everywhere or switched off
AbroadTerms = namedtuple("AbroadTerms", TERM_NAMES)
#: each person's remittance levers, looked up once (:func:`_remit`)
RemitLevers = namedtuple("RemitLevers", "share access p_formal loss_prob formal_fee")
#: each person's transfer this quarter (:func:`_remit`): the amount remitted, the part given
#: to the association, the household's part, whether it went formally, its fee and loss,
#: and what the household received
Transfers = namedtuple("Transfers", "amount collective household formal fee loss received")
#: each person's return levers, looked up once (:func:`_returns`)
ReturnLevers = namedtuple("ReturnLevers", "visa change named_rate incentive port")


@numba.njit(cache=True, nogil=True)
def _work(idx, P, T, u_join, join, u_recog, recog, leave, income):
    """A quarter of work for the persons ``idx`` abroad (ODD §7.6), in place on the persons
    ``P``, with the terms ``T`` (:data:`AbroadTerms`); ``join``, ``recog``, ``leave``: each
    person's chance to join the association, to have skills recognised and to leave a
    substituted contract; writes each person's gross income into ``income``.

    Income: w_dest[d, k] h if the job uses the person's skills, else the low-skilled wage
    (brain waste); an irregular worker earns 0.7 of the low-skilled wage; a substituted
    temporary contract pays promised / (1 + loss). Skills: h (1 + g) when matched, h (1 -
    waste) when not (skilled), bounded. Integration: I += rate (policy_d + advocacy member -
    abuse unregulated) (1 - I). Ties: T - decay T, + association_ties (1 - T) for members."""
    status, occ, dest, channel, matched = P.status, P.occ, P.dest, P.channel, P.matched
    substituted, member, h, integration = P.substituted, P.member, P.h, P.integration
    ties, q_abroad, q_total = P.ties, P.q_abroad, P.q_total
    wage_dest, integ_policy, has_leave = T.wage_dest, T.integ_d, T.has_change
    growth_matched, growth_wasted = T.growth_matched, T.growth_wasted
    h_min, h_max, loss = T.h_min, T.h_max, T.substitution_loss
    advocacy, abuse, integration_rate = T.advocacy, T.abuse, T.integration_rate
    ties_decay, association_ties = T.ties_decay, T.association_ties
    decay32 = F32(ties_decay)
    one32 = F32(1.0)
    for n in range(idx.shape[0]):
        i = idx[n]
        st = status[i]
        k = occ[i]
        d = dest[i]
        irregular = st == IRREGULAR
        temp = st == TEMP
        if has_leave:
            # the chance to change employer frees a substituted worker of the contract
            if substituted[i] and u_recog[n] < leave[n]:
                substituted[i] = False
        m = matched[i] or (k < LOW and u_recog[n] < recog[n] and not irregular)
        m = m and not irregular
        matched[i] = m
        hi = h[i]
        if irregular:
            w = 0.7 * wage_dest[d, LOW]
        elif m:
            w = wage_dest[d, k] * np.float64(hi)
        else:
            w = wage_dest[d, LOW]
        if substituted[i] and temp:
            w = w / (1.0 + loss)
        income[n] = w
        if m:
            g = growth_matched
        elif k < LOW:
            g = growth_wasted
        else:
            g = 1.0
        h[i] = min(max(np.float64(hi) * g, h_min), h_max)
        mem = member[i] or u_join[n] < join[n]
        member[i] = mem
        integ = integration[i]
        drive = integ_policy[d] + advocacy * (1.0 if mem else 0.0)
        drive = drive - abuse * (1.0 if channel[i] == CH_UNREGULATED else 0.0)
        x = np.float64(integ) + integration_rate * drive * np.float64(one32 - integ)
        integration[i] = min(max(x, 0.0), 1.0)
        t = ties[i]
        t32 = t - decay32 * t
        y = np.float64(t32) + association_ties * (1.0 if mem else 0.0) * np.float64(one32 - t)
        ties[i] = min(max(y, 0.0), 1.0)
        q_abroad[i] += 1
        q_total[i] += 1


@numba.njit(cache=True, nogil=True)
def _abroad_slots(status, community, out, counts):
    """The slots of the persons abroad, in order, and their number per community
    (:func:`abroad_slots`)."""
    k = 0
    for i in range(status.shape[0]):
        s = status[i]
        if s >= TEMP and s <= IRREGULAR:
            out[k] = i
            counts[community[i]] += 1
            k += 1
    return k


def abroad_slots(pop, flow_row: np.ndarray) -> np.ndarray:
    """The slots of the persons abroad, in order (``np.flatnonzero(pop.abroad())``), in one
    pass that also adds each community's number of them to ``flow_row`` (as
    ``Flows.add`` of those slots does: the counts, then one addition per community)."""
    out = np.empty(pop.n, dtype=np.int64)
    counts = np.zeros(flow_row.shape[0], dtype=np.int64)
    k = _abroad_slots(pop.status, pop.community, out, counts)
    flow_row += counts
    return out[:k]


@numba.njit(cache=True, nogil=True)
def _remit(idx, P, T, income, levers, u, out, n_dest, to_dest, per_comm, per_assoc):
    """Remittances of the persons ``idx`` abroad (ODD §7.7), in place on the persons ``P``:
    net = income (1 - consumption); repay = min(debt, repay_share net); share =
    clip(base + b_ties ties - b_years years + insure_o, 0, 1), with ``insure_o`` the
    origin's insurance term where it is on (:func:`abroad_terms`); amount = (net - repay)
    share, the rest saved. A member gives ``levers.share`` of the amount to the association; the household
    transfer goes formally if the household has access (u[0] < access) and u[1] <
    p_formal, paying the formal fee, else informally, paying the informal fee and lost
    whole when u[2] < the loss chance. ``levers``: :data:`RemitLevers` per person; ``out``:
    :data:`Transfers` per person; sums per community (REMIT_SUMS, then WELFARE_SUMS: by
    status, the income the migrant keeps, income - repay - amount, the debt service, the
    persons and the quarters of their stays so far) and association."""
    debt, ties, q_abroad, savings = P.debt, P.ties, P.q_abroad, P.savings
    member, remitted, community, origin, dest = (P.member, P.remitted, P.community, P.origin,
                                                 P.dest)
    status, kept_total = P.status, P.kept_total
    net_share, repay_share = T.net_share, T.repay_share
    remit_base, remit_ties, remit_years = T.remit_base, T.remit_ties, T.remit_years
    informal_fee = T.informal_fee
    collective_share, access, p_formal = levers.share, levers.access, levers.p_formal
    loss_prob, formal_fee = levers.loss_prob, levers.formal_fee
    u_access, u_channel, u_loss = u[0], u[1], u[2]
    amount_out, collective_out, household_out = out.amount, out.collective, out.household
    formal_out, fee_out, loss_out, received_out = out.formal, out.fee, out.loss, out.received
    base32 = F32(remit_base)
    ties32 = F32(remit_ties)
    for n in range(idx.shape[0]):
        i = idx[n]
        net = income[n] * net_share
        d = np.float64(debt[i])
        repay = min(d, repay_share * net)
        share32 = base32 + ties32 * ties[i]  # in float32
        share = np.float64(share32) - remit_years * (np.float64(q_abroad[i]) / 4.0)
        if T.has_insure:  # home earnings fallen below the base year's (insurance motive)
            share += T.insure_o[origin[i]]
        share = min(max(share, 0.0), 1.0)
        amount = (net - repay) * share
        save = (net - repay) - amount
        debt[i] = max(d - repay, 0.0)
        savings[i] = np.float64(savings[i]) + save
        coll = amount * collective_share[n] if member[i] else 0.0
        household = amount - coll
        formal = np.float64(u_access[n]) < access[n] and u_channel[n] < p_formal[n]
        fee = household * (formal_fee[n] if formal else informal_fee)
        loss = household - fee if (not formal and u_loss[n] < loss_prob[n]) else 0.0
        remitted[i] = household > 0
        amount_out[n] = amount
        collective_out[n] = coll
        household_out[n] = household
        formal_out[n] = formal
        fee_out[n] = fee
        loss_out[n] = loss
        received_out[n] = (household - fee) - loss
        # the per-community and per-association sums, in person order (as bincount)
        c = community[i]
        if formal:
            per_comm[REMIT.rem_formal, c] += household
        else:
            per_comm[REMIT.rem_informal, c] += household
        per_comm[REMIT.rem_losses, c] += loss
        per_comm[REMIT.received, c] += received_out[n]
        per_comm[REMIT.household_fees, c] += fee
        per_comm[REMIT.collective, c] += coll
        per_comm[REMIT.collective_fee_paid, c] += coll * formal_fee[n]
        a = np.int64(c) * n_dest + dest[i]
        if member[i]:
            per_assoc[ASSOCIATION.members, a] += 1.0
        per_assoc[ASSOCIATION.fund, a] += coll
        to_dest[origin[i], dest[i]] += amount
        # the migrant's own quarter by status (temporary, settled, irregular; WELFARE_SUMS):
        # the income kept after debt service and what is sent home, the debt service, one
        # person, and the quarters of the stay so far
        s = status[i]
        j = 0 if s == TEMP else (1 if s == SETTLED else 2)
        kept = (income[n] - repay) - amount
        kept_total[i] = np.float64(kept_total[i]) + kept  # and over the person's stays
        per_comm[_KEPT_ROWS[j], c] += kept
        per_comm[_REPAID_ROWS[j], c] += repay
        per_comm[_ABROAD_ROWS[j], c] += 1.0
        per_comm[_QUARTERS_ROWS[j], c] += np.float64(q_abroad[i])


#: rows of the remittances' per-community sums
REMIT_SUMS = ("rem_formal", "rem_informal", "rem_losses", "received", "household_fees",
              "collective", "collective_fee_paid")
#: the rows after them: the migrants' own quarter, by status (temporary, settled, irregular)
WELFARE_SUMS = tuple(f"{what}_{status}" for what in ("kept", "repaid", "abroad", "quarters")
                     for status in ("temporary", "settled", "irregular"))
#: each row's position by name (``per_comm[REMIT.received, c]``)
REMIT = rows_by_name(REMIT_SUMS + WELFARE_SUMS, "RemitSums")
#: the welfare rows of each kind by status (temporary, settled, irregular)
_KEPT_ROWS, _REPAID_ROWS, _ABROAD_ROWS, _QUARTERS_ROWS = (
    tuple(getattr(REMIT, f"{what}_{status}") for status in ("temporary", "settled", "irregular"))
    for what in ("kept", "repaid", "abroad", "quarters"))


@numba.njit(cache=True, nogil=True)
def _age(age, h, status, occ, retirement_age, growth, h_max, grow, exits):
    """Ageing and experience at home in one pass (:func:`age_and_experience` states the rule)."""
    quarter = F32(0.25)
    retire = F32(retirement_age)  # a float32 age is compared with the age as float32
    n_exit = 0
    for i in range(age.shape[0]):
        age[i] += quarter
        if grow:
            s = status[i]
            # without a branch on the person (occupations and statuses are in no order)
            at_home_skilled = (occ[i] < LOW) & ((s == HOME) | (s == RETURNED))
            hi = h[i]
            grown = min(hi * growth, h_max)
            h[i] = grown if at_home_skilled else hi
        exits[n_exit] = i
        n_exit += age[i] >= retire
    return n_exit


def age_and_experience(pop, retirement_age: float, skill_growth_home: float,
                       h_max: float) -> np.ndarray:
    """Ageing (ODD §7.2): every age + 0.25 (float32); those at ``retirement_age`` or above
    exit. Experience at home, where ``skill_growth_home`` > 0: the skilled at home (or
    returned) gain h <- min(h (1 + growth), h_max). One pass; returns the slots of those who
    exit, in order."""
    exits = np.empty(pop.n, dtype=np.int64)
    k = _age(pop.age, pop.h, pop.status, pop.occ, float(retirement_age),
             np.float32(1.0 + skill_growth_home), np.float32(h_max), skill_growth_home > 0,
             exits)
    return exits[:k].copy()


@numba.njit(cache=True, nogil=True)
def _training(idx, origin, prospect, home, dest, cost, beta, cap, multiplier, extra,
              place_credit, u_training, probs, places, credit, per_entrant):
    """The origins' training system for the entrants ``idx`` (ODD §7.2; :func:`training_system`
    states the rule): track probabilities, places per entrant, credit and integer places."""
    n_orig = home.shape[0]
    cohort = np.zeros(n_orig, dtype=np.int64)
    for n in range(idx.shape[0]):
        cohort[origin[idx[n]]] += 1
    v = np.empty(4)
    e = np.empty(4)
    for o in range(n_orig):
        for k in range(4):
            pr = prospect[o, k]
            v[k] = beta * log_one((1.0 - pr) * home[o, k] + pr * dest[o, k]) - cost[k]
        m = v[0]  # the row's maximum, NaN if any is (as numpy's max)
        for k in range(1, 4):
            if v[k] > m or math.isnan(v[k]):
                m = v[k]
        for k in range(4):
            e[k] = exp_one(v[k] - m)
        s = pairwise_sum(e, 0, 4)
        for k in range(4):
            probs[o, k] = e[k] / s
        for k in range(3):
            # places per entrant: capacity x multiplier + extra
            per_entrant[o, k] = cap[o, k] * multiplier[o] + extra[o]
            c = place_credit[o, k] + np.float64(cohort[o]) * per_entrant[o, k]
            credit[o, k] = c
            places[o, k] = np.int64(max(math.floor(c + u_training[o, k]), 0.0))


@numba.njit(cache=True, nogil=True)
def keep_unused(place_credit, credit, applicants, places, per_entrant, cohort_expected):
    """Places not taken are credited to later entrants (ODD §7.2), in place on
    ``place_credit``: min(credit - min(applicants, places), 4 cohort x per entrant + 1)."""
    for o in range(place_credit.shape[0]):
        year = 4.0 * cohort_expected[o]
        for k in range(place_credit.shape[1]):
            c = credit[o, k] - np.float64(min(applicants[o, k], places[o, k]))
            y = year * per_entrant[o, k] + 1.0
            place_credit[o, k] = c if (c < y or math.isnan(c)) else y


def training_system(idx, origin, prospect, home, dest, cost, beta, cap, multiplier, extra,
                    place_credit, u_training):
    """The origins' training system for the entrants ``idx`` (slots; ``origin``: every
    person's origin), ODD §7.2:

    * track probabilities, a multinomial logit per origin: P_k ∝ exp(beta ln E_k - cost_k),
      E_k = (1 - prospect_k) w_home,k + prospect_k w_dest,k (the brain-gain incentive);
    * places per entrant of each skilled track: capacity_k x multiplier_o + extra_o;
    * places credited: the credit carried over + cohort_o x places per entrant, and the
      integer places floor(credit + u) (stochastic rounding).

    Returns (probabilities (n_orig, 4), places (n_orig, 3), credit, places per entrant)."""
    n_orig = home.shape[0]
    probs = np.empty((n_orig, 4))
    places = np.empty((n_orig, 3), dtype=np.int64)
    credit = np.empty((n_orig, 3))
    per_entrant = np.empty((n_orig, 3))
    _training(as_array(idx, np.int64), origin, as_array(prospect), as_array(home),
              as_array(dest), as_array(cost), float(beta), as_array(cap), as_array(multiplier),
              as_array(extra), as_array(place_credit), as_array(u_training), probs, places,
              credit, per_entrant)
    return probs, places, credit, per_entrant


@numba.njit(cache=True, nogil=True)
def _choose_tracks(idx, origin, u_choice, u_rank, probs, places, elasticity, u_extra, occ,
                   applicants):
    """The entrants' choice of a track and the cap of each skilled track's places (ODD §7.2;
    :func:`choose_tracks` states the rule)."""
    n = idx.shape[0]
    n_orig = probs.shape[0]
    cum = np.empty((n_orig, LOW))  # np.cumsum of each origin's probabilities, less the last
    for o in range(n_orig):
        c = probs[o, 0]
        cum[o, 0] = c
        for k in range(1, LOW):
            c = c + probs[o, k]
            cum[o, k] = c
    n_g = n_orig * LOW
    count = np.zeros(n_g + 1, dtype=np.int64)
    for j in range(n):
        i = idx[j]
        o = np.int64(origin[i])
        u = np.float64(u_choice[j])
        k = 0
        for c in range(LOW):
            k += u >= cum[o, c]
        occ[j] = k
        applicants[o, k] += 1
        if k < LOW:
            count[o * LOW + k + 1] += 1
    # skilled applicants beyond a track's places (plus the private places answering the
    # excess) become low-skilled, the highest rank draws first out; ties by entry order
    cap = np.empty(n_g, dtype=np.int64)
    for o in range(n_orig):
        for k in range(LOW):
            excess = max(applicants[o, k] - places[o, k], 0)
            cap[o * LOW + k] = places[o, k] + np.int64(np.floor(elasticity * excess
                                                                + u_extra[o, k]))
    for g in range(n_g):
        count[g + 1] += count[g]
    pos = count[:-1].copy()
    members = np.empty(count[n_g], dtype=np.int64)
    for j in range(n):
        k = occ[j]
        if k < LOW:
            g = np.int64(origin[idx[j]]) * LOW + k
            members[pos[g]] = j
            pos[g] += 1
    for g in range(n_g):
        a, b = count[g], count[g + 1]
        if b - a <= cap[g]:
            continue
        seg = members[a:b]
        draws = np.empty(b - a, dtype=u_rank.dtype)
        for r in range(b - a):
            draws[r] = u_rank[seg[r]]
        order = np.argsort(draws, kind="mergesort")
        for r in range(max(cap[g], 0), b - a):
            occ[seg[order[r]]] = LOW


def choose_tracks(idx, origin, u_choice, u_rank, probs, places, elasticity, u_extra):
    """The entrants of slots ``idx`` choose a track (ODD §7.2): the track whose cumulated
    probability ``probs[origin]`` first exceeds ``u_choice``; a skilled track admits its
    ``places`` plus floor(elasticity x applicants beyond them + ``u_extra``), its
    applicants taken by lowest ``u_rank``; the others become low-skilled. Draws: one per
    entrant, in the order of ``idx``. Returns the entrants' tracks (int8) and the applicants
    per origin and track (n_orig, 4)."""
    idx = as_array(idx, np.int64)
    check_draws(len(idx), u_choice, u_rank)
    n_orig = probs.shape[0]
    occ = np.empty(len(idx), dtype=np.int8)
    applicants = np.zeros((n_orig, 4), dtype=np.int64)
    _choose_tracks(idx, origin, u_choice, u_rank, as_array(probs), as_array(places, np.int64),
                   float(elasticity), as_array(u_extra if np.shape(u_extra) == (n_orig, LOW)
                                           else np.broadcast_to(u_extra, (n_orig, LOW))), occ,
                   applicants)
    return occ, applicants


@numba.njit(cache=True, nogil=True)
def _abroad_by(community, dest, status, n_dest, out):
    """Persons abroad per community and destination (:func:`abroad_by_community`)."""
    for i in range(community.shape[0]):
        s = status[i]
        if s >= TEMP and s <= IRREGULAR:
            out[np.int64(community[i]) * n_dest + dest[i]] += 1


def abroad_by_community(pop, n_comm: int, n_dest: int) -> np.ndarray:
    """Persons abroad by home community and destination, (n_comm, n_dest)."""
    out = np.zeros(n_comm * n_dest, dtype=np.int64)
    _abroad_by(pop.community, pop.dest, pop.status, n_dest, out)
    return out.reshape(n_comm, n_dest)


#: rows of accept_and_leave's per-community sums
DECIDE_SUMS = ("rec_agreement", "rec_regulated", "rec_unregulated", "rec_independent",
               "rec_health", "rec_named", "recruit_fees", "rec_fee_paid")
#: each row's position by name (``per_comm[DECIDE.rec_named, c]``)
DECIDE = rows_by_name(DECIDE_SUMS, "DecideSums")


@numba.njit(cache=True, nogil=True)
def utility(asc, beta_wage, wage_ratio, beta_fee, fee_months, moving_cost, beta_network,
            network_pct, beta_ties32, ties, beta_integration, integration_policy):
    """The utility gap of leaving over staying (ODD §7.5):

    U = asc + b_w ln(w_dest / w_home) - b_f fee - moving_cost + b_n ln(1 + network)
        - b_t ties + b_i integration_policy

    (the ties term in float32: ``beta_ties32`` times the float32 ties)."""
    x = asc + beta_wage * log_one(wage_ratio)
    x = x - beta_fee * fee_months
    x = x - moving_cost
    x = x + beta_network * log1p(network_pct)
    x = x - np.float64(beta_ties32 * ties)
    return x + beta_integration * integration_policy


@numba.njit(cache=True, nogil=True)
def _decide(idx, C, u_accept, u_match, u_sub, substitution, T, net, P, per_comm, to_dest,
            accepted, propensity, n_orig):
    """The candidates ``idx`` (slots) decide (ODD §7.5): each accepts with probability
    logistic(:func:`utility`) of its offer or attempt (``C``: :data:`Candidates`); an
    acceptance starts a stay (status temporary for offers; settled or irregular for the
    skilled or low-skilled independent; debt + fee; skill match drawn; integration, savings
    and membership from 0), an unregulated agency's recruit may find the contract
    substituted (u_sub below the destination's rate, named re-hires excepted), and the
    recruits are counted per community (DECIDE_SUMS), corridor and agency; each agency's
    offers' chances of acceptance are summed into ``propensity`` (what it learns from).
    ``T``: :data:`DecideTerms`; ``P``: the persons."""
    dest, fee, offered, channel = C.dest, C.fee, C.offered, C.channel
    contract, match, guarantee, named, agency = (C.contract, C.match, C.guarantee, C.named,
                                                 C.agency)
    sub_threshold, integ = C.sub, C.integ
    skill_match_independent, wage_dest, home_wage = (T.skill_match_independent, T.wage_dest,
                                                     T.home_wage)
    asc_offer, asc_independent, beta_wage = T.asc_offer, T.asc_independent, T.beta_wage
    beta_fee, moving_cost, beta_network = T.beta_fee, T.moving_cost, T.beta_network
    beta_ties, beta_integration = T.beta_ties, T.beta_integration
    origin, occ, community, ties, status = P.origin, P.occ, P.community, P.ties, P.status
    p_dest, p_channel, contract_left = P.dest, P.channel, P.contract_left
    q_abroad, n_stays, debt, matched = P.q_abroad, P.n_stays, P.debt, P.matched
    h_dep, h, p_guarantee, p_named = P.h_dep, P.h, P.guarantee, P.named
    substituted, integration, member, savings = (P.substituted, P.integration, P.member,
                                                 P.savings)
    ties32 = F32(beta_ties)
    for n in range(idx.shape[0]):
        i = idx[n]
        k = occ[i]
        o = np.int64(origin[i])
        d = dest[n]
        w = wage_dest[d, k]
        off = offered[n]
        # the utility of leaving (utility); accepted with probability logistic(U)
        fee_months = fee[n] * 3.0 / w if off else 0.0
        x = utility(asc_offer if off else asc_independent, beta_wage, w / home_wage[o, k],
                    beta_fee, fee_months, moving_cost,
                    beta_network, net[community[i], d], ties32, ties[i], beta_integration,
                    integ[n])
        chance = 1.0 / (1.0 + exp_one(-x))
        if off and agency[n] >= 0:
            propensity[agency[n] * n_orig + o] += chance
        if not np.float64(u_accept[n]) < chance:
            continue
        # the stay starts
        if off:
            ok = np.float64(u_match[n]) < match[n]
            st = TEMP
            ch = channel[n]
            quarters = contract[n]
            paid = fee[n]
            g = guarantee[n]
        else:
            skilled = k < LOW
            ok = (u_match[n] < skill_match_independent) if skilled else True
            st = SETTLED if skilled else IRREGULAR
            ch = CH_INDEPENDENT
            quarters = 0
            paid = 0.0
            g = 0.0
        status[i] = st
        p_dest[i] = d
        p_channel[i] = ch
        contract_left[i] = quarters
        q_abroad[i] = 0
        n_stays[i] += 1
        debt[i] = np.float64(debt[i]) + paid
        matched[i] = ok
        h_dep[i] = h[i]
        p_guarantee[i] = g
        p_named[i] = False
        substituted[i] = False
        integration[i] = 0.0
        member[i] = False
        savings[i] = 0.0
        c = community[i]
        if off:
            if agency[n] >= 0:
                accepted[agency[n] * n_orig + o] += 1
            # contract substitution on arrival (ODD §7.6), named re-hires excepted
            if substitution and ch == CH_UNREGULATED and u_sub[n] < sub_threshold[n] \
                    and not named[n]:
                substituted[i] = True
            if named[n]:
                per_comm[DECIDE.rec_named, c] += 1.0
            per_comm[DECIDE.recruit_fees, c] += paid
            if paid > 0:
                per_comm[DECIDE.rec_fee_paid, c] += 1.0
        if ch == CH_AGREEMENT:
            per_comm[DECIDE.rec_agreement, c] += 1.0
        elif ch == CH_REGULATED:
            per_comm[DECIDE.rec_regulated, c] += 1.0
        elif ch == CH_UNREGULATED:
            per_comm[DECIDE.rec_unregulated, c] += 1.0
        elif ch == CH_INDEPENDENT:
            per_comm[DECIDE.rec_independent, c] += 1.0
        to_dest[o, d, CORRIDOR.recruits] += 1.0
        if k == HEALTH:
            per_comm[DECIDE.rec_health, c] += 1.0
            to_dest[o, d, CORRIDOR.health_recruits] += 1.0


@numba.njit(cache=True, nogil=True)
def _candidates(cand, n_o, O, a_dest, u, u_sub, T, net, P, per_comm, to_dest, accepted,
                propensity, n_orig):
    """:func:`_decide` for the candidates ``cand``: the first ``n_o`` with the offers ``O``
    (:data:`OfferArrays`), the others attempting on their own to ``a_dest``; each
    candidate's offer or attempt and the levers at its destination looked up first."""
    n = cand.shape[0]
    dest = np.empty(n, dtype=np.int64)
    fee, match, guarantee = np.zeros(n), np.zeros(n), np.zeros(n)
    offered, named = np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_)
    channel, contract = np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int16)
    agency = np.full(n, -1, dtype=np.int64)
    sub, integ = np.zeros(n), np.empty(n)
    substitution = False  # whether any offer's destination substitutes contracts
    for j in range(n_o):
        d = np.int64(O.dest[j])
        dest[j] = d
        fee[j] = O.fee[j]
        offered[j] = True
        channel[j] = O.channel[j]
        contract[j] = O.contract[j]
        match[j] = O.match[j]
        guarantee[j] = O.guarantee[j]
        if O.has_named:
            named[j] = O.named[j]
        agency[j] = O.agency[j]
        sub[j] = threshold(T.sub_d[d], T.sub_scalar)
        if T.sub_d[d] != 0.0:
            substitution = True
    for j in range(n_o, n):
        dest[j] = np.int64(a_dest[j - n_o])
    for j in range(n):
        integ[j] = T.integ_d[dest[j]]
    _decide(cand, Candidates(dest, fee, offered, channel, contract, match, guarantee, named,
                             agency, sub, integ),
            u[0], u[1], u_sub, substitution, T, net, P, per_comm, to_dest, accepted, propensity,
            n_orig)


#: the decisions' terms (:func:`decide_terms`): the destinations' contract-substitution rate
#: and integration policy as tables (with whether the rate is one number everywhere), the
#: skill match of independent migrants, the wages and the utility's weights
DecideTerms = namedtuple("DecideTerms", "sub_d sub_scalar integ_d skill_match_independent "
                         "wage_dest home_wage asc_offer asc_independent beta_wage beta_fee "
                         "moving_cost beta_network beta_ties beta_integration")
#: a quarter's offers as arrays, one per offer (migdev.core.offers.Offers)
OfferArrays = namedtuple("OfferArrays", "dest fee channel contract match guarantee named "
                         "has_named agency")
#: each candidate's offer or attempt, and the levers at its destination (:func:`_decide`)
Candidates = namedtuple("Candidates", "dest fee offered channel contract match guarantee "
                        "named agency sub integ")
_NO_OFFERS = OfferArrays(np.zeros(0, np.int8), np.zeros(0), np.zeros(0, np.int8),
                         np.zeros(0, np.int16), np.zeros(0), np.zeros(0), np.zeros(0, bool),
                         False, np.zeros(0, np.int64))


def decide_terms(p, wage_dest, home_wage, substitution_rate, integration_policy,
                 n_dest: int) -> DecideTerms:
    """The terms of :func:`accept_and_leave` that change only with the parameters and the
    policy in force: the wages, the destinations' contract-substitution rate and integration
    policy as tables (with whether the rate is one number everywhere: compared at the draws'
    precision then) and the utility's weights."""
    return DecideTerms(
        sub_d=table_of(substitution_rate, (n_dest,)), sub_scalar=is_scalar(substitution_rate),
        integ_d=table_of(integration_policy, (n_dest,)),
        skill_match_independent=np.float32(p.skill_match_independent),
        wage_dest=as_array(wage_dest), home_wage=as_array(home_wage),
        asc_offer=float(p.asc_offer), asc_independent=float(p.asc_independent),
        beta_wage=float(p.beta_wage), beta_fee=float(p.beta_fee),
        moving_cost=float(p.moving_cost), beta_network=float(p.beta_network),
        beta_ties=float(p.beta_ties), beta_integration=float(p.beta_integration_policy))


def accept_and_leave(pop, cand, offers, attempts, u, u_sub, net, terms: DecideTerms, n_comm: int,
                     to_dest, accepted, n_orig: int, propensity=None):
    """The candidates ``cand`` (slots: those with the offers ``offers``, then those
    attempting ``attempts``; either may be None) accept or refuse (:func:`utility`,
    logit), and those who accept start their stay (unregulated recruits may find their
    contract substituted), one person at a time, in order, in one compiled call.

    Args:
        u: (2, len(cand)) the candidates' float32 draws of acceptance and skill match (in
            their order); u_sub: (len(cand),) of substitution; net: (n_comm, n_dest) per cent
            abroad; terms: :func:`decide_terms`; to_dest: (n_orig, n_dest, k) corridor flows,
            recruits and health recruits added in columns 0 and 1; accepted: (n_ag, n_orig)
            the agencies' accepted offers per origin, added to (the market sets them to 0
            at the start of each quarter); propensity: (n_ag, n_orig) float, the sums of
            their offers' chances of acceptance, added to likewise (None: not kept).

    Returns:
        (len(DECIDE_SUMS), n_comm) sums per community.
    """
    n = len(cand)
    check_float32_draws(n, u[0], u[1], u_sub)
    if offers is None:
        n_o, fields = 0, _NO_OFFERS
    else:
        n_o = len(offers.idx)
        fields = OfferArrays(
            offers.dest, offers.fee, offers.channel, offers.contract, offers.match,
            offers.guarantee, offers.named if offers.named is not None else _NO_OFFERS.named,
            offers.named is not None, offers.agency)
    per_comm = np.zeros((len(DECIDE_SUMS), n_comm))
    _candidates(as_array(cand, np.int64), n_o, fields,
                _NO_OFFERS.dest if attempts is None else attempts.dest,
                np.ascontiguousarray(u), np.ascontiguousarray(u_sub), terms, as_array(net),
                pop.persons(), per_comm, to_dest, accepted.reshape(-1),
                (np.zeros(accepted.size) if propensity is None else propensity.reshape(-1)),
                n_orig)
    return per_comm


#: rows of returns' per-community sums
RETURN_SUMS = ("contract_ends", "overstays", "contract_settles", "returns", "return_gain",
               "knowledge_in", "returns_health", "savings_home")
#: each row's position by name (``per_comm[RETURN.returns, c]``)
RETURN = rows_by_name(RETURN_SUMS, "ReturnSums")


@numba.njit(cache=True, nogil=True)
def overstay(const_minus_enforcement, hardship_weight, development, rights_weight, right,
             has_right, guarantee):
    """The chance that a worker whose contract ends overstays (ODD §7.9): logistic(c - e *
    enforcement + k (1 - D)
    - r * right) * (1 - g), with 1 - g in float32 (a Python float minus float32 ``g``)."""
    x = const_minus_enforcement + hardship_weight * (1.0 - development)
    if has_right:
        x = x - rights_weight * right
    return (1.0 / (1.0 + exp_one(-x))) * np.float64(F32(1.0) - guarantee)


@numba.njit(cache=True, nogil=True)
def contract_end(u, visa, visa_scalar, integration, guarantee, skilled, over):
    """The outcome of one ending contract (ODD §7.9: 0 return, 1 settle, 2 overstay)
    with the settle probability s = visa * integration * (1 - g) for the skilled (0
    otherwise) — in float32 where the visa openness is one number everywhere — and, for a
    return, v = (u - a) / (1 - a), a = s + (1 - s) o, the rest of
    the draw compared with the employer's re-hiring rate."""
    if visa_scalar:
        s32 = (F32(visa) * integration) * (F32(1.0) - guarantee) if skilled else F32(0.0)
        settle_now = u < s32
        a = np.float64(s32) + np.float64(F32(1.0) - s32) * over
    else:
        s64 = (visa * np.float64(integration)) * np.float64(F32(1.0) - guarantee) \
            if skilled else 0.0
        settle_now = np.float64(u) < s64
        a = s64 + (1.0 - s64) * over
    u64 = np.float64(u)
    if settle_now:
        return 1, 0.0
    if u64 < a:
        return 2, 0.0
    return 0, (u64 - a) / max(1.0 - a, 1e-12)


@numba.njit(cache=True, nogil=True)
def settled_return(P, i, T, development, incentive, portability, has_port):
    """The quarterly return probability of the settled migrant ``i`` of the persons ``P``
    (ODD §7.9), 1 - exp(-lambda),

        lambda = lambda0 exp(b_T ties + b_D dev + b_R incentive - b_I integration
                             - b_Y years + b_P portability - b_W ln(w_d,k / w0_d,k)
                             + b_S min(1, savings / target_o,k)
                             + b_A (age - entry_age) / (retirement_age - entry_age)),

    every term read here from the person and the weights ``T`` (:data:`AbroadTerms`);
    ``development``: the home community's index; ``incentive``, ``portability``: the
    person's levers (portability counted where some settled migrant's corridor grants it,
    ``has_port``). The ties and integration terms are float32 products; the wage and
    savings motives count while on (``T.has_wage_rel``, ``T.has_saved``)."""
    x = np.float64(T.w_ties32 * P.ties[i]) + T.w_development * development
    x = x + T.w_incentive * incentive
    x = x - np.float64(T.w_integration32 * P.integration[i])
    x = x - T.w_years * (np.float64(P.q_abroad[i]) / 4.0)
    if has_port:
        x = x + T.w_port * portability
    if T.has_wage_rel:  # life cycle: a better wage abroad than at the start
        x = x - T.w_wage * log_one(T.wage_rel[P.dest[i], P.occ[i]])
    if T.has_saved:  # target earners: the stay's savings against the target
        saved = np.float64(P.savings[i]) / T.saving_target[P.origin[i], P.occ[i]]
        x = x + T.w_saved * at_most_one(saved)
    if T.w_retire != 0.0:  # nearer retirement, nearer home: 0 at entry, 1 at retirement
        x = x + T.w_retire * ((np.float64(P.age[i]) - T.retire_from) / T.retire_span)
    lam = T.hazard * exp_one(x)
    return -expm1_one(-lam)


@numba.njit(cache=True, nogil=True)
def _returns(idx, u, P, T, development, levers, has_change_right, has_port, per_comm, to_dest):
    """Returns of the persons ``idx`` abroad (ODD §7.9), in place on the persons ``P``: a
    temporary contract ends (settle, overstay or return: :func:`contract_end`,
    :func:`overstay`; the employer may name a returning worker for re-hiring); settled
    migrants return with :func:`settled_return`'s probability, irregular ones at the
    irregular return and removal rate; returnees bring home their savings and the skills
    gained. ``levers``: :data:`ReturnLevers` per person; sums per community
    (RETURN_SUMS)."""
    status, occ, origin, dest, community = P.status, P.occ, P.origin, P.dest, P.community
    contract_left, guarantee, integration = P.contract_left, P.guarantee, P.integration
    savings, h, h_dep = P.savings, P.h, P.h_dep
    member, remitted, named = P.member, P.remitted, P.named
    visa, change_right, named_rate = levers.visa, levers.change, levers.named_rate
    incentive, portability = levers.incentive, levers.port
    visa_scalar, const_minus_enforcement = T.visa_scalar, T.const_minus_enforcement
    hardship_weight, rights_weight = T.hardship_weight, T.rights_weight
    irregular_threshold, knowledge_per_gain32 = T.irregular_threshold32, T.knowledge_per_gain32
    for n in range(idx.shape[0]):
        i = idx[n]
        s = status[i]
        c = community[i]
        dev = development[c]
        back = False
        if s == TEMP:
            contract_left[i] -= 1
            if contract_left[i] > 0:
                continue
            # the contract ends: settle, overstay or return (contract_end)
            g = guarantee[i]
            over = overstay(const_minus_enforcement, hardship_weight, dev, rights_weight,
                            change_right[n], has_change_right, g)
            outcome, v = contract_end(u[n], visa[n], visa_scalar, integration[i], g,
                                      occ[i] < LOW, over)
            per_comm[RETURN.contract_ends, c] += 1.0
            if outcome == 1:
                status[i] = SETTLED
                per_comm[RETURN.contract_settles, c] += 1.0
            elif outcome == 2:
                status[i] = IRREGULAR
                per_comm[RETURN.overstays, c] += 1.0
            else:
                back = True
                # the employer may name the worker for re-hiring
                if v < named_rate[n]:
                    named[i] = True
        elif s == SETTLED:
            prob = settled_return(P, i, T, dev, incentive[n], portability[n], has_port)
            back = np.float64(u[n]) < prob
        elif s == IRREGULAR:
            back = u[n] < irregular_threshold
        if not back:
            continue
        # home again, with savings and the skills gained (h - h at departure, >= 0)
        kept = np.float64(savings[i])
        savings[i] = 0.0
        gain = max(h[i] - h_dep[i], F32(0.0))
        status[i] = RETURNED
        contract_left[i] = 0
        member[i] = False
        remitted[i] = False
        per_comm[RETURN.returns, c] += 1.0
        per_comm[RETURN.return_gain, c] += np.float64(gain)
        per_comm[RETURN.knowledge_in, c] += np.float64(knowledge_per_gain32 * gain)
        if occ[i] == HEALTH:
            per_comm[RETURN.returns_health, c] += 1.0
        per_comm[RETURN.savings_home, c] += kept
        to_dest[origin[i], dest[i], CORRIDOR.returns] += 1.0


@numba.njit(cache=True, nogil=True)
def _abroad(idx, u_work, u_remit, u_mission, u_return, P, fac, fac_moved, access_c,
            development, to_dest, T, n_comm, n_dest):
    """A quarter abroad (ODD §7.6-7.9; :func:`abroad_quarter`): each person's lever values
    looked up once, then :func:`_work`, :func:`_remit`, the missions
    (``association.kernels.missions_pass``) and :func:`_returns`, one after the other, on the
    persons ``P`` with the terms ``T`` (:data:`AbroadTerms`)."""
    n = idx.shape[0]
    # each person's lever values, looked up once (none depends on what the four passes
    # change); the returns add an optional term only when some person concerned has it
    # non-zero
    join, recog, leave, change_n = np.empty(n), np.empty(n), np.zeros(n), np.zeros(n)
    share, access, formal_fee = np.empty(n), np.empty(n), np.empty(n)
    p_formal, loss_prob, rate = np.empty(n), np.empty(n), np.empty(n)
    visa, named_rate, incentive, port = np.empty(n), np.empty(n), np.empty(n), np.zeros(n)
    any_change = False
    any_port = False
    for j in range(n):
        i = idx[j]
        o, d = np.int64(P.origin[i]), np.int64(P.dest[i])
        # 6. work
        factor = fac[np.int64(P.community[i]) * n_dest + d] if fac_moved else 1.0
        join[j] = at_most_one(T.join_rate * factor) if fac_moved else threshold(T.join_rate, True)
        if T.has_change:
            change_n[j] = T.change_od[o, d]
            leave[j] = (T.change_match * T.change_od[o, d]) * (1.0 if P.status[i] == TEMP else 0.0)
            recog[j] = T.recognition + leave[j]
            if P.status[i] == TEMP and P.contract_left[i] <= 1 and change_n[j] != 0.0:
                any_change = True
        else:
            recog[j] = threshold(T.recognition, True)
        # 7. remittances
        share[j] = at_most_one(T.collective_share * factor) if fac_moved else T.collective_share
        access[j] = access_c[P.community[i]]
        formal_fee[j] = T.formal_fee_od[o, d]
        p_formal[j] = threshold(T.p_formal_od[o, d], T.p_formal_scalar)
        loss_prob[j] = threshold(T.informal_loss, True)
        # 8. missions
        rate[j] = T.mission_rate_o[o]
        # 9. returns
        visa[j] = T.visa_d[d]
        named_rate[j] = T.named_rate_d[d]
        incentive[j] = T.incentive_o[o]
        if T.has_port_table:
            port[j] = T.port_od[o, d]
            if P.status[i] == SETTLED and port[j] != 0.0:
                any_port = True
    income = np.empty(n)
    _work(idx, P, T, u_work[0], join, u_work[1], recog, leave, income)
    out = Transfers(np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.bool_),
                    np.empty(n), np.empty(n), np.empty(n))
    remit_comm = np.zeros((len(REMIT), n_comm))  # REMIT_SUMS, WELFARE_SUMS
    per_assoc = np.zeros((len(ASSOCIATION), n_comm * n_dest))
    _remit(idx, P, T, income, RemitLevers(share, access, p_formal, loss_prob, formal_fee),
           u_remit, out, n_dest, to_dest[:, :, CORRIDOR.remittances], remit_comm, per_assoc)
    mission_comm = np.zeros((len(MISSION), n_comm))
    organised = np.zeros(n_comm * n_dest, dtype=np.int64)
    missions_pass(idx, u_mission, P, rate, T.mission_boost, T.knowledge_per_mission32, n_dest,
              mission_comm, to_dest, organised)
    return_comm = np.zeros((len(RETURN), n_comm))
    _returns(idx, u_return, P, T, development,
             ReturnLevers(visa, change_n, named_rate, incentive, port), any_change, any_port,
             return_comm, to_dest)
    household, fee, loss = out.household, out.fee, out.loss
    return remit_comm, per_assoc, household, fee, loss, mission_comm, organised, return_comm


def abroad_terms(p, wage_dest, integration_policy, change_right, formal_fee, p_formal,
                 engagement, visa, named_rate, incentive, portability, wage_rel,
                 saving_target, insurance, n_orig: int, n_dest: int) -> AbroadTerms:
    """The terms of :func:`abroad_quarter` that change only with the parameters and the
    policy in force: each lever (a scalar, or one value per origin, destination or
    corridor) as a table, with the flags that say which are one number everywhere.
    ``change_right``, ``portability``: (n_orig, n_dest), or a scalar where the right is
    nowhere granted; ``wage_rel``, ``saving_target``: the settled migrants' return motives
    (migrant.return_motive_tables), None while off; ``insurance``: the remittances'
    insurance motive per origin (ODD §7.7): ``remit_insurance`` x the fall of the origin's
    home earnings below the base year's, max(0, 1 - w_o,low / w0_o,low) (None while off)."""
    table = table_of
    corridor, per_dest, per_orig = (n_orig, n_dest), (n_dest,), (n_orig,)
    eng = np.asarray(engagement, dtype=np.float64)
    return AbroadTerms(
        wage_dest=as_array(wage_dest),
        integ_d=table(integration_policy, per_dest),
        join_rate=float(p.association_join_rate),
        change_od=table(change_right, corridor),
        has_change=not is_scalar(change_right),
        change_match=float(p.change_employer_match),
        recognition=float(p.recognition_rate),
        growth_matched=1.0 + p.skill_growth_abroad,
        growth_wasted=1.0 - p.brain_waste_rate,
        h_min=float(p.h_min),
        h_max=float(p.h_max),
        substitution_loss=float(p.substitution_loss),
        advocacy=float(p.association_advocacy),
        abuse=float(p.abuse_penalty),
        integration_rate=float(p.integration_rate),
        ties_decay=float(p.ties_decay),
        association_ties=float(p.association_ties),
        net_share=1.0 - p.consumption_share,
        repay_share=float(p.debt_repay_share),
        remit_base=float(p.remit_base),
        remit_ties=float(p.remit_ties),
        remit_years=float(p.remit_years),
        insure_o=table(0.0 if insurance is None else insurance, per_orig),
        has_insure=insurance is not None,
        collective_share=float(p.collective_share),
        formal_fee_od=table(formal_fee, corridor),
        p_formal_od=table(p_formal, corridor),
        p_formal_scalar=is_scalar(p_formal),
        informal_loss=float(p.informal_loss),
        informal_fee=float(p.informal_fee),
        mission_rate_o=table(p.mission_rate * (1.0 + eng), per_orig),
        mission_boost=float(p.mission_member_boost),
        knowledge_per_mission32=np.float32(p.knowledge_per_mission),
        visa_d=table(visa, per_dest),
        visa_scalar=is_scalar(visa),
        const_minus_enforcement=p.overstay_const - p.overstay_enforcement * p.border_enforcement,
        hardship_weight=float(p.overstay_hardship),
        rights_weight=float(p.overstay_rights),
        named_rate_d=table(named_rate, per_dest),
        hazard=float(p.return_hazard),
        w_ties32=np.float32(p.hazard_ties),
        w_development=float(p.hazard_development),
        incentive_o=table(incentive, per_orig),
        w_incentive=float(p.hazard_incentive),
        w_integration32=np.float32(p.hazard_integration),
        w_years=float(p.hazard_years),
        port_od=table(portability, corridor),
        has_port_table=not is_scalar(portability),
        w_port=float(p.hazard_portability),
        wage_rel=as_table(wage_rel),
        has_wage_rel=wage_rel is not None,
        w_wage=float(p.hazard_wage_abroad),
        saving_target=as_table(saving_target),
        has_saved=saving_target is not None,
        w_saved=float(p.hazard_savings),
        w_retire=float(p.hazard_retirement),
        retire_from=float(p.entry_age),
        retire_span=float(p.retirement_age - p.entry_age),
        irregular_threshold32=np.float32(p.irregular_return
                                         + p.removal_rate * p.border_enforcement),
        knowledge_per_gain32=np.float32(p.knowledge_per_gain))

def abroad_quarter(pop, idx, u_work, u_remit, u_mission, u_return, fac, access, development,
                   to_dest, terms: AbroadTerms, n_comm: int, n_dest: int):
    """A quarter abroad for the persons ``idx``: work (ODD §7.6), remittances (§7.7),
    missions (§7.8) and returns (§7.9), four passes one after the other, in one compiled
    call (the lever values each of them took per person are looked up in
    ``terms``, :func:`abroad_terms`).

    ``u_work`` (2, n), ``u_remit`` (3, n), ``u_mission``, ``u_return`` (n,): the persons'
    float32 draws of each stream, in their order; ``fac``: the associations' participation
    factors (community x destination), or a scalar while no trust has moved; ``access``,
    ``development``: per community; ``to_dest``: (n_orig, n_dest, k) the corridors' flows,
    added to in place. Returns the remittances' (len(REMIT_SUMS), n_comm) and associations'
    (2, n_comm * n_dest) sums, the persons' household transfers, fees and losses, the
    missions' (len(MISSION_SUMS), n_comm) sums and missions organised per association,
    and the returns' (len(RETURN_SUMS), n_comm) sums."""
    idx = as_array(idx, np.int64)
    n = len(idx)
    if len(u_work) != 2 or len(u_remit) != 3:
        raise ValueError(f"a quarter abroad takes 2 rows of draws of work and 3 of remittances, "
                         f"got {len(u_work)} and {len(u_remit)}")
    check_float32_draws(n, u_work, u_remit, u_mission, u_return)
    moved = not is_scalar(fac)
    return _abroad(
        idx, np.ascontiguousarray(u_work), np.ascontiguousarray(u_remit),
        np.ascontiguousarray(u_mission), np.ascontiguousarray(u_return),
        pop.persons(), as_array(fac) if moved else NO_VECTOR, moved, as_array(access),
        as_array(development), to_dest, terms, n_comm, n_dest)


@numba.njit(cache=True, nogil=True)
def _enter(idx, occ_new, first_id, entry_age, u_ties, P, trainees):
    """The entrants ``idx`` (slots of those who left) start as new persons (ODD §7.2): at
    home with no stay, occupation ``occ_new``, ids from ``first_id``, age ``entry_age``,
    skill 1, ties 0.5 + 0.5 u; health trainees counted per community."""
    community, person_id, occ, age, h, h_dep = (P.community, P.person_id, P.occ, P.age, P.h,
                                                P.h_dep)
    ties, status, dest, contract_left = P.ties, P.status, P.dest, P.contract_left
    q_abroad, n_stays, savings, debt = P.q_abroad, P.n_stays, P.savings, P.debt
    integration, member, channel, matched = P.integration, P.member, P.channel, P.matched
    guarantee, remitted, named, substituted = P.guarantee, P.remitted, P.named, P.substituted
    kept_total, q_total = P.kept_total, P.q_total
    half = F32(0.5)
    for n in range(idx.shape[0]):
        i = idx[n]
        # a new person: the state of Population.empty (at home, no stay, no destination)
        status[i] = HOME
        dest[i] = -1
        contract_left[i] = 0
        q_abroad[i] = 0
        n_stays[i] = 0
        savings[i] = 0.0
        debt[i] = 0.0
        integration[i] = 0.0
        member[i] = False
        channel[i] = -1
        matched[i] = False
        guarantee[i] = 0.0
        remitted[i] = False
        named[i] = False
        substituted[i] = False
        kept_total[i] = 0.0
        q_total[i] = 0
        person_id[i] = first_id + n
        occ[i] = occ_new[n]
        age[i] = entry_age
        h[i] = 1.0
        h_dep[i] = 1.0
        ties[i] = half + half * u_ties[n]  # independent of the rank (ODD §7.2)
        if occ_new[n] == HEALTH:
            trainees[community[i]] += 1.0


def enter(pop, idx, occ, first_id: int, entry_age: float, u_ties, n_comm: int) -> np.ndarray:
    """The entrants ``idx`` (slots of those who left) start as new persons of occupation
    ``occ`` with ids from ``first_id``, age ``entry_age``, skill 1 and ties 0.5 + 0.5 u
    (``u_ties``: one draw per entrant, in the order of ``idx``); returns the health
    trainees per community."""
    check_draws(len(idx), u_ties)
    trainees = np.zeros(n_comm)
    _enter(as_array(idx, np.int64), as_array(occ, np.int8), int(first_id),
           np.float32(entry_age), u_ties, pop.persons(), trainees)
    return trainees


@numba.njit(cache=True, nogil=True)
def _entry(idx, u, P, S, place_credit, elasticity, u_extra, cohort_expected, first_id,
           entry_age, trainees, applicants):
    """A quarter's entrants ``idx`` (ODD §7.2): the training system (:func:`_training`, with
    ``S``: :data:`TrainingInputs`), their choice of a track (:func:`_choose_tracks`, draws
    ``u[0]``, ``u[1]``), the places kept (:func:`keep_unused`) and their entry
    (:func:`_enter`, ties from ``u[2]``)."""
    n_orig = S.home.shape[0]
    probs = np.empty((n_orig, 4))
    places = np.empty((n_orig, 3), dtype=np.int64)
    credit = np.empty((n_orig, 3))
    per_entrant = np.empty((n_orig, 3))
    _training(idx, P.origin, S.prospect, S.home, S.dest, S.cost, S.beta, S.cap, S.multiplier,
              S.extra, place_credit, S.u_training, probs, places, credit, per_entrant)
    occ_new = np.empty(idx.shape[0], dtype=np.int8)
    _choose_tracks(idx, P.origin, u[0], u[1], probs, places, elasticity, u_extra, occ_new,
                   applicants)
    keep_unused(place_credit, credit, applicants, places, per_entrant, cohort_expected)
    _enter(idx, occ_new, first_id, entry_age, u[2], P, trainees)


#: the origins' side of entry (:func:`_training`): the emigration prospect, home wages,
#: corridor-weighted wages abroad, the tracks' costs, the weight of ln earnings, the places
#: per entrant before policy, the training multiplier and extra places per origin, and the
#: rounding draws of the places
TrainingInputs = namedtuple("TrainingInputs", "prospect home dest cost beta cap multiplier "
                            "extra u_training")


def entry(pop, idx, u, prospect, training_terms: tuple, beta: float, multiplier, extra,
          place_credit, u_training, elasticity: float, u_extra, cohort_expected,
          first_id: int, entry_age: float, n_comm: int):
    """A quarter's entrants ``idx`` (slots of those who left; ``u``: their three draws,
    (3, entrants)) in one compiled call: :func:`training_system` (``training_terms``: the
    home wages, the corridor-weighted wages abroad, the tracks' costs and the places per
    entrant before policy, as ``migrant.make_training_terms`` gives them),
    :func:`choose_tracks` with the first two rows, :func:`keep_unused` on ``place_credit``
    (in place) and :func:`enter` with the third. Returns the health trainees per community
    and the applicants per origin and track."""
    idx = as_array(idx, np.int64)
    if np.ndim(u) != 2 or np.shape(u)[0] != 3:
        raise ValueError(f"entry takes three draws per entrant, got shape {np.shape(u)}")
    check_float32_draws(len(idx), u)
    home, dest, cost, cap = training_terms
    n_orig = home.shape[0]
    trainees = np.zeros(n_comm)
    applicants = np.zeros((n_orig, 4), dtype=np.int64)
    inputs = TrainingInputs(as_array(prospect), as_array(home), as_array(dest), as_array(cost),
                            float(beta), as_array(cap), as_array(multiplier), as_array(extra),
                            as_array(u_training))
    _entry(idx, u, pop.persons(), inputs, place_credit, float(elasticity),
           as_array(u_extra if np.shape(u_extra) == (n_orig, LOW)
                    else np.broadcast_to(u_extra, (n_orig, LOW))), as_array(cohort_expected),
           int(first_id), np.float32(entry_age), trainees, applicants)
    return trainees, applicants


fresh_caches(__name__)
