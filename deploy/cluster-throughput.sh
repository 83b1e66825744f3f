#!/usr/bin/env bash
# Plain-request throughput (mock-fast) of the clustered set-up (deploy/local-cluster.sh: gateway,
# storage and two llm JVMs) divided by the one-JVM set-up, measured back to back in the same run with
# the same load (hey, or wrk if hey is missing). Both set-ups run side by side and are loaded in
# turns (one JVM, cluster, one JVM, cluster, ...), so a noisy neighbour on the machine hits both alike.
# Prints each round and the ratio of the mean rates.
#
#   deploy/cluster-throughput.sh     # 3 rounds of 10 s warm-up + 15 s measured per set-up, 32 connections
# Four JVMs take longer to warm up than one: the last round is the fairer figure, and it is printed.
# Settings: ROUNDS (3), DURATION (15s), WARMUP (10s), CONNECTIONS (32), BENCH_PORT (18600: one-JVM
# gateway; +10 the cluster's gateway, +11/+12 its llm ports, +20 its Hazelcast base port).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/deploy/find-java.sh"
agentloop_find_java || exit 1
agentloop_jvm_flags
rounds=${ROUNDS:-3}
duration=${DURATION:-15s}
warmup=${WARMUP:-10s}
connections=${CONNECTIONS:-32}
port=${BENCH_PORT:-18600}
work=$(mktemp -d /tmp/agentloop-throughput-XXXXXX)
body='{"model":"mock-fast","messages":[{"role":"user","content":"How fast is the cluster?"}]}'
jar="$root/app/target/agentloop.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package -pl app -am)
single_pid=""

cleanup() {
  [ -n "$single_pid" ] && kill -TERM "$single_pid" 2>/dev/null || true
  AGENTLOOP_CLUSTER_DIR="$work/cluster" AGENTLOOP_HTTP_PORT=$((port + 10)) "$root/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

await_ready() {
  local url=$1 waited=0
  until curl -s -o /dev/null -w '%{http_code}' "$url/health/ready" | grep -q 200; do
    sleep 0.2
    waited=$((waited + 1))
    [ "$waited" -lt 600 ] || { echo "not ready: $url" >&2; return 1; }
  done
}

# Prints requests per second of plain chat completions against $1; fails on any non-200 answer.
load() {
  local url=$1/v1/chat/completions out
  if command -v hey >/dev/null; then
    hey -z "$warmup" -c "$connections" -m POST -T application/json -d "$body" "$url" >/dev/null
    out=$(hey -z "$duration" -c "$connections" -m POST -T application/json -d "$body" "$url")
    if echo "$out" | sed -n '/Status code distribution/,/^$/p' | grep -v "Status code" | grep -vq "\[200\]\|^$"; then
      echo "non-200 answers against $url:" >&2
      echo "$out" | sed -n '/Status code distribution/,$p' >&2
      return 1
    fi
    echo "$out" | awk '/Requests\/sec/ {print $2}'
  else
    printf 'wrk.method="POST"\nwrk.body=[[%s]]\nwrk.headers["Content-Type"]="application/json"\n' "$body" >"$work/post.lua"
    wrk -t 2 -c "$connections" -d "$warmup" -s "$work/post.lua" "$url" >/dev/null
    out=$(wrk -t 2 -c "$connections" -d "$duration" -s "$work/post.lua" "$url")
    if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; return 1; fi
    echo "$out" | awk '/Requests\/sec/ {print $2}'
  fi
}

echo "one JVM: gateway, llm and storage on :$port" >&2
AGENTLOOP_HTTP_PORT=$port AGENTLOOP_LLM_HTTP_PORT=0 AGENTLOOP_DATA_DIR="$work/single" \
  "$JAVA" "${AGENTLOOP_JVM_FLAGS[@]}" ${AGENTLOOP_JAVA_OPTS:--Xmx384m} -jar "$jar" >"$work/single.log" 2>&1 &
single_pid=$!
await_ready "http://127.0.0.1:$port"

echo "cluster: local-cluster.sh, gateway on :$((port + 10))" >&2
export AGENTLOOP_CLUSTER_DIR="$work/cluster" AGENTLOOP_HTTP_PORT=$((port + 10)) AGENTLOOP_LLM_HTTP_PORT=$((port + 11)) \
  AGENTLOOP_CLUSTER_PORT=$((port + 20)) AGENTLOOP_CLUSTER_NAME="throughput-$$" AGENTLOOP_NO_BUILD=1
"$root/deploy/local-cluster.sh" start >&2
await_ready "http://127.0.0.1:$((port + 10))"

echo "plain mock-fast, $connections connections, $warmup warm-up + $duration measured per turn"
singles=() clusters=()
for round in $(seq "$rounds"); do
  s=$(load "http://127.0.0.1:$port")
  c=$(load "http://127.0.0.1:$((port + 10))")
  singles+=("$s") clusters+=("$c")
  awk -v r="$round" -v s="$s" -v c="$c" 'BEGIN {printf "round %d: one JVM %8.1f req/s, clustered %8.1f req/s, ratio %.2f\n", r, s, c, c / s}'
done
echo "${singles[*]}" "|" "${clusters[*]}" | awk '{
  n = 0; m = 0; s = 0; c = 0
  for (i = 1; i <= NF; i++) { if ($i == "|") { m = 1; continue } if (m) { c += $i; k++ } else { s += $i; n++ } }
  printf "one JVM mean %.1f req/s, clustered (gateway + storage + 2 llm JVMs) mean %.1f req/s\n", s / n, c / k
  printf "clustered / one JVM = %.2f (mean of all rounds)\n", (c / k) / (s / n)
}'
awk -v s="$s" -v c="$c" 'BEGIN {printf "clustered / one JVM = %.2f (last round, both warmest)\n", c / s}'
