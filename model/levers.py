"""The model's look-up of parameter values where they apply (local levers) and of values
derived from the parameters and the policy in force, kept while both are the same."""

from __future__ import annotations

import numpy as np

from migdev.core.kernels import value_at
from migdev.model.params import LOCAL_LEVERS


class Levers:
    """Mixin of :class:`~migdev.model.model.MigrationModel`: ``lever``, ``lever_at``,
    ``per_destination`` and ``derived``. Needs ``p`` (the parameters), ``world``,
    ``n_orig``, ``n_dest`` and ``policy``."""

    def _reset_levers(self) -> None:
        self._lever_cache: dict = {}
        self._derived: dict = {}

    def per_destination(self, name: str) -> np.ndarray:
        """A destination lever's value per destination, (n_dest,)."""
        return np.broadcast_to(self.lever(name), (self.n_dest,))

    def lever(self, name: str):
        """A lever's value where it applies: a float when it has one value everywhere (the
        usual case), else an array — per origin (n_orig,), per destination (n_dest,) or
        per corridor (n_orig, n_dest) as its scope says — with the ``local`` values of
        single countries or corridors on top (docs/WORLDS.md)."""
        p = self.p
        cache = self._lever_cache
        if cache.get("_p") is not p:
            cache.clear()
            cache["_p"] = p
        if name in cache:
            return cache[name]
        value = getattr(p, name)
        entries = [x for x in p.local if x.param == name]
        if not entries:
            cache[name] = value
            return value
        w = self.world
        scope = LOCAL_LEVERS[name]
        if scope == "corridor":
            arr = np.full((self.n_orig, self.n_dest), float(value))
            # the least specific first: a whole origin, a whole destination, then one pair
            for x in sorted(entries, key=lambda x: ("*" not in x.key and ">" in x.key,)):
                o, _, d = (part.strip() for part in x.key.partition(">"))
                rows = slice(None) if o == "*" else w.origin_names.index(o)
                cols = slice(None) if not d else w.destination_names.index(d)
                arr[rows, cols] = x.value
        else:
            names = w.origin_names if scope == "origin" else w.destination_names
            arr = np.full(len(names), float(value))
            for x in entries:
                arr[names.index(x.key)] = x.value
        cache[name] = arr
        return arr

    def derived(self, name: str, make):
        """``make()``, a value computed from the parameters and the policy in force only,
        kept while both are the same (a scheduled event or an agreement starting or ending
        makes it anew). The value must not be changed by its readers."""
        cache = self._derived
        if cache.get("_p") is not self.p or cache.get("_policy") is not self.policy:
            cache.clear()
            cache["_p"], cache["_policy"] = self.p, self.policy
        if name not in cache:
            cache[name] = make()
        return cache[name]

    def forget(self, *names: str) -> None:
        """Drop the derived values ``names`` (their inputs other than the parameters and the
        policy moved, e.g. the home wages): the next reader makes them anew."""
        for name in names:
            self._derived.pop(name, None)

    def lever_at(self, name: str, index):
        """:meth:`lever` for the given rows: the value itself when it is the same everywhere,
        else the array indexed by ``index`` (for example the persons' origins, or
        ``np.s_[:, None]`` to multiply a table with one row per country)."""
        return value_at(self.lever(name), index)
