"""The Python API of experiments (issue 39): run a config, load its folder, read the same
frames, paired effects and figures, reproduce it."""

from __future__ import annotations

import pandas as pd
import pytest

import migdev
from migdev.experiments.engine.config import ConfigError
from migdev.experiments.engine.store import StoreError

TINY = """
[experiment]
name = "tiny"
scenario = "restrictive_mou"
steps = 12
replicates = 2
master_seed = 7
controls = ["no_agreement"]
outputs = ["country", "corridor", "summary"]

[params]
n_persons = 1500
agreement_start = 4

[design.factors.implementation_rate]
values = [0.5, 1.0]
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    cfg = folder / "tiny.toml"
    cfg.write_text(TINY)
    return migdev.run_experiment(cfg, folder / "out", workers=1, quiet=True), folder


def test_run_then_load_gives_the_same_frames(tiny):
    res, folder = tiny
    assert res.status == "complete" and res.run_report["ran"] == 8  # 2 points x 2 reps x 2
    again = migdev.load_results(folder / "out")
    for name in ("runs", "country", "corridor", "summary"):
        a, b = getattr(res, name), getattr(again, name)
        assert not a.empty, name
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(res.paired, again.paired)
    assert len(res.paired) == 4 and "extra_recruits_nonparty" in res.paired.columns
    assert again.manifest["experiment"] == "tiny" and "tiny" in repr(again)
    # the effects: a 95 % interval per design setting, and the analysis written as the CLI's
    eff = again.effects("implementation_rate")
    assert set(eff.implementation_rate) == {0.5, 1.0}
    assert {"mean", "ci_low", "ci_high", "n"} <= set(eff.columns)
    assert (folder / "out" / "analysis" / "paired_runs.csv").is_file()
    with pytest.raises(ValueError, match="cannot group by"):
        again.effects("nope")


def test_figures_are_the_command_lines_and_come_back_as_matplotlib_figures(tiny):
    from matplotlib.figure import Figure

    res, folder = tiny
    figs = res.figures()
    assert figs and all(isinstance(f, Figure) for f in figs)
    assert all(f.axes for f in figs)
    assert (folder / "out" / "figures" / "headline.png").is_file()


def test_reproduce_from_python(tiny):
    res, _ = tiny
    ok, differences = res.reproduce(workers=1)
    assert ok and not differences


def test_the_api_is_documented_and_its_errors_are_the_command_lines(tmp_path):
    assert "Example" in migdev.run_experiment.__doc__
    assert migdev.Results.__doc__ and migdev.load_results.__doc__
    bad = tmp_path / "bad.toml"
    bad.write_text('[experiment]\nname = "x"\nreplicates = "two"\n')
    with pytest.raises(ConfigError, match="replicates"):
        migdev.run_experiment(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(StoreError, match="no manifest.json"):
        migdev.load_results(tmp_path)
    with pytest.raises(ValueError, match="choose one"):
        migdev.run_experiment("baseline", tmp_path / "o", workers=1, scheduler="tcp://x:1")


def test_a_tampered_table_is_refused_when_loaded(tiny, tmp_path):
    import shutil

    _, folder = tiny
    copy = tmp_path / "copy"
    shutil.copytree(folder / "out", copy)
    df = pd.read_parquet(copy / "country.parquet")
    df.loc[0, "health_recruits"] += 1.0
    df.to_parquet(copy / "country.parquet")
    with pytest.raises(StoreError, match="differs from the hash"):
        migdev.load_results(copy).country
