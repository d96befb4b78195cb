"""Agent families, one module each: each rule and the decision that uses it live here."""

from migdev.agents.agency import RecruitmentAgency
from migdev.agents.association import MigrantAssociation
from migdev.agents.community import HomeCommunity
from migdev.agents.government import Government
from migdev.agents.migrant import Migrant

__all__ = ["Migrant", "HomeCommunity", "RecruitmentAgency", "Government", "MigrantAssociation"]
