"""Faults with real processes: Ctrl-C and SIGTERM during a sweep, two sweeps into one
folder, a disk that fills, corrupt and tampered parts, a damaged manifest. Each must end
with a clear message, a consistent store, and a resume equal to an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from migdev.experiments.engine.reproduce import reproduce
from migdev.experiments.engine.store import Store

CONFIG = """
[experiment]
name = "faults"
scenario = "restrictive_mou"
steps = 60
replicates = 30
master_seed = 5
[params]
n_persons = 5000
"""
N_RUNS = 30  # enough that a sweep is still running when a test stops it


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    p = tmp_path_factory.mktemp("cfg") / "faults.toml"
    p.write_text(textwrap.dedent(CONFIG))
    return p


@pytest.fixture(scope="module")
def reference(config, tmp_path_factory):
    """The same experiment, uninterrupted."""
    out = tmp_path_factory.mktemp("ref") / "ref"
    r = subprocess.run(sweep(config, out, "run"), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return tables(out)


def sweep(config, out, command="sweep", *extra):
    cmd = [sys.executable, "-m", "migdev", command, str(config), "--out", str(out), "--quiet"]
    if command == "sweep" and "--workers" not in extra:
        cmd += ["--workers", "2"]
    return cmd + list(extra)


def tables(out):
    t = Store(out).load()
    c = t["country"].sort_values(["key", "step", "country"]).reset_index(drop=True)
    s = t["summary"].drop(columns=["wall_s"]).sort_values("key").reset_index(drop=True)
    return c, s


def stored(out) -> int:
    parts = out / "parts"
    return len(list(parts.glob("*.summary.json"))) if parts.is_dir() else 0


def wait_for(pred, timeout=180.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def resume_equals_reference(config, out, reference, command="sweep"):
    r = subprocess.run(sweep(config, out, command), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "status complete" in r.stdout
    c, s = tables(out)
    assert c.groupby("key").size().eq(61 * 7).all()  # every run once (7 origins)
    pd.testing.assert_frame_equal(c, reference[0], check_exact=True)
    pd.testing.assert_frame_equal(s, reference[1], check_exact=True)


@pytest.mark.parametrize("sig, to_group, code", [(signal.SIGINT, True, 130),
                                                 (signal.SIGTERM, False, 143)])
def test_ctrl_c_and_sigterm_stop_workers_keep_runs_and_resume(config, reference, tmp_path,
                                                              sig, to_group, code,
                                                              group_alive):
    out = tmp_path / "sig"
    proc = subprocess.Popen(sweep(config, out), start_new_session=True, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: stored(out) >= 2)
    sent = time.time()
    if to_group:  # Ctrl-C in a terminal signals the whole foreground process group
        os.killpg(proc.pid, sig)
    else:  # a batch system or `kill` signals the main process
        os.kill(proc.pid, sig)
    stdout, stderr = proc.communicate(timeout=30)
    took = time.time() - sent
    assert proc.returncode == code, stderr
    assert took < 15, f"took {took:.1f} s to stop"
    wait_for(lambda: not group_alive(proc.pid), timeout=10)  # no worker left behind
    assert f"stopped by {sig.name}" in stderr and "Run the same command again" in stderr
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "interrupted" and sig.name in m["stopped"]["reason"]
    kept = stored(out)
    assert 2 <= kept < N_RUNS
    assert m["counts"]["not_run"] == N_RUNS - kept
    assert Store(out).verify() == []  # what was stored is whole
    assert not list(out.rglob(".*.tmp-*"))
    resume_equals_reference(config, out, reference)


def test_two_sweeps_into_one_folder(config, reference, tmp_path):
    out = tmp_path / "shared"
    first = subprocess.Popen(sweep(config, out, "sweep", "--workers", "1"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: stored(out) >= 1)
    # the first is held still while the second tries (else, the runs being short, it can
    # finish before the second has started: then there is nothing left to contend for)
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = subprocess.run(sweep(config, out, "sweep", "--workers", "1"),
                                capture_output=True, text=True, timeout=120)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert second.returncode == 1
    assert f"is in use by migdev pid {first.pid}" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    stdout, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    c, s = tables(out)
    pd.testing.assert_frame_equal(c, reference[0], check_exact=True)


DISK_FULL_DRIVER = """
import errno, sys
import pandas as pd
from migdev.experiments import cli

