#!/usr/bin/env bash
# System packages the test suite needs beyond PyPI. Idempotent: does nothing when done.
#
# - chromium (Debian): the browser Playwright tests launch, at /usr/bin/chromium.
#   We do NOT run `playwright install` (it downloads its own browser build).
# - fonts-noto-cjk (Debian): a CJK font Chromium can see, so the session report's
#   PDF and screenshots show Chinese (matplotlib charts use the pip package
#   noto-cjk-sans-otc and do not need it).
# - postgresql (Debian): the case-book tests run the same suite on PostgreSQL; the
#   test fixture starts its own server from /usr/lib/postgresql/*/bin in a temporary
#   directory (the package's own cluster is not used).
#
# Without root/apt the script warns and exits 0; browser and PostgreSQL tests then skip.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

log()  { echo "[install-system-deps] $*"; }
warn() { echo "[install-system-deps] WARNING: $*" >&2; }

MISSING=()
if [ -x "$CHROMIUM" ]; then
    log "chromium present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
else
    MISSING+=(chromium)
fi
if dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
    log "fonts-noto-cjk present"
else
    MISSING+=(fonts-noto-cjk)
fi
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    log "postgresql present: $(ls -d /usr/lib/postgresql/*/bin | head -1)"
else
    MISSING+=(postgresql)
fi
[ "${#MISSING[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    warn "${MISSING[*]} missing and apt-get not available; browser (and PostgreSQL) tests will be skipped."
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    warn "${MISSING[*]} missing and not root (no passwordless sudo); browser tests will be skipped."
    warn "To enable them: sudo apt-get install --no-install-recommends ${MISSING[*]}"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)

log "installing from Debian: ${MISSING[*]} (apt-get update && apt-get install -y --no-install-recommends ...)"
start=$(date +%s)
if "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update -q \
   && "${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${MISSING[@]}"; then
    log "installed ${MISSING[*]} in $(( $(date +%s) - start ))s; chromium: $("$CHROMIUM" --version 2>/dev/null || echo '?')"
else
    warn "apt-get failed to install ${MISSING[*]}; browser tests may be skipped."
fi
exit 0
