"""The home communities' parameters: the prospect of emigration people see,
financial access, knowledge, investment and the development index (ODD §7.2, §7.7,
§7.12).

Each is declared here, next to the rules that read it; :mod:`migdev.model.params` gathers
the families' declarations into ``Params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from migdev.core.params import ASSUMED, declare


@dataclass(frozen=True)
class CommunityParams:
    """The home communities' parameters."""

    # --- the prospect of emigration ---
    prospect_weight: float = declare(
        1.0, 0.0, 5.0, "multiplier",
        "Beine, Docquier & Rapoport 2008 (prospect p)",
        "perceived emigration probability = weight x observed rate")

    # --- access to formal transfers ---
    financial_access: float = declare(
        
        0.5, 0.0, 1.0, "share",
        "assumption: no published reach of money-transfer services among households without "
        "an account; calibrated in health2005 (formal share of remittances, Freund & "
        "Spatafora 2005)",
        "share of households without an account (the origin's account ownership, Global "
        "Findex) reached by formal money-transfer services", lever=True, scope="origin")

    # --- knowledge and missions ---
    knowledge_depreciation: float = declare(
        0.02, 0.0, 1.0, "per quarter", ASSUMED,
        "depreciation of community knowledge")
    mission_quarters: float = declare(
        0.5, 0.0, 1.0, "quarters",
        "assumption within the published range: MIDA Ghana Health "
        "assignments last three weeks to three months (Ghana News "
        "Agency 2004, on the Ghana-Netherlands aide-memoire)",
        "share of a quarter a temporary return mission lasts: a health "
        "missionary adds that share of a worker to capacity at home")
    knowledge_productivity: float = declare(
        0.1, 0.0, 2.0, "share",
        "assumption: no published estimate of how much knowledge "
        "transfer raises local health workers' output; a "
        "sensitivity factor, to be calibrated where data allow",
        "highest relative rise in the productivity of local health "
        "workers from the community's knowledge stock")

    # --- communities ---
    investment_depreciation: float = declare(
        0.02, 0.0, 1.0, "per quarter", ASSUMED,
        "depreciation of household investment")
    project_depreciation: float = declare(
        0.01, 0.0, 1.0, "per quarter", ASSUMED,
        "depreciation of collective projects")
    knowledge_ref: float = declare(
        0.05, 1e-6, 100.0, "knowledge per person", ASSUMED,
        "knowledge per person that gives 63% of the knowledge component")
    investment_ref: float = declare(
        2.0, 1e-6, 1000.0, "kUSD per person", ASSUMED,
        "capital per person that gives 63% of the investment component")
    health_density_ref: float = declare(
        44.5, 1.0, 500.0, "per 10,000",
        "WHO HRH Observer 17 (2016): SDG index threshold 44.5",
        "density at which the health-service component is full")
