"""Outputs: every output column with its unit and meaning, the pure measures (functions of
arrays, tested alone) and the per-step reporter :func:`country_row` that calls them on the
model's state. The model stores the rows and Mesa's DataCollector reads them
(docs/ODD.md §4.11)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from migdev.agents.government import corridor_right
from migdev.core.codes import EDUCATION, HEALTH, IRREGULAR, LOW, RETURNED, TEMP
from migdev.core.ledger import FLOW_ROW
from migdev.core.measures import emigration_rate, per_10000, rate
from migdev.model.tally import Tallies, person_tallies

#: columns of MigrationModel.country_frame(): name -> (unit, meaning). docs/ODD.md §4.11
#: documents each; a test checks that it does.
COUNTRY_COLUMNS = {
    "step": ("quarter", "step of the run (0 = initial state)"),
    "country": ("name", "origin country"),
    "party_to_agreement": ("bool", "the origin is named in a bilateral agreement of the run"),
    "protected": ("bool", "active recruitment from it is barred by some destination this step"),
    "population": ("persons", "represented population of the origin: the real population its "
                              "simulated persons stand for (constant; the denominator of every "
                              "per-10,000 figure)"),
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
    "matched_funds": ("kUSD per quarter", "public money matching collective remittances (the "
                                          "share of the promised match actually paid)"),
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
    "path_circulated": ("share", "of the origin's persons who have ever emigrated: two or more "
                                 "stays abroad (paths as in MigrationModel.paths, ODD §4.11)"),
    "path_returned_once": ("share", "of those ever emigrated: one stay, now at home"),
    "path_transnational": ("share", "of those ever emigrated: one stay, abroad, remitting, "
                                    "association member, ties >= 0.5"),
    "path_settled": ("share", "of those ever emigrated: one stay, abroad otherwise"),
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
}
#: the path categories, in the order of :func:`path_counts`
PATHS = ("path_circulated", "path_returned_once", "path_transnational", "path_settled")
#: the flows the model accumulates per corridor each quarter (model.flows_to_dest)
CORRIDOR_FLOWS = ("recruits", "health_recruits", "returns", "remittances", "missions")


def path_shares(status, n_stays, ties, member, remitted, tie_threshold: float = 0.5) -> dict:
    """Paths taken by everyone who has ever emigrated (ODD §4.11, per run).

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


def path_counts(origin, dest, status, n_stays, ties, member, remitted, n_orig: int,
                n_dest: int, tie_threshold: float = 0.5) -> np.ndarray:
    """:func:`path_shares`' categories counted per corridor of the last stay: (n_orig,
    n_dest + 1, 4) numbers of circulated, returned_once, transnational and settled among the
    persons who have ever emigrated, by origin and the destination of their last stay (the
    last column: no destination recorded, as in a hand-built population)."""
    ever = np.flatnonzero(n_stays >= 1)
    st = status[ever]
    abroad = (st >= TEMP) & (st <= IRREGULAR)
    trans = abroad & remitted[ever] & member[ever] & (ties[ever] >= tie_threshold)
    cat = np.where(n_stays[ever] >= 2, 0, np.where(~abroad, 1, np.where(trans, 2, 3)))
    d = dest[ever].astype(np.int64)
    d = np.where(d < 0, n_dest, d)
    group = (origin[ever].astype(np.int64) * (n_dest + 1) + d) * 4 + cat
    return np.bincount(group, minlength=n_orig * (n_dest + 1) * 4).reshape(n_orig, n_dest + 1,
                                                                          4)


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


def _returnee_premium(t: Tallies) -> np.ndarray:
    """Per origin: mean h of skilled returnees at home / mean h of skilled stayers (never
    emigrated) at home - 1, both weighted by the home wage of their occupation."""
    mean = np.divide(t.earnings, t.wages, out=np.zeros_like(t.earnings), where=t.wages > 0)
    ok = (mean[:, 0] > 0) & (mean[:, 1] > 0)
    return np.where(ok, mean[:, 1] / np.where(ok, mean[:, 0], 1.0) - 1.0, 0.0)


