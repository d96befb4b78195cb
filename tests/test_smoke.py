from migdev.model import SCENARIOS, MigrationModel


def test_default_model_builds_and_runs():
    m = MigrationModel(rng=3, n_persons=2000)
    m.run_for(8)
    df = m.country_frame()
    assert len(df) == 9 * 7  # steps 0-8 x the default world's 7 origins
    assert m.steps == 8


def test_every_scenario_runs():
    for name, overrides in SCENARIOS.items():
        m = MigrationModel(rng=1, n_persons=1500, **overrides)
        m.run_for(45)
        assert m.country_frame().step.max() == 45, name
