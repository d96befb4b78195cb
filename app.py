"""The visual demo: a Mesa SolaraViz page for MigrationModel.

Start it with ``solara run app.py`` or ``migdev serve``. It works with no internet
(Solara's bundled assets and matplotlib figures; nothing from a CDN). The sliders'
defaults and ranges come from the model's parameter declaration (model/params.py).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from mesa.visualization import SolaraViz, solara_viz  # noqa: E402

from model import MigrationModel  # noqa: E402
from model.params import FIELDS  # noqa: E402

#: the policy levers shown as sliders, with their labels (defaults and ranges: FIELDS)
LEVERS = {
    "agreement_kind": "Agreement kind",
    "implementation_rate": "Implementation rate",
    "agency_regulation": "Regulated share of agencies",
    "enforcement": "Enforcement",
    "return_incentive": "Return incentives",
    "integration_policy": "Integration policy",
    "formal_fee": "Formal remittance cost (share)",
    "matching_ratio": "Matching ratio (3 = three for one)",
    "training_elasticity": "Training supply elasticity",
    "n_persons": "Population (persons)",
}
#: the demo caps the population slider so that one step stays interactive; the model
#: itself allows up to FIELDS["n_persons"].metadata["hi"]
DEMO_MAX_PERSONS = 100_000
SLIDER_STEPS = {"n_persons": 1000, "matching_ratio": 0.5}
CHANNEL_COLOURS = {"agreement": "#2b8cbe", "agency_regulated": "#74c476",
                   "agency_unregulated": "#e6550d", "independent": "#9e9ac8"}


def slider(name: str, label: str) -> dict:
    """A SolaraViz input spec for parameter ``name``, read from its declaration."""
    f = FIELDS[name]
    m = f.metadata
    label = f"{label} [{m['unit']}]" if m["unit"] not in ("kind", "switch", "share") else label
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


MODEL_PARAMS = {"rng": {"type": "InputText", "value": "1", "label": "Seed"},
                **{name: slider(name, label) for name, label in LEVERS.items()}}


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
            ax.text(x, y + 0.16, f"{a['name']}\n{a['abroad']:,} migrants", ha="center",
                    va="bottom", fontsize=8)
        elif a["kind"] == "origin":
            ax.scatter(x, y, s=500, color=colour(a["health_density"]), edgecolor="k",
                       linewidth=2.5 if a["party"] else 1.0, zorder=3)
            ax.text(x, y + 0.13, f"{a['name']}{' (party)' if a['party'] else ''}\n"
                    f"{a['health_density']:.1f} per 10,000", ha="center", va="bottom",
                    fontsize=8)
        else:
            ax.scatter(x, y, s=40 + 0.1 * a["size"] * 20_000 / model.pop.n,
                       color=colour(a["health_density"]), edgecolor="0.3", zorder=3)
    handles = [
        Line2D([], [], color="#e6550d", lw=3, label="recruits this quarter"),
        Line2D([], [], color="#31a354", lw=3, ls="--", label="returns this quarter"),
        Line2D([], [], color="#3182bd", lw=6, alpha=0.3, label="remittances this quarter"),
        Line2D([], [], marker="o", ls="", color=cmap(0.1), markersize=9,
               label=f"health density below {thr:g}/10,000"),
        Line2D([], [], marker="o", ls="", color=cmap(0.9), markersize=9,
               label=f"health density above {thr:g}/10,000"),
        Line2D([], [], marker="s", ls="", color="#6baed6", markersize=9,
               label="destination (size: migrants)"),
    ]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.02), ncol=2,
              fontsize=7, frameon=False)
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.15, 1.45)
    ax.axis("off")
    ax.set_title(f"Countries and communities, quarter {model.steps}", fontsize=10)
    return fig


def series_figure(model: MigrationModel) -> Figure:
    """The headline series: density, recruits by origin and channel, returns, remittances."""
    df = model.country_frame()
    thr = model.p.protection_density_threshold
    fig = Figure(figsize=(8.5, 6.2), dpi=80)
    axes = fig.subplots(2, 2)
    fig.subplots_adjust(left=0.08, right=0.92, bottom=0.08, top=0.95, wspace=0.32, hspace=0.38)
    ax = axes[0, 0]
    for name, d in df.groupby("country", observed=True):
        ax.plot(d.step, d.health_density, label=name)
    ax.axhline(thr, color="k", ls="--", lw=0.8, label=f"threshold {thr:g}")
    ax.set(title="Health workers at home", xlabel="quarter", ylabel="per 10,000")
    ax.legend(fontsize=7, loc="upper right")  # a fixed place: "best" is slow to compute
    ax = axes[0, 1]
    by = df.groupby("step")
    steps = np.asarray(list(by.groups))
    stack = [by[f"recruits_{c}"].sum().to_numpy() for c in CHANNEL_COLOURS]
    ax.stackplot(steps, stack, labels=[c.replace("_", " ") for c in CHANNEL_COLOURS],
                 colors=list(CHANNEL_COLOURS.values()), alpha=0.8)
    for i, (_, d) in enumerate(df.groupby("country", observed=True)):
        ax.plot(d.step, d.recruits, lw=1.0, ls=":", color=f"C{i}")  # origins' colours as left
    ax.set(title="Recruits by channel (areas) and origin (dotted)", xlabel="quarter",
           ylabel="persons per quarter")
    ax.legend(fontsize=6, loc="upper left")
    ax = axes[1, 0]
    ax.plot(steps, by.returns.sum(), label="returns", color="#31a354")
    ax2 = ax.twinx()
    ax2.plot(steps, by.missions.sum(), label="missions", color="#756bb1")
    ax.set(title="Returns and diaspora missions", xlabel="quarter", ylabel="returns per quarter")
    ax2.set_ylabel("missions per quarter", color="#756bb1")
    ax.legend(handles=ax.get_lines() + ax2.get_lines(), fontsize=7, loc="upper left")
    ax = axes[1, 1]
    ax.plot(steps, by.remittances_formal.sum(), label="formal", color="#3182bd")
    ax.plot(steps, by.remittances_informal.sum(), label="informal", color="#9ecae1")
    ax.plot(steps, by.remittance_fees.sum(), label="fees", color="#e6550d")
    ax.set(title="Remittances", xlabel="quarter", ylabel="kUSD per quarter")
    ax.legend(fontsize=7, loc="upper left")
    for a in list(axes.flat) + [ax2]:
        a.tick_params(labelsize=7)
        a.title.set_fontsize(9)
        a.yaxis.set_major_locator(MaxNLocator(5))  # fewer tick labels: text is most of a redraw
        a.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    return fig


# --------------------------------------------------------------------------- components
def NetworkView(model):
    return solara.FigureMatplotlib(network_figure(model), format="png")


def SeriesView(model):
    return solara.FigureMatplotlib(series_figure(model), format="png")


def Summary(model):
    """Key numbers of the current quarter and the levers the model was built with."""
    df = model.country_frame()
    last = df[df.step == df.step.max()]
    p = model.p
    head = (f"<b>Quarter {model.steps}</b> (year {model.steps / 4:.1f}) · seed {model.seed} · "
            f"{model.pop.n:,} persons · agreement: <b>{p.agreement_kind}</b>"
            + (f" from quarter {p.agreement_start}" if p.agreement_kind != "none" else ""))
    rows = "".join(
        f"<tr><td>{r.country}{' (party)' if r.party_to_agreement else ''}</td>"
        f"<td>{r.health_density:.1f}</td><td>{r.skilled_emigration_rate:.1%}</td>"
        f"<td>{r.recruits:.0f}</td><td>{r.returns:.0f}</td><td>{r.missions:.0f}</td></tr>"
        for r in last.itertuples())
    levers = " · ".join(f"{label.split(' [')[0].split(' (')[0].lower()}: "
                        f"<b>{_fmt(getattr(p, name))}</b>" for name, label in LEVERS.items())
    html = ("<style>.migdev-summary td,.migdev-summary th{padding:2px 12px;text-align:right}"
            ".migdev-summary td:first-child,.migdev-summary th:first-child{text-align:left}"
            ".migdev-summary th{border-bottom:1px solid #999}</style>"
            f"<div style='font-size:13px'>{head}<table class='migdev-summary' "
            f"style='margin:8px 0;border-collapse:collapse'>"
            "<tr><th>origin</th><th>health density /10,000</th><th>skilled emigration</th>"
            f"<th>recruits</th><th>returns</th><th>missions</th></tr>{rows}</table>"
            f"<div class='migdev-levers'>Model built with {levers}</div></div>")
    return solara.HTML(tag="div", unsafe_innerHTML=html)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def _layout(n: int) -> list[dict]:
    """Grid layout of the page: network and series side by side, the summary below.

    Mesa 3.5's SolaraViz gives every component half the width; it takes its initial
    layout from this module-level function, which the demo replaces.
    """
    boxes = [dict(x=0, y=0, w=5, h=15), dict(x=5, y=0, w=7, h=15), dict(x=0, y=15, w=12, h=7)]
    return [{"i": i, "moved": False, **boxes[i % 3]} for i in range(n)]


solara_viz.make_initial_grid_layout = _layout

model = MigrationModel(rng=1)
page = SolaraViz(
    model,
    components=[(NetworkView, 0), (SeriesView, 0), (Summary, 0)],
    model_params=MODEL_PARAMS,
    name="migdev: migration partnerships, spillover vs brain circulation",
    play_interval=300,
)
