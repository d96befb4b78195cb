"""Compiled helpers shared by the agent families' kernels (each family's own kernels live
with it, in ``migdev.agents.<family>.kernels``).

* :func:`apportion_into` splits totals among rows by weights (largest remainders, or
  systematic rounding with a draw); :func:`lowest_per_group_into` picks the lowest draws
  per group; :func:`pairwise_sum` is a row's float sum in numpy's order.
* :func:`threshold` and :func:`at_most_one` are the comparisons and caps the passes share;
  :func:`check_draws` and :func:`check_float32_draws` check a pass's draws before it runs.
* :func:`as_array`, :func:`as_vector`, :func:`as_table` and :func:`table_of` shape a lever
  (a number, or a table per country or corridor) for a compiled call.

No fast-math: no reassociation and no fused multiply-add, so results have the same bits on
every machine.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import sys
from pathlib import Path

import numba
import numpy as np

from migdev.core.fmath import log_one

_SCALARS = (bool, int, float, np.generic)


def is_scalar(x) -> bool:
    """``np.ndim(x) == 0``, without its cost for a number (a lever is usually one number
    everywhere, and the processes ask many times a step)."""
    return isinstance(x, _SCALARS) or np.ndim(x) == 0


def value_at(v, index):
    """``v`` at ``index``: ``v`` itself where it is one value everywhere (a number or a
    zero-dimensional array), else ``v[index]`` (a lever's or a fee's table read at some
    persons' or countries' rows)."""
    return v if type(v) is not np.ndarray or v.ndim == 0 else v[index]


def nonzero(x) -> bool:
    """``bool(np.any(x))``, without its cost for a number."""
    if isinstance(x, _SCALARS):
        return bool(x != 0)
    return bool(np.any(x))


def as_array(x, dtype=np.float64):
    """``x`` as a C-contiguous array of ``dtype`` (``x`` itself when it is one)."""
    if type(x) is np.ndarray and x.dtype == dtype and x.flags.c_contiguous:
        return x
    return np.ascontiguousarray(x, dtype=dtype)


def as_vector(x, n: int, dtype=np.float64):
    """A scalar or an array broadcastable to (n,) as a C-contiguous (n,) array of
    ``dtype`` (the wrappers call the kernels with one value per person)."""
    if type(x) is np.ndarray and x.shape == (n,):
        return as_array(x, dtype)
    if isinstance(x, _SCALARS):
        return filled(n, x, dtype)
    if np.shape(x) != (n,):
        x = np.broadcast_to(x, (n,))
    return as_array(x, dtype)


def filled(n: int, x, dtype):
    """np.full(n, x, dtype) (the same cast of ``x``), at less cost."""
    out = np.empty(n, dtype=dtype)
    out.fill(x)
    return out


NO_TABLE = np.zeros((1, 1))


NO_VECTOR = np.zeros(1)


def as_table(x):
    """A 2-d float64 table for a kernel (a 1×1 placeholder for None: an optional term that
    is off and never read)."""
    return NO_TABLE if x is None else as_array(x)


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
def apportion_into(totals, w, u, use_u, out):
    """Split integer ``totals`` over columns in proportion to ``w`` into ``out``
    (:func:`apportion` states the rule: floors, then the units left by largest remainder or,
    with ``u``, systematic sampling)."""
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
    totals = as_array(totals, np.int64)
    w = as_array(weights, np.float64)
    out = np.empty(w.shape, dtype=np.int64)
    uu = np.zeros(len(w)) if u is None else as_array(u, np.float64)
    apportion_into(totals, w, uu, u is not None, out)
    return out


@numba.njit(cache=True, nogil=True)
def lowest_per_group_into(el, g_el, u_src, by_slot, want, count, n_g):
    """For each group, the ``want`` eligible persons with the lowest draws (ties by slot),
    ordered by group, draw and slot (:func:`lowest_per_group`)."""
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
    """For each group g, the ``min(total[g], supply[g])`` eligible persons (slots ``el``,
    groups ``g_el``, ``supply``: the persons of each group among ``el``) with the lowest
    draws ``u_el``; exact and deterministic (ties broken by slot order). Returns the chosen
    slots, their rank within their group and their group, ordered by group, then draw,
    then slot. The market reads every slot's draw at ``el`` instead
    (:func:`lowest_per_group_into`, called by ``agents.agency.kernels._market``)."""
    supply = as_array(supply, np.int64)
    want = np.minimum(as_array(total, np.int64), supply)
    return lowest_per_group_into(as_array(el, np.int64), as_array(g_el, np.int64),
                             np.ascontiguousarray(u_el), False, want, supply, len(want))


F32 = np.float32
_F32_DTYPE = np.dtype(np.float32)


def check_draws(n: int, *rows) -> None:
    """Check that each of ``rows`` holds one draw per person of the pass, in their order
    (n long; a two-dimensional array: each of its rows): the compiled passes read the n-th
    person's draw at n, unchecked."""
    for u in rows:
        shape = u.shape if type(u) is np.ndarray else np.shape(u)
        if not shape or shape[-1] != n:
            raise ValueError(f"draws of shape {np.shape(u)} for {n} persons: a pass takes "
                             "one draw per person it handles, in their order (Draws.rows_at "
                             "or d[idx]), not a whole row")


