"""Every shipped config runs end to end through ``migdev run``: runs stored, analysis
tables written, figures drawn, exit 0, closing summary printed.

The configs are run at a reduced size (fewer persons, replicates, steps and samples; the
agreement still starts inside the run), written to a temp folder; everything else — the
scenario, the design kind and factors, the controls — is the shipped config's own.
"""

import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from migdev.experiments.engine.config import shipped_configs

SHIPPED = shipped_configs()


def reduced(cfg: dict) -> dict:
    ex = cfg["experiment"]
    # two replicates, or one for the many-point sensitivity designs (their indices are
    # computed over the points; a second replicate only doubles the runs)
    many = cfg.get("design", {}).get("kind") in ("sobol", "morris")
    ex["replicates"] = min(ex.get("replicates", 1), 1 if many else 2)
    ex["steps"] = 24
    params = cfg.setdefault("params", {})
    params["n_persons"] = 600
    params["agreement_start"] = 8
    design = cfg.get("design", {})
    if design.get("kind") in ("lhs", "sobol"):
        design["samples"] = 4 if design["kind"] == "sobol" else 6
    if design.get("kind") == "morris":
        design["samples"] = 2
    for name, f in design.get("factors", {}).items():
        if name in params:
            params.pop(name)
        if "values" in f:
            f["values"] = f["values"][:2]
    for e in cfg.get("events", []):
        e["step"] = min(e["step"], 12)
    return cfg


def dump(cfg: dict) -> str:
    """A minimal TOML writer for the tables these configs use."""
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        return repr(v)

    lines = []

    def table(name, d):
        lines.append(f"[{name}]")
        subs = []
        for k, v in d.items():
            if isinstance(v, dict):
                subs.append((f"{name}.{k}", v))
            else:
                lines.append(f"{k} = {val(v)}")
        for n, s in subs:
            table(n, s)

    for name, d in cfg.items():
        if isinstance(d, dict):
            table(name, d)
        else:
            for item in d:
                lines.append(f"[[{name}]]")
                lines += [f"{k} = {val(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_config_runs_to_its_figures(name, tmp_path):
    cfg = reduced(tomllib.loads(SHIPPED[name].read_text()))
    design = cfg.get("design", {})
    if "file" in design:  # a design table beside the shipped config
        from migdev.experiments.engine.config import load

        load(SHIPPED[name])  # the whole table is valid
        # its first two rows and its last (a table lists settings, often of several
        # instruments, each with variants): the run and its figures, at a third of the cost
        rows = (SHIPPED[name].parent / design["file"]).read_text().splitlines()
        table = tmp_path / design["file"]
        table.write_text("\n".join(rows[:3] + rows[3:][-1:]) + "\n")
        design["file"] = str(table)
    path = tmp_path / f"{name}.toml"
    path.write_text(dump(cfg))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "migdev", "run", str(path), "--out", str(out),
                        "--quiet"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "0 failed" in r.stdout, r.stdout
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs.status == "ok").all()
    figures = {p.name for p in (out / "figures").iterdir()}
    assert {"headline.png", "headline.pdf"} <= figures, figures
    if {"no_agreement", "no_policy"} & set(runs.role):
        assert "timeseries.png" in figures
    if cfg.get("design", {}).get("kind") in ("sobol", "morris"):
        assert "sensitivity.png" in figures
        assert (out / "analysis" / "sensitivity.csv").is_file()
    for f in (out / "figures").glob("*.png"):
        assert f.stat().st_size > 10_000, f


def test_every_shipped_design_table_has_its_sources():
    """A shipped design table's values are figures about the world or assumptions: a
    ``<table>.sources.csv`` beside it gives each column's value its source (or says
    "assumption" or "design") and year."""
    import csv

    for name, path in SHIPPED.items():
        design = tomllib.loads(path.read_text()).get("design", {})
        if "file" not in design:
            continue
        table = path.parent / design["file"]
        sources = table.with_suffix(".sources.csv")
        assert sources.is_file(), f"{name}: no {sources.name} beside {table.name}"
        with table.open() as fh:
            columns = next(csv.reader(fh))
        with sources.open() as fh:
            rows = list(csv.DictReader(fh))
        listed = {r["column"] for r in rows}
        assert set(columns) <= listed, (name, set(columns) - listed)
        for r in rows:
            assert r["source"].strip() and {"year", "checked"} <= set(r), (name, r)
