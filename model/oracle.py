"""The oracle test: the fast model and the per-agent reference give the same distribution
of every per-step output.

Design. For seeds 0 … R − 1, run :class:`~migdev.model.MigrationModel` and
:class:`~migdev.model.reference.ReferenceModel` with the same parameters; run *s* of both
starts from the same world and persons (the ``init`` stream), after which each draws its
own numbers. Each run is summarised by the mean, over each window of steps, of every
column of the country table (each origin) and of the corridor table (summed over origins,
each destination), and by the persons' state at the end of each window: for each
cohort (present at the start, or entered since), occupation and status, the number of persons and the mean of each attribute (age, skill,
ties, integration, debt, savings, quarters abroad, stays, contract left, membership, skill
match, guarantee). For every summary the paired differences d_s = fast_s − reference_s
have mean zero under the hypothesis that the two models are the same stochastic process
(given the world, the two runs are independent draws of it, so d_s is symmetric about 0).

Test. Paired t statistics, and Westfall & Young's single-step max-T permutation test
over random sign flips of the pairs (all 2^R of them): a summary's adjusted p-value is the
share of sign vectors whose largest |t| over all summaries reaches its own |t|. This
controls the family-wise error rate exactly under the hypothesis, whatever the
correlation between the outputs. The models agree when no adjusted p-value is below
``alpha`` (0.01 by default). Summaries equal in every pair (constants, e.g. population)
agree trivially and are counted, not tested; a difference within ``RTOL`` (10⁻⁵) of the
summary's size counts as equal: the fast model keeps person state in single precision
(float32), the reference in double, so a skill at its ceiling, for example, differs in
the seventh digit.

Westfall, P. H. & Young, S. S. (1993). *Resampling-Based Multiple Testing*. Wiley, ch. 2.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from migdev.core.codes import OCCUPATIONS, STATUSES
from migdev.model.model import MigrationModel
from migdev.model.reference import ReferenceModel


def summarise(model, windows: list[tuple[int, int]]) -> pd.Series:
    """One run's summaries: the mean over each window (first, last step inclusive) of each
    country-table column per origin and each corridor-table column per destination."""
    parts = []
    frames = {"origin": (model.country_frame().drop(columns=["party_to_agreement"]), "country"),
              "destination": (model.corridor_frame().drop(columns=["origin"]), "destination")}
    for kind, (df, key) in frames.items():
        df = df.groupby(["step", key], observed=True).sum(numeric_only=True).reset_index()
        for a, b in windows:
            w = df[(df.step >= a) & (df.step <= b)].drop(columns="step")
            means = w.groupby(key, observed=True).mean().stack()
            means.index = [f"{col} | {kind} {name} | steps {a}-{b}" for name, col in means.index]
            parts.append(means)
    return pd.concat(parts).astype(float)


#: relative difference of a summary below which the two runs count as equal (rounding)
RTOL = 1e-5

#: the person attributes whose mean per occupation and status is compared
STATE_MEANS = ("age", "h", "ties", "integration", "debt", "savings", "q_abroad", "n_stays",
               "contract_left", "member", "matched", "guarantee", "kept_total", "q_total")


def person_state(model) -> pd.Series:
    """The persons now: count and mean attributes per cohort (present at the start, or
    entered since) x occupation x status."""
    if isinstance(model, ReferenceModel):
        model.census()
    pop = model.pop
    entered = pop.person_id >= pop.n  # the first n persons are the initial population
    out = {}
    for cohort, in_cohort in (("initial", ~entered), ("entrant", entered)):
        for k, occ in enumerate(OCCUPATIONS):
            for s, status in enumerate(STATUSES):
                sel = in_cohort & (pop.occ == k) & (pop.status == s)
                n = int(sel.sum())
                where = f"{cohort} {occ} {status} | step {model.steps}"
                out[f"persons | {where}"] = n
                for name in STATE_MEANS:
                    x = getattr(pop, name)[sel]
                    out[f"mean {name} | {where}"] = float(x.mean(dtype=float)) if n else 0.0
    return pd.Series(out)


def run_pair(overrides: dict, seed: int, n_persons: int, steps: int, windows,
             reference=ReferenceModel) -> tuple[pd.Series, pd.Series]:
    """The fast and the reference run of one seed, summarised."""
    out = []
    for cls in (MigrationModel, reference):
        m = cls(rng=seed, n_persons=n_persons, **overrides)
        states = []
        for _, last in windows:
            m.run_for(last - m.steps)
            states.append(person_state(m))
        out.append(pd.concat([summarise(m, windows), *states]))
    return out[0], out[1]


@dataclass
class Agreement:
    """The result of :func:`compare`: ``table`` has one row per tested summary (fast and
    reference means, paired t, adjusted p-value), worst first."""

    table: pd.DataFrame
    alpha: float
    replicates: int
    identical: int

    @property
    def agrees(self) -> bool:
        return bool((self.table.p_adjusted >= self.alpha).all())

    def report(self, rows: int = 8) -> str:
        head = (f"{len(self.table)} summaries tested over {self.replicates} paired replicates "
                f"({self.identical} identical in every pair); family-wise alpha {self.alpha}: "
                + ("agree" if self.agrees else
                   f"{int((self.table.p_adjusted < self.alpha).sum())} disagree"))
        return head + "\n" + self.table.head(rows).to_string()


def max_t_test(diff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Paired t statistics of the columns of ``diff`` (replicates x summaries) and their
    Westfall-Young single-step max-T adjusted p-values over all 2^R sign flips."""
    r = diff.shape[0]
    if r > 16:
        raise ValueError(f"max_t_test enumerates 2^R sign flips: R = {r} is too many (≤ 16)")
    signs = np.array(list(itertools.product((1.0, -1.0), repeat=r)))  # (2^R, R)
    total_sq = (diff ** 2).sum(axis=0)

    def t_of(means: np.ndarray) -> np.ndarray:
        var = np.maximum(total_sq - r * means ** 2, 0.0) / (r - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(means) / np.sqrt(var / r)
        return np.where(means == 0, 0.0, t)  # a zero mean is no evidence, whatever var

    observed = t_of(diff.mean(axis=0))
    # the largest |t| of each sign vector, a block of vectors at a time (the whole (2^R,
    # summaries) table at once is half a gigabyte at R = 16 and ten times slower)
    largest = np.concatenate([t_of(signs[i:i + _SIGN_BLOCK] @ diff / r).max(axis=1)
                              for i in range(0, len(signs), _SIGN_BLOCK)])  # (2^R,)
    # the share of sign vectors whose largest |t| reaches each summary's |t|
    ranked = np.sort(largest)
    p_adj = (len(ranked) - np.searchsorted(ranked, observed, side="left")) / len(ranked)
    return observed, p_adj


#: sign vectors of max_t_test handled at a time
_SIGN_BLOCK = 256


def pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh processes for :func:`compare` (spawned: no state shared
    with this process)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def compare(overrides: dict | None = None, *, replicates: int = 16, n_persons: int = 5000,
            steps: int = 80, window: int = 40, alpha: float = 0.01,
            reference=ReferenceModel, workers: int = 1, executor=None) -> Agreement:
    """Run ``replicates`` paired runs of the fast model and ``reference`` with the parameter
    ``overrides`` and test that every summary agrees (see the module docstring).
    ``workers`` > 1 runs the pairs in that many processes (``reference`` must then be
    importable by name, as a module-level class); ``executor``: a process pool of
    :func:`pool` to run them in instead (one pool for several comparisons saves starting
    its processes each time)."""
    if 2.0 / 2 ** replicates >= alpha:
        raise ValueError(f"compare: with {replicates} replicates the smallest attainable "
                         f"adjusted p-value is 2/2^{replicates} = {2 / 2 ** replicates:.3g}, "
                         f"not below alpha = {alpha}: the test could never reject; use more "
                         "replicates (8 or more for alpha = 0.01)")
    overrides = dict(overrides or {})
    windows = [(a, min(a + window - 1, steps)) for a in range(1, steps + 1, window)]
    job = partial(run_pair, overrides, n_persons=n_persons, steps=steps, windows=windows,
                  reference=reference)
    if executor is not None:
        pairs = list(executor.map(job, range(replicates)))
    elif workers > 1:
        with pool(workers) as ex:
            pairs = list(ex.map(job, range(replicates)))
    else:
        pairs = [job(s) for s in range(replicates)]
    fast, ref = zip(*pairs)
    f = pd.DataFrame(list(fast)).fillna(0.0)
    g = pd.DataFrame(list(ref)).reindex(columns=f.columns).fillna(0.0)
    fa, ga = f.to_numpy(), g.to_numpy()
    d = fa - ga
    # rounding, not behaviour: person state is single precision in the fast model
    d[np.abs(d) <= RTOL * np.maximum(np.abs(fa), np.abs(ga))] = 0.0
    same = (d == 0).all(axis=0)
    t, p_adj = max_t_test(d[:, ~same])
    cols = f.columns[~same]
    table = pd.DataFrame({"fast": f[cols].mean().to_numpy(), "reference": g[cols].mean().to_numpy(),
                          "t": t, "p_adjusted": p_adj}, index=cols)
    table = table.sort_values(["p_adjusted", "t"], ascending=[True, False])
    return Agreement(table, alpha, replicates, int(same.sum()))


def main(argv=None) -> int:
    """``python -m migdev.model.oracle``: run the oracle test on shipped scenarios and print
    each report; exit status 1 when a scenario disagrees."""
    import argparse

    from migdev.model.scenarios import SCENARIOS

    ap = argparse.ArgumentParser(
        prog="python -m migdev.model.oracle",
        description="Test that the fast model and the per-agent reference give the same "
                    "distribution of every output (docs/ODD.md §7.13).")
    ap.add_argument("--scenario", action="append", metavar="NAME",
                    help=f"a shipped scenario (repeatable; default all: {', '.join(SCENARIOS)})")
    ap.add_argument("--replicates", type=int, default=16, help="paired seeds (8-16, default 16)")
    ap.add_argument("--persons", type=int, default=5000, help="persons per run (default 5000)")
    ap.add_argument("--steps", type=int, default=80, help="quarters per run (default 80)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--rows", type=int, default=8, help="summaries printed per scenario")
    args = ap.parse_args(argv)
    names = args.scenario or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error(f"unknown scenario {', '.join(map(repr, unknown))}: allowed "
                 f"{', '.join(SCENARIOS)}")
    if not 8 <= args.replicates <= 16:
        ap.error(f"--replicates {args.replicates}: allowed 8 to 16 (with fewer the test could "
                 "never reject at alpha = 0.01)")
    if args.persons < 200 or args.steps < 2 or args.workers < 1:
        ap.error("--persons must be at least 200, --steps at least 2, --workers at least 1")
    failed = []
    with (pool(args.workers) if args.workers > 1 else nullcontext()) as ex:
        for name in names:
            a = compare(SCENARIOS[name], replicates=args.replicates, n_persons=args.persons,
                        steps=args.steps, window=max(1, args.steps // 2), executor=ex)
            print(f"== {name}: {a.report(args.rows)}\n", flush=True)
            if not a.agrees:
                failed.append(name)
    if failed:
        print(f"DISAGREE: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"all {len(names)} scenario(s) agree")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
