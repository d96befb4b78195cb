"""Outputs: every output column with its unit and meaning, the pure measures (functions of
arrays, tested alone) and the per-step reporter :func:`country_row` that calls them on the
model's state. The model stores the rows and Mesa's DataCollector reads them
(docs/ODD.md §4.11)."""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np

from migdev.agents.government import corridor_right
from migdev.agents.government.accounts import (
    LEDGER_COLUMNS,
    account_terms,
    accounts,
    column_positions,
)
from migdev.core.codes import EDUCATION, HEALTH, LOW, PATH_NAMES
from migdev.core.kernels import as_array, at_most_one, fresh_caches, pairwise_sum
from migdev.core.ledger import CORRIDOR_FLOWS, FLOW, FLOW_ROW, rows_by_name
from migdev.core.measures import emigration_rate, per_10000, rate
from migdev.model.tally import Tallies, TallyArrays, person_tallies, tallies_of, tally_inputs

#: columns of MigrationModel.country_frame(): name -> (unit, meaning). docs/ODD.md §4.11
#: documents each; a test checks that it does.
COUNTRY_COLUMNS = {
    "step": ("quarter", "step of the run (0 = initial state)"),
    "country": ("name", "origin country"),
    "party_to_agreement": ("bool", "the origin is named in a bilateral agreement of the run"),
    "protected": ("bool", "active recruitment from it is barred by some destination this step"),
    "population": ("persons", "the origin's real population in the base year, which its "
                              "simulated persons stand for (constant; the denominator of every "
                              "per-10,000 figure; every count and amount of the row is in real "
                              "units: simulated ones times the origin's person weight)"),
    "health_density": ("per 10,000", "health workers at home per 10,000 represented population"),
    "effective_health_density": ("per 10,000",
                                 "effective health capacity at home per 10,000 represented "
                                 "population: health workers at home weighted by their skill h "
                                 "(1 = an entrant's), times the knowledge uplift, plus health "
                                 "missions of the quarter times their length (ODD §7.10)"),
    "effective_density_returnees": ("per 10,000", "the part of effective_health_density due to "
                                                  "returned health workers at home"),
    "effective_density_missions": ("per 10,000", "the part of effective_health_density due to "
                                                 "this quarter's health missions"),
    "education_density": ("per 10,000", "teachers at home per 10,000 represented population"),
    "effective_education_density": ("per 10,000",
                                    "effective teaching capacity at home per 10,000 represented "
                                    "population: teachers at home weighted by their skill h, "
                                    "times the knowledge uplift, plus education missions of the "
                                    "quarter times their length (ODD §7.10)"),
    "skilled_emigration_rate": ("share", "skilled abroad / (skilled abroad + skilled at home)"),
    "health_emigration_rate": ("share", "health workers abroad / (abroad + at home)"),
    "recruits": ("persons per quarter", "departures this quarter, all channels"),
    "recruits_agreement": ("persons per quarter", "departures through G2G placements"),
    "recruits_agency_regulated": ("persons per quarter", "departures through regulated agencies"),
    "recruits_agency_unregulated": ("persons per quarter",
                                    "departures through unregulated agencies"),
    "recruits_independent": ("persons per quarter", "departures without an offer (network)"),
    "recruits_named": ("persons per quarter", "departures of workers their former employer named "
                                              "for re-hiring (also counted in their channel)"),
    "health_recruits": ("persons per quarter", "health workers departing, all channels"),
    "returns": ("persons per quarter", "returns home this quarter"),
    "health_returns": ("persons per quarter", "health workers among this quarter's returns"),
    "return_rate": ("share per quarter", "returns / persons abroad at the start of the quarter"),
    "missions": ("missions per quarter", "temporary return missions of diaspora professionals"),
    "mean_returnee_skill_gain": ("h", "mean skill gain (h - h at departure) of this quarter's "
                                      "returnees"),
    "knowledge_stock": ("knowledge units", "communities' knowledge stock, summed"),
    "knowledge_transferred": ("knowledge units per quarter",
                              "knowledge added this quarter by returnees and missions"),
    "remittances_formal": ("kUSD per quarter", "household remittances sent formally"),
    "remittances_informal": ("kUSD per quarter", "household remittances sent informally"),
    "remittance_fees": ("kUSD per quarter", "fees on household and collective transfers"),
    "remittance_losses": ("kUSD per quarter", "informal transfers lost"),
    "remittance_cost_share": ("share", "(fees + losses) / amount sent, at most 1"),
    "formal_share": ("share", "formal / all household remittances"),
    "collective_contributions": ("kUSD per quarter", "collective remittances to associations"),
    "matched_funds": ("kUSD per quarter", "public money matching collective remittances (the "
                                          "share of the promised match actually paid), at "
                                          "every level"),
    "matched_funds_local": ("kUSD per quarter", "the municipalities' part of matched_funds"),
    "collective_to_projects": ("kUSD per quarter", "collective money to the communities' "
                                                   "projects: gifts less fees plus the match, "
                                                   "where a social investment fund directed it "
                                                   "(ODD §7.7)"),
    "social_fund": ("kUSD per quarter", "the part of collective_to_projects a social investment "
                                        "fund directed to the origin's communities by need "
                                        "(ODD §7.7; 0 without one)"),
    "matched_funds_state": ("kUSD per quarter", "the states' part of matched_funds (the "
                                                "nation's: matched_funds less both)"),
    "association_trust": ("0-1", "trust of the origin's hometown associations in its "
                                 "government, mean weighted by members (trust_initial while "
                                 "they have none)"),
    "association_membership": ("share", "association members among the origin's persons "
                                        "abroad"),
    "recruitment_fees": ("kUSD per quarter", "recruitment fees charged to this quarter's recruits"),
    "development_index": ("0-1", "population-weighted mean of the communities' index"),
    "mean_recruitment_debt": ("kUSD", "mean outstanding recruitment debt of persons abroad"),
    "fee_paying_share": ("share", "of this quarter's departures, those who paid a recruitment "
                                  "fee"),
    "change_employer_share": ("share", "of the origin's temporary workers abroad, the share "
                                       "free to change employer (their corridor's right)"),
    "substituted_share": ("share", "of the origin's temporary workers abroad, the share on a "
                                   "contract substituted on arrival by a worse one (ODD §7.6)"),
    "brain_waste_share": ("share", "skilled persons abroad in jobs that do not use their skills"),
    "overstay_share": ("share", "contracts ending this quarter in overstay"),
    "contract_settle_share": ("share", "temporary contracts ending this quarter in settlement "
                                       "(the move from temporary to permanent status)"),
    # the migrants' own quarter (ODD §7.7), by status abroad
    **{f"abroad_{k}": ("persons", f"the origin's {who}s abroad this quarter (counted when "
                                  "they remit)")
       for k, who in (("temporary", "temporary worker"), ("settled", "settled migrant"),
                      ("irregular", "irregular migrant"))},
    **{f"net_earnings_{k}": ("kUSD per person per quarter",
                             f"what a {who} abroad keeps of the quarter's income after debt "
                             "service and remittances (consumption and savings), mean over "
                             f"the origin's {who}s (0 where none)")
       for k, who in (("temporary", "temporary worker"), ("settled", "settled migrant"),
                      ("irregular", "irregular migrant"))},
    **{f"debt_service_{k}": ("kUSD per person per quarter",
                             f"recruitment debt repaid this quarter, mean over the origin's "
                             f"{who}s abroad")
       for k, who in (("temporary", "temporary worker"), ("settled", "settled migrant"),
                      ("irregular", "irregular migrant"))},
    **{f"quarters_away_{k}": ("quarters", f"time abroad in the current stay so far (x 3 for "
                                          f"months away from family), mean over the "
                                          f"origin's {who}s abroad")
       for k, who in (("temporary", "temporary worker"), ("settled", "settled migrant"),
                      ("irregular", "irregular migrant"))},
    "path_circulated": ("share", "of the origin's persons who have ever emigrated: two or more "
                                 "stays abroad (paths as in MigrationModel.paths, ODD §4.11)"),
    "path_returned_once": ("share", "of those ever emigrated: one stay, now at home"),
    "path_transnational": ("share", "of those ever emigrated: one stay, abroad, remitting, "
                                    "association member, ties >= 0.5"),
    "path_settled": ("share", "of those ever emigrated: one stay, abroad otherwise"),
    "ever_emigrated": ("persons", "the origin's persons who have ever emigrated (the "
                                  "denominator of the path shares)"),
    # the migrants' welfare by path (ODD §7.7), over all their stays
    **{f"lifetime_kept_{k}": ("kUSD per person",
                              f"income kept abroad (after debt service and remittances) over "
                              f"all stays since the person entered or the run began, mean over "
                              f"the origin's emigrants whose path is '{k.replace('_', ' ')}' "
                              "(0 where none)")
       for k in PATH_NAMES},
    **{f"quarters_abroad_{k}": ("quarters",
                                f"quarters abroad over all stays (x 3 for months away from "
                                f"family), mean over the origin's emigrants whose path is "
                                f"'{k.replace('_', ' ')}' (0 where none)")
       for k in PATH_NAMES},
    "human_capital_home": ("h", "sum of h of skilled persons at home"),
    "returnee_earnings_premium": ("share", "earnings premium of skilled returnees at home over "
                                           "skilled persons at home who never emigrated, at the "
                                           "same wage structure: the home-wage-weighted mean h "
                                           "of the first over that of the second, minus 1 "
                                           "(earnings at home = home wage x h, ODD §7.10; 0 "
                                           "where either group is empty)"),
    "skilled_home": ("persons", "skilled persons at home"),
    "abroad": ("persons", "persons abroad (any status)"),
    "health_trainees": ("persons per quarter", "entrants admitted to health training"),
    "health_applicants": ("persons per quarter", "entrants who chose health training"),
    "health_density_measured": ("per 10,000", "health density as the governments measured it "
                                              "at the last review (with lag and error)"),
    "listed": ("0/1", "1 if on the protected list drawn from the measured density at the "
                      "last review"),
    "misclassified": ("0/1", "1 if listed differs from what the true density said at the "
                             "last review (below the threshold or not)"),
    # the accounts (ODD §7.14; agents/government/accounts.py), in thousands of US dollars of
    # the world's base year (2000 for health2005), the money of every amount of the table
    "training_cost_departed": ("kUSD per quarter",
                               "public cost of educating the health workers who left this "
                               "quarter (health_recruits x the origin's cost per emigrant "
                               "health worker, from published costs per doctor and nurse)"),
    "training_cost_returned": ("kUSD per quarter", "the same for the health workers who came "
                                                   "back (health_returns x that cost)"),
    "training_spending": ("kUSD per quarter", "public cost of educating this quarter's health "
                                              "trainees (health_trainees x that cost)"),
    "wage_rise_cost": ("kUSD per quarter", "what the health-wage lever costs the origin: the "
                                           "rise per health worker x health workers at home "
                                           "(negative for a cut)"),
    "return_incentive_cost": ("kUSD per quarter", "return incentives paid: returns x "
                                                  "return_incentive x return_incentive_cost"),
    "agreement_admin_origin": ("kUSD per quarter", "the origin government's administration of "
                                                   "the agreements in force naming it"),
    "agreement_admin_destination": ("kUSD per quarter",
                                    "its destination partners' administration of those "
                                    "agreements (each destination's share of an agreement "
                                    "spread over the agreement's origins)"),
    "g2g_placement_cost": ("kUSD per quarter", "what destinations pay for this quarter's G2G "
                                               "placements from the origin"),
    "mission_programme_cost": ("kUSD per quarter", "what the origin's diaspora programme pays "
                                                   "for the missions it adds this quarter "
                                                   "(missions x mission_cost x engagement / "
                                                   "(1 + engagement))"),
    "data_partnership_cost": ("kUSD per quarter", "what the destinations pay to run the "
                                                  "origin's data partnership this quarter"),
    "origin_public_cost": ("kUSD per quarter", "the origin government's spending on the "
                                               "partnership instruments: matched_funds + "
                                               "wage_rise_cost + return_incentive_cost + "
                                               "agreement_admin_origin + "
                                               "mission_programme_cost"),
    "destination_public_cost": ("kUSD per quarter", "the destination governments' spending "
                                                    "on the origin: agreement_admin_destination "
                                                    "+ g2g_placement_cost + "
                                                    "data_partnership_cost"),
    "remittances_received": ("kUSD per quarter", "household and collective remittances "
                                                 "arriving, after fees and losses"),
    "net_transfer_to_origin": ("kUSD per quarter", "remittances_received - "
                                                   "training_cost_departed + "
                                                   "training_cost_returned: money in, less the "
                                                   "training investment carried abroad, plus "
                                                   "that brought back"),
    "training_cost_avoided": ("kUSD per quarter", "what the destinations would have spent to "
                                                  "educate the origin's health recruits of the "
                                                  "quarter (each destination's cost per "
                                                  "graduate at the origin's doctor/nurse mix, "
                                                  "ODD §7.14): the training they did not pay "
                                                  "for"),
}

