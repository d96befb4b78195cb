"""The world and its schedule: world building, step order, policy state, metrics, scenarios."""

from migdev.model.model import MigrationModel
from migdev.model.scenarios import SCENARIOS, scenario

__all__ = ["MigrationModel", "SCENARIOS", "scenario"]
