"""Policies are data: agreements and scheduled parameter changes as plain records.

The schedule reads these records each step (docs/ODD.md §7.1); no mechanism tests for
a particular step number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from migdev.core.codes import AGREEMENT_KINDS, HEALTH, OCCUPATION_SETS, OCCUPATIONS
from migdev.core.errors import ParameterError


@dataclass(frozen=True)
class Agreement:
    """One agreement between governments (a policy record, not an agent).

    Attributes:
        kind: "restrictive" (bars active recruitment from its origins except through the
            G2G quota), "circular" (temporary G2G placements with training and guaranteed
            return) or "multilateral" (a code: every destination protects every origin whose
            health-worker density is below the threshold).
        destination: index of the destination party; -1 means every destination.
        destinations: indices of several destination parties (a regional code adopted by
            a group of governments); when given, it replaces ``destination``.
        origins: indices of the origin parties; empty for a multilateral code, whose
            protected list is drawn from measured densities.
        occupations: occupation codes covered (see OCCUPATIONS).
        g2g_quota: G2G placements per quarter, share of covered workers at home.
        contract_quarters: length of a G2G contract.
        training_places: extra training places per quarter in each party origin, as a
            share of its entering cohort.
        return_guarantee: reduction (0-1) in overstay and settlement of its placements.
        implementation_rate: share (0-1) of the agreement carried out.
        rights: level (0-1) of its rights clauses on its corridors: no fees for workers
            through regulated agencies, the right to change employer and social-security
            portability (ODD §7.1).
        rights_implementation: share (0-1) of the rights clauses carried out.
        start: first step at which it is in force.
        end: first step at which it is no longer in force (-1: never ends).
    """

    kind: str
    destination: int = 0
    origins: tuple[int, ...] = (0,)
    occupations: tuple[int, ...] = (HEALTH,)
    g2g_quota: float = 0.0
    contract_quarters: int = 12
    training_places: float = 0.0
    return_guarantee: float = 0.0
    implementation_rate: float = 1.0
    start: int = 0
    end: int = -1
    destinations: tuple[int, ...] = ()
    rights: float = 0.0
    rights_implementation: float = 1.0

    def parties(self, n_destinations: int):
        """The destination parties' indices."""
        if self.destinations:
            return tuple(self.destinations)
        return tuple(range(n_destinations)) if self.destination < 0 else (self.destination,)

    def active(self, step: int) -> bool:
        return step >= self.start and (self.end < 0 or step < self.end)

    def validate(self, n_origins: int, n_destinations: int) -> None:
        """Check every field's type and range.

        Raises:
            ParameterError: naming the field, its value and what is allowed.
        """
        def bad(what, allowed):
            raise ParameterError(f"agreement {self!r}: {what}; allowed {allowed}")

        def integer(name, v, lo, hi=None):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                bad(f"{name}={v!r}", "an integer" + (f" from {lo} to {hi}" if hi is not None
                                                      else f" from {lo} up"))
            if v < lo or (hi is not None and v > hi):
                bad(f"{name}={v!r}", f"{lo} to {hi}" if hi is not None else f"{lo} or more")

        if not isinstance(self.kind, str) or self.kind not in AGREEMENT_KINDS[1:]:
            bad(f"kind={self.kind!r}", ", ".join(AGREEMENT_KINDS[1:]))
        integer("destination", self.destination, -1, n_destinations - 1)
        if not isinstance(self.destinations, tuple):
            bad(f"destinations={self.destinations!r}", "a list of destinations")
        for d in self.destinations:
            integer("destinations item", d, 0, n_destinations - 1)
        if len(set(self.destinations)) != len(self.destinations):
            bad(f"destinations={self.destinations!r}", "each destination once")
        for name in ("origins", "occupations"):
            if not isinstance(getattr(self, name), tuple):
                bad(f"{name}={getattr(self, name)!r}", "a list of integers")
        for o in self.origins:
            integer("origin", o, 0, n_origins - 1)
        if self.kind != "multilateral" and not self.origins:
            bad("no origins", "at least one origin for a bilateral agreement")
        for k in self.occupations:
            integer("occupation", k, 0, len(OCCUPATIONS) - 1)
        for name in ("g2g_quota", "training_places", "return_guarantee", "implementation_rate",
                     "rights", "rights_implementation"):
            v = getattr(self, name)
            if (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))
                    or not math.isfinite(v) or not 0.0 <= v <= 1.0):
                bad(f"{name}={v!r}", "a number from 0 to 1")
        integer("contract_quarters", self.contract_quarters, 1, 10_000)
        integer("start", self.start, 0, 10_000)
        integer("end", self.end, -1, 10_000)
        if self.end != -1 and self.end <= self.start:
            bad(f"end={self.end} with start={self.start}", "-1 (never ends) or a step after "
                "start")


@dataclass(frozen=True)
class Event:
    """A scheduled change of one parameter: at ``step``, ``param`` becomes ``value``."""

    step: int
    param: str
    value: Any


@dataclass(frozen=True)
class Local:
    """A lever's value for one country or corridor, overriding its value everywhere else.

    ``key`` is a country name (an origin or a destination, as the lever's scope says) or,
    for a corridor lever, ``"Origin>Destination"``. Written ``param[key]`` in configs,
    designs and events, e.g. ``matching_ratio[Ghana]``.
    """

    param: str
    key: str
    value: Any


def split_local(name: str) -> tuple[str, str | None]:
    """``"matching_ratio[Ghana]"`` -> ("matching_ratio", "Ghana"); a plain name -> (name, None)."""
    if isinstance(name, str) and name.endswith("]") and "[" in name:
        base, key = name[:-1].split("[", 1)
        return base.strip(), key.strip()
    return name, None


def headline_agreement(p) -> Agreement | None:
    """The agreement described by the shorthand parameters ``agreement_*`` (or None)."""
    if p.agreement_kind == "none":
        return None
    end = p.agreement_start + p.agreement_quarters if p.agreement_quarters > 0 else -1
    occs = OCCUPATION_SETS[p.agreement_occupations]
    if p.agreement_kind == "multilateral":
        return Agreement(kind="multilateral", destination=-1, origins=(), occupations=occs,
                         implementation_rate=p.implementation_rate, start=p.agreement_start,
                         end=end, rights=p.agreement_rights,
                         rights_implementation=p.rights_implementation)
    circular = p.agreement_kind == "circular"
    return Agreement(
        kind=p.agreement_kind,
        destination=p.agreement_destination,
        origins=(p.agreement_origin,),
        occupations=occs,
        g2g_quota=p.g2g_quota,
        contract_quarters=p.circular_contract_quarters if circular else p.contract_quarters_skilled,
        training_places=p.circular_training_places if circular else 0.0,
        return_guarantee=p.return_guarantee if circular else 0.0,
        implementation_rate=p.implementation_rate,
        start=p.agreement_start,
        end=end,
        rights=p.agreement_rights,
        rights_implementation=p.rights_implementation,
    )


def all_agreements(p) -> tuple[Agreement, ...]:
    """The headline agreement (if any) followed by the explicit ``agreements`` records."""
    head = headline_agreement(p)
    return ((head,) if head else ()) + tuple(p.agreements)


def party_origins(agreements, n_origins: int) -> np.ndarray:
    """Origins named as parties in any bilateral agreement of the run (bool per origin)."""
    party = np.zeros(n_origins, dtype=bool)
    for a in agreements:
        if a.kind != "multilateral":
            party[list(a.origins)] = True
    return party
