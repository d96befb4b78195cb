"""Migrant (hometown) associations: collective remittances, matching, missions (ODD §7.7-7.8)."""

from __future__ import annotations

import mesa
import numpy as np


class MigrantAssociation(mesa.Agent):
    """The association of one origin community in one destination.

    Attributes:
        community: index of the home community; destination: index of the destination.
        members: members last quarter.
        fund: collective remittances raised last quarter (kUSD).
        matched: public money added to them last quarter (kUSD).
        missions: temporary-return missions organised last quarter.
        total_fund, total_matched, total_missions: cumulative.
    """

    def __init__(self, model, community: int, destination: int):
        super().__init__(model)
        self.community = community
        self.destination = destination
        self.members = 0
        self.fund = 0.0
        self.matched = 0.0
        self.missions = 0
        self.total_fund = 0.0
        self.total_matched = 0.0
        self.total_missions = 0

    def record(self, members: int, fund: float, matched: float, missions: int) -> None:
        self.members, self.fund, self.matched, self.missions = members, fund, matched, missions
        self.total_fund += fund
        self.total_matched += matched
        self.total_missions += missions


def collective_funds(contributions: np.ndarray, matching_ratio: float, fee: float):
    """Collective remittances and their public match ("three for one" when ratio = 3).

    matched = matching_ratio * contributions; the project stock receives
    contributions (1 - fee) + matched; the fee goes to the transfer provider.

    Returns:
        (matched, to_projects, fees).
    """
    matched = matching_ratio * contributions
    fees = contributions * fee
    return matched, contributions - fees + matched, fees


def mission_probability(ties, member, engagement, p):
    """Chance per quarter that a skilled migrant abroad makes a temporary return mission.

    P = min(1, rate (1 + engagement) (1 + boost * member) ties).
    """
    return np.minimum(1.0, p.mission_rate * (1.0 + engagement)
                      * (1.0 + p.mission_member_boost * member) * ties)
