"""Calibration (issue 11): parameter recovery, resumption after SIGKILL, bad configs, and use
of a calibrated parameter set in an experiment."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migdev.experiments.analysis.figures import calibration_figures
from migdev.experiments.engine.calibrate import (Simulator, load_calibration, parse_calibration,
                                                 run_calibration)
from migdev.experiments.engine.posterior import posterior_means
from migdev.experiments.engine.config import ConfigError

TRUTH = {"training_capacity_health": 2.0, "financial_access": 0.7}


def _config(tmp: Path, observed: dict | None = None, generations: int = 3,
            population: int = 40, steps: int = 16) -> Path:
    # sds: the trainees (real persons) to 1 % of their value, the share to 0.01
    targets = [("health_trainees", None, [4, steps], 0.01),
               ("formal_share", None, [4, steps], 0.01)]
    text = f"""
[calibration]
name = "recovery"
world = "health2005"
n_persons = 3000
steps = {steps}
population_size = {population}
generations = {generations}
seed = 3
predictive_draws = 4

[free.training_capacity_health]
prior = "uniform"
low = 0.25
high = 3.75

[free.financial_access]
prior = "uniform"
low = 0.2
high = 1.0
"""
    for out, country, st, sd in targets:
        key = f"{out} [{country or 'all origins'}] steps {st[0]}-{st[1]}"
        value = observed[key] if observed else 1.0
        if out == "health_trainees":
            sd = sd * abs(value)
        text += f"""
