"""The conventions of publishing research software (issue 39): a licence matching
pyproject, a CITATION.cff that is valid Citation File Format 1.2.0 and names this version,
and a changelog entry for it."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _author_ok(a) -> bool:
    """A CFF person (family-names, optionally given-names) or entity (name)."""
    if not isinstance(a, dict):
        return False
    if "name" in a:
        return isinstance(a["name"], str) and bool(a["name"].strip())
    return isinstance(a.get("family-names"), str) and bool(a["family-names"].strip())


def cff_problems(cff: dict) -> list[str]:
    """What keeps ``cff`` from being a valid CITATION.cff (version 1.2.0's required keys and
    the types of those this project uses)."""
    bad = []
    if cff.get("cff-version") != "1.2.0":
        bad.append("cff-version must be 1.2.0")
    for key in ("message", "title"):
        if not isinstance(cff.get(key), str) or not cff[key].strip():
            bad.append(f"{key} must be a non-empty string")
    authors = cff.get("authors")
    if not isinstance(authors, list) or not authors or not all(map(_author_ok, authors)):
        bad.append("authors must be a non-empty list of persons or entities")
    if cff.get("type", "software") not in ("software", "dataset"):
        bad.append("type must be software or dataset")
    if "date-released" in cff:
        try:
            dt.date.fromisoformat(str(cff["date-released"]))
        except ValueError:
            bad.append("date-released must be YYYY-MM-DD")
    pref = cff.get("preferred-citation")
    if pref is not None:
        if not isinstance(pref.get("type"), str) or not isinstance(pref.get("title"), str):
            bad.append("preferred-citation needs a type and a title")
        if not pref.get("authors") or not all(map(_author_ok, pref["authors"])):
            bad.append("preferred-citation needs authors")
    return bad


def test_citation_cff_is_valid_and_names_this_version_and_licence():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff_problems(cff) == []
    assert str(cff["version"]) == PROJECT["version"]
    assert cff["license"] == PROJECT["license"]
    assert cff["authors"] == [{"name": "migdev contributors"}]
    assert str(cff["preferred-citation"]["version"]) == PROJECT["version"]


def test_the_citation_check_can_fail():
    assert cff_problems({"cff-version": "1.1.0", "title": "", "authors": [{"x": 1}],
                         "date-released": "7 Dec"}) == [
        "cff-version must be 1.2.0", "message must be a non-empty string",
        "title must be a non-empty string",
        "authors must be a non-empty list of persons or entities",
        "date-released must be YYYY-MM-DD"]


def test_licence_and_changelog_match_the_package():
    text = (ROOT / "LICENSE").read_text()
    assert PROJECT["license"] == "MIT" and text.startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(PROJECT['version'])} ", changelog, re.M)