#: columns of MigrationModel.corridor_frame(): one row per step x origin x destination with
#: a corridor. docs/ODD.md §4.11 documents each; a test checks that it does.
CORRIDOR_COLUMNS = {
    "step": ("quarter", "step of the run (0 = initial state)"),
    "origin": ("name", "origin country"),
    "destination": ("name", "destination country"),
    "recruits": ("persons per quarter", "departures on the corridor this quarter, all channels"),
    "health_recruits": ("persons per quarter", "health workers departing on the corridor"),
    "returns": ("persons per quarter", "returns home from the destination this quarter"),
    "remittances": ("kUSD per quarter", "household and collective remittances sent home"),
    "missions": ("missions per quarter", "temporary return missions from the destination"),
    "abroad": ("persons", "persons of the origin abroad in the destination (any status)"),
    "path_circulated": ("share", "of the origin's persons whose last stay was in the "
                                 "destination: two or more stays abroad (anywhere)"),
    "path_returned_once": ("share", "of those: one stay, now at home"),
    "path_transnational": ("share", "of those: one stay, abroad, remitting, association "
                                    "member, ties >= 0.5"),
    "path_settled": ("share", "of those: one stay, abroad otherwise"),
    "formal_fee": ("share of amount", "the fee of a formal transfer on the corridor in force "
                                      "next quarter: the intermediaries' (ODD §7.7b) where the "
                                      "world has them, else the formal_fee lever"),
    "bank_share": ("share", "banks' share of the origin's formal transfers (ODD §7.7b); "
                            "empty where the world has no intermediaries"),
}
#: the path categories' columns of the country and corridor tables, in the order of the
#: tallies' path counts
PATHS = tuple(f"path_{k}" for k in PATH_NAMES)


