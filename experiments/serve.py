"""``migdev serve``: the SolaraViz demo (``migdev.demo``) in a local web server."""

from __future__ import annotations

import subprocess
import sys

APP = "migdev.demo"  # solara runs a module by name: works from any install


def serve_command(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """The command that serves the demo (production mode: no reloader, no dev tools)."""
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port),
            "--production", "--no-open", "--log-level", "warning"]


def serve(host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the demo until interrupted; returns the server's exit status.

    Raises:
        ValueError: the port is out of range.
    """
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port} is invalid: allowed 0 to 65535 (0 picks a free port)")
    print(f"migdev demo on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(serve_command(host, port))
    except KeyboardInterrupt:
        return 0
