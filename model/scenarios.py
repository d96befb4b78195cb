"""Scenario presets (ODD §6) as parameter overrides.

The experiment configs in experiments/configs/ start from these by name. Each is a
plain dict of parameter overrides; ``MigrationModel(**SCENARIOS[name])`` runs it.
"""

from __future__ import annotations

from migdev.core.records import Event

SCENARIOS: dict[str, dict] = {
    # 1. no agreement
    "baseline": {},
    # 2. a destination bars active recruitment from one origin except through a G2G
    #    quota; origin 0 and destination 0 are South Africa and the United Kingdom in the
    #    default world: the 2003 UK-South Africa health-worker memorandum
    "restrictive_mou": {
        "agreement_kind": "restrictive",
        "agreement_origin": 0,
        "agreement_destination": 0,
        "agreement_occupations": "health",
        "agreement_start": 40,
    },
    # 3. temporary placements with training and guaranteed return
    "circular_mou": {
        "agreement_kind": "circular",
        "agreement_origin": 0,
        "agreement_destination": 0,
        "agreement_occupations": "health",
        "agreement_start": 40,
        "g2g_quota": 0.01,
    },
    # 4. every origin below the density threshold is protected by every destination
    #    (WHO Global Code pattern, with the WHO 2006 threshold)
    "multilateral_code": {
        "agreement_kind": "multilateral",
        "agreement_occupations": "health",
        "agreement_start": 40,
    },
    # 5. lower formal cost (to the SDG 10.c target of 3 %), wider access, 3-for-1 matching,
    #    from step 40
    "remittance_partnership": {
        "events": (
            Event(40, "formal_fee", 0.03),
            Event(40, "financial_access", 1.0),
            Event(40, "matching_ratio", 3.0),
        ),
    },
    # 6. the headline sweep's base: a restrictive agreement whose kind, implementation,
    #    agency regulation, return incentives and integration policy the sweep varies
    "spillover_vs_circulation": {
        "agreement_kind": "restrictive",
        "agreement_origin": 0,
        "agreement_destination": 0,
        "agreement_occupations": "health",
        "agreement_start": 40,
    },
}


def scenario(name: str, **overrides) -> dict:
    """The overrides of scenario ``name`` with ``overrides`` on top."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}: allowed {', '.join(SCENARIOS)}")
    return {**SCENARIOS[name], **overrides}
