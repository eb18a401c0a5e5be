#!/usr/bin/env bash
# Installs what ServiceHall needs on Debian 12 with Node 20 (run as root, or with sudo for apt):
#   scripts/install.sh              the npm workspace and the tools the demo hall's simulated devices use
#   scripts/install.sh --for-tests  the same, plus Chromium and a CJK font for the browser tests, and PostgreSQL 15
#                                   for the city tests (they start throwaway clusters of their own; Debian's own may stay stopped)
# Electron's binary is never downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1): the apps also run in a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

debian=(socat)
if [ "${1:-}" = "--for-tests" ]; then debian+=(chromium fonts-wqy-microhei systemd postgresql); fi

missing=()
for p in "${debian[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("ServiceHall needs Node 20.19 or newer, this is "+process.version); process.exit(1) }'

# npm ci takes a minute or two (it compiles SQLite); skip it when node_modules matches the lock file.
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ "${CI:-}" != "true" ]; then
  echo "npm packages are up to date"
else
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
