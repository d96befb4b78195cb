"""The financial intermediaries' parameters: the formal transfer fee and, where a
world switches them on, the operators' and banks' fees and the partnerships with banks
(ODD §7.7b).

Each is declared here, next to the rules that read it; :mod:`migdev.model.params` gathers
the families' declarations into ``Params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from migdev.core.params import WB_RPW, declare


@dataclass(frozen=True)
class IntermediaryParams:
    """The financial intermediaries' parameters."""

    # --- the formal transfer fee, operators and banks ---
    formal_fee: float = declare(
        0.1241, 0.0, 0.5, "share of amount",
        WB_RPW + ": sub-Saharan Africa 12.41 % in Q3 2011, the earliest regional "
        "average read (the database began in 2008; no figure for 2000-2005)",
        "cost of a formal transfer", lever=True, scope="corridor")
    # financial intermediaries (ODD §7.7b; a world that switches them on, remit2005)
    mto_fee_floor: float = declare(
        0.03, 0.0, 0.5, "share of amount",
        "assumption: the fee of a competitive transfer market, for "
        "which no estimate was read; the SDG 10.c target (3 %) stands "
        "in for it; a calibration target",
        "the fee money-transfer operators' fees fall towards as a "
        "corridor's volume grows")
    fee_volume_elasticity: float = declare(
        0.5, 0.0, 5.0, "elasticity",
        "assumption: no estimate read; at 0.5 a doubling of a "
        "corridor's remittances cuts the operators' markup by "
        "29 %; a calibration target",
        "fall of the operators' markup with the corridor's "
        "volume, (V / V0)^(-elasticity)")
    fee_disclosure: float = declare(
        0.0, 0.0, 1.0, "0-1", "policy lever (0: no disclosure rule)",
        "a rule that transfer fees and exchange margins be disclosed "
        "(1: in force)", lever=True, scope="origin")
    disclosure_markup_cut: float = declare(
        0.3, 0.0, 1.0, "share of the markup",
        "assumption: no estimate read of what disclosure does "
        "to fees",
        "the share of the operators' markup a disclosure rule "
        "removes")
    bank_partnership: float = declare(
        0.0, 0.0, 1.0, "0-1",
        "policy lever (a tri-partite agreement: destination, origin "
        "and banks; banks accept consular identity cards)",
        "1 where a tri-partite agreement with banks is in force: "
        "banks' share of formal transfers grows towards the "
        "households with an account", lever=True, scope="origin")
    bank_share0: float = declare(
        0.03, 0.0, 1.0, "share",
        "Pew Hispanic Center (2004), as quoted: banks carried at most 3 % "
        "of remittances from the United States to Mexico before the "
        "partnerships; the Pew survey of 2003 found senders using banks "
        "for 11 % of transfers (quoted by the Federal Reserve Bank of "
        "Minneapolis, 2008), after the Partnership for Prosperity",
        "banks' share of formal transfers in the base year")
    bank_uptake: float = declare(
        0.05, 0.0, 1.0, "per quarter",
        "assumption: no estimate read; a calibration target",
        "the fraction of the gap to the households with an account that "
        "banks' share closes each quarter under a partnership")
    bank_fee: float = declare(
        0.05, 0.0, 0.5, "share of amount",
        "assumption: no bank price for 2000-2005 read",
        "the fee of a bank transfer without the central-bank link")
    transfer_link: float = declare(
        0.0, 0.0, 1.0, "0-1",
        "policy lever (a central-bank transfer link, as the FedACH "
        "International Mexico service from February 2004)",
        "1 where a central-bank link carries bank transfers at a flat "
        "fee", lever=True, scope="origin")
    transfer_link_fee: float = declare(
        0.0043, 0.0, 0.5, "share of amount",
        "derived: the link's charges on a 300 USD transfer, 0.67 USD "
        "a payment to the sending institution (directoamexico.com) "
        "and 0.21 % on the exchange rate (Banco de Mexico), 0.0043; "
        "the banks' own margin is not included (a lower bound)",
        "the fee of a bank transfer through the central-bank link")
