"""migdev: an agent-based simulation of migration partnerships, built on Mesa.

    from migdev import MigrationModel
    m = MigrationModel(rng=42, agreement_kind="restrictive")
    m.run_for(120)
    m.country_frame()

    res = migdev.run_experiment("headline_small")   # an experiment, from Python
    res.effects("agreement_kind")                     # paired effects with 95 % CIs

Layers, each importing only those below it (checked by tests/test_layers.py):
``migdev.core`` (codes, parameter declaration, policy records, errors, measures) →
``migdev.agents`` (behaviour) → ``migdev.model`` (world and schedule) →
``migdev.experiments.engine`` (configs, designs, runs, store) →
``migdev.experiments.analysis`` (statistics, figures) → the command line
(``migdev.experiments.cli``), the demo (``migdev.demo``) and ``migdev.benchmarks``.
"""

from importlib.metadata import PackageNotFoundError, version

from migdev.core.errors import ParameterError
from migdev.core.records import Agreement, Event
from migdev.model import SCENARIOS, scenario

try:
    __version__ = version("migdev")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"


#: the experiments' Python API (docs/EXPERIMENTS.md, "From Python"), imported when first used
_API = ("run_experiment", "load_results", "Results")


def __getattr__(name: str):
    # Params gathers every family's declarations, so Mesa and the compiled kernels come
    # with it: imported when first asked for
    if name in ("Params", "make_params"):
        from migdev.model import params

        return getattr(params, name)
    if name == "MigrationModel":  # imported when first asked for (see migdev.model)
        from migdev.model.model import MigrationModel

        return MigrationModel
    if name in _API:
        from migdev.experiments import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MigrationModel", "Params", "make_params", "ParameterError", "Agreement", "Event",
           "SCENARIOS", "scenario", "run_experiment", "load_results", "Results", "__version__"]
