"""Malformed configs give clear errors naming file, key, value and what is allowed, and
nothing runs or is written."""

import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migdev.experiments.engine.config import ConfigError, load, parse


def write(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(textwrap.dedent(text))
    return p


@pytest.mark.parametrize("text,needles", [
    ("[experiment]\nname='x'\nreplicate = 3\n", ["experiment.replicate", "did you mean 'replicates'"]),
    ("[experiment]\nname='x'\nsteps = 'ten'\n", ["experiment.steps", "'ten'", "an integer"]),
    ("[experiment]\nname='x'\nsteps = 0\n", ["experiment.steps", "from 1"]),
    ("[experiment]\nname='x'\nscenario='nope'\n", ["experiment.scenario", "'nope'", "baseline"]),
    ("[experiment]\nname='x'\ncontrols=['none']\n", ["experiment.controls", "no_agreement"]),
    ("[experiment]\nname='x'\n[params]\nimplementation_rate = 2.0\n",
     ["params.implementation_rate", "2.0", "from 0.0 to 1.0"]),
    ("[experiment]\nname='x'\n[params]\nmatchng_ratio = 3\n", ["params.matchng_ratio",
                                                                "no model parameter"]),
    ("[experiment]\nname='x'\n[design]\nkind='grid'\n[design.factors.implementation_rate]\n"
     "low=0.1\nhigh=0.9\n", ["implementation_rate", "a grid needs values"]),
    ("[experiment]\nname='x'\n[design]\nkind='sobol'\nsamples=10\n"
     "[design.factors.implementation_rate]\nlow=0.1\nhigh=0.9\n", ["design.samples",
                                                                   "power of two"]),
    ("[experiment]\nname='x'\n[design]\nkind='lhs'\n[design.factors.agency_regulation]\n"
     "low=0.5\nhigh=0.2\n", ["design.factors.agency_regulation.high", "above low"]),
    ("[experiment]\nname='x'\n[[events]]\nstep=4\nparam='n_persons'\nvalue=10\n",
     ["n_persons", "cannot change during a run"]),
    ("[experiment]\nname='x'\n[design]\nkind='table'\nfile='missing.csv'\n",
     ["design.file", "missing.csv"]),
    ("[experiment]\nname='x'\nsteps = \n", ["not valid TOML"]),
    ("[params]\nn_persons=500\n", ["missing table [experiment]"]),
    ("[experiment]\nname='" + "x" * 300 + "'\n", ["experiment.name", "1-100 printable"]),
    ("[experiment]\nname='..'\n", ["experiment.name", "not starting with a dot"]),
    ("[experiment]\nname='x'\ndescription = 3\n", ["experiment.description", "a string"]),
    ("[experiment]\nname='x'\nsteps = 20\n[[events]]\nstep=30\nparam='formal_fee'\n"
     "value=0.03\n", ["events[0].step", "after the run's last step", "would never apply"]),
])
def test_hand_written_errors_name_file_key_and_allowed(tmp_path, text, needles):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        cfg = load(p)
        from migdev.experiments.engine.design import build

        build(cfg.design, cfg.source)
    msg = str(e.value)
    assert str(p) in msg
    for n in needles:
        assert n in msg, (n, msg)


def test_cli_bad_config_exits_2_and_writes_nothing(tmp_path):
    p = write(tmp_path, "[experiment]\nname='x'\n[params]\nformal_fee = 0.9\n")
    out = tmp_path / "out"
    for cmd in (["validate", str(p)], ["sweep", str(p), "--out", str(out), "--quiet"],
                ["run", str(p), "--out", str(out), "--quiet"]):
        r = subprocess.run([sys.executable, "-m", "migdev", *cmd], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 2, r
        assert "formal_fee" in r.stderr and "0.9" in r.stderr and str(p) in r.stderr
        assert not out.exists()


VALUES = st.one_of(st.integers(-5, 10**6), st.floats(allow_nan=False, width=32), st.text(max_size=8),
                   st.booleans(), st.lists(st.integers(0, 3), max_size=3))
KEYS = st.sampled_from(["name", "scenario", "steps", "replicates", "master_seed", "controls",
                        "outputs", "bogus", "n_persons"])


@settings(max_examples=60, deadline=None)
@given(table=st.dictionaries(KEYS, VALUES, max_size=5),
       params=st.dictionaries(st.sampled_from(["n_persons", "implementation_rate",
                                               "agreement_kind", "migration_enabled", "nope"]),
                              VALUES, max_size=3))
def test_generated_configs_either_validate_or_fail_clearly(table, params):
    data = {"experiment": table, "params": params}
    try:
        cfg = parse(data, src="gen.toml")
    except ConfigError as e:
        msg = str(e)
        assert msg.startswith("gen.toml"), msg
        assert "key" in msg or "missing" in msg or "parameter" in msg, msg
    else:
        # what validates must build a model
        from migdev.model.params import make_params

        make_params(**cfg.base_params())


def test_an_unknown_parameter_gets_the_nearest_name(tmp_path):
    from migdev.experiments.engine.config import ConfigError, load

    for body in ('[params]\ntraining_capacty_health = 1.0\n',
                 '[params]\n"training_capacty_health[Ghana]" = 1.0\n',
                 '[design]\nkind = "grid"\n[design.factors.implementaton_rate]\n'
                 'values = [0.5, 1.0]\n'):
        p = tmp_path / "c.toml"
        p.write_text('[experiment]\nname = "x"\n' + body)
        with pytest.raises(ConfigError, match="did you mean"):
            load(p)
