"""The import graph: layers import only downward, and no module cycles.

Layers, bottom to top (README, *Layout*):
    0 migdev.core                      codes, parameter declaration, records, errors, measures
    1 migdev.agents                    behaviour
    2 migdev.model                     world, schedule, outputs
    3 migdev.experiments.engine        configs, designs, runs, store (no analysis, no plots)
    4 migdev.experiments.analysis      statistics and figures
    5 the command line, the demo, the benchmarks and the namespace root
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: source folder -> package it is installed as (pyproject.toml [tool.setuptools.package-dir])
FOLDERS = {"migdev": "migdev", "model": "migdev.model", "agents": "migdev.agents",
           "experiments": "migdev.experiments", "benchmarks": "migdev.benchmarks"}
LAYERS = [
    ("migdev.core", 0), ("migdev.agents", 1), ("migdev.model", 2),
    ("migdev.experiments.engine", 3), ("migdev.experiments.analysis", 4),
    ("migdev.experiments", 5), ("migdev.demo", 5), ("migdev.benchmarks", 5),
    ("migdev.__main__", 5), ("migdev", 5),
]


def layer(module: str) -> int:
    for prefix, n in LAYERS:  # most specific first
        if module == prefix or module.startswith(prefix + "."):
            return n
    raise AssertionError(f"{module} is in no layer")


def modules() -> dict[str, Path]:
    out = {}
    for folder, pkg in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([pkg, *parts])] = path
    return out


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """migdev modules imported by a file (at any depth in the file, lazy imports too)."""
    is_pkg = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = name.split(".")[: len(name.split(".")) - node.level + is_pkg]
                base = ".".join(parent + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names]
            # `from pkg import submodule` imports the submodule; `from mod import name`, mod
            targets = [t if t in known else base for t in subs]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t.startswith("migdev"):
                found.add(t)
    found.discard(name)
    return found


@pytest.fixture(scope="module")
def graph():
    mods = modules()
    known = set(mods)
    return {name: imports(path, name, known) for name, path in mods.items()}


def test_every_module_is_in_a_layer(graph):
    for name in graph:
        layer(name)


def test_no_module_imports_a_higher_layer(graph):
    upward = sorted(f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
                    for a, deps in graph.items() for b in deps
                    if layer(b) > layer(a) and not b.startswith(a + "."))
    assert upward == []


def test_engine_imports_no_analysis_or_plotting(graph):
    engine = [m for m in graph if m.startswith("migdev.experiments.engine")]
    assert engine
    for m in engine:
        tree = ast.parse(modules()[m].read_text())
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom)}
        assert not names & {"matplotlib", "seaborn"}, m
        assert not any(d.startswith("migdev.experiments.analysis") for d in graph[m]), m


def test_no_import_cycles(graph):
    """Depth-first search over module -> imported modules (packages' __init__ included)."""
    # a package's __init__ importing its own submodules is how it exports them, not a cycle
    edges = {a: {b for b in deps if not b.startswith(a + ".")} for a, deps in graph.items()}
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for n in sorted(edges):
        if n not in state:
            visit(n, [n])
    assert cycles == []


def test_the_graph_is_read_correctly(graph):
    """Guards the test itself: known edges are seen."""
    assert "migdev.core.codes" in graph["migdev.agents.migrant"]
    assert "migdev.agents.migrant" in graph["migdev.model.model"]
    assert "migdev.experiments.analysis.stats" in graph["migdev.experiments.cli"]
