#!/usr/bin/env bash
# make stack-down: stops what `make stack` started — supervisord and, through it, nginx,
# gunicorn, the worker and beat — and nothing else. Data stays in var/stack/ and tsprotect_stack.
set -euo pipefail
cd "$(dirname "$0")/.."
state="$PWD/var/stack"
pidfile="$state/run/supervisord.pid"

pid="$(cat "$pidfile" 2>/dev/null || true)"
# Only the supervisord of this checkout's stack, not a process that took over a stale pid.
if [ -z "$pid" ] || ! grep -q "deploy/supervisord.conf" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "stack-down: the stack is not running"
    rm -f "$pidfile"
    exit 0
fi
STACK_DIR="$state" TSPROTECT_ROOT="$PWD" supervisorctl -c deploy/supervisord.conf shutdown >/dev/null
# supervisord waits for each program to stop (a worker finishes its report build first).
for _ in $(seq 1 180); do
    kill -0 "$pid" 2>/dev/null || { echo "stack-down: stopped"; exit 0; }
    sleep 1
done
echo "stack-down: supervisord ($pid) still running after 180 s; stopping it" >&2
kill -TERM "$pid"
