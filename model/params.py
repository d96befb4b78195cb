"""The parameters of one run: every family's declarations gathered in one frozen record.

Each family declares the parameters its rules read, next to those rules
(``agents/<family>/params.py``: default, unit, range, source); the world's shape and the
records (agreements, events, local values) are declared here. A :class:`Params` object is
frozen and validated when built. Unknown names, wrong types and out-of-range values raise
:class:`ParameterError` (a ``ValueError``) naming the parameter, the value given and what
is allowed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from migdev.agents.agency.params import AgencyParams
from migdev.agents.association.params import AssociationParams
from migdev.agents.community.params import CommunityParams
from migdev.agents.government.params import GovernmentParams
from migdev.agents.intermediary.params import IntermediaryParams
from migdev.agents.migrant.params import MigrantParams
from migdev.core.errors import ParameterError, did_you_mean
from migdev.core.params import ASSUMED, check_value, declare
from migdev.core.records import Local, split_local
from migdev.core.worlds import load_world

__all__ = ["Params", "ParameterError", "make_params", "describe", "FIELDS", "PARAM_NAMES",
           "FAMILIES"]


@dataclass(frozen=True)
class WorldParams:
    """The world and the run's size."""

    # --- world and size ---
    n_persons: int = declare(
        20_000, 200, 5_000_000, "persons",
        ASSUMED, "simulated persons of working age, at home or abroad")
    world: str = declare(
        "health2005", unit="name",
        source="design: worlds are data with a source for every figure (docs/WORLDS.md)",
        doc="the countries and corridors: a shipped world's name or a world folder")
    n_origins: int = declare(
        None, 1, 60, "countries",
        "design: the world's origins (abstract world: 4, at least 3 so diversion between "
        "non-parties can be seen)",
        "origin countries; empty = all of the world's (an extendable world can have up to "
        "twice its table)")
    n_destinations: int = declare(
        None, 1, 60, "countries",
        "design: the world's destinations (abstract world: 2, one party and one not)",
        "destination countries; empty = the world's default")
    communities_per_origin: int = declare(
        3, 1, 20, "communities", ASSUMED,
        "home communities (localities) per origin")
    agencies_per_destination: int = declare(
        10, 1, 200, "agencies", ASSUMED,
        "private recruitment agencies based in each destination")
    migration_enabled: bool = declare(
        True, unit="switch",
        source="design: the no-migration counterfactual of brain-gain measures (Beine, "
               "Docquier & Rapoport 2008)",
        doc="False closes every new departure (the no-migration control)")


#: the families that declare parameters, in the order their parameters are listed (the
#: class, and where its declarations are)
FAMILIES = {
    "world and size": (WorldParams, "model/params.py"),
    "migrants": (MigrantParams, "agents/migrant/params.py"),
    "governments": (GovernmentParams, "agents/government/params.py"),
    "recruitment agencies": (AgencyParams, "agents/agency/params.py"),
    "financial intermediaries": (IntermediaryParams, "agents/intermediary/params.py"),
    "hometown associations": (AssociationParams, "agents/association/params.py"),
    "home communities": (CommunityParams, "agents/community/params.py"),
}


