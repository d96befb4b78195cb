"""The per-step reporter: one row of every output column per origin country.

It reads the model's state and calls the pure measures of ``migdev.model.metrics``; the
model stores the rows and Mesa's DataCollector reads them (docs/ODD.md §4.11).
"""

from __future__ import annotations

import numpy as np

from migdev.core.codes import EDUCATION, HEALTH, IRREGULAR, LOW
from migdev.core.ledger import FLOW_ROW
from migdev.model.metrics import COUNTRY_COLUMNS, emigration_rate, per_10000, rate

#: the numeric columns of a row, in order (step, country and the flags are added by the model)
COLS = [c for c in COUNTRY_COLUMNS if c not in ("step", "country", "party_to_agreement",
                                                "protected")]


def country_row(model) -> np.ndarray:
    """This step's (n_origins, len(COLS)) row of outputs."""
    pop, w = model.pop, model.world
    osum = model.origin_sum
    fl = osum(model.flows.data.T)  # (n_orig, n_flows)

    def f(name):
        return fl[:, FLOW_ROW[name]]

    cnt = osum(model.counts.reshape(model.n_comm, 8)).reshape(model.n_orig, 4, 2)
    rep = osum(w.represented_pop)
    ab = pop.abroad()
    ia = np.flatnonzero(ab)
    oa = pop.origin[ia]
    sk = pop.occ[ia] < LOW
    n_ab = np.bincount(oa, minlength=model.n_orig)
    mean_debt = rate(np.bincount(oa, weights=pop.debt[ia], minlength=model.n_orig), n_ab)
    wasted = sk & ~pop.matched[ia] & (pop.status[ia] != IRREGULAR)
    sk_reg = sk & (pop.status[ia] != IRREGULAR)
    brain_waste = rate(np.bincount(oa, weights=wasted, minlength=model.n_orig),
                               np.bincount(oa, weights=sk_reg, minlength=model.n_orig))
    dev = rate(osum(model.comm["development"] * w.comm_size), osum(w.comm_size))
    recruits = fl[:, [FLOW_ROW[k] for k in ("rec_agreement", "rec_regulated",
                                            "rec_unregulated", "rec_independent")]]
    sent = f("rem_formal") + f("rem_informal")
    row = {
        "health_density": per_10000(cnt[:, HEALTH, 1], rep),
        "education_density": per_10000(cnt[:, EDUCATION, 1], rep),
        "skilled_emigration_rate": emigration_rate(cnt[:, :LOW, 0].sum(1),
                                                           cnt[:, :LOW, 1].sum(1)),
        "health_emigration_rate": emigration_rate(cnt[:, HEALTH, 0],
                                                          cnt[:, HEALTH, 1]),
        "recruits": recruits.sum(axis=1),
        "recruits_agreement": recruits[:, 0],
        "recruits_agency_regulated": recruits[:, 1],
        "recruits_agency_unregulated": recruits[:, 2],
        "recruits_independent": recruits[:, 3],
        "health_recruits": f("rec_health"),
        "returns": f("returns"),
        "return_rate": rate(f("returns"), f("abroad_start")),
        "missions": f("missions"),
        "mean_returnee_skill_gain": rate(f("return_gain"), f("returns")),
        "knowledge_stock": osum(model.comm["knowledge"]),
        "knowledge_transferred": f("knowledge_in"),
        "remittances_formal": f("rem_formal"),
        "remittances_informal": f("rem_informal"),
        "remittance_fees": f("rem_fees"),
        "remittance_losses": f("rem_losses"),
        "remittance_cost_share": rate(f("rem_fees") + f("rem_losses"),
                                              sent + f("collective")),
        "formal_share": rate(f("rem_formal"), sent),
        "collective_contributions": f("collective"),
        "matched_funds": f("matched"),
        "recruitment_fees": f("recruit_fees"),
        "development_index": dev,
        "mean_recruitment_debt": mean_debt,
        "brain_waste_share": brain_waste,
        "overstay_share": rate(f("overstays"), f("contract_ends")),
        "human_capital_home": osum(model.comm["h_home"]),
        "skilled_home": cnt[:, :LOW, 1].sum(axis=1),
        "abroad": n_ab.astype(float),
        "health_trainees": f("health_trainees"),
        "health_applicants": f("health_applicants"),
    }
    return np.stack([row[c] for c in COLS], axis=1)
