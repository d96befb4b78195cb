"""Hostile configs: generated malformed configs of every kind seen in the wild must give one
clear message (file, key, value, what is allowed) and exit 2 from ``migdev validate``,
never a traceback; generated valid ones must pass. Regression tests for each case found.
"""

import contextlib
import io
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdev.experiments import cli


def toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml(x) for x in v) + "]"
    return repr(v)


BASE = {
    "experiment": {"name": "fuzz", "scenario": "baseline", "steps": 20, "replicates": 2},
    "params": {"world": "abstract", "n_persons": 500, "n_origins": 6},
    "agreements": [{"kind": "restrictive", "destination": 0, "origins": [1], "start": 4,
                    "contract_quarters": 8, "g2g_quota": 0.01}],
    "events": [{"step": 6, "param": "formal_fee", "value": 0.03}],
    "design": {"kind": "grid", "factors": {"agreement_origin": {"values": [4, 5]}}},
}


def render(cfg: dict) -> str:
    out = []
    for name in ("experiment", "params"):
        if name in cfg:
            out.append(f"[{name}]")
            out += [f"{k} = {toml(v)}" for k, v in cfg[name].items()]
    for name in ("agreements", "events"):
        for item in cfg.get(name, []):
            out.append(f"[[{name}]]")
            out += [f"{k} = {toml(v)}" for k, v in item.items()]
    if "design" in cfg:
        d = cfg["design"]
        out.append("[design]")
        out += [f"{k} = {toml(v)}" for k, v in d.items() if k != "factors"]
        for f, spec in d.get("factors", {}).items():
            out.append(f"[design.factors.{f}]")
            out += [f"{k} = {toml(v)}" for k, v in spec.items()]
    return "\n".join(out) + "\n"


