"""Uniform float32 draws: the numbers of numpy's ``Generator.random(shape,
dtype=np.float32)`` on a PCG64 bit generator, computed only where they are read.

A step draws 17 numbers per person (one per person, stream and step: common random
numbers), but most processes read them only for a few persons — those abroad, the entrants,
the candidates. :func:`draws32` therefore takes a stream's numbers for the step without
computing them: it notes the generator's state and moves the generator past them (as
numpy's draw would), and :class:`Draws` computes the number at a position when asked — the
whole row (:meth:`Draws.dense`), or the numbers at some persons (indexing with their slots;
:meth:`Draws.rows_at` for every row), in the persons' order, so that a compiled pass reads
the n-th person's number at n. A number is numpy's, bit for bit, wherever it is computed,
so common random numbers and seeded results are as with numpy's dense draws.

The algorithm is numpy's (``numpy/random/src/pcg64``): a step of the 128-bit LCG
``s -> a s + c``, the XSL-RR output of the new state, each 64-bit output giving two 32-bit
numbers (low half first, the high half kept in store for the next draw), and a float32
``(u32 >> 8) * 2**-24``. The state after m steps is ``a^m s + c (a^(m-1) + ... + 1)``;
tables of these coefficients for m = j 4096^l (j < 4096, l = 0, 1, 2) move a stream past
any step's numbers (up to 2**37) in at most three jumps. A read computes the states every
256 steps up to the last number it reads (anchors), and each number in one jump from the
anchor before it, so the numbers of a read do not wait on one another and may be asked for
in any order (and the jumps read the first 256 rows of the first table only, 8 KB that
stay in the cache between reads). The LLVM 128-bit integers do the arithmetic; the
generator's state is read and written in place (numpy's C struct, at the address that ``PCG64.ctypes`` exposes),
so numpy and this module draw from one stream in turn. It does not take the generator's
lock: one thread per generator, as a model uses its streams (each run has its own).

At import a self-check compares the two on a generator of its own; where it does not hold
(a numpy built without 128-bit integers lays the state out differently, or another bit
generator), the draws are numpy's dense ones (same numbers, all computed).
"""

from __future__ import annotations

import math
import operator

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from migdev.core.kernels import fresh_caches

#: PCG64's multiplier (numpy's PCG_DEFAULT_MULTIPLIER_HIGH * 2**64 + ..._LOW)
_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


@intrinsic
def _muladd128(typingctx, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi):
    """(a * b + c) mod 2**128, each number and the result as (low, high) 64-bit halves."""
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64, u64, u64)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        sixty_four = ir.Constant(i128, 64)

        def join(lo, hi):
            return builder.or_(builder.shl(builder.zext(hi, i128), sixty_four),
                               builder.zext(lo, i128))

        r = builder.add(builder.mul(join(args[0], args[1]), join(args[2], args[3])),
                        join(args[4], args[5]))
        return context.make_tuple(builder, signature.return_type,
                                  [builder.trunc(r, i64),
                                   builder.trunc(builder.lshr(r, sixty_four), i64)])

    return sig, codegen


def _pointer(to):
    @intrinsic
    def cast(typingctx, address):
        """The integer ``address`` as a pointer to ``to`` values."""
        sig = types.CPointer(to)(address)

        def codegen(context, builder, signature, args):
            return builder.inttoptr(args[0], context.get_value_type(signature.return_type))

        return sig, codegen

    return cast


_u64_at = _pointer(types.uint64)
_u32_at = _pointer(types.uint32)


#: jumps: the coefficients (a^m, 1 + a + ... + a^(m-1)) mod 2**128 for m = j 4096^l, as
#: _JUMP[l, j] = (a^m low, high, sum low, high)
_JUMP_BITS = 12


def _jump_table() -> np.ndarray:
    size, mod, low = 1 << _JUMP_BITS, 1 << 128, (1 << 64) - 1
    table = np.zeros((3, size, 4), dtype=np.uint64)
    step_a, step_g = _MULTIPLIER, 1  # one step of the level: s -> step_a s + c step_g
    for level in range(3):
        a, g = 1, 0
        for j in range(size):
            table[level, j] = (a & low, a >> 64, g & low, g >> 64)
            a, g = step_a * a % mod, (step_a * g + step_g) % mod
        step_a, step_g = a, g
    table.setflags(write=False)
    return table


