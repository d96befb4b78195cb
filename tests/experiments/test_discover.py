"""migdev discover: scenario discovery with PRIM (issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from migdev.experiments.analysis.discover import DiscoveryError, discover, load_cases, mark


def _results(tmp, n=1000, seed=0, noise=0.01):
    """A results folder whose outcome is planted: 'bad' exactly when 0.2 < a < 0.5 and
    b > 0.7 (then flipped at random in a share ``noise`` of cases); c and kind are noise."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.random(n), rng.random(n), rng.random(n)
    kind = rng.choice(["restrictive", "circular", "multilateral"], n)
    bad = (a > 0.2) & (a < 0.5) & (b > 0.7)
    flip = rng.random(n) < noise
    bad = bad ^ flip
    df = pd.DataFrame({"point": np.arange(n), "replicate": 0, "a": a, "b": b, "c": c,
                       "kind": kind, "outcome": np.where(bad, -1.0, 1.0)})
    root = tmp / "res"
    (root / "analysis").mkdir(parents=True)
    df.to_csv(root / "analysis" / "paired_runs.csv", index=False)
    (root / "manifest.json").write_text(json.dumps({"design": {"kind": "lhs", "factors": [
        {"name": k} for k in ("a", "b", "c", "kind")]}}))
    return root


def test_prim_finds_the_planted_box(tmp_path):
    cases, factors = load_cases(_results(tmp_path))
    res = discover(cases, factors, mark(cases, "outcome < 0"), threshold=0.8)
    lim = {x["factor"]: x for x in res["box"]}
    assert res["reached_threshold"] and res["density"] >= 0.8 and res["coverage"] >= 0.8
    assert lim["a"]["restricted"] and lim["b"]["restricted"]
    assert lim["a"]["low"] == pytest.approx(0.2, abs=0.05)
    assert lim["a"]["high"] == pytest.approx(0.5, abs=0.05)
    assert lim["b"]["low"] == pytest.approx(0.7, abs=0.08)
    assert not lim["kind"]["restricted"] and not lim["c"]["restricted"]
    # the planted restrictions are significant (quasi-p-values, Bryant & Lempert 2010)
    assert max(q for q in (lim["a"]["qp_low"], lim["a"]["qp_high"]) if q is not None) < 1e-3
    assert lim["b"]["qp_low"] < 1e-3


def test_discover_command_end_to_end_and_its_refusals(tmp_path):
    root = _results(tmp_path)
    cmd = [sys.executable, "-m", "migdev", "discover", str(root)]
    r = subprocess.run(cmd + ["--where", "outcome < 0"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "  a: " in r.stdout and "  b: " in r.stdout and "  c: " not in r.stdout
    assert "Warning" not in r.stderr
    for f in ("box.csv", "trajectory.csv", "discovery.json", "discovery_tradeoff.png"):
        assert (root / "discovery" / f).is_file(), f
    r = subprocess.run(cmd + ["--where", "outcom < 0", "--out", str(tmp_path / "x")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "cannot be evaluated" in r.stderr and "outcome" in r.stderr
    assert not (tmp_path / "x").exists()
    r = subprocess.run(cmd + ["--where", "outcome + 1"], capture_output=True, text=True)
    assert r.returncode == 2 and "not a condition" in r.stderr
    r = subprocess.run(cmd + ["--where", "outcome > 5"], capture_output=True, text=True)
    assert r.returncode == 2 and "holds in 0 of 1000" in r.stderr
    r = subprocess.run([sys.executable, "-m", "migdev", "discover", str(tmp_path),
                        "--where", "outcome < 0"], capture_output=True, text=True)
    assert r.returncode == 2 and "no manifest.json" in r.stderr


def test_a_single_point_experiment_is_refused(tmp_path):
    root = _results(tmp_path)
    (root / "manifest.json").write_text(json.dumps({"design": {"kind": "single",
                                                               "factors": []}}))
    with pytest.raises(DiscoveryError, match="varies no factor"):
        load_cases(root)


def test_where_is_a_small_grammar_and_runs_no_code(tmp_path, monkeypatch):
    """--where is read, never run: payloads that ran a shell command or wrote a file through
    pandas' eval are refused, nothing runs and nothing is written; conditions joined with
    and/or/not or & | ~, chained comparisons and strings work."""
    monkeypatch.chdir(tmp_path)
    cases = pd.DataFrame({"a": [0.1, 0.5, 0.9, np.nan], "kind": ["x", "y", "x", "y"],
                          "outcome": [-1.0, 2.0, -3.0, 1.0]})
    marker = tmp_path / "pwned"
    payloads = [f"@pd.io.common.os.system('touch {marker}') == 0",
                f"__import__('os').system('touch {marker}') == 0",
                f"@Path('{marker}').touch()",
                f"open('{marker}', 'w').write('x') > 0",
                "outcome.__class__ == 1", "outcome[0] > 0", "(lambda: 1)() > 0",
                "[x for x in outcome] == 1", "outcome if a else a", "1 > 0",
                "a < 0.5 and 3", "'x' + kind == 'xx'"]
    for bad in payloads:
        with pytest.raises(DiscoveryError) as e:
            mark(cases, bad)
        assert "a, kind, outcome" in str(e.value) or "not a condition" in str(e.value), bad
    assert not marker.exists() and not list(tmp_path.iterdir())
    np.testing.assert_array_equal(mark(cases, "outcome < 0 and a > 0.2"),
                                  [False, False, True, False])
    np.testing.assert_array_equal(mark(cases, "(outcome < 0) | (kind == 'y')"),
                                  [True, True, True, True])
    np.testing.assert_array_equal(mark(cases, "~(kind == 'x') & (a < 0.6)"),
                                  [False, True, False, False])
    np.testing.assert_array_equal(mark(cases, "not (a > 0.6) or kind == 'x'"),
                                  [True, True, True, True])
    np.testing.assert_array_equal(mark(cases, "0 < a <= 0.5"), [True, True, False, False])
    np.testing.assert_array_equal(mark(cases, "outcome * 2 + 1 > -1"),
                                  [False, True, False, True])  # NaN a: compares False
