#!/usr/bin/env bash
# Lighthouse (npm lighthouse, phone profile, Debian's Chromium) on the
# pages issue 9 names: login, each role's home, the catalogue, a class, the
# booking QR page and the enterprise list. Starts its own server with demo
# data in a temporary directory; prints one line of scores per page.
#   scripts/lighthouse.sh            (needs node/npm and chromium)
set -euo pipefail
LIGHTHOUSE=13.5.0
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --silent --no-audit --no-fund "lighthouse@$LIGHTHOUSE" >/dev/null 2>&1)
(cd "$root" && go build -o "$tmp/envhome" ./cmd/envhome)
port=$((20000 + RANDOM % 20000))
BASE=http://127.0.0.1:$port
(cd "$tmp" && ENVHOME_DATA_DIR="$tmp/data" "$tmp/envhome" serve --addr 127.0.0.1:$port --base-url "$BASE" > "$tmp/out" 2>&1 & echo $! > "$tmp/pid")
for _ in $(seq 50); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
PW='Lighthouse-Run-2026!'
declare -A COOKIE
while read -r role user pass; do
  c=$(curl -s -i -X POST "$BASE/login" -H "Origin: $BASE" --data-urlencode "username=$user" --data-urlencode "password=$pass" -d next=/ |
    grep -i '^set-cookie: envhome_session' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r')
  # Demo passwords must be changed at the first sign-in.
  c2=$(curl -s -i -b "$c" -X POST "$BASE/account/password" -H "Origin: $BASE" --data-urlencode "current_password=$pass" \
    --data-urlencode "new_password=$PW" --data-urlencode "confirm_password=$PW" |
    grep -i '^set-cookie: envhome_session' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r')
  COOKIE[$role]=${c2:-$c}
done < <(grep -E '^  (admin|association|enterprise|lecturer|provider) ' "$tmp/out")
E=${COOKIE[enterprise]}
mid=$(curl -s -b "$E" "$BASE/classes/1" | grep -o 'option value="[0-9]*"' | head -1 | grep -o '[0-9]*')
booking=$(curl -s -i -b "$E" -H "Origin: $BASE" -X POST "$BASE/classes/1/bookings" -d "manager_id=$mid" | grep -i '^location:' | sed 's/.*\(\/bookings\/[0-9]*\).*/\1/' | tr -d '\r')
run() { # name path [cookie]
  local hdr=()
  [ -n "${3:-}" ] && hdr=(--extra-headers "{\"Cookie\":\"$3\"}")
  CHROME_PATH=${CHROMIUM:-/usr/bin/chromium} "$tmp/node_modules/.bin/lighthouse" "$BASE$2" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" --only-categories=performance,accessibility,best-practices \
    --output=json --output-path="$tmp/$1.json" "${hdr[@]}" >/dev/null 2>&1
  # The page measured must be the page asked for, not a redirect to sign-in.
  node -e "const r=require('$tmp/$1.json'), c=r.categories, u=new URL(r.finalDisplayedUrl).pathname;
    if (u !== '$2'.split('?')[0]) { console.error('$1: measured ' + u + ' instead of $2'); process.exit(1) }
    console.log('$1'.padEnd(20), 'performance', Math.round(c.performance.score*100), ' accessibility', Math.round(c.accessibility.score*100), ' best practices', Math.round(c['best-practices'].score*100), ' ', u)"
}
echo "Lighthouse $LIGHTHOUSE, phone profile (simulated slow 4G, 4x CPU slowdown), $BASE"
run login /login
run catalogue /courses
run class /classes/1
run booking-qr "$booking" "$E"
run enterprise-list /directory/enterprises "${COOKIE[admin]}"
for role in admin association enterprise lecturer provider; do run "home-$role" / "${COOKIE[$role]}"; done