def path_shares(paths: np.ndarray) -> dict:
    """Paths taken by everyone who has ever emigrated (ODD §4.11), from the tallies' path
    counts (:class:`~migdev.model.tally.Tallies`' ``paths``, any shape ending in the four
    categories).

    Categories (exclusive): ``circulated`` (two or more stays abroad), ``returned_once``
    (one stay, now home), ``transnational`` (abroad, remitting, association member, ties
    >= 0.5), ``settled`` (abroad otherwise, any status).

    Returns:
        dict of shares (summing to 1) and ``emigrants`` (the count).
    """
    counts = np.asarray(paths).reshape(-1, 4).sum(axis=0)
    n = int(counts.sum())
    out = {k: (float(v) / n if n else 0.0) for k, v in
           zip(PATH_NAMES, counts)}
    out["emigrants"] = n
    return out


def tallies(model) -> Tallies:
    """This step's :func:`~migdev.model.tally.person_tallies` of the model's persons."""
    return person_tallies(*_tally_of(model))


def shares(counts: np.ndarray) -> np.ndarray:
    """Counts over their sum along the last axis (0 where the sum is 0)."""
    cnt = counts.astype(float)
    tot = cnt.sum(axis=-1, keepdims=True)
    return np.divide(cnt, tot, out=np.zeros_like(cnt), where=tot > 0)


