#!/usr/bin/env bash
# Install Debian's Chromium for the demo's browser test (Playwright drives it; browsers
# cannot be downloaded by test tools here). Idempotent; needs root or sudo for apt-get.
set -euo pipefail
for b in chromium chromium-browser chromium-headless-shell; do
  if command -v "$b" >/dev/null 2>&1; then
    echo "browser: $(command -v "$b") present"
    exit 0
  fi
done
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: installing chromium needs root (apt-get install chromium); run as root or install it yourself" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: no apt-get here; install Chromium with your system's package manager" >&2
  exit 1
fi
echo "browser: installing Debian's chromium ..."
for attempt in 1 2 3; do  # a registry hiccup should not fail the run
  if $SUDO apt-get update -qq >/dev/null &&
     DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; then
    break
  fi
  echo "browser: apt-get failed (attempt $attempt); retrying in 10 s" >&2
  sleep 10
done
command -v chromium >/dev/null 2>&1 || { echo "error: chromium did not install" >&2; exit 1; }
echo "browser: $(chromium --version 2>/dev/null || echo chromium) installed"
