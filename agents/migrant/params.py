"""The persons' parameters: demography and training, the migration decision, work
abroad (skills, integration, ties), remittances, missions and returns (ODD §7.2-§7.9).

Each is declared here, next to the rules that read it; :mod:`migdev.model.params` gathers
the families' declarations into ``Params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from migdev.core.params import ASSUMED, HAZARD, DESIGN, declare


@dataclass(frozen=True)
class MigrantParams:
    """The persons' parameters."""

    # --- demography and training (brain gain) ---
    entry_age: float = declare(22.0, 15.0, 30.0, "years", ASSUMED, "age at which a cohort enters")
    retirement_age: float = declare(
        65.0, 50.0, 75.0, "years", ASSUMED, "age of exit from the population")
    training_capacity_health: float = declare(
        
        1.0, 0.0, 5.0, "x replacement",
        "assumption: the base year is a steady state for the number trained (ODD §6)",
        "health-training places per quarter relative to replacement: 1 = the origin's "
        "base-year health share of each entering cohort, which keeps the number of trained "
        "health workers (at home and abroad) at its base-year level",
        lever=True, scope="origin")
    training_capacity_education: float = declare(
        
        1.0, 0.0, 5.0, "x replacement",
        "assumption: the base year is a steady state for the number trained (ODD §6)",
        "teacher-training places relative to replacement (as training_capacity_health)")
    training_capacity_other: float = declare(
        
        1.0, 0.0, 5.0, "x replacement",
        "assumption: the base year is a steady state for the number trained (ODD §6)",
        "other tertiary places relative to replacement (as training_capacity_health)")
    training_elasticity: float = declare(
        0.0, 0.0, 1.0, "share",
        "Abarcar & Theoharides 2024 (about 9 extra nurses per "
        "emigrant where training could expand)",
        "share of applicants beyond the public places who find a "
        "(private) place; 0 = capacity binds fully", lever=True)
    train_cost_health: float = declare(
        2.2, 0.0, 10.0, "utility", ASSUMED,
        "cost of training as a health worker, in utility units")
    train_cost_education: float = declare(
        2.0, 0.0, 10.0, "utility", ASSUMED, "cost of teacher training")
    train_cost_other: float = declare(
        1.5, 0.0, 10.0, "utility", ASSUMED, "cost of other tertiary training")
    beta_train_wage: float = declare(
        1.5, 0.0, 10.0, "utility per log wage",
        "Beine, Docquier & Rapoport 2001 (incentive effect; form)",
        "weight of ln expected earnings in the training choice")

    # --- migration decision (random utility) ---
    asc_offer: float = declare(
        0.0, -10.0, 10.0, "utility", ASSUMED,
        "constant for accepting an offer of work abroad")
    asc_independent: float = declare(
        -0.5, -10.0, 10.0, "utility", ASSUMED,
        "constant for leaving without an offer")
    beta_wage: float = declare(
        1.0, 0.0, 10.0, "utility per log wage ratio", DESIGN,
        "weight of ln(w_dest / w_home)")
    beta_fee: float = declare(
        0.15, 0.0, 5.0, "utility per month of wages", DESIGN,
        "weight of the recruitment fee")
    moving_cost: float = declare(1.0, 0.0, 10.0, "utility", DESIGN, "cost of moving abroad")
    beta_network: float = declare(
        0.3, 0.0, 5.0, "utility per log network", DESIGN,
        "weight of ln(1 + per-cent of the community abroad in that destination)")
    beta_ties: float = declare(1.5, 0.0, 10.0, "utility", DESIGN, "weight of ties to home")
    beta_integration_policy: float = declare(
        0.5, 0.0, 5.0, "utility", ASSUMED,
        "weight of the destination's integration policy")

    # --- end of a contract: named re-hiring ---
    named_rehire_rate: float = declare(
        0.0, 0.0, 1.0, "share of returns",
        "Canada's SAWP: employers name over three-fourths of the "
        "workers they hire (Rural Migration News 2019); no published "
        "rate for health workers, so 0 (off) by default",
        "share of temporary workers coming home at the end of their "
        "contract whom their employer names for re-hiring",
        lever=True, scope="destination")

    # --- rights at work abroad (ODD §7.6, §7.9) ---
    contract_substitution: float = declare(
        0.0, 0.0, 1.0, "share of recruits",
        "assumption (value): no published prevalence for these "
        "corridors; 0 keeps the rule off",
        "share of an unregulated agency's recruits whose contract "
        "is substituted on arrival by a worse one (ODD §7.6)",
        lever=True, scope="destination")
    substitution_loss: float = declare(
        0.27, 0.0, 5.0, "share of the wage paid",
        "Aleksynska, Kazi Aoul & Petrencu 2017 (KNOMAD Working Paper "
        "28): losses from deficient conditions of work abroad were 27 % "
        "of actual wages; assumption: a substituted contract loses that",
        "what a worker on a substituted contract loses, as a share of "
        "the wage paid: paid = promised / (1 + loss)")
    change_employer_match: float = declare(
        0.2, 0.0, 1.0, "per quarter", ASSUMED,
        "extra chance per quarter that a temporary worker in a job "
        "below their skills, free to change employer, finds one "
        "that uses them")
    overstay_rights: float = declare(
        1.0, 0.0, 10.0, "log-odds", ASSUMED,
        "fall in the overstay log-odds of workers free to change "
        "employer (tied workers abscond from abusive jobs)")
    hazard_portability: float = declare(
        1.0, 0.0, 10.0, "log-hazard", HAZARD,
        "effect of social-security portability on the return hazard")

    # --- irregular entry, jobs and recognition ---
    border_enforcement: float = declare(
        0.5, 0.0, 1.0, "index", ASSUMED,
        "deters irregular entry and speeds removal of irregulars")
    skill_match_independent: float = declare(
        0.5, 0.0, 1.0, "probability",
        "OECD: immigrants over-qualified 2-3x as often as natives",
        "chance an independent migrant finds a matching job")
    recognition_rate: float = declare(
        0.02, 0.0, 1.0, "per quarter", ASSUMED,
        "chance a migrant in a mismatched job gets skills recognised")

    # --- work abroad: skills and integration ---
    skill_growth_abroad: float = declare(
        0.01, 0.0, 0.1, "per quarter", "Mayr & Peri 2009 (form)",
        "growth of h while skills are used abroad")
    brain_waste_rate: float = declare(
        0.005, 0.0, 0.1, "per quarter", ASSUMED,
        "loss of h while skills are not used")
    skill_growth_home: float = declare(
        0.0025, 0.0, 0.1, "per quarter", ASSUMED,
        "growth of a skilled worker's h at home")
    h_max: float = declare(3.0, 1.0, 10.0, "index", ASSUMED, "ceiling of human capital")
    h_min: float = declare(0.5, 0.0, 1.0, "index", ASSUMED, "floor of human capital")
    integration_rate: float = declare(
        0.05, 0.0, 1.0, "per quarter", ASSUMED, "speed of integration")
    association_advocacy: float = declare(
        0.3, 0.0, 2.0, "index", "assumption (value); mechanism from Castles & Delgado Wise "
        "2008: associations lobby for migrants' rights", "integration boost of membership")
    abuse_penalty: float = declare(
        0.5, 0.0, 2.0, "index", ASSUMED,
        "integration lost by workers placed by unregulated agencies")
    ties_decay: float = declare(
        0.01, 0.0, 0.5, "per quarter", ASSUMED, "decay of ties while abroad")
    association_ties: float = declare(
        0.01, 0.0, 0.5, "per quarter", ASSUMED,
        "ties regained per quarter by association members")
    association_join_rate: float = declare(
        0.02, 0.0, 1.0, "per quarter", ASSUMED,
        "chance a migrant joins the hometown association")

    # --- remittances ---
    consumption_share: float = declare(
        0.6, 0.0, 1.0, "share of income", ASSUMED,
        "share of income spent abroad")
    debt_repay_share: float = declare(
        0.5, 0.0, 1.0, "share", ASSUMED,
        "share of net income used to repay recruitment debt")
    remit_base: float = declare(
        0.3, 0.0, 1.0, "share", ASSUMED, "base share of net income remitted")
    remit_ties: float = declare(0.4, 0.0, 1.0, "share", ASSUMED, "extra share per unit of ties")
    remit_years: float = declare(
        0.01, 0.0, 0.2, "share per year", ASSUMED,
        "fall in the remitted share per year abroad")
    remit_insurance: float = declare(
        0.0, 0.0, 5.0, "share per unit of the fall",
        "assumption (value): 0, off; the direction from Yang & "
        "Choi 2007 (World Bank Econ. Rev. 21(2)): Philippine "
        "households' remittances rose when their income fell, "
        "about 60 % of the fall replaced",
        "rise of the remitted share with the fall of the origin's "
        "home earnings below the base year's (the insurance "
        "motive): times max(0, 1 - w_o,low / w0_o,low) (ODD §7.7)")
    informal_fee: float = declare(
        0.02, 0.0, 0.5, "share of amount", ASSUMED, "cost of informal transfer")
    informal_loss: float = declare(
        0.02, 0.0, 1.0, "probability", ASSUMED,
        "chance an informal transfer is lost")
    channel_const: float = declare(
        3.0, -10.0, 10.0, "utility",
        "assumption, set by hand (not fitted); calibrated in health2005 "
        "to the formal share of remittances, 0.57-0.74 (informal = 35-75 % "
        "of recorded, Freund & Spatafora 2005); at the uncalibrated "
        "defaults the share is 0.36 (health2005, steps 4-40, seeds 0-1, "
        "a formal transfer at 12.41 %)",
        "preference for the formal channel at equal cost")
    channel_cost: float = declare(
        0.3, 0.0, 5.0, "utility per percentage point",
        "assumption, set by hand (see channel_const)",
        "weight of the cost difference formal - informal")
    collective_share: float = declare(
        0.1, 0.0, 1.0, "share", ASSUMED,
        "share of a member's remittance sent to the association")
    household_invest_share: float = declare(
        0.2, 0.0, 1.0, "share", ASSUMED,
        "share of remittances and returnee savings invested")

    # --- diaspora missions and returns ---
    mission_rate: float = declare(
        0.005, 0.0, 0.2, "per quarter", "IOM MIDA/TRQN (form; 160 assignments "
        "in one pilot)", "chance a skilled migrant abroad makes a temporary "
        "return mission")
    mission_member_boost: float = declare(
        2.0, 0.0, 20.0, "multiplier",
        "assumption (value); IOM 2005: associations help identify professionals",
        "extra missions of association members")
    knowledge_per_gain: float = declare(
        1.0, 0.0, 10.0, "knowledge per h gained", ASSUMED,
        "knowledge a returnee adds per unit of skill gained abroad")
    overstay_const: float = declare(
        -3.0, -10.0, 10.0, "log-odds", ASSUMED, "base log-odds of overstay")
    overstay_enforcement: float = declare(
        2.0, 0.0, 10.0, "log-odds", ASSUMED,
        "fall in overstay log-odds per unit of enforcement")
    overstay_hardship: float = declare(
        1.0, 0.0, 10.0, "log-odds", ASSUMED,
        "rise in overstay log-odds per unit of home hardship")
    return_hazard: float = declare(
        0.01, 0.0, 1.0, "per quarter", ASSUMED,
        "baseline return hazard of settled migrants")
    hazard_ties: float = declare(
        1.0, 0.0, 10.0, "log-hazard", HAZARD,
        "effect of ties on the return hazard")
    hazard_development: float = declare(
        1.0, 0.0, 10.0, "log-hazard", HAZARD,
        "effect of home development on the return hazard")
    hazard_incentive: float = declare(
        1.0, 0.0, 10.0, "log-hazard", HAZARD,
        "effect of one unit of return incentive on the hazard")
    hazard_integration: float = declare(
        1.5, 0.0, 10.0, "log-hazard", HAZARD,
        "effect of integration (reduces the hazard)")
    hazard_years: float = declare(
        0.05, 0.0, 1.0, "log-hazard per year", HAZARD,
        "effect of years abroad (reduces the hazard)")
    hazard_wage_abroad: float = declare(
        1.0, 0.0, 10.0, "log-hazard per log wage",
        "assumption (size); the sign from Yang 2006: a 10 % rise in "
        "the home value of earnings abroad cut Philippine migrants' "
        "12-month return rate by 1.4 points (life-cycle motives)",
        "fall of the return hazard with ln(w_d,k / w0_d,k), the "
        "destination's wage against the start's (ODD §7.9)")
    hazard_savings: float = declare(
        0.0, 0.0, 10.0, "log-hazard",
        "assumption (value): 0, target-earning off; Yang 2006 finds "
        "life-cycle motives dominate, target-earning only in some "
        "households",
        "rise of the return hazard when savings reach the target "
        "(target earners; ODD §7.9)")
    savings_target_quarters: float = declare(
        8.0, 0.25, 80.0, "quarters of home earnings", ASSUMED,
        "a target earner's savings target, in quarters of their "
        "home earnings (used when hazard_savings > 0)")
    hazard_retirement: float = declare(
        0.0, 0.0, 10.0, "log-hazard",
        "assumption (value): 0, off; the direction from Cobb-Clark & "
        "Stillman 2013 (IZA J. Migration 2:20): return is most likely "
        "at retirement",
        "rise of the return hazard over the working life: times "
        "(age - entry_age) / (retirement_age - entry_age), 0 at entry, "
        "1 at retirement (ODD §7.9)")
    irregular_return: float = declare(
        0.01, 0.0, 1.0, "per quarter", ASSUMED,
        "voluntary return rate of irregular migrants")
    removal_rate: float = declare(
        0.02, 0.0, 1.0, "per quarter", ASSUMED,
        "removals of irregular migrants per unit of border enforcement")
