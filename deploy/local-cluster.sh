#!/usr/bin/env bash
# A local agentloop cluster on loopback: one gateway, one storage-service and two llm-service
# processes, each its own JVM joined over Hazelcast (TCP-IP, multicast off).
#
#   deploy/local-cluster.sh start    start the members that are not running (builds the jar if needed)
#   deploy/local-cluster.sh stop     SIGTERM every member (graceful leave), SIGKILL after the grace period
#   deploy/local-cluster.sh status   each member: pid, node, services, cluster view; gateway readiness
#
# Settings (environment):
#   AGENTLOOP_HTTP_PORT       gateway HTTP port (default 8080)
#   AGENTLOOP_LLM_HTTP_PORT   llm-1's own OpenAI-compatible port with /metrics, llm-2 the next one
#                             (default: the gateway port + 1)
#   AGENTLOOP_CLUSTER_NAME    cluster name (default agentloop-local); only members with it join
#   AGENTLOOP_CLUSTER_PORT    first Hazelcast port (default 5701; members take the next free ones)
#   AGENTLOOP_CLUSTER_DIR     run directory for pid and log files (default ./data/cluster)
#   AGENTLOOP_JAVA_OPTS       extra JVM options (default -Xmx384m)
#   AGENTLOOP_SHUTDOWN_GRACE_MS  how long a stopping member may finish its work (default 10000)
# Any other AGENTLOOP_* variable (e.g. AGENTLOOP_CONFIG) reaches every member.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run_dir=${AGENTLOOP_CLUSTER_DIR:-$root/data/cluster}
http_port=${AGENTLOOP_HTTP_PORT:-8080}
llm_http_port=${AGENTLOOP_LLM_HTTP_PORT:-$((http_port + 1))}
cluster_name=${AGENTLOOP_CLUSTER_NAME:-agentloop-local}
cluster_port=${AGENTLOOP_CLUSTER_PORT:-5701}
grace_ms=${AGENTLOOP_SHUTDOWN_GRACE_MS:-10000}
jar="$root/app/target/agentloop.jar"

# member name -> services; the first one starts alone and the others join it
members=(storage llm-1 llm-2 gateway)
services_of() {
  case "$1" in
    storage) echo storage ;;
    llm-*) echo llm ;;
    gateway) echo gateway ;;
  esac
}

