"""Agent families: one module each (behaviour lives here, the schedule in model/)."""

from agents.agency import RecruitmentAgency
from agents.association import MigrantAssociation
from agents.community import HomeCommunity
from agents.government import Government
from agents.migrant import Migrant

__all__ = ["Migrant", "HomeCommunity", "RecruitmentAgency", "Government", "MigrantAssociation"]
