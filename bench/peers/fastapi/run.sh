#!/usr/bin/env bash
# The FastAPI twin of agentloop's mock port, in the foreground: uvicorn with uvloop and httptools,
# one worker per core, access log off, on 127.0.0.1 only.
#   bench/peers/fastapi/run.sh PORT [MODELS]
# MODELS: a JSON file, or an inline JSON array, of {id, first_token_ms, per_token_ms, tokens, echo}
# (the shape of agentloop's llm.models); default models.json beside this script.
# Ready: each worker logs "fastapi-twin: worker PID ready"; GET /v1/models answers 200 from the first.
# Stop: SIGTERM (uvicorn's supervisor stops its workers and exits 0). Workers: TWIN_WORKERS (default nproc).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:?usage: run.sh PORT [MODELS_JSON]}
export TWIN_MODELS=${2:-$here/models.json}

# Debian's packages, for Debian's interpreter (a python3 earlier on PATH would not see them). No pip.
python=/usr/bin/python3
packages=(python3-fastapi python3-uvicorn python3-uvloop python3-httptools)
if ! "$python" -c 'import fastapi, uvicorn, uvloop, httptools' 2>/dev/null; then
  echo "fastapi-twin: installing ${packages[*]}" >&2
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq "${packages[@]}" >&2
fi

"$python" "$here/mock_models.py" >&2

# Thousands of held streams need as many sockets: raise the open-files limit to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec "$python" -m uvicorn app:app --app-dir "$here" --host 127.0.0.1 --port "$port" \
  --workers "${TWIN_WORKERS:-$(nproc)}" --loop uvloop --http httptools --no-access-log
