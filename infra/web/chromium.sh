#!/usr/bin/env bash
# Headless Chromium for the dashboard's browser test (tests/integration/usage_collector/
# test_dashboard_browser.py): Debian's `chromium` package, installed only when missing.
#
#   infra/web/chromium.sh        # idempotent; needs root (or sudo) to install
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "chromium: $(command -v "$name") present"
    exit 0
  fi
done

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "chromium: run as root or install it: apt-get install -y chromium" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)
$SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || {
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null
}
echo "chromium: installed $(chromium --version 2>/dev/null) in $(( $(date +%s) - started ))s"