_JUMP = _jump_table()
#: anchors every 2**_ANCHOR_BITS steps (:func:`_anchors`; below _JUMP_BITS)
_ANCHOR_BITS = 8
_ANCHOR_MASK = (1 << _ANCHOR_BITS) - 1
#: the most numbers one Draws may hold (the tables reach 4096**3 steps, two numbers each)
_MAX_NUMBERS = 2 * (1 << (3 * _JUMP_BITS)) - 2

_U64 = np.uint64
_SCALE = np.float32(1.0 / 16777216.0)


@numba.njit(cache=True, nogil=True, inline="always")
def _jump(lo, hi, c_lo, c_hi, m, table):
    """The LCG's state (lo, hi) after ``m`` more steps (increment c)."""
    for level in range(3):
        j = (m >> _U64(_JUMP_BITS * level)) & _U64(4095)
        if j != 0:
            g_lo, g_hi = _muladd128(c_lo, c_hi, table[level, j, 2], table[level, j, 3],
                                    _U64(0), _U64(0))
            lo, hi = _muladd128(table[level, j, 0], table[level, j, 1], lo, hi, g_lo, g_hi)
    return lo, hi


@numba.njit(cache=True, nogil=True, inline="always")
def _output(lo, hi):
    """PCG64's XSL-RR output of the state (lo, hi)."""
    v = hi ^ lo
    r = hi >> _U64(58)
    return (v >> r) | (v << ((-r) & _U64(63)))


@numba.njit(cache=True, nogil=True, inline="always")
def _float32(u32):
    """numpy's float32 in [0, 1) from 32 random bits: the top 24 bits times 2^-24."""
    return np.float32(np.uint32(u32) >> np.uint32(8)) * _SCALE


@numba.njit(cache=True, nogil=True, inline="always")
def _half(x, high):
    """The high (``high``) or low 32 bits of a 64-bit output."""
    return (x >> _U64(32)) if high else (x & _U64(0xFFFFFFFF))


@numba.njit(cache=True, nogil=True)
def _anchors(st, table, last):
    """The states after 0, 256, 2 x 256, ... steps (2**_ANCHOR_BITS), up to the one before
    the step of number ``last``: (k, 2) low and high."""
    q = _U64(last) - st[4] if _U64(last) >= st[4] else _U64(0)
    k = (((q >> _U64(1)) + _U64(1)) >> _U64(_ANCHOR_BITS)) + _U64(1)
    out = np.empty((k, 2), dtype=np.uint64)
    lo, hi = st[0], st[1]
    m = 1 << _ANCHOR_BITS
    g_lo, g_hi = _muladd128(st[2], st[3], table[0, m, 2], table[0, m, 3], _U64(0), _U64(0))
    for i in range(k):
        out[i, 0], out[i, 1] = lo, hi
        lo, hi = _muladd128(table[0, m, 0], table[0, m, 1], lo, hi, g_lo, g_hi)
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def _number(st, table, anchors, q):
    """Number ``q`` of the draws noted in ``st`` (state low, high, increment low, high, "a
    half in store", that half): one jump from the anchor before it (:func:`_anchors`), so
    the numbers read do not wait on one another."""
    q = _U64(q)
    if st[4] != 0:
        if q == 0:
            return _float32(st[5])
        q -= _U64(1)
    t = (q >> _U64(1)) + _U64(1)  # the number is a half of the output of the t-th step
    k = t >> _U64(_ANCHOR_BITS)
    j = t & _U64(_ANCHOR_MASK)
    g_lo, g_hi = _muladd128(st[2], st[3], table[0, j, 2], table[0, j, 3], _U64(0), _U64(0))
    lo, hi = _muladd128(table[0, j, 0], table[0, j, 1], anchors[k, 0], anchors[k, 1], g_lo,
                        g_hi)
    return _float32(_half(_output(lo, hi), (q & _U64(1)) != 0))


@numba.njit(cache=True, nogil=True)
def _in_row(idx, n):
    """The largest of the slots ``idx``; raises if one lies outside 0..n-1."""
    top = 0
    for k in range(idx.shape[0]):
        i = idx[k]
        if i < 0 or i >= n:
            raise IndexError("a slot outside the draws' row (0..n-1)")
        top = max(top, i)
    return top


@numba.njit(cache=True, nogil=True)
def _gather_rows(st, table, base, n, idx, out):
    """``out`` (rows, len(idx)): row r's numbers (from number base + r n) at the slots
    ``idx`` (one row: the numbers at some slots of a row)."""
    if idx.shape[0] == 0:
        return
    anchors = _anchors(st, table, base + (out.shape[0] - 1) * n + _in_row(idx, n))
    for r in range(out.shape[0]):
        for k in range(idx.shape[0]):
            out[r, k] = _number(st, table, anchors, base + r * n + idx[k])


