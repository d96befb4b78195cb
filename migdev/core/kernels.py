"""Compiled kernels of the institutions' small per-step computations.

The agencies' split of vacancies (:func:`apportion`) runs on a few hundred rows a quarter;
written with numpy it is some forty calls of a few microseconds each, most of a small
run's time in the recruitment market. The kernels here do the same arithmetic in the same
order, one row at a time, so their results have the same bits as the numpy expressions
they replace (``tests/model/test_kernels.py`` compares them on random inputs):

* a row's float sum follows numpy's summation (:func:`pairwise_sum`: eight running sums
  over blocks of up to 128 values, halves above that), which is what ``x.sum(axis=-1)``
  does on a contiguous row;
* a cumulated sum is sequential, as ``np.cumsum``;
* no fast-math: no reassociation and no fused multiply-add.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from migdev.core.codes import (
    CH_AGREEMENT,
    CH_INDEPENDENT,
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
from migdev.core.fmath import _exp1, _expm1_1, _log1
from migdev.core.ledger import _add_rows


_SCALARS = (bool, int, float, np.generic)


def is_scalar(x) -> bool:
    """``np.ndim(x) == 0``, without its cost for a number (a lever is usually one number
    everywhere, and the processes ask many times a step)."""
    return isinstance(x, _SCALARS) or np.ndim(x) == 0


def nonzero(x) -> bool:
    """``bool(np.any(x))``, without its cost for a number."""
    if isinstance(x, _SCALARS):
        return bool(x != 0)
    return bool(np.any(x))


def _arr(x, dtype=np.float64):
    """``x`` as a C-contiguous array of ``dtype`` (``x`` itself when it is one)."""
    if type(x) is np.ndarray and x.dtype == dtype and x.flags.c_contiguous:
        return x
    return np.ascontiguousarray(x, dtype=dtype)


def _vec(x, n: int, dtype=np.float64):
    """A scalar or an array broadcastable to (n,) as a C-contiguous (n,) array of
    ``dtype`` (the wrappers call the kernels with one value per person)."""
    if type(x) is np.ndarray and x.shape == (n,):
        return _arr(x, dtype)
    if isinstance(x, _SCALARS):
        return _filled(n, x, dtype)
    if np.shape(x) != (n,):
        x = np.broadcast_to(x, (n,))
    return _arr(x, dtype)


def _filled(n: int, x, dtype):
    """np.full(n, x, dtype) (the same cast of ``x``), at less cost."""
    out = np.empty(n, dtype=dtype)
    out.fill(x)
    return out


_NO_TABLE = np.zeros((1, 1))
_NO_VECTOR = np.zeros(1)


def _table(x):
    """A 2-d float64 table for a kernel (a 1×1 placeholder for None: an optional term that
    is off and never read)."""
    return _NO_TABLE if x is None else _arr(x)


@numba.njit(cache=True, nogil=True)
def _block_sum(a, lo, n):
    """numpy's sum of a block of at most 128 values: eight running sums, then the rest."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - n % 8
    while i < stop:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@numba.njit(cache=True, nogil=True)
def pairwise_sum(a, lo, n):
    """Sum of a[lo:lo + n] in numpy's order (its ``pairwise_sum``): blocks of at most 128
    values, and above that the sum of the two halves (the first a multiple of 8 long),
    evaluated here with an explicit stack (numba cannot cache a recursive function)."""
    if n <= 128:
        return _block_sum(a, lo, n)
    # frames: (start, length, stage); stage 0: left half pending, 1: right half pending,
    # 2: both done. Partial sums of the left halves wait on their own stack.
    depth = 64
    f_lo = np.empty(depth, dtype=np.int64)
    f_n = np.empty(depth, dtype=np.int64)
    f_stage = np.empty(depth, dtype=np.int64)
    vals = np.empty(depth)
    top = 0
    f_lo[0], f_n[0], f_stage[0] = lo, n, 0
    nv = 0
    while top >= 0:
        start, length, stage = f_lo[top], f_n[top], f_stage[top]
        half = length // 2
        half -= half % 8
        if stage == 0:
            f_stage[top] = 1
            if half <= 128:
                vals[nv] = _block_sum(a, start, half)
                nv += 1
            else:
                top += 1
                f_lo[top], f_n[top], f_stage[top] = start, half, 0
        elif stage == 1:
            f_stage[top] = 2
            if length - half <= 128:
                vals[nv] = _block_sum(a, start + half, length - half)
                nv += 1
            else:
                top += 1
                f_lo[top], f_n[top], f_stage[top] = start + half, length - half, 0
        else:
            right = vals[nv - 1]
            left = vals[nv - 2]
            nv -= 2
            vals[nv] = left + right
            nv += 1
            top -= 1
    return vals[0]


@numba.njit(cache=True, nogil=True)
def _largest(r, taken, k, out_row, step):
    """Add ``step`` to out_row at the ``k`` columns of largest ``r`` not yet ``taken``
    (ties: the lower column first, as a stable sort of -r)."""
    for _ in range(k):
        best = -1
        for j in range(r.shape[0]):
            if not taken[j] and (best < 0 or r[j] > r[best]):
                best = j
        if best < 0:
            return
        taken[best] = True
        out_row[best] += step


@numba.njit(cache=True, nogil=True)
def _apportion(totals, w, u, use_u, out):
    n, m = w.shape
    exact = np.empty(m)
    rem = np.empty(m)
    scaled = np.empty(m)
    taken = np.zeros(m, dtype=np.bool_)
    extra = np.zeros(m, dtype=np.int64)
    for i in range(n):
        if totals[i] == 0:  # nothing to place (finite weights: every floor(0 x share) is 0)
            for j in range(m):
                out[i, j] = 0
            continue
        s = pairwise_sum(w[i], 0, m)
        placed = 0
        for j in range(m):
            share = w[i, j] / s if s > 0 else 0.0
            exact[j] = np.float64(totals[i]) * share
            out[i, j] = np.int64(math.floor(exact[j]))
            placed += out[i, j]
        left = totals[i] - placed if s > 0 else 0
        if left == 0:
            continue
        for j in range(m):
            rem[j] = exact[j] - np.float64(out[i, j]) if w[i, j] > 0 else 0.0
        if use_u:
            # systematic sampling along the cumulated remainders (see agency.apportion)
            tot = pairwise_sum(rem, 0, m)
            for j in range(m):
                scaled[j] = rem[j] * np.float64(left) / tot if tot > 0 else 0.0
            cum = 0.0
            lo = 0.0
            got = 0
            for j in range(m):
                cum += scaled[j]
                hi = math.ceil(min(cum, np.float64(left)) - u[i])
                e = np.int64(max(hi - lo, 0.0))
                extra[j] = min(e, 1)
                got += extra[j]
                out[i, j] += extra[j]
                lo = hi
            diff = left - got
            if diff != 0:
                for j in range(m):
                    if diff > 0:
                        scaled[j] = rem[j] if extra[j] == 0 else -1.0
                    else:
                        scaled[j] = -rem[j] if extra[j] == 1 else -np.inf
                    taken[j] = False
                _largest(scaled, taken, abs(diff), out[i], 1 if diff > 0 else -1)
        else:
            # largest remainders, the lower column first on ties; only columns with weight
            for j in range(m):
                taken[j] = False
                extra[j] = 0
            _largest(rem, taken, left, extra, 1)
            for j in range(m):
                if extra[j] and w[i, j] > 0:
                    out[i, j] += 1


def apportion(totals, weights, u=None) -> np.ndarray:
    """Compiled :func:`migdev.agents.agency.apportion` (same arguments, same result)."""
    totals = _arr(totals, np.int64)
    w = _arr(weights, np.float64)
    out = np.empty(w.shape, dtype=np.int64)
    uu = np.zeros(len(w)) if u is None else _arr(u, np.float64)
    _apportion(totals, w, uu, u is not None, out)
    return out


@numba.njit(cache=True, nogil=True)
def _lowest_per_group(el, g_el, u_src, by_slot, want, count, n_g):
    n = el.shape[0]
    # u_src: the draws of the persons el (by_slot False) or of every slot (True)
    # a threshold generous enough to hold the wanted number (a shortcut only: a group it
    # leaves short is taken whole), then a stable sort of each group's kept draws
    q = np.empty(n_g)
    for g in range(n_g):
        q[g] = min(1.0, 2.0 * want[g] / max(count[g], 1) + 0.02)
    # one pass: the persons under their group's threshold, in order (a branch: few are
    # taken; within a step this and adding 0 or 1 for every person take about as long)
    cand = np.empty(n, dtype=np.int64)
    kept = np.zeros(n_g, dtype=np.int64)
    m = 0
    for i in range(n):
        g = g_el[i]
        if want[g] > 0 and (u_src[el[i]] if by_slot else u_src[i]) < q[g]:
            cand[m] = i
            m += 1
            kept[g] += 1
    whole = kept < want
    start = np.zeros(n_g + 1, dtype=np.int64)
    for g in range(n_g):
        k = 0 if want[g] <= 0 else (count[g] if whole[g] else kept[g])
        start[g + 1] = start[g] + k
    pos = start[:-1].copy()
    bucket = np.empty(start[n_g], dtype=np.int64)
    for j in range(m):
        i = cand[j]
        g = g_el[i]
        if not whole[g]:
            bucket[pos[g]] = i
            pos[g] += 1
    if whole.any():  # a group the threshold left short: all its persons, in order
        for i in range(n):
            g = g_el[i]
            if whole[g]:
                bucket[pos[g]] = i
                pos[g] += 1
    n_out = 0
    for g in range(n_g):
        n_out += min(want[g], start[g + 1] - start[g]) if want[g] > 0 else 0
    chosen = np.empty(n_out, dtype=np.int64)
    rank = np.empty(n_out, dtype=np.int64)
    group = np.empty(n_out, dtype=np.int64)
    j = 0
    for g in range(n_g):
        a, b = start[g], start[g + 1]
        if b == a:
            continue
        members = bucket[a:b]
        draws = np.empty(b - a, dtype=u_src.dtype)
        for r in range(b - a):
            draws[r] = u_src[el[members[r]]] if by_slot else u_src[members[r]]
        order = np.argsort(draws, kind="mergesort")
        for r in range(min(want[g], b - a)):
            chosen[j] = el[members[order[r]]]
            rank[j] = r
            group[j] = g
            j += 1
    return chosen, rank, group


def lowest_per_group(el, g_el, u_el, total, supply):
    """Compiled :func:`migdev.agents.agency.lowest_per_group` (same arguments, same
    result; ``supply``: the persons of each group among ``el``). The market's offers read
    every slot's draw at ``el`` instead (:func:`_market`)."""
    supply = _arr(supply, np.int64)
    want = np.minimum(_arr(total, np.int64), supply)
    return _lowest_per_group(_arr(el, np.int64), _arr(g_el, np.int64),
                             np.ascontiguousarray(u_el), False, want, supply, len(want))


# ---------------------------------------------------------------------------
# a quarter of work abroad (ODD §7.6), person by person
# ---------------------------------------------------------------------------
# numpy's promotion rules decide the precision of each operation of the array statement:
# a Python float with a float32 array computes in float32, with a bool or float64 array
# in float64, and a float32 draw compared with a Python float is compared with that
# float rounded to float32. The kernel spells each precision out (F32 constants), so
# that its results have the same bits.

F32 = np.float32


@numba.njit(cache=True, nogil=True)
def _work(idx, status, occ, dest, channel, matched, substituted, member, h, integration,
          ties, q_abroad, wage_dest, integ_policy, u_join, join, u_recog, recog, leave,
          has_leave, growth_matched, growth_wasted, h_min, h_max, loss, advocacy, abuse,
          integration_rate, ties_decay, association_ties, income):
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


def _draws_of(n: int, *rows) -> None:
    """Check that each of ``rows`` holds one draw per person of the pass, in their order
    (n long): the compiled passes read the n-th person's draw at n, unchecked."""
    for u in rows:
        if np.shape(u)[-1:] != (n,):
            raise ValueError(f"draws of shape {np.shape(u)} for {n} persons: a pass takes "
                             "one draw per person it handles, in their order (Draws.rows_at "
                             "or d[idx]), not a whole row")


