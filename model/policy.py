"""What the agreements in force imply each step: protected origins, G2G channels, training.

The records themselves (:class:`Agreement`, :class:`Event`) are in ``migdev.core.records``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from migdev.core.codes import OCCUPATION_SETS
from migdev.core.records import Agreement


def headline_agreement(p) -> Agreement | None:
    """The agreement described by the shorthand parameters ``agreement_*`` (or None)."""
    if p.agreement_kind == "none":
        return None
    end = p.agreement_start + p.agreement_quarters if p.agreement_quarters > 0 else -1
    occs = OCCUPATION_SETS[p.agreement_occupations]
    if p.agreement_kind == "multilateral":
        return Agreement(kind="multilateral", destination=-1, origins=(), occupations=occs,
                         implementation_rate=p.implementation_rate, start=p.agreement_start,
                         end=end)
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


@dataclass
class PolicyState:
    """What the agreements in force imply for one step (recomputed at step 1 of the schedule).

    Attributes:
        protected: (n_destinations, n_origins) bool, active recruitment barred.
        protect_strength: (n_destinations, n_origins) implementation rate of the restriction.
        covered: (n_destinations, n_origins, 4) bool, occupation covered by the restriction.
        g2g: list of (agreement, destination, origin) placement channels in force.
        extra_training: (n_origins,) extra training places, share of cohort.
    """

    protected: np.ndarray
    protect_strength: np.ndarray
    covered: np.ndarray
    g2g: list
    extra_training: np.ndarray


def policy_state(agreements, step: int, n_dest: int, n_orig: int,
                 listed: np.ndarray) -> PolicyState:
    """Combine the agreements in force at ``step`` into one :class:`PolicyState`.

    Args:
        agreements: all agreement records of the run.
        step: the current step.
        n_dest, n_orig: numbers of destinations and origins.
        listed: (n_orig,) bool, origins on the multilateral protected list (drawn from
            measured density at the last review).
    """
    protected = np.zeros((n_dest, n_orig), dtype=bool)
    strength = np.zeros((n_dest, n_orig))
    covered = np.zeros((n_dest, n_orig, 4), dtype=bool)
    g2g = []
    extra = np.zeros(n_orig)
    for a in agreements:
        if not a.active(step):
            continue
        dests = range(n_dest) if a.destination < 0 else (a.destination,)
        if a.kind == "multilateral":
            origins = np.flatnonzero(listed)
        else:
            origins = a.origins
        for d in dests:
            for o in origins:
                if a.kind in ("restrictive", "multilateral"):
                    protected[d, o] = True
                    strength[d, o] = max(strength[d, o], a.implementation_rate)
                    covered[d, o, list(a.occupations)] = True
                if a.kind in ("restrictive", "circular") and a.g2g_quota > 0:
                    g2g.append((a, d, int(o)))
        if a.kind == "circular":
            for o in a.origins:
                extra[o] += a.training_places * a.implementation_rate
    return PolicyState(protected, strength, covered, g2g, extra)
