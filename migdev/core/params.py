"""The model's parameters, declared once: default, unit, allowed range and source.

Every other part of the product (the model, experiment configs, the demo's sliders,
docs/ODD.md) reads the declaration here; nothing re-types a default.

A :class:`Params` object is frozen and validated when built. Unknown names, wrong
types and out-of-range values raise :class:`ParameterError` (a ``ValueError``)
naming the parameter, the value given and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from migdev.core.codes import AGREEMENT_KINDS, OCCUPATION_SETS
from migdev.core.errors import ParameterError, did_you_mean
from migdev.core.records import Agreement, Event, Local, split_local
from migdev.core.worlds import load_world

__all__ = ["Params", "ParameterError", "make_params", "describe", "FIELDS", "PARAM_NAMES"]


def _p(default, lo=None, hi=None, unit="", source="", doc="", choices=None, lever=False,
       scope=None):
    """Declare one parameter (a dataclass field with its metadata).

    ``scope`` ("origin", "destination" or "corridor") makes a lever local: besides its
    value everywhere, it can take a value per country or corridor (``name[key]``).
    """
    meta = {
        "scope": scope,
        "lo": lo,
        "hi": hi,
        "unit": unit,
        "source": source,
        "doc": doc,
        "choices": choices,
        "lever": lever,
    }
    return field(default=default, metadata=meta)


ASSUMED = "assumption: no published estimate for this stylised world; set for plausible magnitudes"
HAZARD = "assumption: proportional-hazards weight (ODD §7.9), not estimated"
DESIGN = "assumption: a weight of the random-utility choice (ODD §7.5), not estimated"
WB_RPW = "World Bank, Remittance Prices Worldwide, Issue 3 (November 2011)"
COST = ("assumption: no published unit cost was found for it; a price for the accounts only "
        "(it changes no behaviour), to be explored in a sensitivity study (ODD §7.14)")


@dataclass(frozen=True)
class Params:
    """All parameters of one run. Build with ``Params(**overrides)`` or :func:`make_params`."""

    # --- world and size -------------------------------------------------------
    n_persons: int = _p(20_000, 200, 5_000_000, "persons",
                        ASSUMED, "simulated persons of working age, at home or abroad")
    world: str = _p("health2005", unit="name",
                    source="design: worlds are data with a source for every figure (docs/WORLDS.md)",
                    doc="the countries and corridors: a shipped world's name or a world folder")
    n_origins: int = _p(None, 1, 60, "countries", "design: the world's origins (abstract world: 4, at least 3 so diversion between non-parties can be seen)",
                        "origin countries; empty = all of the world's (an extendable world can have up to twice its table)")
    n_destinations: int = _p(None, 1, 60, "countries", "design: the world's destinations (abstract world: 2, one party and one not)",
                             "destination countries; empty = the world's default")
    communities_per_origin: int = _p(3, 1, 20, "communities", ASSUMED,
                                     "home communities (localities) per origin")
    agencies_per_destination: int = _p(10, 1, 200, "agencies", ASSUMED,
                                       "private recruitment agencies based in each destination")
    migration_enabled: bool = _p(True, unit="switch", source="design: the no-migration counterfactual of brain-gain measures (Beine, Docquier & Rapoport 2008)",
                                 doc="False closes every new departure (the no-migration control)")

    # --- demography and training (brain gain) ---------------------------------
    entry_age: float = _p(22.0, 15.0, 30.0, "years", ASSUMED, "age at which a cohort enters")
    retirement_age: float = _p(65.0, 50.0, 75.0, "years", ASSUMED, "age of exit from the population")
    max_migration_age: float = _p(55.0, 30.0, 75.0, "years", ASSUMED,
                                  "oldest age at which a person can be recruited or leave")
    training_capacity_health: float = _p(
        1.0, 0.0, 5.0, "x replacement",
        "assumption: the base year is a steady state for the number trained (ODD §6)",
        "health-training places per quarter relative to replacement: 1 = the origin's "
        "base-year health share of each entering cohort, which keeps the number of trained "
        "health workers (at home and abroad) at its base-year level",
        lever=True, scope="origin")
    training_capacity_education: float = _p(
        1.0, 0.0, 5.0, "x replacement",
        "assumption: the base year is a steady state for the number trained (ODD §6)",
        "teacher-training places relative to replacement (as training_capacity_health)")
    training_capacity_other: float = _p(
        1.0, 0.0, 5.0, "x replacement",
        "assumption: the base year is a steady state for the number trained (ODD §6)",
        "other tertiary places relative to replacement (as training_capacity_health)")
    training_elasticity: float = _p(0.0, 0.0, 1.0, "share",
                                    "Abarcar & Theoharides 2024 (about 9 extra nurses per "
                                    "emigrant where training could expand)",
                                    "share of applicants beyond the public places who find a "
                                    "(private) place; 0 = capacity binds fully", lever=True)
    train_cost_health: float = _p(2.2, 0.0, 10.0, "utility", ASSUMED,
                                  "cost of training as a health worker, in utility units")
    train_cost_education: float = _p(2.0, 0.0, 10.0, "utility", ASSUMED, "cost of teacher training")
    train_cost_other: float = _p(1.5, 0.0, 10.0, "utility", ASSUMED, "cost of other tertiary training")
    beta_train_wage: float = _p(1.5, 0.0, 10.0, "utility per log wage",
                                "Beine, Docquier & Rapoport 2001 (incentive effect; form)",
                                "weight of ln expected earnings in the training choice")
    prospect_weight: float = _p(1.0, 0.0, 5.0, "multiplier",
                                "Beine, Docquier & Rapoport 2008 (prospect p)",
                                "perceived emigration probability = weight x observed rate")

    # --- wages -----------------------------------------------------------------
    wage_dest_health: float = _p(15.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
                                 "destination wage of a health worker")
    wage_dest_education: float = _p(11.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
                                    "destination wage of a teacher")
    wage_dest_other: float = _p(13.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
                                "destination wage of other skilled work")
    wage_dest_low: float = _p(6.0, 0.1, 100.0, "kUSD per quarter", ASSUMED,
                              "destination wage of low-skilled work")
    wage_dest_scale: float = _p(1.0, 0.1, 5.0, "multiplier",
                                "design: 1 keeps the world's relative wages",
                                "multiplies one destination's wages (a pay rise, or a cut, "
                                "for migrant workers there)", lever=True, scope="destination")
    home_wage_scale: float = _p(1.0, 0.1, 5.0, "multiplier", "Serje et al. 2018 (gap is large)",
                                "multiplies every origin's wage ratio (a home pay rise)", lever=True, scope="origin")
    health_wage_scale: float = _p(1.0, 0.1, 5.0, "multiplier",
                                  "design: 1 keeps the world's wages (a policy lever: Ghana "
                                  "raised its health workers' pay in 2006, Antwi & Phillips "
                                  "2013)",
                                  "multiplies the home wage of health workers only, on top of "
                                  "home_wage_scale (a pay rise for them)", lever=True,
                                  scope="origin")

    # --- migration decision (random utility) -----------------------------------
    asc_offer: float = _p(0.0, -10.0, 10.0, "utility", ASSUMED,
                          "constant for accepting an offer of work abroad")
    asc_independent: float = _p(-0.5, -10.0, 10.0, "utility", ASSUMED,
                                "constant for leaving without an offer")
    beta_wage: float = _p(1.0, 0.0, 10.0, "utility per log wage ratio", DESIGN,
                          "weight of ln(w_dest / w_home)")
    beta_fee: float = _p(0.15, 0.0, 5.0, "utility per month of wages", DESIGN,
                         "weight of the recruitment fee")
    moving_cost: float = _p(1.0, 0.0, 10.0, "utility", DESIGN, "cost of moving abroad")
    beta_network: float = _p(0.3, 0.0, 5.0, "utility per log network", DESIGN,
                             "weight of ln(1 + per-cent of the community abroad in that destination)")
    beta_ties: float = _p(1.5, 0.0, 10.0, "utility", DESIGN, "weight of ties to home")
    beta_integration_policy: float = _p(0.5, 0.0, 5.0, "utility", ASSUMED,
                                        "weight of the destination's integration policy")
    independent_rate: float = _p(0.004, 0.0, 0.2, "per quarter", ASSUMED,
                                 "chance a skilled person at home seeks a settlement visa "
                                 "(scaled by openness)")
    irregular_rate: float = _p(0.002, 0.0, 0.2, "per quarter", ASSUMED,
                               "chance a low-skilled person attempts irregular migration "
                               "(scaled by 1 - border enforcement)")

    # --- destination labour demand ----------------------------------------------
    demand_health: float = _p(0.25, 0.0, 2.0, "share", "Clemens & Pettersson 2008 (about 1/5 abroad)",
                              "wanted stock of foreign health workers, as a share of all origins' "
                              "health workers at start")
    demand_education: float = _p(0.08, 0.0, 2.0, "share", ASSUMED, "as demand_health, teachers")
    demand_other: float = _p(0.15, 0.0, 2.0, "share", ASSUMED, "as demand_health, other skilled")
    demand_low: float = _p(0.04, 0.0, 2.0, "share", ASSUMED,
                           "wanted stock of low-skilled temporary workers")
    demand_growth: float = _p(0.01, -0.1, 0.2, "per year", ASSUMED, "growth of wanted stocks")
    replacement_hiring: float = _p(0.5, 0.0, 2.0, "share",
                                   "assumption: no published estimate; mechanism from WHO 2006 "
                                   "(countries that lose health workers recruit from poorer "
                                   "neighbours)",
                                   "a country that is both origin and destination adds to its "
                                   "wanted stock of foreign health workers this share of its own "
                                   "health workers abroad beyond their number at the start "
                                   "(the south-south chain)", lever=True, scope="destination")
    vacancy_fill_rate: float = _p(0.25, 0.0, 1.0, "per quarter", ASSUMED,
                                  "share of the gap between wanted and actual stock advertised")
    contract_quarters_skilled: int = _p(12, 1, 80, "quarters", ASSUMED,
                                        "length of a skilled temporary contract")
    contract_quarters_low: int = _p(3, 1, 40, "quarters", "Canada SAWP: at most 8 months a year",
                                    "length of a low-skilled seasonal contract")
    named_rehire_rate: float = _p(0.0, 0.0, 1.0, "share of returns",
                                  "Canada's SAWP: employers name over three-fourths of the "
                                  "workers they hire (Rural Migration News 2019); no published "
                                  "rate for health workers, so 0 (off) by default",
                                  "share of temporary workers coming home at the end of their "
                                  "contract whom their employer names for re-hiring",
                                  lever=True, scope="destination")

    # --- recruitment agencies -----------------------------------------------------
    agency_regulation: float = _p(0.175, 0.0, 1.0, "share of agencies",
                                  "Buchan 2007: about 140 of 800 agencies signed the NHS code",
                                  "share of agencies that are licensed and regulated", lever=True, scope="destination")
    enforcement: float = _p(0.8, 0.0, 1.0, "probability", ASSUMED,
                            "chance a regulated agency complies with a recruitment restriction "
                            "in a quarter; also the destination's enforcement against overstay",
                            lever=True, scope="destination")
    unregulated_compliance: float = _p(0.1, 0.0, 1.0, "probability", ASSUMED,
                                       "chance an unregulated agency complies in a quarter")
    penalty_risk: float = _p(0.5, 0.0, 1.0, "share of margin", ASSUMED,
                             "expected loss of margin when recruiting in a protected origin, "
                             "times enforcement and implementation")
    fee_regulated_months: float = _p(1.0, 0.0, 12.0, "months of wages",
                                     "KNOMAD-ILO surveys (1-7 months); ILO: workers pay none",
                                     "fee a regulated agency charges a worker", lever=True,
                                     scope="destination")
    fee_unregulated_months: float = _p(4.0, 0.0, 12.0, "months of wages",
                                       "KNOMAD-ILO surveys (1-7 months)",
                                       "fee an unregulated agency charges a worker",
                                       lever=True, scope="destination")
    agency_capacity: float = _p(0.003, 0.0, 1.0, "share of persons per quarter", ASSUMED,
                                "placements one agency can make per quarter, share of n_persons")
    code_bound_share: float = _p(0.0, 0.0, 1.0, "share of vacancies",
                                 "Buchan 2007; Buchan et al. 2009: the 2001 NHS code bound NHS "
                                 "employers, not private ones (until 2004); 0 by default: only "
                                 "the agencies' own compliance",
                                 "share of a destination's vacancies at employers bound by its "
                                 "codes and agreements (public health services): they never "
                                 "recruit from a barred origin, whatever their agency; the others "
                                 "(private employers) recruit as their agency chooses",
                                 lever=True, scope="destination")
    # --- migrants' rights (ODD §7.4, §7.6, §7.9); an agreement can carry them as clauses ---
    worker_fee_ban: float = _p(0.0, 0.0, 1.0, "share of the fee",
                               "ILO General principles and operational guidelines for fair "
                               "recruitment (2019): no fees charged to workers (the employer "
                               "pays); 0 by default (fees as KNOMAD-ILO measured them)",
                               "share of their fee that regulated agencies may no longer charge "
                               "workers (1: the employer pays all); unregulated agencies keep "
                               "charging", lever=True, scope="destination")
    employer_change_right: float = _p(0.0, 0.0, 1.0, "share of workers",
                                      "assumption (value): temporary work permits tied to one "
                                      "employer by default; ILO (2017) on tied visas and abuse",
                                      "share of temporary workers free to change employer",
                                      lever=True, scope="destination")
    contract_substitution: float = _p(0.0, 0.0, 1.0, "share of recruits",
                                      "assumption (value): no published prevalence for these "
                                      "corridors; 0 keeps the rule off",
                                      "share of an unregulated agency's recruits whose contract "
                                      "is substituted on arrival by a worse one (ODD §7.6)",
                                      lever=True, scope="destination")
    substitution_loss: float = _p(0.27, 0.0, 5.0, "share of the wage paid",
                                  "Aleksynska, Kazi Aoul & Petrencu 2017 (KNOMAD Working Paper "
                                  "28): losses from deficient conditions of work abroad were 27 % "
                                  "of actual wages; assumption: a substituted contract loses that",
                                  "what a worker on a substituted contract loses, as a share of "
                                  "the wage paid: paid = promised / (1 + loss)")
    change_employer_match: float = _p(0.2, 0.0, 1.0, "per quarter", ASSUMED,
                                      "extra chance per quarter that a temporary worker in a job "
                                      "below their skills, free to change employer, finds one "
                                      "that uses them")
    overstay_rights: float = _p(1.0, 0.0, 10.0, "log-odds", ASSUMED,
                                "fall in the overstay log-odds of workers free to change "
                                "employer (tied workers abscond from abusive jobs)")
    social_security_portability: float = _p(0.0, 0.0, 1.0, "share",
                                            "assumption (value); Holzmann & Koettl 2011: "
                                            "benefits lost on return deter it",
                                            "share of social-security entitlements a migrant "
                                            "keeps on going home", lever=True,
                                            scope="destination")
    rights_integration_weight: float = _p(0.125, 0.0, 1.0, "index per unit of rights",
                                          "assumption (value): a corridor's rights count as "
                                          "one of the eight policy areas of MIPEX 2020 "
                                          "(Solano & Huddleston 2020), labour market mobility",
                                          "weight of a corridor's rights (mean of fee ban, right "
                                          "to change employer, portability) added to the "
                                          "destination's integration policy where migrants "
                                          "choose a destination (ODD §7.4)")
    hazard_portability: float = _p(1.0, 0.0, 10.0, "log-hazard", HAZARD,
                                   "effect of social-security portability on the return hazard")
    agency_learning_rate: float = _p(0.2, 0.0, 1.0, "per quarter", ASSUMED,
                                     "weight of the latest acceptance rate in an agency's origin "
                                     "attractiveness")

    # --- agreements (shorthand for one agreement; more via `agreements`) ------------
    agreement_kind: str = _p("none", unit="kind", choices=AGREEMENT_KINDS,
                             source="design: the kinds of agreement compared (ODD §1)",
                             doc="kind of the headline agreement", lever=True)
    agreement_start: int = _p(40, 0, 10_000, "step", "assumption: ten years (40 quarters) of run-in before the agreement",
                              "step at which the headline agreement starts")
    agreement_quarters: int = _p(0, 0, 10_000, "quarters", ASSUMED,
                                 "duration of the headline agreement (0 = open-ended)")
    agreement_destination: int = _p(0, 0, 59, "index", ASSUMED, "destination party to it")
    agreement_origin: int = _p(0, 0, 59, "index", ASSUMED, "origin party to it")
    agreement_rights: float = _p(0.0, 0.0, 1.0, "share", "design: an agreement can carry rights "
                                 "clauses (ODD §7.1); 0 = none",
                                 "rights clauses of the headline agreement on its corridors: "
                                 "the fee ban, the right to change employer and social-security "
                                 "portability, each at this level")
    rights_implementation: float = _p(1.0, 0.0, 1.0, "share", "assumption (value); IOM 2005: an "
                                      "agreement signed is not one implemented",
                                      "share of the agreement's rights clauses carried out (their "
                                      "own implementation rate)")
    agreement_occupations: str = _p("health", unit="set", choices=tuple(OCCUPATION_SETS),
                                    source="2003 UK-South Africa memorandum (health workers)",
                                    doc="occupations the agreement covers")
    implementation_rate: float = _p(1.0, 0.0, 1.0, "share", "assumption (value); IOM 2005: an "
                                    "agreement signed is not one implemented", "share of the agreement carried out: scales "
                                    "the G2G quota and the enforcement of its restriction",
                                    lever=True)
    g2g_quota: float = _p(0.002, 0.0, 0.2, "share per quarter", ASSUMED,
                          "government-to-government placements per quarter, as a share of "
                          "covered workers at home in the party origin")
    agreement_admin_cost: float = _p(25.0, 0.0, 10_000.0, "kUSD per quarter per party", COST,
                                     "what administering one agreement in force costs each "
                                     "party government per quarter (the accounts, ODD §7.14)")
    g2g_placement_cost: float = _p(2.0, 0.0, 1000.0, "kUSD per placement", COST,
                                   "what the destination government pays per G2G placement "
                                   "(selection, travel, induction; the accounts, ODD §7.14)")
    circular_contract_quarters: int = _p(8, 1, 40, "quarters",
                                         "UK-South Africa MoU: time-limited placements",
                                         "contract length of circular placements")
    circular_training_places: float = _p(0.03, 0.0, 1.0, "share of cohort per quarter", ASSUMED,
                                         "extra training places a circular agreement funds")
    return_guarantee: float = _p(0.8, 0.0, 1.0, "share", ASSUMED,
                                 "reduction in overstay and settlement for circular placements")
    protection_density_threshold: float = _p(23.0, 0.0, 200.0, "per 10,000",
                                             "WHO 2006 critical shortage (23 per 10,000)",
                                             "density below which a multilateral code protects "
                                             "an origin")
    protection_review_quarters: int = _p(12, 1, 400, "quarters", ASSUMED,
                                         "how often the protected list is redrawn")
    measurement_noise: float = _p(0.1, 0.0, 1.0, "relative error (sd)",
                                  "assumption (value): health workforce statistics are "
                                  "incomplete and dated (WHO 2006, Annex Table 4 reports data "
                                  "of 1997-2004); not estimated",
                                  "error of the health density a government measures: measured = "
                                  "true x (1 + e), e uniform with this standard deviation",
                                  lever=True, scope="origin")
    measurement_lag_quarters: int = _p(8, 0, 80, "quarters",
                                       "assumption (value): WHO 2006 reports densities 2-9 years "
                                       "old; two years taken",
                                       "age of the health density a government measures",
                                       lever=True, scope="origin")
    data_partnership: bool = _p(False, unit="switch",
                                source="design: data partnerships between governments "
                                       "(statistics shared and harmonised)",
                                doc="the origin's statistics come from a data partnership: "
                                    "error partnership_noise and lag partnership_lag_quarters",
                                lever=True, scope="origin")
    data_partnership_cost: float = _p(25.0, 0.0, 10_000.0, "kUSD per quarter per origin", COST,
                                      "what running a data partnership costs per partner "
                                      "origin and quarter, paid by the destinations "
                                      "(assumption: as donor-funded statistical capacity; "
                                      "the accounts, ODD §7.14)")
    partnership_noise: float = _p(0.02, 0.0, 1.0, "relative error (sd)", ASSUMED,
                                  "measurement error under a data partnership")
    partnership_lag_quarters: int = _p(2, 0, 80, "quarters", ASSUMED,
                                       "measurement lag under a data partnership")

    # --- destination policy ------------------------------------------------------------
    settlement_visa_openness: float = _p(0.3, 0.0, 1.0, "share", ASSUMED,
                                         "openness of settlement visas: the chance a skilled "
                                         "independent migrant gets one, and the weight of "
                                         "integration in settling at a contract's end; skilled "
                                         "migrants going on their own choose among destinations "
                                         "by it (ODD §7.4)", lever=True, scope="destination")
    integration_policy: float = _p(0.5, 0.0, 1.0, "index", ASSUMED,
                                   "strength of integration policy", lever=True, scope="destination")
    border_enforcement: float = _p(0.5, 0.0, 1.0, "index", ASSUMED,
                                   "deters irregular entry and speeds removal of irregulars")
    skill_match_agreement: float = _p(0.9, 0.0, 1.0, "probability", ASSUMED,
                                      "chance a G2G placement uses the worker's skills")
    skill_match_agency: float = _p(0.6, 0.0, 1.0, "probability",
                                   "OECD: immigrants over-qualified 2-3x as often as natives",
                                   "chance an agency placement uses the worker's skills")
    skill_match_independent: float = _p(0.5, 0.0, 1.0, "probability",
                                        "OECD: immigrants over-qualified 2-3x as often as natives",
                                        "chance an independent migrant finds a matching job")
    recognition_rate: float = _p(0.02, 0.0, 1.0, "per quarter", ASSUMED,
                                 "chance a migrant in a mismatched job gets skills recognised")

    # --- work abroad: skills and integration ---------------------------------------------
    skill_growth_abroad: float = _p(0.01, 0.0, 0.1, "per quarter", "Mayr & Peri 2009 (form)",
                                    "growth of h while skills are used abroad")
    brain_waste_rate: float = _p(0.005, 0.0, 0.1, "per quarter", ASSUMED,
                                 "loss of h while skills are not used")
    skill_growth_home: float = _p(0.0025, 0.0, 0.1, "per quarter", ASSUMED,
                                  "growth of a skilled worker's h at home")
    h_max: float = _p(3.0, 1.0, 10.0, "index", ASSUMED, "ceiling of human capital")
    h_min: float = _p(0.5, 0.0, 1.0, "index", ASSUMED, "floor of human capital")
    integration_rate: float = _p(0.05, 0.0, 1.0, "per quarter", ASSUMED, "speed of integration")
    association_advocacy: float = _p(0.3, 0.0, 2.0, "index", "assumption (value); mechanism from Castles & Delgado Wise "
                                     "2008: associations lobby for migrants' rights", "integration boost of membership")
    abuse_penalty: float = _p(0.5, 0.0, 2.0, "index", ASSUMED,
                              "integration lost by workers placed by unregulated agencies")
    ties_decay: float = _p(0.01, 0.0, 0.5, "per quarter", ASSUMED, "decay of ties while abroad")
    association_ties: float = _p(0.01, 0.0, 0.5, "per quarter", ASSUMED,
                                 "ties regained per quarter by association members")
    association_join_rate: float = _p(0.02, 0.0, 1.0, "per quarter", ASSUMED,
                                      "chance a migrant joins the hometown association")

    # --- remittances ---------------------------------------------------------------------
    consumption_share: float = _p(0.6, 0.0, 1.0, "share of income", ASSUMED,
                                  "share of income spent abroad")
    debt_repay_share: float = _p(0.5, 0.0, 1.0, "share", ASSUMED,
                                 "share of net income used to repay recruitment debt")
    remit_base: float = _p(0.3, 0.0, 1.0, "share", ASSUMED, "base share of net income remitted")
    remit_ties: float = _p(0.4, 0.0, 1.0, "share", ASSUMED, "extra share per unit of ties")
    remit_years: float = _p(0.01, 0.0, 0.2, "share per year", ASSUMED,
                            "fall in the remitted share per year abroad")
    formal_fee: float = _p(0.1241, 0.0, 0.5, "share of amount",
                           WB_RPW + ": sub-Saharan Africa 12.41 % in Q3 2011, the earliest regional "
                           "average read (the database began in 2008; no figure for 2000-2005)",
                           "cost of a formal transfer", lever=True, scope="corridor")
    informal_fee: float = _p(0.02, 0.0, 0.5, "share of amount", ASSUMED, "cost of informal transfer")
    informal_loss: float = _p(0.02, 0.0, 1.0, "probability", ASSUMED,
                              "chance an informal transfer is lost")
    financial_access: float = _p(
        0.5, 0.0, 1.0, "share",
        "assumption: no published reach of money-transfer services among households without "
        "an account; calibrated in health2005 (formal share of remittances, Freund & "
        "Spatafora 2005)",
        "share of households without an account (the origin's account ownership, Global "
        "Findex) reached by formal money-transfer services", lever=True, scope="origin")
    # financial intermediaries (ODD §7.7b; a world that switches them on, remit2005)
    mto_fee_floor: float = _p(0.03, 0.0, 0.5, "share of amount",
                              "assumption: the fee of a competitive transfer market, for "
                              "which no estimate was read; the SDG 10.c target (3 %) stands "
                              "in for it; a calibration target",
                              "the fee money-transfer operators' fees fall towards as a "
                              "corridor's volume grows")
    fee_volume_elasticity: float = _p(0.5, 0.0, 5.0, "elasticity",
                                      "assumption: no estimate read; at 0.5 a doubling of a "
                                      "corridor's remittances cuts the operators' markup by "
                                      "29 %; a calibration target",
                                      "fall of the operators' markup with the corridor's "
                                      "volume, (V / V0)^(-elasticity)")
    fee_disclosure: float = _p(0.0, 0.0, 1.0, "0-1", "policy lever (0: no disclosure rule)",
                               "a rule that transfer fees and exchange margins be disclosed "
                               "(1: in force)", lever=True, scope="origin")
    disclosure_markup_cut: float = _p(0.3, 0.0, 1.0, "share of the markup",
                                      "assumption: no estimate read of what disclosure does "
                                      "to fees",
                                      "the share of the operators' markup a disclosure rule "
                                      "removes")
    bank_partnership: float = _p(0.0, 0.0, 1.0, "0-1",
                                 "policy lever (a tri-partite agreement: destination, origin "
                                 "and banks; banks accept consular identity cards)",
                                 "1 where a tri-partite agreement with banks is in force: "
                                 "banks' share of formal transfers grows towards the "
                                 "households with an account", lever=True, scope="origin")
    bank_share0: float = _p(0.03, 0.0, 1.0, "share",
                            "Pew Hispanic Center (2004), as quoted: banks carried at most 3 % "
                            "of remittances from the United States to Mexico before the "
                            "partnerships; the Pew survey of 2003 found senders using banks "
                            "for 11 % of transfers (quoted by the Federal Reserve Bank of "
                            "Minneapolis, 2008), after the Partnership for Prosperity",
                            "banks' share of formal transfers in the base year")
    bank_uptake: float = _p(0.05, 0.0, 1.0, "per quarter",
                            "assumption: no estimate read; a calibration target",
                            "the fraction of the gap to the households with an account that "
                            "banks' share closes each quarter under a partnership")
    bank_fee: float = _p(0.05, 0.0, 0.5, "share of amount",
                         "assumption: no bank price for 2000-2005 read",
                         "the fee of a bank transfer without the central-bank link")
    transfer_link: float = _p(0.0, 0.0, 1.0, "0-1",
                              "policy lever (a central-bank transfer link, as the FedACH "
                              "International Mexico service from February 2004)",
                              "1 where a central-bank link carries bank transfers at a flat "
                              "fee", lever=True, scope="origin")
    transfer_link_fee: float = _p(0.0043, 0.0, 0.5, "share of amount",
                                  "derived: the link's charges on a 300 USD transfer, 0.67 USD "
                                  "a payment to the sending institution (directoamexico.com) "
                                  "and 0.21 % on the exchange rate (Banco de Mexico), 0.0043; "
                                  "the banks' own margin is not included (a lower bound)",
                                  "the fee of a bank transfer through the central-bank link")
    channel_const: float = _p(3.0, -10.0, 10.0, "utility",
                              "assumption, set by hand (not fitted); calibrated in health2005 "
                              "to the formal share of remittances, 0.57-0.74 (informal = 35-75 % "
                              "of recorded, Freund & Spatafora 2005); at the uncalibrated "
                              "defaults the share is 0.36 (health2005, steps 4-40, seeds 0-1, "
                              "a formal transfer at 12.41 %)",
                              "preference for the formal channel at equal cost")
    channel_cost: float = _p(0.3, 0.0, 5.0, "utility per percentage point",
                             "assumption, set by hand (see channel_const)",
                             "weight of the cost difference formal - informal")
    collective_share: float = _p(0.1, 0.0, 1.0, "share", ASSUMED,
                                 "share of a member's remittance sent to the association")
    matching_ratio: float = _p(0.0, 0.0, 10.0, "units per unit",
                               "Mexico 3x1: each peso matched by three (Aparicio & Meseguer 2012)",
                               "public money added per unit of collective remittance", lever=True, scope="origin")
    social_fund: float = _p(0.0, 0.0, 1.0, "share",
                            "policy lever (El Salvador's 'Unidos por la Solidaridad', which "
                            "directs migrants' collective funds through the Social Investment "
                            "Fund to listed projects); the share and the need-based list are "
                            "assumptions",
                            "share of the origin's collective money for projects (gifts less "
                            "fees plus the match) that a social investment fund pools and "
                            "directs to communities in proportion to their need, (1 - "
                            "development) x population", lever=True, scope="origin")
    matching_honoured: float = _p(1.0, 0.0, 1.0, "share",
                                  "assumption (value); Castles & Delgado Wise 2008: tensions "
                                  "between migrant associations and their states of origin",
                                  "share of the promised public match the origin government "
                                  "actually pays (below 1: broken promises)",
                                  lever=True, scope="origin")
    # the match at several levels (ODD §7.7): matching_ratio is the national (federal)
    # level; states and municipalities may add their own, each with a budget
    matching_budget: float = _p(1e9, 0.0, 1e9, "kUSD per origin per quarter",
                                "assumption: no budget by default (1e9 never binds); the "
                                "federal 3x1 budget is a figure of each year to set per origin",
                                "the national match's budget each quarter, shared among the "
                                "origin's communities by matching_allocation when their "
                                "requests exceed it", lever=True, scope="origin")
    matching_allocation: str = _p("proportional", unit="rule",
                                  choices=("proportional", "least_developed_first"),
                                  source="design: two rules to compare (Aparicio & Meseguer "
                                         "2012 are reported to find 3x1 funds going to "
                                         "municipalities with more emigrants rather than the "
                                         "poorest; not read here)",
                                  doc="how a binding national budget is shared among an "
                                      "origin's communities: in proportion to their requests, "
                                      "or the least developed first")
    matching_ratio_state: float = _p(0.0, 0.0, 10.0, "units per unit",
                                     "Mexico 3x1: the state's peso of the three (FEDZAC, n.d., "
                                     "Programa 3x1 para Migrantes); value an assumption",
                                     "public money a state (a community's regional government) "
                                     "adds per unit of collective remittance",
                                     lever=True, scope="origin")
    matching_budget_state: float = _p(1e9, 0.0, 1e9, "kUSD per community per quarter",
                                      "assumption: no budget by default (1e9 never binds)",
                                      "the state match's budget each quarter, per community",
                                      lever=True, scope="origin")
    matching_ratio_local: float = _p(0.0, 0.0, 10.0, "units per unit",
                                     "Mexico 3x1: the municipality's peso of the three "
                                     "(FEDZAC, n.d., Programa 3x1 para Migrantes); value an "
                                     "assumption",
                                     "public money a municipality adds per unit of "
                                     "collective remittance to its community",
                                     lever=True, scope="origin")
    matching_budget_local: float = _p(1e9, 0.0, 1e9, "kUSD per community per quarter",
                                      "assumption: no budget by default (1e9 never binds)",
                                      "the municipal match's budget each quarter, per community",
                                      lever=True, scope="origin")
    diaspora_outreach: float = _p(0.0, 0.0, 1.0, "index",
                                  "assumption (value); IOM 2005: investment information, "
                                  "administrative and tax facilitation, matching funds; Castles "
                                  "& Delgado Wise 2008: origin governments' growing engagement",
                                  "origin government's outreach to its diaspora (consular "
                                  "services, dual citizenship, diaspora bonds, tax facilitation): "
                                  "raises the associations' trust", lever=True, scope="origin")
    trust_initial: float = _p(0.5, 0.01, 1.0, "0-1",
                              "assumption: no published measure of hometown associations' "
                              "trust in their origin government; participation scales with "
                              "trust / trust_initial, so runs where trust never moves do not "
                              "depend on it",
                              "associations' trust in the origin government at the start")
    trust_learning_rate: float = _p(0.1, 0.0, 1.0, "per quarter", ASSUMED,
                                    "speed at which an association's trust moves toward the "
                                    "share of promises kept, and with outreach toward 1")
    household_invest_share: float = _p(0.2, 0.0, 1.0, "share", ASSUMED,
                                       "share of remittances and returnee savings invested")

    # --- diaspora missions and returns ---------------------------------------------------
    mission_rate: float = _p(0.005, 0.0, 0.2, "per quarter", "IOM MIDA/TRQN (form; 160 assignments "
                             "in one pilot)", "chance a skilled migrant abroad makes a temporary "
                             "return mission")
    mission_member_boost: float = _p(2.0, 0.0, 20.0, "multiplier",
                                     "assumption (value); IOM 2005: associations help identify professionals",
                                     "extra missions of association members")
    diaspora_engagement: float = _p(0.0, 0.0, 5.0, "multiplier", ASSUMED,
                                    "origin government's diaspora programme (raises missions)",
                                    lever=True, scope="origin")
    mission_cost: float = _p(5.0, 0.0, 1000.0, "kUSD per mission", COST,
                             "what the origin government pays for each diaspora mission its "
                             "programme adds (travel and subsistence; the accounts, ODD "
                             "§7.14)")
    knowledge_per_mission: float = _p(0.5, 0.0, 10.0, "knowledge per h", ASSUMED,
                                      "knowledge a mission adds, per unit of the migrant's h")
    knowledge_per_gain: float = _p(1.0, 0.0, 10.0, "knowledge per h gained", ASSUMED,
                                   "knowledge a returnee adds per unit of skill gained abroad")
    knowledge_depreciation: float = _p(0.02, 0.0, 1.0, "per quarter", ASSUMED,
                                       "depreciation of community knowledge")
    mission_quarters: float = _p(0.5, 0.0, 1.0, "quarters",
                                 "assumption within the published range: MIDA Ghana Health "
                                 "assignments last three weeks to three months (Ghana News "
                                 "Agency 2004, on the Ghana-Netherlands aide-memoire)",
                                 "share of a quarter a temporary return mission lasts: a health "
                                 "missionary adds that share of a worker to capacity at home")
    knowledge_productivity: float = _p(0.1, 0.0, 2.0, "share",
                                       "assumption: no published estimate of how much knowledge "
                                       "transfer raises local health workers' output; a "
                                       "sensitivity factor, to be calibrated where data allow",
                                       "highest relative rise in the productivity of local health "
                                       "workers from the community's knowledge stock")
    overstay_const: float = _p(-3.0, -10.0, 10.0, "log-odds", ASSUMED, "base log-odds of overstay")
    overstay_enforcement: float = _p(2.0, 0.0, 10.0, "log-odds", ASSUMED,
                                     "fall in overstay log-odds per unit of enforcement")
    overstay_hardship: float = _p(1.0, 0.0, 10.0, "log-odds", ASSUMED,
                                  "rise in overstay log-odds per unit of home hardship")
    return_hazard: float = _p(0.01, 0.0, 1.0, "per quarter", ASSUMED,
                              "baseline return hazard of settled migrants")
    hazard_ties: float = _p(1.0, 0.0, 10.0, "log-hazard", HAZARD,
                            "effect of ties on the return hazard")
    hazard_development: float = _p(1.0, 0.0, 10.0, "log-hazard", HAZARD,
                                   "effect of home development on the return hazard")
    hazard_incentive: float = _p(1.0, 0.0, 10.0, "log-hazard", HAZARD,
                                 "effect of one unit of return incentive on the hazard")
    hazard_integration: float = _p(1.5, 0.0, 10.0, "log-hazard", HAZARD,
                                   "effect of integration (reduces the hazard)")
    hazard_years: float = _p(0.05, 0.0, 1.0, "log-hazard per year", HAZARD,
                             "effect of years abroad (reduces the hazard)")
    hazard_wage_abroad: float = _p(1.0, 0.0, 10.0, "log-hazard per log wage",
                                   "assumption (size); the sign from Yang 2006: a 10 % rise in "
                                   "the home value of earnings abroad cut Philippine migrants' "
                                   "12-month return rate by 1.4 points (life-cycle motives)",
                                   "fall of the return hazard with ln(w_d,k / w0_d,k), the "
                                   "destination's wage against the start's (ODD §7.9)")
    hazard_savings: float = _p(0.0, 0.0, 10.0, "log-hazard",
                               "assumption (value): 0, target-earning off; Yang 2006 finds "
                               "life-cycle motives dominate, target-earning only in some "
                               "households",
                               "rise of the return hazard when savings reach the target "
                               "(target earners; ODD §7.9)")
    savings_target_quarters: float = _p(8.0, 0.25, 80.0, "quarters of home earnings", ASSUMED,
                                        "a target earner's savings target, in quarters of their "
                                        "home earnings (used when hazard_savings > 0)")
    hazard_retirement: float = _p(0.0, 0.0, 10.0, "log-hazard",
                                  "assumption (value): 0, off; the direction from Cobb-Clark & "
                                  "Stillman 2013 (IZA J. Migration 2:20): return is most likely "
                                  "at retirement",
                                  "rise of the return hazard over the working life: times "
                                  "(age - entry_age) / (retirement_age - entry_age), 0 at entry, "
                                  "1 at retirement (ODD §7.9)")
    return_incentive: float = _p(0.0, 0.0, 3.0, "index", "assumption (value); IOM 2005: return programmes",
                                 "origin government's return incentives", lever=True, scope="origin")
    wage_shortage_elasticity: float = _p(
        0.0, 0.0, 5.0, "per unit of shortage",
        "assumption: no published response of a home wage to its occupation's shortage was "
        "found; 0 (off) until calibrated, to be explored in a sensitivity study (ODD §7.15)",
        "how much a skilled occupation's home wage rises with its shortage at home: the "
        "wage times 1 + elasticity x (1 - workers at home / those at the start)")
    wage_development_elasticity: float = _p(
        0.0, 0.0, 5.0, "elasticity",
        "assumption: the development index is not an income, so no published income "
        "elasticity of wages applies; 0 (off) until calibrated, to be explored in a "
        "sensitivity study (ODD §7.15)",
        "how much every home wage follows the origin's development index: the wage times "
        "(index / index at the start) ^ elasticity")
    return_incentive_cost: float = _p(5.0, 0.0, 1000.0, "kUSD per returnee per unit of the index",
                                      COST, "what the origin government pays per returning "
                                      "national for each unit of return_incentive (the "
                                      "accounts, ODD §7.14)")
    irregular_return: float = _p(0.01, 0.0, 1.0, "per quarter", ASSUMED,
                                 "voluntary return rate of irregular migrants")
    removal_rate: float = _p(0.02, 0.0, 1.0, "per quarter", ASSUMED,
                             "removals of irregular migrants per unit of border enforcement")

    # --- communities -------------------------------------------------------------------------
    investment_depreciation: float = _p(0.02, 0.0, 1.0, "per quarter", ASSUMED,
                                        "depreciation of household investment")
    project_depreciation: float = _p(0.01, 0.0, 1.0, "per quarter", ASSUMED,
                                     "depreciation of collective projects")
    knowledge_ref: float = _p(0.05, 1e-6, 100.0, "knowledge per person", ASSUMED,
                              "knowledge per person that gives 63% of the knowledge component")
    investment_ref: float = _p(2.0, 1e-6, 1000.0, "kUSD per person", ASSUMED,
                               "capital per person that gives 63% of the investment component")
    health_density_ref: float = _p(44.5, 1.0, 500.0, "per 10,000",
                                   "WHO HRH Observer 17 (2016): SDG index threshold 44.5",
                                   "density at which the health-service component is full")

    # --- adaptive policy -----------------------------------------------------------------------
    adaptive_policy: bool = _p(False, unit="switch", source="design: switch for process 11 (ODD §3)",
                               doc="destinations follow unfilled demand; origins train more "
                                   "when short of health workers")
    adaptive_rate: float = _p(0.05, 0.0, 1.0, "per quarter", ASSUMED, "speed of adaptive policy")

    # --- records --------------------------------------------------------------------------------
    agreements: tuple = _p((), unit="records", source="design: agreement records (ODD §2)",
                           doc="further agreements (migdev.core.records.Agreement) besides the headline one")
    events: tuple = _p((), unit="records", source="design: scheduled changes (ODD §7.1)",
                       doc="scheduled parameter changes (migdev.core.records.Event)")
    local: tuple = _p((), unit="records", source="design: policy is local (docs/WORLDS.md)",
                      doc="lever values for single countries or corridors "
                          "(migdev.core.records.Local), written name[country] in configs")

    def __post_init__(self):
        _check(FIELDS["world"], self.world)
        wd = load_world(self.world)
        if self.n_origins is None:
            object.__setattr__(self, "n_origins", wd.default_origins)
        if self.n_destinations is None:
            object.__setattr__(self, "n_destinations", wd.default_destinations)
        for f in dataclasses.fields(self):
            _check(f, getattr(self, f.name))
        n_o, n_d = len(wd.origins), len(wd.destinations)
        if wd.extendable:
            if not 3 <= self.n_origins <= 2 * n_o:
                raise ParameterError(
                    f"n_origins={self.n_origins} is invalid for world {wd.name!r}: allowed 3 "
                    f"to {2 * n_o}")
        elif self.n_origins != n_o:
            raise ParameterError(
                f"n_origins={self.n_origins} does not match world {wd.name!r}, which has {n_o} "
                f"origins; leave n_origins out (it is the world's)")
        if self.n_destinations > n_d or (not wd.extendable and self.n_destinations != n_d):
            raise ParameterError(
                f"n_destinations={self.n_destinations} does not match world {wd.name!r}, which "
                f"has {n_d} destinations; leave n_destinations out"
                + (f" or give 1 to {n_d}" if wd.extendable else ""))
        if self.max_migration_age >= self.retirement_age:
            raise ParameterError(
                f"max_migration_age={self.max_migration_age} must be below "
                f"retirement_age={self.retirement_age}")
        if self.entry_age >= self.max_migration_age:
            raise ParameterError(
                f"entry_age={self.entry_age} must be below max_migration_age={self.max_migration_age}")
        if self.agreement_origin >= self.n_origins:
            raise ParameterError(
                f"agreement_origin={self.agreement_origin} is not an origin: allowed 0 to "
                f"{self.n_origins - 1} (n_origins={self.n_origins})")
        if self.agreement_destination >= self.n_destinations:
            raise ParameterError(
                f"agreement_destination={self.agreement_destination} is not a destination: allowed "
                f"0 to {self.n_destinations - 1} (n_destinations={self.n_destinations})")
        for a in self.agreements:
            a.validate(self.n_origins, self.n_destinations)
        for loc in self.local:
            check_local(loc, wd, self.n_origins, self.n_destinations)
        for e in self.events:
            base_name, key = split_local(e.param) if isinstance(e.param, str) else (e.param, None)
            if base_name in READ_AT_START:
                raise ParameterError(
                    f"event at step {e.step} changes {e.param!r}, which is read only when the "
                    f"run starts: {READ_AT_START[base_name]}")
            if key is not None:
                try:
                    check_local(Local(base_name, key, e.value), wd, self.n_origins,
                                self.n_destinations)
                except ParameterError as err:
                    raise ParameterError(f"event at step {e.step} ({e.param} = {e.value!r}): "
                                         f"{err}") from None
                continue
            if e.param not in PARAM_NAMES or e.param in RECORDS or e.param in STRUCTURAL:
                raise ParameterError(
                    f"event at step {e.step} changes {e.param!r}, which cannot change during a "
                    f"run; allowed: policy and behaviour parameters (see docs/ODD.md)")
            if isinstance(e.step, bool) or not isinstance(e.step, int) or e.step < 0:
                raise ParameterError(f"event {e!r}: step={e.step!r} is invalid: allowed an "
                                     f"integer step from 0 up")
            # validate the new value as if it were set from the start
            try:
                _check(FIELDS[e.param], e.value)
            except ParameterError as err:
                raise ParameterError(f"event at step {e.step} ({e.param} = {e.value!r}): "
                                     f"{err}") from None


FIELDS = {f.name: f for f in dataclasses.fields(Params)}
PARAM_NAMES = tuple(FIELDS)
#: the parameters that hold records, not values
RECORDS = ("agreements", "events", "local")
#: levers that can take a value per country or corridor, with their scope
LOCAL_LEVERS = {n: f.metadata["scope"] for n, f in FIELDS.items() if f.metadata["scope"]}


def field_of(name: str):
    """The declaration of a parameter name, including ``lever[key]`` (the lever's); None
    for a name that is neither a parameter nor a local lever with a key."""
    base, key = split_local(name)
    if key is None:
        return FIELDS.get(name)
    return FIELDS[base] if base in LOCAL_LEVERS else None


def _names(wd, n_origins, n_destinations):
    from migdev.core.worlds import origin_names

    return origin_names(wd, n_origins), [d["country"] for d in wd.destinations][:n_destinations]


def country_index(wd, n_origins: int, n_destinations: int, name: str, role: str,
                  what: str) -> int:
    """The index of country ``name`` among a run's origins or destinations.

    Raises:
        ParameterError: naming ``what``, the name and the countries allowed.
    """
    origins, dests = _names(wd, n_origins, n_destinations)
    names = origins if role == "origin" else dests
    if name in names:
        return names.index(name)
    raise ParameterError(f"{what} = {name!r} is not {'an' if role == 'origin' else 'a'} {role} "
                         f"of world {wd.name!r}{did_you_mean(name, names)}; allowed: "
                         f"{', '.join(names)}")


def check_local(loc, wd, n_origins: int, n_destinations: int) -> None:
    """Check one :class:`Local` against the lever's scope and the world's countries."""
    if not isinstance(loc, Local):
        raise ParameterError(f"parameter 'local' holds {loc!r}: allowed Local records")
    scope = LOCAL_LEVERS.get(loc.param)
    if scope is None:
        raise ParameterError(f"{loc.param}[{loc.key}]: {loc.param!r} cannot take a value per "
                             f"country; local levers: {', '.join(LOCAL_LEVERS)}")
    origins, dests = _names(wd, n_origins, n_destinations)
    key = loc.key
    if scope == "corridor":
        o, _, d = key.partition(">")
        o, d = o.strip(), d.strip()
        ok = (o in origins and (not d or d in dests)) if o != "*" else d in dests
        allowed = ("an origin, 'Origin>Destination' or '*>Destination' of world "
                   f"{wd.name!r}: origins {', '.join(origins)}; destinations {', '.join(dests)}")
        if ok and o == d:  # a country in both roles: no corridor leads from it to itself
            raise ParameterError(f"{loc.param}[{key}]: a corridor from {o} to itself is no "
                                 f"corridor; allowed {allowed}")
    else:
        names = origins if scope == "origin" else dests
        ok = key in names
        allowed = f"a {scope} of world {wd.name!r}: {', '.join(names)}"
    if not ok:
        raise ParameterError(f"{loc.param}[{key}]: {key!r} is not {allowed}"
                             f"{did_you_mean(key, origins + dests)}")
    if scope == "corridor" and o != "*" and d:
        # a value on a pair the world has no corridor for would change nothing
        weights = wd.corridor_weights()
        row = weights[origins.index(o) % len(wd.origins)]
        if row[dests.index(d)] <= 0:
            served = [dests[j] for j in range(len(dests)) if row[j] > 0]
            raise ParameterError(
                f"{loc.param}[{key}]: world {wd.name!r} has no corridor from {o} to {d} (its "
                f"corridors.csv), so this value would change nothing; {o}'s corridors lead to "
                f"{', '.join(served) or 'no destination of this run'}")
    try:
        _check(FIELDS[loc.param], loc.value)
    except ParameterError as e:
        raise ParameterError(f"{loc.param}[{key}] = {loc.value!r}: {e}") from None
_AGREEMENT_AT_START = ("it defines the headline agreement, built when the run starts; to "
                       "change policy during a run, give a further agreement with its own "
                       "start and quarters (an Agreement record, docs/ODD.md §2), or set "
                       "agreement_start and agreement_quarters")
#: parameters read once, when the run is built; an event that changes one is refused with
#: the reason (tests/model/test_events.py checks that no other parameter is read only then)
READ_AT_START = {n: _AGREEMENT_AT_START for n in (
    "agreement_kind", "agreement_origin", "agreement_destination", "agreement_occupations",
    "agreement_start", "agreement_quarters", "g2g_quota", "implementation_rate",
    "return_guarantee", "circular_contract_quarters", "circular_training_places",
    "agreement_rights", "rights_implementation")}
READ_AT_START["bank_share0"] = (
    "the banks' share of formal transfers starts there and then moves under the partnerships "
    "(ODD §7.7b); to change it during a run, schedule bank_partnership instead")
READ_AT_START["trust_initial"] = (
    "the associations' trust starts there and then moves with experience (ODD §7.7); to "
    "change trust during a run, schedule diaspora_outreach or matching_honoured instead")
#: parameters whose derived state the model rebuilds when an event changes them
AGENCY_TERMS = frozenset({"agency_regulation", "fee_regulated_months", "fee_unregulated_months",
                          "agency_capacity"})
DEMAND = frozenset({"demand_health", "demand_education", "demand_other", "demand_low"})
WAGES = frozenset({"wage_dest_health", "wage_dest_education", "wage_dest_other",
                   "wage_dest_low", "wage_dest_scale"})

#: parameters that fix the shape of the world and cannot change during a run
STRUCTURAL = ("world", "n_persons", "n_origins", "n_destinations", "communities_per_origin",
              "agencies_per_destination", "entry_age", "retirement_age")


def _allowed(f) -> str:
    m = f.metadata
    if m["choices"]:
        return "one of " + ", ".join(repr(c) for c in m["choices"])
    if f.type in ("bool", bool):
        return "true or false"
    if f.type in ("tuple", tuple):
        return "a tuple of records"
    if f.type in ("str", str):
        return "a shipped world's name or a world folder (docs/WORLDS.md)"
    kind = "an integer" if f.type in ("int", int) else "a number"
    return f"{kind} from {m['lo']} to {m['hi']}"


def _check(f, value) -> None:
    name, t, m = f.name, f.type, f.metadata
    if value is None and f.default is None:
        return  # "the world's" (resolved when the world is known)
    bad = f"parameter {name!r} = {value!r} is invalid: allowed {_allowed(f)}"
    if t in ("bool", bool):
        if not isinstance(value, bool):
            raise ParameterError(bad)
        return
    if t in ("tuple", tuple):
        if not isinstance(value, tuple):
            raise ParameterError(bad)
        kind = {"agreements": Agreement, "events": Event, "local": Local}[name]
        for x in value:
            if not isinstance(x, kind):
                raise ParameterError(f"parameter {name!r} holds {x!r}: allowed {kind.__name__} records")
        return
    if t in ("str", str) and not m["choices"]:
        if not isinstance(value, str) or not value:
            raise ParameterError(bad)
        return
    if t in ("str", str):
        if not isinstance(value, str) or value not in m["choices"]:
            raise ParameterError(bad)
        return
    if isinstance(value, bool):
        raise ParameterError(bad)
    if t in ("int", int):
        if not isinstance(value, int):
            import numpy as np
            if not isinstance(value, np.integer):
                raise ParameterError(bad)
    elif not isinstance(value, (int, float)):
        import numpy as np
        if not isinstance(value, (np.integer, np.floating)):
            raise ParameterError(bad)
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(bad)
    if (m["lo"] is not None and value < m["lo"]) or (m["hi"] is not None and value > m["hi"]):
        raise ParameterError(bad)


def make_params(base: Params | None = None, **overrides) -> Params:
    """Build validated parameters from ``base`` (default: all defaults) and keyword overrides.

    Raises:
        ParameterError: an override names no parameter, or its value is invalid.
    """
    overrides = _locals_in(base, overrides)
    unknown = sorted(k for k in overrides if k not in FIELDS)
    if unknown:
        hints = [f"{k!r}{did_you_mean(k, PARAM_NAMES)}" for k in unknown]
        raise ParameterError(
            f"unknown parameter(s): {', '.join(hints)}; see docs/ODD.md for the list")
    cleaned = {}
    for k, v in overrides.items():
        t = FIELDS[k].type
        # numpy scalars and ints given for floats are accepted and normalised
        if t in ("float", float) and not isinstance(v, bool):
            try:
                import numpy as np
                if isinstance(v, (int, np.integer, np.floating)):
                    v = float(v)
            except ImportError:  # pragma: no cover
                pass
        if t in ("int", int) and not isinstance(v, bool):
            import numpy as np
            if isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
        if t in ("tuple", tuple) and isinstance(v, list):
            v = tuple(v)
        cleaned[k] = v
    named = any(isinstance(cleaned.get(k), str)
                for k in ("agreement_origin", "agreement_destination"))
    if base is None and not named:
        # the defaults with the overrides, validated once (as replace() on Params() gives)
        return Params(**cleaned)
    base = base or Params()
    if named:
        world = cleaned.get("world", base.world)
        _check(FIELDS["world"], world)
        wd = load_world(world)
        n_o = cleaned.get("n_origins") or (base.n_origins if world == base.world
                                           else wd.default_origins)
        n_d = cleaned.get("n_destinations") or (base.n_destinations if world == base.world
                                                else wd.default_destinations)
        for k, role in (("agreement_origin", "origin"), ("agreement_destination", "destination")):
            if isinstance(cleaned.get(k), str):
                cleaned[k] = country_index(wd, n_o, n_d, cleaned[k], role, k)
    if "world" in cleaned and cleaned["world"] != base.world:
        for k in ("n_origins", "n_destinations"):
            cleaned.setdefault(k, None)  # the new world's, unless given
    return dataclasses.replace(base, **cleaned)


def _locals_in(base, overrides: dict) -> dict:
    """Turn ``lever[key] = v`` keys, table values of local levers ({country: value, "*":
    value everywhere}) and ``local`` given as dicts into :class:`Local` records."""
    if not any(split_local(k)[1] is not None or k == "local"
               or (isinstance(v, dict) and k in LOCAL_LEVERS) for k, v in overrides.items()):
        return overrides
    out = {}
    local = {(x.param, x.key): x for x in (base.local if base else ())}
    if "local" in overrides:
        given = overrides["local"]
        if not isinstance(given, (tuple, list)):
            raise ParameterError(f"parameter 'local' = {given!r} is invalid: allowed a list of "
                                 f"records (param, key, value)")
        local = {}
        for x in given:
            if isinstance(x, dict):
                if set(x) != {"param", "key", "value"}:
                    raise ParameterError(f"parameter 'local' holds {x!r}: allowed records with "
                                         f"param, key and value")
                x = Local(**x)
            if not isinstance(x, Local):
                raise ParameterError(f"parameter 'local' holds {x!r}: allowed Local records")
            local[(x.param, x.key)] = x
    for k, v in overrides.items():
        if k == "local":
            continue
        name, key = split_local(k)
        if key is not None:
            if name not in LOCAL_LEVERS:
                raise ParameterError(f"{k!r}: {name!r} cannot take a value per country; local "
                                     f"levers: {', '.join(LOCAL_LEVERS)}")
            local[(name, key)] = Local(name, key, v)
        elif isinstance(v, dict) and name in LOCAL_LEVERS:
            for key2, v2 in v.items():
                if key2 == "*":
                    out[name] = v2
                else:
                    local[(name, str(key2))] = Local(name, str(key2), v2)
        else:
            out[k] = v
    out["local"] = tuple(local.values())
    return out


def describe() -> list[dict[str, Any]]:
    """One row per scalar parameter: name, default, unit, range, source, doc (for docs and UIs)."""
    rows = []
    for f in dataclasses.fields(Params):
        m = f.metadata
        rows.append({
            "name": f.name, "default": f.default, "type": f.type if isinstance(f.type, str)
            else f.type.__name__, "lo": m["lo"], "hi": m["hi"], "choices": m["choices"],
            "unit": m["unit"], "source": m["source"], "doc": m["doc"], "lever": m["lever"],
            "scope": m["scope"],
        })
    return rows
