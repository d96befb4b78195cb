"""migdev validate-model: held-out patterns (issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from migdev.experiments.engine.calibrate import load_calibration
from migdev.experiments.engine.posterior import SHIPPED
from migdev.experiments.engine.validate_model import PATTERNS, validate_model


def test_no_held_out_pattern_reads_a_calibration_target():
    """The patterns are held out: none of the statistics they read is a target of the
    shipped calibration."""
    cfg = load_calibration(SHIPPED / "health2005" / "calibration.toml")
    targets = {t.output for t in cfg.targets}
    for pat in PATTERNS.values():
        read = {o.split(":", 1)[1] for o in pat.outputs}
        assert not read & targets, (pat.name, read & targets)
        assert pat.source and pat.years and pat.criterion


def test_the_shipped_posterior_summary_gives_source_and_year():
    summary = pd.read_csv(SHIPPED / "health2005" / "posterior_summary.csv")
    assert summary.source.str.contains("Freund & Spatafora 2005").all()
    assert summary.source.str.contains("Clemens & Pettersson 2008").all()
    assert (summary.year == "2000-2004").all()


def test_a_pattern_fails_when_the_model_cannot_produce_it(tmp_path):
    """With migration closed Ghana loses health workers only at retirement (2.3 % a year),
    below the published 8 %: the pattern must fail, so the check can fail."""
    man = validate_model(tmp_path, {"world": "health2005", "n_persons": 5000,
                                    "migration_enabled": False},
                         replicates=2, patterns=["ghana_attrition"], quiet=True)
    (row,) = man["patterns"]
    assert row["result"] == "fail"
    assert row["estimate"] == pytest.approx(1 / 43, rel=0.01)


def test_a_fully_enforced_bar_fails_the_back_door_pattern(tmp_path):
    """The NHS pattern is that inflows continued under the code; a bar every agency respects
    and no independent route stops them, and the pattern fails."""
    man = validate_model(tmp_path, {"world": "health2005", "n_persons": 20_000,
                                    "unregulated_compliance": 1.0, "enforcement": 1.0,
                                    "independent_rate": 0.0},
                         replicates=3, patterns=["nhs_code_back_door"], quiet=True)
    (row,) = man["patterns"]
    assert row["result"] == "fail" and row["estimate"] < 0.25, row


@pytest.mark.slow
def test_validate_model_command_writes_its_outputs(tmp_path):
    out = tmp_path / "val"
    cmd = [sys.executable, "-m", "migdev", "validate-model", "--replicates", "3",
           "--n-persons", "5000", "--workers", "1", "--out", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "held-out patterns reproduced" in res.stdout
    table = pd.read_csv(out / "validation.csv")
    assert set(table.pattern) == set(PATTERNS)
    assert set(table.result) <= {"pass", "fail"}
    man = json.loads((out / "manifest.json").read_text())
    assert man["calibration"] == "health2005" and man["replicates"] == 3
    assert "channel_const" in man["params"]  # the posterior means were used
    for f in ("validation.png", "validation.pdf", "replicates.csv",
              "validation_corridors.csv", "validation_corridors.png"):
        assert (out / f).is_file(), f


def test_five_year_exit_follows_the_length_of_stays(tmp_path):
    """The five-year exit pattern follows a cohort: with contracts of ten years, skilled or
    not, few of the 2001 arrivals are gone by 2006 and the pattern fails from below; by
    default (three-year and seasonal contracts) most are gone, more than with long ones."""
    est, details = {}, {}
    for name, extra in (("long", {"contract_quarters_skilled": 40,
                                  "contract_quarters_low": 40}), ("default", {})):
        man = validate_model(tmp_path / name, {"world": "health2005", "n_persons": 20_000,
                                               **extra},
                             replicates=4, patterns=["five_year_exit"], quiet=True)
        (row,) = man["patterns"]
        est[name] = row
        details[name] = man["details"]["five_year_exit"]
    assert est["long"]["estimate"] < 0.20 and est["long"]["result"] == "fail", est["long"]
    assert est["default"]["estimate"] > est["long"]["estimate"] + 0.3, est
    # the breakdown: by default the temporary workers are the ones gone, not the settlers
    d = details["default"]
    assert d["gone_skilled_temporary"] > d["gone_skilled_settlers"], d
    assert d["cohort"] > 50 and 0 <= d["contract_settle_share"] <= 1, d
    reps = pd.read_csv(tmp_path / "default" / "replicates.csv")
    assert {"cohort", "gone_low_skilled", "overstay_share"} <= set(reps.columns)


def test_unknown_pattern_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown pattern"):
        validate_model(tmp_path, {"world": "health2005"}, replicates=1, patterns=["nope"])
    assert not (tmp_path / "validation.csv").exists()


def test_the_pooled_back_door_ratio_does_not_depend_on_the_simulated_size(tmp_path):
    """The back-door pattern pools recruits over replicates (ratio of totals): at 5,000
    persons most replicates see no barred recruitment in either run, and a median of
    per-replicate ratios was 1.0 where 20,000-40,000 persons gave 0.87; the ratio of totals
    is the same at both sizes (5-95 % bootstrap intervals overlap)."""
    est = {}
    for n, reps in ((5_000, 24), (40_000, 4)):
        man = validate_model(tmp_path / str(n), {"world": "health2005", "n_persons": n},
                             replicates=reps, patterns=["nhs_code_back_door"], quiet=True)
        (row,) = man["patterns"]
        assert row["estimator"] == "ratio of totals over replicates"
        est[n] = (row["estimate"], row["q05"], row["q95"])
    (a, alo, ahi), (_, blo, bhi) = est[5_000], est[40_000]
    assert alo <= bhi and blo <= ahi, est
    assert a < 0.97, est  # the bar does bite at the small size too


def test_destination_side_statistics_can_pass_and_fail():
    """The rank statistic is the Spearman correlation of the totals over replicates with
    the published figures, the share statistic the first corridor's share of the totals:
    both reach their criterion for a model in the published order and miss it otherwise."""
    import numpy as np

    from migdev.experiments.engine.validate_model import _corridor_statistic

    rank = PATTERNS["uk_work_permits_2007"]
    same = np.array([[10.0, 6, 5, 2, 1, 0.5], [12.0, 5, 4, 3, 1, 0.0]])
    assert _corridor_statistic(rank, same) == pytest.approx(1.0)
    assert rank.passes(_corridor_statistic(rank, same))
    assert not rank.passes(_corridor_statistic(rank, same[:, ::-1]))  # reversed: -1
    assert np.isnan(_corridor_statistic(rank, np.zeros((3, 6))))  # nothing: no order
    change = PATTERNS["us_physicians_2002_2011"]  # a published change is negative
    assert change.passes(_corridor_statistic(change, np.array([[900.0, 100, -20]])))
    assert not change.passes(_corridor_statistic(change, np.array([[100.0, 900, -20]])))
    share = PATTERNS["malawi_uk_share"]
    assert _corridor_statistic(share, np.array([[3.0, 1.0], [5.0, 3.0]])) == pytest.approx(
        8 / 12)
    assert share.passes(8 / 12) and not share.passes(0.3)
    for pat in PATTERNS.values():
        assert len(pat.corridors) == len(pat.published), pat.name
        assert (pat.kind == "") == (not pat.corridors), pat.name


def test_destination_side_patterns_write_corridors(tmp_path):
    """A destination-side pattern runs end to end: its corridors' published figures and
    the model's values (real persons, with 5-95 % ranges) are written per corridor, and
    the figure of model against published shares is drawn."""
    from migdev.experiments.analysis.figures import validation_corridor_figure

    man = validate_model(tmp_path, {"world": "health2005", "n_persons": 5000},
                         replicates=3, patterns=["uk_work_permits_2007", "malawi_uk_share"],
                         quiet=True)
    rows = {r["pattern"]: r for r in man["patterns"]}
    assert rows["uk_work_permits_2007"]["estimator"].startswith("rank correlation")
    assert rows["malawi_uk_share"]["estimator"].startswith("share")
    cor = pd.read_csv(tmp_path / "validation_corridors.csv")
    assert len(cor) == 6 + 2
    permits = cor[cor.pattern == "uk_work_permits_2007"]
    assert permits.published.tolist() == [2195, 1205, 915, 430, 210, 90]
    assert permits.published_share.sum() == pytest.approx(1.0)
    assert (permits.simulated_q05 <= permits.simulated_mean).all()
    assert (permits.simulated_mean <= permits.simulated_q95).all()
    malawi = cor[cor.pattern == "malawi_uk_share"]
    est = malawi.simulated_mean.iloc[0] / malawi.simulated_mean.sum()
    assert rows["malawi_uk_share"]["estimate"] == pytest.approx(est)
    files = validation_corridor_figure(tmp_path)
    assert {p.rsplit(".", 1)[1] for p in files} == {"png", "pdf"}


def test_the_lost_investment_pattern_values_doctors_abroad_by_the_worlds_rule():
    """lost_investment_2010's model value, by hand at the start: each origin's health
    workers in the four destinations (real persons) x its doctors' share abroad x the cost
    of educating a doctor (ODD §7.14), in millions of USD."""
    import numpy as np

    from migdev.core.codes import HEALTH
    from migdev.core.worlds import load_world
    from migdev.experiments.engine.validate_model import (
        MILLS_DESTINATIONS,
        MILLS_ORIGINS,
        _doctor_cost_abroad,
    )
    from migdev.model import MigrationModel
    from migdev.model.world import doctor_share_abroad, origin_rows, training_costs

    m = MigrationModel(n_persons=4000, rng=1)
    rows = origin_rows(load_world("health2005"), m.n_orig)
    doc, _ = training_costs(rows)
    share = doctor_share_abroad(rows)
    dests = [m.world.destination_names.index(d) for d in MILLS_DESTINATIONS]
    got = _doctor_cost_abroad(m)
    for k, name in enumerate(MILLS_ORIGINS):
        o = m.world.origin_names.index(name)
        n = sum(1 for i in range(m.pop.n) if m.pop.abroad()[i] and m.pop.origin[i] == o
                and m.pop.occ[i] == HEALTH and m.pop.dest[i] in dests)
        assert got[k] == pytest.approx(n * m.world.person_weight[o] * share[o] * doc[o] / 1e6)
    assert got[0] > 0 and np.all(got >= 0)


# ------------------------------------------------------------------ remit2005 (issue 38)
def test_remit2005_patterns_are_held_out_from_its_calibration():
    """The remit2005 calibration fits the base year only (steps 1-4): a pattern may read the
    same output (the recorded remittances, whose growth it compares) but always after 2000."""
    from migdev.experiments.engine.validate_model import REMIT_PATTERNS, step_of

    cfg = load_calibration(SHIPPED / "remit2005" / "calibration.toml")
    assert all(t.steps[1] <= step_of(2001) for t in cfg.targets)
    targets = {t.output for t in cfg.targets}
    for pat in REMIT_PATTERNS.values():
        read = {o.split(":", 1)[1] for o in pat.outputs}
        assert read & targets <= {"remittances_formal"}, pat.name
        assert pat.steps > step_of(2002) and pat.source and pat.criterion
        assert pat.estimate is not None and pat.estimator


def test_remit2005_estimators_by_hand():
    from migdev.experiments.engine.validate_model import REMIT_PATTERNS as R

    rows = pd.DataFrame({"fee_2001": [0.2, 0.2], "fee_2004": [0.06, 0.08],
                         "control_fee_2001": [0.2, 0.2], "control_fee_2004": [0.2, 0.2]})
    est, _, _, ok = R["mexico_cost_fall"].estimate(rows)
    assert est == pytest.approx(0.35) and ok
    rows["control_fee_2004"] = [0.05, 0.05]  # the fee fell as much without the policy
    assert not R["mexico_cost_fall"].estimate(rows)[3]
    share = pd.DataFrame({"formal_share_2006": [0.85, 0.9, 0.82], "rise": [0.1, 0.2, -0.01]})
    assert not R["mexico_formal_shift"].estimate(share)[3]  # a rise in 2 of 3 only
    share["rise"] = [0.1, 0.2, 0.01]
    assert R["mexico_formal_shift"].estimate(share)[3]
    rec = pd.DataFrame({"recorded_2000": [1.0, 1.0], "recorded_2006": [3.0, 4.0]})
    assert R["mexico_remittances_2000_2006"].estimate(rec)[:1] == (3.5,)
    # the match follows emigrants (rank 1) and not poverty: passes; reversed: fails
    cols = {}
    for i, (m, a, p) in enumerate(zip([5, 4, 3, 2, 1], [0.5, 0.4, 0.3, 0.2, 0.1],
                                      [0.1, 0.5, 0.2, 0.4, 0.3])):
        cols |= {f"matched_{i}": [m], f"abroad_{i}": [a], f"poverty_{i}": [p]}
    est, _, _, ok = R["three_for_one_targeting"].estimate(pd.DataFrame(cols))
    assert est == pytest.approx(1.0) and ok
    for i in range(5):
        cols[f"matched_{i}"] = [i + 1]
    assert not R["three_for_one_targeting"].estimate(pd.DataFrame(cols))[3]


@pytest.mark.slow
def test_validate_model_runs_the_remittance_world(tmp_path):
    out = tmp_path / "val"
    cmd = [sys.executable, "-m", "migdev", "validate-model", "--world", "remit2005",
           "--replicates", "1", "--n-persons", "3000", "--workers", "1", "--out", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(out / "validation.csv")
    assert list(table.pattern) == ["mexico_cost_fall", "mexico_formal_shift",
                                   "mexico_remittances_2000_2006", "three_for_one_targeting"]
    assert set(table.result) <= {"pass", "fail"} and table.estimate.notna().all()
    man = json.loads((out / "manifest.json").read_text())
    assert man["calibration"] == "remit2005" and man["world"] == "remit2005"
    assert "--world remit2005" in man["rerun"]
    assert (out / "validation.png").is_file()
    bad = subprocess.run([sys.executable, "-m", "migdev", "validate-model", "--world", "nowhere",
                          "--out", str(tmp_path / "x")], capture_output=True, text=True)
    assert bad.returncode == 2 and "remit2005" in bad.stderr and not (tmp_path / "x").exists()
