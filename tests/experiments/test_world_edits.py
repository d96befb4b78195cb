"""Run keys cover the world's data (issue 40): editing a world's file runs its runs again
instead of resuming from stale ones, and reproduce names the file that changed."""

from __future__ import annotations

import csv
import shutil

from migdev.core.worlds import shipped_worlds
from migdev.experiments.api import load_results, run_experiment

CONFIG = """
[experiment]
name = "edited"
steps = 8
replicates = 1
outputs = ["country"]

[params]
world = "w"
n_persons = 1000
"""


def _set(folder, country, field, value):
    path = folder / "countries.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["country"] == country:
            r[field] = value
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_an_edited_world_is_run_again_and_reproduce_names_the_file(tmp_path):
    world = tmp_path / "w"
    shutil.copytree(shipped_worlds()["health2005"], world)
    (tmp_path / "edited.toml").write_text(CONFIG)
    out = tmp_path / "out"
    first = run_experiment(tmp_path / "edited.toml", out, inprocess=True, quiet=True,
                           analyse=False)
    assert first.run_report["ran"] == 1
    recorded = first.manifest["worlds"]
    assert list(recorded) == [str(world.resolve())]
    assert set(recorded[str(world.resolve())]) == {"world.toml", "countries.csv",
                                                   "corridors.csv"}
    again = run_experiment(tmp_path / "edited.toml", out, inprocess=True, quiet=True,
                           analyse=False)
    assert again.run_report["ran"] == 0 and again.run_report["skipped"] == 1  # unchanged
    before = first.country.copy()

    _set(world, "Ghana", "health_density", "12.0")  # an edit of the data, same path
    ok, diffs = load_results(out).reproduce(workers=1)
    assert not ok and any("countries.csv changed since the experiment ran" in d
                          for d in diffs), diffs
    edited = run_experiment(tmp_path / "edited.toml", out, inprocess=True, quiet=True,
                            analyse=False)
    assert edited.run_report["ran"] == 1  # not "0 run now, 1 already stored"
    ghana = edited.country[edited.country.country == "Ghana"]
    assert ghana.health_density.iloc[0] != before[before.country == "Ghana"].health_density.iloc[0]
    # a note in sources.csv changes no run
    with open(world / "sources.csv", "a") as f:
        f.write('countries,Ghana,population,published,"a note",2000,no,"edited note"\n')
    assert run_experiment(tmp_path / "edited.toml", out, inprocess=True, quiet=True,
                          analyse=False).run_report["ran"] == 0


def test_a_byte_order_mark_is_accepted_in_worlds_and_configs(tmp_path):
    """Files saved by Excel or Notepad start with a UTF-8 byte order mark: a world's CSVs and
    world.toml and an experiment config read the same with it as without."""
    from migdev.core.worlds import load_world
    from migdev.experiments.engine.config import load

    world = tmp_path / "w"
    shutil.copytree(shipped_worlds()["health2005"], world)
    for name in ("countries.csv", "corridors.csv", "sources.csv", "world.toml"):
        p = world / name
        p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    w = load_world(str(world))
    assert w.countries == load_world("health2005").countries
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b"\xef\xbb\xbf" + CONFIG.encode())
    assert load(cfg).name == "edited"


def test_an_output_that_is_a_file_is_refused_with_exit_2(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "afile"
    target.write_text("keep me")
    r = subprocess.run([sys.executable, "-m", "migdev", "run", "baseline", "--out",
                        str(target)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "is a file, not a folder" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and target.read_text() == "keep me"


def test_temporary_files_of_a_killed_writer_are_removed_on_the_next_run(tmp_path):
    """A process killed while writing a figure or table leaves its temporary file; the next
    command on the folder (holding its lock) removes them, and nothing else."""
    from migdev.experiments.engine.store import Store

    store = Store(tmp_path / "out")
    for sub in ("figures", "analysis", "parts"):
        (store.root / sub).mkdir(parents=True, exist_ok=True)
    left = [store.root / "figures" / ".headline.png.tmp-host-123",
            store.root / "analysis" / ".by_point.csv.tmp-host-9",
            store.root / "parts" / ".abc.country.parquet.tmp-host-1",
            store.root / ".manifest.json.tmp-host-7"]
    kept = store.root / "figures" / "headline.png"
    for p in left + [kept]:
        p.write_text("x")
    with store.lock():
        store.prepare()
    assert not [p for p in left if p.exists()] and kept.exists()
