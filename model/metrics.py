"""Metrics: pure functions of arrays, tested alone; the model's reporters only call them."""

from __future__ import annotations

from migdev.core.codes import IRREGULAR, RETURNED, TEMP
from migdev.core.measures import emigration_rate, per_10000, rate

#: columns of MigrationModel.country_frame(): name -> (unit, meaning). docs/ODD.md §4.11
#: documents each; a test checks that it does.
COUNTRY_COLUMNS = {
    "step": ("quarter", "step of the run (0 = initial state)"),
    "country": ("name", "origin country"),
    "party_to_agreement": ("bool", "the origin is named in a bilateral agreement of the run"),
    "protected": ("bool", "active recruitment from it is barred by some destination this step"),
    "health_density": ("per 10,000", "health workers at home per 10,000 represented population"),
    "education_density": ("per 10,000", "teachers at home per 10,000 represented population"),
    "skilled_emigration_rate": ("share", "skilled abroad / (skilled abroad + skilled at home)"),
    "health_emigration_rate": ("share", "health workers abroad / (abroad + at home)"),
    "recruits": ("persons per quarter", "departures this quarter, all channels"),
    "recruits_agreement": ("persons per quarter", "departures through G2G placements"),
    "recruits_agency_regulated": ("persons per quarter", "departures through regulated agencies"),
    "recruits_agency_unregulated": ("persons per quarter",
                                    "departures through unregulated agencies"),
    "recruits_independent": ("persons per quarter", "departures without an offer (network)"),
    "health_recruits": ("persons per quarter", "health workers departing, all channels"),
    "returns": ("persons per quarter", "returns home this quarter"),
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
    "remittance_cost_share": ("share", "(fees + losses) / amount sent"),
    "formal_share": ("share", "formal / all household remittances"),
    "collective_contributions": ("kUSD per quarter", "collective remittances to associations"),
    "matched_funds": ("kUSD per quarter", "public money matching collective remittances"),
    "recruitment_fees": ("kUSD per quarter", "recruitment fees charged to this quarter's recruits"),
    "development_index": ("0-1", "population-weighted mean of the communities' index"),
    "mean_recruitment_debt": ("kUSD", "mean outstanding recruitment debt of persons abroad"),
    "brain_waste_share": ("share", "skilled persons abroad in jobs that do not use their skills"),
    "overstay_share": ("share", "contracts ending this quarter in overstay"),
    "human_capital_home": ("h", "sum of h of skilled persons at home"),
    "skilled_home": ("persons", "skilled persons at home"),
    "abroad": ("persons", "persons abroad (any status)"),
    "health_trainees": ("persons per quarter", "entrants admitted to health training"),
    "health_applicants": ("persons per quarter", "entrants who chose health training"),
}


def path_shares(status, n_stays, ties, member, remitted, tie_threshold: float = 0.5) -> dict:
    """Paths taken by everyone who has ever emigrated (MODEL_SPEC §6, per run).

    Categories (exclusive): ``circulated`` (two or more stays abroad), ``returned_once``
    (one stay, now home), ``transnational`` (abroad, remitting, association member, ties
    >= threshold), ``settled`` (abroad otherwise, any status).

    Returns:
        dict of shares (summing to 1) and ``emigrants`` (the count).
    """
    ever = n_stays >= 1
    n = int(ever.sum())
    abroad = (status >= TEMP) & (status <= IRREGULAR)
    circ = ever & (n_stays >= 2)
    once = ever & ~circ & (status == RETURNED)
    trans = ever & ~circ & abroad & remitted & member & (ties >= tie_threshold)
    settled = ever & ~circ & abroad & ~trans
    counts = {"circulated": circ.sum(), "returned_once": once.sum(),
              "transnational": trans.sum(), "settled": settled.sum()}
    out = {k: (float(v) / n if n else 0.0) for k, v in counts.items()}
    out["emigrants"] = n
    return out


__all__ = ["COUNTRY_COLUMNS", "rate", "emigration_rate", "per_10000", "path_shares"]
