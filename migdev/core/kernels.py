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
    totals = np.ascontiguousarray(totals, dtype=np.int64)
    w = np.ascontiguousarray(weights, dtype=np.float64)
    out = np.empty(w.shape, dtype=np.int64)
    uu = np.zeros(len(w)) if u is None else np.ascontiguousarray(u, dtype=np.float64)
    _apportion(totals, w, uu, u is not None, out)
    return out


@numba.njit(cache=True, nogil=True)
def _lowest_per_group(el, g_el, u_el, want, n_g):
    n = el.shape[0]
    count = np.zeros(n_g, dtype=np.int64)
    for i in range(n):
        count[g_el[i]] += 1
    # a threshold generous enough to hold the wanted number (a shortcut only: a group it
    # leaves short is taken whole), then a stable sort of each group's kept draws
    q = np.empty(n_g)
    for g in range(n_g):
        q[g] = min(1.0, 2.0 * want[g] / max(count[g], 1) + 0.02)
    kept = np.zeros(n_g, dtype=np.int64)
    for i in range(n):
        g = g_el[i]
        if want[g] > 0 and u_el[i] < q[g]:
            kept[g] += 1
    whole = kept < want
    start = np.zeros(n_g + 1, dtype=np.int64)
    for g in range(n_g):
        k = 0 if want[g] <= 0 else (count[g] if whole[g] else kept[g])
        start[g + 1] = start[g] + k
    pos = start[:-1].copy()
    bucket = np.empty(start[n_g], dtype=np.int64)
    for i in range(n):
        g = g_el[i]
        if want[g] > 0 and (whole[g] or u_el[i] < q[g]):
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
        order = np.argsort(u_el[members], kind="mergesort")
        for r in range(min(want[g], b - a)):
            chosen[j] = el[members[order[r]]]
            rank[j] = r
            group[j] = g
            j += 1
    return chosen, rank, group


def lowest_per_group(el, g_el, u_el, total, supply):
    """Compiled :func:`migdev.agents.agency.lowest_per_group` (same arguments, same
    result)."""
    want = np.minimum(np.asarray(total, dtype=np.int64), np.asarray(supply, dtype=np.int64))
    return _lowest_per_group(np.ascontiguousarray(el, dtype=np.int64),
                             np.ascontiguousarray(g_el, dtype=np.int64),
                             np.ascontiguousarray(u_el), want, len(want))
