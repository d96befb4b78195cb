"""The parameter declaration: defaults, validation and clear errors."""

import pytest

from migdev.core.errors import ParameterError
from migdev.core.params import FIELDS, Params, describe, make_params
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