@dataclass(frozen=True)
class Params(CommunityParams, AssociationParams, IntermediaryParams, AgencyParams,
             GovernmentParams, MigrantParams, WorldParams):
    """All parameters of one run. Build with ``Params(**overrides)`` or :func:`make_params`."""

    # --- records ---
    agreements: tuple = declare(
        (), unit="records", source="design: agreement records (ODD §2)",
        doc="further agreements (migdev.core.records.Agreement) besides the headline one")
    events: tuple = declare(
        (), unit="records", source="design: scheduled changes (ODD §7.1)",
        doc="scheduled parameter changes (migdev.core.records.Event)")
    local: tuple = declare(
        (), unit="records", source="design: policy is local (docs/WORLDS.md)",
        doc="lever values for single countries or corridors "
        "(migdev.core.records.Local), written name[country] in configs")

    def __post_init__(self):
        check_value(FIELDS["world"], self.world)
        wd = load_world(self.world)
        if self.n_origins is None:
            object.__setattr__(self, "n_origins", wd.default_origins)
        if self.n_destinations is None:
            object.__setattr__(self, "n_destinations", wd.default_destinations)
        for f in dataclasses.fields(self):
            check_value(f, getattr(self, f.name))
        n_o, n_d = len(wd.origins), len(wd.destinations)
        if wd.extendable:
            if not 3 <= self.n_origins <= 2 * n_o:
                raise ParameterError(
                    f"n_origins={self.n_origins} is invalid for world {wd.name!r}: allowed 3 "
                    f"to {2 * n_o}")
        elif self.n_origins != n_o:
            raise ParameterError(
                f"n_origins={self.n_origins} does not match world {wd.name!r}, which has {n_o} "
                f"origins; leave n_origins out (it is the world's)")
        if self.n_destinations > n_d or (not wd.extendable and self.n_destinations != n_d):
            raise ParameterError(
                f"n_destinations={self.n_destinations} does not match world {wd.name!r}, which "
                f"has {n_d} destinations; leave n_destinations out"
                + (f" or give 1 to {n_d}" if wd.extendable else ""))
        if self.max_migration_age >= self.retirement_age:
            raise ParameterError(
                f"max_migration_age={self.max_migration_age} must be below "
                f"retirement_age={self.retirement_age}")
        if self.entry_age >= self.max_migration_age:
            raise ParameterError(
                f"entry_age={self.entry_age} must be below max_migration_age={self.max_migration_age}")
        if self.agreement_origin >= self.n_origins:
            raise ParameterError(
                f"agreement_origin={self.agreement_origin} is not an origin: allowed 0 to "
                f"{self.n_origins - 1} (n_origins={self.n_origins})")
        if self.agreement_destination >= self.n_destinations:
            raise ParameterError(
                f"agreement_destination={self.agreement_destination} is not a destination: allowed "
                f"0 to {self.n_destinations - 1} (n_destinations={self.n_destinations})")
        for a in self.agreements:
            a.validate(self.n_origins, self.n_destinations)
        for loc in self.local:
            check_local(loc, wd, self.n_origins, self.n_destinations)
        for e in self.events:
            base_name, key = split_local(e.param) if isinstance(e.param, str) else (e.param, None)
            if base_name in READ_AT_START:
                raise ParameterError(
                    f"event at step {e.step} changes {e.param!r}, which is read only when the "
                    f"run starts: {READ_AT_START[base_name]}")
            if key is not None:
                try:
                    check_local(Local(base_name, key, e.value), wd, self.n_origins,
                                self.n_destinations)
                except ParameterError as err:
                    raise ParameterError(f"event at step {e.step} ({e.param} = {e.value!r}): "
                                         f"{err}") from None
                continue
            if e.param not in PARAM_NAMES or e.param in RECORDS or e.param in STRUCTURAL:
                raise ParameterError(
                    f"event at step {e.step} changes {e.param!r}, which cannot change during a "
                    f"run; allowed: policy and behaviour parameters (see docs/ODD.md)")
            if isinstance(e.step, bool) or not isinstance(e.step, int) or e.step < 0:
                raise ParameterError(f"event {e!r}: step={e.step!r} is invalid: allowed an "
                                     f"integer step from 0 up")
            # validate the new value as if it were set from the start
            try:
                check_value(FIELDS[e.param], e.value)
            except ParameterError as err:
                raise ParameterError(f"event at step {e.step} ({e.param} = {e.value!r}): "
                                     f"{err}") from None


FIELDS = {f.name: f for f in dataclasses.fields(Params)}
PARAM_NAMES = tuple(FIELDS)
#: the parameters that hold records, not values
RECORDS = ("agreements", "events", "local")
#: levers that can take a value per country or corridor, with their scope
LOCAL_LEVERS = {n: f.metadata["scope"] for n, f in FIELDS.items() if f.metadata["scope"]}


def field_of(name: str):
    """The declaration of a parameter name, including ``lever[key]`` (the lever's); None
    for a name that is neither a parameter nor a local lever with a key."""
    base, key = split_local(name)
    if key is None:
        return FIELDS.get(name)
    return FIELDS[base] if base in LOCAL_LEVERS else None


def _names(wd, n_origins, n_destinations):
    from migdev.core.worlds import origin_names

    return origin_names(wd, n_origins), [d["country"] for d in wd.destinations][:n_destinations]


def country_index(wd, n_origins: int, n_destinations: int, name: str, role: str,
                  what: str) -> int:
    """The index of country ``name`` among a run's origins or destinations.

    Raises:
        ParameterError: naming ``what``, the name and the countries allowed.
    """
    origins, dests = _names(wd, n_origins, n_destinations)
    names = origins if role == "origin" else dests
    if name in names:
        return names.index(name)
    raise ParameterError(f"{what} = {name!r} is not {'an' if role == 'origin' else 'a'} {role} "
                         f"of world {wd.name!r}{did_you_mean(name, names)}; allowed: "
                         f"{', '.join(names)}")