@numba.njit(cache=True, nogil=True)
def _threshold(value, scalar):
    """:func:`_thresholds` of one person in compiled code: the probability rounded to float32
    where the lever is one Python number (numpy compares a float32 draw with it at
    float32), else as it is. A float32 draw compared with the float64 of a float32 number
    gives the same answer as compared at float32."""
    return np.float64(F32(value)) if scalar else value


@numba.njit(cache=True, nogil=True)
def at_most_one(x):
    """np.minimum(1.0, x) of one number (NaN kept)."""
    return x if (x < 1.0 or math.isnan(x)) else 1.0


def _table_of(x, shape) -> np.ndarray:
    """A scalar or an array broadcastable to ``shape`` as a C-contiguous float64 table."""
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), shape))


def _float32_draws(n: int, *rows) -> None:
    """:func:`_draws_of`, and float32 draws (the compiled calls that take several streams
    are compiled for the model's float32 draws only)."""
    _draws_of(n, *rows)
    for u in rows:
        if u.dtype != np.float32:
            raise ValueError(f"draws of shape {u.shape} ({u.dtype}) for {n} persons: float32 "
                             "draws are taken (draws32)")


def _thresholds(value, u, n):
    """A probability compared with draws ``u``, as numpy compares them: a scalar at the
    draws' precision, an array in float64."""
    if is_scalar(value):
        return _filled(n, value, u.dtype)
    return _vec(value, n)


def work_abroad(pop, idx, wage_dest, integ_policy, u_join, u_recog, p, join_prob=None,
                change_right=None) -> np.ndarray:
    """Compiled :func:`migdev.agents.migrant.work_abroad` (same arguments, same result,
    same changes to ``pop``)."""
    idx = _arr(idx, np.int64)
    n = len(idx)
    _draws_of(n, u_join, u_recog)
    u_join = np.ascontiguousarray(u_join)
    u_recog = np.ascontiguousarray(u_recog)
    if u_join.dtype != u_recog.dtype:
        u_join = u_join.astype(np.float64)
        u_recog = u_recog.astype(np.float64)
    if change_right is not None:
        leave = p.change_employer_match * change_right * (pop.status[idx] == TEMP)
        leave = np.ascontiguousarray(np.broadcast_to(leave, (n,)), dtype=np.float64)
        recog = _thresholds(p.recognition_rate + leave, u_recog, n)
    else:
        leave = np.zeros(n)
        recog = _thresholds(p.recognition_rate, u_recog, n)
    join = _thresholds(p.association_join_rate if join_prob is None else join_prob, u_join, n)
    income = np.empty(n)
    _work(idx, pop.status, pop.occ, pop.dest, pop.channel, pop.matched, pop.substituted,
          pop.member, pop.h, pop.integration, pop.ties, pop.q_abroad,
          _arr(wage_dest, np.float64),
          _arr(integ_policy, np.float64), u_join, join, u_recog, recog,
          leave, change_right is not None, 1.0 + p.skill_growth_abroad, 1.0 - p.brain_waste_rate,
          float(p.h_min), float(p.h_max), float(p.substitution_loss),
          float(p.association_advocacy), float(p.abuse_penalty), float(p.integration_rate),
          float(p.ties_decay), float(p.association_ties), income)
    return income


# ---------------------------------------------------------------------------
# remittances (ODD §7.7): each person's split of income and choice of channel
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _abroad_slots(status, community, out, counts):
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
def _remit(idx, income, debt, ties, q_abroad, savings, member, remitted, net_share,
           repay_share, remit_base, remit_ties, remit_years, collective_share, access,
           u_access, u_channel, p_formal, u_loss, loss_prob, formal_fee, informal_fee,
           amount_out, collective_out, household_out, formal_out, fee_out, loss_out,
           received_out, community, origin, dest, n_dest, to_dest, per_comm, per_assoc):
    base32 = F32(remit_base)
    ties32 = F32(remit_ties)
    for n in range(idx.shape[0]):
        i = idx[n]
        net = income[n] * net_share
        d = np.float64(debt[i])
        repay = min(d, repay_share * net)
        share32 = base32 + ties32 * ties[i]  # float32, as numpy computes it
        share = np.float64(share32) - remit_years * (np.float64(q_abroad[i]) / 4.0)
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
            per_comm[0, c] += household
        else:
            per_comm[1, c] += household
        per_comm[2, c] += loss
        per_comm[3, c] += received_out[n]
        per_comm[4, c] += fee
        per_comm[5, c] += coll
        per_comm[6, c] += coll * formal_fee[n]
        a = np.int64(c) * n_dest + dest[i]
        if member[i]:
            per_assoc[0, a] += 1.0
        per_assoc[1, a] += coll
        to_dest[origin[i], dest[i]] += amount


#: rows of remit_persons' per-community sums
REMIT_SUMS = ("rem_formal", "rem_informal", "rem_losses", "received", "household_fees",
              "collective", "collective_fee_paid")


def remit_persons(pop, idx, income, collective_share, access, formal_fee, p_formal, u, p,
                  n_comm, n_dest, to_dest):
    """The persons' part of the remittance process (ODD §7.7), compiled: what
    :func:`migdev.agents.migrant.remittance_amounts` and
    :func:`~migdev.agents.migrant.remittance_channels` state with numpy, applied to the
    persons ``idx`` abroad (debt repaid, savings kept, ``remitted`` set), with the
    collective share of members taken out of the household transfer.

    Args:
        collective_share, formal_fee, p_formal: scalars or one value per person;
        access: per person; u: (3, n) draws of access, channel and loss, per person;
        to_dest: (n_orig, n_dest) the corridors' remittances, added to in place.

    Returns:
        dict of per-person arrays (amount, collective, household, formal, fee, loss,
        received), ``per_community``: (7, n_comm) sums in the order of REMIT_SUMS (the
        household transfer by formal and informal channel, losses, received, the household
        transfers' fees, collective gifts, and gifts times their corridor's formal fee) and
        ``per_association``: (2, n_comm * n_dest) members and collective gifts.
    """
    idx = _arr(idx, np.int64)
    n = len(idx)
    _draws_of(n, *u)
    u_access, u_channel, u_loss = (np.ascontiguousarray(x) for x in u)
    out = {k: np.empty(n) for k in ("amount", "collective", "household", "fee", "loss",
                                    "received")}
    out["formal"] = np.empty(n, dtype=bool)
    out["per_community"] = np.zeros((len(REMIT_SUMS), n_comm))
    out["per_association"] = np.zeros((2, n_comm * n_dest))

    def per_person(x):
        return _vec(x, n)

    _remit(idx, _arr(income, np.float64), pop.debt, pop.ties,
           pop.q_abroad, pop.savings, pop.member, pop.remitted, 1.0 - p.consumption_share,
           float(p.debt_repay_share), float(p.remit_base), float(p.remit_ties),
           float(p.remit_years), per_person(collective_share), per_person(access), u_access,
           u_channel, _thresholds(p_formal, u_channel, n), u_loss,
           _thresholds(p.informal_loss, u_loss, n), per_person(formal_fee),
           float(p.informal_fee), out["amount"], out["collective"], out["household"],
           out["formal"], out["fee"], out["loss"], out["received"], pop.community, pop.origin,
           pop.dest, n_dest, to_dest, out["per_community"], out["per_association"])
    return out


# ---------------------------------------------------------------------------
# the communities' census (ODD §7.10): who is at home, and their skills
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _census(community, occ, status, h, counts, h_health, h_returned, h_education, h_skilled):
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


# ---------------------------------------------------------------------------
# ageing and experience at home (ODD §7.2), person by person
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _age(age, h, status, occ, retirement_age, growth, h_max, grow, exits):
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
    """:func:`migdev.agents.migrant.ageing` and, where ``skill_growth_home`` > 0,
    :func:`~migdev.agents.migrant.experience_at_home` for the skilled at home, in one pass
    (same float32 arithmetic). Returns the slots of those who exit, in order."""
    exits = np.empty(pop.n, dtype=np.int64)
    k = _age(pop.age, pop.h, pop.status, pop.occ, float(retirement_age),
             np.float32(1.0 + skill_growth_home), np.float32(h_max), skill_growth_home > 0,
             exits)
    return exits[:k].copy()


# ---------------------------------------------------------------------------
# the agencies' offers (ODD §7.4)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _spread(totals, base, margin_or_open, u_origin, use_u, out, add):
    """Each (agency, occupation) row's total spread over origins in proportion to
    base * margin (``agency.agency_offers``' inner split), added to ``out`` when ``add``."""
    n_ag, n_orig = base.shape[0], base.shape[1]
    w = np.empty((n_ag * 4, n_orig))
    t = np.empty(n_ag * 4, dtype=np.int64)
    for a in range(n_ag):
        for k in range(4):
            t[a * 4 + k] = totals[a, k]
            for o in range(n_orig):
                w[a * 4 + k, o] = base[a, o, k] * margin_or_open[a, o, k]
    rows = np.empty((n_ag * 4, n_orig), dtype=np.int64)
    _apportion(t, w, u_origin, use_u, rows)
    for a in range(n_ag):
        for o in range(n_orig):
            for k in range(4):
                if add:
                    out[a, o, k] += rows[a * 4 + k, o]
                else:
                    out[a, o, k] = rows[a * 4 + k, o]


@numba.njit(cache=True, nogil=True)
def _agency_offers(vacancies, capacity, per_dest, agency_dest, attractiveness, respects,
                   protected, covered, penalty, supply, corridor, u_split, use_split,
                   u_origin, use_origin, share, any_bound, u_bound, out):
    n_ag, n_orig = attractiveness.shape
    n_dest = vacancies.shape[0] // 4
    # a destination's vacancies of k over its agencies, in proportion to capacity
    w = np.empty((n_dest * 4, per_dest))
    for d in range(n_dest):
        for k in range(4):
            for j in range(per_dest):
                w[d * 4 + k, j] = capacity[d * per_dest + j]
    split = np.empty((n_dest * 4, per_dest), dtype=np.int64)
    _apportion(vacancies, w, u_split, use_split, split)
    per = np.empty((n_ag, 4), dtype=np.int64)
    for d in range(n_dest):
        for j in range(per_dest):
            for k in range(4):
                per[d * per_dest + j, k] = split[d * 4 + k, j]
    # each capped at its capacity
    for a in range(n_ag):
        tot = per[a, 0] + per[a, 1] + per[a, 2] + per[a, 3]
        cap = math.floor(capacity[a])
        if tot > cap:
            scale = cap / max(tot, 1)
            for k in range(4):
                per[a, k] = np.int64(math.floor(per[a, k] * scale))
    base = np.empty((n_ag, n_orig, 4))
    margin = np.empty((n_ag, n_orig, 4))
    open_ = np.empty((n_ag, n_orig, 4))
    for a in range(n_ag):
        d = agency_dest[a]
        for o in range(n_orig):
            for k in range(4):
                base[a, o, k] = (attractiveness[a, o] * np.float64(supply[o, k])) * corridor[o, d]
                bar = protected[d, o] and covered[d, o, k]
                if bar:
                    margin[a, o, k] = 0.0 if respects[a, o] else 1.0 - penalty[d, o]
                    open_[a, o, k] = 0.0
                else:
                    margin[a, o, k] = 1.0
                    open_[a, o, k] = 1.0
    if not any_bound:
        _spread(per, base, margin, u_origin, use_origin, out, False)
        return
    # employers bound by the codes never recruit from a barred origin
    bound = np.empty((n_ag, 4), dtype=np.int64)
    for a in range(n_ag):
        for k in range(4):
            bound[a, k] = min(np.int64(math.floor(per[a, k] * share[a] + u_bound[a, k])),
                              per[a, k])
    _spread(bound, base, open_, u_origin, use_origin, out, False)
    _spread(per - bound, base, margin, u_origin, use_origin, out, True)


