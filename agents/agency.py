"""Private recruitment agencies: who they recruit, where, and how they learn (ODD §7.4)."""

from __future__ import annotations

import mesa
import numpy as np


class RecruitmentAgency(mesa.Agent):
    """A private recruiter based in a destination.

    Attributes:
        index: position among all agencies (row of the model's agency arrays).
        destination: index of the destination it places workers in.
        regulated: licensed and regulated (complies with restrictions with probability
            ``enforcement``; unregulated ones with ``unregulated_compliance``).
        fee_months: fee charged to a worker, in months of the destination wage.
        capacity: placements it can make per quarter.
        attractiveness: (n_origins,) learned weight of each origin (from past success).
        offers, accepted: (n_origins,) offers made and accepted in the last quarter.
        complied: whether it kept out of protected origins in the last quarter.
    """

    def __init__(self, model, index: int, destination: int, regulated: bool, fee_months: float,
                 capacity: float, n_origins: int):
        super().__init__(model)
        self.index = index
        self.destination = destination
        self.regulated = regulated
        self.fee_months = fee_months
        self.capacity = capacity
        self.attractiveness = np.ones(n_origins)
        self.offers = np.zeros(n_origins, dtype=np.int64)
        self.accepted = np.zeros(n_origins, dtype=np.int64)
        self.complied = True
        self.total_placed = 0

    def learn(self, rate: float) -> None:
        """Attractiveness moves toward the latest acceptance rate where offers were made.

        a_o <- (1 - rate) a_o + rate * (accepted_o / offers_o), only for origins with offers.
        """
        made = self.offers > 0
        if made.any():
            success = self.accepted[made] / self.offers[made]
            self.attractiveness[made] = (1 - rate) * self.attractiveness[made] + rate * success
            # keep a floor so an origin is never forgotten for good
            np.maximum(self.attractiveness, 0.05, out=self.attractiveness)
        self.total_placed += int(self.accepted.sum())


def apportion(totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer ``totals`` (n,) over columns in proportion to ``weights`` (n, m).

    Largest-remainder rounding, deterministic (ties go to the lower column). A row
    whose weights are all zero gets nothing.

    Returns:
        (n, m) integers whose rows sum to ``totals`` (or 0 for zero-weight rows).
    """
    totals = np.asarray(totals, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    s = w.sum(axis=1, keepdims=True)
    share = np.divide(w, s, out=np.zeros_like(w), where=s > 0)
    exact = totals[:, None] * share
    out = np.floor(exact).astype(np.int64)
    left = np.where(s[:, 0] > 0, totals - out.sum(axis=1), 0)
    if left.any():
        rem = exact - out
        # order columns by remainder, largest first (stable: lower column wins ties)
        order = np.argsort(-rem, axis=1, kind="stable")
        ranks = np.empty_like(order)
        rows = np.arange(w.shape[0])[:, None]
        ranks[rows, order] = np.arange(w.shape[1])[None, :]
        out += (ranks < left[:, None]) & (w > 0)
    return out


def agency_offers(vacancies: np.ndarray, agency_dest: np.ndarray, capacity: np.ndarray,
                  attractiveness: np.ndarray, respects: np.ndarray, protected: np.ndarray,
                  covered: np.ndarray, penalty: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Offers each agency makes per origin and occupation this quarter (ODD §7.4).

    A destination's vacancies left after G2G placements are shared among its agencies
    in proportion to capacity (each capped at its capacity). An agency spreads its share
    of occupation k over origins in proportion to

        score[a, o] = attractiveness[a, o] * supply[o, k] * margin[a, o, k],

    where margin = 0 if the origin is protected for k and the agency respects the bar
    this quarter, 1 - penalty[d, o] if protected and not respected, 1 otherwise. So a
    bar moves a compliant agency's recruitment to other origins (diversion), and a
    non-compliant one's partly (expected penalty).

    Args:
        vacancies: (n_dest, 4) integer vacancies left for agencies.
        agency_dest: (n_ag,) destination of each agency.
        capacity: (n_ag,) placements per quarter.
        attractiveness: (n_ag, n_orig).
        respects: (n_ag, n_orig) bool, agency keeps out of that origin if it is protected.
        protected: (n_dest, n_orig) bool; covered: (n_dest, n_orig, 4) bool.
        penalty: (n_dest, n_orig) expected share of margin lost when caught.
        supply: (n_orig, 4) candidates at home.

    Returns:
        (n_ag, n_orig, 4) integer offers.
    """
    n_ag, n_orig = attractiveness.shape
    n_dest = vacancies.shape[0]
    offers = np.zeros((n_ag, n_orig, 4), dtype=np.int64)
    for d in range(n_dest):
        ags = np.flatnonzero(agency_dest == d)
        if len(ags) == 0:
            continue
        cap = capacity[ags]
        # share of each occupation's vacancies per agency, then cap by capacity
        per = apportion(vacancies[d], np.broadcast_to(cap, (4, len(ags))))  # (4, n_a)
        tot = per.sum(axis=0)
        over = tot > np.floor(cap)
        if over.any():
            scale = np.where(over, np.floor(cap) / np.maximum(tot, 1), 1.0)
            per = np.floor(per * scale[None, :]).astype(np.int64)
        bar = protected[d][None, :, None] & covered[d][None, :, :]  # (1, n_orig, 4)
        margin = np.where(bar, np.where(respects[ags][:, :, None], 0.0,
                                        1.0 - penalty[d][None, :, None]), 1.0)
        score = attractiveness[ags][:, :, None] * supply[None, :, :] * margin  # (n_a, n_orig, 4)
        for k in range(4):
            offers[ags, :, k] = apportion(per[k], score[:, :, k])
    return offers
