"""Per-person state as a struct of arrays, and the run's random streams.

Persons are many, so their state lives in numpy arrays, one entry per slot
(DESIGN.md). A slot is a position in the population: when a person retires, a
new entrant of the same community takes the slot with a new ``person_id``, so the
arrays never change size and people are conserved (entries = exits).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, fields

import numpy as np

from migdev.core.codes import HOME, IRREGULAR, RETURNED, STREAMS, TEMP


def make_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per mechanism, spawned from the run's seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.Generator(np.random.PCG64(ss)) for name, ss in zip(STREAMS, children)}


@dataclass
class Population:
    """Per-person arrays (all of length ``n``).

    Attributes:
        person_id: identity of the slot's current occupant.
        community: index of the home community; origin: its origin country.
        occ: occupation code (migdev.core.codes.OCCUPATIONS).
        age: years.
        h: human capital (1 = a new entrant's level).
        status: status code (STATUSES).
        dest: destination index while abroad (or of the last stay), -1 if never abroad.
        contract_left: quarters left on a temporary contract.
        q_abroad: quarters in the current (or last) stay abroad.
        n_stays: number of stays abroad begun.
        savings: kUSD saved abroad in the current stay.
        debt: recruitment debt, kUSD.
        integration: 0-1; ties: ties to home 0-1.
        member: member of the hometown association in its destination.
        channel: recruitment channel of the current (or last) stay (CHANNELS).
        matched: the job abroad uses the person's skills.
        h_dep: h when the current (or last) stay began.
        guarantee: return guarantee of the current placement, 0-1.
        remitted: sent household remittances this quarter.
        named: an employer in ``dest`` has named the person for re-hiring (ODD §7.4).
        substituted: the contract of the current stay was substituted on arrival by a worse
            one (ODD §7.6).
        kept_total: kUSD of income kept abroad (after debt service and remittances) over
            every quarter abroad since the person entered or the run began (ODD §7.7).
        q_total: quarters abroad over all stays (the initial stay's quarters so far
            included).
    """

    person_id: np.ndarray
    community: np.ndarray
    origin: np.ndarray
    occ: np.ndarray
    age: np.ndarray
    h: np.ndarray
    status: np.ndarray
    dest: np.ndarray
    contract_left: np.ndarray
    q_abroad: np.ndarray
    n_stays: np.ndarray
    savings: np.ndarray
    debt: np.ndarray
    integration: np.ndarray
    ties: np.ndarray
    member: np.ndarray
    channel: np.ndarray
    matched: np.ndarray
    h_dep: np.ndarray
    guarantee: np.ndarray
    remitted: np.ndarray
    named: np.ndarray
    substituted: np.ndarray
    kept_total: np.ndarray
    q_total: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Population:
        f32, i8, i16 = np.float32, np.int8, np.int16
        return cls(
            person_id=np.arange(n, dtype=np.int64),
            community=np.zeros(n, np.int32),
            origin=np.zeros(n, i16),
            occ=np.zeros(n, i8),
            age=np.zeros(n, f32),
            h=np.ones(n, f32),
            status=np.zeros(n, i8),
            dest=np.full(n, -1, i8),
            contract_left=np.zeros(n, i16),
            q_abroad=np.zeros(n, i16),
            n_stays=np.zeros(n, i16),
            savings=np.zeros(n, f32),
            debt=np.zeros(n, f32),
            integration=np.zeros(n, f32),
            ties=np.ones(n, f32),
            member=np.zeros(n, bool),
            channel=np.full(n, -1, i8),
            matched=np.zeros(n, bool),
            h_dep=np.ones(n, f32),
            guarantee=np.zeros(n, f32),
            remitted=np.zeros(n, bool),
            named=np.zeros(n, bool),
            substituted=np.zeros(n, bool),
            kept_total=np.zeros(n, f32),
            q_total=np.zeros(n, i16),
        )

    @property
    def n(self) -> int:
        return len(self.status)

    def abroad(self) -> np.ndarray:
        """Bool mask of persons abroad (temporary, settled or irregular)."""
        s = self.status
        return (s >= TEMP) & (s <= IRREGULAR)

    def at_home(self) -> np.ndarray:
        s = self.status
        return (s == HOME) | (s == RETURNED)

    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self))

    def persons(self) -> Persons:
        """The arrays as one named record (:data:`Persons`), as the compiled passes take
        them (the same arrays: a pass changes the population in place). Made once and kept
        until an array is replaced (assigning any attribute drops it): the passes ask for it
        four times a step."""
        rec = self.__dict__.get("_persons")
        if rec is None:
            rec = Persons(*(getattr(self, name) for name in Persons._fields))
            object.__setattr__(self, "_persons", rec)
        return rec

    def __setattr__(self, name, value) -> None:
        object.__setattr__(self, name, value)
        self.__dict__.pop("_persons", None)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_persons"}


#: the population's arrays by name, one record for the compiled passes (numba reads a
#: named tuple's fields by name: ``persons.status[i]``)
Persons = namedtuple("Persons", [f.name for f in fields(Population)])
