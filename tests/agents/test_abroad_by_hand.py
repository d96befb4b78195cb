"""A quarter abroad (ODD §7.6-7.9) on hand-made worlds: persons and random numbers set by
hand, the compiled quarter run as the model runs it (``migrant.abroad_quarter``), and each
person's outcome worked out on paper from the ODD's equations."""

import math

import pytest

from migdev.core.codes import (
    CH_AGREEMENT,
    CH_UNREGULATED,
    EDUCATION,
    HEALTH,
    IRREGULAR,
    LOW,
    RETURNED,
    SETTLED,
    TEMP,
)

#: the work, remittance and return equations without the drift of ties and integration, so
#: that a person's terms are the ones set by hand
STILL = {"integration_rate": 0.0, "ties_decay": 0.0, "association_ties": 0.0}


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def community(hm, slot: int) -> int:
    return int(hm.pop.community[slot])


def test_income_skills_integration_and_ties(handmade):
    # share remitted 0 and no debt: all of the net income is saved, so savings show income
    hm = handmade(remit_base=0.0, remit_ties=0.0, integration_policy=0.5)
    p, wage = hm.m.p, hm.m.world.wage_dest
    matched = hm.abroad(0, TEMP, 0, HEALTH, matched=True, integration=0.5, ties=1.0,
                        channel=CH_AGREEMENT, h=1.2)
    wasted = hm.abroad(1, TEMP, 1, HEALTH, matched=False, integration=0.0, ties=0.5,
                       channel=CH_UNREGULATED)
    irregular = hm.abroad(2, IRREGULAR, 0, LOW, ties=0.5, channel=3)
    hm.quarter_abroad()
    pop, net = hm.pop, 1.0 - p.consumption_share
    # matched: w_dest[d, k] h; skilled in a low-skilled job: w_dest[d, low]; irregular: 0.7 of it
    assert pop.savings[[matched, wasted, irregular]] == pytest.approx(
        [wage[0, HEALTH] * 1.2 * net, wage[1, LOW] * net, 0.7 * wage[0, LOW] * net], rel=1e-6)
    # skills: h (1 + g) when matched, h (1 - waste) when not, bounded; the irregular's unchanged
    assert pop.h[[matched, wasted, irregular]] == pytest.approx(
        [min(1.2 * (1 + p.skill_growth_abroad), p.h_max),
         max(1 - p.brain_waste_rate, p.h_min), 1.0], rel=1e-6)
    # integration: I + rate (policy + advocacy member - abuse unregulated) (1 - I), in [0, 1]
    assert pop.integration[[matched, wasted]] == pytest.approx(
        [0.5 + p.integration_rate * 0.5 * 0.5,
         max(0.0, p.integration_rate * (0.5 - p.abuse_penalty))], rel=1e-6)
    # ties decay: T (1 - decay) for non-members
    assert pop.ties[[matched, wasted]] == pytest.approx(
        [1.0 - p.ties_decay, 0.5 * (1 - p.ties_decay)], rel=1e-6)
    assert pop.q_abroad[[matched, wasted, irregular]].tolist() == [1, 1, 1]


def test_recognition_and_joining_follow_their_draws(handmade):
    hm = handmade()
    p = hm.m.p
    below, above = 0.5 * p.recognition_rate, 0.5 * (1 + p.recognition_rate)
    a = hm.abroad(0, TEMP, 0, HEALTH)
    b = hm.abroad(1, TEMP, 0, HEALTH)
    c = hm.abroad(2, IRREGULAR, 0, HEALTH)
    for slot, u in ((a, below), (b, above), (c, 0.0)):
        hm.draw("work", slot, u, row=1)  # recognition of skills
    hm.draw("work", a, 0.5 * p.association_join_rate, row=0)  # joining the association
    hm.quarter_abroad()
    # an irregular worker's skills are never recognised
    assert hm.pop.matched[[a, b, c]].tolist() == [True, False, False]
    assert hm.pop.member[[a, b, c]].tolist() == [True, False, False]


