"""Declaring a parameter: its default, unit, allowed range and source, and the check of
one value against that declaration.

Each family of agents declares the parameters its rules read, next to those rules
(``agents/<family>/params.py``); :mod:`migdev.model.params` gathers them into
:class:`~migdev.model.params.Params`. Every other part of the product (the model,
experiment configs, the demo's sliders, docs/ODD.md) reads those declarations; nothing
re-types a default.
"""

from __future__ import annotations

import math
from dataclasses import field

from migdev.core.errors import ParameterError
from migdev.core.records import Agreement, Event, Local

__all__ = ["declare", "check_value", "ParameterError", "ASSUMED", "HAZARD", "DESIGN", "WB_RPW",
           "COST"]


def declare(default, lo=None, hi=None, unit="", source="", doc="", choices=None, lever=False,
            scope=None):
    """Declare one parameter (a dataclass field with its metadata).

    ``scope`` ("origin", "destination" or "corridor") makes a lever local: besides its
    value everywhere, it can take a value per country or corridor (``name[key]``).
    """
    meta = {
        "scope": scope,
        "lo": lo,
        "hi": hi,
        "unit": unit,
        "source": source,
        "doc": doc,
        "choices": choices,
        "lever": lever,
    }
    return field(default=default, metadata=meta)


ASSUMED = "assumption: no published estimate for this stylised world; set for plausible magnitudes"
HAZARD = "assumption: proportional-hazards weight (ODD §7.9), not estimated"
DESIGN = "assumption: a weight of the random-utility choice (ODD §7.5), not estimated"
WB_RPW = "World Bank, Remittance Prices Worldwide, Issue 3 (November 2011)"
COST = ("assumption: no published unit cost was found for it; a price for the accounts only "
        "(it changes no behaviour), to be explored in a sensitivity study (ODD §7.14)")


def _allowed(f) -> str:
    m = f.metadata
    if m["choices"]:
        return "one of " + ", ".join(repr(c) for c in m["choices"])
    if f.type in ("bool", bool):
        return "true or false"
    if f.type in ("tuple", tuple):
        return "a tuple of records"
    if f.type in ("str", str):
        return "a shipped world's name or a world folder (docs/WORLDS.md)"
    kind = "an integer" if f.type in ("int", int) else "a number"
    return f"{kind} from {m['lo']} to {m['hi']}"


def check_value(f, value) -> None:
    name, t, m = f.name, f.type, f.metadata
    if value is None and f.default is None:
        return  # "the world's" (resolved when the world is known)
    bad = f"parameter {name!r} = {value!r} is invalid: allowed {_allowed(f)}"
    if t in ("bool", bool):
        if not isinstance(value, bool):
            raise ParameterError(bad)
        return
    if t in ("tuple", tuple):
        if not isinstance(value, tuple):
            raise ParameterError(bad)
        kind = {"agreements": Agreement, "events": Event, "local": Local}[name]
        for x in value:
            if not isinstance(x, kind):
                raise ParameterError(f"parameter {name!r} holds {x!r}: allowed {kind.__name__} records")
        return
    if t in ("str", str) and not m["choices"]:
        if not isinstance(value, str) or not value:
            raise ParameterError(bad)
        return
    if t in ("str", str):
        if not isinstance(value, str) or value not in m["choices"]:
            raise ParameterError(bad)
        return
    if isinstance(value, bool):
        raise ParameterError(bad)
    if t in ("int", int):
        if not isinstance(value, int):
            import numpy as np
            if not isinstance(value, np.integer):
                raise ParameterError(bad)
    elif not isinstance(value, (int, float)):
        import numpy as np
        if not isinstance(value, (np.integer, np.floating)):
            raise ParameterError(bad)
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(bad)
    if (m["lo"] is not None and value < m["lo"]) or (m["hi"] is not None and value > m["hi"]):
        raise ParameterError(bad)