__all__ = ["COUNTRY_COLUMNS", "emigration_rate", "path_shares", "per_10000", "rate"]


# --------------------------------------------------------------------------- reporter
#: the numeric columns of a row, in order (step, country and the flags are added by the model)
COLS = [c for c in COUNTRY_COLUMNS if c not in ("step", "country", "party_to_agreement",
                                                "protected")]


#: each column's position in a row
COL_INDEX = {c: i for i, c in enumerate(COLS)}
#: each column's position by name, as compiled code writes it (``row[COLUMN.formal_share]``)
COLUMN = rows_by_name(COLS, "Column")
#: the positions of the lifetime sums kept and of the quarters abroad by path (PATH_NAMES)
_KEPT_COLUMNS = tuple(COL_INDEX[f"lifetime_kept_{k}"] for k in PATH_NAMES)
_QUARTERS_COLUMNS = tuple(COL_INDEX[f"quarters_abroad_{k}"] for k in PATH_NAMES)
#: the rows of the recruits by channel (their sum is the recruits column)
_RECRUIT_ROWS = tuple(FLOW_ROW[f] for f in ("rec_agreement", "rec_regulated",
                                             "rec_unregulated", "rec_independent"))


#: columns that are a flow of the quarter summed over the origin's communities, as it is
_FLOW_COLUMNS = {
    "recruits_agreement": "rec_agreement", "recruits_agency_regulated": "rec_regulated",
    "recruits_agency_unregulated": "rec_unregulated", "recruits_independent": "rec_independent",
    "recruits_named": "rec_named", "health_recruits": "rec_health", "returns": "returns",
    "health_returns": "returns_health", "abroad_temporary": "abroad_temporary",
    "abroad_settled": "abroad_settled", "abroad_irregular": "abroad_irregular",
    "missions": "missions", "knowledge_transferred": "knowledge_in",
    "remittances_formal": "rem_formal", "remittances_informal": "rem_informal",
    "remittance_fees": "rem_fees", "remittance_losses": "rem_losses",
    "collective_contributions": "collective", "matched_funds": "matched",
    "matched_funds_local": "matched_local", "matched_funds_state": "matched_state",
    "collective_to_projects": "to_projects", "social_fund": "social_fund",
    "recruitment_fees": "recruit_fees", "health_trainees": "health_trainees",
    "health_applicants": "health_applicants",
}
#: columns that are one flow over another (0 where the second is 0)
_FLOW_RATIOS = {
    "return_rate": ("returns", "abroad_start"),
    "mean_returnee_skill_gain": ("return_gain", "returns"),
    "overstay_share": ("overstays", "contract_ends"),
    "contract_settle_share": ("contract_settles", "contract_ends"),
    **{f"{col}_{k}": (f"{flow}_{k}", f"abroad_{k}")
       for col, flow in (("net_earnings", "kept"), ("debt_service", "repaid"),
                         ("quarters_away", "quarters"))
       for k in ("temporary", "settled", "irregular")},
}
_FLOW_COLUMN_INDEX = [COL_INDEX[c] for c in _FLOW_COLUMNS]
_FLOW_COLUMN_ROWS = [FLOW_ROW[f] for f in _FLOW_COLUMNS.values()]
_FLOW_RATIO_INDEX = [COL_INDEX[c] for c in _FLOW_RATIOS]
_FLOW_RATIO_NUM = [FLOW_ROW[a] for a, _ in _FLOW_RATIOS.values()]
_FLOW_RATIO_DEN = [FLOW_ROW[b] for _, b in _FLOW_RATIOS.values()]
#: the per-community stocks the country table sums over each origin's communities
_COMM_STOCKS = ("health_effective", "health_eff_returnees", "health_eff_missions",
                "education_effective", "knowledge", "h_home")
