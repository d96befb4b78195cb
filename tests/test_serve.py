"""`migdev serve` as a user runs it: the real URL for --port 0, and the server (a child
process) stops with the parent whatever signal the parent gets."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest


def _as_in_a_terminal() -> None:
    """Ctrl-C's default action, as a command typed in a terminal has it (a test runner
    started in the background by a script inherits SIGINT ignored, and Python keeps it so)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start():
    proc = subprocess.Popen([sys.executable, "-m", "migdev", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_as_in_a_terminal)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert m and int(m.group(1)) > 0, line  # the real port, not 0
    url = m.group(0)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"the demo did not answer on {url}")


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(x) for x in out.split()]


def gone(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a zombie child of nobody we wait for is gone too
        stat = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                              text=True).stdout.strip()
        if not stat or stat.startswith("Z"):
            return True
        time.sleep(0.2)
    return False


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_server_stops_with_its_parent(sig):
    proc, url = start()
    kids = children(proc.pid)
    assert kids, "the server runs as a child of migdev serve"
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    assert all(gone(k) for k in kids), f"server process left running after {sig.name}"
    assert not answers(url)


def test_the_demo_server_makes_no_request_outside_the_machine():
    """Solara looks up its latest version on the package index and sends usage telemetry
    unless told not to: the server is started with the version check off (an option the
    server tests above would fail on if Solara refused it) and telemetry off, as Solara's
    own settings read the environment it gets."""
    from migdev.experiments.serve import serve_command, serve_env

    assert "--no-check-version" in serve_command()
    code = "from solara.server import settings; print(settings.telemetry.mixpanel_enable)"
    out = subprocess.run([sys.executable, "-c", code], env=serve_env(), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    default = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, env={k: v for k, v in os.environ.items()
                                               if not k.startswith("SOLARA_")})
    assert default.stdout.strip() == "True"  # so the check above can fail
