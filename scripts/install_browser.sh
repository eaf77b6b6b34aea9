#!/usr/bin/env bash
# Puts headless Chromium and its WebDriver at /usr/bin/chromium and /usr/bin/chromedriver for the web chat's
# browser test (tests/integration/test_web_chat.py). CI machines reach only package registries, so the
# browser comes from the distribution's packages (Debian: `chromium`, `chromium-driver`), never from a
# browser download of selenium's own. Quiet and idempotent: nothing happens when both are there.
#
# Usage: bash scripts/install_browser.sh   (as root, or with both already installed)
set -euo pipefail

BROWSER=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver
PACKAGES=(chromium chromium-driver)

if [ -x "$BROWSER" ] && [ -x "$DRIVER" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "The web chat's browser test needs $BROWSER and $DRIVER." >&2
    echo "Install them as root: apt-get update && apt-get install -y ${PACKAGES[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt-get here: install Chromium and its driver so that $BROWSER and $DRIVER exist." >&2
    exit 1
fi

echo "== installing ${PACKAGES[*]} (for the web chat's browser test)"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "Could not install ${PACKAGES[*]} with apt-get (output above)." >&2
    exit 1
fi

if [ ! -x "$BROWSER" ] || [ ! -x "$DRIVER" ]; then
    echo "Installed ${PACKAGES[*]}, yet $BROWSER or $DRIVER is missing: check the packages' file lists." >&2
    exit 1
fi