#: the columns _country_values computes one by one (by name: ``COLUMN``)
_ROW_COLUMNS = (
    "population", "health_density", "effective_health_density", "effective_density_returnees",
    "effective_density_missions", "education_density", "effective_education_density",
    "skilled_emigration_rate", "health_emigration_rate", "recruits", "knowledge_stock",
    "remittance_cost_share", "formal_share", "association_trust", "association_membership",
    "development_index", "mean_recruitment_debt", "fee_paying_share", "change_employer_share",
    "substituted_share", "brain_waste_share", "path_circulated", "path_returned_once",
    "path_transnational", "path_settled", "human_capital_home", "returnee_earnings_premium",
    "skilled_home", "abroad", "health_density_measured", "listed", "misclassified",
    *(f"lifetime_kept_{k}" for k in PATH_NAMES), *(f"quarters_abroad_{k}" for k in PATH_NAMES),
    "ever_emigrated")
assert sorted(_ROW_COLUMNS + tuple(_FLOW_COLUMNS) + tuple(_FLOW_RATIOS)
              + LEDGER_COLUMNS) == sorted(COLS)
#: the columns in real units: a count or an amount of the origin's simulated persons times
#: the real persons each stands for (World.person_weight); shares, means and per-10,000
#: figures are the same in both
REAL_UNIT_COLUMNS = (*_FLOW_COLUMNS, "recruits", "knowledge_stock", "human_capital_home",
                     "skilled_home", "abroad", "ever_emigrated")
_INDEX = {name: np.array(v, dtype=np.int64) for name, v in (
    ("scaled", [COL_INDEX[c] for c in REAL_UNIT_COLUMNS]),
    ("flow_cols", _FLOW_COLUMN_INDEX), ("flow_rows", _FLOW_COLUMN_ROWS),
    ("ratio_cols", _FLOW_RATIO_INDEX), ("ratio_num", _FLOW_RATIO_NUM),
    ("ratio_den", _FLOW_RATIO_DEN))}


@numba.njit(cache=True, nogil=True)
def _ratio(num, den):
    """num / den, 0 where den is not positive (as measures.rate)."""
    return num / den if den > 0 else 0.0


#: what a step's country row reads of the communities and associations
#: (:func:`_country_inputs`)
CountryInputs = namedtuple("CountryInputs", "comm_origin flows counts represented weight "
                           "development comm_size health_eff health_eff_returnees "
                           "health_eff_missions education_eff knowledge h_home members trust "
                           "trust0 n_dest")
#: the measured densities, the protected lists, and where each column of the country row
#: comes from (:func:`_country_inputs`)
CountryIndex = namedtuple("CountryIndex", "measured listed truly_short flow_cols flow_rows "
                          "ratio_cols ratio_num ratio_den scaled")


