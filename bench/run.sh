#!/usr/bin/env bash
# The benchmark suite: builds agentloop and the bench if needed, starts the baselines (a bare Vert.x
# server, the mock LLM's own port) and agentloop as separate JVMs, loads them, and rewrites
# BENCHMARKS.md at the repository root (raw figures in bench/target/bench-results.json).
#   bench/run.sh           full run (< 15 min)
#   bench/run.sh --quick   short run for quick checks (< 2 min once built)
# Extra JVM options for the agentloop process (e.g. a JFR recording): BENCH_AGENTLOOP_JAVA_OPTS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/deploy/find-java.sh"
agentloop_find_java || exit 1
agentloop_jvm_flags

# 10,000 held streams need 10,000 sockets on each side: raise the open-files limit to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "bench: warning: open-files limit is $(ulimit -n); 10,000 streams need more than 10,000" >&2
fi

jar="$root/app/target/agentloop.jar"
bench_jar="$root/bench/target/agentloop-bench.jar"
stale() { [ ! -f "$1" ] || [ -n "$(find "$root" -path "$root/*/src/*" -newer "$1" -type f -print -quit 2>/dev/null)" ] \
  || [ "$root/pom.xml" -nt "$1" ]; }
if stale "$jar" || stale "$bench_jar"; then
  echo "bench: building agentloop and the bench (JDK $JAVA_MAJOR at $JAVA_HOME)" >&2
  (cd "$root" && mvn -q -B -DskipTests package -pl app,bench -am) >&2
fi

exec "$JAVA" -Xmx1g -XX:+UseParallelGC ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" "$@" --repo "$root" --agentloop-jar "$jar" \
  --bench-jar "$bench_jar" --server-flags "${AGENTLOOP_JVM_FLAGS[*]}"