def test_remittances_repay_debt_then_share_of_the_rest(handmade):
    hm = handmade(formal_fee=0.07, informal_fee=0.02)
    p, wage = hm.m.p, hm.m.world.wage_dest
    s = hm.abroad(0, TEMP, 0, HEALTH, matched=True, debt=1.0, ties=0.5, q_abroad=7,
                  kept_total=2.0, q_total=11)
    hm.m.community_state.access[community(hm, s)] = 1.0
    hm.draw("remit", s, 0.0, row=0)  # has access
    hm.draw("remit", s, 0.0, row=1)  # chooses the formal channel
    hm.quarter_abroad()
    # ties after the quarter's work: T (1 - decay)
    ties = 0.5 * (1 - p.ties_decay)
    net = wage[0, HEALTH] * (1 - p.consumption_share)
    repay = min(1.0, p.debt_repay_share * net)
    years = (7 + 1) / 4  # this quarter counted
    share = p.remit_base + p.remit_ties * ties - p.remit_years * years
    amount = (net - repay) * share
    money = hm.m.flows.money
    assert hm.pop.debt[s] == pytest.approx(1.0 - repay, rel=1e-6)
    assert hm.pop.savings[s] == pytest.approx(net - repay - amount, rel=1e-5)
    assert money["sent"] == pytest.approx(amount, rel=1e-6)
    assert money["fees"] == pytest.approx(0.07 * amount, rel=1e-6)
    assert money["received"] == pytest.approx(0.93 * amount, rel=1e-6)
    assert money["losses"] == 0.0
    c = community(hm, s)
    assert hm.m.flows["rem_formal"][c] == pytest.approx(amount, rel=1e-6)
    assert hm.m.flows["rem_informal"][c] == 0.0
    assert hm.pop.remitted[s]
    # the migrant's own quarter (ODD §7.7): kept = income - repay - amount (consumption and
    # savings), the debt service, one temporary worker, the stay so far (8 quarters)
    income = wage[0, HEALTH]
    assert hm.m.flows["kept_temporary"][c] == pytest.approx(income - repay - amount, rel=1e-6)
    assert hm.m.flows["repaid_temporary"][c] == pytest.approx(repay, rel=1e-6)
    assert hm.m.flows["abroad_temporary"][c] == 1.0
    assert hm.m.flows["quarters_temporary"][c] == 8.0
    for k in ("settled", "irregular"):
        assert hm.m.flows[f"abroad_{k}"][c] == 0.0 and hm.m.flows[f"kept_{k}"][c] == 0.0
    # and over the person's stays: what was kept before plus this quarter's, 11 + 1 quarters
    assert hm.pop.kept_total[s] == pytest.approx(2.0 + income - repay - amount, rel=1e-6)
    assert hm.pop.q_total[s] == 12


def test_a_settled_migrant_s_quarter_is_counted_as_settled(handmade):
    hm = handmade(remit_base=0.0, remit_ties=0.0)
    s = hm.abroad(0, SETTLED, 0, HEALTH, matched=True, q_abroad=3)
    hm.quarter_abroad()
    c = community(hm, s)
    # nothing remitted and no debt: the whole income is kept
    assert hm.m.flows["kept_settled"][c] == pytest.approx(hm.m.world.wage_dest[0, HEALTH],
                                                          rel=1e-6)
    assert hm.m.flows["abroad_settled"][c] == 1.0 and hm.m.flows["quarters_settled"][c] == 4.0
    assert hm.m.flows["abroad_temporary"][c] == 0.0


@pytest.mark.parametrize("lost", [False, True])
def test_an_informal_transfer_pays_its_fee_and_may_be_lost(handmade, lost):
    hm = handmade(formal_fee=0.07, informal_fee=0.02)
    p = hm.m.p
    s = hm.abroad(0, TEMP, 0, LOW)
    hm.m.community_state.access[community(hm, s)] = 0.0  # no access: informal
    hm.draw("remit", s, 0.5 * p.informal_loss if lost else 0.5 * (1 + p.informal_loss), row=2)
    hm.quarter_abroad()
    money = hm.m.flows.money
    sent = money["sent"]
    assert sent > 0
    assert money["fees"] == pytest.approx(0.02 * sent, rel=1e-6)
    assert money["losses"] == pytest.approx(0.98 * sent if lost else 0.0, rel=1e-6)
    assert money["received"] == pytest.approx(0.0 if lost else 0.98 * sent, abs=1e-9)
    # money is conserved: received + fees + losses = sent
    assert money["received"] + money["fees"] + money["losses"] == pytest.approx(sent)
    assert hm.m.flows["rem_informal"][community(hm, s)] == pytest.approx(sent, rel=1e-6)


def overstay_probability(hm, slot: int, guarantee: float = 0.0) -> float:
    """ODD §7.9: logistic(c - e enforcement + k (1 - D)) (1 - g)."""
    p = hm.m.p
    dev = hm.m.community_state.development[community(hm, slot)]
    x = (p.overstay_const - p.overstay_enforcement * p.border_enforcement
         + p.overstay_hardship * (1.0 - dev))
    return logistic(x) * (1.0 - guarantee)


