#!/usr/bin/env bash
# Lighthouse (pinned below) on the four pages issue 19 names, mobile and desktop presets, against a running demo
# (`.venv/bin/flask --app wsgi demo`, or BASE=http://host:port). Prints one line of scores per page and preset.
# Lighthouse is installed into a temporary folder with npm, never into the project; it drives /usr/bin/chromium.
# The order page is a signed-in page: the script logs in as the demo buyer through the form to fetch it.
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:5000}"
LIGHTHOUSE_VERSION=12.8.2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null)

jar="$work/cookies"
token=$(curl -s -c "$jar" -b "$jar" "$BASE/auth/login" | grep -o 'name="csrf_token"[^>]*value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "csrf_token=$token&email=carla@example.com&password=demo-password" "$BASE/auth/login"
cookie="session=$(awk '$6 == "session" {print $7}' "$jar")"
order=$(curl -s -b "$jar" "$BASE/orders/" | grep -o 'href="/orders/[0-9][0-9]*"' | head -1 | grep -o '[0-9][0-9]*')

for page in "catalog /catalog/" "kwork /catalog/kworks/1" "seller /catalog/sellers/1" "order /orders/$order"; do
  set -- $page
  for preset in mobile desktop; do
    args=(--quiet --output=json --output-path="$work/$1-$preset.json" --chrome-flags="--headless=new --no-sandbox")
    [ "$preset" = desktop ] && args+=(--preset=desktop)
    [ "$1" = order ] && args+=(--extra-headers "{\"Cookie\":\"$cookie\"}")
    CHROME_PATH="${GIGSMITH_CHROMIUM:-/usr/bin/chromium}" "$work/node_modules/.bin/lighthouse" "$BASE$2" "${args[@]}" >/dev/null 2>&1
    python3 - "$work/$1-$preset.json" "$1" "$preset" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = "  ".join(f"{key} {round(value['score'] * 100)}" for key, value in report["categories"].items())
failed = [audit["id"] for audit in report["audits"].values()
          if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") == "binary"]
print(f"{sys.argv[2]:8} {sys.argv[3]:8} {scores}" + (f"  (failed: {', '.join(failed)})" if failed else ""))
PY
  done
done
