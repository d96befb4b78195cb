"""The machine-independent elementary functions: accurate, and exact special values."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migdev.core import fmath


def ulp_error(got, want):
    got, want = np.asarray(got, float), np.asarray(want, float)
    return np.max(np.abs(got - want) / np.spacing(np.abs(want)))


CASES = {
    "exp": (fmath.exp, math.exp, [(-50, 50), (-700, 700), (-1e-8, 1e-8)]),
    "log": (fmath.log, math.log, [(1e-300, 1e-290), (0.5, 2.0), (1.0, 1e6)]),
    "log1p": (fmath.log1p, math.log1p, [(-0.99, 10.0), (-1e-10, 1e-10), (10.0, 1e12)]),
    "expm1": (fmath.expm1, math.expm1, [(-5.0, 5.0), (-0.6, 0.6), (-1e-10, 1e-10)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_within_two_ulp_of_the_c_library(name):
    f, ref, ranges = CASES[name]
    rng = np.random.default_rng(3)
    for lo, hi in ranges:
        x = rng.uniform(lo, hi, 20_000)
        assert ulp_error(f(x), [ref(v) for v in x]) <= 2.0, (name, lo, hi)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-740, max_value=709, allow_nan=False))
def test_exp_and_log_invert_each_other(x):
    y = fmath.exp(x)
    assert ulp_error(y, math.exp(x)) <= 2.0
    if 1e-300 < y < np.inf:  # log(exp(x)) = x up to the two roundings
        assert abs(fmath.log(y) - x) <= 4 * np.spacing(abs(x)) + 4e-16


def test_special_values():
    assert np.array_equal(fmath.exp(np.array([np.inf, -np.inf, 1000.0, -1000.0, 0.0])),
                          [np.inf, 0.0, np.inf, 0.0, 1.0])
    assert np.isnan(fmath.exp(np.nan))
    out = fmath.log(np.array([0.0, -1.0, np.inf, np.nan, 1.0]))
    assert out[0] == -np.inf and np.isnan(out[1]) and out[2] == np.inf and np.isnan(out[3])
    assert out[4] == 0.0
    assert fmath.log1p(-1.0) == -np.inf and fmath.log1p(0.0) == 0.0
    assert fmath.expm1(0.0) == 0.0 and fmath.expm1(-np.inf) == -1.0
    assert np.array_equal(fmath.logistic(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])
    assert isinstance(fmath.exp(1.0), float)
    assert fmath.power(2.0, 10.0) == pytest.approx(1024.0, rel=1e-15)


def test_uses_no_cpu_dispatched_numpy_function():
    """fmath must stay on operations IEEE 754 defines exactly."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(fmath))
    called = {f"{n.value.id}.{n.attr}" for n in ast.walk(tree)
              if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
              and n.value.id == "np"}
    allowed = {"np.asarray", "np.float64", "np.errstate", "np.isfinite", "np.clip", "np.where",
               "np.rint", "np.full_like", "np.floor", "np.ldexp", "np.int32", "np.inf",
               "np.nan", "np.frexp", "np.ones_like", "np.abs", "np.ndim", "np.prod",
               "np.arange", "np.array", "np.empty", "np.ascontiguousarray"}
    assert called <= allowed, called - allowed
    # the compiled kernels: Python's math module, exact operations only
    used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "math"}
    assert used <= {"isfinite", "inf", "nan", "frexp", "ldexp", "floor"}, used
    # and no fast-math: numba may then reassociate or fuse a * b + c
    assert "fastmath" not in inspect.getsource(fmath).split('"""', 2)[2]


@pytest.mark.parametrize("name", ["exp", "log", "expm1"])
def test_compiled_kernels_give_the_bits_of_the_numpy_specification(name):
    kernel, spec = getattr(fmath, name), getattr(fmath, f"{name}_numpy")
    rng = np.random.default_rng(11)
    wide = {"exp": [rng.normal(0, 5, 100_000), rng.uniform(-800, 800, 200_000),
                    rng.uniform(-745.2, -700, 100_000)],
            "log": [10.0 ** rng.uniform(-323, 308, 200_000), rng.uniform(0.5, 2.0, 100_000)],
            "expm1": [rng.uniform(-5, 5, 100_000), rng.uniform(-0.6, 0.6, 100_000)]}[name]
    special = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 5e-324, 2.2e-308,
                        0.5, -0.5, 709.78, -708.4, -745.13, -746.0, 1e308])
    for x in [*wide, special, special.reshape(4, 4)]:
        a, b = np.asarray(kernel(x)), np.asarray(spec(x))
        assert a.shape == b.shape
        assert np.array_equal(a.view(np.int64), b.view(np.int64)), name
    assert kernel(0.25) == spec(0.25) and isinstance(kernel(0.25), float)