def check_local(loc, wd, n_origins: int, n_destinations: int) -> None:
    """Check one :class:`Local` against the lever's scope and the world's countries."""
    if not isinstance(loc, Local):
        raise ParameterError(f"parameter 'local' holds {loc!r}: allowed Local records")
    scope = LOCAL_LEVERS.get(loc.param)
    if scope is None:
        raise ParameterError(f"{loc.param}[{loc.key}]: {loc.param!r} cannot take a value per "
                             f"country; local levers: {', '.join(LOCAL_LEVERS)}")
    origins, dests = _names(wd, n_origins, n_destinations)
    key = loc.key
    if scope == "corridor":
        o, _, d = key.partition(">")
        o, d = o.strip(), d.strip()
        ok = (o in origins and (not d or d in dests)) if o != "*" else d in dests
        allowed = ("an origin, 'Origin>Destination' or '*>Destination' of world "
                   f"{wd.name!r}: origins {', '.join(origins)}; destinations {', '.join(dests)}")
        if ok and o == d:  # a country in both roles: no corridor leads from it to itself
            raise ParameterError(f"{loc.param}[{key}]: a corridor from {o} to itself is no "
                                 f"corridor; allowed {allowed}")
    else:
        names = origins if scope == "origin" else dests
        ok = key in names
        allowed = f"a {scope} of world {wd.name!r}: {', '.join(names)}"
    if not ok:
        raise ParameterError(f"{loc.param}[{key}]: {key!r} is not {allowed}"
                             f"{did_you_mean(key, origins + dests)}")
    if scope == "corridor" and o != "*" and d:
        # a value on a pair the world has no corridor for would change nothing
        weights = wd.corridor_weights()
        row = weights[origins.index(o) % len(wd.origins)]
        if row[dests.index(d)] <= 0:
            served = [dests[j] for j in range(len(dests)) if row[j] > 0]
            raise ParameterError(
                f"{loc.param}[{key}]: world {wd.name!r} has no corridor from {o} to {d} (its "
                f"corridors.csv), so this value would change nothing; {o}'s corridors lead to "
                f"{', '.join(served) or 'no destination of this run'}")
    try:
        check_value(FIELDS[loc.param], loc.value)
    except ParameterError as e:
        raise ParameterError(f"{loc.param}[{key}] = {loc.value!r}: {e}") from None
_AGREEMENT_AT_START = ("it defines the headline agreement, built when the run starts; to "
                       "change policy during a run, give a further agreement with its own "
                       "start and quarters (an Agreement record, docs/ODD.md §2), or set "
                       "agreement_start and agreement_quarters")
#: parameters read once, when the run is built; an event that changes one is refused with
#: the reason (tests/model/test_events.py checks that no other parameter is read only then)
READ_AT_START = {n: _AGREEMENT_AT_START for n in (
    "agreement_kind", "agreement_origin", "agreement_destination", "agreement_occupations",
    "agreement_start", "agreement_quarters", "g2g_quota", "implementation_rate",
    "return_guarantee", "circular_contract_quarters", "circular_training_places",
    "agreement_rights", "rights_implementation")}
READ_AT_START["bank_share0"] = (
    "the banks' share of formal transfers starts there and then moves under the partnerships "
    "(ODD §7.7b); to change it during a run, schedule bank_partnership instead")
READ_AT_START["trust_initial"] = (
    "the associations' trust starts there and then moves with experience (ODD §7.7); to "
    "change trust during a run, schedule diaspora_outreach or matching_honoured instead")
#: parameters whose derived state the model rebuilds when an event changes them
AGENCY_TERMS = frozenset({"agency_regulation", "fee_regulated_months", "fee_unregulated_months",
                          "agency_capacity"})
DEMAND = frozenset({"demand_health", "demand_education", "demand_other", "demand_low"})
WAGES = frozenset({"wage_dest_health", "wage_dest_education", "wage_dest_other",
                   "wage_dest_low", "wage_dest_scale"})

#: parameters that fix the shape of the world and cannot change during a run
STRUCTURAL = ("world", "n_persons", "n_origins", "n_destinations", "communities_per_origin",
              "agencies_per_destination", "entry_age", "retirement_age")


