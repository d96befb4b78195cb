"""The world and its schedule: parameters, world building, step order, policies, metrics."""

from model.model import MigrationModel
from model.params import ParameterError, Params, make_params
from model.policy import Agreement, Event
from model.scenarios import SCENARIOS, scenario

__all__ = ["MigrationModel", "Params", "ParameterError", "make_params", "Agreement", "Event",
           "SCENARIOS", "scenario"]
