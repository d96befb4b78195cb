"""Elementary functions that give the same bits on every machine.

numpy dispatches ``exp``, ``log``, ``log1p`` and ``expm1`` to CPU-specific code (AVX-512
paths on machines that have them, the C library elsewhere), and those agree only to the
last bit or so. A model that compares probabilities with uniform draws turns such a
last-bit difference into a different decision now and then, and from there into a
different run: the same seed gave other numbers on another machine.

The functions here use only the operations IEEE 754 defines exactly — addition,
multiplication, division, ``rint``, ``ldexp``, ``frexp``, comparisons — so their result
depends on nothing but their input. They are accurate to about one unit in the last
place (tests compare them with the C library over the ranges the model uses) and take
float64 arrays or scalars.

Methods (textbook range reductions with Taylor series, e.g. Muller, *Elementary
Functions: Algorithms and Implementation*, 3rd ed., 2016, ch. 11):

* exp(x) = 2^k exp(r), k = rint(x / ln 2), r = x - k ln 2 with ln 2 split in a high part
  of 32 significant bits (so ``k * LN2_HI`` is exact) and a low part; |r| <= ln2/2, and
  exp(r) by its Taylor series to degree 13 (truncation error < 1e-17).
* log(x) = e ln 2 + log(m), x = m 2^e with m in [sqrt(1/2), sqrt(2)); with f = m - 1 and
  s = f / (2 + f), log(m) = 2 atanh(s) = f - s (f - R), R = sum_j 2 s^(2j) / (2j + 1),
  |s| < 0.172, to j = 11.
* log1p(x) = log(u) + (x - (u - 1)) / u with u = 1 + x (the rounding of u corrected).
* expm1(x): for |x| < 1/2, x (1 + x/2 (1 + x/3 (1 + ...))) to degree 17; else exp(x) - 1.

Two implementations of each, the same operations in the same order: ``exp_numpy``,
``log_numpy`` and ``expm1_numpy`` (whole-array numpy; the readable specification), and the
compiled per-element kernels (numba, no fast-math, so no reassociation or fused
multiply-add) behind ``exp``, ``log`` and ``expm1``, which the model calls. A call on a
small array costs ~1 µs instead of ~30 µs. ``tests/model/test_fmath.py`` checks that the
two agree bit for bit. In ``exp`` the kernel multiplies by 2^k from a table when 2^k is a
normal number (exact, or one rounding for a subnormal result, as ``ldexp``) and uses the
two ``ldexp`` steps otherwise.
"""

from __future__ import annotations

import math

import numba
import numpy as np

LN2_HI = 6.93147180369123816490e-01  # ln 2 rounded to 32 significant bits
LN2_LO = 1.90821492927058770002e-10  # ln 2 - LN2_HI
INV_LN2 = 1.44269504088896338700e00
SQRT_HALF = 0.70710678118654752440
EXP_MAX = 709.782712893383973096  # ln(largest double)
EXP_MIN = -745.133219101941108420  # ln(smallest subnormal)

_EXP_COEF = tuple(1.0 / np.prod(np.arange(1, n + 1, dtype=float)) for n in range(13, -1, -1))
_ATANH_COEF = tuple(2.0 / (2 * j + 1) for j in range(11, 0, -1))
_EXPM1_DEG = 17


def _out(x, result):
    return result if np.ndim(x) else float(result)


def exp_numpy(x):
    """e**x, elementwise (float64)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        finite = np.isfinite(x)
        xc = np.clip(np.where(finite, x, 0.0), EXP_MIN - 1.0, EXP_MAX + 1.0)
        k = np.rint(xc * INV_LN2)
        r = (xc - k * LN2_HI) - k * LN2_LO
        p = np.full_like(r, _EXP_COEF[0])
        for c in _EXP_COEF[1:]:
            p = p * r + c
        # 2^k in two exact steps so that a k below the normal range rounds only once
        k1 = np.floor(k * 0.5)
        y = np.ldexp(np.ldexp(p, k1.astype(np.int32)), (k - k1).astype(np.int32))
        y = np.where(xc > EXP_MAX, np.inf, np.where(xc < EXP_MIN, 0.0, y))
        y = np.where(finite, y, np.where(x > 0, np.inf, np.where(x < 0, 0.0, x)))
    return _out(x, y)


def log_numpy(x):
    """Natural logarithm, elementwise (float64): -inf at 0, nan below 0."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        ok = np.isfinite(x) & (x > 0)
        m, e = np.frexp(np.where(ok, x, 1.0))  # m in [0.5, 1)
        low = m < SQRT_HALF
        m = np.where(low, m * 2.0, m)
        e = (e - low).astype(np.float64)
        f = m - 1.0  # exact (Sterbenz)
        s = f / (2.0 + f)
        z = s * s
        rr = np.full_like(z, _ATANH_COEF[0])
        for c in _ATANH_COEF[1:]:
            rr = rr * z + c
        rr = rr * z
        y = e * LN2_HI + ((f - s * (f - rr)) + e * LN2_LO)
        y = np.where(ok, y, np.where(x == 0, -np.inf, np.where(x == np.inf, np.inf, np.nan)))
    return _out(x, y)