@numba.njit(cache=True, nogil=True)
def _dense(st, table, base, out):
    """``out``: the numbers from number ``base`` on, one after another (a step a pair)."""
    n = out.shape[0]
    if n == 0:
        return
    anchors = _anchors(st, table, base + 1)
    i = 0
    q = _U64(base)
    # the first numbers one at a time, up to the low half of an output
    while i < n and ((q == 0 and st[4] != 0) or ((q - st[4]) & _U64(1)) != 0):
        out[i] = _number(st, table, anchors, q)
        i += 1
        q += _U64(1)
    if i == n:
        return
    t = (q - st[4]) >> _U64(1)  # the state after t steps: the next pair is step t + 1
    lo, hi = _jump(st[0], st[1], st[2], st[3], t, table)
    c_lo, c_hi = st[2], st[3]
    a_lo, a_hi = table[0, 1, 0], table[0, 1, 1]
    while i + 1 < n:
        lo, hi = _muladd128(a_lo, a_hi, lo, hi, c_lo, c_hi)
        x = _output(lo, hi)
        out[i] = _float32(_half(x, False))
        out[i + 1] = _float32(_half(x, True))
        i += 2
    if i < n:
        lo, hi = _muladd128(a_lo, a_hi, lo, hi, c_lo, c_hi)
        out[i] = _float32(_half(_output(lo, hi), False))


@numba.njit(cache=True, nogil=True)
def _take(state_address, table, total, st):
    """Note the generator's state in ``st`` and move the generator past ``total`` float32
    numbers, leaving it as numpy's draw of them would (state, the half in store)."""
    # numpy's pcg64_state: a pointer to the LCG's state and increment, then an int flag
    # "has a 32-bit half in store" and that half
    rng = _u64_at(_u64_at(state_address)[0])
    store = _u32_at(state_address + 8)
    st[0], st[1], st[2], st[3] = rng[0], rng[1], rng[2], rng[3]
    st[4], st[5] = _U64(store[0] != 0), _U64(store[1])
    if total == 0:
        return
    fresh = _U64(total) - st[4]  # the numbers from new outputs
    steps = (fresh + _U64(1)) >> _U64(1)
    lo, hi = _jump(st[0], st[1], st[2], st[3], steps, table)
    rng[0], rng[1] = lo, hi
    if fresh > 0:
        # numpy keeps each output's high half, used (a pair) or not (an odd count)
        store[1] = np.uint32(_half(_output(lo, hi), True))
    store[0] = np.uint32(fresh & _U64(1))


class Draws:
    """A stream's float32 numbers of a step (or one row of them), computed where read.

    ``d[r]`` (two dimensions): row r; ``d[idx]`` (one dimension, integer slots): the numbers
    at those slots; :meth:`rows_at` (two dimensions): every row's numbers at some slots;
    :meth:`dense`: all."""

    __slots__ = ("_st", "_base", "shape", "_values")

    def __init__(self, st, base: int, shape: tuple, values=None):
        self._st, self._base, self.shape, self._values = st, base, shape, values

    def __getitem__(self, key):
        if type(key) is np.ndarray and len(self.shape) == 1:  # the numbers at some slots
            if self._values is not None:
                return self._values[key]
            out = np.empty(key.shape, dtype=np.float32)
            _gather_rows(self._st, _JUMP, self._base, self.shape[0], _slots(key),
                         out.reshape(1, -1))
            return out
        if len(self.shape) == 2 and isinstance(key, (int, np.integer)):
            r = range(self.shape[0])[key]
            n = self.shape[1]
            return Draws(self._st, self._base + r * n, (n,),
                         None if self._values is None else self._values[r])
        raise TypeError("Draws take a row number (two dimensions) or an array of slots "
                        f"(one dimension); got {type(key).__name__} for shape {self.shape}")

    def dense(self) -> np.ndarray:
        """All the numbers, in numpy's shape."""
        if self._values is not None:
            return self._values
        out = np.empty(self.shape, dtype=np.float32)
        _dense(self._st, _JUMP, self._base, out.reshape(-1))
        return out

    def head(self, rows: int) -> np.ndarray:
        """The first ``rows`` rows, all their numbers, (rows, n) (two dimensions; the same
        as stacking ``d[r].dense()`` for r < rows, in one compiled call)."""
        if len(self.shape) != 2 or not 0 <= rows <= self.shape[0]:
            raise TypeError(f"head takes up to {self.shape[0] if len(self.shape) == 2 else 0} "
                            f"rows of two-dimensional draws; got {rows} for shape {self.shape}")
        return Draws(self._st, self._base, (rows, self.shape[1]),
                     None if self._values is None else self._values[:rows]).dense()

    def rows_at(self, idx) -> np.ndarray:
        """Every row's numbers at the slots ``idx``, (rows, len(idx)) (two dimensions; the
        same as stacking ``d[r][idx]`` for each row r, in one compiled call)."""
        if len(self.shape) != 2:
            raise TypeError(f"rows_at takes two dimensions of draws; got shape {self.shape}")
        if self._values is not None:
            return self._values[:, idx]
        idx = _slots(np.asarray(idx))
        out = np.empty((self.shape[0], len(idx)), dtype=np.float32)
        _gather_rows(self._st, _JUMP, self._base, self.shape[1], idx, out)
        return out


