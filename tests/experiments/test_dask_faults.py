"""A real Dask scheduler and worker (separate processes on loopback): a scheduler killed
mid-sweep, and one that cannot be reached. Runs that never ran are recorded as not run
(not as failures), the manifest says why, and the next invocation resumes them."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from migdev.experiments.engine.store import Store

CONFIG = """
[experiment]
name = "dask_faults"
scenario = "restrictive_mou"
steps = 120
replicates = 16
master_seed = 8
[params]
n_persons = 8000
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and one single-threaded worker, each its own process."""

    def __init__(self, port):
        self.address = f"tcp://127.0.0.1:{port}"
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--nworkers",
             "1", "--nthreads", "1", "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        from distributed import Client

        with Client(self.address, timeout=60) as c:
            c.wait_for_workers(1, timeout=60)

    def stop(self):
        for p in (self.worker, self.scheduler):
            if p.poll() is None:
                p.terminate()
        for p in (self.worker, self.scheduler):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def tables(out):
    t = Store(out).load()
    return t["country"].sort_values(["key", "step", "country"]).reset_index(drop=True)


@pytest.fixture
def config(tmp_path):
    p = tmp_path / "dask_faults.toml"
    p.write_text(textwrap.dedent(CONFIG))
    return p


def cmd(config, out, address, *extra):
    return [sys.executable, "-m", "migdev", "sweep", str(config), "--out", str(out),
            "--scheduler", address, "--quiet", *extra]


def test_scheduler_killed_mid_sweep_then_resume(config, tmp_path):
    port = free_port()
    cluster = Cluster(port)
    out = tmp_path / "lost"
    try:
        proc = subprocess.Popen(cmd(config, out, cluster.address, "--connect-timeout", "5"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 300
        while len(list((out / "parts").glob("*.summary.json"))) < 2:
            assert time.time() < deadline and proc.poll() is None
            time.sleep(0.05)
        cluster.scheduler.send_signal(signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        cluster.stop()
    assert proc.returncode == 1, stderr
    assert f"the Dask scheduler at {cluster.address} was lost" in stderr
    assert "Run the same command again" in stderr and "Traceback" not in stderr
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "incomplete" and m["counts"]["failed"] == 0
    kept = len(Store(out).done())
    assert m["counts"]["not_run"] == 16 - kept and kept >= 2
    assert {r["status"] for r in m["runs"]} == {"ok", "not_run"}
    assert not (out / "figures").exists()  # no figures from an incomplete sweep
    # a new cluster at the same address: the same command resumes only what never ran
    cluster = Cluster(port)
    try:
        r = subprocess.run(cmd(config, out, cluster.address), capture_output=True, text=True,
                           timeout=600)
    finally:
        cluster.stop()
    assert r.returncode == 0, r.stderr
    assert f"{16 - kept} run now, {kept} already stored" in r.stdout
    ref = tmp_path / "ref"
    r = subprocess.run([sys.executable, "-m", "migdev", "run", str(config), "--out", str(ref),
                        "--quiet"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    pd.testing.assert_frame_equal(tables(out), tables(ref), check_exact=True)


def test_unreachable_scheduler_says_so_within_the_timeout(config, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    out = tmp_path / "unreachable"
    t0 = time.time()
    r = subprocess.run(cmd(config, out, address, "--connect-timeout", "3"),
                       capture_output=True, text=True, timeout=120)
    took = time.time() - t0
    assert r.returncode == 1
    assert f"could not reach the Dask scheduler at {address} within 3 s" in r.stderr
    assert "Traceback" not in r.stderr
    assert took < 30, took
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "incomplete" and "could not reach" in m["stopped"]["reason"]
    assert m["counts"]["not_run"] == 16


BIG = """
[experiment]
name = "dask_interrupt"
scenario = "restrictive_mou"
steps = 60
replicates = 12
master_seed = 5
[params]
n_persons = 200000
"""


def test_ctrl_c_stops_a_local_dask_sweep_with_one_message(tmp_path, group_alive):
    # Ctrl-C in a terminal signals every process of the foreground group: the local
    # cluster's worker processes too. They leave it to the sweep, which stops them and says
    # what it kept; no worker's traceback or warning reaches the user.
    config = tmp_path / "big.toml"
    config.write_text(textwrap.dedent(BIG))
    out = tmp_path / "interrupted"
    proc = subprocess.Popen([sys.executable, "-m", "migdev", "sweep", str(config), "--out",
                             str(out), "--quiet", "--dask-local", "2"],
                            start_new_session=True, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    parts = out / "parts"
    deadline = time.time() + 300
    while not (parts.is_dir() and any(parts.glob("*.summary.json"))):
        assert proc.poll() is None and time.time() < deadline, "no run was stored"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "stopped by SIGINT" in stderr and "Run the same command again" in stderr
    assert "Traceback" not in stderr and "WARNING" not in stderr, stderr
    deadline = time.time() + 20
    while group_alive(proc.pid):  # no Dask process left behind
        assert time.time() < deadline, "Dask processes left running"
        time.sleep(0.1)
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "interrupted"
    kept = len(Store(out).done())
    assert 1 <= kept < 12 and m["counts"]["not_run"] == 12 - kept
    assert Store(out).verify() == []
