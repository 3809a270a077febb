#!/usr/bin/env bash
# Synthesizes every environment, then runs checkov (pinned, from .venv) on each one's Terraform
# JSON. Fails on any failed check, any file checkov could not parse, and any environment it did
# not scan. Skipped checks are listed in .checkov.yaml, each justified in docs/security-model.md.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/checkov ] || { echo "[checkov] .venv/bin/checkov is missing: run npm run bootstrap" >&2; exit 1; }
node stacks/synth.mjs

report_dir=cdktf.out/checkov
rm -rf "$report_dir"
checkov_status=0
.venv/bin/checkov --config-file .checkov.yaml --directory cdktf.out/stacks \
  --output json --output-file-path "$report_dir" >/dev/null || checkov_status=$?

.venv/bin/python - "$report_dir/results_json.json" cdktf.out/manifest.json "$checkov_status" <<'PY'
import collections, json, sys

report_path, manifest_path, checkov_status = sys.argv[1], sys.argv[2], int(sys.argv[3])
report = json.load(open(report_path))
reports = report if isinstance(report, list) else [report]
stacks = json.load(open(manifest_path))["stacks"]

summary = collections.Counter()
passed_per_stack = collections.Counter()
failed = []
for result in reports:
    for key in ("passed", "failed", "parsing_errors"):
        summary[key] += result["summary"][key]
    for check in result["results"].get("passed_checks", []):
        passed_per_stack[check["file_path"].strip("/").split("/")[0]] += 1
    failed += [f'{c["check_id"]} {c["check_name"]}: {c["resource"]} ({c["file_path"]})' for c in result["results"].get("failed_checks", [])]

problems = []
if summary["failed"] or failed:
    problems.append(f'{summary["failed"]} failed checks:\n    ' + "\n    ".join(failed))
if summary["parsing_errors"]:
    problems.append(f'{summary["parsing_errors"]} files checkov could not parse')
for name in sorted(stacks):
    if passed_per_stack[name] == 0:
        problems.append(f"environment {name} was not scanned")
    print(f"[checkov] {name}: {passed_per_stack[name]} checks passed")
if checkov_status != 0 and not problems:
    problems.append(f"checkov exited with status {checkov_status}")
if problems:
    print("[checkov] FAILED: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f'[checkov] all {len(stacks)} environments: {summary["passed"]} passed, 0 failed')
PY
