"""A built wheel works on its own: installed into a fresh virtual environment and used
from a folder outside the repository (no editable install, no source tree on the path)."""

import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                        str(tmp / "dist"), str(ROOT)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    wheel = next((tmp / "dist").glob("migdev-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    # the dependencies come from the test environment (not migdev itself: its editable
    # finder is only activated by a .pth file there, which this does not process)
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True).stdout.strip()
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    outside = tmp / "elsewhere"
    outside.mkdir()
    return py, env_dir / "bin" / "migdev", outside


def run(cmd, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.mark.slow
def test_model_runs_from_the_wheel(fresh):
    py, _, outside = fresh
    # the default world and remit2005 (its communities.csv and calibration ship too)
    r = run([py, "-c", "import migdev, pathlib; from migdev import MigrationModel;"
             "m = MigrationModel(rng=1, n_persons=1500); m.run_for(3);"
             "r = MigrationModel(world='remit2005', rng=1, n_persons=1500);"
             "print(len(m.country_frame()), pathlib.Path(migdev.__file__).parent, r.n_comm, "
             "r.calibration, r.world.comm_names[0].replace(' ', '_'))"], outside)
    assert r.returncode == 0, r.stderr
    rows, where, n_comm, cal, first = r.stdout.split()
    assert int(rows) == 4 * 7  # steps 0-3 x the default world's 7 origins (its data ship)
    assert not Path(where).is_relative_to(ROOT), where  # the installed copy, not the checkout
    assert n_comm == "11" and cal == "remit2005" and "very_high" in first


@pytest.mark.slow
def test_shipped_config_validates_from_the_wheel(fresh):
    _, migdev, outside = fresh
    r = run([migdev, "validate", "baseline"], outside)
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout and "baseline" in r.stdout
    r = run([migdev, "validate", "no_such_config"], outside)
    assert r.returncode == 2 and "shipped config" in r.stderr
    assert list(outside.iterdir()) == []  # nothing written


@pytest.mark.slow
def test_demo_imports_from_the_wheel(fresh):
    py, _, outside = fresh
    r = run([py, "-c", "import migdev.demo as d; print(type(d.page).__name__)"], outside)
    assert r.returncode == 0, r.stderr
