"""The outcomes of an experiment's analysis: name, readable label, unit and definition.
The analysis tables (experiments/analysis/stats.py), their data dictionary and the figures
read them here."""

from __future__ import annotations

from migdev.core.codes import PATH_NAMES

#: outcome -> (label, unit, definition). Counts are per 10,000 represented population of the
#: origins concerned (the real population the simulated persons stand for), summed over the
#: window (from the agreement's start to the last quarter): so they do not depend on how
#: many persons are simulated. The analysis tables, their data dictionary and the figures
#: use these names.
OUTCOMES = {
    "extra_recruits_nonparty": (
        "extra health recruits from non-party origins", "per 10,000 population, cumulative",
        "health workers leaving non-party origins over the window, policy run minus the "
        "paired no-agreement control, per 10,000 population of the non-party origins"),
    "recruits_change_party": (
        "change in health recruits from party origins", "per 10,000 population, cumulative",
        "health workers leaving the agreement's party origins over the window, policy minus "
        "control, per 10,000 population of the party origins"),
    "diversion_ratio": (
        "diversion ratio", "persons per person",
        "extra health recruits from non-party origins per health recruit the party origins "
        "lost (both in real persons, policy minus control); undefined when the party "
        "origins lost none, and always when no origin is party"),
    "density_change_nonparty": (
        "health density change, non-party origins", "per 10,000 population",
        "mean over the window of the non-party origins' mean health-worker density, policy "
        "minus control"),
    "effective_density_change_nonparty": (
        "effective health density change, non-party origins", "per 10,000 population",
        "mean over the window of the non-party origins' mean effective health density "
        "(health workers at home weighted by skill and knowledge, plus missions; ODD §7.10), "
        "policy minus control: the spillover in the same unit as brain circulation"),
    "effective_density_change_all": (
        "effective health density change, all origins", "per 10,000 population",
        "mean over the window of all origins' mean effective health density, policy minus "
        "control"),
    "returns_change": (
        "change in returns", "per 10,000 population, cumulative",
        "returns home over the window (all origins), policy minus control"),
    "missions_change": (
        "change in diaspora missions", "per 10,000 population, cumulative",
        "temporary return missions over the window (all origins), policy minus control"),
    "knowledge_change": (
        "change in knowledge transferred", "knowledge units per 10,000 population, cumulative",
        "knowledge added by returnees and missions over the window, policy minus control"),
    "returns_per_emigrant": (
        "returns per emigrant", "returns per departure",
        "returns over the window / departures over the window, policy run"),
    "missions_per_emigrant": (
        "missions per emigrant", "missions per departure",
        "missions over the window / departures over the window, policy run"),
    "knowledge_transferred": (
        "knowledge transferred", "knowledge units per 10,000 population, cumulative",
        "knowledge added by returnees and missions over the window, policy run"),
    "returnee_skill_gain": (
        "mean returnee skill gain", "h (skill units)",
        "mean over the window's returnees of h at return minus h at departure, policy run"),
    "net_human_capital": (
        "net human capital at home vs no migration", "relative change (ratio − 1)",
        "skilled human capital at home in the last quarter, policy run / no-migration "
        "control − 1; > 0 is a brain gain"),
    "circulation_capacity": (
        "effective health density from returnees and missions", "per 10,000 population",
        "mean over the window of the origins' mean effective health density due to returned "
        "health workers and health missions (ODD §7.10), policy run"),
    "net_effective_density": (
        "effective health density vs no migration", "per 10,000 population",
        "mean over the window of the origins' mean effective health density, policy run minus "
        "the no-migration control at the same seed: drain, training response, returns and "
        "missions together; > 0 is a net brain gain"),
    "circulated_share": (
        "share of emigrants who circulated", "share (0–1)",
        "in the last quarter, mean over origins of the share of persons ever emigrated who "
        "made two or more stays abroad (path_circulated), policy run"),
    "settled_share": (
        "share of emigrants settled abroad", "share (0–1)",
        "in the last quarter, mean over origins of the share of persons ever emigrated who are "
        "abroad after one stay and not transnational (path_settled), policy run"),
    "substituted_share": (
        "share of temporary workers on substituted contracts", "share (0–1)",
        "mean over the window of the origins' share of temporary workers abroad whose contract "
        "was substituted on arrival (ODD §7.6), policy run"),
    "fee_paying_share": (
        "share of recruits paying a fee", "share (0–1)",
        "mean over the window of the origins' share of the quarter's departures who paid a "
        "recruitment fee (ODD §7.4), policy run"),
    "mean_recruitment_debt": (
        "mean recruitment debt abroad", "kUSD per person abroad",
        "mean over the window of the origins' mean outstanding recruitment debt of persons "
        "abroad (ODD §7.7), policy run"),
    "returnee_earnings_premium": (
        "returnee earnings premium", "share (ratio − 1)",
        "in the last quarter, mean over origins of the earnings of skilled returnees at home "
        "over those of skilled persons at home who never emigrated, minus 1 (ODD §7.10), "
        "policy run; published premia for comparison: 0.07 (Ireland, Barrett & Goggin 2010), "
        "about 0.13 (returnees from the US, Amanzadeh, Kermani & McQuade 2024), 0.14 "
        "(Estonia, Kauhanen & Kangasniemi 2014)"),
    "formal_share": (
        "formal share of remittances", "share (0–1)",
        "formal / all household remittances over the window, policy run"),
    "remittance_cost_share": (
        "remittance cost share", "share (0–1)",
        "(fees + informal losses) / amount sent over the window, policy run"),
    "collective_investment": (
        "collective investment", "kUSD per 10,000 population, cumulative",
        "collective remittances plus public matching over the window, policy run"),
    "public_goods": (
        "public goods funded", "kUSD per 10,000 population, cumulative",
        "collective money that reached the communities' projects over the window (gifts "
        "less fees plus the match, where a social investment fund directed it; ODD §7.7), "
        "policy run"),
    "public_goods_change": (
        "change in public goods funded", "kUSD per 10,000 population, cumulative",
        "public_goods, policy run minus the paired control"),
    "remittances_received_total": (
        "remittances received", "million USD, cumulative",
        "household and collective remittances received by the origins over the window, "
        "policy run"),
    "remittances_received_change": (
        "change in remittances received", "million USD, cumulative",
        "remittances_received_total, policy run minus the paired control"),
    # the migrants' own quarter (ODD §7.7), temporary against settled
    "migrant_net_earnings_temporary": (
        "income a temporary worker keeps", "kUSD per person per quarter",
        "what temporary workers abroad keep of their income after debt service and "
        "remittances (consumption and savings), mean over the window's temporary workers of "
        "all origins, policy run"),
    "migrant_net_earnings_settled": (
        "income a settled migrant keeps", "kUSD per person per quarter",
        "the same for settled migrants, policy run"),
    "migrant_quarters_away_temporary": (
        "time away of a temporary worker", "quarters",
        "the current stay so far (x 3 for months away from family), mean over the window's "
        "temporary workers abroad, policy run"),
    "migrant_quarters_away_settled": (
        "time away of a settled migrant", "quarters",
        "the same for settled migrants, policy run"),
    # the migrants' welfare by path (ODD §7.7): all stays, at the run's last quarter
    **{f"migrant_lifetime_kept_{k}": (
        f"income kept abroad, {k.replace('_', ' ')}", "kUSD per person, cumulative",
        "income kept abroad after debt service and remittances over all stays, mean over the "
        f"emigrants of all origins whose path is '{k.replace('_', ' ')}' at the last quarter "
        "(circulated: two or more stays; returned once: one stay, home; transnational: abroad, "
        "remitting, association member, strong ties; settled: abroad otherwise), policy run")
       for k in PATH_NAMES},
    **{f"migrant_quarters_abroad_{k}": (
        f"time abroad, {k.replace('_', ' ')}", "quarters, cumulative",
        "quarters abroad over all stays (x 3 for months away from family), mean over the "
        f"emigrants whose path is '{k.replace('_', ' ')}' at the last quarter, policy run")
       for k in PATH_NAMES},
    # the accounts (ODD §7.14): money in millions of US dollars of the world's base year
    "public_cost": (
        "public cost of the instruments", "million USD, cumulative",
        "origin and destination governments' spending on the partnership instruments over "
        "the window (origin_public_cost + destination_public_cost, all origins), policy run"),
    "lost_training_investment": (
        "training investment lost", "million USD, cumulative",
        "public cost of educating the health workers who left over the window minus that of "
        "those who came back (all origins), policy run"),
    "destination_training_avoided": (
        "training the destinations avoided", "million USD, cumulative",
        "what the destinations would have spent to educate the health workers they recruited "
        "over the window, each at its own cost per graduate (ODD §7.14; all origins), policy "
        "run"),
    "destination_training_avoided_change": (
        "change in training the destinations avoided", "million USD, cumulative",
        "destination_training_avoided, policy run minus the paired control"),
    "public_cost_change": (
        "change in public cost", "million USD, cumulative",
        "public_cost, policy run minus the paired control"),
    "health_worker_years_change": (
        "change in effective health workers at home", "health-worker years",
        "effective health workers at home (effective_health_density x population / 10,000) "
        "in the origins the policy concerns (its agreement's party origins and the origins "
        "its own settings name, e.g. health_wage_scale[Ghana]; all origins when none), "
        "summed over the window's quarters / 4, policy minus control"),
    "worker_years_per_million_usd": (
        "health-worker years per million USD", "health-worker years per million USD",
        "health_worker_years_change / public_cost_change: what the policy buys at home per "
        "dollar of public money; undefined when it costs no more than the control"),
    "net_transfer_change": (
        "change in net transfer to origins", "million USD, cumulative",
        "net_transfer_to_origin summed over the window and origins (remittances received "
        "less the training investment carried abroad plus that brought back), policy minus "
        "control"),
}


