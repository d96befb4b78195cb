"""Figures and tables a reader can understand without the code (issue 15): every headline
panel says what it is, its unit and its window; a one-point experiment is drawn about its
policy, a many-point design against its levers; the CSV tables have a data dictionary, whole
counts and rounded numbers; count outcomes do not depend on how many persons are simulated."""

import re
import textwrap

import numpy as np
import pandas as pd
import pytest

from migdev.experiments.analysis import figures
from migdev.experiments.analysis.stats import analyse, run_outcomes
from migdev.experiments.engine.config import load
from migdev.experiments.engine.sweep import run_experiment


@pytest.fixture
def drawn(monkeypatch):
    """Keep every figure the analysis draws, by file name, instead of closing it."""
    kept = {}
    save = figures._save

    def keep(fig, folder, name):
        kept[name] = fig
        return save(fig, folder, name)

    monkeypatch.setattr(figures, "_save", keep)
    monkeypatch.setattr(figures.plt, "close", lambda fig=None: None)
    return kept


def _texts(fig) -> str:
    parts = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return "\n".join(parts)


def _write(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(textwrap.dedent(text))
    return load(p)


def test_headline_panels_name_their_unit_window_and_what_is_compared(small_config, tmp_path,
                                                                     drawn):
    out = tmp_path / "e"
    run_experiment(load(small_config), out, inprocess=True, quiet=True)
    drawn.clear()
    analyse(out, quiet=True)
    head = drawn["headline"]
    sup = head._suptitle.get_text().replace("\n", " ")
    assert "95 % CI" in sup and "paired no-agreement control at the same seed" in sup
    assert "quarter 10" in sup  # the agreement's start in the tiny config
    panels = [ax for ax in head.axes if ax.axison]
    # every headline outcome but net human capital (no no-migration control in this config)
    assert len(panels) == len([h for h in figures.HEADLINE if h[0] != "net_effective_density"])
    for ax in panels:
        title, ylabel = ax.get_title(), ax.get_ylabel().replace("\n", " ")
        assert re.match(r"(Spillover|Diversion|Circulation|Level|Cost|Migrants):", title), title
        assert re.search(r"per 10,000|per departure|per person|ratio − 1|million USD",
                         ylabel), ylabel
        assert re.search(r"quarters? \d+", ylabel), ylabel  # the window
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert all(re.search(r"n=\d+", t) for t in ticks), ticks
    cumulative = [ax for ax in panels if "cumulative" in ax.get_ylabel()]
    assert cumulative and all("quarters 10–30" in ax.get_ylabel().replace("\n", " ")
                              for ax in cumulative)
    # the per-origin view: every origin named, both outcomes with their unit
    c = drawn["countries"]
    names = {t.get_text() for t in c.axes[0].get_yticklabels()}
    assert {"Ghana", "Philippines", "South Africa"} <= names
    assert all("per 10,000 population" in ax.get_xlabel() for ax in c.axes[:2])
    assert "policy run minus its paired control" in c._suptitle.get_text().replace("\n", " ")


def test_a_one_point_experiment_is_drawn_about_its_policy(tmp_path, drawn):
    cfg = _write(tmp_path, """
        [experiment]
        name = "single"
        scenario = "restrictive_mou"
        steps = 24
        replicates = 2
        master_seed = 3
        controls = ["no_agreement"]
        [params]
        n_persons = 600
        agreement_start = 8
        """)
    out = tmp_path / "s"
    run_experiment(cfg, out, inprocess=True, quiet=True)
    drawn.clear()
    analyse(out, quiet=True)
    head = drawn["headline"]
    text = _texts(head)
    assert "design point" not in text
    # the x axis names the policy, not design point 0
    assert all(t.get_text().split("\n")[0] != "0" for ax in head.axes
               for t in ax.get_xticklabels())
    assert "restrictive mou" in text.replace("\n", " ")
    shown = [ax for ax in head.axes if ax.axison]
    assert len(head.axes) - len(shown) <= 1  # no blank half-canvas (7 panels leave one slot)
    assert all(len(ax.get_xticklabels()) == 1 for ax in shown)


def test_a_many_point_design_is_drawn_against_its_levers(tmp_path, drawn):
    cfg = _write(tmp_path, """
        [experiment]
        name = "many"
        scenario = "restrictive_mou"
        steps = 16
        replicates = 1
        master_seed = 4
        controls = ["no_agreement"]
        [params]
        n_persons = 400
        agreement_start = 6
        [design]
        kind = "lhs"
        samples = 14
        seed = 2
        [design.factors.implementation_rate]
        low = 0.0
        high = 1.0
        [design.factors.enforcement]
        low = 0.0
        high = 1.0
        """)
    out = tmp_path / "m"
    run_experiment(cfg, out, inprocess=True, quiet=True)
    drawn.clear()
    analyse(out, quiet=True)
    head = drawn["headline"]
    assert "countries" not in drawn  # no per-origin view without a headline grouping
    text = _texts(head)
    assert "design point" not in text.replace("design points", "")
    xlabels = {ax.get_xlabel() for ax in head.axes}
    assert {"implementation rate [share]", "enforcement [probability]"} <= xlabels
    assert "14 design points" in head._suptitle.get_text().replace("\n", " ")
    assert all(ax.get_ylabel() for ax in head.axes[::2])  # the first column names outcomes


def test_tables_have_a_data_dictionary_whole_counts_and_rounded_numbers(small_config, tmp_path):
    out = tmp_path / "t"
    run_experiment(load(small_config), out, inprocess=True, quiet=True)
    analyse(out, quiet=True)
    dd = pd.read_csv(out / "analysis" / "data_dictionary.csv")
    tables = sorted(p.name for p in (out / "analysis").glob("*.csv")
                    if p.name != "data_dictionary.csv")
    assert {"paired_runs.csv", "by_point.csv", "by_agreement_kind.csv",
            "by_country.csv"} <= set(tables)
    for name in tables:
        df = pd.read_csv(out / "analysis" / name)
        described = dd[dd.table == name].set_index("column")
        cols = list(df.columns) + (list(df.outcome.unique()) if "outcome" in df else [])
        for c in cols:
            assert c in described.index, (name, c)
            assert described.loc[c, "meaning"] and described.loc[c, "unit"], (name, c)
    # the stored per-step tables are described too, the accounts with their money unit
    for name in ("country.parquet", "corridor.parquet"):
        df = pd.read_parquet(out / name)
        described = dd[dd.table == name].set_index("column")
        for c in df.columns:
            assert described.loc[c, "meaning"] and described.loc[c, "unit"], (name, c)
    country = dd[dd.table == "country.parquet"].set_index("column")
    assert country.loc["net_transfer_to_origin", "unit"] == "kUSD per quarter"
    raw = (out / "analysis" / "by_agreement_kind.csv").read_text().splitlines()
    head = raw[0].split(",")
    for line in raw[1:]:
        cells = dict(zip(head, line.split(",")))
        assert re.fullmatch(r"\d+", cells["n"]) and re.fullmatch(r"\d+", cells["n_undefined"])
        for c in ("mean", "sd", "ci_low", "ci_high"):
            digits = re.sub(r"[^0-9]", "", cells[c].split("e")[0]).lstrip("0")
            assert len(digits) <= 6, (c, cells[c])


def test_count_outcomes_are_per_10000_population_so_they_do_not_depend_on_the_size():
    rng = np.random.default_rng(0)
    steps, names = range(12), ["A", "B", "C"]

    def table(scale):
        rows = []
        for s in steps:
            for i, n in enumerate(names):
                rows.append({"step": s, "country": n, "party_to_agreement": n == "A",
                             "population": 1000.0 * (i + 1) * scale,
                             "health_recruits": rng.integers(0, 5) * scale,
                             "recruits": 10 * scale, "returns": 3 * scale,
                             "missions": 1 * scale, "knowledge_transferred": 0.5 * scale,
                             "mean_returnee_skill_gain": 0.1, "remittances_formal": 2.0 * scale,
                             "remittances_informal": 1.0 * scale, "remittance_fees": 0.1 * scale,
                             "remittance_losses": 0.05 * scale, "collective_contributions": scale,
                             "matched_funds": scale, "health_density": 20.0 + i,
                             "human_capital_home": 100.0 * scale})
        return pd.DataFrame(rows)

    state = rng.bit_generator.state
    small = [table(1) for _ in range(2)]
    rng.bit_generator.state = state
    big = [table(3) for _ in range(2)]
    a = run_outcomes(small[0], 4, small[1], small[1])
    b = run_outcomes(big[0], 4, big[1], big[1])
    for k in ("extra_recruits_nonparty", "recruits_change_party", "returns_change",
              "missions_change", "knowledge_change", "collective_investment",
              "knowledge_transferred", "diversion_ratio", "returns_per_emigrant"):
        assert a[k] == pytest.approx(b[k], nan_ok=True), k
    assert a["window_start"] == 4 and a["window_end"] == 11


def test_an_experiment_without_a_paired_control_gets_its_origins_over_time(tmp_path, drawn):
    cfg = _write(tmp_path, """
        [experiment]
        name = "base"
        scenario = "baseline"
        steps = 12
        replicates = 2
        master_seed = 5
        controls = ["no_migration"]
        [params]
        n_persons = 500
        """)
    out = tmp_path / "b"
    run_experiment(cfg, out, inprocess=True, quiet=True)
    drawn.clear()
    analyse(out, quiet=True)
    head, ts = drawn["headline"], drawn["timeseries"]
    # three levels and the migrants' two, no gaps
    assert len(head.axes) == 5 and all(ax.axison for ax in head.axes)
    assert [ax.get_title() for ax in ts.axes] == ["health density by origin",
                                                  "health emigration rate by origin"]
    assert "per 10,000" in ts.axes[0].get_ylabel() and ts.axes[0].get_xlabel() == "quarter"
    labels = [t.get_text() for t in ts.axes[0].get_legend().get_texts()]
    assert "Malawi" in labels and any("WHO critical shortage" in t for t in labels)
    assert "2 replicates" in ts._suptitle.get_text().replace("\n", " ")


def test_figures_pair_policy_runs_with_the_control_the_analysis_uses():
    both = pd.DataFrame({"role": ["policy", "no_policy", "no_agreement", "no_migration"]})
    assert figures.paired_control(both) == "no_agreement"  # as stats.paired_table
    assert figures.paired_control(both[both.role != "no_agreement"]) == "no_policy"
    assert figures.paired_control(both[both.role.isin(["policy", "no_migration"])]) is None


def test_a_remittance_world_is_drawn_about_remittances(tmp_path, drawn):
    """remit2005 (its intermediaries set the fees): the headline's panels are the
    remittance outcomes and the time series the formal share and the money received."""
    cfg = _write(tmp_path, """
        [experiment]
        name = "remit"
        steps = 12
        replicates = 2
        master_seed = 3
        controls = ["no_design"]
        [params]
        world = "remit2005"
        n_persons = 1500
        [design]
        kind = "grid"
        [design.factors."bank_partnership[Mexico]"]
        values = [1.0]
        [design.factors."matching_ratio[Mexico]"]
        values = [0.0, 1.0]
        """)
    out = tmp_path / "r"
    run_experiment(cfg, out, inprocess=True, quiet=True)
    drawn.clear()
    analyse(out, quiet=True)
    panels = [ax for ax in drawn["headline"].axes if ax.axison]
    titles = [ax.get_title() for ax in panels]
    assert len(panels) == len(figures.REMITTANCE_HEADLINE), titles
    assert all(re.match(r"(Remittances|Collective investment|Public goods|Cost):", t)
               or t.startswith("Collective") for t in titles), titles
    assert not any("health" in t for t in titles)
    series = _texts(drawn["timeseries"])
    assert "formal share of household remittances" in series
    assert "remittances received (kUSD per quarter" in series
    assert "no-design control" in series
