#!/usr/bin/env bash
# make stack: the production deployment of the README on this machine, as an ordinary install
# from this checkout — nginx on 127.0.0.1:$STACK_PORT in front of gunicorn, a Celery worker and
# Celery beat, all supervised by supervisord (deploy/supervisord.conf) — on the machine's
# PostgreSQL (database tsprotect_stack) and Redis (db 2). Everything it writes is under
# var/stack/. Returns once /healthz/ready answers 200 through nginx; `make stack-down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
state="$root/var/stack"
port="${STACK_PORT:-8080}"
demo="${STACK_DEMO:-1}"
timeout="${STACK_TIMEOUT:-120}"
py="$root/.venv/bin/python"
base="http://127.0.0.1:$port"

running() { [ -s "$state/run/supervisord.pid" ] && kill -0 "$(cat "$state/run/supervisord.pid")" 2>/dev/null; }
if running; then
    echo "stack: already running (var/stack/run/supervisord.pid); make stack-down first" >&2
    exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "stack: something already listens on 127.0.0.1:$port (set STACK_PORT)" >&2
    exit 1
fi

umask 077  # the env file holds the secret key; uploads and evidence are the bureau's
mkdir -p "$state"/{run,log,static,media,evidence} \
    "$state"/nginx/{client_body,proxy,fastcgi,uwsgi,scgi}
[ -s "$state/secret_key" ] || "$py" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$state/secret_key"

# The portal's environment, as production has it in /etc/tsprotect/tsprotect.env
# (deploy/tsprotect.env.example), except for what a loopback trial needs.
cat >"$state/tsprotect.env" <<ENV
# Written by scripts/stack-up.sh at each make stack; edit that script, not this file.
DEBUG=false
SECRET_KEY=$(cat "$state/secret_key")
DATABASE_URL=${STACK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tsprotect_stack}
REDIS_URL=${STACK_REDIS_URL:-redis://127.0.0.1:6379/2}
ALLOWED_HOSTS=127.0.0.1,localhost
# Plain HTTP on loopback: the trial is reached from this machine only, where secure cookies and
# the redirect to https would lock the browser out. Production terminates TLS at nginx and keeps
# HTTPS on (its default).
HTTPS=false
# nginx in front appends the client's address to X-Forwarded-For.
TRUSTED_PROXY_COUNT=1
X_ACCEL_REDIRECT=true
STATIC_ROOT=$state/static
MEDIA_ROOT=$state/media
EVIDENCE_ROOT=$state/evidence
GUNICORN_BIND=unix:$state/run/gunicorn.sock
GUNICORN_WORKERS=${STACK_WEB_WORKERS:-2}
CELERY_BEAT_SCHEDULE_FILE=$state/run/celerybeat-schedule
ENV
set -a
# shellcheck source=/dev/null
. "$state/tsprotect.env"
set +a

scripts/ensure-services.sh >/dev/null
# The stack's own database, created with a UTF-8 character type so trigram search works on
# Chinese, as the README's deployment asks.
"$py" - "$DATABASE_URL" <<'PY'
import sys

import environ
import psycopg2
from psycopg2 import sql

db = environ.Env.db_url_config(sys.argv[1])
conn = psycopg2.connect(
    dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None,
    host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
)
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
    if cursor.fetchone() is None:
        cursor.execute(
            sql.SQL(
                "CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
                "TEMPLATE template0"
            ).format(sql.Identifier(db["NAME"]))
        )
        print(f"stack: created database {db['NAME']}")
PY
step() {
    local started=$SECONDS
    "$@"
    echo "stack: $3 done in $((SECONDS - started)) s"
}
step "$py" manage.py compilemessages --ignore .venv -v0
step "$py" manage.py migrate --no-input -v0
# Collecting hashes and compresses every file again (two minutes on a busy 2-core machine):
# skipped when no static file of the portal or of an installed package is newer than the
# manifest of the last collection.
manifest="$STATIC_ROOT/staticfiles.json"
if [ -s "$manifest" ] && [ -z "$(find ./static .venv/lib -path '*/static/*' -type f \
        -newer "$manifest" -print -quit)" ] && [ ! pyproject.toml -nt "$manifest" ]; then
    echo "stack: static files up to date (collectstatic skipped)"
else
    step "$py" manage.py collectstatic --no-input -v0
fi
if [ "$demo" = 1 ]; then
    # seed_demo refuses without DEBUG, so that no production portal gets accounts with a known
    # password by mistake; the trial asks for them explicitly, for this one command only.
    DEBUG=true step "$py" manage.py seed_demo
fi

render() { "$py" scripts/render-config.py "$@"; }
render deploy/nginx/tsprotect-locations.conf STATIC_ROOT="$STATIC_ROOT" MEDIA_ROOT="$MEDIA_ROOT" \
    EVIDENCE_ROOT="$EVIDENCE_ROOT" >"$state/nginx/tsprotect-locations.conf"
render deploy/nginx/stack.conf STATE_DIR="$state" PORT="$port" \
    UPSTREAM="unix:$state/run/gunicorn.sock" USER="$(id -un)" GROUP="$(id -gn)" \
    >"$state/nginx/nginx.conf"
/usr/sbin/nginx -q -t -e "$state/log/nginx-error.log" -c "$state/nginx/nginx.conf"

export STACK_DIR="$state" TSPROTECT_ROOT="$root"
supervisord -c deploy/supervisord.conf
started=$SECONDS

while [ $((SECONDS - started)) -lt "$timeout" ]; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/healthz/ready")" = 200 ]; then
        echo "stack: the portal answers on $base after $((SECONDS - started)) s (make stack-down stops it)"
        [ "$demo" = 1 ] && echo "stack: log in as officer_430100 / ${DEMO_PASSWORD:-demo-pass-2026}"
        exit 0
    fi
    sleep 1
done
echo "stack: /healthz/ready did not answer 200 within $timeout s:" >&2
curl -s --max-time 5 "$base/healthz/ready" >&2 || true
echo >&2
for log in "$state"/log/*.log; do
    echo "==> $log" >&2
    tail -n 20 "$log" >&2
done
scripts/stack-down.sh >&2
exit 1