@numba.njit(cache=True, nogil=True)
def _numbered(agency_dest, per_dest, n_dest):
    """Whether agencies are numbered destination by destination, per_dest each."""
    if agency_dest.shape[0] != per_dest * n_dest:
        return False
    for a in range(agency_dest.shape[0]):
        if agency_dest[a] != a // per_dest:
            return False
    return True


def agency_offers(vacancies, agency_dest, capacity, attractiveness, respects, protected,
                  covered, penalty, supply, corridor=None, u_split=None, u_origin=None,
                  bound_share=0.0, u_bound=None) -> np.ndarray:
    """Compiled :func:`migdev.agents.agency.agency_offers` (same arguments, same result)."""
    n_ag, n_orig = attractiveness.shape
    n_dest = vacancies.shape[0]
    per_dest = n_ag // n_dest if n_dest else 0
    agency_dest = _arr(agency_dest, np.int64)
    if per_dest == 0 or not _numbered(agency_dest, per_dest, n_dest):
        raise ValueError("agency_offers: agencies must be numbered destination by destination, "
                         "the same number per destination")
    f64 = np.float64
    out = np.empty((n_ag, n_orig, 4), dtype=np.int64)
    _agency_offers(
        _arr(vacancies, np.int64).reshape(-1),
        _arr(capacity, f64), per_dest,
        _arr(agency_dest, np.int64),
        _arr(attractiveness, f64),
        _arr(respects, bool), _arr(protected, bool),
        _arr(covered, bool),
        _arr(penalty if np.shape(penalty) == (n_dest, n_orig)
             else np.broadcast_to(penalty, (n_dest, n_orig))),
        _arr(supply, np.int64),
        np.ones((n_orig, n_dest)) if corridor is None else _arr(corridor, f64),
        np.zeros(n_dest * 4) if u_split is None else _arr(u_split, f64).reshape(-1),
        u_split is not None,
        np.zeros(n_ag * 4) if u_origin is None else _arr(u_origin, f64).reshape(-1),
        u_origin is not None,
        _vec(bound_share, n_dest)[agency_dest],
        nonzero(bound_share),
        np.zeros((n_ag, 4)) if u_bound is None else _arr(u_bound, f64),
        out)
    return out


@numba.njit(cache=True, nogil=True)
def _offer_counts(vacancies, u_respect, respect_rate, barred, complied, u_split, u_origin,
                  u_bound, attractiveness, capacity, per_dest, agency_dest, protected, covered,
                  penalty, supply, corridor, share, any_bound, out):
    n_ag, n_orig = respect_rate.shape
    respects = np.empty((n_ag, n_orig), dtype=np.bool_)
    for a in range(n_ag):
        kept = True
        for o in range(n_orig):
            respects[a, o] = u_respect[a, o] < respect_rate[a, o]
            if barred[a, o] and not respects[a, o]:
                kept = False
        complied[a] = kept
    _agency_offers(vacancies, capacity, per_dest, agency_dest, attractiveness, respects,
                   protected, covered, penalty, supply, corridor, u_split, True, u_origin,
                   True, share, any_bound, u_bound, out)


def offer_count_terms(agency_dest, capacity, respect_rate, barred, protected, covered, penalty,
                      corridor, bound_share, n_dest: int) -> tuple:
    """The terms of :func:`offer_counts` that change only with the parameters and the policy
    in force (:func:`migdev.agents.agency.agency_terms`, the agencies' destinations and
    capacities, the bars, the corridors' weights and the share of vacancies at employers
    bound by the codes, a scalar or one per destination), as :func:`agency_offers` takes
    them."""
    n_ag, n_orig = np.shape(respect_rate)
    per_dest = n_ag // n_dest if n_dest else 0
    agency_dest = _arr(agency_dest, np.int64)
    if per_dest == 0 or not _numbered(agency_dest, per_dest, n_dest):
        raise ValueError("offer_count_terms: agencies must be numbered destination by "
                         "destination, the same number per destination")
    return (_arr(respect_rate), _arr(barred, bool), _arr(capacity), per_dest, agency_dest,
            _arr(protected, bool), _arr(covered, bool),
            _table_of(penalty, (n_dest, n_orig)),
            _arr(corridor), _vec(bound_share, n_dest)[agency_dest], nonzero(bound_share))


def offer_counts(vacancies, supply, u_respect, u_alloc, u_bound, attractiveness, complied,
                 terms: tuple) -> np.ndarray:
    """Each agency's offers this quarter per origin and occupation, (n_ag, n_orig, 4), in
    one compiled call: whether it respects each bar (``u_respect`` < its rate), then
    :func:`agency_offers` with ``u_alloc`` (n_dest + n_ag, 4) placing the units left after
    rounding and ``u_bound`` (n_ag, 4) rounding the bound part. Writes which agencies
    respected every bar that concerns them into ``complied``. ``terms``:
    :func:`offer_count_terms`."""
    respect_rate, barred, capacity, per_dest, agency_dest, protected, covered, penalty, \
        corridor, share, any_bound = terms
    n_ag, n_orig = respect_rate.shape
    n_dest = n_ag // per_dest
    if u_respect.shape != (n_ag, n_orig) or u_alloc.shape != (n_dest + n_ag, 4) \
            or u_bound.shape != (n_ag, 4):
        raise ValueError(f"offer_counts: draws of shapes {u_respect.shape}, {u_alloc.shape}, "
                         f"{u_bound.shape} for {n_ag} agencies, {n_orig} origins and "
                         f"{n_dest} destinations")
    out = np.empty((n_ag, n_orig, 4), dtype=np.int64)
    u_alloc = _arr(u_alloc)
    _offer_counts(_arr(vacancies, np.int64).reshape(-1), _arr(u_respect), respect_rate, barred,
                  complied, u_alloc[:n_dest].reshape(-1), u_alloc[n_dest:].reshape(-1),
                  _arr(u_bound), _arr(attractiveness), capacity, per_dest, agency_dest,
                  protected, covered, penalty, _arr(supply, np.int64), corridor, share,
                  any_bound, out)
    return out


# ---------------------------------------------------------------------------
# the origins' training system for a quarter's entrants (ODD §7.2)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _training(idx, origin, prospect, home, dest, cost, beta, cap, multiplier, extra,
              place_credit, u_training, probs, places, credit, per_entrant):
    n_orig = home.shape[0]
    cohort = np.zeros(n_orig, dtype=np.int64)
    for n in range(idx.shape[0]):
        cohort[origin[idx[n]]] += 1
    v = np.empty(4)
    e = np.empty(4)
    for o in range(n_orig):
        for k in range(4):
            pr = prospect[o, k]
            v[k] = beta * _log1((1.0 - pr) * home[o, k] + pr * dest[o, k]) - cost[k]
        m = v[0]  # the row's maximum, NaN if any is (as numpy's max)
        for k in range(1, 4):
            if v[k] > m or math.isnan(v[k]):
                m = v[k]
        for k in range(4):
            e[k] = _exp1(v[k] - m)
        s = pairwise_sum(e, 0, 4)
        for k in range(4):
            probs[o, k] = e[k] / s
        for k in range(3):
            # places per entrant (government.training_places with a cohort of one)
            per_entrant[o, k] = cap[o, k] * multiplier[o] + extra[o]
            c = place_credit[o, k] + np.float64(cohort[o]) * per_entrant[o, k]
            credit[o, k] = c
            places[o, k] = np.int64(max(math.floor(c + u_training[o, k]), 0.0))


@numba.njit(cache=True, nogil=True)
def keep_unused(place_credit, credit, applicants, places, per_entrant, cohort_expected):
    """Compiled :func:`migdev.agents.migrant.keep_unused_places` (in place on
    ``place_credit``): min(credit - min(applicants, places), 4 cohort x per entrant + 1),
    numpy's minimum (NaN kept)."""
    for o in range(place_credit.shape[0]):
        year = 4.0 * cohort_expected[o]
        for k in range(place_credit.shape[1]):
            c = credit[o, k] - np.float64(min(applicants[o, k], places[o, k]))
            y = year * per_entrant[o, k] + 1.0
            place_credit[o, k] = c if (c < y or math.isnan(c)) else y


def training_system(idx, origin, prospect, home, dest, cost, beta, cap, multiplier, extra,
                    place_credit, u_training):
    """Compiled :func:`migdev.agents.migrant.training_system` for the entrants ``idx``
    (slots; ``origin``: every person's origin): the same probabilities, places, credit and
    places per entrant, bit for bit (``tests/model/test_kernels.py`` compares)."""
    n_orig = home.shape[0]
    probs = np.empty((n_orig, 4))
    places = np.empty((n_orig, 3), dtype=np.int64)
    credit = np.empty((n_orig, 3))
    per_entrant = np.empty((n_orig, 3))
    _training(_arr(idx, np.int64), origin, _arr(prospect), _arr(home), _arr(dest), _arr(cost),
              float(beta), _arr(cap), _arr(multiplier), _arr(extra), _arr(place_credit),
              _arr(u_training), probs, places, credit, per_entrant)
    return probs, places, credit, per_entrant


# ---------------------------------------------------------------------------
# the entrants' choice of a training track (ODD §7.2)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _choose_tracks(idx, origin, u_choice, u_rank, probs, places, elasticity, u_extra, occ,
                   applicants):
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
    """Compiled :func:`migdev.agents.migrant.choose_training` for the entrants of slots
    ``idx``, reading every slot's ``origin`` at ``idx`` and the entrants' draws ``u_choice``,
    ``u_rank`` (one per entrant, in the order of ``idx``) (same result: the entrants'
    tracks, int8, and the applicants per origin and track)."""
    idx = _arr(idx, np.int64)
    _draws_of(len(idx), u_choice, u_rank)
    n_orig = probs.shape[0]
    occ = np.empty(len(idx), dtype=np.int8)
    applicants = np.zeros((n_orig, 4), dtype=np.int64)
    _choose_tracks(idx, origin, u_choice, u_rank, _arr(probs), _arr(places, np.int64),
                   float(elasticity), _arr(u_extra if np.shape(u_extra) == (n_orig, LOW)
                                           else np.broadcast_to(u_extra, (n_orig, LOW))), occ,
                   applicants)
    return occ, applicants


# ---------------------------------------------------------------------------
# labour demand's counts of the persons abroad (ODD §7.3)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _abroad_counts(status, dest, occ, origin, regular, health):
    for i in range(status.shape[0]):
        s = status[i]
        # a branch taken for the few abroad only (well predicted: a branch-free count into
        # a bin for the others was slower than numpy's masks and bincount)
        if s >= TEMP and s <= IRREGULAR:
            k = occ[i]
            if s != IRREGULAR:
                regular[np.int64(dest[i]) * 4 + k] += 1
            if k == HEALTH:
                health[origin[i]] += 1


def abroad_counts(pop, n_dest: int, n_orig: int):
    """One pass over the persons: those abroad in a regular status (temporary or settled)
    by destination and occupation, (n_dest, 4) int64, and each origin's health workers
    abroad in any status, (n_orig,) float (agents.government.dest_stock and
    own_health_abroad state them with numpy; tests compare)."""
    regular = np.zeros(n_dest * 4, dtype=np.int64)
    health = np.zeros(n_orig, dtype=np.int64)
    _abroad_counts(pop.status, pop.dest, pop.occ, pop.origin, regular, health)
    return regular.reshape(n_dest, 4), health.astype(float)


