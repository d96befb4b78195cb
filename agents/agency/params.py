"""The recruitment agencies' parameters: regulation, compliance, fees, capacity,
learning, placements and the attempts of persons without an offer (ODD §7.3-§7.6).

Each is declared here, next to the rules that read it; :mod:`migdev.model.params` gathers
the families' declarations into ``Params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from migdev.core.params import ASSUMED, declare


@dataclass(frozen=True)
class AgencyParams:
    """The recruitment agencies' parameters."""

    # --- who can be recruited ---
    max_migration_age: float = declare(
        55.0, 30.0, 75.0, "years", ASSUMED,
        "oldest age at which a person can be recruited or leave")

    # --- attempts without an offer (independent, irregular) ---
    independent_rate: float = declare(
        0.004, 0.0, 0.2, "per quarter", ASSUMED,
        "chance a skilled person at home seeks a settlement visa "
        "(scaled by openness)")
    irregular_rate: float = declare(
        0.002, 0.0, 0.2, "per quarter", ASSUMED,
        "chance a low-skilled person attempts irregular migration "
        "(scaled by 1 - border enforcement)")

    # --- recruitment agencies ---
    agency_regulation: float = declare(
        0.175, 0.0, 1.0, "share of agencies",
        "Buchan 2007: about 140 of 800 agencies signed the NHS code",
        "share of agencies that are licensed and regulated", lever=True, scope="destination")
    enforcement: float = declare(
        0.8, 0.0, 1.0, "probability", ASSUMED,
        "chance a regulated agency complies with a recruitment restriction "
        "in a quarter; also the destination's enforcement against overstay",
        lever=True, scope="destination")
    unregulated_compliance: float = declare(
        0.1, 0.0, 1.0, "probability", ASSUMED,
        "chance an unregulated agency complies in a quarter")
    penalty_risk: float = declare(
        0.5, 0.0, 1.0, "share of margin", ASSUMED,
        "expected loss of margin when recruiting in a protected origin, "
        "times enforcement and implementation")
    fee_regulated_months: float = declare(
        1.0, 0.0, 12.0, "months of wages",
        "KNOMAD-ILO surveys (1-7 months); ILO: workers pay none",
        "fee a regulated agency charges a worker", lever=True,
        scope="destination")
    fee_unregulated_months: float = declare(
        4.0, 0.0, 12.0, "months of wages",
        "KNOMAD-ILO surveys (1-7 months)",
        "fee an unregulated agency charges a worker",
        lever=True, scope="destination")
    agency_capacity: float = declare(
        0.003, 0.0, 1.0, "share of persons per quarter", ASSUMED,
        "placements one agency can make per quarter, share of n_persons")
    code_bound_share: float = declare(
        0.0, 0.0, 1.0, "share of vacancies",
        "Buchan 2007; Buchan et al. 2009: the 2001 NHS code bound NHS "
        "employers, not private ones (until 2004); 0 by default: only "
        "the agencies' own compliance",
        "share of a destination's vacancies at employers bound by its "
        "codes and agreements (public health services): they never "
        "recruit from a barred origin, whatever their agency; the others "
        "(private employers) recruit as their agency chooses",
        lever=True, scope="destination")

    # --- rights in the destination choice, and learning ---
    rights_integration_weight: float = declare(
        0.125, 0.0, 1.0, "index per unit of rights",
        "assumption (value): a corridor's rights count as "
        "one of the eight policy areas of MIPEX 2020 "
        "(Solano & Huddleston 2020), labour market mobility",
        "weight of a corridor's rights (mean of fee ban, right "
        "to change employer, portability) added to the "
        "destination's integration policy where migrants "
        "choose a destination (ODD §7.4)")
    agency_learning_rate: float = declare(
        0.2, 0.0, 1.0, "per quarter", ASSUMED,
        "weight of the latest acceptance rate in an agency's origin "
        "attractiveness")

    # --- circular placements under an agreement ---
    return_guarantee: float = declare(
        0.8, 0.0, 1.0, "share", ASSUMED,
        "reduction in overstay and settlement for circular placements")

    # --- placements: use of the worker's skills ---
    skill_match_agreement: float = declare(
        0.9, 0.0, 1.0, "probability", ASSUMED,
        "chance a G2G placement uses the worker's skills")
    skill_match_agency: float = declare(
        0.6, 0.0, 1.0, "probability",
        "OECD: immigrants over-qualified 2-3x as often as natives",
        "chance an agency placement uses the worker's skills")