@numba.njit(cache=True, nogil=True)
def _country_values(C, t, X, out):
    """The country row (:data:`COLS`, one row per origin) into ``out``, from the
    communities' and associations' state ``C`` (:data:`CountryInputs`), the persons'
    tallies ``t`` (:data:`~migdev.model.tally.TallyArrays`) and the columns' index ``X``
    (:data:`CountryIndex`)."""
    comm_origin, flows, counts, represented = C.comm_origin, C.flows, C.counts, C.represented
    weight = C.weight
    development, comm_size, health_eff = C.development, C.comm_size, C.health_eff
    health_eff_returnees, health_eff_missions = C.health_eff_returnees, C.health_eff_missions
    education_eff, knowledge, h_home = C.education_eff, C.knowledge, C.h_home
    members, trust, trust0, n_dest = C.members, C.trust, C.trust0, C.n_dest
    abroad, debt, member, wasted = t.abroad, t.debt, t.member, t.wasted
    skilled_regular, temporary, substituted, right = (t.skilled_regular, t.temporary,
                                                      t.substituted, t.right)
    paths, earnings, wages = t.paths, t.earnings, t.wages
    path_kept, path_quarters = t.path_kept, t.path_quarters
    measured, listed, truly_short = X.measured, X.listed, X.truly_short
    flow_cols, flow_rows, ratio_cols = X.flow_cols, X.flow_rows, X.ratio_cols
    ratio_num, ratio_den = X.ratio_num, X.ratio_den
    scaled = X.scaled
    n_orig = out.shape[0]
    n_fl = flows.shape[0]
    # every per-community quantity summed over each origin's communities in community
    # order, as np.add.at summed them; the associations' trust weighted by their members
    # (a community's sum over destinations in numpy's order)
    fl = np.zeros((n_orig, n_fl))
    cnt = np.zeros((n_orig, 4, 2))
    rep = np.zeros(n_orig)
    dev = np.zeros(n_orig)
    size = np.zeros(n_orig)
    stock = np.zeros((n_orig, 6))  # _COMM_STOCKS
    t_num = np.zeros(n_orig)
    t_den = np.zeros(n_orig)
    weighted = np.empty(n_dest)
    for c in range(comm_origin.shape[0]):
        o = comm_origin[c]
        for f in range(n_fl):
            fl[o, f] += flows[f, c]
        for k in range(4):
            for j in range(2):
                cnt[o, k, j] += np.float64(counts[c, k, j])
        rep[o] += represented[c]
        dev[o] += development[c] * comm_size[c]
        size[o] += comm_size[c]
        stock[o, 0] += health_eff[c]
        stock[o, 1] += health_eff_returnees[c]
        stock[o, 2] += health_eff_missions[c]
        stock[o, 3] += education_eff[c]
        stock[o, 4] += knowledge[c]
        stock[o, 5] += h_home[c]
        for d in range(n_dest):
            weighted[d] = members[c * n_dest + d] * trust[c * n_dest + d]
        t_num[o] += pairwise_sum(weighted, 0, n_dest)
        t_den[o] += pairwise_sum(members, c * n_dest, n_dest)
    for o in range(n_orig):
        F = fl[o]
        row = out[o]
        for i in range(flow_cols.shape[0]):
            row[flow_cols[i]] = F[flow_rows[i]]
        for i in range(ratio_cols.shape[0]):
            row[ratio_cols[i]] = _ratio(F[ratio_num[i]], F[ratio_den[i]])
        formal, informal, fees, losses = (F[FLOW.rem_formal], F[FLOW.rem_informal],
                                          F[FLOW.rem_fees], F[FLOW.rem_losses])
        collective, fee_paid = F[FLOW.collective], F[FLOW.rec_fee_paid]
        sent = formal + informal
        recruits = -0.0  # four flows summed as numpy summed a row
        for r in _RECRUIT_ROWS:
            recruits += F[r]
        # the population in simulated units (the real one over the person weight): the
        # denominator of the per-10,000 figures computed from simulated counts
        w_o = weight[o]
        r_pop = rep[o] / w_o if w_o > 0 else 0.0
        sk_abroad = -0.0
        sk_home = -0.0
        for k in range(LOW):
            sk_abroad += cnt[o, k, 0]
            sk_home += cnt[o, k, 1]
        n_ab = np.float64(abroad[o])
        path = np.zeros(4)
        for d in range(paths.shape[1]):
            for k in range(4):
                path[k] += paths[o, d, k]
        path_total = ((path[0] + path[1]) + path[2]) + path[3]
        mean0 = _ratio(earnings[o, 0], wages[o, 0])
        mean1 = _ratio(earnings[o, 1], wages[o, 1])
        premium = mean1 / mean0 - 1.0 if (mean0 > 0 and mean1 > 0) else 0.0
        trust_o = t_num[o] / max(t_den[o], 1e-300) if t_den[o] > 0 else trust0
        row[COLUMN.population] = rep[o]  # real
        row[COLUMN.health_density] = _ratio(cnt[o, HEALTH, 1] * 10_000.0, r_pop)
        row[COLUMN.effective_health_density] = _ratio(stock[o, 0] * 10_000.0, r_pop)
        row[COLUMN.effective_density_returnees] = _ratio(stock[o, 1] * 10_000.0, r_pop)
        row[COLUMN.effective_density_missions] = _ratio(stock[o, 2] * 10_000.0, r_pop)
        row[COLUMN.education_density] = _ratio(cnt[o, EDUCATION, 1] * 10_000.0, r_pop)
        row[COLUMN.effective_education_density] = _ratio(stock[o, 3] * 10_000.0, r_pop)
        row[COLUMN.skilled_emigration_rate] = _ratio(sk_abroad, sk_abroad + sk_home)
        row[COLUMN.health_emigration_rate] = _ratio(cnt[o, HEALTH, 0],
                                                    cnt[o, HEALTH, 0] + cnt[o, HEALTH, 1])
        row[COLUMN.recruits] = recruits
        row[COLUMN.knowledge_stock] = stock[o, 4]
        # a lost transfer's fee and loss add up to its amount, which rounding can leave one
        # unit in the last place above it: at most 1 (NaN kept)
        row[COLUMN.remittance_cost_share] = at_most_one(_ratio(fees + losses,
                                                               sent + collective))
        row[COLUMN.formal_share] = _ratio(formal, sent)
        row[COLUMN.association_trust] = trust_o
        row[COLUMN.association_membership] = _ratio(member[o], n_ab)
        row[COLUMN.development_index] = _ratio(dev[o], size[o])
        row[COLUMN.mean_recruitment_debt] = _ratio(debt[o], n_ab)
        row[COLUMN.fee_paying_share] = _ratio(fee_paid, recruits)
        row[COLUMN.change_employer_share] = _ratio(right[o], np.float64(temporary[o]))
        row[COLUMN.substituted_share] = _ratio(substituted[o], np.float64(temporary[o]))
        row[COLUMN.brain_waste_share] = _ratio(wasted[o], skilled_regular[o])
        row[COLUMN.path_circulated] = _ratio(path[0], path_total)
        row[COLUMN.path_returned_once] = _ratio(path[1], path_total)
        row[COLUMN.path_transnational] = _ratio(path[2], path_total)
        row[COLUMN.path_settled] = _ratio(path[3], path_total)
        row[COLUMN.human_capital_home] = stock[o, 5]
        row[COLUMN.returnee_earnings_premium] = premium
        row[COLUMN.skilled_home] = sk_home
        row[COLUMN.abroad] = n_ab
        row[COLUMN.health_density_measured] = measured[o]
        row[COLUMN.listed] = 1.0 if listed[o] else 0.0
        row[COLUMN.misclassified] = 1.0 if listed[o] != truly_short[o] else 0.0
        for k in range(4):  # lifetime_kept_*, quarters_abroad_* by path (PATH_NAMES)
            row[_KEPT_COLUMNS[k]] = _ratio(path_kept[o, k], path[k])
            row[_QUARTERS_COLUMNS[k]] = _ratio(path_quarters[o, k], path[k])
        row[COLUMN.ever_emigrated] = path_total
        for i in range(scaled.shape[0]):  # counts and amounts in real units
            row[scaled[i]] = row[scaled[i]] * w_o


