#!/usr/bin/env bash
# Install what haconsole needs on Debian 12 as root: Python venv with the locked
# dependencies. The lab installs its own Debian packages (lab/lab up); the tests'
# browser (Debian's chromium) is installed by tools/run-tests.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        echo "[deps] apt-get install ${missing[*]}"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

PYTHON=${PYTHON:-}
if [[ -z "$PYTHON" ]]; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            PYTHON=$(command -v "$candidate"); break
        fi
    done
fi
if [[ -z "$PYTHON" ]]; then
    apt_install python3 python3-venv python3-dev
    PYTHON=/usr/bin/python3
fi
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
fi
apt_install openssh-client

if [[ ! -x .venv/bin/python ]]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -r requirements.lock
echo "[deps] Python environment ready in .venv"
