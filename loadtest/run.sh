#!/usr/bin/env bash
# make load: locust, headless, against LOAD_HOST; without it, against a gunicorn of its own
# (LOAD_WORKERS, default 2, DEBUG off, on the demo data of its own database), stopped at the end.
# Prints p50/p95 per kind of page for the steady state (the last 60 s), logins apart, errors,
# and the server's CPU per request when it started the server itself (loadtest/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
USERS=${LOAD_USERS:-200}
SPAWN_RATE=${LOAD_SPAWN_RATE:-10}
RUN_TIME=${LOAD_TIME:-2m}
OUT=$PWD/var/load
mkdir -p "$OUT"
export LOAD_RESULT=${LOAD_RESULT:-$OUT/result.json}

server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
}
trap stop_server EXIT

host=${LOAD_HOST:-}
if [ -z "$host" ]; then
	port=${LOAD_PORT:-8093}
	host=http://127.0.0.1:$port
	scripts/ensure-services.sh
	export DATABASE_URL=postgres://postgres@127.0.0.1:5432/${LOAD_DATABASE:-tsprotect_load}
	export REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/9}
	export SECRET_KEY=load-test-only-secret-key-not-for-production-0123456789abcdef
	export HTTPS=false DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost
	export STATIC_ROOT=$OUT/static
	db=${DATABASE_URL##*/}
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" |
		grep -q 1 || createdb -h 127.0.0.1 -U postgres "$db"
	$PY manage.py compilemessages --ignore .venv -v0
	$PY manage.py migrate --no-input -v0
	DEBUG=1 $PY manage.py seed_demo >/dev/null
	$PY manage.py collectstatic --no-input -v0
	# The sessions of earlier runs would only grow the table that every request reads.
	psql -h 127.0.0.1 -U postgres -d "$db" -qc "DELETE FROM django_session"
	.venv/bin/gunicorn tsprotect.wsgi:application --workers "${LOAD_WORKERS:-2}" --bind "127.0.0.1:$port" \
		--access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
	server_pid=$!
	export LOAD_SERVER_PID=$server_pid
	for _ in $(seq 60); do
		curl -fsS -o /dev/null "$host/healthz" && break
		sleep 1
	done
	curl -fsS -o /dev/null "$host/healthz"
fi

echo "locust: $USERS users logging in at $SPAWN_RATE per second, $RUN_TIME, against $host"
cd loadtest
../.venv/bin/locust -f locustfile.py --headless --only-summary -u "$USERS" -r "$SPAWN_RATE" \
	-t "$RUN_TIME" --host "$host" --stop-timeout 5 --loglevel WARNING
