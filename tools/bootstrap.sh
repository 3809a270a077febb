#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need, idempotently: Node packages (from the lockfile),
# the Python environment in .venv (from requirements.lock) and a Java 17 runtime for local Spark.
# Each step is skipped when a stamp shows its inputs are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[bootstrap] %s\n' "$*"; }
fail() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- Node ------------------------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || fail "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))."
node_stamp=node_modules/.sentinel-stamp
node_hash=$(hash_of package.json package-lock.json)
if [ ! -f "$node_stamp" ] || [ "$(cat "$node_stamp")" != "$node_hash" ]; then
  say "installing Node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$node_hash" > "$node_stamp"
fi

# --- Python ----------------------------------------------------------------------------------------
PY=${SENTINEL_PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || fail "Python 3.11 is required to match the AWS Glue 5.0 runtime (found: $("$PY" --version 2>&1)). Set SENTINEL_PYTHON to a 3.11 interpreter."
py_stamp=.venv/.sentinel-stamp
py_hash=$(hash_of requirements.lock glue-jobs/pyproject.toml)
if [ ! -x .venv/bin/python ] || [ ! -f "$py_stamp" ] || [ "$(cat "$py_stamp")" != "$py_hash" ]; then
  say "creating the Python environment in .venv (requirements.lock)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.3.1"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e glue-jobs
  echo "$py_hash" > "$py_stamp"
fi

# --- Glue dependency wheels (the job's VPC has no package index; synth uploads them as artifacts) ---
wheels_stamp=build/glue-wheels/.sentinel-stamp
wheels_hash=$(hash_of glue-jobs/requirements-glue.txt tools/build/glue-wheels.ts)
if [ ! -f "$wheels_stamp" ] || [ "$(cat "$wheels_stamp")" != "$wheels_hash" ]; then
  say "fetching the Glue job's dependency wheels (glue-jobs/requirements-glue.txt)"
  node_modules/.bin/tsx tools/build/glue-wheels.ts
  echo "$wheels_hash" > "$wheels_stamp"
fi

# --- Java 17 (Spark 3.5.4 as on Glue 5.0) ------------------------------------------------------------
java_major() { java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
if [ "$(java_major 2>/dev/null)" != "17" ]; then
  for candidate in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/temurin-17-jdk-amd64; do
    if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; export PATH="$candidate/bin:$PATH"; break; fi
  done
fi
if [ "$(java_major 2>/dev/null)" != "17" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing OpenJDK 17 (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  fi
  [ "$(java_major 2>/dev/null)" = "17" ] || fail "Java 17 is required for local Spark (Glue 5.0 runs Java 17). Install OpenJDK 17 and put it on PATH or set JAVA_HOME."
fi
say "ready: node $(node --version), $(.venv/bin/python --version), java $(java_major)"
