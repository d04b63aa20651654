#!/usr/bin/env bash
# Debian packages the portal needs: a CJK font and Pango for weasyprint PDFs, HarfBuzz's
# subsetter (without it weasyprint subsets the large CJK fonts in Python, and a report PDF takes
# tens of seconds instead of a few), libmagic for upload checks, gettext for the translations,
# Chromium for the browser tests, poppler for PDF checks; nginx for the suite's proxy test and
# `make stack`, which also runs supervisor.
set -euo pipefail
packages=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 gettext poppler-utils)
for flag in "$@"; do
  case "$flag" in
    --with-browser) packages+=(chromium) ;;
    --with-nginx) packages+=(nginx) ;;
    --with-stack) packages+=(nginx supervisor) ;;
    *) echo "ensure-system-packages: unknown option $flag" >&2; exit 2 ;;
  esac
done
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