@numba.njit(cache=True, nogil=True)
def _demand(stock, health_abroad, both_roles, abroad0, dest_of_origin, share, base,
            growth_exponent, growth_base, multiplier, fill_rate, u, replacement, vac):
    n_dest = base.shape[0]
    if both_roles:  # government.replacement_demand
        for d in range(n_dest):
            for k in range(4):
                replacement[d, k] = 0.0
        for o in range(dest_of_origin.shape[0]):
            d = dest_of_origin[o]
            if d >= 0:
                x = np.float64(health_abroad[o]) - abroad0[o]
                replacement[d, HEALTH] = share[d] * (x if (x > 0.0 or math.isnan(x)) else 0.0)
    # government.wanted_stock (fmath.power: exp(exponent x log(base))) and vacancies
    factor = _exp1(growth_exponent * _log1(growth_base))
    for d in range(n_dest):
        for k in range(4):
            wanted = base[d, k] * factor * multiplier[d, k] + replacement[d, k]
            gap = wanted - np.float64(stock[d, k])
            if not (gap > 0.0 or math.isnan(gap)):
                gap = 0.0
            vac[d, k] = np.int64(math.floor(gap * fill_rate + u[d, k]))


def labour_demand(pop, n_orig: int, both_roles: bool, abroad0, dest_of_origin, share, base,
                  growth, step: int, multiplier, fill_rate: float, u, replacement):
    """Compiled :func:`migdev.agents.government.labour_demand`'s arithmetic: the counts
    abroad (:func:`abroad_counts`), the replacement demand of countries in both roles
    (written into ``replacement``, (n_dest, 4), when ``both_roles``), the wanted stocks and
    the vacancies (returned, (n_dest, 4) int64); the same bits as
    :func:`~migdev.agents.government.replacement_demand`, ``wanted_now`` and ``vacancies``
    (``tests/model/test_kernels.py`` compares)."""
    n_dest = base.shape[0]
    stock, health = abroad_counts(pop, n_dest, n_orig)
    vac = np.empty((n_dest, 4), dtype=np.int64)
    _demand(stock, health, both_roles, _arr(abroad0), _arr(dest_of_origin, np.int64),
            _vec(share, n_dest), _arr(base), np.float64(step / 4.0), float(1.0 + growth),
            _arr(multiplier), float(fill_rate), _arr(u), replacement, vac)
    return vac


# ---------------------------------------------------------------------------
# the agencies' learning (ODD §7.4)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def agencies_learn(attractiveness, offers, accepted, rate, total_placed):
    """agents.agency.learn in place: where an agency made offers to an origin its
    attractiveness moves toward the acceptance rate, then (if any offer was made) every
    attractiveness is floored at 0.05; each agency's placements are counted."""
    n_ag, n_orig = offers.shape
    made = False
    for a in range(n_ag):
        for o in range(n_orig):
            if offers[a, o] > 0:
                made = True
                attractiveness[a, o] = ((1 - rate) * attractiveness[a, o]
                                        + rate * (accepted[a, o] / offers[a, o]))
    if made:
        for a in range(n_ag):
            for o in range(n_orig):
                attractiveness[a, o] = max(attractiveness[a, o], 0.05)
    for a in range(n_ag):
        placed = 0
        for o in range(n_orig):
            placed += accepted[a, o]
        total_placed[a] += placed


# ---------------------------------------------------------------------------
# the recruitment market's offers: blocks of identical offers, then one per chosen person
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _offer_fields(n):
    """n offers' fields, unset, with OFFER_BLOCK's types: channel, destination, agency,
    fee, contract, skill match, guarantee."""
    return (np.empty(n, np.int8), np.empty(n, np.int8), np.empty(n, np.int64), np.empty(n),
            np.empty(n, np.int16), np.empty(n), np.empty(n))


@numba.njit(cache=True, nogil=True)
def _market_blocks(g2g_group, g2g_count, g2g_dest, g2g_contract, g2g_match, g2g_guarantee,
                   offers, agency_dest, regulated, fee_months, wage_dest, ban, has_ban,
                   contract_skilled, contract_low, match_skilled):
    n_ag, n_orig, n_occ = offers.shape
    n_g = n_orig * n_occ
    m = g2g_group.shape[0]
    nb = m
    for a in range(n_ag):
        for o in range(n_orig):
            for k in range(n_occ):
                if offers[a, o, k] != 0:
                    nb += 1
    count = np.empty(nb, np.int64)
    channel, dest, agency, fee, contract, match, guarantee = _offer_fields(nb)
    total = np.zeros(n_g, np.int64)
    start = np.zeros(n_g, np.int64)
    b = 0
    run = 0
    # group by group (a stable sort by group of the G2G rows, then the agencies' rows in
    # np.nonzero's order): G2G placements first, then the agencies in their order
    for g in range(n_g):
        o = g // n_occ
        k = g % n_occ
        start[g] = run
        for i in range(m):
            if g2g_group[i] == g:
                count[b] = g2g_count[i]
                channel[b] = CH_AGREEMENT
                dest[b] = g2g_dest[i]
                agency[b] = -1
                fee[b] = 0.0
                contract[b] = g2g_contract[i]
                match[b] = g2g_match[i]
                guarantee[b] = g2g_guarantee[i]
                run += count[b]
                b += 1
        for a in range(n_ag):
            c = offers[a, o, k]
            if c == 0:
                continue
            d = agency_dest[a]
            count[b] = c
            channel[b] = CH_REGULATED if regulated[a] else CH_UNREGULATED
            dest[b] = d
            agency[b] = a
            f = fee_months[a] * wage_dest[d, k] / 3.0
            if has_ban:  # regulated agencies obey a fee ban; unregulated ones do not
                f = f * ((1.0 - ban[o, d]) if regulated[a] else 1.0)
            fee[b] = f
            skilled = k < LOW
            contract[b] = contract_skilled if skilled else contract_low
            match[b] = match_skilled if skilled else 1.0
            guarantee[b] = 0.0
            run += c
            b += 1
        total[g] = run - start[g]
    return total, start, count, channel, dest, agency, fee, contract, match, guarantee


@numba.njit(cache=True, nogil=True)
def _take_offers(chosen, rank, gsel, start, count, channel, dest, agency, fee, contract,
                 match, guarantee, origin, per_agency):
    n = chosen.shape[0]
    block_end = np.cumsum(count)
    o_channel, o_dest, o_agency, o_fee, o_contract, o_match, o_guarantee = _offer_fields(n)
    for j in range(n):
        # the i-th chosen person of a group takes the group's i-th offer
        bi = np.searchsorted(block_end, start[gsel[j]] + rank[j], side="right")
        o_channel[j] = channel[bi]
        o_dest[j] = dest[bi]
        o_agency[j] = agency[bi]
        o_fee[j] = fee[bi]
        o_contract[j] = contract[bi]
        o_match[j] = match[bi]
        o_guarantee[j] = guarantee[bi]
        if agency[bi] >= 0:
            per_agency[agency[bi], origin[chosen[j]]] += 1
    return o_channel, o_dest, o_agency, o_fee, o_contract, o_match, o_guarantee


@numba.njit(cache=True, nogil=True)
def _market(g2g_group, g2g_count, g2g_dest, g2g_contract, g2g_match, g2g_guarantee, offers,
            agency_dest, regulated, fee_months, wage_dest, ban, has_ban, contract_skilled,
            contract_low, match_skilled, el, g_el, u_all, supply, origin, per_agency):
    """:func:`_market_blocks`, :func:`_lowest_per_group` and :func:`_take_offers` in one
    call (one crossing into compiled code, the blocks never boxed); ``any_offer`` False
    when there is no offer at all."""
    total, start, count, channel, dest, agency, fee, contract, match, guarantee = \
        _market_blocks(g2g_group, g2g_count, g2g_dest, g2g_contract, g2g_match, g2g_guarantee,
                       offers, agency_dest, regulated, fee_months, wage_dest, ban, has_ban,
                       contract_skilled, contract_low, match_skilled)
    n_g = total.shape[0]
    want = np.empty(n_g, dtype=np.int64)
    for g in range(n_g):
        want[g] = min(total[g], supply[g])
    chosen, rank, gsel = _lowest_per_group(el, g_el, u_all, True, want, supply, n_g)
    fields = _take_offers(chosen, rank, gsel, start, count, channel, dest, agency, fee,
                          contract, match, guarantee, origin, per_agency)
    return count.shape[0] > 0, chosen, fields


@numba.njit(cache=True, nogil=True)
def _market_and_attempts(g2g_group, g2g_count, g2g_dest, g2g_contract, g2g_match,
                         g2g_guarantee, offers, agency_dest, regulated, fee_months, wage_dest,
                         ban, has_ban, contract_skilled, contract_low, match_skilled, el, g_el,
                         u_all, supply, origin, per_agency, u_ind, occ, rate_skilled, rate_low):
    """:func:`_market`, then :func:`_independents` of the eligible persons left without an
    offer, in one call."""
    any_offer, chosen, fields = _market(
        g2g_group, g2g_count, g2g_dest, g2g_contract, g2g_match, g2g_guarantee, offers,
        agency_dest, regulated, fee_months, wage_dest, ban, has_ban, contract_skilled,
        contract_low, match_skilled, el, g_el, u_all, supply, origin, per_agency)
    offered = np.zeros(origin.shape[0], dtype=np.bool_)
    if any_offer:
        for j in range(chosen.shape[0]):
            offered[chosen[j]] = True
    out = np.empty(el.shape[0], dtype=np.int64)
    k = _independents(el, occ, u_ind, rate_skilled, rate_low, offered, out)
    return any_offer, chosen, fields, out[:k].copy()


_NO_G2G = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8),
           np.zeros(0, np.int16), np.zeros(0), np.zeros(0))


def market_terms(agency_dest, regulated, fee_months, wage_dest, ban, p) -> tuple:
    """The terms of :func:`market_offers` that change only with the parameters and the
    policy in force (the agencies' destinations, regulation and fees, the wages abroad, the
    worker-fee ban or a scalar where none applies, the contract lengths and the agencies'
    skill match), as it takes them."""
    has_ban = not is_scalar(ban)
    return (_arr(agency_dest, np.int64), _arr(regulated, bool), _arr(fee_months),
            _arr(wage_dest), _arr(ban) if has_ban else _NO_TABLE, has_ban,
            int(p.contract_quarters_skilled), int(p.contract_quarters_low),
            float(p.skill_match_agency))


def market_offers(g2g, offers, terms: tuple, el, g_el, u_all, supply, origin, per_agency,
                  u_ind, occ, rate_skilled: float, rate_low: float):
    """The recruitment market's offers, one per chosen person, then the eligible persons
    without one who try on their own (:func:`independents`), in one compiled call
    (agents.agency states the offers with blocks of identical offers:
    :func:`agents.agency.agency_blocks`, :func:`agents.agency.g2g_placements`; tests compare
    the two). ``g2g``: the G2G placements' blocks (OFFER_BLOCK rows); ``offers``:
    (n_ag, n_orig, 4) the agencies' offers; ``terms``: :func:`market_terms`; ``el``,
    ``g_el``, ``supply``: the eligible persons, their groups and the persons per group;
    ``u_all``: every slot's draw (the lowest in a group are chosen); ``u_ind``, ``occ``,
    ``rate_skilled``, ``rate_low``: as :func:`independents` takes them. Adds each agency's
    offers per origin to ``per_agency``. Returns the chosen slots and their offers' fields
    (channel, dest, agency, fee, contract, match, guarantee), or None when there is no offer
    at all; and the slots of those who try on their own."""
    if len(g2g):
        g2g_cols = (_arr(g2g["group"], np.int64), _arr(g2g["count"], np.int64),
                    _arr(g2g["dest"], np.int8), _arr(g2g["contract"], np.int16),
                    _arr(g2g["match"]), _arr(g2g["guarantee"]))
    else:
        g2g_cols = _NO_G2G
    any_offer, chosen, fields, ind = _market_and_attempts(
        *g2g_cols, _arr(offers, np.int64), *terms, el, g_el, u_all, supply, origin, per_agency,
        u_ind, occ, float(rate_skilled), float(rate_low))
    return ((chosen, fields) if any_offer else None), ind


# ---------------------------------------------------------------------------
# the recruitment market's passes over the persons (ODD §7.4)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _eligible(status, age, max_age, out):
    limit = F32(max_age)  # a float32 age is compared with the age as float32
    k = 0
    for i in range(status.shape[0]):
        s = status[i]
        # without branches (the ages are in no order: a branch would be mispredicted)
        ok = ((s == HOME) | (s == RETURNED)) & (age[i] < limit)
        out[k] = i
        k += ok
    return k


