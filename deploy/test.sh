#!/usr/bin/env bash
# Runs every test of agentloop (unit, integration, PostgreSQL, cluster) with a JDK 21+.
# Extra arguments go to Maven, e.g. deploy/test.sh -pl llm-service -am
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/deploy/find-java.sh"
agentloop_find_java || exit 1
echo "agentloop: testing with JDK $JAVA_MAJOR at $JAVA_HOME" >&2
cd "$root"
exec mvn -B verify "$@"
