"""Why migrants send more (ODD §7.7): with the insurance motive on, the remitted share rises
when earnings at home fall below the base year's, as remittances to Philippine households
rose when their income fell (Yang & Choi 2007); off (the default) a fall at home changes no
one's remittances."""

import numpy as np

from migdev.core.records import Event
from migdev.model import MigrationModel

#: a shock at home: every origin's home wages cut to 0.7 of the base year's at quarter 20
SHOCK = (Event(20, "home_wage_scale", 0.7),)


def _sent_per_migrant(insurance: float) -> tuple[np.ndarray, np.ndarray]:
    """Household remittances per person abroad, each quarter of a run with the shock."""
    m = MigrationModel(rng=3, n_persons=6_000, events=SHOCK, remit_insurance=insurance)
    m.run_for(30)
    f = m.country_frame().groupby("step")[["remittances_formal", "remittances_informal",
                                           "abroad"]].sum()
    return ((f.remittances_formal + f.remittances_informal) / f.abroad).to_numpy(), \
        f.index.to_numpy()


def test_a_fall_at_home_raises_what_migrants_send_only_with_the_motive_on():
    off, steps = _sent_per_migrant(0.0)
    on, _ = _sent_per_migrant(1.0)
    before, after = steps < 20, steps > 20
    # before the shock the home wages are the base year's: nothing to insure, the same run
    np.testing.assert_array_equal(on[before], off[before])
    # after it, the share rises by 1 x (1 - 0.7) = 0.3 of net income less debt service
    # (quarters 21-30: 2.46 kUSD a quarter per person abroad with it, 1.45 without; ODD §7.7)
    ratio = on[after].mean() / off[after].mean()
    assert ratio > 1.3, ratio
