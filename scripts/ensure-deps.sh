#!/usr/bin/env bash
# The install step shared by `npm start`, `npm test` and `npm run bench`: npm packages
# when they are missing or older than package.json, and nats-server and openssl from
# Debian's packages when they are not installed. Safe to run again; does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/tsx ] || [ ! -f node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "jetkube: installing npm packages..." >&2
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
fi

# Debian packages: nats-server (the log), openssl (the cluster CA and certificates),
# dnsutils (dig: the DNS tests ask the cluster DNS the way a person would), chromium.
missing=()
if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then missing+=(nats-server); fi
if ! command -v openssl >/dev/null 2>&1; then missing+=(openssl); fi
if ! command -v dig >/dev/null 2>&1; then missing+=(dnsutils); fi
# Chromium runs the dashboard's browser tests (playwright-core drives Debian's build).
if [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "jetkube: installing ${missing[*]} from Debian's packages..." >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
