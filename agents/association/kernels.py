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
from migdev.core.ledger import add_rows

#: rows of the missions' per-community sums (the quarter abroad's pass)
MISSION_SUMS = ("missions", "knowledge_in", "mission_health_h", "mission_education_h")


@numba.njit(cache=True, nogil=True)
def _missions(idx, u, P, rate_engaged, boost, knowledge32, n_dest, per_comm, to_dest,
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
        per_comm[0, c] += 1.0
        per_comm[1, c] += np.float64(knowledge32 * h[i])  # a Python float times float32 h
        if k == HEALTH:
            per_comm[2, c] += np.float64(h[i])
        elif k == EDUCATION:
            per_comm[3, c] += np.float64(h[i])
        to_dest[origin[i], dest[i], 4] += 1.0
        if member[i]:
            organised[np.int64(c) * n_dest + dest[i]] += 1


#: the flows' rows the accounts add to: the remittances' (REMIT_SUMS[:3]), the fees, the
#: collective gifts, the match, the missions' (MISSION_SUMS), the returns'
#: (RETURN_SUMS but the last, the savings brought home) and the migrants' own quarter
#: (WELFARE_SUMS)
AccountRows = namedtuple("AccountRows", "remit fees collective matched mission ret welfare")
#: the associations' records of the quarter and their totals (AssociationState's arrays)
AssociationRecords = namedtuple("AssociationRecords", "members fund matched missions "
                                "total_fund total_matched total_missions")


@numba.njit(cache=True, nogil=True)
def _accounts(flows, R, remit_sums, mission_sums, return_sums, investment, projects,
              invest_share, ratio, fee, fee_paid, per_assoc, match_paid, organised, S, out):
    """The institutions' part of a quarter abroad (see :func:`accounts`); ``R``:
    :data:`AccountRows`, ``S``: the associations' records (AssociationState's arrays)."""
    rows_remit, row_fees, row_collective = R.remit, R.fees, R.collective
    row_matched, rows_mission, rows_return = R.matched, R.mission, R.ret
    st_members, st_fund, st_matched, st_missions = S.members, S.fund, S.matched, S.missions
    st_total_fund, st_total_matched = S.total_fund, S.total_matched
    st_total_missions = S.total_missions
    n_comm = flows.shape[1]
    received, household_fees = remit_sums[3], remit_sums[4]
    contrib, paid = remit_sums[5], remit_sums[6]
    # 7. the remittances' flows, the households' investment
    add_rows(flows, rows_remit, remit_sums[:rows_remit.shape[0]])
    # the migrants' own quarter (the last rows of the remittances' sums)
    add_rows(flows, R.welfare, remit_sums[remit_sums.shape[0] - R.welfare.shape[0]:])
    for c in range(n_comm):
        investment[c] += invest_share * received[c]
    # the associations' collective gifts, matched (ratio paid x gifts), less the fee, to the
    # projects
    for c in range(n_comm):
        f = fee[c]
        if fee_paid:  # per corridor: the contribution-weighted fee of each community
            f = paid[c] / contrib[c] if contrib[c] > 0 else 0.0
        matched = ratio[c] * contrib[c]
        cfees = contrib[c] * f
        to_projects = contrib[c] - cfees + matched
        out[0, c], out[1, c], out[2, c] = cfees, to_projects, matched
        flows[row_fees, c] += household_fees[c] + cfees
        flows[row_collective, c] += contrib[c]
        flows[row_matched, c] += matched
        projects[c] += to_projects
    # 8. the missions' flows, the associations' records
    add_rows(flows, rows_mission, mission_sums)
    for j in range(st_members.shape[0]):
        st_members[j] = np.int64(per_assoc[0, j])
        st_fund[j] = per_assoc[1, j]
        st_matched[j] = per_assoc[1, j] * match_paid[j]
        st_missions[j] = organised[j]
        st_total_fund[j] += st_fund[j]
        st_total_matched[j] += st_matched[j]
        st_total_missions[j] += st_missions[j]
    # 9. the returns' flows, the savings brought home invested
    add_rows(flows, rows_return, return_sums[:rows_return.shape[0]])
    for c in range(n_comm):
        investment[c] += return_sums[rows_return.shape[0], c] * invest_share


def accounts(flows, rows: AccountRows, remit_sums, mission_sums, return_sums, investment, projects,
             invest_share: float, ratio, fee, per_assoc, match_paid, organised, state):
    """The institutions' part of a quarter abroad (ODD §7.7-7.9), from the persons' sums, in
    one compiled call: the flows (``rows``: the flows' rows of REMIT_SUMS[:3], rem_fees,
    collective, matched, MISSION_SUMS and RETURN_SUMS but the savings brought home), the households' investment and
    the projects (per community, in place), and the associations' records (``state``, an
    AssociationState; ``per_assoc``: their members and funds, ``match_paid``: the match paid
    per unit given, ``organised``: their missions). ``ratio``: the match paid per unit,
    per community or a scalar; ``fee``: the formal fee, a scalar, or None where it differs
    by corridor (then each community's contribution-weighted fee). Returns the collective
    fees, the money to the projects and the match, per community."""
    n_comm = flows.shape[1]
    out = np.empty((3, n_comm))
    records = AssociationRecords(state.members, state.fund, state.matched, state.missions,
                                 state.total_fund, state.total_matched, state.total_missions)
    _accounts(flows, rows, remit_sums, mission_sums, return_sums, investment, projects,
              float(invest_share), as_vector(ratio, n_comm),
              as_vector(0.0 if fee is None else fee, n_comm), fee is None, per_assoc,
              as_array(match_paid), as_array(organised, np.int64), records, out)
    return out


fresh_caches(__name__)
