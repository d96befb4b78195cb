"""The README's main command (its first bash block) runs end to end and draws the headline
figure. The command is parsed out of README.md and its --out is moved to a temp dir."""

import re
import shlex
import subprocess
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def test_readme_main_command_runs_and_draws_the_headline_figure(tmp_path):
    readme = (ROOT / "README.md").read_text()
    main = re.findall(r"```bash\n(.*?)```", readme, re.S)[0].strip()
    setup, command = (part.strip() for part in main.split("&&", 1))
    assert setup == "bash scripts/setup.sh", main
    args = shlex.split(command)
    assert args[0] == ".venv/bin/migdev" and args[1] == "sweep", main
    i = args.index("--out")
    assert args[i + 1].startswith("results/"), "the README's outputs belong under results/"
    out = tmp_path / "headline"
    args[i + 1] = str(out)
    r = subprocess.run(args + ["--quiet"], cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "0 failed" in r.stdout, r.stdout
    for f in ("headline.png", "headline.pdf"):
        assert (out / "figures" / f).stat().st_size > 20_000, f
    kinds = pd.read_csv(out / "analysis" / "by_agreement_kind.csv")
    assert kinds["agreement_kind"].nunique() >= 2  # the figure compares agreement kinds
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["status"] == "ok").all()
    assert {"policy", "no_agreement", "no_migration"} <= set(runs["role"])
