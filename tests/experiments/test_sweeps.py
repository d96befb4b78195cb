"""Sweeps end to end: executors agree bit for bit, kills resume exactly, failures are
isolated, reproduce detects edits."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from migdev.experiments.engine.config import load
from migdev.experiments.engine.reproduce import reproduce
from migdev.experiments.engine.store import Store
from migdev.experiments.engine.sweep import run_experiment


def tables(out):
    t = Store(out).load()
    c = t["country"].sort_values(["key", "step", "country"]).reset_index(drop=True)
    s = t["summary"].drop(columns=["wall_s"]).sort_values("key").reset_index(drop=True)
    return c, s


def test_inprocess_pool_and_dask_give_identical_tables(small_config, tmp_path):
    cfg = load(small_config)
    a = run_experiment(cfg, tmp_path / "a", inprocess=True, quiet=True)
    b = run_experiment(cfg, tmp_path / "b", workers=2, quiet=True)
    c = run_experiment(cfg, tmp_path / "c", dask_local=2, quiet=True)
    assert a["failed"] == b["failed"] == c["failed"] == 0
    assert a["total"] == 6  # 2 points x 2 replicates + 2 shared no-agreement controls
    # through Dask the small runs went two to a task; in a pool one each
    assert c["manifest"]["executor"]["runs_per_task"] == 2
    assert b["manifest"]["executor"]["runs_per_task"] == 1
    ca, sa = tables(tmp_path / "a")
    for other in ("b", "c"):
        co, so = tables(tmp_path / other)
        pd.testing.assert_frame_equal(ca, co, check_exact=True)
        pd.testing.assert_frame_equal(sa, so, check_exact=True)


def test_runs_per_task_fill_about_a_second_and_leave_work_to_share():
    from migdev.experiments.engine.specs import TASK_SECONDS, runs_per_task

    assert TASK_SECONDS == 1.0
    calibration_size = 10_000 * 120  # 0.12 s at the sizing speed: 8 fill a second
    assert runs_per_task(calibration_size, 1000) == 8
    assert runs_per_task(calibration_size, 16) == 4  # a quarter of the runs at most
    assert runs_per_task(calibration_size, 3) == 1
    assert runs_per_task(100, 10_000) == 16  # at most 16
    assert runs_per_task(1_000_000 * 120, 1000) == 1  # a long run has a task of its own


def test_local_dask_workers_keep_freed_memory_and_do_not_profile_themselves():
    """The local cluster's workers are started with glibc's trim threshold raised and Dask's
    statistical profiler off (each costs small runs time: docs/EXPERIMENTS.md)."""
    import dask

    from migdev.experiments.engine.executors import WORKER_TRIM_THRESHOLD, make_executor

    def settings():
        return (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                dask.config.get("distributed.worker.profile.enabled"))

    with make_executor(dask_local=2) as ex:
        seen = ex._client.run(settings)
    assert len(seen) == 2
    assert set(seen.values()) == {(str(WORKER_TRIM_THRESHOLD), False)}
    # the settings were for the cluster only: this process keeps Dask's default
    assert dask.config.get("distributed.worker.profile.enabled") is True


def test_an_error_under_a_dask_executor_reaches_the_user_as_it_was():
    """An exception raised while a local Dask cluster serves (a model's error, an interrupt)
    is what the user sees, its queued runs cancelled: not an error of the clean-up."""
    from migdev.experiments.engine.executors import make_executor

    with pytest.raises(ValueError, match="a model's error"):
        with make_executor(dask_local=1) as ex:
            queued = ex.submit(time.sleep, 60)
            raise ValueError("a model's error")
    assert queued.cancelled()


def test_resume_skips_stored_runs(small_config, tmp_path):
    cfg = load(small_config)
    first = run_experiment(cfg, tmp_path / "r", inprocess=True, quiet=True)
    again = run_experiment(cfg, tmp_path / "r", inprocess=True, quiet=True)
    assert first["ran"] == 6 and again["ran"] == 0 and again["skipped"] == 6


def test_sigkill_mid_sweep_then_resume_equals_uninterrupted(tmp_path):
    cfg_text = (
        "[experiment]\nname='kill'\nscenario='restrictive_mou'\nsteps=60\nreplicates=12\n"
        "master_seed=3\n[params]\nn_persons=6000\n")
    cfg = tmp_path / "kill.toml"
    cfg.write_text(cfg_text)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "migdev", "sweep", str(cfg), "--out", str(out),
           "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    parts = out / "parts"
    while time.time() < deadline:
        if parts.is_dir() and len(list(parts.glob("*.summary.json"))) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
    proc.wait()
    stored = len(list(parts.glob("*.summary.json")))
    assert 3 <= stored < 12, stored
    assert not (out / "country.parquet").exists()  # killed before consolidating
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"{12 - stored} run now, {stored} already stored" in r.stdout
    ref = tmp_path / "ref"
    r = subprocess.run(cmd[:6] + [str(ref)] + cmd[7:], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    ck, sk = tables(out)
    cr, sr = tables(ref)
    assert ck.groupby("key").size().eq(61 * 7).all()  # every run exactly once (7 origins)
    pd.testing.assert_frame_equal(ck, cr, check_exact=True)
    pd.testing.assert_frame_equal(sk, sr, check_exact=True)


def test_a_failing_run_is_recorded_and_the_others_are_stored(small_config, tmp_path,
                                                             monkeypatch, capsys):
    from migdev.experiments import cli
    from migdev.model.model import MigrationModel

    cfg = load(small_config)
    bad_seed = None

    original = MigrationModel.run_for

    def flaky(self, n):
        if self.seed == bad_seed:
            raise RuntimeError("deliberate failure for the test")
        return original(self, n)

    from migdev.experiments.engine.specs import replicate_seeds

    bad_seed = replicate_seeds(cfg.master_seed, cfg.replicates)[1]
    monkeypatch.setattr(MigrationModel, "run_for", flaky)
    rc = cli.main(["run", str(small_config), "--out", str(tmp_path / "f"), "--quiet"])
    assert rc == 1
    err = capsys.readouterr().err
    assert "3 run(s) failed" in err
    fails = pd.read_parquet(tmp_path / "f" / "failures.parquet")
    assert len(fails) == 3
    assert fails.traceback.str.contains("deliberate failure for the test").all()
    runs = pd.read_parquet(tmp_path / "f" / "runs.parquet")
    assert (runs[runs.replicate == 0].status == "ok").all()
    assert (runs[runs.replicate == 1].status == "failed").all()
    assert len(Store(tmp_path / "f").done()) == 3
    # fixed: the same command retries only the failed runs
    monkeypatch.setattr(MigrationModel, "run_for", original)
    assert cli.main(["run", str(small_config), "--out", str(tmp_path / "f"), "--quiet"]) == 0
    assert "3 run now, 3 already stored" in capsys.readouterr().out
    assert pd.read_parquet(tmp_path / "f" / "failures.parquet").empty


def test_reproduce_identical_then_detects_an_edit(small_config, tmp_path):
    from migdev.experiments import cli

    out = tmp_path / "rep"
    run_experiment(load(small_config), out, inprocess=True, quiet=True)
    same, diffs = reproduce(out / "manifest.json", inprocess=True)
    assert same and diffs == []
    df = pd.read_parquet(out / "country.parquet")
    df.loc[5, "health_density"] += 0.5
    df.to_parquet(out / "country.parquet", index=False)
    same, diffs = reproduce(out / "manifest.json", inprocess=True)
    assert not same
    assert len(diffs) == 2, diffs
    assert "country.parquet: content differs from the hash recorded" in diffs[0]
    assert "health_density" in diffs[1]
    assert cli.main(["reproduce", str(out / "manifest.json"), "--quiet"]) == 1


def test_manifest_records_what_is_needed_to_rerun(small_config, tmp_path):
    import json

    out = tmp_path / "m"
    run_experiment(load(small_config), out, inprocess=True, quiet=True)
    m = json.loads((out / "manifest.json").read_text())
    for k in ("config", "design", "seeds", "code", "packages", "platform", "started",
              "finished", "runs", "executor"):
        assert k in m, k
    assert m["status"] == "complete" and m["code"]["git_commit"]
    assert isinstance(m["code"]["dirty"], bool)
    assert m["packages"]["mesa"].startswith("3.5")
    assert all(r["status"] == "ok" and r["wall_s"] > 0 for r in m["runs"])


def test_validate_and_plot_commands(small_config, tmp_path, capsys):
    from migdev.experiments import cli

    assert cli.main(["validate", str(small_config)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and not (tmp_path / "p").exists()
    assert re.search(r"estimated time: about \d+ s on \d+ worker\(s\)", out), out
    run_experiment(load(small_config), tmp_path / "p", inprocess=True, quiet=True)
    assert not (tmp_path / "p" / "figures").exists()
    assert cli.main(["plot", str(tmp_path / "p"), "--quiet"]) == 0
    printed = capsys.readouterr().out.split()
    assert any(p.endswith("headline.png") for p in printed)
    for p in printed:
        assert Path(p).stat().st_size > 10_000
    assert cli.main(["plot", str(tmp_path / "nothing-here")]) == 2
    assert "not an experiment folder" in capsys.readouterr().err
    # one country's figure, named; a wrong name is refused before anything is written
    assert cli.main(["plot", str(tmp_path / "p"), "--quiet", "--country", "South Africa"]) == 0
    printed = capsys.readouterr().out.split()
    png = tmp_path / "p" / "figures" / "country_South_Africa.png"
    assert str(png) in printed and png.stat().st_size > 30_000
    before = {f: f.stat().st_mtime_ns for f in (tmp_path / "p" / "figures").iterdir()}
    assert cli.main(["plot", str(tmp_path / "p"), "--country", "Zimbabwae"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'Zimbabwe'" in err and "Malawi" in err
    assert {f: f.stat().st_mtime_ns for f in (tmp_path / "p" / "figures").iterdir()} == before


def test_a_code_change_changes_every_key_and_reproduce_still_compares_values(
        small_config, tmp_path, monkeypatch):
    from migdev.experiments.engine import specs as specs_mod
    from migdev.experiments.engine.design import build

    cfg = load(small_config)
    design = build(cfg.design)
    _, before = specs_mod.build_specs(cfg, design)
    out = tmp_path / "c"
    run_experiment(cfg, out, inprocess=True, quiet=True)

    monkeypatch.setattr(specs_mod, "code_fingerprint", lambda: "0" * 64)  # "the model changed"
    _, after = specs_mod.build_specs(cfg, design)
    assert len(after) == len(before) and not set(after) & set(before)
    # the stored runs are not taken for runs of the new code: a resume runs them all again
    res = run_experiment(cfg, tmp_path / "c2", inprocess=True, quiet=True)
    assert res["ran"] == len(after)
    # reproduce says the specs differ, and (the outputs being in fact unchanged) no value does
    same, diffs = reproduce(out / "manifest.json", inprocess=True)
    assert not same
    assert len(diffs) == 1 and "run specs differ" in diffs[0], diffs


def test_an_agreement_kind_has_one_colour_in_every_figure(small_config, tmp_path):
    import matplotlib.colors as mcolors

    from migdev.experiments.analysis import figures
    from migdev.experiments.analysis.stats import analyse

    out = tmp_path / "colours"
    run_experiment(load(small_config), out, inprocess=True, quiet=True)
    res = analyse(out, quiet=True)
    t = Store(out).load()
    m = Store(out).manifest()
    head = figures.headline_figure(res["by_kind"], "agreement_kind", "t")
    order = list(dict.fromkeys(res["by_kind"]["agreement_kind"]))
    dots = head.axes[0].collections[-1].get_facecolors()
    head_colour = {k: mcolors.to_hex(c) for k, c in zip(order, dots)}
    ts = figures.timeseries_figure(out, m, t["runs"], t["country"], "agreement_kind")
    legend = ts.axes[0].get_legend()
    line_colour = {txt.get_text(): mcolors.to_hex(h.get_color())
                   for txt, h in zip(legend.get_texts(), legend.legend_handles)}
    for kind in ("restrictive", "multilateral"):
        assert head_colour[kind] == line_colour[kind] == figures.KIND_COLOURS[kind]
    # the time series say which control, label the WHO threshold and name what is pooled
    assert "no-agreement control" in legend.get_title().get_text()
    assert any("WHO critical shortage" in t.get_text() for t in legend.get_texts())
    assert "same seeds" in ts._suptitle.get_text()


def test_validate_warns_before_an_experiment_of_more_than_a_day(tmp_path, capsys):
    from migdev.experiments import cli

    cfg = tmp_path / "huge.toml"
    cfg.write_text('[experiment]\nname = "huge"\nsteps = 10000\nreplicates = 20000\n'
                   '[params]\nn_persons = 200000\n')
    assert cli.main(["validate", str(cfg), "--workers", "2"]) == 0
    out, err = capsys.readouterr()
    assert re.search(r"estimated time: about [\d.]+ days on 2 worker\(s\)", out), out
    assert "more than a day" in err and "--scheduler" in err
    assert cli.main(["validate", str(cfg), "--no-estimate"]) == 0
    assert "estimated" not in capsys.readouterr().out


def test_run_keys_read_the_installed_version_once(monkeypatch):
    # reading a package's metadata takes about a millisecond: a design of 20,000 runs spent
    # 20 s of `migdev validate` and of a sweep's start on it, once per run key
    import importlib.metadata

    from migdev.experiments.engine import specs

    calls = []
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: calls.append(name)
                        or real(name))
    specs.model_version.cache_clear()
    try:
        keys = {specs.RunSpec.make({"n_persons": 300}, seed, 4, ("country",)).key
                for seed in range(200)}
        assert len(keys) == 200 and calls.count("migdev") == 1
        assert specs.model_version() == real("migdev")
    finally:
        specs.model_version.cache_clear()