def validate(text: str, csv: str | None = None) -> tuple[int, str]:
    """Run ``migdev validate`` in process; any exception escaping is a traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.toml"
        path.write_text(text)
        if csv is not None:
            (Path(tmp) / "d.csv").write_text(csv)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = cli.main(["validate", str(path)])
        msg = err.getvalue()
        if rc == 2:
            assert msg.startswith(f"migdev: error: {path}"), msg
            assert msg.count("\n") == 1 and "Traceback" not in msg, msg
        return rc, msg


def copy(cfg):
    import copy as _c

    return _c.deepcopy(cfg)


NOT_INT = st.one_of(st.floats(allow_nan=True, allow_infinity=True).filter(
    lambda x: not (math.isfinite(x) and x == int(x))), st.booleans(), st.text(max_size=5),
    st.lists(st.integers(0, 3), max_size=2))
NOT_UNIT = st.one_of(st.floats().filter(lambda x: not (math.isfinite(x) and 0 <= x <= 1)),
                     st.booleans(), st.text(max_size=5), st.lists(st.floats(0, 1), max_size=2))


@st.composite
def malformed(draw):
    cfg = copy(BASE)
    kind = draw(st.sampled_from([
        "agreement_int", "agreement_unit", "agreement_kind", "agreement_origins",
        "event_step", "event_value", "event_param", "factor_bound", "factor_clash",
        "deep", "unknown_key", "experiment_int", "too_many_runs", "factor_value_vs_params",
        "param_type"]))
    a, e = cfg["agreements"][0], cfg["events"][0]
    if kind == "agreement_int":
        a[draw(st.sampled_from(["start", "end", "contract_quarters", "destination"]))] = \
            draw(NOT_INT)
    elif kind == "agreement_unit":
        a[draw(st.sampled_from(["g2g_quota", "training_places", "return_guarantee",
                                "implementation_rate"]))] = draw(NOT_UNIT)
    elif kind == "agreement_kind":
        a["kind"] = draw(st.one_of(st.text(max_size=6), st.integers(), st.booleans()))
    elif kind == "agreement_origins":
        a["origins"] = draw(st.one_of(st.lists(st.integers(6, 99), min_size=1, max_size=2),
                                      st.lists(st.text(max_size=2), min_size=1, max_size=2),
                                      st.integers(), st.just([1.5])))
    elif kind == "event_step":
        e["step"] = draw(st.one_of(NOT_INT, st.integers(max_value=-1)))
    elif kind == "event_value":
        e["value"] = draw(st.one_of(st.text(max_size=4), st.booleans(),
                                    st.floats().filter(lambda x: not (0 <= x <= 0.5)),
                                    st.lists(st.floats(0, 1), max_size=2)))
    elif kind == "event_param":
        e["param"] = draw(st.one_of(st.sampled_from(["n_persons", "nope", "events", ""]),
                                    st.integers()))
    elif kind == "factor_bound":
        cfg["design"] = {"kind": "lhs", "samples": 4, "factors": {"implementation_rate": {
            "low": draw(st.sampled_from([0.0, -math.inf, math.nan])),
            "high": draw(st.sampled_from([math.inf, math.nan, 1.0e308 * 10]))}}}
    elif kind == "factor_clash":
        cfg["params"]["agreement_origin"] = 2
    elif kind == "deep":
        depth = draw(st.integers(200, 3000))
        cfg["params"]["formal_fee"] = "DEEP"
        return render(cfg).replace('"DEEP"', "[" * depth + "1" + "]" * depth)
    elif kind == "unknown_key":
        where = draw(st.sampled_from(["experiment", "params", "agreements", "events"]))
        target = cfg[where][0] if where in ("agreements", "events") else cfg[where]
        target[draw(st.sampled_from(["bogus", "replicate", "strat", "valu"]))] = 1
    elif kind == "experiment_int":
        cfg["experiment"][draw(st.sampled_from(["steps", "replicates", "master_seed"]))] = \
            draw(st.one_of(NOT_INT, st.integers(max_value=0)))
    elif kind == "too_many_runs":
        cfg["experiment"]["replicates"] = draw(st.integers(50_001, 100_000))
    elif kind == "factor_value_vs_params":
        cfg["design"]["factors"]["agreement_origin"]["values"] = [draw(st.integers(6, 9))]
    elif kind == "param_type":
        cfg["params"][draw(st.sampled_from(["n_persons", "formal_fee", "agreement_kind",
                                            "migration_enabled"]))] = draw(
            st.one_of(st.text(max_size=3), st.lists(st.integers(), max_size=2),
                      st.just(math.nan), st.just(math.inf)))
    return render(cfg)


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=malformed())
def test_malformed_configs_exit_2_with_one_clear_line(text):
    rc, msg = validate(text)
    assert rc == 2, (text, msg)


@st.composite
def valid(draw):
    cfg = copy(BASE)
    cfg["params"]["n_origins"] = draw(st.integers(3, 8))
    n = cfg["params"]["n_origins"]
    cfg["agreements"][0]["origins"] = [draw(st.integers(0, n - 1))]
    cfg["agreements"][0]["start"] = draw(st.integers(0, 100))
    cfg["agreements"][0]["contract_quarters"] = draw(st.integers(1, 40))
    cfg["agreements"][0]["implementation_rate"] = draw(st.floats(0, 1))
    cfg["events"][0]["value"] = draw(st.floats(0, 0.5))
    # factor values valid only because of this config's own n_origins
    cfg["design"]["factors"]["agreement_origin"]["values"] = sorted(
        draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3)))
    return render(cfg)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=valid())
def test_valid_configs_pass(text):
    rc, msg = validate(text)
    assert rc == 0, (text, msg)


# ------------------------------------------------------------------ regressions
def _with(**changes):
    cfg = copy(BASE)
    for path, value in changes.items():
        *keys, last = path.split("__")
        t = cfg
        for k in keys:
            t = t[int(k)] if k.isdigit() else t[k]
        t[last] = value
    return render(cfg)


@pytest.mark.parametrize("text, needle", [
    (_with(agreements__0__g2g_quota="lots"), "g2g_quota='lots'"),
    (_with(agreements__0__start=math.nan), "start=nan"),
    (_with(agreements__0__start=math.inf), "start=inf"),
    (_with(agreements__0__start=1.5), "start=1.5"),
    (_with(agreements__0__start=True), "start=True"),
    (_with(agreements__0__contract_quarters=2.5), "contract_quarters=2.5"),
    (_with(agreements__0__end=3), "end=3 with start=4"),
    (_with(params__agreement_origin=1), "both fixed in [params] and varied"),
    (_with(design__factors__agreement_origin__values=[7]), "agreement_origin"),
    (_with(events__0__value="x"), "event at step 6"),
    (_with(experiment__replicates=60_000), "above experiment.max_runs"),
    (render({"experiment": {"name": "x"}, "design": {"kind": "lhs", "samples": 4, "factors": {
        "implementation_rate": {"low": 0.0, "high": math.inf}}}}), "a finite number"),
    (render({"experiment": {"name": "x"}, "params": {"formal_fee": "DEEP"}}).replace(
        '"DEEP"', "[" * 5000 + "]" * 5000), "nested too deeply"),
])
def test_regressions(text, needle):
    rc, msg = validate(text)
    assert rc == 2 and needle in msg, msg


@pytest.mark.parametrize("csv, needle", [
    ("implementation_rate,enforcement\n0.5,0.2\n0.7,0.1,0.9\n", "line 3: 3 field(s)"),
    ("implementation_rate,enforcement\n0.5\n", "line 2: 1 field(s)"),
    ("n_persons,implementation_rate\n900,0.5\n", "also fixed in [params]"),
    ("agreement_origin\n7\n", "row 1"),
])
def test_table_designs(csv, needle):
    text = render({"experiment": {"name": "t"}, "params": {"world": "abstract", "n_persons": 500, "n_origins": 6},
                   "design": {"kind": "table", "file": "d.csv"}})
    rc, msg = validate(text, csv=csv)
    assert rc == 2 and needle in msg, msg
    ok = render({"experiment": {"name": "t"}, "params": {"world": "abstract", "n_origins": 6},
                 "design": {"kind": "table", "file": "d.csv"}})
    assert validate(ok, csv="agreement_origin,n_persons\n5,800\n4,700\n")[0] == 0


def test_validate_of_a_huge_design_answers_at_once():
    import time

    text = render({"experiment": {"name": "big", "replicates": 100_000},
                   "design": {"kind": "sobol", "samples": 1 << 19, "factors": {
                       "implementation_rate": {"low": 0.0, "high": 1.0}}}})
    t0 = time.perf_counter()
    rc, msg = validate(text)
    assert rc == 2 and "above experiment.max_runs" in msg
    assert time.perf_counter() - t0 < 5
