"""Offers of work abroad, as named records (one block of identical offers per row)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: a block of ``count`` identical offers to the persons of one (origin, occupation) group
OFFER_BLOCK = np.dtype([
    ("group", np.int64),      # origin * 4 + occupation
    ("count", np.int64),      # offers in the block
    ("channel", np.int8),     # migdev.core.codes CH_*
    ("dest", np.int8),        # destination index
    ("agency", np.int64),     # agency index, -1 for government-to-government placements
    ("fee", np.float64),      # recruitment fee charged to the worker, kUSD
    ("contract", np.int16),   # contract length, quarters
    ("match", np.float64),    # probability that the job uses the worker's skills
    ("guarantee", np.float64),  # return guarantee of the placement, 0-1
])


def offer_blocks(n: int = 0) -> np.ndarray:
    return np.zeros(n, dtype=OFFER_BLOCK)


@dataclass
class Offers:
    """The offers of one quarter, one per chosen person (fields as in OFFER_BLOCK)."""

    idx: np.ndarray
    channel: np.ndarray
    dest: np.ndarray
    agency: np.ndarray
    fee: np.ndarray
    contract: np.ndarray
    match: np.ndarray
    guarantee: np.ndarray
    named: np.ndarray | None = None  # the offer re-hires a named worker (None: none does)


@dataclass
class Attempts:
    """Independent (network-driven) migration attempts of one quarter."""

    idx: np.ndarray
    dest: np.ndarray