@numba.njit(cache=True, nogil=True)
def _eligible_groups(status, age, max_age, origin, occ, el, g_el, supply):
    # the two passes of _eligible and _groups in one call: a branch on eligibility in a
    # single pass (the ages are in no order) was slower within a step than both passes
    k = _eligible(status, age, max_age, el)
    _groups(el[:k], origin, occ, supply.shape[0], g_el, supply)
    return k


def eligible_groups(pop, max_age: float, n_orig: int):
    """The slots of the persons at home (never left or returned) younger than ``max_age``,
    in order: those the market can recruit; their groups (origin x 4 + occupation) and the
    persons per group, (n_orig, 4) (:func:`market_groups`), in one call."""
    el = np.empty(pop.n, dtype=np.int64)
    g_el = np.empty(pop.n, dtype=np.int64)
    supply = np.zeros(n_orig * 4, dtype=np.int64)
    k = _eligible_groups(pop.status, pop.age, float(max_age), pop.origin, pop.occ, el, g_el,
                         supply)
    return el[:k], g_el[:k], supply.reshape(n_orig, 4)


@numba.njit(cache=True, nogil=True)
def _groups(el, origin, occ, n_groups, g_el, supply):
    for n in range(el.shape[0]):
        i = el[n]
        g = np.int64(origin[i]) * 4 + occ[i]
        g_el[n] = g
        supply[g] += 1


def market_groups(pop, el: np.ndarray, n_orig: int):
    """Each eligible person's group (origin x 4 + occupation) and the persons per group
    (the supply of candidates), (n_orig, 4)."""
    g_el = np.empty(len(el), dtype=np.int64)
    supply = np.zeros(n_orig * 4, dtype=np.int64)
    _groups(el, pop.origin, pop.occ, n_orig * 4, g_el, supply)
    return g_el, supply.reshape(n_orig, 4)


@numba.njit(cache=True, nogil=True)
def _independents(el, occ, u, rate_skilled, rate_low, offered, out):
    k = 0
    for n in range(el.shape[0]):
        i = el[n]
        rate = rate_skilled if occ[i] < LOW else rate_low
        if np.float64(u[i]) < rate and not offered[i]:
            out[k] = i
            k += 1
    return k


def independents(pop, el, u, rate_skilled: float, rate_low: float, offered) -> np.ndarray:
    """The eligible persons without an offer whose draw ``u`` (one per person) is below
    their rate of trying on their own (skilled or low-skilled; compared in float64)."""
    out = np.empty(len(el), dtype=np.int64)
    return out[:_independents(el, pop.occ, u, float(rate_skilled), float(rate_low), offered,
                              out)].copy()


@numba.njit(cache=True, nogil=True)
def _abroad_by(community, dest, status, n_dest, out):
    for i in range(community.shape[0]):
        s = status[i]
        if s >= TEMP and s <= IRREGULAR:
            out[np.int64(community[i]) * n_dest + dest[i]] += 1


def abroad_by_community(pop, n_comm: int, n_dest: int) -> np.ndarray:
    """Persons abroad by home community and destination, (n_comm, n_dest)."""
    out = np.zeros(n_comm * n_dest, dtype=np.int64)
    _abroad_by(pop.community, pop.dest, pop.status, n_dest, out)
    return out.reshape(n_comm, n_dest)


# ---------------------------------------------------------------------------
# decisions on offers and attempts (ODD §7.5), and the start of a stay
# ---------------------------------------------------------------------------

#: rows of accept_and_leave's per-community sums
DECIDE_SUMS = ("rec_agreement", "rec_regulated", "rec_unregulated", "rec_independent",
               "rec_health", "rec_named", "recruit_fees", "rec_fee_paid")


@numba.njit(cache=True, nogil=True)
def _log1p(x):
    """fmath.log1p of one number: log(u) + (x - (u - 1)) / u, u = 1 + x."""
    u = 1.0 + x
    corr = (x - (u - 1.0)) / u if u > 0 else 0.0
    return _log1(u) + (corr if math.isfinite(u) else 0.0)


@numba.njit(cache=True, nogil=True)
def utility(asc, beta_wage, wage_ratio, beta_fee, fee_months, moving_cost, beta_network,
            network_pct, beta_ties32, ties, beta_integration, integration_policy):
    """migrant.migration_utility of one person, in its order of operations; the ties term
    is a Python float times a float32 array there, so float32 here (``beta_ties32``)."""
    x = asc + beta_wage * _log1(wage_ratio)
    x = x - beta_fee * fee_months
    x = x - moving_cost
    x = x + beta_network * _log1p(network_pct)
    x = x - np.float64(beta_ties32 * ties)
    return x + beta_integration * integration_policy


@numba.njit(cache=True, nogil=True)
def _decide(idx, dest, fee, offered, channel, contract, match, guarantee, named, agency,
            u_accept, u_match, u_sub, sub_threshold, substitution, skill_match_independent,
            wage_dest, home_wage, net, integ, asc_offer, asc_independent, beta_wage, beta_fee,
            moving_cost,
            beta_network, beta_ties, beta_integration, origin, occ, community, ties, status,
            p_dest, p_channel, contract_left, q_abroad, n_stays, debt, matched, h_dep, h,
            p_guarantee, p_named, substituted, integration, member, savings, per_comm,
            to_dest, accepted, n_orig):
    ties32 = F32(beta_ties)
    for n in range(idx.shape[0]):
        i = idx[n]
        k = occ[i]
        o = np.int64(origin[i])
        d = dest[n]
        w = wage_dest[d, k]
        off = offered[n]
        # the utility of leaving (migrant.migration_utility), in its order of operations
        fee_months = fee[n] * 3.0 / w if off else 0.0
        x = utility(asc_offer if off else asc_independent, beta_wage, w / home_wage[o, k],
                    beta_fee, fee_months, moving_cost,
                    beta_network, net[community[i], d], ties32, ties[i], beta_integration,
                    integ[n])
        if not np.float64(u_accept[n]) < 1.0 / (1.0 + _exp1(-x)):
            continue
        # the stay starts (migrant.start_stay)
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
            # contract substitution on arrival (migrant.substitute), named re-hires excepted
            if substitution and ch == CH_UNREGULATED and u_sub[n] < sub_threshold[n] \
                    and not named[n]:
                substituted[i] = True
            if named[n]:
                per_comm[5, c] += 1.0
            per_comm[6, c] += paid
            if paid > 0:
                per_comm[7, c] += 1.0
        if ch == CH_AGREEMENT:
            per_comm[0, c] += 1.0
        elif ch == CH_REGULATED:
            per_comm[1, c] += 1.0
        elif ch == CH_UNREGULATED:
            per_comm[2, c] += 1.0
        elif ch == CH_INDEPENDENT:
            per_comm[3, c] += 1.0
        to_dest[o, d, 0] += 1.0
        if k == HEALTH:
            per_comm[4, c] += 1.0
            to_dest[o, d, 1] += 1.0


@numba.njit(cache=True, nogil=True)
def _candidates(cand, n_o, o_dest, o_fee, o_channel, o_contract, o_match, o_guarantee,
                o_named, has_named, o_agency, a_dest, u, u_sub, sub_d, sub_scalar, integ_d,
                skill_match_independent, wage_dest, home_wage, net, asc_offer,
                asc_independent, beta_wage, beta_fee, moving_cost, beta_network, beta_ties,
                beta_integration, origin, occ, community, ties, status, p_dest, p_channel,
                contract_left, q_abroad, n_stays, debt, matched, h_dep, h, p_guarantee,
                p_named, substituted, integration, member, savings, per_comm, to_dest,
                accepted, n_orig):
    n = cand.shape[0]
    # each candidate's offer (the first n_o) or attempt, and the levers at its destination
    dest = np.empty(n, dtype=np.int64)
    fee, match, guarantee = np.zeros(n), np.zeros(n), np.zeros(n)
    offered, named = np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_)
    channel, contract = np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int16)
    agency = np.full(n, -1, dtype=np.int64)
    sub, integ = np.zeros(n), np.empty(n)
    substitution = False  # numpy's any(rate != 0) over the offers' destinations
    for j in range(n_o):
        d = np.int64(o_dest[j])
        dest[j] = d
        fee[j] = o_fee[j]
        offered[j] = True
        channel[j] = o_channel[j]
        contract[j] = o_contract[j]
        match[j] = o_match[j]
        guarantee[j] = o_guarantee[j]
        if has_named:
            named[j] = o_named[j]
        agency[j] = o_agency[j]
        sub[j] = _threshold(sub_d[d], sub_scalar)
        if sub_d[d] != 0.0:
            substitution = True
    for j in range(n_o, n):
        dest[j] = np.int64(a_dest[j - n_o])
    for j in range(n):
        integ[j] = integ_d[dest[j]]
    _decide(cand, dest, fee, offered, channel, contract, match, guarantee, named, agency,
            u[0], u[1], u_sub, sub, substitution, skill_match_independent, wage_dest,
            home_wage, net, integ, asc_offer, asc_independent, beta_wage, beta_fee,
            moving_cost, beta_network, beta_ties, beta_integration, origin, occ, community,
            ties, status, p_dest, p_channel, contract_left, q_abroad, n_stays, debt, matched,
            h_dep, h, p_guarantee, p_named, substituted, integration, member, savings,
            per_comm, to_dest, accepted, n_orig)


_NO_OFFERS = (np.zeros(0, np.int8), np.zeros(0), np.zeros(0, np.int8), np.zeros(0, np.int16),
              np.zeros(0), np.zeros(0), np.zeros(0, bool), False, np.zeros(0, np.int64))


def decide_terms(p, wage_dest, home_wage, substitution_rate, integration_policy,
                 n_dest: int) -> tuple:
    """The terms of :func:`accept_and_leave` that change only with the parameters and the
    policy in force: the wages, the destinations' contract-substitution rate and integration
    policy as tables (with whether the rate is one number everywhere: compared at the draws'
    precision then) and the utility's weights."""
    return (_table_of(substitution_rate, (n_dest,)), is_scalar(substitution_rate),
            _table_of(integration_policy, (n_dest,)),
            np.float32(p.skill_match_independent), _arr(wage_dest), _arr(home_wage),
            float(p.asc_offer), float(p.asc_independent), float(p.beta_wage),
            float(p.beta_fee), float(p.moving_cost), float(p.beta_network), float(p.beta_ties),
            float(p.beta_integration_policy))


def accept_and_leave(pop, cand, offers, attempts, u, u_sub, net, terms: tuple, n_comm: int,
                     to_dest, accepted, n_orig: int):
    """The candidates ``cand`` (slots: those with the offers ``offers``, then those
    attempting ``attempts``; either may be None) accept or refuse (migrant.migration_utility,
    logit), and those who accept start their stay (migrant.start_stay; unregulated recruits
    may find their contract substituted, migrant.substitute), one person at a time, in order,
    in one compiled call (tests compare migrant.decide with its numpy statement).

    Args:
        u: (2, len(cand)) the candidates' float32 draws of acceptance and skill match (in
            their order); u_sub: (len(cand),) of substitution; net: (n_comm, n_dest) per cent
            abroad; terms: :func:`decide_terms`; to_dest: (n_orig, n_dest, k) corridor flows,
            recruits and health recruits added in columns 0 and 1; accepted: (n_ag, n_orig)
            the agencies' accepted offers per origin, added to (the market sets them to 0
            at the start of each quarter).

    Returns:
        (len(DECIDE_SUMS), n_comm) sums per community.
    """
    n = len(cand)
    _float32_draws(n, u[0], u[1], u_sub)
    if offers is None:
        n_o, fields = 0, _NO_OFFERS
    else:
        n_o = len(offers.idx)
        fields = (offers.dest, offers.fee, offers.channel, offers.contract, offers.match,
                  offers.guarantee, offers.named if offers.named is not None else _NO_OFFERS[6],
                  offers.named is not None, offers.agency)
    sub_d, sub_scalar, integ_d, match_independent, *weights = terms
    per_comm = np.zeros((len(DECIDE_SUMS), n_comm))
    _candidates(_arr(cand, np.int64), n_o, *fields,
                _NO_OFFERS[0] if attempts is None else attempts.dest,
                np.ascontiguousarray(u), np.ascontiguousarray(u_sub), sub_d, sub_scalar, integ_d,
                match_independent, *weights[:2], _arr(net), *weights[2:], pop.origin,
                pop.occ, pop.community, pop.ties, pop.status, pop.dest, pop.channel,
                pop.contract_left, pop.q_abroad, pop.n_stays, pop.debt, pop.matched, pop.h_dep,
                pop.h, pop.guarantee, pop.named, pop.substituted, pop.integration, pop.member,
                pop.savings, per_comm, to_dest, accepted.reshape(-1), n_orig)
    return per_comm


