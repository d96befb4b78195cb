"""The governments' parameters: wages and labour demand, agreements and their
costs, migrants' rights, destination policy, statistics, the origin's diaspora and
return policy, and adaptive policy (ODD §7.1, §7.3, §7.10-§7.15).

Each is declared here, next to the rules that read it; :mod:`migdev.model.params` gathers
the families' declarations into ``Params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from migdev.core.codes import AGREEMENT_KINDS, OCCUPATION_SETS
from migdev.core.params import ASSUMED, COST, declare


@dataclass(frozen=True)
class GovernmentParams:
    """The governments' parameters."""

    # --- wages ---
    wage_dest_health: float = declare(
        15.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
        "destination wage of a health worker")
    wage_dest_education: float = declare(
        11.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
        "destination wage of a teacher")
    wage_dest_other: float = declare(
        13.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
        "destination wage of other skilled work")
    wage_dest_low: float = declare(
        6.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
        "destination wage of low-skilled work")
    wage_dest_scale: float = declare(
        1.0, 0.1, 5.0, "multiplier",
        "design: 1 keeps the world's relative wages",
        "multiplies one destination's wages (a pay rise, or a cut, "
        "for migrant workers there)", lever=True, scope="destination")
    home_wage_scale: float = declare(
        1.0, 0.1, 5.0, "multiplier", "Serje et al. 2018 (gap is large)",
        "multiplies every origin's wage ratio (a home pay rise)", lever=True, scope="origin")
    health_wage_scale: float = declare(
        1.0, 0.1, 5.0, "multiplier",
        "design: 1 keeps the world's wages (a policy lever: Ghana "
        "raised its health workers' pay in 2006, Antwi & Phillips "
        "2013)",
        "multiplies the home wage of health workers only, on top of "
        "home_wage_scale (a pay rise for them)", lever=True,
        scope="origin")

    # --- destination labour demand ---
    demand_health: float = declare(
        0.25, 0.0, 2.0, "share", "Clemens & Pettersson 2008 (about 1/5 abroad)",
        "wanted stock of foreign health workers, as a share of all origins' "
        "health workers at start")
    demand_education: float = declare(
        0.08, 0.0, 2.0, "share", ASSUMED, "as demand_health, teachers")
    demand_other: float = declare(
        0.15, 0.0, 2.0, "share", ASSUMED, "as demand_health, other skilled")
    demand_low: float = declare(
        0.04, 0.0, 2.0, "share", ASSUMED,
        "wanted stock of low-skilled temporary workers")
    demand_growth: float = declare(0.01, -0.1, 0.2, "per year", ASSUMED, "growth of wanted stocks")
    replacement_hiring: float = declare(
        0.5, 0.0, 2.0, "share",
        "assumption: no published estimate; mechanism from WHO 2006 "
        "(countries that lose health workers recruit from poorer "
        "neighbours)",
        "a country that is both origin and destination adds to its "
        "wanted stock of foreign health workers this share of its own "
        "health workers abroad beyond their number at the start "
        "(the south-south chain)", lever=True, scope="destination")
    vacancy_fill_rate: float = declare(
        0.25, 0.0, 1.0, "per quarter", ASSUMED,
        "share of the gap between wanted and actual stock advertised")
    contract_quarters_skilled: int = declare(
        12, 1, 80, "quarters", ASSUMED,
        "length of a skilled temporary contract")
    contract_quarters_low: int = declare(
        3, 1, 40, "quarters", "Canada SAWP: at most 8 months a year",
        "length of a low-skilled seasonal contract")

    # --- migrants' rights (ODD §7.4, §7.6, §7.9); an agreement can carry them as clauses ---
    worker_fee_ban: float = declare(
        0.0, 0.0, 1.0, "share of the fee",
        "ILO General principles and operational guidelines for fair "
        "recruitment (2019): no fees charged to workers (the employer "
        "pays); 0 by default (fees as KNOMAD-ILO measured them)",
        "share of their fee that regulated agencies may no longer charge "
        "workers (1: the employer pays all); unregulated agencies keep "
        "charging", lever=True, scope="destination")
    employer_change_right: float = declare(
        0.0, 0.0, 1.0, "share of workers",
        "assumption (value): temporary work permits tied to one "
        "employer by default; ILO (2017) on tied visas and abuse",
        "share of temporary workers free to change employer",
        lever=True, scope="destination")
    social_security_portability: float = declare(
        0.0, 0.0, 1.0, "share",
        "assumption (value); Holzmann & Koettl 2011: "
        "benefits lost on return deter it",
        "share of social-security entitlements a migrant "
        "keeps on going home", lever=True,
        scope="destination")

    # --- agreements (shorthand for one agreement; more via `agreements`) ---
    agreement_kind: str = declare(
        "none", unit="kind", choices=AGREEMENT_KINDS,
        source="design: the kinds of agreement compared (ODD §1)",
        doc="kind of the headline agreement", lever=True)
    agreement_start: int = declare(
        40, 0, 10_000, "step", "assumption: ten years (40 quarters) of run-in before the agreement",
        "step at which the headline agreement starts")
    agreement_quarters: int = declare(
        0, 0, 10_000, "quarters", ASSUMED,
        "duration of the headline agreement (0 = open-ended)")
    agreement_destination: int = declare(0, 0, 59, "index", ASSUMED, "destination party to it")
    agreement_origin: int = declare(0, 0, 59, "index", ASSUMED, "origin party to it")
    agreement_rights: float = declare(
        0.0, 0.0, 1.0, "share", "design: an agreement can carry rights "
        "clauses (ODD §7.1); 0 = none",
        "rights clauses of the headline agreement on its corridors: "
        "the fee ban, the right to change employer and social-security "
        "portability, each at this level")
    rights_implementation: float = declare(
        1.0, 0.0, 1.0, "share", "assumption (value); IOM 2005: an "
        "agreement signed is not one implemented",
        "share of the agreement's rights clauses carried out (their "
        "own implementation rate)")
    agreement_occupations: str = declare(
        "health", unit="set", choices=tuple(OCCUPATION_SETS),
        source="2003 UK-South Africa memorandum (health workers)",
        doc="occupations the agreement covers")
    implementation_rate: float = declare(
        1.0, 0.0, 1.0, "share", "assumption (value); IOM 2005: an "
        "agreement signed is not one implemented", "share of the agreement carried out: scales "
        "the G2G quota and the enforcement of its restriction",
        lever=True)
    g2g_quota: float = declare(
        0.002, 0.0, 0.2, "share per quarter", ASSUMED,
        "government-to-government placements per quarter, as a share of "
        "covered workers at home in the party origin")
    agreement_admin_cost: float = declare(
        25.0, 0.0, 10_000.0, "kUSD per quarter per party", COST,
        "what administering one agreement in force costs each "
        "party government per quarter (the accounts, ODD §7.14)")
    g2g_placement_cost: float = declare(
        2.0, 0.0, 1000.0, "kUSD per placement", COST,
        "what the destination government pays per G2G placement "
        "(selection, travel, induction; the accounts, ODD §7.14)")
    circular_contract_quarters: int = declare(
        8, 1, 40, "quarters",
        "UK-South Africa MoU: time-limited placements",
        "contract length of circular placements")
    circular_training_places: float = declare(
        0.03, 0.0, 1.0, "share of cohort per quarter", ASSUMED,
        "extra training places a circular agreement funds")
    protection_density_threshold: float = declare(
        23.0, 0.0, 200.0, "per 10,000",
        "WHO 2006 critical shortage (23 per 10,000)",
        "density below which a multilateral code protects "
        "an origin")
    protection_review_quarters: int = declare(
        12, 1, 400, "quarters", ASSUMED,
        "how often the protected list is redrawn")
    measurement_noise: float = declare(
        0.1, 0.0, 1.0, "relative error (sd)",
        "assumption (value): health workforce statistics are "
        "incomplete and dated (WHO 2006, Annex Table 4 reports data "
        "of 1997-2004); not estimated",
        "error of the health density a government measures: measured = "
        "true x (1 + e), e uniform with this standard deviation",
        lever=True, scope="origin")
    measurement_lag_quarters: int = declare(
        8, 0, 80, "quarters",
        "assumption (value): WHO 2006 reports densities 2-9 years "
        "old; two years taken",
        "age of the health density a government measures",
        lever=True, scope="origin")
    data_partnership: bool = declare(
        False, unit="switch",
        source="design: data partnerships between governments "
        "(statistics shared and harmonised)",
        doc="the origin's statistics come from a data partnership: "
        "error partnership_noise and lag partnership_lag_quarters",
        lever=True, scope="origin")
    data_partnership_cost: float = declare(
        25.0, 0.0, 10_000.0, "kUSD per quarter per origin", COST,
        "what running a data partnership costs per partner "
        "origin and quarter, paid by the destinations "
        "(assumption: as donor-funded statistical capacity; "
        "the accounts, ODD §7.14)")
    partnership_noise: float = declare(
        0.02, 0.0, 1.0, "relative error (sd)", ASSUMED,
        "measurement error under a data partnership")
    partnership_lag_quarters: int = declare(
        2, 0, 80, "quarters", ASSUMED,
        "measurement lag under a data partnership")

    # --- destination policy ---
    settlement_visa_openness: float = declare(
        0.3, 0.0, 1.0, "share", ASSUMED,
        "openness of settlement visas: the chance a skilled "
        "independent migrant gets one, and the weight of "
        "integration in settling at a contract's end; skilled "
        "migrants going on their own choose among destinations "
        "by it (ODD §7.4)", lever=True, scope="destination")
    integration_policy: float = declare(
        0.5, 0.0, 1.0, "index", ASSUMED,
        "strength of integration policy", lever=True, scope="destination")

    # --- the origin's diaspora and return policy, home wages ---
    diaspora_engagement: float = declare(
        0.0, 0.0, 5.0, "multiplier", ASSUMED,
        "origin government's diaspora programme (raises missions)",
        lever=True, scope="origin")
    mission_cost: float = declare(
        5.0, 0.0, 1000.0, "kUSD per mission", COST,
        "what the origin government pays for each diaspora mission its "
        "programme adds (travel and subsistence; the accounts, ODD "
        "§7.14)")
    return_incentive: float = declare(
        0.0, 0.0, 3.0, "index", "assumption (value); IOM 2005: return programmes",
        "origin government's return incentives", lever=True, scope="origin")
    wage_shortage_elasticity: float = declare(
        
        0.0, 0.0, 5.0, "per unit of shortage",
        "assumption: no published response of a home wage to its occupation's shortage was "
        "found; 0 (off) until calibrated, to be explored in a sensitivity study (ODD §7.15)",
        "how much a skilled occupation's home wage rises with its shortage at home: the "
        "wage times 1 + elasticity x (1 - workers at home / those at the start)")
    wage_development_elasticity: float = declare(
        
        0.0, 0.0, 5.0, "elasticity",
        "assumption: the development index is not an income, so no published income "
        "elasticity of wages applies; 0 (off) until calibrated, to be explored in a "
        "sensitivity study (ODD §7.15)",
        "how much every home wage follows the origin's development index: the wage times "
        "(index / index at the start) ^ elasticity")
    return_incentive_cost: float = declare(
        5.0, 0.0, 1000.0, "kUSD per returnee per unit of the index",
        COST, "what the origin government pays per returning "
        "national for each unit of return_incentive (the "
        "accounts, ODD §7.14)")

    # --- adaptive policy ---
    adaptive_policy: bool = declare(
        False, unit="switch", source="design: switch for process 11 (ODD §3)",
        doc="destinations follow unfilled demand; origins train more "
        "when short of health workers")
    adaptive_rate: float = declare(
        0.05, 0.0, 1.0, "per quarter", ASSUMED, "speed of adaptive policy")