@pytest.mark.parametrize("where,status", [(0.99, SETTLED), (1.01, IRREGULAR), (1.99, IRREGULAR),
                                          (2.01, RETURNED)])
def test_a_contract_ends_in_settlement_overstay_or_return(handmade, where, status):
    hm = handmade(settlement_visa_openness=0.4, **STILL)
    hm.m.community_state.development[:] = 0.2
    s = hm.abroad(0, TEMP, 0, HEALTH, contract_left=1, integration=0.5)
    settle = 0.4 * 0.5  # visa openness x integration x (1 - guarantee), for the skilled
    over = overstay_probability(hm, s)
    cut = [0.0, settle, settle + (1 - settle) * over, 1.0]
    k = int(where)
    hm.draw("returns", s, cut[k] + (where - k) * (cut[k + 1] - cut[k]))
    hm.quarter_abroad()
    assert hm.pop.status[s] == status
    c = community(hm, s)
    assert hm.m.flows["contract_ends"][c] == 1
    assert hm.m.flows["contract_settles"][c] == (status == SETTLED)
    assert hm.m.flows["overstays"][c] == (status == IRREGULAR)
    assert hm.m.flows["returns"][c] == (status == RETURNED)


@pytest.mark.parametrize("side,status", [(0.99, IRREGULAR), (1.01, RETURNED)])
def test_the_right_to_change_employer_lowers_overstay(handmade, side, status):
    # overstay: logistic(c - e enforcement + k (1 - D) - r right) (1 - g)
    hm = handmade(employer_change_right=1.0, overstay_rights=1.0, **STILL)
    hm.m.community_state.development[:] = 0.2
    s = hm.abroad(0, TEMP, 0, LOW, contract_left=1)
    p = hm.m.p
    x = p.overstay_const - p.overstay_enforcement * p.border_enforcement + p.overstay_hardship * 0.8
    over = logistic(x - 1.0)
    assert over * 1.01 < logistic(x) * 0.99  # the draws tell the two apart
    hm.draw("returns", s, side * over)
    hm.quarter_abroad()
    assert hm.pop.status[s] == status


def test_a_substituted_contract_pays_less_and_a_change_of_employer_ends_it(handmade):
    hm = handmade(remit_base=0.0, remit_ties=0.0, substitution_loss=0.25,
                  change_employer_match=0.5, employer_change_right=1.0)
    wage, net = hm.m.world.wage_dest[0, LOW], 1.0 - hm.m.p.consumption_share
    stays = hm.abroad(0, TEMP, 0, LOW, substituted=True, channel=CH_UNREGULATED)
    leaves = hm.abroad(1, TEMP, 0, LOW, substituted=True, channel=CH_UNREGULATED)
    never = hm.abroad(2, TEMP, 0, LOW, channel=CH_UNREGULATED)
    hm.draw("work", stays, 0.9, row=1)  # no change of employer: 0.9 >= 0.5 x right
    hm.draw("work", leaves, 0.3, row=1)  # changes employer: 0.3 < 0.5
    hm.quarter_abroad()
    # a substituted contract pays the promised wage / (1 + loss)
    assert hm.pop.savings[[stays, leaves, never]] == pytest.approx(
        [wage / 1.25 * net, wage * net, wage * net], rel=1e-6)
    assert hm.pop.substituted[[stays, leaves, never]].tolist() == [True, False, False]


def test_low_skilled_temporary_workers_never_settle(handmade):
    hm = handmade(settlement_visa_openness=1.0, **STILL)
    s = hm.abroad(0, TEMP, 0, LOW, contract_left=1, integration=1.0)
    hm.draw("returns", s, 0.0)
    hm.quarter_abroad()
    assert hm.pop.status[s] == IRREGULAR  # the lowest draw overstays: no settlement share


@pytest.mark.parametrize("rest,named", [(0.25, True), (0.75, False)])
def test_the_employer_names_a_returning_worker_with_the_rest_of_the_draw(handmade, rest, named):
    hm = handmade(settlement_visa_openness=0.0, named_rehire_rate=0.5, **STILL)
    s = hm.abroad(0, TEMP, 0, HEALTH, contract_left=1)
    a = overstay_probability(hm, s)  # no settlement: a = 0 + (1 - 0) o
    hm.draw("returns", s, a + rest * (1 - a))
    hm.quarter_abroad()
    assert hm.pop.status[s] == RETURNED
    assert hm.pop.named[s] == named  # v = (u - a) / (1 - a) < rate