def _slots(idx: np.ndarray) -> np.ndarray:
    """``idx`` as one dimension of int64 (the compiled passes check the range)."""
    if idx.dtype != np.int64:
        if idx.dtype.kind not in "iu":
            raise TypeError(f"slots must be integers, got {idx.dtype}")
        idx = idx.astype(np.int64)
    return idx.reshape(-1)


def _compiled_draws(gen: np.random.Generator, shape: tuple, total: int) -> Draws:
    st = np.empty(6, dtype=np.uint64)
    _take(gen.bit_generator.ctypes.state_address, _JUMP, total, st)
    return Draws(st, 0, shape)


def draws32(gen: np.random.Generator, shape) -> Draws:
    """The numbers of ``gen.random(shape, dtype=np.float32)`` (``shape``: n or (rows, n)),
    to be computed where read; ``gen`` is left as that draw leaves it. Computed by the
    compiled jumps where :data:`COMPILED` holds and ``gen`` is a PCG64 generator, else
    numpy's."""
    if type(shape) is int and shape >= 0:  # the usual calls (n, or (rows, n)) checked first
        shape, total = (shape,), shape
    elif (type(shape) is tuple and len(shape) == 2 and type(shape[0]) is int
          and type(shape[1]) is int and shape[0] >= 0 and shape[1] >= 0):
        total = shape[0] * shape[1]
    else:
        shape = (tuple(map(operator.index, shape)) if isinstance(shape, (tuple, list))
                 else (operator.index(shape),))
        if len(shape) not in (1, 2) or min(shape) < 0:
            raise ValueError(f"draws32 takes n or (rows, n) numbers, got shape {shape}")
        total = math.prod(shape)
    if COMPILED and type(gen.bit_generator) is np.random.PCG64 and total <= _MAX_NUMBERS:
        return _compiled_draws(gen, shape, total)
    return Draws(None, 0, shape, gen.random(shape, dtype=np.float32))


def _self_check() -> bool:
    """Whether the compiled draws are numpy's on this machine's numpy: whole rows, single
    slots and every row's slots, lengths odd and even, taken in turn with numpy's own float32
    and float64 draws, and the generators' states alike at the end."""
    ours = np.random.Generator(np.random.PCG64(20261125))
    theirs = np.random.Generator(np.random.PCG64(20261125))
    try:
        for n in (1, 2, 3, 0, 8, 1001, 4, 5):
            d = _compiled_draws(ours, (2, n), 2 * n)
            want = theirs.random((2, n), dtype=np.float32)
            slots = np.arange(n)[::-1] if n else np.arange(0)
            if (d.dense().tobytes() != want.tobytes()
                    or d[1].dense().tobytes() != want[1].tobytes()
                    or d[1][slots].tobytes() != want[1][slots].tobytes()
                    or d.rows_at(slots).tobytes() != want[:, slots].tobytes()):
                return False
            if ours.random(3, dtype=np.float32).tobytes() != theirs.random(
                    3, dtype=np.float32).tobytes():
                return False
            if ours.random(2).tobytes() != theirs.random(2).tobytes():
                return False
        return ours.bit_generator.state == theirs.bit_generator.state
    except Exception:  # noqa: BLE001 - any failure means: use numpy
        return False


#: the compiled draws give numpy's numbers here (else the draws are numpy's dense ones)
COMPILED = _self_check()


fresh_caches(__name__)
