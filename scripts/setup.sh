#!/usr/bin/env bash
# Installs the system packages Torus needs on a fresh Debian machine (run as root).
# Idempotent: skips apt when everything is already there.
set -euo pipefail
# libxml2 (FoundationXML), zlib (gzip), SQLite (torus-serve's default database), libcurl (URLSession: torus client)
packages=(libxml2-dev zlib1g-dev libsqlite3-dev libcurl4)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift not found on PATH (need Swift 6.x)" >&2; exit 1; }
