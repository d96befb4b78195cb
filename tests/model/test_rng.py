"""The compiled float32 draws are numpy's: the same numbers wherever they are computed (a
whole row, some slots of one row or of every row), and the generator left in the same
state, in any mix with numpy's own draws from the same stream."""

import numpy as np
import pytest

from migdev.core import rng


def test_the_compiled_draws_are_in_use_here():
    # numpy's wheels lay out PCG64's state with 128-bit integers; were the self-check to
    # fail, draws32 would fall back to numpy's dense draws (same numbers, all computed)
    assert rng.COMPILED


def _pair(seed):
    return (np.random.Generator(np.random.PCG64(seed)),
            np.random.Generator(np.random.PCG64(seed)))


@pytest.mark.parametrize("seed", range(4))
def test_draws32_gives_numpy_s_numbers_in_any_mix_of_calls(seed):
    plan = np.random.default_rng(seed)
    ours, theirs = _pair(seed)
    for _ in range(300):
        kind = plan.integers(0, 5)
        n = int(plan.integers(0, 40))
        if kind == 0:  # the compiled draws, one or two dimensions, read in some way
            rows = int(plan.integers(1, 4))
            shape = n if plan.random() < 0.5 else (rows, n)
            d = rng.draws32(ours, shape)
            want = theirs.random(shape, dtype=np.float32)
            two = want.ndim == 2
            slots = plan.integers(0, n, int(plan.integers(0, 2 * n + 1))) if n else \
                np.zeros(0, dtype=np.int64)  # in no order, repeated
            how = plan.integers(0, 6)
            if how == 5 and two:  # the first rows whole, in one call
                k = int(plan.integers(0, rows + 1))
                got, exp = d.head(k), want[:k]
            elif how == 4 and two:  # every row at the slots, in one call
                got, exp = d.rows_at(slots), want[:, slots]
            elif how == 0 or how >= 4:
                got, exp = d.dense(), want
            elif how == 1 and two:
                r = int(plan.integers(0, rows))
                got, exp = d[r].dense(), want[r]
            elif how == 1 or how == 2:
                r = int(plan.integers(0, rows))
                got, exp = (d[r][slots], want[r][slots]) if two else (d[slots], want[slots])
            else:  # the slots of every row (two dimensions) or of the one row
                got, exp = (d.rows_at(slots), want[:, slots]) if two else \
                    (d[slots], want[slots])
            assert got.dtype == np.float32 and got.shape == exp.shape
            assert got.tobytes() == exp.tobytes()
        elif kind == 1:  # numpy's float32 on both (the half in store is shared)
            assert ours.random(n, dtype=np.float32).tobytes() == \
                theirs.random(n, dtype=np.float32).tobytes()
        elif kind == 2:  # float64 draws take whole 64-bit outputs
            assert ours.random(n).tobytes() == theirs.random(n).tobytes()
        elif kind == 3:
            assert ours.integers(0, 1000, n).tobytes() == theirs.integers(0, 1000, n).tobytes()
        else:  # taken and never read: the stream moves on as numpy's would
            rng.draws32(ours, (2, n))
            theirs.random((2, n), dtype=np.float32)
    assert ours.bit_generator.state == theirs.bit_generator.state


def test_far_numbers_use_every_level_of_the_jumps():
    """40 M numbers: the stream is moved past them with the third level of the jump table
    (4096**2 steps and more), and the last numbers are read there."""
    ours, theirs = _pair(11)
    theirs.random(dtype=np.float32)  # a half in store at the start
    ours.random(dtype=np.float32)
    n = 20_000_000
    d = rng.draws32(ours, (2, n))
    want = theirs.random((2, n), dtype=np.float32)
    slots = np.array([0, 1, 4095, 8192, 8193, n // 2, n - 2, n - 1])
    for r in (0, 1):
        assert d[r][slots].tobytes() == want[r][slots].tobytes()
    assert d[1].dense()[-5:].tobytes() == want[1][-5:].tobytes()
    assert ours.bit_generator.state == theirs.bit_generator.state
    assert ours.random(3).tobytes() == theirs.random(3).tobytes()


@pytest.mark.parametrize("start_with_store", [False, True])
@pytest.mark.parametrize("total", [1, 2, 3, 4])
def test_the_half_in_store_is_left_as_numpy_leaves_it(start_with_store, total):
    ours, theirs = _pair(5)
    if start_with_store:
        ours.random(dtype=np.float32)
        theirs.random(dtype=np.float32)
    rng.draws32(ours, total)
    theirs.random(total, dtype=np.float32)
    assert ours.bit_generator.state == theirs.bit_generator.state


def test_draws32_falls_back_to_numpy(monkeypatch):
    monkeypatch.setattr(rng, "COMPILED", False)
    a, b = _pair(3)
    d = rng.draws32(a, (2, 5))
    want = b.random((2, 5), dtype=np.float32)
    assert d.dense().tobytes() == want.tobytes()
    assert d[1][np.array([4, 0])].tobytes() == want[1][[4, 0]].tobytes()
    assert d.rows_at(np.array([4, 0])).tobytes() == want[:, [4, 0]].tobytes()
    assert d.head(1).tobytes() == want[:1].tobytes()
    # another bit generator: numpy's draws
    c = np.random.Generator(np.random.Philox(3))
    e = np.random.Generator(np.random.Philox(3))
    monkeypatch.setattr(rng, "COMPILED", True)
    assert rng.draws32(c, 7).dense().tobytes() == e.random(7, dtype=np.float32).tobytes()


def test_the_self_check_detects_other_numbers(monkeypatch):
    """Were the compiled draws wrong (here: from one number too late), the check says so and
    the model would use numpy's."""
    good = rng._compiled_draws

    def off_by_one(gen, shape, total):
        gen.random(dtype=np.float32)
        return good(gen, shape, total)

    monkeypatch.setattr(rng, "_compiled_draws", off_by_one)
    assert rng._self_check() is False


def test_wrong_reads_are_refused():
    d = rng.draws32(np.random.default_rng(1), (2, 10))
    with pytest.raises(TypeError, match="row number"):
        d[np.array([1, 2])]  # two dimensions: a row first
    with pytest.raises(TypeError, match="integers"):
        d[0][np.array([0.5])]
    with pytest.raises(IndexError, match="outside the draws' row"):
        d[0][np.array([10])]
    with pytest.raises(IndexError, match="outside the draws' row"):
        d[1][np.array([3, -1])]
    with pytest.raises(IndexError, match="outside the draws' row"):
        d.rows_at(np.array([10]))
    with pytest.raises(TypeError, match="two dimensions"):
        d[0].rows_at(np.array([1]))
    with pytest.raises(TypeError, match="up to 2 rows"):
        d.head(3)
    with pytest.raises(TypeError, match="up to 0 rows"):
        d[0].head(1)
    with pytest.raises(TypeError, match="row number"):
        d[0][0]  # one dimension: an array of slots
    with pytest.raises(ValueError, match="rows, n"):
        rng.draws32(np.random.default_rng(1), (2, 3, 4))
