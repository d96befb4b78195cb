"""The parameter declaration: defaults, validation and clear errors."""

import pytest

from migdev.core.errors import ParameterError
from migdev.model.params import FIELDS, Params, describe, make_params
from migdev.core.records import Agreement, Event
from migdev.model import MigrationModel


def test_every_parameter_has_unit_source_doc_and_a_valid_default():
    Params()  # validates every default
    for f in FIELDS.values():
        m = f.metadata
        assert m["unit"] and m["source"] and m["doc"], f.name


def test_unknown_parameter_is_named_with_a_suggestion():
    with pytest.raises(ParameterError, match=r"'matchng_ratio'.*did you mean 'matching_ratio'"):
        MigrationModel(matchng_ratio=3)


@pytest.mark.parametrize("name,value,allowed", [
    ("implementation_rate", 1.5, "from 0.0 to 1.0"),
    ("n_persons", 10, "from 200"),
    ("n_persons", 2.5, "an integer"),
    ("matching_ratio", "three", "a number"),
    ("migration_enabled", 1, "true or false"),
    ("agreement_kind", "bilateral", "one of 'none'"),
    ("formal_fee", float("nan"), "from 0.0 to 0.5"),
])
def test_bad_values_name_parameter_value_and_range(name, value, allowed):
    with pytest.raises(ParameterError) as e:
        make_params(**{name: value})
    msg = str(e.value)
    assert name in msg and repr(value) in msg and allowed in msg


def test_cross_checks():
    with pytest.raises(ParameterError, match="agreement_origin=7"):
        make_params(agreement_origin=7)  # health2005 has origins 0-6
    with pytest.raises(ParameterError, match="max_migration_age"):
        make_params(max_migration_age=70, retirement_age=65)
    with pytest.raises(ParameterError, match="cannot change during a run"):
        make_params(events=(Event(10, "n_persons", 5000),))
    with pytest.raises(ParameterError, match="matching_ratio"):
        make_params(events=(Event(10, "matching_ratio", -1.0),))
    with pytest.raises(ParameterError, match="origin=9"):
        make_params(agreements=(Agreement(kind="restrictive", origins=(9,)),))


def test_overrides_are_normalised_and_frozen():
    p = make_params(n_persons=5000.0, matching_ratio=3, events=[Event(40, "formal_fee", 0.03)])
    assert p.n_persons == 5000 and isinstance(p.matching_ratio, float)
    assert isinstance(p.events, tuple)
    with pytest.raises(Exception):
        p.n_persons = 10  # frozen


def _live_migrants() -> int:
    """Migrant objects alive now. A weak proxy among the tracked objects whose referent has
    died (libraries keep some) raises ReferenceError when asked its type: not a Migrant."""
    import gc

    from migdev.agents import Migrant

    gc.collect()
    n = 0
    for o in gc.get_objects():
        try:
            n += isinstance(o, Migrant)
        except ReferenceError:
            continue
    return n


def test_nothing_is_built_on_bad_input():
    before = _live_migrants()
    with pytest.raises(ParameterError):
        MigrationModel(n_persons=1000, retirement_age=200)
    assert _live_migrants() == before


def test_describe_lists_levers():
    rows = describe()
    levers = {r["name"] for r in rows if r["lever"]}
    assert {"agreement_kind", "implementation_rate", "agency_regulation", "return_incentive",
            "integration_policy", "formal_fee", "matching_ratio"} <= levers


def test_each_parameter_is_declared_once_by_one_family():
    """Params gathers the families' declarations by inheritance, where a name declared by
    two families would silently take the later one's: every name comes from exactly one
    family, and the families hold every parameter."""
    from migdev.model.params import FAMILIES

    owners = {}
    for family, (cls, _) in FAMILIES.items():
        for name in cls.__dict__.get("__annotations__", {}):
            owners.setdefault(name, []).append(family)
    twice = {n: fams for n, fams in owners.items() if len(fams) > 1}
    assert not twice, twice
    records = {"agreements", "events", "local"}  # declared with Params itself
    assert set(owners) | records == set(FIELDS)
    assert [r["name"] for r in describe()] == list(FIELDS)


#: parameters a family declares that its own modules do not read, and who does: the
#: headline agreement's shorthand becomes an Agreement record when the run starts
#: (migdev.core.records.headline_agreement, called by the model), which the governments'
#: rules then read; the adaptive-policy switch is read by the schedule (process 11); the
#: agencies' learning rate is handed to their rule (agency.learn) by the persons' decision
#: process, which runs it once the offers' answers are known
READ_ELSEWHERE = {"agency_learning_rate", "agreement_kind", "agreement_start", "agreement_quarters",
                  "agreement_destination", "agreement_origin", "agreement_rights",
                  "agreement_occupations", "circular_contract_quarters",
                  "circular_training_places", "adaptive_policy"}


def test_each_family_declares_the_parameters_its_rules_read():
    """A parameter is declared with the family whose rules read it
    (agents/<family>/params.py), so a new rule term and its parameter are added in one
    family: each name a family declares is read in that family's own modules."""
    import re
    from pathlib import Path

    from migdev.model.params import FAMILIES

    agents = Path(__file__).resolve().parents[2] / "agents"
    for family, (cls, where) in FAMILIES.items():
        if not where.startswith("agents/"):
            continue
        folder = agents / where.split("/")[1]
        text = "\n".join(p.read_text() for p in folder.glob("*.py") if p.name != "params.py")
        unread = [n for n in cls.__annotations__
                  if n not in READ_ELSEWHERE and not re.search(rf"\b{n}\b", text)]
        assert not unread, (family, unread)
