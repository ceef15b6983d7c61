#!/usr/bin/env bash
# Create .venv and install what a target needs; skipped when nothing changed since the last run.
#   scripts/setup.sh app    runtime packages (requirements.txt)
#   scripts/setup.sh test   + test tools (requirements-dev.txt), Debian's Chromium for browser tests
#                           and Debian's nginx (tests/test_serving.py)
#   scripts/setup.sh serve  runtime packages and Debian's nginx (make serve)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-app}
req=requirements.txt
[ "$kind" = test ] && req=requirements-dev.txt

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv
fi
stamp=".setup-stamp-$kind"
sum=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "== installing $req into .venv (about a minute the first time)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req" 2>&1 \
    | grep -v "^WARNING: Location 'file:" || true
  .venv/bin/python -c "import numpy, streamlit, plotly, torch" # fail here, not later
  echo "$sum" > "$stamp"
fi

# Debian packages, with apt-get as root or through sudo.
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

pkgs=()
# Chromium for the browser tests; Playwright drives it (no browser download).
[ "$kind" = test ] && [ ! -x /usr/bin/chromium ] && pkgs+=(chromium)
# nginx in front of the replicas (`make serve`, tests/test_serving.py). scripts/serve.py runs it
# from a temp dir of its own; the package's own service (if systemd starts one) is not used.
{ [ "$kind" = test ] || [ "$kind" = serve ]; } && [ ! -x /usr/sbin/nginx ] && pkgs+=(nginx)
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "== installing Debian's ${pkgs[*]}"
  apt_install "${pkgs[@]}"
fi