# ---------------------------------------------------------------------------
# returns (ODD §7.9): contracts end, settled and irregular migrants return
# ---------------------------------------------------------------------------

#: rows of returns' per-community sums
RETURN_SUMS = ("contract_ends", "overstays", "contract_settles", "returns", "return_gain",
               "knowledge_in", "savings_home")


@numba.njit(cache=True, nogil=True)
def overstay(const_minus_enforcement, hardship_weight, development, rights_weight, right,
             has_right, guarantee):
    """migrant.overstay_probability of one worker: logistic(c - e * enforcement + k (1 - D)
    - r * right) * (1 - g), with 1 - g in float32 (a Python float minus float32 ``g``)."""
    x = const_minus_enforcement + hardship_weight * (1.0 - development)
    if has_right:
        x = x - rights_weight * right
    return (1.0 / (1.0 + _exp1(-x))) * np.float64(F32(1.0) - guarantee)


@numba.njit(cache=True, nogil=True)
def contract_end(u, visa, visa_scalar, integration, guarantee, skilled, over):
    """migrant.contract_end_outcome of one ending contract (0 return, 1 settle, 2 overstay)
    with the settle probability s = visa * integration * (1 - g) for the skilled (0
    otherwise) — in float32 where the visa openness is one number everywhere, as numpy
    computed it — and, for a return, v = (u - a) / (1 - a), a = s + (1 - s) o, the rest of
    the draw that migrant.named_for_rehire compares with the re-hiring rate."""
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
def settled_return(hazard, w_ties32, ties, w_development, development, incentive_term,
                   w_integration32, integration, w_years, years, port_term, wage_term,
                   saved_term):
    """migrant.settled_return_probability of one settled migrant, in its order of
    operations (the ties and integration terms are float32 products there); the optional
    terms are passed already multiplied (0.0 when off: they are then not added)."""
    x = np.float64(w_ties32 * ties) + w_development * development
    x = x + incentive_term
    x = x - np.float64(w_integration32 * integration)
    x = x - w_years * years
    if port_term[0]:
        x = x + port_term[1]
    if wage_term[0]:
        x = x - wage_term[1]
    if saved_term[0]:
        x = x + saved_term[1]
    lam = hazard * _exp1(x)
    return -_expm1_1(-lam)


@numba.njit(cache=True, nogil=True)
def _returns(idx, u, status, occ, origin, dest, community, contract_left, guarantee,
             integration, ties, q_abroad, savings, h, h_dep, member, remitted, named,
             development, visa, visa_scalar, const_minus_enforcement, hardship_weight,
             rights_weight, change_right, has_change_right, named_rate, hazard, w_ties32,
             w_development, incentive, w_incentive, w_integration32, w_years, portability,
             has_port, w_port, wage_rel, has_wage_rel, w_wage, saving_target, has_saved, w_saved,
             irregular_threshold, knowledge_per_gain32, per_comm, to_dest):
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
            # the contract ends: settle, overstay or return (migrant.contract_end_outcome)
            g = guarantee[i]
            over = overstay(const_minus_enforcement, hardship_weight, dev, rights_weight,
                            change_right[n], has_change_right, g)
            outcome, v = contract_end(u[n], visa[n], visa_scalar, integration[i], g,
                                      occ[i] < LOW, over)
            per_comm[0, c] += 1.0
            if outcome == 1:
                status[i] = SETTLED
                per_comm[2, c] += 1.0
            elif outcome == 2:
                status[i] = IRREGULAR
                per_comm[1, c] += 1.0
            else:
                back = True
                # the employer may name the worker for re-hiring (migrant.named_for_rehire)
                if v < named_rate[n]:
                    named[i] = True
        elif s == SETTLED:
            wage_term = 0.0
            if has_wage_rel:
                wage_term = w_wage * _log1(wage_rel[dest[i], occ[i]])
            saved_term = 0.0
            if has_saved:
                x = np.float64(savings[i]) / saving_target[origin[i], occ[i]]
                saved_term = w_saved * at_most_one(x)
            prob = settled_return(
                hazard, w_ties32, ties[i], w_development, dev, w_incentive * incentive[n],
                w_integration32, integration[i], w_years, np.float64(q_abroad[i]) / 4.0,
                (has_port, w_port * portability[n]), (has_wage_rel, wage_term),
                (has_saved, saved_term))
            back = np.float64(u[n]) < prob
        elif s == IRREGULAR:
            back = u[n] < irregular_threshold
        if not back:
            continue
        # home again (migrant.end_stay), with savings and the skills gained
        kept = np.float64(savings[i])
        savings[i] = 0.0
        gain = max(h[i] - h_dep[i], F32(0.0))
        status[i] = RETURNED
        contract_left[i] = 0
        member[i] = False
        remitted[i] = False
        per_comm[3, c] += 1.0
        per_comm[4, c] += np.float64(gain)
        per_comm[5, c] += np.float64(knowledge_per_gain32 * gain)
        per_comm[6, c] += kept
        to_dest[origin[i], dest[i], 2] += 1.0


def returns_pass(pop, idx, u, development, visa, change_right, named_rate, incentive,
                 portability, wage_rel, saving_target, p, n_comm: int, to_dest):
    """The persons abroad (``idx``) in one compiled pass: temporary contracts run down and
    end (settle, overstay, or return, the employer perhaps naming the worker for re-hiring),
    settled and irregular migrants return with their hazard, and returnees come home
    (migrant.returns states the same with numpy; tests compare the two).

    ``u``: one draw per person of ``idx``, in its order. Levers are scalars or one value
    per person of ``idx``; ``change_right``, ``portability``: None where the right is
    nowhere granted; ``wage_rel`` (destination, occupation), ``saving_target`` (origin,
    occupation): the settled migrants' return motives (migrant.return_motive_tables), None
    while the term is off. Returns (len(RETURN_SUMS), n_comm) sums per community; the
    corridors' returns are added to ``to_dest[:, :, 2]``."""
    idx = _arr(idx, np.int64)
    n = len(idx)
    _draws_of(n, u)
    f64 = np.float64

    def per_person(x):
        return _vec(x, n)

    st = pop.status[idx]
    # numpy added an optional term only when some person concerned had it non-zero
    if change_right is not None:
        ending = (st == TEMP) & (pop.contract_left[idx] <= 1)
        has_change_right = bool(np.any(per_person(change_right)[ending]))
    else:
        has_change_right = False
    has_port = portability is not None and bool(
        np.any(per_person(portability)[st == SETTLED]))
    per_comm = np.zeros((len(RETURN_SUMS), n_comm))
    _returns(idx, u, pop.status, pop.occ, pop.origin, pop.dest, pop.community,
             pop.contract_left, pop.guarantee, pop.integration, pop.ties, pop.q_abroad,
             pop.savings, pop.h, pop.h_dep, pop.member, pop.remitted, pop.named,
             _arr(development, f64), per_person(visa), is_scalar(visa),
             p.overstay_const - p.overstay_enforcement * p.border_enforcement,
             float(p.overstay_hardship), float(p.overstay_rights),
             per_person(0.0 if change_right is None else change_right), has_change_right,
             per_person(named_rate), float(p.return_hazard), np.float32(p.hazard_ties),
             float(p.hazard_development), per_person(incentive), float(p.hazard_incentive),
             np.float32(p.hazard_integration), float(p.hazard_years),
             per_person(0.0 if portability is None else portability), has_port,
             float(p.hazard_portability), _table(wage_rel), wage_rel is not None,
             float(p.hazard_wage_abroad), _table(saving_target), saving_target is not None,
             float(p.hazard_savings),
             u.dtype.type(p.irregular_return + p.removal_rate * p.border_enforcement),
             np.float32(p.knowledge_per_gain), per_comm, to_dest)
    return per_comm


# ---------------------------------------------------------------------------
# temporary return missions (ODD §7.8)
# ---------------------------------------------------------------------------

#: rows of missions_pass' per-community sums
MISSION_SUMS = ("missions", "knowledge_in", "mission_health_h", "mission_education_h")


@numba.njit(cache=True, nogil=True)
def _missions(idx, u, occ, status, origin, dest, community, ties, member, h, rate_engaged,
              boost, knowledge32, n_dest, per_comm, to_dest, organised):
    for n in range(idx.shape[0]):
        i = idx[n]
        k = occ[i]
        if k >= LOW or status[i] == IRREGULAR:
            continue
        # association.mission_probability, in its order of operations
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


def missions_pass(pop, idx, u, engagement, p, n_comm: int, n_dest: int, to_dest):
    """Skilled regular migrants abroad (``idx``) go on a mission with
    association.mission_probability (compiled, one person at a time; tests compare it with
    the numpy statement). ``u``: one draw per person of ``idx``, in its order;
    ``engagement``: scalar or one value per person of ``idx``. Returns the
    (len(MISSION_SUMS), n_comm) sums per community and the missions organised by each
    association (community x destination); corridors' missions are added to
    ``to_dest[:, :, 4]``."""
    idx = _arr(idx, np.int64)
    n = len(idx)
    _draws_of(n, u)
    # p.mission_rate * (1 + engagement): a Python product where engagement is one number
    eng = np.asarray(engagement, dtype=np.float64)
    rate_engaged = _vec(p.mission_rate * (1.0 + eng), n)
    per_comm = np.zeros((len(MISSION_SUMS), n_comm))
    organised = np.zeros(n_comm * n_dest, dtype=np.int64)
    _missions(idx, u, pop.occ, pop.status, pop.origin, pop.dest, pop.community, pop.ties,
              pop.member, pop.h, rate_engaged, float(p.mission_member_boost),
              np.float32(p.knowledge_per_mission), n_dest, per_comm, to_dest, organised)
    return per_comm, organised