def return_probability(hm, slot: int, years: float, incentive: float = 0.0,
                       wage_rel: float = 1.0, saved: float = 0.0, portability: float = 0.0,
                       life_gone: float = 0.0) -> float:
    """ODD §7.9: P = 1 - exp(-lambda), lambda = lambda0 exp(b_T T + b_D D + b_R R - b_I I
    - b_Y years + b_P portability - b_W ln(wage_rel) + b_S saved + b_A life_gone)."""
    p, pop = hm.m.p, hm.pop
    dev = hm.m.community_state.development[community(hm, slot)]
    x = (p.hazard_ties * float(pop.ties[slot]) + p.hazard_development * dev
         + p.hazard_incentive * incentive - p.hazard_integration * float(pop.integration[slot])
         - p.hazard_years * years + p.hazard_portability * portability
         - p.hazard_wage_abroad * math.log(wage_rel)
         + p.hazard_savings * saved + p.hazard_retirement * life_gone)
    return 1.0 - math.exp(-p.return_hazard * math.exp(x))


@pytest.mark.parametrize("case", ["plain", "incentive", "wage", "savings", "portability",
                                  "retirement"])
def test_settled_return_hazard_by_hand(handmade, case):
    kw = {"plain": {}, "incentive": {"return_incentive": 1.0},
          "wage": {"hazard_wage_abroad": 1.5, "wage_dest_scale": 1.2},
          "savings": {"hazard_savings": 2.0},
          "portability": {"social_security_portability": 1.0, "hazard_portability": 0.5},
          # aged 53.5 (a quarter abroad ages no one), entry at 22, retirement at 65:
          # (53.5 - 22) / 43 of the working life gone
          "retirement": {"hazard_retirement": 1.5, "entry_age": 22.0,
                         "retirement_age": 65.0}}[case]
    outcome = {}
    for side in (1 - 1e-3, 1 + 1e-3):
        # no consumption left to save or send: savings stay as set by hand
        hm = handmade(consumption_share=1.0, return_hazard=0.05, **STILL, **kw)
        p = hm.m.p
        hm.m.community_state.development[:] = 0.3
        origin = int(hm.pop.origin[0])
        target = p.savings_target_quarters * hm.m.world.home_wage[origin, HEALTH]
        s = hm.abroad(0, SETTLED, 0, HEALTH, ties=0.5, integration=0.4, q_abroad=7,
                      savings=0.5 * target, age=53.5)
        prob = return_probability(
            hm, s, years=(7 + 1) / 4, incentive=kw.get("return_incentive", 0.0),
            wage_rel=kw.get("wage_dest_scale", 1.0), saved=0.5 if case == "savings" else 0.0,
            portability=kw.get("social_security_portability", 0.0),
            life_gone=(53.5 - 22.0) / (65.0 - 22.0))
        hm.draw("returns", s, prob * side)
        hm.quarter_abroad()
        outcome[side] = bool(hm.pop.status[s] == RETURNED)
        if side > 1:
            assert 0.01 < prob < 0.9, prob
    assert outcome == {1 - 1e-3: True, 1 + 1e-3: False}


def test_each_return_motive_moves_the_hazard_its_way(handmade):
    hm = handmade(hazard_wage_abroad=1.5, hazard_savings=2.0, hazard_retirement=1.5)
    base = return_probability(hm, 0, 2.0)
    lam0 = -math.log1p(-base)
    assert -math.log1p(-return_probability(hm, 0, 2.0, wage_rel=1.2)) == pytest.approx(
        lam0 * 1.2 ** -1.5)
    assert -math.log1p(-return_probability(hm, 0, 2.0, saved=0.5)) == pytest.approx(
        lam0 * math.exp(1.0))
    # at retirement the whole working life is gone: the hazard times e^1.5
    assert -math.log1p(-return_probability(hm, 0, 2.0, life_gone=1.0)) == pytest.approx(
        lam0 * math.exp(1.5))


@pytest.mark.parametrize("below", [True, False])
def test_irregular_migrants_return_or_are_removed_at_their_rate(handmade, below):
    hm = handmade()
    p = hm.m.p
    rate = p.irregular_return + p.removal_rate * p.border_enforcement
    s = hm.abroad(0, IRREGULAR, 0, LOW)
    hm.draw("returns", s, rate * (0.99 if below else 1.01))
    hm.quarter_abroad()
    assert (hm.pop.status[s] == RETURNED) == below