def _member_trust(model) -> np.ndarray:
    """Per origin: the associations' trust weighted by their members this quarter."""
    st = model.association_state
    mem = np.asarray(model.assoc_members, dtype=float).reshape(model.n_comm, model.n_dest)
    tr = st.trust.reshape(model.n_comm, model.n_dest)
    num, den = model.origin_sum((mem * tr).sum(axis=1)), model.origin_sum(mem.sum(axis=1))
    return np.where(den > 0, num / np.maximum(den, 1e-300), st.trust0)


#: each column's position in a row
COL_INDEX = {c: i for i, c in enumerate(COLS)}


class _Ratio(NamedTuple):
    """A column that is a ratio (divided with the others at the end of country_row)."""
    num: np.ndarray
    den: np.ndarray


def _emigration(abroad, home) -> _Ratio:
    """:func:`emigration_rate` as a ratio: abroad / (abroad + home)."""
    return _Ratio(abroad, abroad + home)


#: columns that are a flow of the quarter summed over the origin's communities, as it is
_FLOW_COLUMNS = {
    "recruits_agreement": "rec_agreement", "recruits_agency_regulated": "rec_regulated",
    "recruits_agency_unregulated": "rec_unregulated", "recruits_independent": "rec_independent",
    "recruits_named": "rec_named", "health_recruits": "rec_health", "returns": "returns",
    "missions": "missions", "knowledge_transferred": "knowledge_in",
    "remittances_formal": "rem_formal", "remittances_informal": "rem_informal",
    "remittance_fees": "rem_fees", "remittance_losses": "rem_losses",
    "collective_contributions": "collective", "matched_funds": "matched",
    "recruitment_fees": "recruit_fees", "health_trainees": "health_trainees",
    "health_applicants": "health_applicants",
}
#: columns that are one flow over another (0 where the second is 0)
_FLOW_RATIOS = {
    "return_rate": ("returns", "abroad_start"),
    "mean_returnee_skill_gain": ("return_gain", "returns"),
    "overstay_share": ("overstays", "contract_ends"),
    "contract_settle_share": ("contract_settles", "contract_ends"),
}
_FLOW_COLUMN_INDEX = [COL_INDEX[c] for c in _FLOW_COLUMNS]
_FLOW_COLUMN_ROWS = [FLOW_ROW[f] for f in _FLOW_COLUMNS.values()]
_FLOW_RATIO_INDEX = [COL_INDEX[c] for c in _FLOW_RATIOS]
_FLOW_RATIO_NUM = [FLOW_ROW[a] for a, _ in _FLOW_RATIOS.values()]
_FLOW_RATIO_DEN = [FLOW_ROW[b] for _, b in _FLOW_RATIOS.values()]
_RECRUIT_ROWS = [FLOW_ROW[k] for k in ("rec_agreement", "rec_regulated", "rec_unregulated",
                                       "rec_independent")]
#: the columns country_row computes one by one (the others are placed in bulk)
_ROW_COLUMNS = [c for c in COLS if c not in _FLOW_COLUMNS and c not in _FLOW_RATIOS]

#: the per-community stocks the country table sums over each origin's communities
_COMM_STOCKS = ("health_effective", "health_eff_returnees", "health_eff_missions",
                "education_effective", "knowledge", "h_home")


