"""The model's outputs: the tidy country and corridor tables, the emigrants' paths, the
network of countries and communities, and a run's headline numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from migdev.agents.migrant.kernels import abroad_by_community
from migdev.core.ledger import CORRIDOR_FLOWS
from migdev.model import metrics
from migdev.model.metrics import COLS


class Outputs:
    """Mixin of :class:`~migdev.model.model.MigrationModel`: the tables and summaries read
    from the rows the model stores each step (``_rows``, ``_protected_rows``,
    ``_corridor_rows``)."""

    def country_frame(self) -> pd.DataFrame:
        """Tidy table, one row per step x origin country (columns: metrics.COUNTRY_COLUMNS)."""
        data = np.stack(self._rows)  # (steps, n_orig, n_cols)
        n_steps = data.shape[0]
        names = self.world.origin_names
        lead = pd.DataFrame({
            "step": np.repeat(np.arange(n_steps), self.n_orig),
            "country": pd.Categorical.from_codes(np.tile(np.arange(self.n_orig), n_steps),
                                                 categories=names),
            "party_to_agreement": np.tile(self.party, n_steps),
            "protected": np.concatenate(self._protected_rows)})
        values = pd.DataFrame(data.reshape(n_steps * self.n_orig, len(COLS)), columns=COLS)
        return pd.concat([lead, values], axis=1)

    def paths(self) -> dict:
        """Shares of emigrants who settled, returned once, circulated or are transnational."""
        return metrics.path_shares(metrics.tallies(self).paths)

    def corridor_frame(self) -> pd.DataFrame:
        """Tidy table, one row per step x corridor of the world (columns:
        metrics.CORRIDOR_COLUMNS): recruits, returns, remittances and missions on each
        origin-destination pair, the stock abroad there, and the paths of the persons whose
        last stay was there."""
        data = np.stack(self._corridor_rows)  # (steps, n_orig, n_dest, k)
        o, d = np.nonzero(self.world.corridor_weight > 0)
        data = data[:, o, d, :]  # (steps, n_corr, k)
        fees = np.stack(self._fee_rows)[:, o, d, :]  # (steps, n_corr, 2)
        data = np.concatenate([data, fees], axis=2)
        n_steps, n_corr, k = data.shape
        cols = [*CORRIDOR_FLOWS, "abroad", *metrics.PATHS, "formal_fee", "bank_share"]
        # counts in real persons (simulated ones times the origin's person weight)
        df = pd.DataFrame(data.reshape(n_steps * n_corr, k), columns=cols)
        names_o = np.array(self.world.origin_names, dtype=object)[o]
        names_d = np.array(self.world.destination_names, dtype=object)[d]
        df.insert(0, "step", np.repeat(np.arange(n_steps), n_corr))
        df.insert(1, "origin", pd.Categorical(np.tile(names_o, n_steps),
                                              categories=self.world.origin_names))
        df.insert(2, "destination", pd.Categorical(np.tile(names_d, n_steps),
                                                   categories=self.world.destination_names))
        return df

    def flows_frame(self) -> pd.DataFrame:
        """This quarter's flows on each corridor (the last step of :meth:`corridor_frame`)."""
        df = self.corridor_frame()
        return df[df.step == df.step.max()].drop(columns="step").reset_index(drop=True)

    def network(self):
        """A networkx graph of countries and communities with integer node ids.

        Nodes 0..n_dest-1 are destinations, then origins, then communities; node
        attributes: kind, name, and stocks; edges origin-destination carry this
        quarter's flows, community-origin edges membership.
        """
        import networkx as nx

        gph = nx.Graph()
        dens = self.health_density_by_origin()
        for d, name in enumerate(self.world.destination_names):
            gph.add_node(d, kind="destination", name=name, abroad=int(
                (self.pop.dest[self.pop.abroad()] == d).sum()))
        for o, name in enumerate(self.world.origin_names):
            gph.add_node(self.n_dest + o, kind="origin", name=name, health_density=float(dens[o]),
                         party=bool(self.party[o]))
        base = self.n_dest + self.n_orig
        for c, comm in enumerate(self.communities):
            gph.add_node(base + c, kind="community", name=comm.name,
                         health_density=float(self.community_state.health_density[c]),
                         development=float(self.community_state.development[c]), size=int(comm.size))
            gph.add_edge(base + c, self.n_dest + comm.origin, kind="member")
        for o in range(self.n_orig):
            for d in range(self.n_dest):
                if self.world.corridor_weight[o, d] <= 0:
                    continue
                r, _h, ret, rem, _m = self.flows.corridor[o, d]
                gph.add_edge(self.n_dest + o, d, kind="flow", recruits=float(r),
                             returns=float(ret), remittances=float(rem))
        return gph

    def community_frame(self) -> pd.DataFrame:
        """Who gets the funds (ODD §7.7): one row per home community, now. Its origin and
        name, represented population, the share of its simulated persons abroad, its
        development index, and in real kUSD (simulated amounts times the person weight)
        the collective remittances its associations raised and the public match they
        received since the start, and its stock of collective projects (depreciated), also
        per 10,000 of its population."""
        w, st, cs = self.world, self.association_state, self.community_state
        nd = self.n_dest
        comm = np.arange(self.n_comm)
        away = abroad_by_community(self.pop, self.n_comm, nd).sum(axis=1)
        fund = st.total_fund.reshape(self.n_comm, nd).sum(axis=1) * w.comm_weight
        matched = st.total_matched.reshape(self.n_comm, nd).sum(axis=1) * w.comm_weight
        projects = cs.projects * w.comm_weight
        return pd.DataFrame({
            "origin": pd.Categorical(np.array(w.origin_names, dtype=object)[w.comm_origin],
                                     categories=w.origin_names),
            "community": [name.split(" / ", 1)[1] for name in w.comm_names],
            "population": w.represented_pop,
            "abroad_share": away / np.maximum(w.comm_size, 1),
            "development_index": cs.development[comm],
            "collective_total": fund,
            "matched_total": matched,
            "projects_stock": projects,
            "projects_per_10000": np.divide(projects * 10_000.0, w.represented_pop,
                                            out=np.zeros(self.n_comm),
                                            where=w.represented_pop > 0),
        })

    def summary(self) -> dict:
        """A few headline numbers of the run so far (for the CLI and the demo)."""
        df = self.country_frame()
        last = df[df.step == df.step.max()]
        return {
            "steps": int(self.steps),
            "seed": self.seed,
            "mean_health_density_end": float(last.health_density.mean()),
            "skilled_emigration_rate_end": float(last.skilled_emigration_rate.mean()),
            "recruits_total": float(df.recruits.sum()),
            "returns_total": float(df.returns.sum()),
            "missions_total": float(df.missions.sum()),
            "remittances_formal_total": float(df.remittances_formal.sum()),
            "remittances_informal_total": float(df.remittances_informal.sum()),
            "development_index_end": float(last.development_index.mean()),
            **{f"path_{k}": v for k, v in self.paths().items()},
        }