calls = [0]
original = pd.DataFrame.to_parquet

def to_parquet(self, path, *a, **k):
    calls[0] += 1
    if calls[0] > {after}:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    return original(self, path, *a, **k)

pd.DataFrame.to_parquet = to_parquet
sys.exit(cli.main(sys.argv[1:]))
"""


def test_full_disk_stops_clearly_keeps_what_was_written_and_resumes(config, reference,
                                                                     tmp_path):
    out = tmp_path / "full"
    driver = tmp_path / "driver.py"
    # each run writes two tables (country, corridor): the disk fills after four runs
    driver.write_text(DISK_FULL_DRIVER.replace("{after}", "8"))
    r = subprocess.run([sys.executable, str(driver)] + sweep(config, out, "run")[3:],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stderr
    assert "no space left" in r.stderr and "Run the same command again" in r.stderr
    assert "Traceback" not in r.stderr
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "disk_full" and m["counts"]["not_run"] == N_RUNS - 4
    assert stored(out) == 4 and Store(out).verify() == []
    assert not list(out.rglob(".*.tmp-*"))
    resume_equals_reference(config, out, reference, "run")


def test_corrupt_and_tampered_parts_are_named_quarantined_and_rerun(config, reference,
                                                                     tmp_path):
    out = tmp_path / "bad"
    r = subprocess.run(sweep(config, out, "run"), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    parts = sorted((out / "parts").glob("*.country.parquet"))
    corrupt, tampered = parts[0], parts[1]
    corrupt.write_bytes(b"PAR1 this is not a parquet file")
    df = pd.read_parquet(tampered)
    df.loc[3, "health_density"] += 1.0
    df.to_parquet(tampered, index=False)
    # reproduce names both files and does not say identical
    same, diffs = reproduce(out / "manifest.json", inprocess=True)
    assert not same
    text = "\n".join(diffs)
    assert corrupt.name in text and tampered.name in text and "edited or corrupt" in text
    # the next run quarantines them, says so, and runs those two again
    r = subprocess.run(sweep(config, out, "run"), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("quarantine") == 2 and corrupt.name in r.stderr
    assert f"2 run now, {N_RUNS - 2} already stored" in r.stdout
    # each quarantined run moves with all its parts (country and corridor tables)
    assert len(list((out / "quarantine").rglob("*.country.parquet"))) == 2
    assert len(list((out / "quarantine").rglob("*.corridor.parquet"))) == 2
    c, s = tables(out)
    pd.testing.assert_frame_equal(c, reference[0], check_exact=True)
    same, diffs = reproduce(out / "manifest.json", inprocess=True)
    assert same, diffs


def test_damaged_manifest_is_named(config, tmp_path):
    out = tmp_path / "m"
    r = subprocess.run(sweep(config, out, "run"), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0
    (out / "manifest.json").write_text('{"experiment": "faults", "runs": [')
    for cmd in (["plot", str(out)], ["reproduce", str(out / "manifest.json")]):
        r = subprocess.run([sys.executable, "-m", "migdev", *cmd, "--quiet"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 1, r.stderr
        assert f"{out / 'manifest.json'}: this manifest is damaged" in r.stderr
        assert "Traceback" not in r.stderr
    # a new run rewrites it and keeps every stored run
    r = subprocess.run(sweep(config, out, "run"), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and f"0 run now, {N_RUNS} already stored" in r.stdout


def test_a_killed_sweep_leaves_a_manifest_that_says_so(config, tmp_path):
    out = tmp_path / "k"
    proc = subprocess.Popen(sweep(config, out), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: stored(out) >= 1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    r = subprocess.run([sys.executable, "-m", "migdev", "plot", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "stopped without finishing (killed)" in r.stderr and "resume" in r.stderr
