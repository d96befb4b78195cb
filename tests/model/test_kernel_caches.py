"""numba checks a cached function against its own file only: a pass calling a rule written in
another file kept the rule as first compiled. ``kernels.fresh_caches`` drops a module's
caches when a source it depends on changed; here a caller and a rule in two files, each run
in a new process as a user's runs are."""

import subprocess
import sys
import textwrap

CALLER = """
import numba
from migdev.probe_rule import rule

@numba.njit(cache=True)
def run(x):
    return rule(x)
{guard}
"""

RUN = """
import importlib.util, sys
for name in ("probe_rule", "probe_caller"):
    spec = importlib.util.spec_from_file_location(f"migdev.{name}", sys.argv[1] + f"/{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
print(sys.modules["migdev.probe_caller"].run(1))
"""


def _results(tmp_path, guard: str) -> list[int]:
    tmp_path.mkdir()
    (tmp_path / "probe_caller.py").write_text(CALLER.format(guard=guard))
    out = []
    for step in (1, 2):
        (tmp_path / "probe_rule.py").write_text(textwrap.dedent(f"""
            import numba

            @numba.njit(cache=True)
            def rule(x):
                return x + {step}
            """))
        r = subprocess.run([sys.executable, "-c", RUN, str(tmp_path)], capture_output=True,
                           text=True, timeout=120, check=True)
        out.append(int(r.stdout.split()[-1]))
    return out


def test_a_changed_rule_in_another_file_is_compiled_again(tmp_path):
    guard = "from migdev.core.kernels import fresh_caches\nfresh_caches(__name__)"
    assert _results(tmp_path / "guarded", guard) == [2, 3]


def test_without_the_guard_numba_keeps_the_old_rule(tmp_path):
    """The limit the guard is for (if numba lifts it, the guard can go)."""
    assert _results(tmp_path / "bare", "") == [2, 2]