[[target]]
output = "{out}"
{f'country = "{country}"' if country else ''}
steps = {st}
value = {value!r}
sd = {sd}
year = 2000
source = "simulated at known parameter values (test)"
"""
    p = tmp / "cal.toml"
    p.write_text(text)
    return p


def test_parameters_used_to_simulate_the_data_are_recovered(tmp_path):
    cfg = load_calibration(_config(tmp_path))
    # data simulated at the true values, with several seeds averaged (the observation)
    sims = [Simulator(cfg)(TRUTH, seed=s) for s in range(4)]
    observed = {k: float(np.mean([s[k] for s in sims])) for k in sims[0]}
    cfg = load_calibration(_config(tmp_path, observed))
    out = run_calibration(cfg, tmp_path / "out", quiet=True)
    calibration_figures(cfg, out)
    post = pd.read_parquet(out / "posterior.parquet")
    summary = pd.read_csv(out / "posterior_summary.csv").set_index("parameter")
    # every calibrated value says where it comes from and which years it describes
    assert summary.source.str.contains("simulated at known parameter values").all()
    assert (summary.year.astype(str) == "2000").all()
    for name, true in TRUTH.items():
        lo, hi = summary.loc[name, "q05"], summary.loc[name, "q95"]
        assert lo <= true <= hi, (name, true, lo, hi)
        prior = next(p for p in cfg.free if p.name == name)
        assert hi - lo < 0.75 * (prior.high - prior.low), (name, lo, hi)  # it learned
    assert post.weight.sum() == pytest.approx(1.0)
    for f in ("posterior_marginals.png", "posterior_pairs.png", "posterior_predictive.png",
              "manifest.json", "posterior_predictive.csv"):
        assert (out / f).is_file(), f
    means = posterior_means(out)
    assert set(means) == set(TRUTH)


def test_calibration_resumes_after_sigkill_without_redoing_finished_generations(tmp_path):
    import pyabc

    cfg_path = _config(tmp_path, generations=4, population=30)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "migdev", "calibrate", str(cfg_path), "--out", str(out),
           "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = "sqlite:///" + str(out / "history.db")
    deadline = time.time() + 300
    done = False
    while time.time() < deadline:
        time.sleep(0.1)  # the runs are short: look often, so that generations remain to do
        if (out / "history.db").exists():
            # read only: pyabc.History would create the schema it does not find, racing the
            # calibration that is creating it ("Cannot set version as already exists")
            try:
                with sqlite3.connect(f"file:{out / 'history.db'}?mode=ro", uri=True) as db:
                    done = (db.execute("SELECT MAX(t) FROM populations").fetchone()[0]
                            or 0) >= 1
            except sqlite3.Error:  # not created yet, or being written
                continue
            if done:
                break
        assert proc.poll() is None, proc.communicate()
    assert done, "no generation finished in time"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # what was finished before the kill
    first = pyabc.History(url).get_all_populations()
    first = first[first.t >= 0].set_index("t")
    assert not (out / "posterior.parquet").exists()
    r = subprocess.run(cmd[:-1], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "resuming after generation" in r.stderr
    pops = pyabc.History(url).get_all_populations()
    pops = pops[pops.t >= 0].set_index("t")
    assert list(pops.index) == [0, 1, 2, 3]
    # the generations finished before the kill were kept, not run again
    for t in first.index:
        assert pops.loc[t, "samples"] == first.loc[t, "samples"]
        assert pops.loc[t, "epsilon"] == first.loc[t, "epsilon"]
    assert (out / "posterior.parquet").is_file()
    # the manifest says where the run was resumed (what follows differs from an
    # uninterrupted run: the sampler's random state is not stored)
    resumed = json.loads((out / "manifest.json").read_text())["resumed_after"]
    assert len(resumed) == 1 and 1 <= resumed[0] <= 3 and resumed[0] >= len(first.index)


def test_a_calibration_in_one_process_is_reproducible(tmp_path):
    """docs/CALIBRATION.md: with one worker the same config gives the same posterior."""
    cfg = load_calibration(_config(tmp_path, generations=2, population=10, steps=4))
    a = pd.read_parquet(run_calibration(cfg, tmp_path / "a", quiet=True) / "posterior.parquet")
    b = pd.read_parquet(run_calibration(cfg, tmp_path / "b", quiet=True) / "posterior.parquet")
    pd.testing.assert_frame_equal(a, b)


def _raw(tmp_path) -> dict:
    return tomllib.loads(_config(tmp_path).read_text())


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d["free"].update({"traning_capacity_health": {}}), "did you mean"),
    (lambda d: d["free"].update({"n_persons": {}}), "cannot be calibrated"),
    (lambda d: d["free"]["financial_access"].update({"low": 0.2, "high": 0.1}), "must be below"),
    (lambda d: d["free"]["financial_access"].update({"prior": "beta"}), "one of uniform"),
    (lambda d: d["target"][0].pop("source"), "a target needs output, value, sd, year and source"),
    (lambda d: d["target"][0].update({"output": "health_trainee"}), "did you mean"),
    (lambda d: d["target"][0].update({"country": "Atlantis"}), "an origin of the world"),
    (lambda d: d["free"].update({"formal_fee": {"low": -1.0}}), "free.formal_fee.low"),
    (lambda d: d["target"][0].update({"steps": [4, 99]}), "last <= 16"),
    (lambda d: d["target"][1].update({"sd": 0}), "target[1].sd"),
    (lambda d: d.pop("free"), "missing [free]"),
    # the name is the output folder: never the parent, a hidden or an over-long one
    (lambda d: d["calibration"].update({"name": ".."}), "calibration.name"),
    (lambda d: d["calibration"].update({"name": "x" * 300}), "1-100 printable characters"),
    (lambda d: d["calibration"].update({"name": "a\nb"}), "calibration.name"),
    # wrong types get a message, not a traceback (issue 40)
    (lambda d: d.update({"params": 5}), "a table of fixed parameters"),
    (lambda d: d["target"][0].update({"output": ["formal_share"]}), "a per-country output"),
    (lambda d: d["target"][0].update({"output": {"a": 1}}), "a per-country output"),
    (lambda d: d["target"][0].update({"country": ["Ghana"]}), "an origin of the world"),
    # one country's value of a local lever: the country must be the world's, the lever local
    (lambda d: d["free"].update({"financial_access[Atlantis]": {}}), "Atlantis"),
    (lambda d: d["free"].update({"channel_const[Ghana]": {}}), "channel_const"),
    (lambda d: d["free"].update({"finance_access[Ghana]": {}}), "did you mean"),
])
def test_bad_calibration_configs_are_refused_with_what_to_fix(tmp_path, mutate, needle):
    d = _raw(tmp_path)
    mutate(d)
    with pytest.raises(ConfigError) as e:
        parse_calibration(d, "cal.toml")
    assert needle in str(e.value)


def test_a_folder_of_another_calibration_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    cfg = load_calibration(_config(tmp_path, generations=1, population=10, steps=4))
    run_calibration(cfg, out, quiet=True)
    before = (out / "posterior.parquet").read_bytes()
    other = load_calibration(_config(tmp_path, generations=2, population=10, steps=4))
    with pytest.raises(ConfigError, match="holds another calibration"):
        run_calibration(other, out, quiet=True)
    assert (out / "posterior.parquet").read_bytes() == before


def test_an_experiment_runs_on_calibrated_values(tmp_path):
    from migdev.experiments.engine.config import load

    out = tmp_path / "cal"
    cfg = load_calibration(_config(tmp_path, generations=1, population=10, steps=4))
    run_calibration(cfg, out, quiet=True)
    means = posterior_means(out)
    exp = tmp_path / "exp.toml"
    exp.write_text(f'[experiment]\nname = "x"\nsteps = 4\ncalibration = "{out}"\n'
                   f'[params]\nn_persons = 1000\n')
    ec = load(exp)
    for k, v in means.items():
        assert ec.base_params()[k] == pytest.approx(v)
    assert ec.calibration == str(out.resolve())
    exp.write_text('[experiment]\nname = "x"\ncalibration = "nowhere"\n')
    with pytest.raises(ConfigError, match="calibration 'nowhere' not found"):
        load(exp)
    r = subprocess.run([sys.executable, "-m", "migdev", "calibrate", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "is a folder" in r.stderr


def test_replicates_can_draw_their_parameters_from_the_posterior(tmp_path):
    """posterior_draws = true: each replicate runs on one particle (drawn by weight with the
    replicate's seed), shared by its policy and control runs; the config's own [params]
    and the design's factors are not replaced; without a calibration it is refused."""
    from migdev.experiments.engine.config import load
    from migdev.experiments.engine.design import build
    from migdev.experiments.engine.specs import build_specs

    out = tmp_path / "cal"
    cfg = load_calibration(_config(tmp_path, generations=1, population=20, steps=4))
    run_calibration(cfg, out, quiet=True)
    post = pd.read_parquet(out / "posterior.parquet")
    exp = tmp_path / "exp.toml"
    exp.write_text(f'[experiment]\nname = "x"\nsteps = 4\nreplicates = 12\n'
                   f'calibration = "{out}"\nposterior_draws = true\ncontrols = ["no_policy"]\n'
                   f'[params]\nn_persons = 1000\nfinancial_access = 0.5\n')
    ec = load(exp)
    rows, specs = build_specs(ec, build(ec.design))
    by_rep = {}
    for r in rows:
        p = specs[r["key"]].params
        assert p["financial_access"] == 0.5  # the config's own value wins
        by_rep.setdefault(r["replicate"], set()).add(p["training_capacity_health"])
    assert all(len(v) == 1 for v in by_rep.values())  # policy and control share the draw
    drawn = {next(iter(v)) for v in by_rep.values()}
    assert len(drawn) > 1 and drawn <= set(post.training_capacity_health)
    rows2, specs2 = build_specs(load(exp), build(ec.design))
    assert [r["key"] for r in rows2] == [r["key"] for r in rows]  # the same draws again
    exp.write_text('[experiment]\nname = "x"\ncalibration = "none"\nposterior_draws = true\n')
    with pytest.raises(ConfigError, match="needs experiment.calibration"):
        load(exp)


def test_a_reproduction_notices_a_calibration_that_changed(tmp_path):
    """The manifest records the posterior's digest; reproducing after the calibration's
    posterior changed says so (and is not 'identical')."""
    from migdev.experiments.engine.config import load
    from migdev.experiments.engine.reproduce import reproduce
    from migdev.experiments.engine.sweep import run_experiment

    out = tmp_path / "cal"
    run_calibration(load_calibration(_config(tmp_path, generations=1, population=10,
                                             steps=4)), out, quiet=True)
    exp = tmp_path / "exp.toml"
    exp.write_text(f'[experiment]\nname = "x"\nsteps = 3\ncalibration = "{out}"\n'
                   f'[params]\nn_persons = 500\n')
    res = run_experiment(load(exp), tmp_path / "res", inprocess=True, quiet=True)
    cal = res["manifest"]["calibration"]
    assert cal["folder"] == str(out.resolve()) and len(cal["posterior_sha256"]) == 64
    assert set(cal["parameters"]) == set(TRUTH) and cal["posterior_draws"] is False
    same, diffs = reproduce(tmp_path / "res" / "manifest.json", inprocess=True)
    assert same and not diffs
    post = pd.read_parquet(out / "posterior.parquet")
    post["financial_access"] = post["financial_access"] * 0.5
    post.to_parquet(out / "posterior.parquet")
    same, diffs = reproduce(tmp_path / "res" / "manifest.json", inprocess=True)
    assert not same and any("is not the one the experiment started from" in d for d in diffs)


def test_a_calibration_through_a_local_dask_cluster_sends_several_runs_a_task(tmp_path):
    """Through Dask, pyabc gets the runs per task of a sweep as its batch size (Dask's cost
    per task is its own); the calibration completes and its manifest records the number."""
    import json

    cfg = _config(tmp_path, generations=1, population=10, steps=8)
    out = tmp_path / "dask"
    r = subprocess.run([sys.executable, "-m", "migdev", "calibrate", str(cfg), "--out", str(out),
                        "--dask-local", "2", "--quiet"], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    m = json.loads((out / "manifest.json").read_text())
    # 3000 persons x 8 steps: short runs, so a quarter of the population of 10 a task
    assert m["executor"]["kind"] == "dask-local" and m["executor"]["runs_per_task"] == 3
    assert len(pd.read_parquet(out / "posterior.parquet")) == 10


def test_statistics_read_from_the_model_are_those_of_its_table():
    """The simulator reads each target's statistic from the model's stored rows: the same
    numbers, bit for bit, as the mean over the country table, for every numeric output, over
    windows of steps, all origins and each one."""
    from migdev.experiments.engine.calibrate import Target, model_statistics, statistics
    from migdev.model import MigrationModel
    from migdev.model.metrics import COLS

    m = MigrationModel(rng=11, n_persons=1500, agreement_kind="restrictive", agreement_start=2)
    m.run_for(10)
    targets = []
    for i, col in enumerate(COLS):
        window = [(0, 10), (3, 7), (10, 10), (4, 40)][i % 4]
        for country in (None, m.world.origin_names[i % m.n_orig]):
            targets.append(Target(col, country, window, 0.0, 1.0, 2000, "test"))
    got, want = model_statistics(m, targets), statistics(m.country_frame(), targets)
    assert got.keys() == want.keys() and len(got) == 2 * len(COLS)
    assert all(got[k] == want[k] for k in want), [k for k in want if got[k] != want[k]]


def test_the_mean_skips_missing_values_as_pandas_does():
    from migdev.experiments.engine.calibrate import _mean_skipping_nan

    rng = np.random.default_rng(4)
    for n in (0, 1, 7, 130, 1000):
        for nan_share in (0.0, 0.3, 1.0):
            x = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4, size=n)
            x[rng.random(n) < nan_share] = np.nan
            want = pd.Series(x).mean()
            got = _mean_skipping_nan(x.copy())
            assert (np.isnan(got) and np.isnan(want)) or got == want, (n, nan_share)


def test_a_deeply_nested_calibration_config_is_refused(tmp_path):
    p = tmp_path / "deep.toml"
    p.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_calibration(p)


def test_one_countrys_value_of_a_local_lever_can_be_free(tmp_path):
    """[free."financial_access[Ghana]"] calibrates Ghana's value only (remit2005's reach per
    origin): the simulator's model has it there and the lever's default elsewhere."""
    d = _raw(tmp_path)
    d["free"]["financial_access[Ghana]"] = d["free"].pop("financial_access")
    cfg = parse_calibration(d, "cal.toml")
    assert [f.name for f in cfg.free] == ["training_capacity_health", "financial_access[Ghana]"]
    sim = Simulator(cfg)
    from migdev.model.model import MigrationModel
    theta = {"training_capacity_health": 1.0, "financial_access[Ghana]": 0.9}
    m = MigrationModel(calibration=None, n_persons=1000, rng=1, **theta)
    fa = m.lever("financial_access")
    ghana = m.world.origin_names.index("Ghana")
    assert fa[ghana] == 0.9 and (np.delete(fa, ghana) == m.p.financial_access).all()
    high, low = sim(theta, seed=5), sim({**theta, "financial_access[Ghana]": 0.1}, seed=5)
    key = next(k for k in high if k.startswith("formal_share"))
    assert len(high) == len(cfg.targets) and high[key] > low[key]