def outcome_label(name: str, unit: bool = True) -> str:
    """Readable name of an outcome (with its unit in brackets), or the name itself."""
    if name not in OUTCOMES:
        return name.replace("_", " ")
    lab, u, _ = OUTCOMES[name]
    return f"{lab} [{u}]" if unit else lab


#: per-origin outcomes of by_country.csv: name -> (label, unit, definition)
COUNTRY_OUTCOMES = {
    "density_change": ("health density change", "per 10,000 population",
                       "the origin's health-worker density, mean over the window, policy run "
                       "minus the paired no-agreement (or no-policy) control"),
    "extra_health_recruits": ("extra health recruits", "per 10,000 population, cumulative",
                              "health workers leaving the origin over the window, policy minus "
                              "control, per 10,000 of its population"),
    "effective_density_change": ("effective health density change", "per 10,000 population",
                                 "the origin's effective health density (ODD §7.10), mean over "
                                 "the window, policy run minus the paired control: the agreement's "
                                 "effect (spillover where the origin is not party)"),
    "effective_density_vs_no_migration": (
        "effective health density vs no migration", "per 10,000 population",
        "the origin's effective health density, mean over the window, policy run minus the "
        "no-migration control at the same seed (empty without that control): the net of drain, "
        "training response, returns and missions"),
    "lost_training_investment": (
        "training investment lost", "million USD, cumulative",
        "the public cost of educating the origin's health workers who left over the window "
        "minus that of those who came back (ODD §7.14), policy run"),
}


def compares_kinds(manifest: dict) -> bool:
    """Whether the summaries and figures compare agreement kinds: the design varies
    ``agreement_kind`` and either the kind alone tells its points apart or the design is a
    grid (pooling over its other factors is then a balanced marginal). Otherwise (a table of
    settings, say a pay rise, a code and an incentive) they compare the design points."""
    design = manifest["design"]
    if "agreement_kind" not in [f["name"] for f in design["factors"]]:
        return False
    kinds = {p.get("agreement_kind") for p in design["points"]}
    return design["kind"] == "grid" or len(kinds) == len(design["points"])
