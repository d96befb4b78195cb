import textwrap

import pytest

SMALL = """
[experiment]
name = "tiny"
scenario = "spillover_vs_circulation"
steps = 30
replicates = 2
master_seed = 7
controls = ["no_agreement"]

[params]
n_persons = 800
agreement_start = 10

[design]
kind = "grid"

[design.factors.agreement_kind]
values = ["restrictive", "multilateral"]
"""


@pytest.fixture
def small_config(tmp_path):
    """A tiny experiment config file: 2 points x 2 replicates + shared controls."""
    p = tmp_path / "tiny.toml"
    p.write_text(textwrap.dedent(SMALL))
    return p
