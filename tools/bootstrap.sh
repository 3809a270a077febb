#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need, idempotently: Node packages (from the lockfile),
# the Python environment in .venv (from requirements.lock), a Java 17 JDK for local Spark, and the JVM
# tokenization library (glue-jobs/jvm, built with a pinned Maven: tools/build/jvm.sh).
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
# A checkout whose node_modules or .venv is a link to another checkout's (a git worktree set up to share them)
# must not reinstall: npm ci empties the link's target and pip repoints the editable glue-jobs install, under
# every other checkout that uses them.
refuse_shared() {
  [ -L "$1" ] || return 0
  fail "$1 is a link to $(readlink -f "$1") and its packages are out of date for this checkout; installing here would replace the packages every checkout sharing it uses. Run the install in the checkout that owns $(readlink -f "$1"), or replace the link with a directory of its own."
}
if [ ! -f "$node_stamp" ] || [ "$(cat "$node_stamp")" != "$node_hash" ]; then
  refuse_shared node_modules
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
  refuse_shared .venv
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

# --- Java 17 JDK (Spark 3.5.4 as on Glue 5.0; javac builds the tokenization library) ---------------
java_major() { java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
jdk_ready() { [ "$(java_major 2>/dev/null)" = "17" ] && javac -version 2>&1 | grep -q '^javac 17\.'; }
if ! jdk_ready; then
  for candidate in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/temurin-17-jdk-amd64; do
    if [ -x "$candidate/bin/javac" ]; then export JAVA_HOME="$candidate"; export PATH="$candidate/bin:$PATH"; break; fi
  done
fi
if ! jdk_ready; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing OpenJDK 17 (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
  fi
  jdk_ready || fail "A Java 17 JDK is required: local Spark runs on it (Glue 5.0 runs Java 17) and javac builds glue-jobs/jvm. Install OpenJDK 17 (JDK, not only the JRE) and put it on PATH or set JAVA_HOME."
fi

# --- JVM tokenization library (glue-jobs/jvm -> build/jvm/sentinel-tokenization.jar and its SHA-256) ---
# Its stamp is build/jvm/sentinel-tokenization.inputs: the sources the jar was built from, with digests.
# jvm.sh downloads the pinned Maven from Maven Central with curl (Maven then fetches the dependencies).
if ! command -v curl >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing curl (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl ca-certificates >/dev/null
  fi
  command -v curl >/dev/null 2>&1 || fail "curl is required: tools/build/jvm.sh downloads the pinned Maven from Maven Central."
fi
bash tools/build/jvm.sh --if-stale

say "ready: node $(node --version), $(.venv/bin/python --version), java $(java_major), tokenization jar sha256:$(cut -d' ' -f1 build/jvm/sentinel-tokenization.jar.sha256)"
