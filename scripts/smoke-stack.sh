#!/usr/bin/env bash
# The production stack, tried as an operator would: `make stack` from this checkout, then through
# nginx: /healthz/ready says database, Redis and worker are up, a static file is cached for a day
# or more, officer_430100 logs in with the demo password; `make stack-down`. Prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${STACK_PORT:-8080}"
base="http://127.0.0.1:$port"
password="${DEMO_PASSWORD:-demo-pass-2026}"
jar="$(mktemp)"
start=$SECONDS

fail() { echo "smoke-stack: $*" >&2; exit 1; }
stop() {
    make --no-print-directory stack-down || true
    rm -f "$jar"
}
trap stop EXIT
STACK_DEMO=1 make --no-print-directory stack

ready="$(curl -sf "$base/healthz/ready")" || fail "/healthz/ready did not answer 200"
.venv/bin/python - "$ready" <<'PY' || fail "/healthz/ready: $ready"
import json
import sys

report = json.loads(sys.argv[1])
assert report["status"] == "ok"
assert report["database"] == {"status": "ok", "vendor": "postgresql"}
assert report["redis"] == {"status": "ok", "mode": "redis"}
assert report["worker"]["status"] == "ok" and report["worker"]["workers"] >= 1
PY

# A stylesheet under the hashed name the pages link to.
curl -sf -c "$jar" -b "$jar" -o "$jar.login" "$base/accounts/login/"
css="$(grep -o '/static/[^"]*\.css' "$jar.login" | head -n1)"
rm -f "$jar.login"
[ -n "$css" ] || fail "the login page links no stylesheet"
max_age="$(curl -sfI "$base$css" | tr -d '\r' | sed -n 's/^Cache-Control:.*max-age=\([0-9]*\).*/\1/Ip')"
[ -n "$max_age" ] && [ "$max_age" -ge 86400 ] || fail "$css is cached for '${max_age:-no}' seconds"

token="$(awk '$6 == "csrftoken" {print $7}' "$jar")"
status="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" \
    -H "Origin: $base" -H "Referer: $base/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" \
    --data-urlencode "username=officer_430100" \
    --data-urlencode "password=$password" \
    "$base/accounts/login/")"
case "$status" in
    "302 $base/") ;;
    *) fail "the demo login through nginx failed ($status)" ;;
esac
page="$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/enterprises/")"
[ "$page" = 200 ] || fail "the directory answered $page after logging in"

echo "smoke-stack: ready, $css cached ${max_age} s, officer_430100 logged in through nginx"
stop
trap - EXIT
echo "smoke-stack: passed in $((SECONDS - start)) s (make stack, checks, make stack-down)"
