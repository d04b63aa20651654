#!/usr/bin/env bash
# The README's first command, tried as a new user would: `make run` from this checkout, wait for
# /healthz, log in as officer_430100 with the demo password, open the directory, stop.
set -euo pipefail
cd "$(dirname "$0")/.."
port=8000
base="http://127.0.0.1:$port"
password="${DEMO_PASSWORD:-demo-pass-2026}"
log="$(mktemp)"
jar="$(mktemp)"

if curl -s -o /dev/null "$base/healthz"; then
    echo "smoke-run: something already answers on port $port" >&2
    exit 1
fi
setsid make run >"$log" 2>&1 &
runner=$!
stop() {
    kill -- -"$runner" 2>/dev/null || true
    wait "$runner" 2>/dev/null || true
    rm -f "$jar"
}
trap stop EXIT

for _ in $(seq 1 300); do
    if curl -sf -o /dev/null "$base/healthz"; then break; fi
    if ! kill -0 "$runner" 2>/dev/null; then
        echo "smoke-run: make run stopped before serving" >&2
        tail -40 "$log" >&2
        exit 1
    fi
    sleep 1
done
curl -sf -o /dev/null "$base/healthz" || { echo "smoke-run: no /healthz after 300 s" >&2; tail -40 "$log" >&2; exit 1; }

curl -sf -c "$jar" -b "$jar" -o /dev/null "$base/accounts/login/"
token="$(awk '$6 == "csrftoken" {print $7}' "$jar")"
status="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" \
    -H "Referer: $base/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" \
    --data-urlencode "username=officer_430100" \
    --data-urlencode "password=$password" \
    "$base/accounts/login/")"
case "$status" in
    "302 "*login*|"200 "*) echo "smoke-run: the demo login failed ($status)" >&2; exit 1 ;;
    "302 "*) ;;
    *) echo "smoke-run: unexpected answer to the login ($status)" >&2; exit 1 ;;
esac
page="$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/enterprises/")"
if [ "$page" != 200 ]; then
    echo "smoke-run: the directory answered $page after logging in" >&2
    exit 1
fi
echo "smoke-run: make run served /healthz and officer_430100 logged in"
rm -f "$log"