# ---------------------------------------------------------------------------
# a quarter abroad (ODD §7.6-7.9): work, remittances, missions and returns in one call
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _abroad(idx, u_work, u_remit, u_mission, u_return,
            status, occ, dest, channel, matched, substituted, member, h, integration, ties,
            q_abroad, debt, savings, remitted, origin, community, contract_left, guarantee,
            h_dep, named,
            fac, fac_moved, access_c, development, to_dest,
            wage_dest, integ_d, join_rate, change_od, has_change, change_match, recognition,
            growth_matched, growth_wasted, h_min, h_max, substitution_loss, advocacy, abuse,
            integration_rate, ties_decay, association_ties,
            net_share, repay_share, remit_base, remit_ties, remit_years, collective_share,
            formal_fee_od, p_formal_od, p_formal_scalar, informal_loss, informal_fee,
            mission_rate_o, mission_boost, knowledge_per_mission32,
            visa_d, visa_scalar, const_minus_enforcement, hardship_weight, rights_weight,
            named_rate_d, hazard, w_ties32, w_development, incentive_o, w_incentive,
            w_integration32, w_years, port_od, has_port_table, w_port, wage_rel, has_wage_rel,
            w_wage, saving_target, has_saved, w_saved, irregular_threshold32,
            knowledge_per_gain32, n_comm, n_dest):
    n = idx.shape[0]
    # each person's lever values, as migrant.work, remit, association.missions and
    # migrant.returns looked them up (none depends on what the four passes change); the
    # returns add an optional term only when some person concerned has it non-zero, as
    # numpy added it
    join, recog, leave, change_n = np.empty(n), np.empty(n), np.zeros(n), np.zeros(n)
    share, access, formal_fee = np.empty(n), np.empty(n), np.empty(n)
    p_formal, loss_prob, rate = np.empty(n), np.empty(n), np.empty(n)
    visa, named_rate, incentive, port = np.empty(n), np.empty(n), np.empty(n), np.zeros(n)
    any_change = False
    any_port = False
    for j in range(n):
        i = idx[j]
        o, d = np.int64(origin[i]), np.int64(dest[i])
        # 6. work
        factor = fac[np.int64(community[i]) * n_dest + d] if fac_moved else 1.0
        join[j] = at_most_one(join_rate * factor) if fac_moved else _threshold(join_rate, True)
        if has_change:
            change_n[j] = change_od[o, d]
            leave[j] = (change_match * change_od[o, d]) * (1.0 if status[i] == TEMP else 0.0)
            recog[j] = recognition + leave[j]
            if status[i] == TEMP and contract_left[i] <= 1 and change_n[j] != 0.0:
                any_change = True
        else:
            recog[j] = _threshold(recognition, True)
        # 7. remittances
        share[j] = at_most_one(collective_share * factor) if fac_moved else collective_share
        access[j] = access_c[community[i]]
        formal_fee[j] = formal_fee_od[o, d]
        p_formal[j] = _threshold(p_formal_od[o, d], p_formal_scalar)
        loss_prob[j] = _threshold(informal_loss, True)
        # 8. missions
        rate[j] = mission_rate_o[o]
        # 9. returns
        visa[j] = visa_d[d]
        named_rate[j] = named_rate_d[d]
        incentive[j] = incentive_o[o]
        if has_port_table:
            port[j] = port_od[o, d]
            if status[i] == SETTLED and port[j] != 0.0:
                any_port = True
    income = np.empty(n)
    _work(idx, status, occ, dest, channel, matched, substituted, member, h, integration,
          ties, q_abroad, wage_dest, integ_d, u_work[0], join, u_work[1], recog, leave,
          has_change, growth_matched, growth_wasted, h_min, h_max, substitution_loss,
          advocacy, abuse, integration_rate, ties_decay, association_ties, income)
    amount, collective, household = np.empty(n), np.empty(n), np.empty(n)
    formal = np.empty(n, dtype=np.bool_)
    fee, loss, received = np.empty(n), np.empty(n), np.empty(n)
    remit_comm = np.zeros((7, n_comm))
    per_assoc = np.zeros((2, n_comm * n_dest))
    _remit(idx, income, debt, ties, q_abroad, savings, member, remitted, net_share,
           repay_share, remit_base, remit_ties, remit_years, share, access, u_remit[0],
           u_remit[1], p_formal, u_remit[2], loss_prob, formal_fee, informal_fee, amount,
           collective, household, formal, fee, loss, received, community, origin, dest, n_dest,
           to_dest[:, :, 3], remit_comm, per_assoc)
    mission_comm = np.zeros((4, n_comm))
    organised = np.zeros(n_comm * n_dest, dtype=np.int64)
    _missions(idx, u_mission, occ, status, origin, dest, community, ties, member, h, rate,
              mission_boost, knowledge_per_mission32, n_dest, mission_comm, to_dest,
              organised)
    return_comm = np.zeros((7, n_comm))
    _returns(idx, u_return, status, occ, origin, dest, community, contract_left, guarantee,
             integration, ties, q_abroad, savings, h, h_dep, member, remitted, named,
             development, visa, visa_scalar, const_minus_enforcement, hardship_weight,
             rights_weight, change_n, any_change, named_rate, hazard, w_ties32, w_development,
             incentive, w_incentive, w_integration32, w_years, port, any_port, w_port, wage_rel,
             has_wage_rel, w_wage, saving_target, has_saved, w_saved, irregular_threshold32,
             knowledge_per_gain32, return_comm, to_dest)
    return remit_comm, per_assoc, household, fee, loss, mission_comm, organised, return_comm


def abroad_terms(p, wage_dest, integration_policy, change_right, formal_fee, p_formal,
                 engagement, visa, named_rate, incentive, portability, wage_rel,
                 saving_target, n_orig: int, n_dest: int) -> tuple:
    """The terms of :func:`abroad_quarter` that change only with the parameters and the
    policy in force: each lever (a scalar, or one value per origin, destination or
    corridor) as a table, with the flags that say which are one number everywhere.
    ``change_right``, ``portability``: (n_orig, n_dest), or a scalar where the right is
    nowhere granted; ``wage_rel``, ``saving_target``: the settled migrants' return motives
    (migrant.return_motive_tables), None while off."""
    table = _table_of
    corridor, per_dest, per_orig = (n_orig, n_dest), (n_dest,), (n_orig,)
    eng = np.asarray(engagement, dtype=np.float64)
    return (
        _arr(wage_dest), table(integration_policy, per_dest), float(p.association_join_rate),
        table(change_right, corridor), not is_scalar(change_right),
        float(p.change_employer_match), float(p.recognition_rate),
        1.0 + p.skill_growth_abroad, 1.0 - p.brain_waste_rate, float(p.h_min), float(p.h_max),
        float(p.substitution_loss), float(p.association_advocacy), float(p.abuse_penalty),
        float(p.integration_rate), float(p.ties_decay), float(p.association_ties),
        1.0 - p.consumption_share, float(p.debt_repay_share), float(p.remit_base),
        float(p.remit_ties), float(p.remit_years), float(p.collective_share),
        table(formal_fee, corridor), table(p_formal, corridor), is_scalar(p_formal),
        float(p.informal_loss), float(p.informal_fee),
        table(p.mission_rate * (1.0 + eng), per_orig), float(p.mission_member_boost),
        np.float32(p.knowledge_per_mission),
        table(visa, per_dest), is_scalar(visa),
        p.overstay_const - p.overstay_enforcement * p.border_enforcement,
        float(p.overstay_hardship), float(p.overstay_rights), table(named_rate, per_dest),
        float(p.return_hazard), np.float32(p.hazard_ties), float(p.hazard_development),
        table(incentive, per_orig), float(p.hazard_incentive), np.float32(p.hazard_integration),
        float(p.hazard_years), table(portability, corridor), not is_scalar(portability),
        float(p.hazard_portability), _table(wage_rel), wage_rel is not None,
        float(p.hazard_wage_abroad), _table(saving_target), saving_target is not None,
        float(p.hazard_savings), np.float32(p.irregular_return + p.removal_rate
                                            * p.border_enforcement),
        np.float32(p.knowledge_per_gain))


def abroad_quarter(pop, idx, u_work, u_remit, u_mission, u_return, fac, access, development,
                   to_dest, terms: tuple, n_comm: int, n_dest: int):
    """A quarter abroad for the persons ``idx``: work (:func:`work_abroad`), remittances
    (:func:`remit_persons`), missions (:func:`missions_pass`) and returns
    (:func:`returns_pass`), one after the other as those four calls make them, in one
    compiled call (the lever values each of them took per person are looked up in
    ``terms``, :func:`abroad_terms`).

    ``u_work`` (2, n), ``u_remit`` (3, n), ``u_mission``, ``u_return`` (n,): the persons'
    float32 draws of each stream, in their order; ``fac``: the associations' participation
    factors (community x destination), or a scalar while no trust has moved; ``access``,
    ``development``: per community; ``to_dest``: (n_orig, n_dest, k) the corridors' flows,
    added to in place. Returns the remittances' (len(REMIT_SUMS), n_comm) and associations'
    (2, n_comm * n_dest) sums, the persons' household transfers, fees and losses, the
    missions' (len(MISSION_SUMS), n_comm) sums and missions organised per association,
    and the returns' (len(RETURN_SUMS), n_comm) sums."""
    idx = _arr(idx, np.int64)
    n = len(idx)
    if len(u_work) != 2 or len(u_remit) != 3:
        raise ValueError(f"a quarter abroad takes 2 rows of draws of work and 3 of remittances, "
                         f"got {len(u_work)} and {len(u_remit)}")
    _float32_draws(n, *u_work, *u_remit, u_mission, u_return)
    moved = not is_scalar(fac)
    return _abroad(
        idx, np.ascontiguousarray(u_work), np.ascontiguousarray(u_remit),
        np.ascontiguousarray(u_mission), np.ascontiguousarray(u_return),
        pop.status, pop.occ, pop.dest, pop.channel, pop.matched, pop.substituted, pop.member,
        pop.h, pop.integration, pop.ties, pop.q_abroad, pop.debt, pop.savings, pop.remitted,
        pop.origin, pop.community, pop.contract_left, pop.guarantee, pop.h_dep, pop.named,
        _arr(fac) if moved else _NO_VECTOR, moved, _arr(access), _arr(development), to_dest,
        *terms, n_comm, n_dest)


# ---------------------------------------------------------------------------
# where independent migrants go (ODD §7.4)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _dest_weights(ind, origin, occ, community, wage_dest, wage_base, net, net0, integ_term,
                  rights, has_rights, rights_weight, beta_wage, beta_network, corridor, out):
    n_dest = wage_dest.shape[0]
    v = np.empty(n_dest)
    for n in range(ind.shape[0]):
        i = ind[n]
        o = np.int64(origin[i])
        k = occ[i]
        c = community[i]
        for d in range(n_dest):
            x = beta_wage * _log1(wage_dest[d, k] / wage_base[d, k])
            x = x + beta_network * (_log1p(net[c, d]) - _log1p(net0[c, d]))
            x = x + integ_term[d]
            if has_rights:
                x = x + rights_weight * rights[o, d]
            v[d] = x
        m = v[0]  # the row's maximum, NaN if any is (as numpy's max)
        for d in range(1, n_dest):
            if v[d] > m or math.isnan(v[d]):
                m = v[d]
        for d in range(n_dest):
            out[n, d] = corridor[o, d] * _exp1(v[d] - m)


@numba.njit(cache=True, nogil=True)
def _choose(u, weights, out):
    n_dest = weights.shape[1]
    cum = np.empty(n_dest)
    for n in range(weights.shape[0]):
        c = 0.0
        for d in range(n_dest):
            c = weights[n, d] if d == 0 else c + weights[n, d]
            cum[d] = c
        total = cum[n_dest - 1]
        x = np.float64(u[n])
        k = 0
        for d in range(n_dest - 1):
            if x >= cum[d] / total:
                k += 1
        out[n] = min(k, n_dest - 1)


def choose_destinations(u, weights) -> np.ndarray:
    """Each row's destination drawn with ``u`` (one number a row) in proportion to its
    ``weights``: the number of cumulated shares at or below u, at most n_dest - 1, as int8.
    With numpy: ``cum = np.cumsum(weights, axis=1); cum /= cum[:, -1:]`` then
    ``np.minimum((u[:, None] >= cum[:, :-1]).sum(axis=1), n_dest - 1)``
    (``tests/model/test_tally.py`` compares the two)."""
    out = np.empty(weights.shape[0], dtype=np.int8)
    _choose(np.ascontiguousarray(u), _arr(weights), out)
    return out


def destination_weights(pop, ind, wage_dest, wage_base, net, net0, integ_term, rights,
                        rights_weight, beta_wage, beta_network, corridor) -> np.ndarray:
    """Compiled :func:`migdev.agents.agency.destination_weights` for the persons ``ind``
    (``integ_term``: beta_integration_policy * (I_d - I_default) per destination;
    ``rights``: the corridors' rights index, or a scalar 0.0 where none is granted)."""
    ind = _arr(ind, np.int64)
    f64 = np.float64
    out = np.empty((len(ind), wage_dest.shape[0]))
    has_rights = not is_scalar(rights)
    _dest_weights(ind, pop.origin, pop.occ, pop.community, _arr(wage_dest, f64),
                  _arr(wage_base, f64), _arr(net, f64),
                  _arr(net0, f64), _arr(integ_term, f64),
                  _arr(rights, f64) if has_rights else np.zeros((1, 1)),
                  has_rights, float(rights_weight), float(beta_wage), float(beta_network),
                  _arr(corridor, f64), out)
    return out


