"""Fixtures of the model's tests."""

import os

import pytest

from migdev.model.oracle import pool


@pytest.fixture(scope="module")
def processes():
    """Processes for the oracle's comparisons in a file (started once): two, or one when
    the test command already runs a file on each core (pytest-xdist); the comparisons'
    runs are seeded, so their results do not depend on how many processes run them."""
    with pool(1 if os.environ.get("PYTEST_XDIST_WORKER") else 2) as ex:
        yield ex
