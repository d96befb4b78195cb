"""The compiled float32 draws are numpy's: the same numbers and the generator left in the
same state, in any mix with numpy's own draws from the same stream."""

import numpy as np
import pytest

from migdev.core import rng


def test_the_compiled_draws_are_in_use_here():
    # numpy's wheels lay out PCG64's state with 128-bit integers; were the self-check to
    # fail, uniform32 would fall back to numpy (same numbers, twice the time)
    assert rng.COMPILED


@pytest.mark.parametrize("seed", range(4))
def test_uniform32_gives_numpy_s_numbers_in_any_mix_of_calls(seed):
    plan = np.random.default_rng(seed)
    ours = np.random.Generator(np.random.PCG64(seed))
    theirs = np.random.Generator(np.random.PCG64(seed))
    for _ in range(200):
        kind = plan.integers(0, 5)
        n = int(plan.integers(0, 40))
        if kind == 0:  # the compiled draws, one or two dimensions
            shape = (n,) if plan.random() < 0.5 else (int(plan.integers(1, 4)), n)
            got = rng.uniform32(ours, shape)
            want = theirs.random(shape, dtype=np.float32)
            assert got.dtype == np.float32 and got.shape == want.shape
            assert got.tobytes() == want.tobytes()
        elif kind == 1:  # numpy's float32 on both (the half in store is shared)
            assert ours.random(n, dtype=np.float32).tobytes() == \
                theirs.random(n, dtype=np.float32).tobytes()
        elif kind == 2:  # float64 draws take whole 64-bit outputs
            assert ours.random(n).tobytes() == theirs.random(n).tobytes()
        elif kind == 3:
            assert ours.integers(0, 1000, n).tobytes() == theirs.integers(0, 1000, n).tobytes()
        else:
            got = rng.uniform32(ours, ())
            want = np.float32(theirs.random(dtype=np.float32))
            assert got.shape == () and got.tobytes() == want.tobytes()
    assert ours.bit_generator.state == theirs.bit_generator.state


def test_uniform32_falls_back_to_numpy(monkeypatch):
    monkeypatch.setattr(rng, "COMPILED", False)
    a = np.random.Generator(np.random.PCG64(3))
    b = np.random.Generator(np.random.PCG64(3))
    assert rng.uniform32(a, (2, 5)).tobytes() == b.random((2, 5), dtype=np.float32).tobytes()
    # another bit generator: numpy's draws
    c = np.random.Generator(np.random.Philox(3))
    d = np.random.Generator(np.random.Philox(3))
    monkeypatch.setattr(rng, "COMPILED", True)
    assert rng.uniform32(c, 7).tobytes() == d.random(7, dtype=np.float32).tobytes()


def test_the_self_check_detects_other_numbers(monkeypatch):
    """Were the compiled draws wrong (here: a draw from one step too late), the check says
    so and the model would use numpy's."""
    good = rng._compiled_uniform32

    def off_by_one(gen, shape):
        gen.random(dtype=np.float32)
        return good(gen, shape)

    monkeypatch.setattr(rng, "_compiled_uniform32", off_by_one)
    assert rng._self_check() is False
