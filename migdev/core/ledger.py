"""The flows of one quarter, per home community: what the processes add and the reporter reads."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping

import numba
import numpy as np

from migdev.core.kernels import fresh_caches

#: per-community flows accumulated during a step (reset at its start)
FLOWS = ("rec_agreement", "rec_regulated", "rec_unregulated", "rec_independent", "rec_health",
         "returns", "return_gain", "missions", "knowledge_in", "rem_formal", "rem_informal",
         "rem_fees", "rem_losses", "collective", "matched", "recruit_fees", "overstays",
         "contract_ends", "health_trainees", "health_applicants", "abroad_start",
         "mission_health_h", "rec_named", "rec_fee_paid", "mission_education_h",
         "contract_settles", "returns_health", "matched_local", "matched_state",
         # the migrants' own quarter by status (agents/migrant/kernels.py: WELFARE_SUMS)
         *(f"{what}_{status}" for what in ("kept", "repaid", "abroad", "quarters")
           for status in ("temporary", "settled", "irregular")),
         # collective money to the community's projects, and the part of it a social
         # investment fund directed there (agents/association/kernels.py: social_fund)
         "to_projects", "social_fund")
FLOW_ROW = {name: i for i, name in enumerate(FLOWS)}


def rows_by_name(names, typename: str = "Rows"):
    """Each of ``names``' position, as a named tuple that compiled code reads as constants
    (``ROWS.received``: the row of the sums named "received")."""
    return namedtuple(typename, names)(*range(len(names)))


#: each flow's row by name, as compiled code reads it (``flows[FLOW.rem_formal, c]``)
FLOW = rows_by_name(FLOWS, "Flow")
#: the flows accumulated per corridor each quarter (``Flows.corridor``)
CORRIDOR_FLOWS = ("recruits", "health_recruits", "returns", "remittances", "missions")
#: each corridor flow's position by name (``corridor[o, d, CORRIDOR.returns]``)
CORRIDOR = rows_by_name(CORRIDOR_FLOWS, "Corridor")
#: the quarter's money totals (``Flows.money``)
MONEY = ("sent", "received", "fees", "losses", "collective", "collective_fees", "to_projects",
         "matched")
_ROWS: dict = {}  # Flows.add_sums: the rows of a tuple of names


class Flows:
    """This quarter's flows: ``data``, one row per kind of flow (FLOWS), one column per
    community; ``corridor``, (n_orig, n_dest, CORRIDOR_FLOWS) the flows on each corridor;
    ``money``, the quarter's money totals (MONEY, a :class:`Totals` once the quarter abroad
    has run). All start each step at zero.

    Args:
        community: (n_persons,) home community of each person (slots never move).
        n_communities: number of communities.
        n_orig, n_dest: numbers of origins and destinations (for the corridor flows).
    """

    def __init__(self, community: np.ndarray, n_communities: int, n_orig: int, n_dest: int):
        self.community = community
        self.n = n_communities
        self.data = np.zeros((len(FLOWS), n_communities))
        self.corridor = np.zeros((n_orig, n_dest, len(CORRIDOR_FLOWS)))
        self.money = dict.fromkeys(MONEY, 0.0)

    def reset(self) -> None:
        """Every flow to zero (at the start of a step); the money totals are reset by the
        quarter abroad."""
        self.data[:] = 0.0
        self.corridor[:] = 0.0

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[FLOW_ROW[name]]

    def __setitem__(self, name: str, values) -> None:
        self.data[FLOW_ROW[name]] = values

    def add_sums(self, names: tuple, sums: np.ndarray) -> None:
        """Add per-community ``sums`` (one row per name in ``names``) to those flows."""
        rows = _ROWS.get(names)
        if rows is None:
            if len(set(names)) != len(names):
                raise ValueError(f"add_sums: a flow named twice in {names}")
            rows = _ROWS[names] = np.array([FLOW_ROW[name] for name in names], dtype=np.int64)
        if sums.shape != (len(rows), self.n):
            raise ValueError(f"add_sums: {len(rows)} flows of {self.n} communities take sums "
                             f"of shape {(len(rows), self.n)}, got {sums.shape}")
        add_rows(self.data, rows, sums)  # self.data[rows] += sums, in one compiled call

    def add(self, name: str, persons: np.ndarray, weights=None) -> None:
        """Add one (or ``weights``) per person in ``persons`` to their communities."""
        self.data[FLOW_ROW[name]] += np.bincount(self.community[persons], weights=weights,
                                             minlength=self.n)


@numba.njit(cache=True, nogil=True)
def add_rows(data, rows, sums):
    """Add each row of ``sums`` (per community) to the flows' row ``rows[i]`` of ``data``."""
    for i in range(rows.shape[0]):
        r = rows[i]
        for c in range(data.shape[1]):
            data[r, c] += sums[i, c]


class Totals(Mapping):
    """A quarter's totals by name (for example the money sent, received, lost), each the
    sum of an array of parts (or a number), summed when read: a step stores the parts and
    pays for the sums only if someone reads them. ``parts``: the arrays by name (they must
    not change afterwards)."""

    __slots__ = ("parts",)

    def __init__(self, **parts):
        self.parts = parts

    def __getitem__(self, name: str) -> float:
        x = self.parts[name]
        return float(x.sum()) if isinstance(x, np.ndarray) else float(x)

    def __iter__(self):
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)

    def __repr__(self) -> str:
        return f"Totals({dict(self)!r})"


fresh_caches(__name__)
