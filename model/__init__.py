"""The world and its schedule: parameters, world building, step order, policies, metrics.

Names are loaded on first use, so that ``agents`` can import ``model.population`` and
``model.policy`` without importing the model itself.
"""

from importlib import import_module

_EXPORTS = {
    "MigrationModel": "model.model",
    "Params": "model.params",
    "ParameterError": "model.params",
    "make_params": "model.params",
    "Agreement": "model.policy",
    "Event": "model.policy",
    "SCENARIOS": "model.scenarios",
    "scenario": "model.scenarios",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
