"""The visual demo: a Mesa/Solara page for MigrationModel.

Start it with ``migdev serve`` (or ``solara run migdev.demo``; ``solara run app.py`` in a
checkout). It works with no internet
(Solara's bundled assets and matplotlib figures; nothing from a CDN). The sliders'
defaults and ranges come from the model's parameter declaration (``migdev.model.params``).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from mesa.visualization.solara_viz import ModelController, ModelCreator, ShowSteps  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from migdev.model.params import FIELDS  # noqa: E402
from migdev.core.worlds import load_world, shipped_worlds  # noqa: E402
from migdev.model import MigrationModel  # noqa: E402

#: the policy levers shown as sliders, with their labels (defaults and ranges: FIELDS)
LEVERS = {
    "agreement_kind": "Agreement kind",
    "implementation_rate": "Implementation rate",
    "agency_regulation": "Regulated agencies",
    "enforcement": "Enforcement",
    "return_incentive": "Return incentives",
    "integration_policy": "Integration policy",
    "formal_fee": "Formal remittance cost",
    "matching_ratio": "Matching (3 = three for one)",
    "matching_honoured": "Share of the match paid",
    "named_rehire_rate": "Named re-hiring",
    "employer_change_right": "Free to change employer",
    "training_elasticity": "Training supply elasticity",
    "n_persons": "Population",
}
#: the demo caps the population slider so that one step stays interactive; the model
#: itself allows up to FIELDS["n_persons"].metadata["hi"]
DEMO_MAX_PERSONS = 100_000
#: shorter unit names for the sidebar (a long label squeezes its slider to nothing)
UNIT_LABELS = {"share of agencies": "share", "share of amount": "share",
               "share of returns": "share", "share of workers": "share",
               "units per unit": "× collective fund"}
SLIDER_STEPS = {"n_persons": 1000, "matching_ratio": 0.5}
ORIGIN_COLOURS = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452",
                  "#9a60b4")
CHANNEL_COLOURS = {"agreement": "#2b8cbe", "agency_regulated": "#74c476",
                   "agency_unregulated": "#e6550d", "independent": "#9e9ac8"}


def slider(name: str, label: str) -> dict:
    """A SolaraViz input spec for parameter ``name``, read from its declaration."""
    f = FIELDS[name]
    m = f.metadata
    unit = UNIT_LABELS.get(m["unit"], m["unit"])
    label = f"{label} [{unit}]" if unit not in ("kind", "switch", "share") else label
    if m["choices"]:
        return {"type": "Select", "value": f.default, "values": list(m["choices"]),
                "label": label}
    if f.type in ("bool", bool):
        return {"type": "Checkbox", "value": f.default, "label": label}
    hi = min(m["hi"], DEMO_MAX_PERSONS) if name == "n_persons" else m["hi"]
    if f.type in ("int", int):
        return {"type": "SliderInt", "value": f.default, "min": m["lo"], "max": hi,
                "step": SLIDER_STEPS.get(name, 1), "label": label}
    step = SLIDER_STEPS.get(name, round((hi - m["lo"]) / 100, 4) or 0.01)
    return {"type": "SliderFloat", "value": f.default, "min": m["lo"], "max": hi, "step": step,
            "label": label}


def country_select(name: str, label: str) -> dict:
    """A select of the default world's countries for a party parameter (by name)."""
    w = load_world(FIELDS["world"].default)
    names = [c["country"] for c in (w.origins if name == "agreement_origin" else w.destinations)]
    return {"type": "Select", "value": names[FIELDS[name].default], "values": names,
            "label": label}


#: the parties of the headline agreement, chosen by country name
PARTIES = {"agreement_origin": "Origin party", "agreement_destination": "Destination party"}
#: the worlds the demo switches between: every shipped world, the default first
WORLDS = [FIELDS["world"].default] + sorted(w for w in shipped_worlds()
                                            if w != FIELDS["world"].default)
MODEL_PARAMS = {"rng": {"type": "InputText", "value": "1", "label": "Seed"},
                "world": {"type": "Select", "value": WORLDS[0], "values": WORLDS,
                          "label": "World"},
                **{name: slider(name, label) for name, label in LEVERS.items()},
                **{name: country_select(name, label) for name, label in PARTIES.items()}}
ALL = "all countries"


