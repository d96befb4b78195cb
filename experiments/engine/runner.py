"""The pure run function: a spec in, its outputs (or its failure) out.

Top-level and picklable, so any ``concurrent.futures`` executor (a process pool, a Dask
client's executor) can run it; it never writes anything.
"""

from __future__ import annotations

import time
import traceback

from migdev.core.records import Agreement, Event


def params_from_json(params: dict) -> dict:
    """Turn JSON-able parameters back into model parameters (records as dataclasses)."""
    out = dict(params)
    if "events" in out:
        out["events"] = tuple(Event(**e) if isinstance(e, dict) else e for e in out["events"])
    if "agreements" in out:
        out["agreements"] = tuple(
            Agreement(**{k: tuple(v) if isinstance(v, list) else v for k, v in a.items()})
            if isinstance(a, dict) else a for a in out["agreements"])
    return out


def run_spec(spec) -> dict:
    """Run one spec. Never raises: a failure comes back with its traceback.

    Returns:
        dict with key, status ("ok" or "failed"), wall_s, and for ok runs ``country`` (a
        DataFrame, if kept) and ``summary`` (a dict, if kept); for failed runs ``error``
        and ``traceback``.
    """
    from migdev.model import MigrationModel

    t0 = time.perf_counter()
    try:
        m = MigrationModel(rng=spec.seed, **params_from_json(spec.params))
        m.run_for(spec.steps)
        out = {"key": spec.key, "status": "ok"}
        if "country" in spec.outputs:
            out["country"] = m.country_frame()
        summary = m.summary() if "summary" in spec.outputs else None
        out["summary"] = summary
    except Exception as e:  # noqa: BLE001 - isolate any failure of one run
        return {"key": spec.key, "status": "failed", "error": f"{type(e).__name__}: {e}",
                "traceback": traceback.format_exc(), "wall_s": time.perf_counter() - t0}
    out["wall_s"] = time.perf_counter() - t0
    return out