def make_params(base: Params | None = None, **overrides) -> Params:
    """Build validated parameters from ``base`` (default: all defaults) and keyword overrides.

    Raises:
        ParameterError: an override names no parameter, or its value is invalid.
    """
    overrides = _locals_in(base, overrides)
    unknown = sorted(k for k in overrides if k not in FIELDS)
    if unknown:
        hints = [f"{k!r}{did_you_mean(k, PARAM_NAMES)}" for k in unknown]
        raise ParameterError(
            f"unknown parameter(s): {', '.join(hints)}; see docs/ODD.md for the list")
    cleaned = {}
    for k, v in overrides.items():
        t = FIELDS[k].type
        # numpy scalars and ints given for floats are accepted and normalised
        if t in ("float", float) and not isinstance(v, bool):
            try:
                import numpy as np
                if isinstance(v, (int, np.integer, np.floating)):
                    v = float(v)
            except ImportError:  # pragma: no cover
                pass
        if t in ("int", int) and not isinstance(v, bool):
            import numpy as np
            if isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
        if t in ("tuple", tuple) and isinstance(v, list):
            v = tuple(v)
        cleaned[k] = v
    named = any(isinstance(cleaned.get(k), str)
                for k in ("agreement_origin", "agreement_destination"))
    if base is None and not named:
        # the defaults with the overrides, validated once (as replace() on Params() gives)
        return Params(**cleaned)
    base = base or Params()
    if named:
        world = cleaned.get("world", base.world)
        check_value(FIELDS["world"], world)
        wd = load_world(world)
        n_o = cleaned.get("n_origins") or (base.n_origins if world == base.world
                                           else wd.default_origins)
        n_d = cleaned.get("n_destinations") or (base.n_destinations if world == base.world
                                                else wd.default_destinations)
        for k, role in (("agreement_origin", "origin"), ("agreement_destination", "destination")):
            if isinstance(cleaned.get(k), str):
                cleaned[k] = country_index(wd, n_o, n_d, cleaned[k], role, k)
    if "world" in cleaned and cleaned["world"] != base.world:
        for k in ("n_origins", "n_destinations"):
            cleaned.setdefault(k, None)  # the new world's, unless given
    return dataclasses.replace(base, **cleaned)


def _locals_in(base, overrides: dict) -> dict:
    """Turn ``lever[key] = v`` keys, table values of local levers ({country: value, "*":
    value everywhere}) and ``local`` given as dicts into :class:`Local` records."""
    if not any(split_local(k)[1] is not None or k == "local"
               or (isinstance(v, dict) and k in LOCAL_LEVERS) for k, v in overrides.items()):
        return overrides
    out = {}
    local = {(x.param, x.key): x for x in (base.local if base else ())}
    if "local" in overrides:
        given = overrides["local"]
        if not isinstance(given, (tuple, list)):
            raise ParameterError(f"parameter 'local' = {given!r} is invalid: allowed a list of "
                                 f"records (param, key, value)")
        local = {}
        for x in given:
            if isinstance(x, dict):
                if set(x) != {"param", "key", "value"}:
                    raise ParameterError(f"parameter 'local' holds {x!r}: allowed records with "
                                         f"param, key and value")
                x = Local(**x)
            if not isinstance(x, Local):
                raise ParameterError(f"parameter 'local' holds {x!r}: allowed Local records")
            local[(x.param, x.key)] = x
    for k, v in overrides.items():
        if k == "local":
            continue
        name, key = split_local(k)
        if key is not None:
            if name not in LOCAL_LEVERS:
                raise ParameterError(f"{k!r}: {name!r} cannot take a value per country; local "
                                     f"levers: {', '.join(LOCAL_LEVERS)}")
            local[(name, key)] = Local(name, key, v)
        elif isinstance(v, dict) and name in LOCAL_LEVERS:
            for key2, v2 in v.items():
                if key2 == "*":
                    out[name] = v2
                else:
                    local[(name, str(key2))] = Local(name, str(key2), v2)
        else:
            out[k] = v
    out["local"] = tuple(local.values())
    return out


#: the family that declares each parameter (a key of :data:`FAMILIES`; the records are
#: declared with the world)
FAMILY_OF = {name: family for family, (cls, _) in FAMILIES.items()
             for name in cls.__annotations__} | dict.fromkeys(RECORDS, "world and size")


def describe() -> list[dict[str, Any]]:
    """One row per parameter: name, family, default, unit, range, source, doc (for docs and
    UIs), in the order of :data:`FAMILIES`."""
    rows = []
    for f in dataclasses.fields(Params):
        m = f.metadata
        rows.append({
            "name": f.name, "family": FAMILY_OF[f.name], "default": f.default,
            "type": f.type if isinstance(f.type, str) else f.type.__name__, "lo": m["lo"], "hi": m["hi"], "choices": m["choices"],
            "unit": m["unit"], "source": m["source"], "doc": m["doc"], "lever": m["lever"],
            "scope": m["scope"],
        })
    return rows
