"""The governments' accounts (ODD §7.14): what each quarter's partnership instruments cost
and who pays, and the training investment carried across borders, per origin, in thousands
of US dollars of the world's base year (kUSD, the model's money).

The accounts read the quarter's other outputs and change nothing else: each column is a
price times a flow or a stock of the same row. A price is a figure of the world
(the cost of educating a health worker, :func:`migdev.model.world.health_training_cost`)
or a parameter marked as an assumption (``agreement_admin_cost``, ``g2g_placement_cost``,
``return_incentive_cost``, ``mission_cost``, ``data_partnership_cost``).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from migdev.core.codes import HEALTH
from migdev.core.kernels import fresh_caches, pairwise_sum
from migdev.core.ledger import rows_by_name

#: the accounts' columns of the country table (their units and meanings are in
#: ``migdev.model.metrics.COUNTRY_COLUMNS``), in the order :func:`accounts` fills them
LEDGER_COLUMNS = (
    "training_cost_departed", "training_cost_returned", "training_spending",
    "wage_rise_cost", "return_incentive_cost", "agreement_admin_origin",
    "agreement_admin_destination", "g2g_placement_cost", "mission_programme_cost",
    "data_partnership_cost", "origin_public_cost",
    "destination_public_cost", "remittances_received", "net_transfer_to_origin",
    "training_cost_avoided")

#: the prices of one policy in force (:func:`account_terms`), per origin: the cost of
#: educating a health worker, the wage rise per health worker at home, the incentive paid
#: per returnee (kUSD), the administration paid by the origin and by its destination
#: partners (kUSD per quarter), the cost of one G2G placement (kUSD), (n_orig, n_dest)
#: what each destination would have spent to educate one of the origin's health workers
#: (kUSD), what the origin's diaspora programme pays per mission (kUSD: the price times the
#: share of missions the programme adds) and the data partnership's cost per quarter (kUSD)
AccountTerms = namedtuple("AccountTerms", "train wage_rise incentive admin_origin "
                          "admin_destination placement train_destination mission data")


def agreement_parties(agreements, step: int, n_dest: int, n_orig: int,
                      listed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The agreements in force at ``step`` that each origin is party to, counted two ways:
    the origin's own (a bilateral agreement naming it: one per agreement), and its share of
    its destination partners' (each destination party's one agreement spread evenly over the
    agreement's origins; a multilateral code's destinations over the origins on the list,
    which do not sign it)."""
    own = np.zeros(n_orig)
    partners = np.zeros(n_orig)
    for a in agreements:
        if not a.active(step):
            continue
        if a.kind == "multilateral":
            origins = np.flatnonzero(listed)
        else:
            origins = np.asarray(a.origins, dtype=np.int64)
            own[origins] += 1.0
        if len(origins):
            partners[origins] += len(a.parties(n_dest)) / len(origins)
    return own, partners


def account_terms(model) -> AccountTerms:
    """The accounts' prices under the parameters and the policy in force (kept while they
    are the same, :meth:`MigrationModel.derived`)."""
    return model.derived("account_terms", lambda: make_account_terms(model))


def make_account_terms(model) -> AccountTerms:
    """:func:`account_terms`, computed."""
    p, w = model.p, model.world
    # the health workers' pay rise: the base wage (times the general home-wage scale and the
    # wages' response, ODD §7.15) times
    # the health-wage scale minus one, paid on every health worker at home (assumption: the
    # public payroll pays them all)
    base = (w.home_wage[:, HEALTH] * model.lever_at("home_wage_scale", np.s_[:])
            * model.government_state.wage_response[:, HEALTH])
    rise = base * (np.asarray(model.lever_at("health_wage_scale", np.s_[:]), dtype=float) - 1.0)
    own, partners = agreement_parties(model.agreements, model.steps, model.n_dest,
                                      model.n_orig, model.government_state.listed)
    n = model.n_orig
    engagement = np.asarray(model.lever_at("diaspora_engagement", np.s_[:]), dtype=float)
    return AccountTerms(
        train=w.health_train_cost / 1000.0,
        wage_rise=np.broadcast_to(rise, (n,)).astype(float),
        incentive=np.broadcast_to(p.return_incentive_cost * np.asarray(
            model.lever_at("return_incentive", np.s_[:]), dtype=float), (n,)).astype(float),
        admin_origin=p.agreement_admin_cost * own,
        admin_destination=p.agreement_admin_cost * partners,
        placement=float(p.g2g_placement_cost),
        train_destination=w.dest_train_cost / 1000.0,
        # the programme multiplies the mission rate by 1 + engagement (ODD §7.8): it pays
        # for the share engagement / (1 + engagement) of the missions
        mission=np.broadcast_to(p.mission_cost * engagement / (1.0 + engagement),
                                (n,)).astype(float),
        data=np.broadcast_to(p.data_partnership_cost * np.asarray(
            model.lever_at("data_partnership", np.s_[:]), dtype=float), (n,)).astype(float))


