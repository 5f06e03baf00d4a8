#!/usr/bin/env bash
# System packages the test suite needs beyond PyPI. Idempotent: does nothing when done.
#
# - chromium (Debian): the browser Playwright tests launch, at /usr/bin/chromium.
#   We do NOT run `playwright install` (it downloads its own browser build).
# - CJK fonts are not needed here: the pip package noto-cjk-sans-otc ships one.
#
# Without root/apt the script warns and exits 0; browser tests then skip.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

log()  { echo "[install-system-deps] $*"; }
warn() { echo "[install-system-deps] WARNING: $*" >&2; }

if [ -x "$CHROMIUM" ]; then
    log "chromium present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    warn "$CHROMIUM missing and apt-get not available; browser tests will be skipped."
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    warn "$CHROMIUM missing and not root (no passwordless sudo); browser tests will be skipped."
    warn "To enable them: sudo apt-get install --no-install-recommends chromium"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)

log "installing Debian chromium (apt-get update && apt-get install -y --no-install-recommends chromium)"
start=$(date +%s)
if "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update -q \
   && "${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends chromium; then
    log "chromium installed in $(( $(date +%s) - start ))s: $("$CHROMIUM" --version 2>/dev/null || echo '?')"
else
    warn "apt-get failed to install chromium; browser tests will be skipped."
fi
exit 0
