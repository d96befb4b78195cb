import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def small():
    """Parameters for a small, fast world."""
    return {"n_persons": 3000}
