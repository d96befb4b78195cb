"""The hometown associations' parameters: the public match of collective
remittances at three levels, the social fund, trust and outreach, and the knowledge a
mission adds (ODD §7.7, §7.8).

Each is declared here, next to the rules that read it; :mod:`migdev.model.params` gathers
the families' declarations into ``Params``.
"""

from __future__ import annotations

from dataclasses import dataclass

from migdev.core.params import ASSUMED, declare


@dataclass(frozen=True)
class AssociationParams:
    """The hometown associations' parameters."""

    # --- matching collective remittances, trust ---
    matching_ratio: float = declare(
        0.0, 0.0, 10.0, "units per unit",
        "Mexico 3x1: each peso matched by three (Aparicio & Meseguer 2012)",
        "public money added per unit of collective remittance", lever=True, scope="origin")
    social_fund: float = declare(
        0.0, 0.0, 1.0, "share",
        "policy lever (El Salvador's 'Unidos por la Solidaridad', which "
        "directs migrants' collective funds through the Social Investment "
        "Fund to listed projects); the share and the need-based list are "
        "assumptions",
        "share of the origin's collective money for projects (gifts less "
        "fees plus the match) that a social investment fund pools and "
        "directs to communities in proportion to their need, (1 - "
        "development) x population", lever=True, scope="origin")
    matching_honoured: float = declare(
        1.0, 0.0, 1.0, "share",
        "assumption (value); Castles & Delgado Wise 2008: tensions "
        "between migrant associations and their states of origin",
        "share of the promised public match the origin government "
        "actually pays (below 1: broken promises)",
        lever=True, scope="origin")
    # the match at several levels (ODD §7.7): matching_ratio is the national (federal)
    # level; states and municipalities may add their own, each with a budget
    matching_budget: float = declare(
        1e9, 0.0, 1e9, "kUSD per origin per quarter",
        "assumption: no budget by default (1e9 never binds); the "
        "federal 3x1 budget is a figure of each year to set per origin",
        "the national match's budget each quarter, shared among the "
        "origin's communities by matching_allocation when their "
        "requests exceed it", lever=True, scope="origin")
    matching_allocation: str = declare(
        "proportional", unit="rule",
        choices=("proportional", "least_developed_first"),
        source="design: two rules to compare (Aparicio & Meseguer "
        "2012 are reported to find 3x1 funds going to "
        "municipalities with more emigrants rather than the "
        "poorest; not read here)",
        doc="how a binding national budget is shared among an "
        "origin's communities: in proportion to their requests, "
        "or the least developed first")
    matching_ratio_state: float = declare(
        0.0, 0.0, 10.0, "units per unit",
        "Mexico 3x1: the state's peso of the three (FEDZAC, n.d., "
        "Programa 3x1 para Migrantes); value an assumption",
        "public money a state (a community's regional government) "
        "adds per unit of collective remittance",
        lever=True, scope="origin")
    matching_budget_state: float = declare(
        1e9, 0.0, 1e9, "kUSD per community per quarter",
        "assumption: no budget by default (1e9 never binds)",
        "the state match's budget each quarter, per community",
        lever=True, scope="origin")
    matching_ratio_local: float = declare(
        0.0, 0.0, 10.0, "units per unit",
        "Mexico 3x1: the municipality's peso of the three "
        "(FEDZAC, n.d., Programa 3x1 para Migrantes); value an "
        "assumption",
        "public money a municipality adds per unit of "
        "collective remittance to its community",
        lever=True, scope="origin")
    matching_budget_local: float = declare(
        1e9, 0.0, 1e9, "kUSD per community per quarter",
        "assumption: no budget by default (1e9 never binds)",
        "the municipal match's budget each quarter, per community",
        lever=True, scope="origin")
    diaspora_outreach: float = declare(
        0.0, 0.0, 1.0, "index",
        "assumption (value); IOM 2005: investment information, "
        "administrative and tax facilitation, matching funds; Castles "
        "& Delgado Wise 2008: origin governments' growing engagement",
        "origin government's outreach to its diaspora (consular "
        "services, dual citizenship, diaspora bonds, tax facilitation): "
        "raises the associations' trust", lever=True, scope="origin")
    trust_initial: float = declare(
        0.5, 0.01, 1.0, "0-1",
        "assumption: no published measure of hometown associations' "
        "trust in their origin government; participation scales with "
        "trust / trust_initial, so runs where trust never moves do not "
        "depend on it",
        "associations' trust in the origin government at the start")
    trust_learning_rate: float = declare(
        0.1, 0.0, 1.0, "per quarter", ASSUMED,
        "speed at which an association's trust moves toward the "
        "share of promises kept, and with outreach toward 1")

    # --- missions ---
    knowledge_per_mission: float = declare(
        0.5, 0.0, 10.0, "knowledge per h", ASSUMED,
        "knowledge a mission adds, per unit of the migrant's h")
