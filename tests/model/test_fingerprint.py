"""Results must not change by accident (e.g. in an optimisation).

After a deliberate model change, documented in docs/ODD.md, refresh the stored values
with ``python -m benchmarks.fingerprint --update``.
"""

import json

import pytest

from benchmarks.fingerprint import RUNS, STORE, fingerprint


@pytest.mark.parametrize("name", list(RUNS))
def test_seeded_run_matches_stored_fingerprint(name):
    stored = json.loads(STORE.read_text())
    assert fingerprint(name) == stored[name], (
        f"the outputs of {name} changed; if deliberate, document it and run "
        "python -m benchmarks.fingerprint --update")