class DemoModel(MigrationModel):
    """The demo's model: :class:`MigrationModel`, with the sidebar's party selects (names of
    the default world's countries) falling back to the chosen world's first origin and
    destination where that world does not have them (the world selector: a party chosen
    for health2005 is not a country of remit2005)."""

    def __init__(self, params=None, *, rng=None, scenario=None, calibration="default",
                 **overrides):
        world = load_world(str(overrides.get("world", FIELDS["world"].default)))
        names = {"agreement_origin": [c["country"] for c in world.origins],
                 "agreement_destination": [c["country"] for c in world.destinations]}
        for key, known in names.items():
            value = overrides.get(key)
            if isinstance(value, str) and value not in known:
                overrides[key] = known[0]
        super().__init__(params, rng=rng, scenario=scenario, calibration=calibration,
                         **overrides)


# --------------------------------------------------------------------------- figures
def network_figure(model: MigrationModel) -> Figure:
    """Countries and communities: size and colour carry stocks, edges this quarter's flows."""
    g = model.network()
    thr = model.p.protection_density_threshold
    # fixed margins, not a layout engine: a constrained layout costs a third of a redraw
    fig = Figure(figsize=(6.4, 4.8), dpi=90)
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.94))
    dests = [n for n, a in g.nodes(data=True) if a["kind"] == "destination"]
    origins = [n for n, a in g.nodes(data=True) if a["kind"] == "origin"]
    pos = {}
    for i, n in enumerate(dests):
        pos[n] = np.array([(i + 0.5) / len(dests) * 2 - 1, 1.0])
    for i, n in enumerate(origins):
        pos[n] = np.array([(i + 0.5) / len(origins) * 2 - 1, -0.25])
    for n, a in g.nodes(data=True):
        if a["kind"] == "community":
            o = next(v for v in g.neighbors(n) if g.nodes[v]["kind"] == "origin")
            kids = [c for c in g.neighbors(o) if g.nodes[c]["kind"] == "community"]
            k = kids.index(n)
            ang = np.pi * (1.2 + 0.6 * (k + 0.5) / len(kids))
            pos[n] = pos[o] + 0.2 * np.array([np.cos(ang), np.sin(ang) * 2.2])
    # flows on origin-destination edges: recruits (out) and returns (back), remittances
    flow = [(u, v, a) for u, v, a in g.edges(data=True) if a["kind"] == "flow"]
    top = max([a["recruits"] for *_, a in flow] + [a["returns"] for *_, a in flow] + [1.0])
    rtop = max([a["remittances"] for *_, a in flow] + [1e-9])
    for u, v, a in flow:
        o, d = (u, v) if g.nodes[u]["kind"] == "origin" else (v, u)
        p0, p1 = pos[o], pos[d]
        off = np.array([0.025, 0.0])
        if a["recruits"]:
            ax.annotate("", xy=p1 - off, xytext=p0 - off, arrowprops=dict(
                arrowstyle="-|>", color="#e6550d", alpha=0.8,
                lw=0.5 + 5 * a["recruits"] / top, shrinkA=12, shrinkB=14))
        if a["returns"]:
            ax.annotate("", xy=p0 + off, xytext=p1 + off, arrowprops=dict(
                arrowstyle="-|>", color="#31a354", alpha=0.8, ls="--",
                lw=0.5 + 5 * a["returns"] / top, shrinkA=14, shrinkB=12))
        if a["remittances"]:
            ax.plot(*zip(p0, p1), color="#3182bd", alpha=0.25,
                    lw=1 + 10 * a["remittances"] / rtop, zorder=0, solid_capstyle="round")
    # the financial intermediaries on each corridor (a world with them, ODD §7.7b): the fee
    # of a formal transfer and the banks' share of the transfers
    st = getattr(model, "intermediary_state", None)
    if st is not None:
        for u, v, a in flow:
            o, d = (u, v) if g.nodes[u]["kind"] == "origin" else (v, u)
            oi, di = o - model.n_dest, d
            mid = pos[o] + 0.55 * (pos[d] - pos[o])
            ax.text(*mid, f"fee {st.fee[oi, di]:.1%}\nbanks {st.bank_share[oi]:.0%}",
                    ha="center", va="center", fontsize=6.5, zorder=4,
                    bbox=dict(boxstyle="round,pad=0.2", fc="#fff7bc", ec="#d95f0e", lw=0.6))
    for u, v, a in g.edges(data=True):
        if a["kind"] == "member":
            ax.plot(*zip(pos[u], pos[v]), color="0.75", lw=0.8, zorder=0)
    # nodes
    cmap = matplotlib.colormaps["RdYlGn"]

    def colour(density):
        return cmap(np.clip(density / (2 * thr), 0, 1))

    for n, a in g.nodes(data=True):
        x, y = pos[n]
        if a["kind"] == "destination":
            ax.scatter(x, y, s=300 + 0.6 * a["abroad"] * 20_000 / model.pop.n, marker="s",
                       color="#6baed6", edgecolor="k", zorder=3)
            ax.text(x, y + 0.16, f"{_wrap(a['name'])}\n{a['abroad']:,} migrants", ha="center",
                    va="bottom", fontsize=7)
        elif a["kind"] == "origin":
            ax.scatter(x, y, s=500, color=colour(a["health_density"]), edgecolor="k",
                       linewidth=2.5 if a["party"] else 1.0, zorder=3)
            ax.text(x, y + 0.13, f"{_wrap(a['name'])}{' (party)' if a['party'] else ''}\n"
                    f"{a['health_density']:.1f}/10k", ha="center", va="bottom", fontsize=7)
        else:
            ax.scatter(x, y, s=40 + 0.1 * a["size"] * 20_000 / model.pop.n,
                       color=colour(a["health_density"]), edgecolor="0.3", zorder=3)
    handles = [
        Line2D([], [], color="#e6550d", lw=3, label="recruits this quarter"),
        Line2D([], [], color="#31a354", lw=3, ls="--", label="returns this quarter"),
        Line2D([], [], color="#3182bd", lw=6, alpha=0.3, label="remittances this quarter"),
        Line2D([], [], marker="o", ls="", color=cmap(0.1), markersize=9,
               label=f"health density below {thr:g}/10,000 (10k)"),
        Line2D([], [], marker="o", ls="", color=cmap(0.9), markersize=9,
               label=f"health density above {thr:g}/10,000"),
        Line2D([], [], marker="s", ls="", color="#6baed6", markersize=9,
               label="destination (size: migrants)"),
    ]
    if st is not None:
        handles.append(Line2D([], [], marker="s", ls="", color="#fff7bc", markeredgecolor="#d95f0e",
                              markersize=9, label="transfer operators and banks: formal fee, "
                                                  "banks' share"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.02), ncol=2,
              fontsize=7, frameon=False)
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.15, 1.45)
    ax.axis("off")
    ax.set_title(f"Countries and communities, quarter {model.steps}", fontsize=10)
    return fig


