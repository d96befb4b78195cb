"""Worlds as data: shipped worlds load with a source for every figure; malformed world
files give errors naming file, line and column; a user's own folder works; corridors and
a country that is both origin and destination shape the initial population."""

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from migdev.core.errors import ParameterError
from migdev.core.worlds import COUNTRY_FIELDS, WorldError, load_world, shipped_worlds
from migdev.model import MigrationModel


@pytest.mark.parametrize("name", sorted(shipped_worlds()))
def test_shipped_world_loads_with_a_source_for_every_figure(name):
    w = load_world(name)
    assert w.origins and w.destinations
    for c in w.countries:
        for col in COUNTRY_FIELDS:
            if col in c:
                s = w.source_of("countries", c["country"], col)
                assert s is not None and (s["kind"] == "assumption" or s["source"]), (c, col)
    r = subprocess.run([sys.executable, "-m", "migdev", "world", name, "--sources"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "no source" not in r.stdout
    assert all(c["country"] in r.stdout for c in w.countries)


def copy_world(tmp_path, name="abstract"):
    dest = tmp_path / "myworld"
    shutil.copytree(shipped_worlds()[name], dest)
    return dest


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("file, old, new, needles", [
    ("countries.csv", "share_health,", "", ["countries.csv", "unknown column", "share_education"]),
    ("countries.csv", "Origin B,XOB,origin,18.0", "Origin B,XOB,origin,-18.0",
     ["countries.csv, line 3, column 'health_density' = -18.0", "per 10,000"]),
    ("countries.csv", "0.22,0.06,0.12,0.03,0.85", "22,0.06,0.12,0.03,0.85",
     ["line 3, column 'emig_health' = 22", "looks like a percentage"]),
    ("countries.csv", "Origin C,XOC,origin", "Origin C,XOC,sender",
     ["line 4, column 'role'", "origin, destination, both"]),
    ("countries.csv", "Origin D,XOD,origin,30.0", "Origin D,XOD,origin,",
     ["line 5, column 'health_density': missing for Origin D"]),
    ("corridors.csv", "Origin B,Destination Y", "Origin Q,Destination Y",
     ["corridors.csv, line", "column 'origin': 'Origin Q' is not a country"]),
    ("corridors.csv", "Origin B,Destination Y", "Origin B,Origin C",
     ["column 'destination': 'Origin C' is not an destination"]),
    ("sources.csv", "countries,Origin D,*,", "countries,Origin Q,*,",
     ["sources.csv: no source for countries.csv line 5, Origin D, column 'health_density'"]),
    ("sources.csv", "countries,Origin B,*,assumption,WHO 2006,2004",
     "countries,Origin B,*,published,WHO 2006,", ["a published figure needs a source and a year"]),
])
def test_malformed_world_files_name_file_line_and_column(tmp_path, file, old, new, needles):
    folder = copy_world(tmp_path)
    if file == "countries.csv" and old == "share_health,":
        # drop a required column from the header and every row
        lines = (folder / file).read_text().splitlines()
        i = lines[0].split(",").index("share_health")
        rows = [",".join(c for j, c in enumerate(line.split(",")) if j != i) for line in lines]
        (folder / file).write_text("\n".join(rows[:1] + rows[1:]) + "\n")
        edit(folder / file, "country,iso3", "country,iso3")
        needles = ["countries.csv", "line 2, column 'share_health': missing for Origin A"]
    else:
        edit(folder / file, old, new)
    with pytest.raises(WorldError) as e:
        load_world(str(folder))
    for n in needles:
        assert n in str(e.value), (n, str(e.value))
    # the model and the command line say the same, without a traceback
    with pytest.raises(ParameterError):
        MigrationModel(world=str(folder), n_persons=500)
    r = subprocess.run([sys.executable, "-m", "migdev", "world", str(folder)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and needles[0] in r.stderr and "Traceback" not in r.stderr


def test_a_users_own_world_folder_is_used(tmp_path):
    folder = copy_world(tmp_path)
    edit(folder / "countries.csv", "Origin B,XOB,origin,18.0", "Origin B,XOB,origin,9.5")
    m = MigrationModel(world=str(folder), n_persons=2000, rng=1)
    ref = MigrationModel(world="abstract", n_persons=2000, rng=1)
    # the same population with about half the health workers: each simulated person of
    # Origin B stands for 9.5 / 18 as many real persons (ODD §2); the others are unchanged
    w, w0 = m.world.person_weight, ref.world.person_weight
    assert w[1] == pytest.approx(w0[1] * 9.5 / 18.0, rel=1e-12)
    assert (np.delete(w, 1) == np.delete(w0, 1)).all()
    assert (m.world.population == ref.world.population).all()


def test_an_edited_world_file_is_read_again(tmp_path):
    """A world is cached with its files' sizes and times: editing one (a notebook session
    changing a figure) gives the new figure, an unchanged folder the cached world."""
    from migdev.core.worlds import load_world
    folder = copy_world(tmp_path)
    first = load_world(str(folder))
    assert load_world(str(folder)) is first
    edit(folder / "countries.csv", "Origin B,XOB,origin,18.0", "Origin B,XOB,origin,9.25")
    again = load_world(str(folder))
    assert again is not first
    assert [c["health_density"] for c in again.origins][1] == 9.25


FIXED_COUNTRIES = """country,iso3,role,health_density,wage_ratio_skilled,wage_ratio_low,population,sample_weight,share_health,share_education,share_other,emig_health,emig_education,emig_other,emig_low,financial_access,dest_wage_factor,dest_demand_weight
Upland,XUP,origin,8.0,0.05,0.08,5000000,1.0,0.03,0.05,0.06,0.3,0.05,0.1,0.03,0.6,,
Middleland,XMI,both,30.0,0.2,0.25,20000000,1.0,0.045,0.06,0.12,0.25,0.05,0.1,0.02,0.9,0.5,0.3
Northland,XNO,destination,,,,,,,,,,,,,,1.0,1.0
"""
FIXED_CORRIDORS = """origin,destination,weight
Upland,Middleland,1.0
Middleland,Northland,1.0
"""
FIXED_SOURCES = """table,country,field,kind,source,year,note
countries,*,*,assumption,,,test world for a chain of corridors
corridors,*,*,assumption,,,test world
"""


def test_a_fixed_world_with_a_country_that_is_both_and_its_corridors(tmp_path):
    folder = tmp_path / "chain"
    folder.mkdir()
    (folder / "world.toml").write_text('name = "chain"\ntitle = "A chain"\n')
    (folder / "countries.csv").write_text(FIXED_COUNTRIES)
    (folder / "corridors.csv").write_text(FIXED_CORRIDORS)
    (folder / "sources.csv").write_text(FIXED_SOURCES)
    m = MigrationModel(world=str(folder), n_persons=3000, rng=2)
    assert m.p.n_origins == 2 and m.p.n_destinations == 2
    assert m.world.origin_names == ["Upland", "Middleland"]
    assert m.world.destination_names == ["Middleland", "Northland"]
    pop = m.pop
    abroad = pop.abroad()
    # Upland's diaspora is all in Middleland, Middleland's all in Northland
    assert (pop.dest[abroad & (pop.origin == 0)] == 0).all()
    assert (pop.dest[abroad & (pop.origin == 1)] == 1).all()
    assert (abroad & (pop.origin == 0)).sum() > 0 and (abroad & (pop.origin == 1)).sum() > 0
    m.run_for(8)
    with pytest.raises(ParameterError, match="leave n_origins out"):
        MigrationModel(world=str(folder), n_origins=3)
    np.testing.assert_array_equal(m.world.corridor_weight, [[1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("line, needle", [
    ('extendable = "no"', "allowed true or false"),
    ('base_year = "abc"', "'base_year' = 'abc' is invalid"),
    ("default_origins = [1]", "allowed a whole number"),
    ("default_origins = 2.5", "allowed a whole number"),
    ("default_origins = 9", "the world has 7 and is not extendable"),
    ("colour = 3", "unknown key(s) ['colour']"),
])
def test_world_toml_keys_are_typed(tmp_path, line, needle):
    """world.toml is checked as configs are: a string for a switch (which counted as true
    and invented countries), a list or fraction for a count, an unknown key (issue 40)."""
    folder = tmp_path / "w"
    shutil.copytree(shipped_worlds()["health2005"], folder)
    toml = folder / "world.toml"
    text = "\n".join(x for x in toml.read_text().splitlines()
                     if not x.startswith(line.split(" =")[0] + " "))
    toml.write_text(text + "\n" + line + "\n")
    with pytest.raises(WorldError, match=re.escape(needle)):
        load_world(str(folder))