llm_port_of() {
  case "$1" in
    llm-*) echo $((llm_http_port + ${1#llm-} - 1)) ;;
    *) echo 0 ;;
  esac
}

pid_of() {
  local file="$run_dir/$1.pid"
  [ -f "$file" ] && cat "$file"
}

running() {
  local pid
  pid=$(pid_of "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

build_if_needed() {
  if [ "${AGENTLOOP_NO_BUILD:-}" = 1 ]; then
    [ -f "$jar" ] || { echo "local-cluster: $jar is missing (AGENTLOOP_NO_BUILD=1)" >&2; exit 1; }
    return 0
  fi
  if [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/*/src/main/*" -newer "$jar" -type f -print -quit 2>/dev/null)" ] \
     || [ "$root/pom.xml" -nt "$jar" ]; then
    echo "local-cluster: building $jar (JDK $JAVA_MAJOR at $JAVA_HOME)" >&2
    (cd "$root" && mvn -q -B -DskipTests package -pl app -am) >&2
  fi
}

launch() {
  local name=$1 log="$run_dir/$1.log"
  : >"$log"
  # shellcheck disable=SC2086
  env AGENTLOOP_CLUSTER=true AGENTLOOP_CLUSTER_NAME="$cluster_name" AGENTLOOP_CLUSTER_PORT="$cluster_port" \
      AGENTLOOP_CLUSTER_HOST="${AGENTLOOP_CLUSTER_HOST:-127.0.0.1}" \
      AGENTLOOP_CLUSTER_MEMBERS="${AGENTLOOP_CLUSTER_MEMBERS:-127.0.0.1}" \
      AGENTLOOP_NODE_ID="$name" AGENTLOOP_SERVICES="$(services_of "$name")" \
      AGENTLOOP_HTTP_PORT="$http_port" AGENTLOOP_LLM_HTTP_PORT="$(llm_port_of "$name")" AGENTLOOP_SHUTDOWN_GRACE_MS="$grace_ms" \
      AGENTLOOP_DATA_DIR="${AGENTLOOP_DATA_DIR:-$run_dir/data}" \
      nohup "$JAVA" "${AGENTLOOP_JVM_FLAGS[@]}" ${AGENTLOOP_JAVA_OPTS:--Xmx384m} \
        -Dvertx.hazelcast.config="$root/deploy/cluster.xml" -jar "$jar" >>"$log" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
}

# Waits for the member's "agentloop: node ... runs" line; fails if it exits first or takes > 120 s.
await_started() {
  local name=$1 log="$run_dir/$1.log" waited=0
  until grep -q "agentloop: node .* runs" "$log" 2>/dev/null; do
    if ! running "$name"; then
      echo "local-cluster: $name exited during start-up; last lines of $log:" >&2
      tail -n 5 "$log" >&2
      return 1
    fi
    if [ "$waited" -ge 1200 ]; then
      echo "local-cluster: $name did not start within 120 s (see $log)" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "local-cluster: $name started (pid $(pid_of "$name"), $(services_of "$name"))"
}

start() {
  . "$root/deploy/find-java.sh"
  agentloop_find_java || exit 1
  agentloop_jvm_flags
  build_if_needed
  mkdir -p "$run_dir"
  local name pending=()
  for name in "${members[@]}"; do
    if running "$name"; then
      echo "local-cluster: $name already running (pid $(pid_of "$name"))"
    else
      pending+=("$name")
    fi
  done
  [ "${#pending[@]}" -eq 0 ] && return 0
  # One at a time: JVMs starting in parallel on a small machine can starve each other's Hazelcast
  # heartbeats long enough to be declared dead and form a second cluster.
  for name in "${pending[@]}"; do
    launch "$name"
    await_started "$name" || return 1
  done
  await_one_view || return 1
  echo "local-cluster: gateway on http://127.0.0.1:$http_port (logs in $run_dir)"
}

# Waits until every running member's latest membership line counts all running members.
await_one_view() {
  local name expected=0 count waited=0 agreed
  for name in "${members[@]}"; do
    running "$name" && expected=$((expected + 1))
  done
  while :; do
    agreed=true
    for name in "${members[@]}"; do
      running "$name" || continue
      count=$(grep -o "members now [0-9]*" "$run_dir/$name.log" 2>/dev/null | tail -n 1 | awk '{print $3}')
      [ "${count:-0}" = "$expected" ] || agreed=false
    done
    [ "$agreed" = true ] && return 0
    if [ "$waited" -ge 300 ]; then
      echo "local-cluster: the members do not agree on one cluster of $expected; see '$0 status' and the logs" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

stop() {
  local name pid deadline
  # the front first, so it stops taking requests before the services behind it leave
  for name in gateway llm-1 llm-2 storage; do
    running "$name" || { rm -f "$run_dir/$name.pid"; continue; }
    pid=$(pid_of "$name")
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(date +%s) + grace_ms / 1000 + 30 ))
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "local-cluster: $name (pid $pid) did not stop in time; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    else
      echo "local-cluster: $name stopped"
    fi
    rm -f "$run_dir/$name.pid"
  done
}

# Generations an llm member has finished, from its own /metrics.
generations_of() {
  local port
  port=$(llm_port_of "$1")
  [ "$port" != 0 ] && command -v curl >/dev/null || { echo -; return; }
  curl -s -m 2 "http://127.0.0.1:$port/metrics" 2>/dev/null \
    | awk '/^agentloop_llm_generations_total/ {sum += $NF; seen = 1} END {if (seen) printf "%d", sum; else print "-"}'
}

status() {
  local name pid log services view served all_up=0
  printf '%-8s %-8s %-6s %-10s %-7s %s\n' MEMBER PID STATE SERVICES SERVED "CLUSTER VIEW (members it sees)"
  for name in "${members[@]}"; do
    log="$run_dir/$name.log"
    pid=$(pid_of "$name" || true)
    services=$(grep -o "agentloop: node .* runs \[[^]]*\]" "$log" 2>/dev/null | tail -n 1 | sed 's/.* runs //' || true)
    if running "$name"; then
      state=up
      view=$(grep -o "members now .*" "$log" 2>/dev/null | tail -n 1 | sed 's/members now //' || true)
      served=$([ "$(services_of "$name")" = llm ] && generations_of "$name" || echo -)
    else
      state=down view=- served=- all_up=1
    fi
    printf '%-8s %-8s %-6s %-10s %-7s %s\n' "$name" "${pid:--}" "$state" "${services:-?}" "$served" "${view:-?}"
  done
  if command -v curl >/dev/null; then
    echo "gateway readiness (http://127.0.0.1:$http_port/health/ready):"
    curl -s -m 5 "http://127.0.0.1:$http_port/health/ready" || echo "  not answering"
    echo
  fi
  return "$all_up"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
