"""The README's commands run: the main job end to end (in a temp dir), and the test command
is the one .ci/run calls."""

import re
import shlex
import subprocess
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```bash\n(.*?)```", README, re.S)


def test_readme_main_command_runs_end_to_end_with_figures(tmp_path):
    main = BLOCKS[0].strip()
    setup, command = (part.strip() for part in main.split("&&", 1))
    assert setup == "bash scripts/setup.sh", main
    args = shlex.split(command)
    assert args[0] == ".venv/bin/migdev" and args[1] == "sweep", main
    i = args.index("--out")
    assert args[i + 1].startswith("results/"), "the README's outputs belong under results/"
    out = tmp_path / "headline"
    args[i + 1] = str(out)
    r = subprocess.run(args + ["--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "0 failed" in r.stdout, r.stdout
    for f in ("headline.png", "headline.pdf", "timeseries.png"):
        assert (out / "figures" / f).stat().st_size > 20_000, f
    kinds = pd.read_csv(out / "analysis" / "by_agreement_kind.csv")
    assert kinds["agreement_kind"].nunique() >= 2  # the figure compares agreement kinds
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["status"] == "ok").all()
    assert {"policy", "no_agreement", "no_migration"} <= set(runs["role"])
    assert (out / "country.parquet").exists() and (out / "manifest.json").exists()


def test_readme_test_command_is_what_ci_runs():
    test_cmd = BLOCKS[1].strip()
    assert test_cmd.startswith("bash scripts/setup.sh && ")
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd.split("&&", 1)[1].strip() in ci