@numba.njit(cache=True, nogil=True)
def threshold(value, scalar):
    """:func:`thresholds` of one person in compiled code: the probability rounded to float32
    where the lever is one Python number (numpy compares a float32 draw with it at
    float32), else as it is. A float32 draw compared with the float64 of a float32 number
    gives the same answer as compared at float32."""
    return np.float64(F32(value)) if scalar else value


@numba.njit(cache=True, nogil=True)
def at_most_one(x):
    """np.minimum(1.0, x) of one number (NaN kept)."""
    return x if (x < 1.0 or math.isnan(x)) else 1.0


def table_of(x, shape) -> np.ndarray:
    """A scalar or an array broadcastable to ``shape`` as a new C-contiguous, writable
    float64 table. Always a copy: a lever that is already a table of the shape would
    otherwise come back as a read-only view, which numba types apart from a writable array,
    so each compiled pass that takes the table was compiled once more (a first quarter with
    tables per corridor took seconds more)."""
    return np.array(np.broadcast_to(np.asarray(x, dtype=np.float64), shape), order="C")


def check_float32_draws(n: int, *rows) -> None:
    """:func:`check_draws`, and float32 draws (the compiled calls that take several streams
    are compiled for the model's float32 draws only)."""
    check_draws(n, *rows)
    for u in rows:
        dtype = u.dtype if type(u) is np.ndarray else np.asarray(u).dtype
        if dtype is not _F32_DTYPE and dtype != _F32_DTYPE:
            raise ValueError(f"draws of shape {np.shape(u)} ({dtype}) for {n} persons: float32 "
                             "draws are taken (draws32)")


def thresholds(value, u, n):
    """A probability compared with draws ``u``, as numpy compares them: a scalar at the
    draws' precision, an array in float64."""
    if is_scalar(value):
        return filled(n, value, u.dtype)
    return as_vector(value, n)


@numba.njit(cache=True, nogil=True)
def log1p(x):
    """fmath.log1p of one number: log(u) + (x - (u - 1)) / u, u = 1 + x."""
    u = 1.0 + x
    corr = (x - (u - 1.0)) / u if u > 0 else 0.0
    return log_one(u) + (corr if math.isfinite(u) else 0.0)


def fresh_caches(module_name: str) -> None:
    """Drop the cached compiled functions of ``module_name`` if a source they were compiled
    from has changed since.

    numba checks a cached function against its own file only (a documented limit of its
    cache): a pass that calls a rule written in another file (a family's pass calling
    another family's rule, or a shared helper of this module) would otherwise go on running
    the rule as it was when first compiled. Each module with cached kernels calls this at
    its end: the sources of the module and of every migdev module its source imports,
    transitively among those already imported (:func:`_reached`), are hashed; where the hash
    is not the one its caches were written with, the module's caches are emptied (its
    functions are compiled again on first call) and the new hash is recorded beside them. A
    cache folder that cannot be written is left as numba leaves it."""
    module = sys.modules[module_name]
    own = [f for f in vars(module).values()
           if isinstance(f, numba.core.registry.CPUDispatcher) and f.__module__ == module_name
           and f._cache is not None and hasattr(f._cache, "_cache_path")]
    if not own:
        return
    digest = hashlib.sha256()
    for name in sorted(_reached(module)):
        digest.update(name.encode() + b"\0" + Path(sys.modules[name].__file__).read_bytes())
    stamp = Path(own[0]._cache._cache_path) / f"{module_name}.sources"
    try:
        if stamp.is_file() and stamp.read_text() == digest.hexdigest():
            return
        for f in own:
            f._cache.flush()
        tmp = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
        tmp.write_text(digest.hexdigest())
        tmp.replace(stamp)
    except OSError:
        return


def _reached(module) -> set[str]:
    """The migdev modules a module's compiled functions can depend on: itself and the
    migdev modules its source imports (compiled functions, and the constants numba
    compiles in), and theirs."""
    seen, todo = set(), [module.__name__]
    while todo:
        name = todo.pop()
        if name in seen or getattr(sys.modules.get(name), "__file__", None) is None:
            continue
        seen.add(name)
        todo.extend(_IMPORT.findall(Path(sys.modules[name].__file__).read_text()))
    return seen


_IMPORT = re.compile(r"^\s*(?:from|import)\s+(migdev(?:\.\w+)*)", re.M)


fresh_caches(__name__)
