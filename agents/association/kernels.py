"""The migrant associations' compiled kernels (ODD §7.7-7.8): missions, and the
institutions' accounts of a quarter abroad (flows, collective funds, match, projects)."""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np

from migdev.core.codes import (
    EDUCATION,
    HEALTH,
    IRREGULAR,
    LOW,
)
from migdev.core.kernels import (
    as_array,
    as_vector,
    fresh_caches,
)
from migdev.core.ledger import CORRIDOR, add_rows, rows_by_name

#: rows of the missions' per-community sums (the quarter abroad's pass)
MISSION_SUMS = ("missions", "knowledge_in", "mission_health_h", "mission_education_h")
#: each row's position by name (``per_comm[MISSION.missions, c]``)
MISSION = rows_by_name(MISSION_SUMS, "MissionSums")
#: rows of the per-association sums of the remittances' pass: members who remit and their
#: collective gifts (``per_assoc[ASSOCIATION.fund, a]``)
ASSOCIATION = rows_by_name(("members", "fund"), "AssociationSums")


@numba.njit(cache=True, nogil=True)
def missions_pass(idx, u, P, rate_engaged, boost, knowledge32, n_dest, per_comm, to_dest,
              organised):
    """Temporary-return missions of the persons ``idx`` abroad (ODD §7.8): a skilled migrant
    in a regular status goes with probability min(1, rate (1 + engagement) (1 + boost
    member) ties), bringing knowledge ``knowledge_per_mission`` x h home; sums per community
    (MISSION_SUMS) and the missions each association organised (members')."""
    occ, status, origin, dest = P.occ, P.status, P.origin, P.dest
    community, ties, member, h = P.community, P.ties, P.member, P.h
    for n in range(idx.shape[0]):
        i = idx[n]
        k = occ[i]
        if k >= LOW or status[i] == IRREGULAR:
            continue
        # P = min(1, rate (1 + engagement) (1 + boost member) ties) (ODD §7.8)
        prob = min(1.0, (rate_engaged[n] * (1.0 + boost * (1.0 if member[i] else 0.0)))
                   * np.float64(ties[i]))
        if not np.float64(u[n]) < prob:
            continue
        c = community[i]
        per_comm[MISSION.missions, c] += 1.0
        # a Python float times float32 h
        per_comm[MISSION.knowledge_in, c] += np.float64(knowledge32 * h[i])
        if k == HEALTH:
            per_comm[MISSION.mission_health_h, c] += np.float64(h[i])
        elif k == EDUCATION:
            per_comm[MISSION.mission_education_h, c] += np.float64(h[i])
        to_dest[origin[i], dest[i], CORRIDOR.missions] += 1.0
        if member[i]:
            organised[np.int64(c) * n_dest + dest[i]] += 1


#: the flows' rows the accounts add to: the remittances' (REMIT_SUMS[:3]), the fees, the
#: collective gifts, the match (in all, then the municipal and the state levels'), the
#: missions' (MISSION_SUMS), the returns' (RETURN_SUMS but the last, the savings brought
#: home) and the migrants' own quarter (WELFARE_SUMS); and the rows of the persons' sums
#: read one by one: the remittances' received, household fees, collective gifts and their
#: fees (REMIT_SUMS), the savings brought home (RETURN_SUMS)
AccountRows = namedtuple("AccountRows", "remit fees collective matched matched_levels mission "
                         "ret welfare to_projects social_fund sum_received "
                         "sum_household_fees sum_collective sum_collective_fee_paid "
                         "sum_savings_home")
#: the associations' records of the quarter and their totals (AssociationState's arrays)
AssociationRecords = namedtuple("AssociationRecords", "members fund matched missions "
                                "total_fund total_matched total_missions")
#: the levels of the match (ODD §7.7), in the order of the rows of ``ratio`` and ``budget``
MATCH_LEVELS = ("local", "state", "national")


