"""The governments' compiled kernels: labour demand of the destinations (ODD §7.3)."""

from __future__ import annotations

import math

import numba
import numpy as np

from migdev.core.codes import (
    HEALTH,
    IRREGULAR,
    TEMP,
)
from migdev.core.fmath import exp_one, log_one
from migdev.core.kernels import (
    as_array,
    as_vector,
    fresh_caches,
)


@numba.njit(cache=True, nogil=True)
def _abroad_counts(status, dest, occ, origin, weight, regular, health):
    """The persons abroad in a regular status by destination and occupation, in real persons
    (each counts its origin's ``weight``), and each origin's health workers abroad (simulated
    persons; :func:`abroad_counts`)."""
    for i in range(status.shape[0]):
        s = status[i]
        # a branch taken for the few abroad only (well predicted: a branch-free count into
        # a bin for the others was slower than numpy's masks and bincount)
        if s >= TEMP and s <= IRREGULAR:
            k = occ[i]
            if s != IRREGULAR:
                regular[np.int64(dest[i]) * 4 + k] += weight[origin[i]]
            if k == HEALTH:
                health[origin[i]] += 1


def abroad_counts(pop, n_dest: int, n_orig: int, weight):
    """One pass over the persons: those abroad in a regular status (temporary or settled)
    by destination and occupation, (n_dest, 4), and each origin's health workers abroad in
    any status, (n_orig,), both in real persons (``weight``: the real persons each simulated
    person of an origin stands for)."""
    regular = np.zeros(n_dest * 4)
    health = np.zeros(n_orig, dtype=np.int64)
    weight = as_array(weight)
    _abroad_counts(pop.status, pop.dest, pop.occ, pop.origin, weight, regular, health)
    return regular.reshape(n_dest, 4), health * weight


@numba.njit(cache=True, nogil=True)
def vacancy_count(wanted, stock, fill_rate, u):
    """Vacancies a destination advertises for one occupation this quarter (ODD §7.3):
    floor(max(0, wanted - stock) x fill_rate + u), ``u`` uniform on [0, 1), so that the
    expected number is exact at any population size (a gap of 0.3 workers is not always
    rounded away)."""
    gap = wanted - np.float64(stock)
    if not (gap > 0.0 or math.isnan(gap)):
        gap = 0.0
    return np.int64(math.floor(gap * fill_rate + u))


@numba.njit(cache=True, nogil=True)
def _wanted(base, growth_exponent, growth_base, multiplier, replacement, out):
    """Wanted stocks of foreign workers (ODD §7.3), (n_dest, 4): base x (1 + g)^(step / 4)
    x multiplier, plus the replacement demand of countries in both roles."""
    factor = exp_one(growth_exponent * log_one(growth_base))
    for d in range(base.shape[0]):
        for k in range(4):
            out[d, k] = base[d, k] * factor * multiplier[d, k] + replacement[d, k]


def wanted_stocks(base, growth: float, step: int, multiplier, replacement) -> np.ndarray:
    """:func:`_wanted` at ``step`` (quarters), with ``growth`` the yearly growth rate."""
    out = np.empty((base.shape[0], 4))
    _wanted(as_array(base), np.float64(step / 4.0), float(1.0 + growth), as_array(multiplier),
            as_array(replacement), out)
    return out


@numba.njit(cache=True, nogil=True)
def _demand(stock, health_abroad, both_roles, abroad0, dest_of_origin, share, base,
            growth_exponent, growth_base, multiplier, fill_rate, u, replacement, vac):
    """Labour demand (ODD §7.3; :func:`labour_demand`): the replacement demand of countries in
    both roles, the wanted stocks (:func:`_wanted`) and the vacancies
    (:func:`vacancy_count`) into ``vac``."""
    n_dest = base.shape[0]
    if both_roles:
        # replacement demand (the south-south chain): a country in both roles replaces
        # ``share`` of the health workers it lost since the start with recruits from
        # elsewhere: extra[d(o), health] = share x max(0, abroad_o - abroad0_o)
        for d in range(n_dest):
            for k in range(4):
                replacement[d, k] = 0.0
        for o in range(dest_of_origin.shape[0]):
            d = dest_of_origin[o]
            if d >= 0:
                x = np.float64(health_abroad[o]) - abroad0[o]
                replacement[d, HEALTH] = share[d] * (x if (x > 0.0 or math.isnan(x)) else 0.0)
    wanted = np.empty((n_dest, 4))
    _wanted(base, growth_exponent, growth_base, multiplier, replacement, wanted)
    for d in range(n_dest):
        for k in range(4):
            vac[d, k] = vacancy_count(wanted[d, k], stock[d, k], fill_rate, u[d, k])


def labour_demand(pop, n_orig: int, weight, both_roles: bool, abroad0, dest_of_origin, share, base,
                  growth, step: int, multiplier, fill_rate: float, u, replacement):
    """Labour demand (ODD §7.3), in real persons: the counts abroad (:func:`abroad_counts`),
    the replacement
    demand of countries in both roles (written into ``replacement``, (n_dest, 4), when
    ``both_roles``), the wanted stocks (:func:`_wanted`) and the vacancies
    (:func:`vacancy_count`; returned, (n_dest, 4) int64)."""
    n_dest = base.shape[0]
    stock, health = abroad_counts(pop, n_dest, n_orig, weight)
    vac = np.empty((n_dest, 4), dtype=np.int64)
    _demand(stock, health, both_roles, as_array(abroad0), as_array(dest_of_origin, np.int64),
            as_vector(share, n_dest), as_array(base), np.float64(step / 4.0), float(1.0 + growth),
            as_array(multiplier), float(fill_rate), as_array(u), replacement, vac)
    return vac


fresh_caches(__name__)
