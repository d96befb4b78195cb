"""`migdev simulate`: one scenario end to end, through the installed console script."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd


def migdev(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "migdev", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_simulate_writes_table_summary_and_figures(tmp_path):
    out = tmp_path / "sim"
    r = migdev("simulate", "--scenario", "restrictive_mou", "--steps", "44", "--seed", "5",
               "--out", str(out))
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(out / "country.parquet")
    assert df.step.max() == 44 and df.country.nunique() == 7  # the default world
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 5 and summary["scenario"] == "restrictive_mou"
    for ext in ("png", "pdf"):
        assert (out / f"run.{ext}").stat().st_size > 10_000
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left


def test_simulate_rejects_unknown_scenario_and_writes_nothing(tmp_path):
    out = tmp_path / "sim"
    r = migdev("simulate", "--scenario", "nope", "--out", str(out))
    assert r.returncode != 0 and "invalid choice" in r.stderr
    assert not Path(out).exists()


def test_version_names_migdev_mesa_and_python_and_matches_the_manifests():
    import platform
    from importlib.metadata import version

    from migdev.experiments.engine.specs import model_version

    r = migdev("--version")
    assert r.returncode == 0, r.stderr
    text = r.stdout.strip()
    assert text == (f"migdev {model_version()} (mesa {version('mesa')}, "
                    f"Python {platform.python_version()})")
