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


def test_simulate_keeps_each_scenario_apart_and_refuses_to_overwrite(tmp_path):
    """Without --out each scenario and seed has its own folder; a second run into a folder
    holding outputs is refused (exit 2, files untouched) unless --force."""
    a = migdev("simulate", "--scenario", "baseline", "--steps", "4", cwd=tmp_path)
    b = migdev("simulate", "--scenario", "restrictive_mou", "--steps", "4", cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    first = tmp_path / "results" / "simulate" / "baseline_seed1_steps4"
    assert (first / "country.parquet").is_file()
    assert (tmp_path / "results" / "simulate" / "restrictive_mou_seed1_steps4"
            / "country.parquet").is_file()
    before = (first / "summary.json").read_bytes()
    again = migdev("simulate", "--scenario", "baseline", "--steps", "4", "--seed", "1",
                   "--out", str(first), cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    assert (first / "summary.json").read_bytes() == before
    forced = migdev("simulate", "--scenario", "baseline", "--steps", "4", "--seed", "2",
                    "--out", str(first), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert json.loads((first / "summary.json").read_text())["seed"] == 2


def test_reproduce_says_what_it_was_given_and_what_it_needs(tmp_path):
    cfg = Path(__file__).resolve().parents[1] / "experiments" / "configs" / "baseline.toml"
    r = migdev("reproduce", str(cfg))
    assert r.returncode == 2 and "is an experiment config, not a manifest" in r.stderr
    other = tmp_path / "notes.txt"
    other.write_text("x")
    r = migdev("reproduce", str(other))
    assert r.returncode == 2 and "is not a manifest" in r.stderr


def test_simulate_runs_the_shipped_calibration_unless_told_otherwise(tmp_path):
    """The command line runs the calibrated model by default and says so in the summary;
    --uncalibrated runs the parameters' own defaults, and the two runs differ."""
    runs = {}
    for name, extra in (("cal", []), ("unc", ["--uncalibrated"])):
        out = tmp_path / name
        r = migdev("simulate", "--steps", "12", "--seed", "2", "--out", str(out), *extra)
        assert r.returncode == 0, r.stderr
        runs[name] = (json.loads((out / "summary.json").read_text()),
                      pd.read_parquet(out / "country.parquet"))
    assert runs["cal"][0]["calibration"] == "health2005"
    assert runs["unc"][0]["calibration"] is None
    assert not runs["cal"][1].equals(runs["unc"][1])
    r = migdev("simulate", "--steps", "4", "--calibration", "nope", "--out",
               str(tmp_path / "bad"))
    assert r.returncode == 2 and "calibration 'nope' not found" in r.stderr
    assert not (tmp_path / "bad").exists()