def accounts(row: np.ndarray, positions: np.ndarray, terms: AccountTerms,
             health_recruits: np.ndarray) -> None:
    """Fill the accounts' columns (:data:`LEDGER_COLUMNS`) of one step's country ``row``
    (n_orig, columns; ``positions``: :func:`column_positions` of the row's column index)
    from its other columns, in place:

    * training_cost_departed = health_recruits x c, training_cost_returned =
      health_returns x c, training_spending = health_trainees x c (c: the cost of educating
      one health worker, kUSD);
    * wage_rise_cost = the health wage rise x health workers at home (health_density x
      population / 10,000);
    * return_incentive_cost = returns x the incentive paid per returnee;
    * agreement_admin_origin, agreement_admin_destination: administration of the
      agreements in force, the origin's and its destination partners';
    * g2g_placement_cost = recruits_agreement x the cost of a placement (the destinations');
    * mission_programme_cost = missions x the programme's price per mission (the origin's);
      data_partnership_cost = the partnership's cost per quarter (the destinations');
    * origin_public_cost = matched_funds + wage_rise_cost + return_incentive_cost +
      agreement_admin_origin + mission_programme_cost; destination_public_cost =
      agreement_admin_destination + g2g_placement_cost + data_partnership_cost;
    * remittances_received = remittances_formal + remittances_informal +
      collective_contributions - remittance_fees - remittance_losses (not below 0: rounding);
    * net_transfer_to_origin = remittances_received - training_cost_departed +
      training_cost_returned;
    * training_cost_avoided = sum over destinations d of the origin's health recruits to d
      (``health_recruits``: (n_orig, n_dest), real persons) x what d would have spent to
      educate one of them.

    One compiled pass over the origins (:func:`_accounts`).
    """
    _accounts(row, positions, terms, health_recruits)


#: the columns the accounts read (then :data:`LEDGER_COLUMNS`, the columns they fill)
INPUT_COLUMNS = ("health_density", "population", "health_recruits", "health_returns",
                 "health_trainees", "returns", "recruits_agreement", "missions",
                 "matched_funds", "remittances_formal", "remittances_informal",
                 "collective_contributions", "remittance_fees", "remittance_losses")
#: where each of them is in :func:`column_positions`, by name (``pos[AT.returns]``)
AT = rows_by_name(INPUT_COLUMNS + LEDGER_COLUMNS, "AccountColumns")


def column_positions(col: dict) -> np.ndarray:
    """The positions in a row (``col``: each column's position) of :data:`INPUT_COLUMNS`,
    then of :data:`LEDGER_COLUMNS`, as :func:`accounts` takes them."""
    return np.array([col[n] for n in AT._fields], dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _accounts(row, pos, T, health_recruits):
    """:func:`accounts` of each origin in turn (the equations of its docstring, each in the
    order written there); ``pos``: :func:`column_positions`."""
    n_dest = health_recruits.shape[1]
    cost = np.empty(n_dest)
    for o in range(row.shape[0]):
        r = row[o]
        health_home = r[pos[AT.health_density]] * r[pos[AT.population]] / 10_000.0
        departed = r[pos[AT.health_recruits]] * T.train[o]
        returned = r[pos[AT.health_returns]] * T.train[o]
        wage_rise = T.wage_rise[o] * health_home
        incentive = r[pos[AT.returns]] * T.incentive[o]
        placement = r[pos[AT.recruits_agreement]] * T.placement
        mission = r[pos[AT.missions]] * T.mission[o]
        # a transfer lost whole has fee + loss = its amount, which rounding can leave one
        # unit in the last place above it: not below 0 (np.maximum's NaN kept)
        received = ((((r[pos[AT.remittances_formal]] + r[pos[AT.remittances_informal]])
                      + r[pos[AT.collective_contributions]]) - r[pos[AT.remittance_fees]])
                    - r[pos[AT.remittance_losses]])
        if not (received >= 0.0 or math.isnan(received)):
            received = 0.0
        for d in range(n_dest):
            cost[d] = health_recruits[o, d] * T.train_destination[o, d]
        r[pos[AT.training_cost_departed]] = departed
        r[pos[AT.training_cost_returned]] = returned
        r[pos[AT.training_spending]] = r[pos[AT.health_trainees]] * T.train[o]
        r[pos[AT.wage_rise_cost]] = wage_rise
        r[pos[AT.return_incentive_cost]] = incentive
        r[pos[AT.agreement_admin_origin]] = T.admin_origin[o]
        r[pos[AT.agreement_admin_destination]] = T.admin_destination[o]
        r[pos[AT.g2g_placement_cost]] = placement
        r[pos[AT.mission_programme_cost]] = mission
        r[pos[AT.data_partnership_cost]] = T.data[o]
        r[pos[AT.origin_public_cost]] = ((((r[pos[AT.matched_funds]] + wage_rise) + incentive)
                                          + T.admin_origin[o]) + mission)
        r[pos[AT.destination_public_cost]] = (T.admin_destination[o] + placement) + T.data[o]
        r[pos[AT.remittances_received]] = received
        r[pos[AT.net_transfer_to_origin]] = (received - departed) + returned
        r[pos[AT.training_cost_avoided]] = pairwise_sum(cost, 0, n_dest)


fresh_caches(__name__)