# ---------------------------------------------------------------------------
# entrants take the slots of those who left (ODD §7.2)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _enter(idx, occ_new, first_id, entry_age, u_ties, community, person_id, occ, age, h,
           h_dep, ties, status, dest, contract_left, q_abroad, n_stays, savings, debt,
           integration, member, channel, matched, guarantee, remitted, named, substituted,
           trainees):
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
    _draws_of(len(idx), u_ties)
    trainees = np.zeros(n_comm)
    _enter(_arr(idx, np.int64), _arr(occ, np.int8),
           int(first_id), np.float32(entry_age), u_ties, pop.community, pop.person_id,
           pop.occ, pop.age, pop.h, pop.h_dep, pop.ties, pop.status, pop.dest,
           pop.contract_left, pop.q_abroad, pop.n_stays, pop.savings, pop.debt,
           pop.integration, pop.member, pop.channel, pop.matched, pop.guarantee,
           pop.remitted, pop.named, pop.substituted, trainees)
    return trainees


@numba.njit(cache=True, nogil=True)
def _entry(idx, u, origin, prospect, home, dest, cost, beta, cap, multiplier, extra,
           place_credit, u_training, elasticity, u_extra, cohort_expected, first_id,
           entry_age, community, person_id, occ, age, h, h_dep, ties, status, dest_of,
           contract_left, q_abroad, n_stays, savings, debt, integration, member, channel,
           matched, guarantee, remitted, named, substituted, trainees, applicants):
    n_orig = home.shape[0]
    probs = np.empty((n_orig, 4))
    places = np.empty((n_orig, 3), dtype=np.int64)
    credit = np.empty((n_orig, 3))
    per_entrant = np.empty((n_orig, 3))
    _training(idx, origin, prospect, home, dest, cost, beta, cap, multiplier, extra,
              place_credit, u_training, probs, places, credit, per_entrant)
    occ_new = np.empty(idx.shape[0], dtype=np.int8)
    _choose_tracks(idx, origin, u[0], u[1], probs, places, elasticity, u_extra, occ_new,
                   applicants)
    keep_unused(place_credit, credit, applicants, places, per_entrant, cohort_expected)
    _enter(idx, occ_new, first_id, entry_age, u[2], community, person_id, occ, age, h, h_dep,
           ties, status, dest_of, contract_left, q_abroad, n_stays, savings, debt,
           integration, member, channel, matched, guarantee, remitted, named, substituted,
           trainees)


def entry(pop, idx, u, prospect, training_terms: tuple, beta: float, multiplier, extra,
          place_credit, u_training, elasticity: float, u_extra, cohort_expected,
          first_id: int, entry_age: float, n_comm: int):
    """A quarter's entrants ``idx`` (slots of those who left; ``u``: their three draws,
    (3, entrants)) in one compiled call: :func:`training_system` (``training_terms``: the
    home wages, the corridor-weighted wages abroad, the tracks' costs and the places per
    entrant before policy, as ``migrant.make_training_terms`` gives them),
    :func:`choose_tracks` with the first two rows, :func:`keep_unused` on ``place_credit``
    (in place) and :func:`enter` with the third. Returns the health trainees per community
    and the applicants per origin and track (``tests/model/test_kernels.py`` compares the
    four calls and this one, bit for bit)."""
    idx = _arr(idx, np.int64)
    if np.ndim(u) != 2 or np.shape(u)[0] != 3:
        raise ValueError(f"entry takes three draws per entrant, got shape {np.shape(u)}")
    _float32_draws(len(idx), *u)
    home, dest, cost, cap = training_terms
    n_orig = home.shape[0]
    trainees = np.zeros(n_comm)
    applicants = np.zeros((n_orig, 4), dtype=np.int64)
    _entry(idx, u, pop.origin, _arr(prospect), _arr(home), _arr(dest), _arr(cost),
           float(beta), _arr(cap), _arr(multiplier), _arr(extra), place_credit,
           _arr(u_training), float(elasticity),
           _arr(u_extra if np.shape(u_extra) == (n_orig, LOW)
                else np.broadcast_to(u_extra, (n_orig, LOW))), _arr(cohort_expected),
           int(first_id), np.float32(entry_age), pop.community, pop.person_id, pop.occ,
           pop.age, pop.h, pop.h_dep, pop.ties, pop.status, pop.dest, pop.contract_left,
           pop.q_abroad, pop.n_stays, pop.savings, pop.debt, pop.integration, pop.member,
           pop.channel, pop.matched, pop.guarantee, pop.remitted, pop.named,
           pop.substituted, trainees, applicants)
    return trainees, applicants


@numba.njit(cache=True, nogil=True)
def _accounts(flows, rows_remit, remit_sums, row_fees, row_collective, row_matched,
              rows_mission, mission_sums, rows_return, return_sums, investment, projects,
              invest_share, ratio, fee, fee_paid, per_assoc, match_paid, organised,
              st_members, st_fund, st_matched, st_missions, st_total_fund, st_total_matched,
              st_total_missions, out):
    n_comm = flows.shape[1]
    received, household_fees = remit_sums[3], remit_sums[4]
    contrib, paid = remit_sums[5], remit_sums[6]
    # 7. the remittances' flows, the households' investment
    _add_rows(flows, rows_remit, remit_sums[:rows_remit.shape[0]])
    for c in range(n_comm):
        investment[c] += invest_share * received[c]
    # the associations' collective gifts, matched, to the projects (collect_tallied)
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
    # 8. the missions' flows, the associations' records (association.record)
    _add_rows(flows, rows_mission, mission_sums)
    for j in range(st_members.shape[0]):
        st_members[j] = np.int64(per_assoc[0, j])
        st_fund[j] = per_assoc[1, j]
        st_matched[j] = per_assoc[1, j] * match_paid[j]
        st_missions[j] = organised[j]
        st_total_fund[j] += st_fund[j]
        st_total_matched[j] += st_matched[j]
        st_total_missions[j] += st_missions[j]
    # 9. the returns' flows, the savings brought home invested
    _add_rows(flows, rows_return, return_sums[:rows_return.shape[0]])
    for c in range(n_comm):
        investment[c] += return_sums[rows_return.shape[0], c] * invest_share


def accounts(flows, rows: tuple, remit_sums, mission_sums, return_sums, investment, projects,
             invest_share: float, ratio, fee, per_assoc, match_paid, organised, state):
    """The institutions' part of a quarter abroad, as remit, the associations' accounts
    (association.collect_tallied and record) and returns make it from the persons' sums,
    in one compiled call: the flows (``rows``: the flows' rows of REMIT_SUMS[:3], rem_fees,
    collective, matched, MISSION_SUMS and RETURN_SUMS[:6]), the households' investment and
    the projects (per community, in place), and the associations' records (``state``, an
    AssociationState; ``per_assoc``: their members and funds, ``match_paid``: the match paid
    per unit given, ``organised``: their missions). ``ratio``: the match paid per unit,
    per community or a scalar; ``fee``: the formal fee, a scalar, or None where it differs
    by corridor (then each community's contribution-weighted fee). Returns the collective
    fees, the money to the projects and the match, per community."""
    rows_remit, row_fees, row_collective, row_matched, rows_mission, rows_return = rows
    n_comm = flows.shape[1]
    out = np.empty((3, n_comm))
    _accounts(flows, rows_remit, remit_sums, row_fees, row_collective, row_matched,
              rows_mission, mission_sums, rows_return, return_sums, investment, projects,
              float(invest_share), _vec(ratio, n_comm), _vec(0.0 if fee is None else fee, n_comm),
              fee is None, per_assoc, _arr(match_paid), _arr(organised, np.int64),
              state.members, state.fund, state.matched, state.missions, state.total_fund,
              state.total_matched, state.total_missions, out)
    return out


# ---------------------------------------------------------------------------
# the communities' stocks and indices (ODD §7.10)
# ---------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _communities(counts, h_health, h_back, h_edu, represented, knowledge_in, knowledge,
                 investment, projects, keep_k, keep_i, keep_p, health_ref, education_ref,
                 size, knowledge_ref, investment_ref, productivity, mission_quarters,
                 mission_health_h, mission_education_h, comm_origin, prospect_weight, out,
                 prospect):
    n_comm = counts.shape[0]
    abroad = np.zeros((prospect.shape[0], 4))
    home = np.zeros((prospect.shape[0], 4))
    for c in range(n_comm):
        hh = np.float64(counts[c, HEALTH, 1])
        eh = np.float64(counts[c, EDUCATION, 1])
        rep = represented[c]
        hd = hh * 10_000.0 / rep if rep > 0 else 0.0  # community.density
        ed = eh * 10_000.0 / rep if rep > 0 else 0.0
        k = knowledge[c] * keep_k + knowledge_in[c]  # community.accumulate
        inv = investment[c] * keep_i + 0.0
        proj = projects[c] * keep_p + 0.0
        # community.development_index
        service = 0.5 * min(1.0, hd / health_ref) + 0.5 * min(
            1.0, ed / max(education_ref[c], 1e-12))
        know = 1.0 - _exp1(-k / (size[c] * knowledge_ref))
        invest = 1.0 - _exp1(-(inv + proj) / (size[c] * investment_ref))
        # community.knowledge_uplift and effective_health
        uplift = 1.0 + productivity * (1.0 - _exp1(-k / (size[c] * knowledge_ref)))
        missions_h = mission_quarters * mission_health_h[c]
        out[0, c] = hh
        out[1, c] = eh
        out[2, c] = hd
        out[3, c] = k
        out[4, c] = inv
        out[5, c] = proj
        out[6, c] = 0.5 * service + 0.25 * know + 0.25 * invest
        out[7, c] = uplift * h_health[c] + missions_h
        out[8, c] = uplift * h_back[c]
        out[9, c] = missions_h
        out[10, c] = uplift * h_edu[c] + mission_quarters * mission_education_h[c]
        o = comm_origin[c]
        for j in range(4):
            abroad[o, j] += np.float64(counts[c, j, 0])
            home[o, j] += np.float64(counts[c, j, 1])
    # the perceived chance of emigrating (community.update's prospect)
    for o in range(prospect.shape[0]):
        for j in range(4):
            total = abroad[o, j] + home[o, j]
            r = abroad[o, j] / total if total > 0 else 0.0
            prospect[o, j] = min(max(prospect_weight * r, 0.0), 1.0)


#: rows of communities()' output, in order: the model's community stocks
COMMUNITY_ROWS = ("health_home", "education_home", "health_density", "knowledge",
                  "investment", "projects", "development", "health_effective",
                  "health_eff_returnees", "health_eff_missions", "education_effective")


def communities(counts, h_health, h_back, h_edu, comm, knowledge_in, mission_health_h,
                mission_education_h, world, p, n_orig: int):
    """community.update's arithmetic for every community in one compiled loop (the same
    operations in the same order as its numpy statement; a test compares them): returns
    (len(COMMUNITY_ROWS), n_comm) new stocks and the (n_orig, 4) prospect."""
    n_comm = counts.shape[0]
    out = np.empty((len(COMMUNITY_ROWS), n_comm))
    prospect = np.empty((n_orig, 4))
    _communities(counts, h_health, h_back, h_edu, _arr(world.represented_pop),
                 _arr(knowledge_in), comm["knowledge"], comm["investment"], comm["projects"],
                 1.0 - p.knowledge_depreciation, 1.0 - p.investment_depreciation,
                 1.0 - p.project_depreciation, float(p.health_density_ref),
                 _arr(world.education_ref), _arr(world.comm_size), float(p.knowledge_ref),
                 float(p.investment_ref), float(p.knowledge_productivity),
                 float(p.mission_quarters), _arr(mission_health_h), _arr(mission_education_h),
                 _arr(world.comm_origin, np.int64), float(p.prospect_weight), out, prospect)
    return out, prospect
