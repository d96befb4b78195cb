"""The demo's parts in process: sliders read from the declaration, figures, page render.

(The browser test, tests/test_app_browser.py, checks the page as a person sees it.)
"""

import importlib

import pytest


@pytest.fixture(scope="module")
def app():
    return importlib.import_module("migdev.demo")


def test_sliders_come_from_the_parameter_declaration(app):
    from migdev.model.params import FIELDS

    for name, spec in app.MODEL_PARAMS.items():
        if name == "rng":
            assert spec["type"] == "InputText"
            continue
        if name == "world":  # every shipped world, the default first
            from migdev.core.worlds import shipped_worlds

            assert spec["value"] == FIELDS["world"].default == spec["values"][0]
            assert sorted(spec["values"]) == sorted(shipped_worlds())
            continue
        if name in app.PARTIES:  # countries by name, from the default world
            from migdev.core.worlds import load_world

            w = load_world(FIELDS["world"].default)
            rows = w.origins if name == "agreement_origin" else w.destinations
            assert spec["values"] == [c["country"] for c in rows]
            assert spec["value"] == spec["values"][FIELDS[name].default]
            continue
        f = FIELDS[name]
        assert spec["value"] == f.default, name
        if spec["type"] == "Select":
            assert spec["values"] == list(f.metadata["choices"])
        else:
            assert spec["min"] == f.metadata["lo"], name
            hi = f.metadata["hi"] if name != "n_persons" else min(f.metadata["hi"],
                                                                   app.DEMO_MAX_PERSONS)
            assert spec["max"] == hi, name
    assert set(app.LEVERS) >= {"agreement_kind", "implementation_rate", "agency_regulation",
                               "return_incentive", "integration_policy", "formal_fee",
                               "matching_ratio", "n_persons"}


@pytest.mark.parametrize("kind", ["none", "restrictive", "circular", "multilateral"])
def test_figures_draw_for_every_agreement_kind(app, kind):
    import io

    from migdev.model import MigrationModel

    m = MigrationModel(rng=2, n_persons=2000, agreement_kind=kind, agreement_start=2)
    m.run_for(5)
    buf = io.BytesIO()
    app.network_figure(m).savefig(buf, format="png")
    assert buf.tell() > 20_000
    charts = app.series_options(m)
    assert len(charts) == 5
    density = {s["name"]: s["data"] for s in charts[0]["series"]}
    df = m.country_frame()
    for name, d in df.groupby("country", observed=True):
        assert density[name] == [round(v, 3) for v in d.health_density]
    assert charts[0]["xAxis"]["data"] == list(range(6))
    stacked = [s for s in charts[1]["series"] if s.get("stack") == "channel"]
    assert len(stacked) == 4  # agreement, regulated, unregulated, independent
    totals = [sum(v) for v in zip(*[s["data"] for s in stacked])]
    assert totals == pytest.approx(df.groupby("step").recruits.sum().tolist(), abs=0.01)
    net = app.network_figure(m)
    labels = [t.get_text() for t in net.axes[0].get_legend().get_texts()]
    assert "recruits this quarter" in labels and "returns this quarter" in labels


def test_reset_path_rebuilds_with_new_values_and_typed_seed(app):
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    from migdev.model import MigrationModel

    params = {"rng": "7", "implementation_rate": 0.25, "agreement_kind": "restrictive"}
    kwargs = _build_model_init_kwargs(MigrationModel(rng=1, n_persons=500), params,
                                      add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    m = MigrationModel(**kwargs)
    assert m.seed == 7 and m.p.implementation_rate == 0.25
    assert m.p.agreement_kind == "restrictive"


def test_summary_and_figure_components_render_in_process(app):
    import ipywidgets
    import solara

    from migdev.model import MigrationModel

    m = MigrationModel(rng=3, n_persons=1500, implementation_rate=0.4)
    m.run_for(3)

    @solara.component
    def Page():
        with solara.Column() as col:
            app.Summary(m)
            app.NetworkView(m)
            app.SeriesView(m)
        return col

    box, rc = solara.render(Page(), handle_error=False)
    from solara.widgets.widgets import HTML

    html = rc.find(HTML).widgets
    text = " ".join(w.unsafe_innerHTML for w in html)
    assert html and "Quarter 3" in text and "implementation rate: <b>0.4</b>" in text
    assert "effective density" in text and "returnee premium" in text and "circulated" in text
    assert "public cost kUSD" in text and "net transfer kUSD" in text
    images = rc.find(ipywidgets.Image).widgets
    assert len(images) == 1 and len(images[0].value) > 20_000  # the network view
    from solara.components.echarts import EchartsWidget

    charts = rc.find(EchartsWidget).widgets
    assert len(charts) == 5 and all(c.option["series"] for c in charts)
    rc.close()


def test_whole_page_renders_every_view(app):
    """The page's own layout (not Mesa's grid) holds the image and the five charts; the
    sidebar controls are Mesa's and are exercised in the browser test."""
    import ipywidgets
    import solara
    from solara.components.echarts import EchartsWidget

    box, rc = solara.render(app.Page(), handle_error=False)
    assert len(rc.find(EchartsWidget).widgets) == 5
    assert len(rc.find(ipywidgets.Image).widgets) == 1
    rc.close()


def test_country_selector_focuses_the_charts_on_one_origin(app):
    from migdev.model import MigrationModel

    m = MigrationModel(rng=2, n_persons=3000, agreement_kind="restrictive",
                       agreement_origin=app.MODEL_PARAMS["agreement_origin"]["values"][5],
                       agreement_destination="United Kingdom", agreement_start=1)
    m.run_for(6)
    assert m.world.origin_names[m.p.agreement_origin] == "Zimbabwe"
    df = m.country_frame()
    one = app.series_options(m, "Malawi")
    assert all(c["title"]["text"].endswith("— Malawi") for c in one[1:])
    returns = next(s for s in one[2]["series"] if s["name"] == "returns")["data"]
    assert returns == [round(float(v), 3) for v in df[df.country == "Malawi"].returns]
    # the accounts' chart is the chosen origin's (ODD §7.14)
    net = next(s for s in one[4]["series"] if s["name"] == "net transfer to origin")["data"]
    assert net == [round(float(v), 3) for v in df[df.country == "Malawi"].net_transfer_to_origin]
    widths = {s["name"]: s["lineStyle"]["width"] for s in one[0]["series"] if "lineStyle" in s
              and "width" in s["lineStyle"]}
    assert widths["Malawi"] == 4 and widths["Ghana"] == 1
    every = app.series_options(m, app.ALL)
    assert not every[1]["title"]["text"].endswith("Malawi")


def test_the_demo_model_builds_any_world_from_the_sidebars_values(app):
    """Reset with the world remit2005 and the default parties (health2005's South Africa
    and United Kingdom): the parties fall back to remit2005's own; the network labels the
    corridors with the intermediaries' fees."""
    kw = {k: v["value"] for k, v in app.MODEL_PARAMS.items()}
    kw.update(world="remit2005", n_persons=2000)
    m = app.DemoModel(**kw)
    assert m.world.origin_names == ["Mexico", "El Salvador", "Guatemala"]
    assert m.p.agreement_origin == 0 and m.p.agreement_destination == 0
    assert m.calibration == "remit2005"
    m.step()
    fig = app.network_figure(m)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert sum(t.startswith("fee ") and "banks" in t for t in labels) == 3
    health = app.DemoModel(**{**kw, "world": "health2005"})
    assert health.p.agreement_origin == 0  # South Africa, by name
    assert not any(t.get_text().startswith("fee ") for t in app.network_figure(health).axes[0].texts)
