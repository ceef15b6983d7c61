#!/usr/bin/env bash
# Create .venv and install what a target needs; skipped when nothing changed since the last run.
#   scripts/setup.sh app    runtime packages (requirements.txt)
#   scripts/setup.sh test   + test tools (requirements-dev.txt) and Debian's Chromium for browser tests
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

if [ "$kind" = test ] && [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