def _wrap(name: str) -> str:
    """A long country name on two lines (labels sit side by side)."""
    return name.replace(" ", "\n", 1) if len(name) > 9 else name


def _line(name, y, **kw) -> dict:
    return {"type": "line", "name": name, "showSymbol": False,
            "data": [round(float(v), 3) for v in y], **kw}


def _chart(title: str, steps, ylabel: str, series: list, legend: list | None = None,
           y2: str | None = None):
    axis = {"type": "value", "nameLocation": "middle", "nameGap": 36,
            "nameTextStyle": {"fontSize": 10}}
    y_axes = [{**axis, "name": ylabel}]
    if y2:
        y_axes.append({**axis, "name": y2, "splitLine": {"show": False}})
    return {
        "animation": False,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 12}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 20, "textStyle": {"fontSize": 10}, "itemWidth": 14, "itemHeight": 8,
                   **({"data": legend} if legend else {})},
        "grid": {"left": 52, "right": 52 if y2 else 16, "top": 70, "bottom": 36},
        "xAxis": {"type": "category", "data": [int(t) for t in steps], "name": "quarter",
                  "nameLocation": "middle", "nameGap": 22, "boundaryGap": False},
        "yAxis": y_axes,
        "series": series,
    }


#: the accounts' chart (ODD §7.14): label, country-table column, colour, line options
ACCOUNT_SERIES = (
    ("origin's public cost", "origin_public_cost", "#d62728", {}),
    ("destinations' public cost", "destination_public_cost", "#ff9896", {}),
    ("training cost of leavers", "training_cost_departed", "#8c564b", {}),
    ("training cost of returnees", "training_cost_returned", "#c49c94", {}),
    ("destinations' training avoided", "training_cost_avoided", "#9467bd", {}),
    ("remittances received", "remittances_received", "#3182bd", {}),
    ("net transfer to origin", "net_transfer_to_origin", "#333333",
     {"lineStyle": {"type": "dashed", "width": 2}}),
)