@numba.njit(cache=True, nogil=True)
def _corridor_row(flows_to_dest, stock, paths, weight, out):
    """The corridor row of a step (one row per origin and destination): this quarter's corridor
    flows and the stock abroad, in real units (times the origin's person weight), and the
    shares of the paths of those who ever emigrated there."""
    n_orig, n_dest, k = flows_to_dest.shape
    for o in range(n_orig):
        w = weight[o]
        for d in range(n_dest):
            for j in range(k):
                out[o, d, j] = flows_to_dest[o, d, j] * w
            out[o, d, k] = np.float64(stock[o, d]) * w
            # shares(): the counts over their sum (exact for counts below 2**53), 0 if none
            tot = 0.0
            for c in range(4):
                tot += np.float64(paths[o, d, c])
            for c in range(4):
                out[o, d, k + 1 + c] = np.float64(paths[o, d, c]) / tot if tot > 0 else 0.0


def corridor_row(flows_to_dest: np.ndarray, tallies: Tallies, weight) -> np.ndarray:
    """This step's (n_orig, n_dest, k + 5) corridor row: the corridor flows and the stock
    abroad in real units (``weight``: the origins' person weights) and the shares of the four paths of those who ever emigrated by their current
    destination (:func:`shares` of ``paths[:, :-1]``), in one compiled call (the same
    values as ``np.concatenate`` of the three; ``tests/model/test_tally.py`` compares)."""
    n_orig, n_dest, k = flows_to_dest.shape
    out = np.empty((n_orig, n_dest, k + 5))
    _corridor_row(as_array(flows_to_dest), tallies.stock, tallies.paths, as_array(weight), out)
    return out


