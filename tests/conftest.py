import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

TESTS = Path(__file__).resolve().parent
#: the test files that take longest (a minute or more in one process), run first: the test
#: command spreads whole files over the machine's cores (pytest-xdist, --dist loadfile), and
#: a long file started last would leave the other cores idle at the end
LONGEST_FIRST = ("model/test_oracle_scenarios.py", "model/test_reference.py",
                 "experiments/test_shipped_configs.py", "model/test_oracle_remit2005.py",
                 "experiments/test_faults.py", "test_packaging.py",
                 "experiments/test_dask_faults.py", "experiments/test_sweeps.py",
                 "experiments/test_calibration.py", "test_profile_tool.py")


def pytest_collection_modifyitems(config, items):
    """The longest files first (:data:`LONGEST_FIRST`), the others in their usual order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def key(item):
        try:
            name = item.path.relative_to(TESTS).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(name, len(rank))

    items.sort(key=key)


@pytest.fixture(scope="session")
def small():
    """Parameters for a small, fast world."""
    return {"n_persons": 3000}
