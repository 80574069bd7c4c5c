#!/bin/sh
# Installs what tension needs to build and test on Debian 12 (as root).
# Used by the README's two commands and by .ci/run. chromium (headless) renders the
# HTML report in tests/e2e/report_formats.py.
set -eu
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config \
    libpcre2-dev libstemmer-dev libsqlite3-dev libjansson-dev libyajl-dev libgeonames-dev \
    libzip-dev libxml2-dev libpoppler-glib-dev libgmime-3.0-dev libssl-dev \
    python3 python3-jsonschema sqlite3 chromium fonts-dejavu-core \
    python3-distributed ripgrep time \
    clang libclang-rt-14-dev util-linux >/dev/null
echo "tension: build dependencies installed"
