"""The Python API of experiments: run a config, load a results folder, read its tables and
paired effects, draw its figures and reproduce it — the same paths the command line takes
(``migdev sweep``, ``migdev plot``, ``migdev reproduce`` are thin shells over these).

    >>> import migdev
    >>> res = migdev.run_experiment("headline_small", out="results/headline_small")
    >>> res.paired.head()                   # one row per paired replicate
    >>> res.effects("agreement_kind")       # means and 95 % CIs per agreement kind
    >>> figs = res.figures()                # the CLI's figures, as matplotlib figures
    >>> same = migdev.load_results("results/headline_small")
    >>> ok, differences = same.reproduce()  # every run again, compared with the store
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

__all__ = ["Results", "run_experiment", "load_results"]


def _config(config):
    """A parsed config and its design from a config object, a TOML path or a shipped
    config's name (errors as the command line's: ConfigError naming file and key)."""
    from migdev.experiments.engine.config import ExperimentConfig, load
    from migdev.experiments.engine.design import build

    cfg = config if isinstance(config, ExperimentConfig) else load(config)
    return cfg, build(cfg.design, cfg.source)


def run_experiment(config, out: str | Path | None = None, *, workers: int | None = None,
                   scheduler: str | None = None, dask_local: int | None = None,
                   quiet: bool = False, analyse: bool = True, inprocess: bool = False,
                   connect_timeout: float | None = None) -> Results:
    """Run (or resume) an experiment and return its :class:`Results`.

    Args:
        config: a config file (TOML), the name of a shipped config (``"headline_small"``,
            ``"baseline"``: the TOML files of ``experiments/configs``) or a parsed config.
        out: the results folder (default ``results/<experiment name>``). Runs already
            stored there are kept, not run again.
        workers: local processes (default: every core); ``scheduler``: a Dask scheduler's
            address; ``dask_local``: a local Dask cluster of that many workers. One at most.
        quiet: no progress bar (in Jupyter the bar is a notebook widget where available).
        analyse: write the analysis tables and figures when the experiment is complete, as
            ``migdev sweep`` does.
        inprocess: run every run in this process, one after the other (``migdev run``).
        connect_timeout: seconds to wait for a Dask scheduler (default 10).

    Returns:
        the results; ``results.status`` is ``"complete"`` unless runs failed
        (``"failures"``) or the sweep stopped early (Ctrl-C: ``"interrupted"``, a lost
        scheduler or a full disk), in which case what was stored is kept and the same call
        resumes it.

    Raises:
        ConfigError: the config is invalid (the message names the file, key and allowed
            values); StoreBusy: another process is writing ``out``.

    Example:
        >>> res = migdev.run_experiment("headline_small", workers=2)
        >>> res.effects("agreement_kind").query("outcome == 'extra_recruits_nonparty'")
    """
    from migdev.experiments.engine import executors
    from migdev.experiments.engine.sweep import run_experiment as run

    if sum(bool(x) for x in (workers, scheduler, dask_local)) > 1:
        raise ValueError("choose one of workers, scheduler and dask_local")
    cfg, design = _config(config)
    folder = Path(out) if out is not None else Path("results") / cfg.name
    res = run(cfg, folder, workers=workers, scheduler=scheduler, dask_local=dask_local,
              inprocess=inprocess, quiet=quiet, design=design,
              connect_timeout=(executors.CONNECT_TIMEOUT if connect_timeout is None
                               else connect_timeout))
    results = Results(folder, run_report=res)
    # as the command line: no tables or figures from part of a design, nor when every run
    # failed
    if analyse and res["status"] in ("complete", "failures") and res["failed"] < res["total"]:
        results.analyse(quiet=quiet)
    return results


def load_results(folder: str | Path) -> Results:
    """The :class:`Results` of an existing results folder (written by ``migdev sweep`` or
    :func:`run_experiment`). Its tables are checked against the hashes its manifest
    recorded when they are first read.

    Raises:
        StoreError: the folder holds no experiment, or a table differs from what was
            written (edited or corrupt).
    """
    from migdev.experiments.engine.store import StoreError

    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise StoreError(f"{folder}: not an experiment's results folder (no manifest.json); "
                         f"run the experiment first (migdev.run_experiment or 'migdev sweep')")
    return Results(folder)


class Results:
    """An experiment's stored results: its manifest, tidy tables, paired effects and
    figures. Tables are read (and checked against the manifest's hashes) when first
    used."""

    def __init__(self, folder: str | Path, run_report: dict | None = None):
        from migdev.experiments.engine.store import Store

        self.folder = Path(folder)
        self._store = Store(self.folder)
        #: what the run of :func:`run_experiment` reported (counts, status), or None
        self.run_report = run_report

    def __repr__(self) -> str:
        m = self.manifest
        return (f"Results({str(self.folder)!r}: experiment {m.get('experiment')!r}, "
                f"status {m.get('status')!r}, {len(m.get('runs', []))} runs)")

    @property
    def manifest(self) -> dict:
        """The manifest (config, design, runs, provenance, tables' hashes, rerun command)."""
        return self._store.manifest()

    @property
    def status(self) -> str:
        return self.manifest.get("status")

    @cached_property
    def _tables(self) -> dict[str, pd.DataFrame]:
        return self._store.load()  # each table checked against the manifest's hash

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: design point, replicate, role (policy or control), seed."""
        return self._tables["runs"]

    @property
    def country(self) -> pd.DataFrame:
        """One row per run x step x origin (``MigrationModel.country_frame`` columns)."""
        return self._tables["country"]

    @property
    def corridor(self) -> pd.DataFrame:
        """One row per run x step x corridor (``MigrationModel.corridor_frame``), if kept."""
        return self._tables["corridor"]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per run: its end-of-run summary, if kept."""
        return self._tables["summary"]

    @property
    def failures(self) -> pd.DataFrame:
        """Failed runs with their tracebacks (empty when none failed)."""
        return self._tables["failures"]

    @cached_property
    def paired(self) -> pd.DataFrame:
        """One row per paired replicate: each outcome of the policy run against its paired
        controls at the same seed (docs/EXPERIMENTS.md lists the outcomes and units)."""
        from migdev.experiments.analysis.stats import paired_table

        self._require_complete()
        return paired_table(self.manifest, self.runs, self.country)

    def effects(self, by: str | list[str] | None = None) -> pd.DataFrame:
        """Mean, sd, n and 95 % confidence interval (t) of each paired outcome, grouped by
        design factors (default: the design point and every factor)."""
        from migdev.experiments.analysis.stats import summarise

        factors = [f["name"] for f in self.manifest["design"]["factors"]]
        group = ([by] if isinstance(by, str) else list(by)) if by else ["point"] + factors
        unknown = [g for g in group if g not in self.paired.columns]
        if unknown:
            raise ValueError(f"cannot group by {unknown}: allowed 'point' and the design's "
                             f"factors {factors}")
        return summarise(self.paired, group)

    def analyse(self, quiet: bool = True) -> dict:
        """Write the analysis tables (``analysis/*.csv``) and figures (``figures/``) as
        ``migdev plot`` does; return the tables."""
        from migdev.experiments.analysis.stats import analyse

        self._require_complete()
        return analyse(self.folder, quiet=quiet)

    def figures(self) -> list:
        """Draw the experiment's figures (the same as the command line's, also written to
        ``figures/``) and return them as matplotlib figures."""
        from migdev.experiments.analysis.figures import collect_figures

        with collect_figures() as figs:
            self.analyse(quiet=True)
        return list(figs)

    def reproduce(self, workers: int | None = None) -> tuple[bool, list[str]]:
        """Re-run every run of the manifest in a temporary folder and compare with the
        store: (reproduced, differences), as ``migdev reproduce``."""
        from migdev.experiments.engine.reproduce import reproduce

        return reproduce(self.folder / "manifest.json", workers=workers)

    def _require_complete(self) -> None:
        from migdev.experiments.engine.store import StoreError

        if self.status not in ("complete", "failures"):
            raise StoreError(f"{self.folder}: the experiment is not finished (status "
                             f"{self.status!r}); run it again to finish it before its "
                             f"effects are computed")
