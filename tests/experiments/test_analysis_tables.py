"""Summary tables say how many replicates an outcome was undefined in (issue 15)."""

import numpy as np
import pandas as pd
import pytest

from migdev.experiments.analysis.stats import mean_ci, summarise


def test_undefined_replicates_are_counted_not_dropped_silently():
    r = mean_ci(pd.Series([1.0, np.nan, 3.0, np.nan]))
    assert r["n"] == 2 and r["n_undefined"] == 2 and r["mean"] == pytest.approx(2.0)
    paired = pd.DataFrame({"agreement_kind": ["multilateral"] * 3 + ["restrictive"] * 3,
                           "diversion_ratio": [np.nan] * 3 + [1.0, 2.0, np.nan]})
    s = summarise(paired, ["agreement_kind"]).set_index("agreement_kind")
    assert s.loc["multilateral", "n"] == 0 and s.loc["multilateral", "n_undefined"] == 3
    assert s.loc["restrictive", "n"] == 2 and s.loc["restrictive", "n_undefined"] == 1
