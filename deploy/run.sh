#!/usr/bin/env bash
# Builds agentloop if needed and runs it: gateway on :8080, mock LLM on :8081, local storage in ./data.
# Configuration: AGENTLOOP_CONFIG (a YAML file) and the AGENTLOOP_* variables (see README).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/deploy/find-java.sh"
agentloop_find_java || exit 1
agentloop_jvm_flags
jar="$root/app/target/agentloop.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/*/src/*" -newer "$jar" -type f -print -quit 2>/dev/null)" ] \
   || [ "$root/pom.xml" -nt "$jar" ]; then
  echo "agentloop: building $jar (JDK $JAVA_MAJOR at $JAVA_HOME)" >&2
  (cd "$root" && mvn -q -B -DskipTests package -pl app -am) >&2
fi
exec "$JAVA" "${AGENTLOOP_JVM_FLAGS[@]}" ${AGENTLOOP_JAVA_OPTS:-} -jar "$jar" "$@"
