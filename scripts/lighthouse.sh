#!/usr/bin/env bash
# Lighthouse 12.2.3 (mobile) against a local server, as docs/TECH.md describes: a fresh SQLite database,
# migrated and seeded, served by `flask run` (development settings) on a free port; then each page is audited
# and its category scores printed, with every audit that scored below 1. Exits 1 when a score is under the
# minimum. Results (JSON) go to $OUT (default /tmp/relief-lighthouse).
#
#   scripts/lighthouse.sh                      # accessibility of / and /sos, 100 required
#   CATEGORIES=performance,accessibility,best-practices MIN=90 scripts/lighthouse.sh / /sos /routines
#
# Lighthouse itself: LIGHTHOUSE=/path/to/lighthouse, else ./node_modules/.bin/lighthouse, else a copy installed
# outside the repository with `npm i -E lighthouse@12.2.3` (Node 20; 13 needs a newer Node) in $LIGHTHOUSE_DIR.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
PATHS=("$@")
[ ${#PATHS[@]} -eq 0 ] && PATHS=(/ /sos)
CATEGORIES="${CATEGORIES:-accessibility}"
MIN="${MIN:-100}"
OUT="${OUT:-/tmp/relief-lighthouse}"
CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
LIGHTHOUSE_DIR="${LIGHTHOUSE_DIR:-$here/../lh}"
if [ -z "${LIGHTHOUSE:-}" ]; then
  for candidate in "$here/node_modules/.bin/lighthouse" "$LIGHTHOUSE_DIR/node_modules/.bin/lighthouse"; do
    if [ -x "$candidate" ]; then LIGHTHOUSE="$candidate"; break; fi
  done
fi
if [ -z "${LIGHTHOUSE:-}" ]; then
  echo "lighthouse not found: mkdir -p $LIGHTHOUSE_DIR && cd $LIGHTHOUSE_DIR && npm i -E lighthouse@12.2.3" >&2
  exit 2
fi
mkdir -p "$OUT"

work="$(mktemp -d)"
port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export COACH_ENV=development DATABASE_URL="sqlite:///$work/lighthouse.db" CHROME_PATH
.venv/bin/flask --app wsgi db upgrade >/dev/null 2>&1
.venv/bin/flask --app wsgi seed >/dev/null
.venv/bin/flask --app wsgi run --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

status=0
for path in "${PATHS[@]}"; do
  name="$(echo "$path" | tr '/?=&' '____')"
  report="$OUT/lighthouse${name}.json"
  "$LIGHTHOUSE" "http://127.0.0.1:$port$path" --quiet --form-factor=mobile --screenEmulation.mobile \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
    --only-categories="$CATEGORIES" --output=json --output-path="$report"
  .venv/bin/python - "$report" "$path" "$MIN" <<'EOF' || status=1
import json
import sys

report, path, minimum = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
failed = False
for category in report["categories"].values():
    score = round((category["score"] or 0) * 100)
    print(f"{path:<12} {category['title']:<16} {score}")
    failed |= score < minimum
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            print(f"    {audit['id']}: {audit['title']}")
sys.exit(1 if failed else 0)
EOF
done
exit $status
