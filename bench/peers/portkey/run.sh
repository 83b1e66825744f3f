#!/usr/bin/env bash
# The Portkey AI gateway (npm @portkey-ai/gateway, pinned in package.json) in the foreground, on
# 127.0.0.1 only, in front of an OpenAI-compatible upstream:
#   bench/peers/portkey/run.sh PORT UPSTREAM_BASE_URL      e.g. run.sh 8787 http://127.0.0.1:8081/v1
# Portkey routes per request, from headers (see README.md): the upstream is not configured here, but
# only UPSTREAM_BASE_URL's host is trusted as a custom host. Installs into ./node_modules when missing.
# Ready: GET http://127.0.0.1:PORT/ answers 200; it also prints "Ready for connections!".
# Stop: SIGTERM (node exits at once; open streams are cut).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:?usage: run.sh PORT UPSTREAM_BASE_URL}
upstream=${2:?usage: run.sh PORT UPSTREAM_BASE_URL}
command -v node >/dev/null || { echo "portkey: needs node (>= 20.6, for --import)" >&2; exit 1; }
host=$(node -e 'console.log(new URL(process.argv[1]).hostname)' "$upstream")

gateway="$here/node_modules/@portkey-ai/gateway"
stamp="$here/node_modules/.installed-from-package-json"
if [ ! -f "$stamp" ] || [ "$here/package.json" -nt "$stamp" ]; then
  echo "portkey: installing the packages in $here/package.json" >&2
  # No lock file is kept; the overrides in package.json pin what must not float. Install scripts are
  # skipped: the gateway's only one (patch-package) has no patches in the published package.
  (cd "$here" && npm install --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error) >&2
  touch "$stamp"
fi

# Thousands of concurrent streams need as many sockets, twice (client side and upstream side).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

export TRUSTED_CUSTOM_HOSTS="$host" NODE_ENV=production
exec node --import "$here/loopback.mjs" "$gateway/build/start-server.js" --port="$port" --headless