@numba.njit(cache=True, nogil=True)
def match_levels(gifts, ratio, budget, comm_origin, development, least_developed_first,
                 matched, effective):
    """The public match of each community's collective gifts ``gifts`` at three levels
    (ODD §7.7), into ``matched`` (3, n_comm) by level (MATCH_LEVELS) and ``effective``
    (n_comm), the match paid per unit given in all.

    ``ratio`` (3, n_comm): the match paid per unit given at each level (promised x the
    share honoured); ``budget`` (3, n_comm): each level's budget this quarter, the
    municipality's and the state's per community, the nation's per origin (the same in
    every community of an origin). A community's request at a level is ratio x gifts.
    The municipal and state levels pay min(request, budget). The nation pays every request
    of an origin when their sum is within its budget; otherwise it shares the budget in
    proportion to the requests, or, ``least_developed_first``, pays the communities in
    order of their development index (lowest first, then by index) until it runs out."""
    n_comm = gifts.shape[0]
    n_orig = 0
    for c in range(n_comm):
        n_orig = max(n_orig, comm_origin[c] + 1)
    asked, limit = np.zeros(n_orig), np.zeros(n_orig)
    bound = np.zeros(n_comm, dtype=np.bool_)
    for c in range(n_comm):
        for k in range(2):  # the municipality's and the state's, each its own budget
            request = ratio[k, c] * gifts[c]
            matched[k, c] = min(request, budget[k, c])
            bound[c] = bound[c] or matched[k, c] < request
        matched[2, c] = ratio[2, c] * gifts[c]  # the nation's request
        asked[comm_origin[c]] += matched[2, c]
        limit[comm_origin[c]] = budget[2, c]  # the origin's (the same in its communities)
    for o in range(n_orig):
        if asked[o] <= limit[o]:
            continue
        left = limit[o]
        if not least_developed_first:  # in proportion to the requests
            share = left / asked[o]
            for c in range(n_comm):
                if comm_origin[c] == o:
                    matched[2, c] *= share
                    bound[c] = True
            continue
        members = np.flatnonzero(comm_origin == o)
        order = members[np.argsort(development[members], kind="mergesort")]
        for c in order:
            paid = min(matched[2, c], left)
            left -= paid
            bound[c] = bound[c] or paid < matched[2, c]
            matched[2, c] = paid
    for c in range(n_comm):
        if not bound[c]:  # paid in full: the ratios themselves
            effective[c] = (ratio[0, c] + ratio[1, c]) + ratio[2, c]
        else:
            total = (matched[0, c] + matched[1, c]) + matched[2, c]
            effective[c] = total / gifts[c] if gifts[c] > 0 else 0.0


@numba.njit(cache=True, nogil=True)
def social_fund(to_projects, share, development, population, comm_origin, n_orig, fund_in):
    """A social investment fund (ODD §7.7; El Salvador's design): in each origin, the share
    ``share_c`` of each community's collective money for projects (gifts less fees plus the
    match) goes through the fund, which directs the pool to the communities on its list in
    proportion to their need, (1 - development_c) x population_c:

        fund_in_c = need_c / sum_o(need) x sum_o(share x to_projects),
        to_projects_c <- (1 - share_c) to_projects_c + fund_in_c,

    in place (``fund_in``: per community). Where an origin's communities have no need (all
    fully developed), the money goes back where it came from. The origin's total is kept."""
    n = to_projects.shape[0]
    pool = np.zeros(n_orig)
    need_sum = np.zeros(n_orig)
    for c in range(n):
        o = comm_origin[c]
        pool[o] += share[c] * to_projects[c]
        need_sum[o] += max(1.0 - development[c], 0.0) * population[c]
    for c in range(n):
        o = comm_origin[c]
        given = share[c] * to_projects[c]
        if need_sum[o] > 0:
            fund_in[c] = pool[o] * (max(1.0 - development[c], 0.0) * population[c]) / need_sum[o]
        else:
            fund_in[c] = given
        to_projects[c] = (to_projects[c] - given) + fund_in[c]