def series_options(model: MigrationModel, focus: str | None = None) -> list[dict]:
    """ECharts options of the headline series (drawn in the browser, from bundled assets).

    Health-worker density by origin with the threshold; recruits by channel and origin;
    returns and diaspora missions; remittances formal and informal, and fees; the accounts
    (ODD §7.14): what the instruments cost the origin and the destinations, the training
    cost carried abroad and brought back, remittances received and the net transfer. With
    ``focus`` (an origin's name) the last four are that origin's, and its density line is
    drawn thick.
    """
    df = model.country_frame()
    thr = model.p.protection_density_threshold
    origins = list(df.groupby("country", observed=True))
    colour = {n: ORIGIN_COLOURS[i % len(ORIGIN_COLOURS)] for i, (n, _) in enumerate(origins)}
    density = [_line(n, d.health_density, itemStyle={"color": colour[n]},
                     lineStyle={"width": 4 if n == focus else (1 if focus else 2)})
               for n, d in origins]
    one = focus in colour
    where = f" — {focus}" if one else ""
    if one:
        df = df[df.country == focus]
        origins = [(focus, df)]
    by = df.groupby("step")
    steps = np.asarray(list(by.groups))
    density.append(_line(f"threshold {thr:g}", np.full(len(steps), thr),
                         lineStyle={"type": "dashed", "color": "#333"},
                         itemStyle={"color": "#333"}))
    recruits = [_line(c.replace("_", " "), by[f"recruits_{c}"].sum(), stack="channel",
                      areaStyle={"opacity": 0.7}, lineStyle={"width": 0},
                      itemStyle={"color": col})
                for c, col in CHANNEL_COLOURS.items()]
    recruits += [_line(n, d.recruits, lineStyle={"type": "dotted", "width": 1.5},
                       itemStyle={"color": colour[n]}) for n, d in origins]
    flows = [_line("returns", by.returns.sum(), itemStyle={"color": "#31a354"}),
             _line("missions", by.missions.sum(), yAxisIndex=1, itemStyle={"color": "#756bb1"})]
    money = [_line("formal", by.remittances_formal.sum(), itemStyle={"color": "#3182bd"}),
             _line("informal", by.remittances_informal.sum(), itemStyle={"color": "#9ecae1"}),
             _line("fees", by.remittance_fees.sum(), itemStyle={"color": "#e6550d"})]
    accounts = [_line(label, by[col].sum(), itemStyle={"color": col_}, **kw)
                for label, col, col_, kw in ACCOUNT_SERIES]
    return [
        _chart("Health workers at home", steps, "per 10,000", density),
        _chart("Recruits by channel (areas) and origin (dotted)" + where, steps,
               "persons per quarter", recruits,
               legend=[c.replace("_", " ") for c in CHANNEL_COLOURS]),
        _chart("Returns and diaspora missions" + where, steps, "returns per quarter", flows,
               y2="missions per quarter"),
        _chart("Remittances" + where, steps, "kUSD per quarter", money),
        _chart("Accounts: who pays, what is carried across borders" + where, steps,
               "kUSD per quarter", accounts),
    ]


# --------------------------------------------------------------------------- components
def NetworkView(model):
    return solara.FigureMatplotlib(network_figure(model), format="png")


def SeriesView(model, focus=None):
    charts = series_options(model, focus)
    with solara.Column(gap="0px") as col:
        for row in (charts[:2], charts[2:4], charts[4:]):
            with solara.Row(gap="0px"):
                for option in row:
                    solara.FigureEcharts(option=option, attributes={
                        "style": "height: 270px; width: 100%; min-width: 260px",
                        "class": "migdev-chart"})
    return col


