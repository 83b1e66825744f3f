#!/usr/bin/env bash
# The fan-out figure: wall time of N concurrent calls to one model through POST /v1/chat/fanout,
# divided by the wall time of one call. Needs a running gateway (deploy/run.sh) and curl.
# Usage: deploy/fanout-figure.sh [base-url] [model] [n] [rounds]
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
model=${2:-mock-realistic}
n=${3:-5}
rounds=${4:-5}
messages='[{"role":"user","content":"How long does this take?"}]'

total_ms() { # total_ms <count>
  local models="" i
  for ((i = 0; i < $1; i++)); do models+="${models:+,}\"$model\""; done
  curl -sf "$base/v1/chat/fanout" -H 'content-type: application/json' \
    -d "{\"models\":[$models],\"mode\":\"all\",\"messages\":$messages}" | grep -o '"total_ms":[0-9.]*' | cut -d: -f2
}

total_ms 1 >/dev/null # warm-up
for ((r = 1; r <= rounds; r++)); do
  one=$(total_ms 1)
  many=$(total_ms "$n")
  awk -v r="$r" -v one="$one" -v many="$many" -v n="$n" -v m="$model" \
    'BEGIN { printf "round %d: 1 x %s %.1f ms, %d concurrent %.1f ms, ratio %.2f\n", r, m, one, n, many, many / one }'
done