def country_row(model, tallies: Tallies | None = None) -> np.ndarray:
    """This step's (n_origins, len(COLS)) row of outputs (``tallies``: this step's
    :func:`person_tallies`, when the caller has them)."""
    pop, w = model.pop, model.world
    n_orig = model.n_orig
    t = tallies if tallies is not None else person_tallies(
        pop, w.home_wage, corridor_right(model, "employer_change_right"), n_orig, model.n_dest)
    # every per-community quantity summed over each origin's communities in one call
    fl_cols = model.flows.data.shape[0]
    per_comm = np.column_stack([model.flows.data.T, model.counts.reshape(model.n_comm, 8),
                                w.represented_pop, model.comm["development"] * w.comm_size,
                                w.comm_size] + [model.comm[k] for k in _COMM_STOCKS])
    summed = model.origin_sum(per_comm)
    fl = summed[:, :fl_cols]  # (n_orig, n_flows)
    cnt = summed[:, fl_cols:fl_cols + 8].reshape(n_orig, 4, 2)
    rep, dev_num, size = summed[:, fl_cols + 8], summed[:, fl_cols + 9], summed[:, fl_cols + 10]
    stock = dict(zip(_COMM_STOCKS, summed[:, fl_cols + 11:].T))

    def f(name):
        return fl[:, FLOW_ROW[name]]

    n_ab = t.abroad
    recruits = fl[:, _RECRUIT_ROWS].sum(axis=1)
    sent = f("rem_formal") + f("rem_informal")
    paths = shares(t.paths.sum(axis=1))
    # the other columns (the flows as they are and one flow over another: _FLOW_COLUMNS,
    # _FLOW_RATIOS) are placed below in bulk
    row = {
        "population": rep,
        "health_density": _Ratio(cnt[:, HEALTH, 1] * 10_000.0, rep),
        "effective_health_density": _Ratio(stock["health_effective"] * 10_000.0, rep),
        "effective_density_returnees": _Ratio(stock["health_eff_returnees"] * 10_000.0, rep),
        "effective_density_missions": _Ratio(stock["health_eff_missions"] * 10_000.0, rep),
        "education_density": _Ratio(cnt[:, EDUCATION, 1] * 10_000.0, rep),
        "effective_education_density": _Ratio(stock["education_effective"] * 10_000.0, rep),
        "skilled_emigration_rate": _emigration(cnt[:, :LOW, 0].sum(1), cnt[:, :LOW, 1].sum(1)),
        "health_emigration_rate": _emigration(cnt[:, HEALTH, 0], cnt[:, HEALTH, 1]),
        "recruits": recruits,
        "knowledge_stock": stock["knowledge"],
        "remittance_cost_share": _Ratio(f("rem_fees") + f("rem_losses"), sent + f("collective")),
        "formal_share": _Ratio(f("rem_formal"), sent),
        "association_trust": _member_trust(model),
        "association_membership": _Ratio(t.member, n_ab),
        "development_index": _Ratio(dev_num, size),
        "mean_recruitment_debt": _Ratio(t.debt, n_ab),
        "fee_paying_share": _Ratio(f("rec_fee_paid"), recruits),
        "change_employer_share": _Ratio(t.right, t.temporary),
        "substituted_share": _Ratio(t.substituted, t.temporary),
        "brain_waste_share": _Ratio(t.wasted, t.skilled_regular),
        "path_circulated": paths[:, 0],
        "path_returned_once": paths[:, 1],
        "path_transnational": paths[:, 2],
        "path_settled": paths[:, 3],
        "human_capital_home": stock["h_home"],
        "returnee_earnings_premium": _returnee_premium(t),
        "skilled_home": cnt[:, :LOW, 1].sum(axis=1),
        "abroad": n_ab,
        "health_density_measured": model.measured,
        "listed": model.listed,
        "misclassified": model.listed != model.truly_short,
    }
    out = np.empty((n_orig, len(COLS)))
    out[:, _FLOW_COLUMN_INDEX] = fl[:, _FLOW_COLUMN_ROWS]
    # every ratio in one division (numerator / denominator, 0 where it is 0)
    ratio_cols = [c for c in _ROW_COLUMNS if isinstance(row[c], _Ratio)]
    out[:, _FLOW_RATIO_INDEX + [COL_INDEX[c] for c in ratio_cols]] = rate(
        np.concatenate([fl[:, _FLOW_RATIO_NUM], np.stack([row[c].num for c in ratio_cols], 1)],
                       axis=1),
        np.concatenate([fl[:, _FLOW_RATIO_DEN], np.stack([row[c].den for c in ratio_cols], 1)],
                       axis=1))
    values = [c for c in _ROW_COLUMNS if not isinstance(row[c], _Ratio)]
    out[:, [COL_INDEX[c] for c in values]] = np.stack([row[c] for c in values], axis=1)
    return out
