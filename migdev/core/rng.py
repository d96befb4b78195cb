"""Uniform float32 draws: the same numbers as numpy's ``Generator.random(shape,
dtype=np.float32)`` on a PCG64 bit generator, compiled.

A step draws about 17 numbers per person (one per person, stream and step: common random
numbers), and numpy's fill loop spends about 2 ns on each; :func:`uniform32` spends about 1 ns
(the 128-bit multiply of PCG64 done by LLVM's 128-bit integers, and no call through a
function pointer per number). It reads and advances the bit generator's own state in place
(numpy's C struct, through the address that ``PCG64.ctypes`` exposes), so numpy and this
module can draw from one stream in turn and the stream goes on exactly as with numpy alone.
It does not take the generator's lock: one thread per generator, as a model uses its
streams (each run has its own).

The algorithm is numpy's (``numpy/random/src/pcg64``): a step of the 128-bit LCG, the
XSL-RR output of the new state, each 64-bit output giving two 32-bit numbers (low half
first, the high half kept for the next draw), and a float32 ``(u32 >> 8) * 2**-24``.
At import a self-check compares the two on a generator of its own; where it does not hold
(a numpy built without 128-bit integers lays the state out differently, or another bit
generator), :func:`uniform32` calls numpy.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

#: PCG64's multiplier (numpy's PCG_DEFAULT_MULTIPLIER_HIGH * 2**64 + ..._LOW)
_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


@intrinsic
def _lcg128(typingctx, s_lo, s_hi, i_lo, i_hi):
    """(state * multiplier + increment) mod 2**128, as (low, high) 64-bit halves."""
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        sixty_four = ir.Constant(i128, 64)

        def join(lo, hi):
            return builder.or_(builder.shl(builder.zext(hi, i128), sixty_four),
                               builder.zext(lo, i128))

        r = builder.add(builder.mul(join(args[0], args[1]), ir.Constant(i128, _MULTIPLIER)),
                        join(args[2], args[3]))
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


@numba.njit(cache=True, nogil=True)
def _next64(rng):
    """PCG64's next 64-bit output; ``rng``: the state (low, high) and increment (low, high)."""
    lo, hi = _lcg128(rng[0], rng[1], rng[2], rng[3])
    rng[0] = lo
    rng[1] = hi
    v = hi ^ lo
    r = hi >> np.uint64(58)
    return (v >> r) | (v << ((-r) & np.uint64(63)))


@numba.njit(cache=True, nogil=True)
def _fill32(state_address, out):
    # numpy's pcg64_state: a pointer to the LCG's state and increment, then an int flag
    # "has a 32-bit half in store" and that half
    rng = _u64_at(_u64_at(state_address)[0])
    store = _u32_at(state_address + 8)
    n = out.shape[0]
    scale = np.float32(1.0 / 16777216.0)
    i = 0
    if n > 0 and store[0] != 0:
        out[0] = np.float32(store[1] >> np.uint32(8)) * scale
        store[0] = 0
        i = 1
    low = np.uint64(0xFFFFFFFF)
    while i + 1 < n:
        x = _next64(rng)
        out[i] = np.float32(np.uint32(x & low) >> np.uint32(8)) * scale
        out[i + 1] = np.float32(np.uint32(x >> np.uint64(32)) >> np.uint32(8)) * scale
        i += 2
    if i < n:
        x = _next64(rng)
        out[i] = np.float32(np.uint32(x & low) >> np.uint32(8)) * scale
        store[0] = 1
        store[1] = np.uint32(x >> np.uint64(32))


def _compiled_uniform32(gen: np.random.Generator, shape) -> np.ndarray:
    out = np.empty(shape, dtype=np.float32)
    _fill32(gen.bit_generator.ctypes.state_address, out.reshape(-1))
    return out


def _self_check() -> bool:
    """Whether the compiled draws are numpy's on this machine's numpy (lengths odd and even,
    taken in turn with numpy's own float32 and float64 draws)."""
    ours = np.random.Generator(np.random.PCG64(20261125))
    theirs = np.random.Generator(np.random.PCG64(20261125))
    try:
        for n in (1, 2, 3, 0, 8, 1001, 4):
            if _compiled_uniform32(ours, n).tobytes() != theirs.random(
                    n, dtype=np.float32).tobytes():
                return False
            if ours.random(3, dtype=np.float32).tobytes() != theirs.random(
                    3, dtype=np.float32).tobytes():
                return False
            if ours.random(2).tobytes() != theirs.random(2).tobytes():
                return False
    except Exception:  # noqa: BLE001 - any failure means: use numpy
        return False
    return True


#: the compiled draws give numpy's numbers here (else uniform32 calls numpy)
COMPILED = _self_check()


def uniform32(gen: np.random.Generator, shape) -> np.ndarray:
    """``gen.random(shape, dtype=np.float32)``: the same numbers, and ``gen`` left in the
    same state; compiled where :data:`COMPILED` holds and ``gen`` is a PCG64 generator."""
    if COMPILED and type(gen.bit_generator) is np.random.PCG64:
        return _compiled_uniform32(gen, shape)
    return gen.random(shape, dtype=np.float32)
