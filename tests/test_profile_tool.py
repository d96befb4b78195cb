"""The profile command prints where a run spends its time, the random numbers' share and
the fixed and per-person cost of a step (no timings asserted: machines differ)."""

import re
import subprocess
import sys


def test_profile_prints_draws_and_cost_split():
    out = subprocess.run([sys.executable, "-m", "migdev.benchmarks.profile", "--persons", "1200",
                          "--steps", "6", "--top", "3"], capture_output=True, text=True,
                         timeout=300, check=True).stdout
    m = re.search(r"random numbers .*?: ([\d.]+) per person-step", out)
    # common random numbers: every person draws the same fixed number of uniforms a step
    assert m and 15.0 <= float(m.group(1)) <= 20.0, out
    # of them, only those read are computed (a few per person-step, plus the market's fixed
    # draws: one per agency, origin and occupation turns its offers into offers to persons,
    # 1,960 a step in the default world, 1.6 a person-step at 1,200 persons)
    m = re.search(r"per person-step drawn, ([\d.]+) computed", out)
    assert m and 0.5 <= float(m.group(1)) <= 8.0, out
    # (the split's figures are timings: on a loaded machine, with so small a run, the part
    # per person can come out negative; only the line is checked)
    assert re.search(r"ms fixed \+ -?\d+ ns per person", out), out
    assert "recruitment_market" in out
    # each process's split, and the schedule's own lines
    for name in ("demography", "recruitment_market", "abroad_quarter", "record", "(rest)",
                 "(step)"):
        assert re.search(rf"^{re.escape(name)}\s+-?\d+\s+-?[\d.]+\s+\d+$", out, re.M), out
    # the compiled passes within the run, alone and alone with cold caches (top 3)
    rows = re.findall(r"^(\w+\.\w+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+|nan)\s+"
                      r"([\d.]+|nan)\s+([\d.]+|nan)$", out, re.M)
    assert len(rows) == 3 and "compiled passes, 1,200 persons x 6 steps" in out, out
    assert "cold us" in out, out
    assert all(float(r[1]) > 0 for r in rows) and any(r[4] != "nan" for r in rows), out


def test_sweep_benchmark_prints_its_figures():
    """The sweep benchmark runs end to end on a real local Dask cluster and prints the
    speed-ups, Dask's overhead on a run and a task that does nothing (no timings asserted)."""
    out = subprocess.run([sys.executable, "-m", "migdev.benchmarks.sweep_bench", "--runs", "4",
                          "--persons", "300", "--steps", "4", "--reps", "1"],
                         capture_output=True, text=True, timeout=600, check=True).stdout
    assert re.search(r"2 local workers\s+[\d.]+\s+[\d.]+\s+[\d.]+x", out), out
    assert re.search(r"Dask local, 2 workers, \d+ a task\s+[\d.]+", out), out
    assert re.search(r"through Dask, 1 run\(s\) a task: .*Dask's own overhead -?[\d.]+ ms", out), out
    assert re.search(r"through Dask, 16 run\(s\) a task: .*Dask's own overhead -?[\d.]+ ms", out), out
    assert re.search(r"a task that does nothing: \d+ ms", out), out


def test_model_benchmark_prints_its_figures():
    """The model benchmark runs end to end (small sizes, no reference) and prints its table,
    the calibration-size run and a simulation of the shipped calibration (no timings
    asserted)."""
    out = subprocess.run([sys.executable, "-m", "migdev.benchmarks", "--sizes", "1000,2000",
                          "--reference-sizes", "", "--steps", "4", "--reps", "1"],
                         capture_output=True, text=True, timeout=600, check=True).stdout
    assert re.search(r"^\s+2,000\s+[\d,]+\s+[\d.]+", out, re.M), out
    assert re.search(r"calibration-size run .*: \d+ ms median of \d+", out), out
    m = re.search(r"shipped calibration \(health2005: 10,000 persons x 40 steps, 8 targets; .*"
                  r"\): \d+ ms median of 7 .* statistics ([\d.]+) ms from the stored rows, "
                  r"([\d.]+) ms through the country table", out)
    assert m, out
