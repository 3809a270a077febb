#!/usr/bin/env bash
# Every check the project has, in order of speed; stops at the first failing tier.
# Run through `npm test`, which bootstraps first (tools/bootstrap.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

tier() { printf '\n=== %s ===\n' "$*"; }

tier "typecheck (tsc --noEmit, strict)"
tsc --noEmit -p tsconfig.json

tier "lint (eslint)"
eslint --max-warnings=0 .

tier "formatting (prettier --check for TypeScript, JavaScript, JSON and YAML; ruff format --check for Python)"
prettier --check . --log-level warn
.venv/bin/ruff format --check .

tier "Python lint (ruff check, rules in glue-jobs/pyproject.toml; ruff.toml applies them to the Python outside glue-jobs)"
.venv/bin/ruff check .

tier "Python types (mypy over glue-jobs, settings in glue-jobs/pyproject.toml)"
(cd glue-jobs && ../.venv/bin/mypy)

tier "build artifacts (npm run build: handler archives, job wheel, build/manifest.json)"
tsx tools/build/build-artifacts.ts

tier "Terraform toolchain (npm run tf:build: a local mirror, the registry, or the slim offline provider build; cached)"
# Before vitest, so the local-pipeline e2e runs too. Once built (about 10 min on 2 cores), later runs reuse the cache.
tsx tools/terraform/build-binaries.ts
# From here on a missing toolchain is a failure, not a skipped tier.
export SENTINEL_REQUIRE_TERRAFORM=1

tier "unit and synth tests (vitest)"
vitest run

tier "JVM tokenization library (JUnit; the rebuilt jar must have the digest recorded before: reproducible)"
recorded=$(cut -d' ' -f1 build/jvm/sentinel-tokenization.jar.sha256)
bash tools/build/jvm.sh
rebuilt=$(cut -d' ' -f1 build/jvm/sentinel-tokenization.jar.sha256)
[ "$recorded" = "$rebuilt" ] || { echo "glue-jobs/jvm is not reproducible: sha256 $recorded, rebuilt $rebuilt" >&2; exit 1; }

tier "Glue job tests (pytest on local Spark)"
.venv/bin/python -m pytest glue-jobs/tests -q

tier "synth all environments + checkov"
bash tools/checkov.sh
.venv/bin/python tools/iam-lint/lint_policies.py  # parliament on every synthesized policy (findings justified in tools/iam-lint/allowed-findings.json)

tier "tf: terraform validate every environment, local apply/destroy against the emulator"
tsx tools/terraform/tier.ts
