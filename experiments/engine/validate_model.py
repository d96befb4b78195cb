"""Validation of the model against patterns held out from calibration (issue 11).

``migdev validate-model`` runs the default real world (health2005), on a calibration's
posterior means unless told otherwise, through the policy histories that produced
published patterns, and says for each pattern whether the model reproduces it. The
patterns were chosen on 2026-11-23, before the shipped calibration was run, and none of
their statistics is a calibration target (a test checks the targets against
``PATTERNS[...].outputs``). Each pattern runs paired: the policy history and its control
(no agreement) at the same seed, for every replicate.

A pattern names what was observed, its source and years, how the model's statistic is
computed, and the criterion, a band or a direction, written before the model was run.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from migdev.core.records import Agreement
from migdev.experiments.engine.store import atomic_write

#: health2005's indices (origins, destinations), checked against the world when run
SSA = ("Nigeria", "Ghana", "Kenya", "Zimbabwe", "Malawi")
BASE_YEAR = 2000


def step_of(year: float) -> int:
    """The first quarter of a calendar year (step 0 is the start of the base year)."""
    return int(round((year - BASE_YEAR) * 4))


@dataclass(frozen=True)
class Pattern:
    name: str
    observed: str  # what was observed, in words, with the figures
    source: str
    years: str
    statistic: str  # what the model's statistic is, in words
    criterion: str  # the pass rule, in words
    outputs: tuple  # model outputs (country or corridor frame columns) the statistic reads
    steps: int  # quarters each run lasts
    policy: Callable  # world -> dict of parameters for the policy history
    measure: Callable  # (model_policy, model_control, world) -> float
    passes: Callable  # array of per-replicate statistics -> bool
    label: str = ""  # short axis label with its unit
    band: tuple = (None, None)  # the criterion's bounds on the statistic, for the figure


def _idx(names, wanted):
    missing = [w for w in wanted if w not in names]
    if missing:
        raise ValueError(f"the validation patterns need {missing} in the world's countries "
                         f"({names}); they are written for health2005")
    return [list(names).index(w) for w in wanted]


# ------------------------------------------------------------------ pattern 1
def _nhs_code(world):
    uk, = _idx(world.destination_names, ["United Kingdom"])
    orig = tuple(_idx(world.origin_names, SSA))
    return {"agreements": (Agreement(kind="restrictive", destination=uk, origins=orig,
                                     start=step_of(2001)),),
            "agency_regulation": 140 / 800}


def _uk_ssa_recruits(m, world):
    df = m.corridor_frame()
    sel = df[(df.destination == "United Kingdom") & df.origin.isin(SSA)
             & (df.step >= step_of(2001)) & (df.step < step_of(2006))]
    return float(sel.health_recruits.sum())


def _nhs_measure(pol, ctrl, world):
    c = _uk_ssa_recruits(ctrl, world)
    return _uk_ssa_recruits(pol, world) / c if c > 0 else math.nan


# ------------------------------------------------------------------ pattern 2
def _uk_sa_mou(world):
    uk, = _idx(world.destination_names, ["United Kingdom"])
    sa, = _idx(world.origin_names, ["South Africa"])
    return {"agreements": (Agreement(kind="restrictive", destination=uk, origins=(sa,),
                                     start=step_of(2003)),)}


def _sa_foreign_share(m, first: int, last: int) -> float:
    """Foreign health workers recruited into South Africa / (those + South Africa's new
    health trainees), steps first..last-1."""
    cor = m.corridor_frame()
    foreign = cor[(cor.destination == "South Africa") & (cor.step >= first) & (cor.step < last)]
    cf = m.country_frame()
    own = cf[(cf.country == "South Africa") & (cf.step >= first) & (cf.step < last)]
    f, t = float(foreign.health_recruits.sum()), float(own.health_trainees.sum())
    return f / (f + t) if f + t > 0 else math.nan


def _sa_measure(pol, ctrl, world):
    early = _sa_foreign_share(pol, step_of(2004), step_of(2010))
    late = _sa_foreign_share(pol, step_of(2010), step_of(2015))
    return late - early


# ------------------------------------------------------------------ pattern 3
def _ghana_attrition(pol, ctrl, world):
    """Annual departures of Ghana's health workers (emigration, all channels, plus exits
    at retirement age) per health worker at home, 2005-2009, in the control run."""
    g, = _idx(world.origin_names, ["Ghana"])
    cf = ctrl.country_frame()
    sel = cf[(cf.country == "Ghana") & (cf.step >= step_of(2005)) & (cf.step < step_of(2010))]
    represented = world.represented_pop[world.comm_origin == g].sum()
    home = sel.health_density.to_numpy() * represented / 10_000.0  # health workers at home
    emigrants = sel.health_recruits.to_numpy()
    span = ctrl.p.retirement_age - ctrl.p.entry_age
    retire = 1.0 / span  # per year: ages are uniform over the working life
    return float(4.0 * emigrants.sum() / home.sum() + retire)


PATTERNS = {
    "nhs_code_back_door": Pattern(
        name="nhs_code_back_door",
        observed="The NHS code of practice (2001) barred active recruitment from developing "
                 "countries without a government agreement; inflows of health workers from "
                 "sub-Saharan Africa to the UK continued, through private agencies and "
                 "employers outside it (about 140 of 800 agencies had signed)",
        source="Buchan 2007; Buchan, McPake, Mensah & Rae 2009; Connell & Buchan 2011",
        years="2001-2005",
        statistic="health workers recruited to the United Kingdom from Nigeria, Ghana, Kenya, "
                  "Zimbabwe and Malawi in 2001-2005 under a UK bar on those origins from 2001 "
                  "with 140/800 of agencies regulated, as a share of the same seed's control "
                  "(no bar)",
        criterion="inflows continue: the share is at least 0.25 (median over replicates)",
        outputs=("corridor:health_recruits",),
        steps=step_of(2006),
        policy=_nhs_code,
        measure=_nhs_measure,
        passes=lambda x: bool(np.nanmedian(x) >= 0.25),
        label="UK health recruits from the five origins,\nbar / no bar (ratio)",
        band=(0.25, None),
    ),
    "sa_replacement_hiring": Pattern(
        name="sa_replacement_hiring",
        observed="After the 2003 UK-South Africa memorandum South Africa hired from poorer "
                 "neighbours: foreign-trained doctors rose from under 10 % of new registrants "
                 "(2004-09) to over 45 % (2010-14)",
        source="Bidwell et al. 2014; Tankwanchi et al. 2019",
        years="2004-2014",
        statistic="foreign health workers recruited into South Africa as a share of South "
                  "Africa's new health workers (recruits + own trainees), 2010-14 minus "
                  "2004-09, under a UK bar on South Africa from 2003",
        criterion="the share rises: the difference is above 0 in at least 80 % of replicates",
        outputs=("corridor:health_recruits", "country:health_trainees"),
        steps=step_of(2015),
        policy=_uk_sa_mou,
        measure=_sa_measure,
        passes=lambda x: bool(np.mean(np.asarray(x) > 0) >= 0.8),
        label="change in South Africa's foreign share\nof new health workers (difference of shares)",
        band=(0.0, None),
    ),
    "ghana_attrition": Pattern(
        name="ghana_attrition",
        observed="Annual attrition of Ghana's health workers was about 8 % (and a 10 % wage "
                 "rise cut it by 0.9-1.6 percentage points)",
        source="Antwi & Phillips 2011",
        years="2005-2009",
        statistic="Ghana's health workers leaving per year (emigration on every channel plus "
                  "retirement) per health worker at home, 2005-2009, no agreement",
        criterion="within 4-12 % a year (about 8 %, ±50 %) (median over replicates)",
        outputs=("country:health_recruits", "country:health_density"),
        steps=step_of(2010),
        policy=lambda world: {},
        measure=_ghana_attrition,
        passes=lambda x: bool(0.04 <= np.nanmedian(x) <= 0.12),
        label="Ghana's health-worker attrition\n(share per year)",
        band=(0.04, 0.12),
    ),
}


@dataclass
class ValidationJob:
    """One replicate of one pattern: the policy run and its control (picklable)."""

    pattern: str
    seed: int
    params: dict

    def __call__(self) -> dict:
        from migdev.model.model import MigrationModel

        pat = PATTERNS[self.pattern]
        ctrl = MigrationModel(rng=self.seed, **self.params)
        policy = pat.policy(ctrl.world)
        ctrl.run_for(pat.steps)
        pol = MigrationModel(rng=self.seed, **{**self.params, **policy}) if policy else ctrl
        if pol is not ctrl:
            pol.run_for(pat.steps)
        return {"pattern": self.pattern, "seed": self.seed,
                "value": pat.measure(pol, ctrl, ctrl.world)}


def _run_job(job: ValidationJob) -> dict:
    return job()


def validate_model(out: Path, params: dict, replicates: int = 10, executor=None,
                   patterns=None, calibration: str | None = None, quiet: bool = False) -> dict:
    """Run every pattern's replicates and write validation.csv, replicates.csv and
    manifest.json into ``out``; return the manifest."""
    from migdev.experiments.engine.sweep import provenance

    names = list(patterns or PATTERNS)
    unknown = [n for n in names if n not in PATTERNS]
    if unknown:
        raise ValueError(f"unknown pattern(s) {unknown}: choose from {sorted(PATTERNS)}")
    out.mkdir(parents=True, exist_ok=True)
    jobs = [ValidationJob(n, seed, params) for n in names for seed in range(replicates)]
    t0 = time.perf_counter()
    if executor is None:
        rows = [job() for job in jobs]
    else:
        rows = list(executor.map(_run_job, jobs))
    elapsed = time.perf_counter() - t0
    reps = pd.DataFrame(rows)
    summary = []
    for n in names:
        pat = PATTERNS[n]
        x = reps.loc[reps.pattern == n, "value"].to_numpy(dtype=float)
        ok = pat.passes(x)
        summary.append({"pattern": n, "result": "pass" if ok else "fail",
                        "median": float(np.nanmedian(x)), "q05": float(np.nanquantile(x, 0.05)),
                        "q95": float(np.nanquantile(x, 0.95)), "n": int(np.isfinite(x).sum()),
                        "criterion": pat.criterion, "statistic": pat.statistic,
                        "label": pat.label, "band_low": pat.band[0], "band_high": pat.band[1],
                        "observed": pat.observed, "years": pat.years, "source": pat.source})
        if not quiet:
            print(f"{'PASS' if ok else 'FAIL'}  {n}: median {np.nanmedian(x):.3g} "
                  f"(5-95 %: {np.nanquantile(x, 0.05):.3g} to {np.nanquantile(x, 0.95):.3g}, "
                  f"n = {int(np.isfinite(x).sum())}); criterion: {pat.criterion}")
    table = pd.DataFrame(summary)
    atomic_write(out / "replicates.csv", lambda p: reps.to_csv(p, index=False))
    atomic_write(out / "validation.csv", lambda p: table.to_csv(p, index=False))
    manifest = {
        "command": "migdev validate-model",
        "calibration": calibration,
        "params": {k: (v if isinstance(v, (int, float, str, bool)) else repr(v))
                   for k, v in params.items()},
        "replicates": replicates,
        "patterns": summary,
        "elapsed_seconds": round(elapsed, 2),
        **provenance(),
        "rerun": (f"migdev validate-model --replicates {replicates}"
                  + (f" --calibration {calibration}" if calibration else " --uncalibrated")
                  + f" --n-persons {params.get('n_persons')}"),
    }
    atomic_write(out / "manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=2)))
    return manifest
