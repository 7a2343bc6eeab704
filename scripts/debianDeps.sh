#!/usr/bin/env bash
# Installs the Debian packages the tests and the native addon need, when missing:
#   plink2 (independent reference for association and scoring), procps (pgrep, orphan checks),
#   gcc + liblapacke-dev + libopenblas-dev (native LD eigen addon),
#   chromium (headless browser for the HTML report test, driven by playwright-core).
# Idempotent and quick when everything is present. Used by `npm test` (pretest) and .ci/run;
# `npm ci` (postinstall) runs it with the argument `native`: only what the native addons need.
set -euo pipefail

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/lapacke.h ] || need+=(liblapacke-dev)
dpkg -s libopenblas-dev >/dev/null 2>&1 || need+=(libopenblas-dev)
if [ "${1:-all}" != native ]; then
  command -v pgrep >/dev/null 2>&1 || need+=(procps)
  command -v plink2 >/dev/null 2>&1 || need+=(plink2)
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "pgsflow: missing ${need[*]} and no apt-get here; install them by hand (tests that need them will fail)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "pgsflow: missing ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
    exit 0
  fi
fi
echo "pgsflow: installing ${need[*]} (apt-get)…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
