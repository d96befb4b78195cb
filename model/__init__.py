"""The world and its schedule: world building, step order, policy state, metrics, scenarios.

``MigrationModel`` is imported when first asked for (it brings in Mesa, pandas and the
compiled kernels, about a second), so that what needs only the scenarios — reading a
configuration, the command line's messages — starts at once."""

from migdev.model.scenarios import SCENARIOS, scenario

__all__ = ["MigrationModel", "SCENARIOS", "scenario"]


def __getattr__(name: str):
    if name == "MigrationModel":
        from migdev.model.model import MigrationModel

        return MigrationModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
