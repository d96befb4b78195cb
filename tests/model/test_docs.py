"""docs/ODD.md stays true to the code."""

from pathlib import Path

from migdev.model.params import PARAM_NAMES
from migdev.model.doc_tables import WORLDS_TABLES, fill
from migdev.model.metrics import COUNTRY_COLUMNS

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
WORLDS = ODD.parent / "WORLDS.md"


def test_odd_tables_match_the_code():
    text = ODD.read_text()
    assert fill(text) == text, "run: python -m model.doc_tables --write docs/ODD.md"


def test_the_local_levers_in_worlds_md_match_the_code():
    """docs/WORLDS.md lists every local lever by its scope as the declarations say."""
    text = WORLDS.read_text()
    assert fill(text, WORLDS_TABLES) == text, \
        "run: python -m model.doc_tables --write docs/WORLDS.md"


def test_every_parameter_and_column_is_in_the_odd():
    text = ODD.read_text()
    for name in PARAM_NAMES:
        assert f"`{name}`" in text, name
    for col in COUNTRY_COLUMNS:
        assert f"`{col}`" in text, col


def test_every_mechanism_function_named_in_the_odd_exists():
    import re

    from migdev.agents import agency, association, community, government, migrant

    mods = [migrant, agency, association, community, government]
    text = ODD.read_text()
    found = 0
    for mod in mods:
        short = mod.__name__.split(".")[-1]
        for section in re.findall(rf"`agents/{short}/`: ([^);]*)[);]", text):
            for fn in re.findall(r"`([A-Za-z_.]+)`", section):
                obj = mod
                for part in fn.split("."):
                    obj = getattr(obj, part)
                found += 1
    assert found >= 20, found
