import os
import subprocess
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


def _group_alive(pgid) -> bool:
    """Any live process left in the process group ``pgid`` (zombies of already-reaped
    children do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    r = subprocess.run(["ps", "-o", "pid=,stat=", "-g", str(pgid)], capture_output=True,
                       text=True)
    return any(not line.split()[1].startswith("Z") for line in r.stdout.splitlines()
               if line.strip())


@pytest.fixture
def group_alive():
    """:func:`_group_alive`: whether a stopped command left a process of its group behind."""
    return _group_alive
