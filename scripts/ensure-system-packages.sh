#!/usr/bin/env bash
# Debian packages the portal needs: a CJK font and Pango for weasyprint PDFs, HarfBuzz's
# subsetter (without it weasyprint subsets the large CJK fonts in Python, and a report PDF takes
# tens of seconds instead of a few), libmagic for upload checks, gettext for the translations,
# Chromium for the browser tests, poppler for PDF checks.
set -euo pipefail
packages=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 gettext poppler-utils)
[ "${1:-}" = "--with-browser" ] && packages+=(chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install: ${missing[*]}" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
