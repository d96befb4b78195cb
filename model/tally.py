"""The persons' part of a step's outputs in one compiled pass (ODD §4.11).

The country table needs, per origin, counts and sums over the persons abroad, over the
skilled persons at home, and over everyone who has ever emigrated (their paths). Computed
with numpy, each is a mask, a gather and a ``bincount`` over all persons: some thirty
passes a step. :func:`person_tallies` makes one pass in person order and adds each
person's values to the same bins in the same order as those ``bincount`` calls did (adding
a zero weight, which they also did, leaves a sum unchanged), so every sum has the same bits
(``tests/model/test_tally.py`` checks every tally of a hand-built population).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, fields

import numba
import numpy as np

from migdev.core.codes import HOME, IRREGULAR, LOW, RETURNED, TEMP
from migdev.core.kernels import fresh_caches


@dataclass
class Tallies:
    """Per origin (first axis) tallies of the persons in one step.

    Attributes:
        abroad: (n_orig,) persons abroad.
        debt: (n_orig,) sum of their recruitment debt.
        member: (n_orig,) of them, association members.
        wasted, skilled_regular: (n_orig,) skilled persons abroad in a regular status not
            matched to their skill, and all skilled persons abroad in a regular status.
        temporary: (n_orig,) temporary workers abroad; substituted: of them, on a
            substituted contract; right: sum of their corridor's right to change employer.
        stock: (n_orig, n_dest) persons abroad by destination.
        paths: (n_orig, n_dest + 1, 4) those who ever emigrated, by origin and destination of
            the last stay (the last column: none recorded): circulated (two or more stays),
            returned once, transnational (abroad, remitting, member, ties >= 0.5), settled.
        earnings, wages: (n_orig, 2) skilled stayers (never emigrated; column 0) and
            returnees (column 1) at home: sums of home wage x h, and of home wage.
        path_kept, path_quarters: (n_orig, 4) those who ever emigrated, by path (as in
            ``paths``): sums of the income they kept abroad (kUSD) and of their quarters
            abroad, over all their stays.
    """

    abroad: np.ndarray
    debt: np.ndarray
    member: np.ndarray
    wasted: np.ndarray
    skilled_regular: np.ndarray
    temporary: np.ndarray
    substituted: np.ndarray
    right: np.ndarray
    stock: np.ndarray
    paths: np.ndarray
    earnings: np.ndarray
    wages: np.ndarray
    path_kept: np.ndarray
    path_quarters: np.ndarray


#: the tallies' arrays by name as compiled code hands them on (:class:`Tallies`' fields)
TallyArrays = namedtuple("TallyArrays", [f.name for f in fields(Tallies)])


#: the arguments of a step's tallies (:func:`tally_inputs`): the persons' record, the home
#: wages (n_orig, 4), the corridors' right to change employer (n_orig, n_dest), the numbers
#: of origins and destinations, and the ties at or above which a member who remits counts
#: as transnational
TallyInputs = namedtuple("TallyInputs", "P home_wage right n_orig n_dest tie_threshold")


@numba.njit(cache=True, nogil=True)
def _tally(I, out):
    """One pass over the persons ``I.P`` adding each one's part of :class:`Tallies` to
    ``out`` (:data:`TallyArrays`)."""
    P, home_wage, right, n_dest = I.P, I.home_wage, I.right, I.n_dest
    tie_threshold = I.tie_threshold
    origin, dest, status, occ, n_stays = P.origin, P.dest, P.status, P.occ, P.n_stays
    ties, member, remitted, debt, matched = P.ties, P.member, P.remitted, P.debt, P.matched
    substituted, h, kept_total, q_total = P.substituted, P.h, P.kept_total, P.q_total
    n_ab, debt_sum, member_sum, wasted = out.abroad, out.debt, out.member, out.wasted
    sk_reg, n_temp, sub_sum, right_sum = (out.skilled_regular, out.temporary, out.substituted,
                                          out.right)
    stock, paths, earn, wage = out.stock, out.paths, out.earnings, out.wages
    path_kept, path_quarters = out.path_kept, out.path_quarters
    for i in range(origin.shape[0]):
        o = np.int64(origin[i])
        s = status[i]
        k = occ[i]
        d = np.int64(dest[i])
        away = s >= TEMP and s <= IRREGULAR
        if away:
            if d < 0:
                raise ValueError("a person abroad has no destination")
            n_ab[o] += 1
            debt_sum[o] += np.float64(debt[i])
            if member[i]:
                member_sum[o] += 1.0
            stock[o, d] += 1
            if k < LOW and s != IRREGULAR:
                sk_reg[o] += 1.0
                if not matched[i]:
                    wasted[o] += 1.0
            if s == TEMP:
                n_temp[o] += 1
                if substituted[i]:
                    sub_sum[o] += 1.0
                right_sum[o] += right[o, d]
        if n_stays[i] >= 1:
            if n_stays[i] >= 2:
                cat = 0
            elif not away:
                cat = 1
            elif remitted[i] and member[i] and ties[i] >= tie_threshold:
                cat = 2
            else:
                cat = 3
            paths[o, d if d >= 0 else n_dest, cat] += 1
            path_kept[o, cat] += np.float64(kept_total[i])
            path_quarters[o, cat] += np.float64(q_total[i])
        if k < LOW and (s == RETURNED or (s == HOME and n_stays[i] == 0)):
            b = 1 if s == RETURNED else 0
            w = home_wage[o, k]
            earn[o, b] += w * np.float64(h[i])
            wage[o, b] += w


#: the ties at or above which a member who remits counts as transnational (Tallies.paths)
TIE_THRESHOLD = 0.5


@numba.njit(cache=True, nogil=True)
def tallies_of(I):
    """:func:`_tally` into new arrays, returned as :data:`TallyArrays`."""
    f, i = np.float64, np.int64
    n_orig, n_dest = I.n_orig, I.n_dest
    out = TallyArrays(
        abroad=np.zeros(n_orig, i), debt=np.zeros(n_orig, f), member=np.zeros(n_orig, f),
        wasted=np.zeros(n_orig, f), skilled_regular=np.zeros(n_orig, f),
        temporary=np.zeros(n_orig, i), substituted=np.zeros(n_orig, f),
        right=np.zeros(n_orig, f), stock=np.zeros((n_orig, n_dest), i),
        paths=np.zeros((n_orig, n_dest + 1, 4), i), earnings=np.zeros((n_orig, 2), f),
        wages=np.zeros((n_orig, 2), f), path_kept=np.zeros((n_orig, 4), f),
        path_quarters=np.zeros((n_orig, 4), f))
    _tally(I, out)
    return out


def tally_inputs(pop, home_wage: np.ndarray, change_right, n_orig: int, n_dest: int,
                 tie_threshold: float = TIE_THRESHOLD) -> TallyInputs:
    """The arguments of :func:`tallies_of` (``change_right``: (n_orig, n_dest), or a scalar
    where no corridor grants it: zeros)."""
    right = np.zeros((n_orig, n_dest)) if np.ndim(change_right) == 0 else \
        np.ascontiguousarray(change_right, dtype=np.float64)
    return TallyInputs(pop.persons(), np.ascontiguousarray(home_wage, dtype=np.float64), right,
                       n_orig, n_dest, float(tie_threshold))


def person_tallies(pop, home_wage: np.ndarray, change_right, n_orig: int, n_dest: int,
                   tie_threshold: float = TIE_THRESHOLD) -> Tallies:
    """One pass over the persons (``pop``, a :class:`Population`): see :class:`Tallies`.
    ``change_right``: (n_orig, n_dest) the corridors' right to change employer, or a
    scalar where no corridor grants it."""
    return Tallies(**tallies_of(tally_inputs(pop, home_wage, change_right, n_orig, n_dest,
                                            tie_threshold))._asdict())


fresh_caches(__name__)