def Summary(model):
    """Key numbers of the current quarter and the levers the model was built with."""
    df = model.country_frame()
    last = df[df.step == df.step.max()]
    p = model.p
    head = (f"<b>Quarter {model.steps}</b> (year {model.steps / 4:.1f}) · world "
            f"<b>{p.world}</b> · seed {model.seed} · "
            f"{model.pop.n:,} persons · agreement: <b>{p.agreement_kind}</b>"
            + (f" from quarter {p.agreement_start}" if p.agreement_kind != "none" else ""))
    rows = "".join(
        f"<tr><td>{r.country}{' (party)' if r.party_to_agreement else ''}</td>"
        f"<td>{r.health_density:.1f}</td><td>{r.effective_health_density:.1f}</td>"
        f"<td>{r.skilled_emigration_rate:.1%}</td>"
        f"<td>{r.recruits:.0f}</td><td>{r.returns:.0f}</td><td>{r.missions:.0f}</td>"
        f"<td>{r.path_circulated:.0%}</td><td>{r.returnee_earnings_premium:+.0%}</td>"
        f"<td>{r.origin_public_cost:,.0f}</td><td>{r.net_transfer_to_origin:,.0f}</td></tr>"
        for r in last.itertuples())
    levers = " · ".join(f"{label.split(' [')[0].split(' (')[0].lower()}: "
                        f"<b>{_fmt(getattr(p, name))}</b>" for name, label in LEVERS.items())
    if p.agreement_kind in ("restrictive", "circular"):
        levers += (f" · parties: <b>{model.world.destination_names[p.agreement_destination]}"
                   f"</b> and <b>{model.world.origin_names[p.agreement_origin]}</b>")
    html = ("<style>.migdev-summary td,.migdev-summary th{padding:2px 12px;text-align:right}"
            ".migdev-summary td:first-child,.migdev-summary th:first-child{text-align:left}"
            ".migdev-summary th{border-bottom:1px solid #999}</style>"
            f"<div style='font-size:13px'>{head}<table class='migdev-summary' "
            f"style='margin:8px 0;border-collapse:collapse'>"
            "<tr><th>origin</th><th>health density /10,000</th>"
            "<th title='skill-weighted health workers at home, raised by the knowledge "
            "returnees and missions brought, plus missions while they last (ODD §7.10)'>"
            "effective density /10,000</th><th>skilled emigration</th>"
            "<th>recruits</th><th>returns</th><th>missions</th>"
            "<th title='of those ever emigrated, the share with two or more stays abroad'>"
            "circulated</th><th title='earnings of skilled returnees at home over skilled "
            "stayers, minus 1 (ODD §7.10)'>returnee premium</th>"
            "<th title='spending of the origin government on the partnership instruments this "
            "quarter (ODD §7.14)'>public cost kUSD</th>"
            "<th title='remittances received less the training cost of the health workers "
            "who left, plus that of those who came back, this quarter (ODD §7.14)'>"
            "net transfer kUSD</th>"
            f"</tr>{rows}</table>"
            f"<div class='migdev-levers'>Model built with {levers}</div></div>")
    return solara.HTML(tag="div", unsafe_innerHTML=html)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


@solara.component
def Page():
    """The demo page: Mesa's controls in the sidebar, the views in a fixed layout.

    Built from Mesa's own pieces (``ModelController``, ``ModelCreator``, ``ShowSteps``)
    rather than ``SolaraViz``: Mesa 3.5's ``SolaraViz`` puts every component in a
    draggable grid of half the page's width and 10 rows with no way to pass a layout,
    which squeezes the four charts until they cannot draw. Views re-render on Mesa's
    ``update_counter``, which the controller bumps after each step or reset.
    """
    initial = solara.use_memo(lambda: DemoModel(rng=1), [])
    model = solara.use_reactive(initial)
    parameters = solara.use_reactive({})
    focus = solara.use_reactive(ALL)
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    threads = solara.use_reactive(False)
    solara.Title(TITLE)  # the browser tab's name
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            solara.SliderInt(label="Play Interval (ms)", value=play_interval, min=1, max=1000,
                             step=10)
            solara.SliderInt(label="Render Interval (steps)", value=render_interval, min=1,
                             max=100, step=1)
            ModelController(model, model_parameters=parameters, play_interval=play_interval,
                            render_interval=render_interval, use_threads=threads)
        with solara.Card("Model Parameters"):
            ModelCreator(model, MODEL_PARAMS, model_parameters=parameters)
            SliderValues(parameters.value)
        with solara.Card("Country"):
            solara.Select(label="Show charts for", value=focus,
                          values=[ALL, *model.value.world.origin_names])
        with solara.Card("Information"):
            ShowSteps(model.value)
    Views(model.value, focus.value)


def slider_values(chosen: dict) -> str:
    """The value of every lever as the sidebar now sets it (Mesa's sliders show a value only
    while dragged), as one line."""
    parts = []
    for name, label in LEVERS.items():
        v = chosen.get(name, MODEL_PARAMS[name]["value"])
        parts.append(f"{label.split(' [')[0].split(' (')[0].lower()} = {_fmt(v)}")
    return " · ".join(parts)


@solara.component
def SliderValues(chosen: dict):
    """Under the sliders: their values, and that Reset builds the model with them."""
    solara.HTML(tag="div", unsafe_innerHTML=(
        "<div class='migdev-slider-values' style='font-size:12px;color:#444'>"
        f"Set: {slider_values(chosen)}. <i>Reset</i> builds the model with these.</div>"))


@solara.component
def Views(model, focus=ALL):
    """Network and series side by side, the summary below; redrawn after each step."""
    update_counter.get()
    with solara.Column(style={"width": "100%"}):
        with solara.Columns([5, 7]):
            NetworkView(model)
            SeriesView(model, focus)
        Summary(model)


TITLE = "migdev: migration partnerships, spillover vs brain circulation"
PLAY_INTERVAL_MS = 300
page = Page()
