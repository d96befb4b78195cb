"""Mesa-facing views of the model's arrays: the persons' and associations' agents, made when
first asked for, and the DataCollector whose reports are read from the stored rows."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import mesa

from migdev.agents.migrant import Migrant
from migdev.model.metrics import COL_INDEX


class AgentsOnDemand(Sequence):
    """A list of agents made by ``make`` (and so registered with Mesa) the first time one of
    them, their number or Mesa's agent sets are asked for."""

    def __init__(self, make):
        self._make = make
        self._agents: list | None = None

    def materialise(self) -> list:
        if self._agents is None:
            self._agents = self._make()
        return self._agents

    def __len__(self) -> int:
        return len(self.materialise())

    def __getitem__(self, i):
        return self.materialise()[i]


class MigrantViews(Sequence):
    """``model.migrants``: one :class:`Migrant` view per population slot, each created (and
    registered with Mesa) the first time it is asked for, so that building a model costs
    nothing per person beyond its arrays. Indexing, ``len`` and iteration work as on a list;
    reading ``model.agents`` creates every view."""

    def __init__(self, model):
        self._model = model
        self._views: dict[int, Migrant] = {}

    def __len__(self) -> int:
        return self._model.pop.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        j = int(i) + n if int(i) < 0 else int(i)
        if not 0 <= j < n:
            raise IndexError(f"slot {i} is outside the population (0 to {n - 1})")
        v = self._views.get(j)
        if v is None:
            v = self._views[j] = Migrant(self._model, j)
        return v

    def materialise(self) -> None:
        """Create every view not yet created (in slot order)."""
        if len(self._views) < len(self):
            for j in range(len(self)):
                self[j]


class RowReports(mesa.DataCollector):
    """``model.datacollector``: Mesa's DataCollector of the model reporters (``model_vars``,
    ``get_model_vars_dataframe``), whose values are read from the per-origin rows the model
    stores each step (:meth:`MigrationModel.record`) when they are first asked for, not while
    the model steps: eight reporter calls a step are a visible share of a small run's time,
    and sweeps and calibrations read the tables instead."""

    def __init__(self, model, model_reporters: dict):
        self._vars: dict[str, list] = {}
        self._model = model
        self._filled = 0  # rows of model.country_rows whose reports are in model_vars
        super().__init__(model_reporters=model_reporters)

    @property
    def model_vars(self) -> dict[str, list]:
        rows = self._model.country_rows
        while self._filled < len(rows):
            for name, reporter in self.model_reporters.items():
                self._vars[name].append(reporter(self._model, row=self._filled))
            self._filled += 1
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._vars = value

    def collect(self, model) -> None:
        """The step's row is already stored: note the time as Mesa's DataCollector does."""
        self._collection_steps.append(model.time)


def _report(model, column: str, how: str, row: int = -1) -> float:
    """A model reporter: ``column`` over origins (sum, mean, or non-party sum) at a stored
    row (by default this step's)."""
    x = model.country_rows[row][:, COL_INDEX[column]]
    if how == "mean":
        return float(x.mean())
    if how == "non_party":
        return float(x[~model.party].sum())
    return float(x.sum())


def reporters() -> dict:
    """The model reporters of ``model.datacollector`` (Mesa's ``model_vars``)."""
    return {
        "mean_health_density": partial(_report, column="health_density", how="mean"),
        "recruits": partial(_report, column="recruits", how="sum"),
        "recruits_non_party": partial(_report, column="recruits", how="non_party"),
        "returns": partial(_report, column="returns", how="sum"),
        "missions": partial(_report, column="missions", how="sum"),
        "remittances_formal": partial(_report, column="remittances_formal", how="sum"),
        "remittances_informal": partial(_report, column="remittances_informal", how="sum"),
        "development_index": partial(_report, column="development_index", how="mean"),
    }
