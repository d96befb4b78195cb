"""``migdev serve``: the SolaraViz demo (``migdev.demo``) in a local web server.

The server is a child process (``solara run``). It stops with its parent whatever the
parent gets: Ctrl-C, ``kill`` (SIGTERM), a closed terminal (SIGHUP), and on Linux even
SIGKILL (the child asks the kernel for SIGTERM when its parent dies).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading

APP = "migdev.demo"  # solara runs a module by name: works from any install


def serve_command(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """The command that serves the demo (production mode: no reloader, no dev tools, and no
    look-up of Solara's latest version on the package index)."""
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port),
            "--production", "--no-open", "--log-level", "warning", "--no-check-version"]


def serve_env() -> dict[str, str]:
    """The server's environment: this one with Solara's usage telemetry off, so the demo
    makes no request outside the machine (its assets are installed with solara[assets])."""
    return {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def free_port(host: str) -> int:
    """A port free on ``host`` now (for ``--port 0``)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: deliver SIGTERM to this process when its parent dies (even by SIGKILL)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the signal handlers of the parent still stop the child


def serve(host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the demo until interrupted; returns the server's exit status.

    Raises:
        ValueError: the port is out of range.
    """
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port} is invalid: allowed 0 to 65535 (0 picks a free port)")
    if port == 0:
        port = free_port(host)
    print(f"migdev demo on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    child = subprocess.Popen(serve_command(host, port), env=serve_env(),
                             preexec_fn=_die_with_parent if sys.platform == "linux" else None)

    stopped: list[int] = []

    def stop(signum, _frame):
        # no waiting here: the main thread is inside child.wait(), which resumes after
        # this handler and returns once the child has gone
        stopped.append(signum)
        child.terminate()
        threading.Timer(GRACE_S, _kill_if_alive, args=(child,)).start()

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        rc = child.wait()
    except KeyboardInterrupt:  # Ctrl-C reaches the child too (same process group)
        _terminate(child)
        return 0
    finally:
        if child.poll() is None:
            _terminate(child)
    return 128 + stopped[0] if stopped else rc


def _kill_if_alive(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()


GRACE_S = 5.0


def _terminate(child: subprocess.Popen, grace: float = GRACE_S) -> None:
    """Stop the server: SIGTERM, then SIGKILL if it has not gone after ``grace`` seconds."""
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