def test_a_returnee_brings_home_her_skills_and_savings(handmade):
    hm = handmade(consumption_share=1.0, **STILL)
    p = hm.m.p
    s = hm.abroad(0, IRREGULAR, 0, HEALTH, h=1.5, h_dep=1.2, savings=3.0, member=True,
                  matched=False, kept_total=4.0, q_total=9)
    hm.draw("returns", s, 0.0)
    invested = hm.m.community_state.investment.copy()
    hm.quarter_abroad()
    pop, c = hm.pop, community(hm, s)
    assert pop.status[s] == RETURNED and pop.contract_left[s] == 0
    assert not pop.member[s] and pop.savings[s] == 0.0
    # the stays' totals go home with her: what she kept before plus this quarter's income
    # (all consumed, so none of it remitted or repaid: an irregular's 0.7 of the low-skilled
    # wage), 9 + 1 quarters
    assert pop.kept_total[s] == pytest.approx(4.0 + 0.7 * hm.m.world.wage_dest[0, LOW],
                                              rel=1e-6)
    assert pop.q_total[s] == 10
    assert hm.m.flows["returns"][c] == 1
    # the skills gained abroad (h - h at departure, not below 0)
    # (an irregular worker's skills waste this quarter: h (1 - waste))
    gain = max(1.5 * (1 - p.brain_waste_rate), p.h_min) - 1.2
    assert gain > 0
    assert hm.m.flows["return_gain"][c] == pytest.approx(gain, rel=1e-5)
    assert hm.m.community_state.investment[c] - invested[c] == pytest.approx(
        3.0 * p.household_invest_share)


@pytest.mark.parametrize("occ,status,member", [(HEALTH, TEMP, False), (EDUCATION, SETTLED, True),
                                               (LOW, TEMP, True), (HEALTH, IRREGULAR, True)])
def test_missions_by_hand(handmade, occ, status, member):
    # matched, with no growth of skills: h at the mission is h as set
    hm = handmade(mission_rate=0.05, diaspora_engagement=1.0, skill_growth_abroad=0.0, **STILL)
    p = hm.m.p
    s = hm.abroad(0, status, 0, occ, ties=0.8, member=member, h=1.1, matched=occ != LOW)
    hm.draw("work", s, 0.0 if member else 0.9999, row=0)  # members stay members
    prob = min(1.0, p.mission_rate * (1 + 1.0) * (1 + p.mission_member_boost * member) * 0.8)
    can = occ != LOW and status != IRREGULAR  # low-skilled and irregular migrants make none
    for u, goes in ((prob * 0.99, can), (prob * 1.01, False)):
        hm.draw("mission", s, u)
        hm.quarter_abroad()
        c = community(hm, s)
        assert hm.m.flows["missions"][c] == goes
        assert hm.m.flows["knowledge_in"][c] == pytest.approx(
            p.knowledge_per_mission * 1.1 if goes else 0.0, rel=1e-5)
        assert hm.m.flows["mission_health_h"][c] == pytest.approx(
            1.1 if goes and occ == HEALTH else 0.0, rel=1e-5)
        assert hm.m.flows["mission_education_h"][c] == pytest.approx(
            1.1 if goes and occ == EDUCATION else 0.0, rel=1e-5)


def test_the_insurance_motive_adds_its_share_when_home_earnings_fall(handmade):
    # home wages 0.8 of the base year's everywhere: the remitted share rises by
    # remit_insurance (1 - 0.8) = 0.5 x 0.2 = 0.1 (ODD §7.7)
    hm = handmade(remit_insurance=0.5, home_wage_scale=0.8, formal_fee=0.07, **STILL)
    p, wage = hm.m.p, hm.m.world.wage_dest
    s = hm.abroad(0, TEMP, 0, HEALTH, matched=True, debt=0.0, ties=0.5, q_abroad=3)
    hm.m.community_state.access[community(hm, s)] = 1.0
    hm.draw("remit", s, 0.0, row=0)
    hm.draw("remit", s, 0.0, row=1)
    hm.quarter_abroad()
    net = wage[0, HEALTH] * (1 - p.consumption_share)
    share = p.remit_base + p.remit_ties * 0.5 - p.remit_years * (3 + 1) / 4 + 0.5 * 0.2
    assert hm.m.flows.money["sent"] == pytest.approx(net * share, rel=1e-6)
    assert hm.pop.savings[s] == pytest.approx(net * (1 - share), rel=1e-5)
