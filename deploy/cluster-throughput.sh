#!/usr/bin/env bash
# Plain-request throughput (mock-fast) of the clustered set-up (deploy/local-cluster.sh: gateway,
# storage and two llm JVMs) divided by the one-JVM set-up, measured back to back in the same run with
# the same load (hey, or wrk if hey is missing). Prints both rates and the ratio.
#
#   deploy/cluster-throughput.sh            # 5 s warm-up + 20 s measured per set-up, 32 connections
# Settings: DURATION (20s), WARMUP (5s), CONNECTIONS (32), BENCH_PORT (18600: one-JVM gateway;
# +10 the cluster's gateway, +20 its Hazelcast base port).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/deploy/find-java.sh"
agentloop_find_java || exit 1
agentloop_jvm_flags
duration=${DURATION:-20s}
warmup=${WARMUP:-5s}
connections=${CONNECTIONS:-32}
port=${BENCH_PORT:-18600}
work=$(mktemp -d /tmp/agentloop-throughput-XXXXXX)
body='{"model":"mock-fast","messages":[{"role":"user","content":"How fast is the cluster?"}]}'
jar="$root/deploy/target/agentloop.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package -pl deploy -am)
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
single=$(load "http://127.0.0.1:$port")
kill -TERM "$single_pid"
wait "$single_pid" || true
single_pid=""

echo "cluster: local-cluster.sh, gateway on :$((port + 10))" >&2
export AGENTLOOP_CLUSTER_DIR="$work/cluster" AGENTLOOP_HTTP_PORT=$((port + 10)) AGENTLOOP_LLM_HTTP_PORT=$((port + 11)) \
  AGENTLOOP_CLUSTER_PORT=$((port + 20)) AGENTLOOP_CLUSTER_NAME="throughput-$$" AGENTLOOP_NO_BUILD=1
"$root/deploy/local-cluster.sh" start >&2
await_ready "http://127.0.0.1:$((port + 10))"
clustered=$(load "http://127.0.0.1:$((port + 10))")

awk -v s="$single" -v c="$clustered" -v n="$connections" -v d="$duration" 'BEGIN {
  printf "plain mock-fast, %s connections, %s measured each\n", n, d
  printf "one JVM:   %10.1f req/s\n", s
  printf "clustered: %10.1f req/s (gateway + storage + 2 llm JVMs on loopback)\n", c
  printf "clustered / one JVM = %.2f\n", c / s
}'