def _country_inputs(model) -> tuple[CountryInputs, CountryIndex]:
    """The arguments of :func:`_country_values` before the tallies (the communities' sums
    and stocks, the associations' members and trust) and after them (the measured density,
    the protected lists and the columns' indices)."""
    w, st = model.world, model.association_state
    cs, gs = model.community_state, model.government_state
    head = CountryInputs(
        as_array(w.comm_origin, np.int64), model.flows.data, cs.counts,
        as_array(w.represented_pop), as_array(w.person_weight), cs.development,
        as_array(w.comm_size), *(as_array(getattr(cs, k)) for k in _COMM_STOCKS),
        as_array(st.members, np.float64), as_array(st.trust), float(st.trust0), model.n_dest)
    tail = CountryIndex(as_array(gs.measured), gs.listed, gs.truly_short,
                        *(_INDEX[k] for k in ("flow_cols", "flow_rows", "ratio_cols",
                                              "ratio_num", "ratio_den", "scaled")))
    return head, tail


def _tally_of(model) -> tuple:
    """This step's arguments of :func:`person_tallies` (and of :func:`tally_inputs`)."""
    return (model.pop, model.world.home_wage, corridor_right(model, "employer_change_right"),
            model.n_orig, model.n_dest)


def country_row(model, tallies: Tallies | None = None) -> np.ndarray:
    """This step's (n_origins, len(COLS)) row of outputs (``tallies``: this step's
    :func:`person_tallies`, when the caller has them), in one compiled pass over the
    communities and origins, then the accounts (:func:`accounts`);
    ``tests/model/test_tally.py`` keeps its numpy statement and checks that the two agree
    bit for bit."""
    t = tallies if tallies is not None else person_tallies(*_tally_of(model))
    head, tail = _country_inputs(model)
    out = _new_row(model.n_orig)
    _country_values(head, TallyArrays(**vars(t)), tail, out)
    accounts(out, _ACCOUNT_POSITIONS, account_terms(model),
             model.flows.corridor[:, :, _HEALTH_RECRUITS] * model.world.person_weight[:, None])
    return out


#: the corridor flow of the health recruits (what the destinations' avoided training is
#: counted on, accounts)
_HEALTH_RECRUITS = CORRIDOR_FLOWS.index("health_recruits")
#: where the accounts' columns are in a row (:func:`column_positions`)
_ACCOUNT_POSITIONS = column_positions(COL_INDEX)


def _new_row(n_orig: int) -> np.ndarray:
    """A step's (n_orig, len(COLS)) row before it is filled: NaN, so that a column no pass
    writes shows as missing in the tables (the reference's test finds none)."""
    return np.full((n_orig, len(COLS)), np.nan)


@numba.njit(cache=True, nogil=True)
def _step_rows(I, C, X, flows_to_dest, out, out_corridor):
    """The persons' tallies (``I``: :data:`~migdev.model.tally.TallyInputs`), the country row
    (``C``, ``X``: :func:`_country_inputs`) and the corridor row, in one call."""
    t = tallies_of(I)
    _country_values(C, t, X, out)
    _corridor_row(flows_to_dest, t.stock, t.paths, C.weight, out_corridor)


def step_rows(model) -> tuple[np.ndarray, np.ndarray]:
    """This step's country row and corridor row (:func:`country_row` and
    :func:`corridor_row` of this step's :func:`person_tallies`), in one compiled call;
    ``tests/model/test_tally.py`` compares the two ways bit for bit."""
    head, tail = _country_inputs(model)
    out = _new_row(model.n_orig)
    out_corridor = np.empty((model.n_orig, model.n_dest, model.flows.corridor.shape[2] + 5))
    _step_rows(tally_inputs(*_tally_of(model)), head, tail, as_array(model.flows.corridor), out,
               out_corridor)
    accounts(out, _ACCOUNT_POSITIONS, account_terms(model), out_corridor[:, :, _HEALTH_RECRUITS])
    return out, out_corridor


fresh_caches(__name__)