@numba.njit(cache=True, nogil=True)
def _accounts(flows, R, sums, stocks, invest_share, M, comm_origin, development, fee,
              fee_paid, per_assoc, organised, S, out):
    """The institutions' part of a quarter abroad (see :func:`accounts`); ``R``:
    :data:`AccountRows`; ``sums``: the persons' remittance, mission and return sums;
    ``stocks``: the communities' investment and projects (in place); ``M``: the match's
    :data:`MatchTerms`; ``S``: the associations' records (AssociationState's arrays)."""
    remit_sums, mission_sums, return_sums = sums
    investment, projects = stocks
    ratio, budget, least_developed_first = M.ratio, M.budget, M.least_developed_first
    fund_share, population, n_orig = M.fund_share, M.population, M.n_orig
    rows_remit, row_fees, row_collective = R.remit, R.fees, R.collective
    row_matched, rows_levels, rows_mission, rows_return = (R.matched, R.matched_levels,
                                                           R.mission, R.ret)
    st_members, st_fund, st_matched, st_missions = S.members, S.fund, S.matched, S.missions
    st_total_fund, st_total_matched = S.total_fund, S.total_matched
    st_total_missions = S.total_missions
    n_comm = flows.shape[1]
    received, household_fees = remit_sums[R.sum_received], remit_sums[R.sum_household_fees]
    contrib, paid = remit_sums[R.sum_collective], remit_sums[R.sum_collective_fee_paid]
    # 7. the remittances' flows, the households' investment
    add_rows(flows, rows_remit, remit_sums[:rows_remit.shape[0]])
    # the migrants' own quarter (the last rows of the remittances' sums)
    add_rows(flows, R.welfare, remit_sums[remit_sums.shape[0] - R.welfare.shape[0]:])
    for c in range(n_comm):
        investment[c] += invest_share * received[c]
    # the associations' collective gifts, matched at each level, less the fee, to the
    # projects
    levels = np.empty((3, n_comm))
    effective = np.empty(n_comm)
    match_levels(contrib, ratio, budget, comm_origin, development, least_developed_first,
                 levels, effective)
    for c in range(n_comm):
        f = fee[c]
        if fee_paid:  # per corridor: the contribution-weighted fee of each community
            f = paid[c] / contrib[c] if contrib[c] > 0 else 0.0
        matched = (levels[0, c] + levels[1, c]) + levels[2, c]
        cfees = contrib[c] * f
        out[0, c], out[1, c], out[2, c] = cfees, contrib[c] - cfees + matched, matched
        flows[row_fees, c] += household_fees[c] + cfees
        flows[row_collective, c] += contrib[c]
        flows[row_matched, c] += matched
        flows[rows_levels[0], c] += levels[0, c]
        flows[rows_levels[1], c] += levels[1, c]
    # a social investment fund directs its share to the communities it lists (if any)
    fund_in = np.zeros(n_comm)
    any_fund = False
    for c in range(n_comm):
        if fund_share[c] > 0:
            any_fund = True
    if any_fund:
        social_fund(out[1], fund_share, development, population, comm_origin, n_orig,
                    fund_in)
    for c in range(n_comm):
        projects[c] += out[1, c]
        flows[R.to_projects, c] += out[1, c]
        flows[R.social_fund, c] += fund_in[c]
    # 8. the missions' flows, the associations' records (an association's match: its fund
    # times its community's match per unit given)
    add_rows(flows, rows_mission, mission_sums)
    n_dest = st_members.shape[0] // n_comm
    for j in range(st_members.shape[0]):
        st_members[j] = np.int64(per_assoc[ASSOCIATION.members, j])
        st_fund[j] = per_assoc[ASSOCIATION.fund, j]
        st_matched[j] = per_assoc[ASSOCIATION.fund, j] * effective[j // n_dest]
        st_missions[j] = organised[j]
        st_total_fund[j] += st_fund[j]
        st_total_matched[j] += st_matched[j]
        st_total_missions[j] += st_missions[j]
    # 9. the returns' flows, the savings brought home invested
    add_rows(flows, rows_return, return_sums[:rows_return.shape[0]])
    for c in range(n_comm):
        investment[c] += return_sums[R.sum_savings_home, c] * invest_share


def accounts(flows, rows: AccountRows, remit_sums, mission_sums, return_sums, investment, projects,
             invest_share: float, terms, comm_origin, development, fee, per_assoc, organised,
             state):
    """The institutions' part of a quarter abroad (ODD §7.7-7.9), from the persons' sums, in
    one compiled call: the flows (``rows``: the flows' rows of REMIT_SUMS[:3], rem_fees,
    collective, matched and the match's municipal and state levels, MISSION_SUMS and
    RETURN_SUMS but the savings brought home), the households' investment and the projects
    (per community, in place), and the associations' records (``state``, an
    AssociationState; ``per_assoc``: their members and funds, ``organised``: their
    missions). ``terms``: the match's :class:`MatchTerms` (:func:`match_levels`);
    ``development``: the communities' development index; ``fee``: the formal fee, a
    scalar, or None where it differs by corridor (then each community's
    contribution-weighted fee). Returns the collective fees, the money to the projects and
    the match, per community."""
    n_comm = flows.shape[1]
    out = np.empty((3, n_comm))
    records = AssociationRecords(state.members, state.fund, state.matched, state.missions,
                                 state.total_fund, state.total_matched, state.total_missions)
    match = MatchTerms(as_vector(terms.promised, n_comm), terms.ratio, terms.budget,
                       bool(terms.least_developed_first), as_array(terms.fund_share),
                       as_array(terms.population), int(terms.n_orig))
    _accounts(flows, rows, (remit_sums, mission_sums, return_sums), (investment, projects),
              float(invest_share), match, as_array(comm_origin, np.int64),
              as_array(development), as_vector(0.0 if fee is None else fee, n_comm),
              fee is None, per_assoc, as_array(organised, np.int64), records, out)
    return out


#: the match's terms (ODD §7.7): ``promised``, the ratio promised in all (a scalar where it
#: is the same everywhere, else per community), ``ratio`` and ``budget`` (3, n_comm) by
#: level (MATCH_LEVELS), the rule sharing a binding national budget; and the social
#: investment fund's: each community's share through the fund (``fund_share``), its real
#: population and the number of origins (:func:`social_fund`)
MatchTerms = namedtuple("MatchTerms", "promised ratio budget least_developed_first "
                        "fund_share population n_orig")


fresh_caches(__name__)
