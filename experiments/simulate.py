"""One model run from the command line: summary, tidy table and a seaborn figure."""

from __future__ import annotations

import json
from pathlib import Path

from migdev.experiments.engine.store import atomic_write as _atomic
from migdev.model import MigrationModel, scenario


def simulate(scenario_name: str = "restrictive_mou", steps: int = 120, seed: int = 1,
             out: str | Path = "results/simulate", overrides: dict | None = None,
             calibration: str | None = "default") -> dict:
    """Run one scenario, write ``country.parquet``, ``summary.json`` and a figure to ``out``.

    ``calibration``: as :class:`MigrationModel`'s (``"default"``: the world's shipped
    calibration; ``None``: the uncalibrated defaults; or a calibration's name or folder).

    Returns:
        the run's summary (also written as summary.json), with the calibration used.
    """
    params = scenario(scenario_name, **(overrides or {}))
    model = MigrationModel(rng=seed, calibration=calibration, **params)
    model.run_for(steps)
    df = model.country_frame()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _atomic(out / "country.parquet", lambda p: df.to_parquet(p, index=False))
    summary = {"scenario": scenario_name, "calibration": model.calibration, **model.summary()}
    _atomic(out / "summary.json", lambda p: Path(p).write_text(json.dumps(summary, indent=2)))
    from migdev.experiments.analysis.figures import run_figure

    fig = run_figure(df, title=f"{scenario_name}, seed {seed}",
                     event_step=params.get("agreement_start") if params.get(
                         "agreement_kind", "none") != "none" else None)
    for ext in ("png", "pdf"):
        _atomic(out / f"run.{ext}", lambda p, ext=ext: fig.savefig(p, dpi=150, format=ext))
    return summary
