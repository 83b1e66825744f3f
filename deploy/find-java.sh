# Sourced by the agentloop scripts: sets JAVA to a java binary of JDK 21 or newer and exports
# JAVA_HOME to match, or prints why none was found and returns 1.
# Order: $JAVA_HOME, then `java` on PATH, then the usual JDK folders (newest first).

agentloop_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

agentloop_find_java() {
  local candidates=() dir bin major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  bin=$(command -v java 2>/dev/null) && candidates+=("$bin")
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -x "$dir/bin/java" ] && candidates+=("$dir/bin/java")
  done
  local best="" best_major=0
  for bin in "${candidates[@]}"; do
    major=$(agentloop_java_major "$bin")
    major=${major%%.*}
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    # JAVA_HOME wins when it is good enough; otherwise take the newest found.
    if [ "$major" -ge 21 ] && [ -n "${JAVA_HOME:-}" ] && [ "$bin" = "$JAVA_HOME/bin/java" ]; then
      best=$bin; best_major=$major; break
    fi
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best=$bin; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "agentloop: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm, /opt). Install one (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+) or set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA=$best
  JAVA_MAJOR=$best_major
  JAVA_HOME=$(cd "$(dirname "$best")/.." && pwd)
  export JAVA_HOME
}

# The flags every agentloop JVM gets: Hazelcast's "Running in Modular Java" set, plus the two
# that JDK 24+ wants for Hazelcast's Unsafe use and Netty's native access.
agentloop_jvm_flags() {
  AGENTLOOP_JVM_FLAGS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    -Djava.net.preferIPv4Stack=true -Dhazelcast.logging.type=slf4j -Dhazelcast.phone.home.enabled=false)
  if [ "${JAVA_MAJOR:-0}" -ge 24 ]; then
    AGENTLOOP_JVM_FLAGS+=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
  fi
}
