"""Tables for docs/ODD.md generated from the code, so the document cannot drift.

``python -m model.doc_tables`` prints them; ``--write docs/ODD.md`` replaces the text
between the ``<!-- params:begin -->``/``<!-- params:end -->`` and
``<!-- columns:begin -->``/``<!-- columns:end -->`` markers (``--write docs/WORLDS.md``:
the local levers by scope, ``<!-- levers:begin/end -->``). A test checks that the
documents hold exactly what this prints.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from migdev.model.params import FAMILIES, LOCAL_LEVERS, describe
from migdev.model.calibration import SHIPPED
from migdev.model.metrics import CORRIDOR_COLUMNS, COUNTRY_COLUMNS


def _fmt(v) -> str:
    if v is None:
        return "the world's"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return "()"
    if isinstance(v, str):
        return f'"{v}"'
    return f"{v:g}" if isinstance(v, float) else str(v)


#: the shipped calibrations' posterior summaries (data files, found where the model finds
#: its calibrations)
CALIBRATIONS = SHIPPED


def calibrated() -> dict:
    """parameter -> "calibration: mean (5-95 %)" over the shipped calibrations."""
    import csv

    out = {}
    for summary in sorted(CALIBRATIONS.glob("*/posterior_summary.csv")):
        with summary.open() as fh:
            for r in csv.DictReader(fh):
                out[r["parameter"]] = (f"calibrated ({summary.parent.name}): "
                                       f"{float(r['mean']):.3g} ({float(r['q05']):.3g}–"
                                       f"{float(r['q95']):.3g})")
    return out


def status(name: str, source: str, cal: dict) -> str:
    """sourced / calibrated / assumed / design, as the ODD reports every parameter."""
    if name in cal:
        return cal[name]
    s = source.lower()
    if s.startswith("design"):
        return "design"
    if s.startswith("assumption"):
        return "assumed"
    return "sourced"


def params_table() -> str:
    """The parameters, one table per family, as each family declares them."""
    cal = calibrated()
    rows = describe()
    parts = []
    for family, (_, where) in FAMILIES.items():
        out = [f"**{family[0].upper()}{family[1:]}** (declared in `{where}`)", "",
               "| parameter | default | range | unit | meaning | source | status |",
               "|---|---|---|---|---|---|---|"]
        for r in rows:
            if r["family"] != family:
                continue
            if r["choices"]:
                rng = " / ".join(str(c) for c in r["choices"])
            elif r["lo"] is not None:
                rng = f"{_fmt(r['lo'])} – {_fmt(r['hi'])}"
            else:
                rng = "—"
            doc = r["doc"] + (f" (per {r['scope']}: `{r['name']}[...]`)" if r["scope"] else "")
            out.append(f"| `{r['name']}` | {_fmt(r['default'])} | {rng} | {r['unit']} | "
                       f"{doc} | {r['source']} | {status(r['name'], r['source'], cal)} |")
        parts.append("\n".join(out))
    return "\n\n".join(parts)


def columns_table(columns=COUNTRY_COLUMNS) -> str:
    rows = ["| column | unit | meaning |", "|---|---|---|"]
    rows += [f"| `{k}` | {u} | {m} |" for k, (u, m) in columns.items()]
    return "\n".join(rows)


def levers_table() -> str:
    """The local levers by scope, in the order they are declared (docs/WORLDS.md)."""
    rows = ["| scope | levers |", "|---|---|"]
    for scope in dict.fromkeys(LOCAL_LEVERS.values()):
        names = ", ".join(f"`{n}`" for n, s in LOCAL_LEVERS.items() if s == scope)
        rows.append(f"| {scope} | {names} |")
    return "\n".join(rows)


#: the generated tables by marker, and the documents that hold them
TABLES = {"params": params_table, "columns": columns_table,
          "corridor-columns": lambda: columns_table(CORRIDOR_COLUMNS),
          "levers": levers_table}
ODD_TABLES = ("params", "columns", "corridor-columns")
WORLDS_TABLES = ("levers",)


def fill(text: str, keys=ODD_TABLES) -> str:
    """``text`` with the tables ``keys`` between their markers (each must be there)."""
    for key in keys:
        table = TABLES[key]()
        pat = re.compile(rf"(<!-- {key}:begin -->\n).*?(<!-- {key}:end -->)", re.S)
        if not pat.search(text):
            raise ValueError(f"markers <!-- {key}:begin/end --> not found")
        text = pat.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), text)
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", metavar="ODD_MD", help="fill the tables into this file")
    args = ap.parse_args(argv)
    if args.write:
        path = Path(args.write)
        text = path.read_text()
        # the tables whose markers the file holds (docs/ODD.md, docs/WORLDS.md)
        keys = [k for k in TABLES if f"<!-- {k}:begin -->" in text]
        path.write_text(fill(text, keys))
    else:
        print(params_table())
        print()
        print(columns_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
