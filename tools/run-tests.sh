#!/usr/bin/env bash
# `make test`: lint and type checks, then the whole pytest suite (unit, integration
# against PostgreSQL and Redis, the real lab cluster, the browser) in one run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "ok installed"; then
    echo "[test] installing Debian's chromium for the browser tests"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
fi

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/haconsole}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
export HACONSOLE_DATA_DIR=${HACONSOLE_DATA_DIR:-$PWD/var/test}

.venv/bin/python tools/ensure_services.py

lint() {
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    .venv/bin/mypy .
    # the lab's extension-less scripts, one at a time (each is a __main__ module)
    for script in lab/lab lab/sbin/fence_haconsole_lab lab/sbin/drbdadm lab/sbin/drbdsetup \
        lab/node/systemctl lab/node/init.d/libvirtd lab/ocf/linbit/drbd \
        lab/ocf/haconsole-lab/standin lab/measure-failover lab/measure-cost; do
        .venv/bin/ruff check "$script"
        MYPYPATH=lab .venv/bin/mypy "$script"
    done
}

# ruff and mypy (~1 min) while the lab comes up (~1 min): the lab waits on its nodes
echo "[test] ruff and mypy, beside lab/lab up"
mkdir -p var
lint >var/test-lint.log 2>&1 &
lint_pid=$!
lab/lab up
if ! wait "$lint_pid"; then
    cat var/test-lint.log
    echo "[test] ruff or mypy failed"
    exit 1
fi
cat var/test-lint.log

echo "[test] pytest"
if [ "$#" -gt 0 ]; then
    exec .venv/bin/pytest "$@"
fi
# The unit and integration tests never touch the lab: they run beside the lab and
# browser tests (the lab's nodes mostly wait on the other core), each run with a
# database, a Redis database and a data directory of its own. ~10 min less in CI.
mkdir -p var
unit_log=var/test-unit-integration.log
(
    export DATABASE_URL="${DATABASE_URL}_unit"
    export REDIS_URL="${REDIS_URL%/*}/14"
    export HACONSOLE_DATA_DIR="${HACONSOLE_DATA_DIR}-unit"
    # niced: the lab and browser tests are the longer path; these yield the CPU to them
    exec nice -n 15 .venv/bin/pytest tests/unit tests/integration >"$unit_log" 2>&1
) &
unit_pid=$!
set +e
.venv/bin/pytest tests/lab tests/browser --durations=30
lab_status=$?
wait "$unit_pid"
unit_status=$?
echo "[test] unit and integration tests (run beside the lab and browser tests): $unit_log"
cat "$unit_log"
echo "[test] lab and browser: exit $lab_status; unit and integration: exit $unit_status"
[ "$lab_status" -eq 0 ] && [ "$unit_status" -eq 0 ]