def log1p(x):
    """log(1 + x), accurate for small x, elementwise (float64)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        u = 1.0 + x
        corr = np.where(u > 0, (x - (u - 1.0)) / np.where(u > 0, u, 1.0), 0.0)
        y = log(u) + np.where(np.isfinite(u), corr, 0.0)
    return _out(x, y)


def expm1_numpy(x):
    """exp(x) - 1, accurate for small x, elementwise (float64)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        small = np.abs(x) < 0.5
        xs = np.where(small, x, 0.0)
        q = np.ones_like(xs)
        for n in range(_EXPM1_DEG, 1, -1):
            q = 1.0 + xs * q / n
        y = np.where(small, xs * q, exp_numpy(x) - 1.0)
    return _out(x, y)


# ------------------------------------------------------------------ compiled kernels
_EXP_C = np.array(_EXP_COEF)
_ATANH_C = np.array(_ATANH_COEF)
_POW2 = np.ldexp(1.0, np.arange(-1022, 1024))  # 2^k for the normal exponents


@numba.njit(cache=True, nogil=True)
def exp_one(x):
    """exp(x) of one number in compiled code (:func:`exp` of an array, the same bits):
    x = k ln 2 + r with r reduced in two parts, a polynomial in r, scaled by 2^k; the
    limits and non-finite values as numpy's."""
    if not math.isfinite(x):
        return math.inf if x > 0 else (0.0 if x < 0 else x)
    if x > EXP_MAX + 1.0:
        x = EXP_MAX + 1.0
    elif x < EXP_MIN - 1.0:
        x = EXP_MIN - 1.0
    k = np.rint(x * INV_LN2)
    r = (x - k * LN2_HI) - k * LN2_LO
    p = _EXP_C[0]
    for j in range(1, _EXP_C.shape[0]):
        p = p * r + _EXP_C[j]
    if x > EXP_MAX:
        return math.inf
    if x < EXP_MIN:
        return 0.0
    ki = int(k)
    if -1022 <= ki <= 1023:
        return p * _POW2[ki + 1022]
    k1 = math.floor(k * 0.5)
    return math.ldexp(math.ldexp(p, int(k1)), int(k - k1))


@numba.njit(cache=True, nogil=True)
def log_one(x):
    """log(x) of one number in compiled code (:func:`log` of an array, the same bits):
    x = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh((m - 1) / (m + 1)) by a
    polynomial; 0, negative and non-finite values as numpy's."""
    if not (math.isfinite(x) and x > 0):
        return -math.inf if x == 0 else (math.inf if x == math.inf else math.nan)
    m, e = math.frexp(x)
    if m < SQRT_HALF:
        m = m * 2.0
        e -= 1
    ef = float(e)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    rr = _ATANH_C[0]
    for j in range(1, _ATANH_C.shape[0]):
        rr = rr * z + _ATANH_C[j]
    rr = rr * z
    return ef * LN2_HI + ((f - s * (f - rr)) + ef * LN2_LO)


@numba.njit(cache=True, nogil=True)
def expm1_one(x):
    """exp(x) - 1 of one number in compiled code (:func:`expm1` of an array): a Taylor sum
    near 0 (|x| < 0.5), where exp(x) - 1 would lose digits, else :func:`exp_one` - 1."""
    if abs(x) < 0.5:
        q = 1.0
        for n in range(_EXPM1_DEG, 1, -1):
            q = 1.0 + x * q / n
        return x * q
    return exp_one(x) - 1.0


@numba.njit(cache=True, nogil=True)
def _map(kind, x, out):
    """``out[i]`` = exp (``kind`` 0), log (1) or expm1 (2) of ``x[i]``, one by one."""
    for i in range(x.shape[0]):
        if kind == 0:
            out[i] = exp_one(x[i])
        elif kind == 1:
            out[i] = log_one(x[i])
        else:
            out[i] = expm1_one(x[i])


def _apply(kind: int, x):
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(x.shape)
    _map(kind, np.ascontiguousarray(x).reshape(-1), out.reshape(-1))
    return _out(x, out)


def exp(x):
    """e**x, elementwise (float64); the compiled kernel of :func:`exp_numpy`."""
    return _apply(0, x)


def log(x):
    """Natural logarithm, elementwise (float64): -inf at 0, nan below 0; the compiled
    kernel of :func:`log_numpy`."""
    return _apply(1, x)


def expm1(x):
    """exp(x) - 1, accurate for small x, elementwise (float64); the compiled kernel of
    :func:`expm1_numpy`."""
    return _apply(2, x)


def logistic(x):
    """1 / (1 + exp(-x)), elementwise (float64)."""
    x = np.asarray(x, dtype=np.float64)
    return _out(x, 1.0 / (1.0 + exp(-x)))


def power(base, exponent):
    """base ** exponent for base > 0, as exp(exponent log base) (float64)."""
    return exp(np.asarray(exponent, dtype=np.float64) * log(base))
