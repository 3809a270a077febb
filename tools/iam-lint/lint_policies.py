"""Runs the parliament IAM policy linter over every policy of every synthesized environment.

Reads cdktf.out/stacks/<env>/cdk.tf.json (run `npm run synth` first) and lints each policy document
Terraform will send to AWS: role permissions and trust policies, bucket, key, endpoint, topic and
queue policies, and aws_iam_policy_document data sources. Terraform references (`${aws_kms_key.x.arn}`,
`${var.account_id}`) are replaced by ARNs of the right shape first, as parliament checks ARN formats.

Each finding is matched against tools/iam-lint/allowed-findings.json, where every accepted finding
has a reason. The run fails on a finding nobody justified, and on an allow-list entry that matches
nothing (a justification for a finding that is gone must go too). Prints the counts before and after
the allow-list.

    .venv/bin/python tools/iam-lint/lint_policies.py [--stacks cdktf.out/stacks] [--allowed FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parliament import analyze_policy_string

ACCOUNT = "111122223333"
REGION = "eu-central-2"

# Resource type -> attributes that hold a policy document (JSON string).
POLICY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_iam_role": ("assume_role_policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_policy": ("policy",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_kms_key": ("policy",),
    "aws_kms_key_policy": ("policy",),
    "aws_vpc_endpoint": ("policy",),
    "aws_sns_topic_policy": ("policy",),
    "aws_sqs_queue_policy": ("policy",),
    "aws_cloudwatch_log_resource_policy": ("policy_document",),
}

# What a reference to an attribute of a resource type stands for, by the ARN it will have.
REFERENCE_SHAPES: dict[str, str] = {
    "aws_kms_key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000",
    "aws_iam_role": f"arn:aws:iam::{ACCOUNT}:role/{{name}}",
    "aws_sns_topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{{name}}",
    "aws_sqs_queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{{name}}",
    "aws_lambda_function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{{name}}",
    "aws_cloudwatch_event_rule": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{{name}}",
    "aws_cloudwatch_log_group": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{{name}}",
    "aws_s3_bucket": "arn:aws:s3:::{name}",
    "aws_cloudtrail": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{{name}}",
    "aws_scheduler_schedule_group": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/{{name}}",
}

REFERENCE = re.compile(r"\$\{([^{}]*)\}")


@dataclass(frozen=True)
class Finding:
    environment: str
    resource: str
    issue: str
    detail: str

    def matches(self, entry: dict[str, str]) -> bool:
        return (
            re.fullmatch(entry["resource"], self.resource) is not None
            and entry["issue"] == self.issue
            and re.search(entry.get("detail", ""), self.detail) is not None
        )


def resolve(text: str) -> str:
    """Replaces Terraform expressions with literal values of the shape AWS will see."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "var.account_id":
            return ACCOUNT
        parts = expression.split(".")
        if len(parts) == 3 and parts[0] in REFERENCE_SHAPES:
            return REFERENCE_SHAPES[parts[0]].format(name=parts[1])
        if parts[-1] == "id" and len(parts) == 3:
            return f"{parts[0].removeprefix('aws_')}-{parts[1]}"
        return f"resolved-{parts[-1]}"

    return REFERENCE.sub(value, text)


def scalar_single_values(policy_json: str) -> str:
    """One-element condition value lists as scalars: equivalent in IAM, and parliament reads a Bool
    condition's value only as a scalar (it fails on `["true"]`)."""
    policy = json.loads(policy_json)
    statements = policy.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        for operator, keys in statement.get("Condition", {}).items():
            for key, values in keys.items():
                if isinstance(values, list) and len(values) == 1:
                    statement["Condition"][operator][key] = values[0]
    return json.dumps(policy)


def policy_document_json(config: dict[str, Any]) -> str:
    """An aws_iam_policy_document data source as the JSON Terraform renders."""
    statements = []
    for block in config.get("statement", []):
        statement: dict[str, Any] = {"Effect": block.get("effect", "Allow")}
        if "sid" in block:
            statement["Sid"] = block["sid"]
        for key, name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource")):
            if key in block:
                statement[name] = block[key]
        principals: dict[str, list[str]] = {}
        for principal in block.get("principals", []):
            identifiers = principal["identifiers"]
            if isinstance(identifiers, str):  # a list variable: stands for role ARNs
                identifiers = [f"arn:aws:iam::{ACCOUNT}:role/consumer"]
            principals.setdefault(principal["type"], []).extend(identifiers)
        if principals:
            statement["Principal"] = principals
        conditions: dict[str, dict[str, list[str]]] = {}
        for condition in block.get("condition", []):
            conditions.setdefault(condition["test"], {})[condition["variable"]] = condition["values"]
        if conditions:
            statement["Condition"] = conditions
        statements.append(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def policies_of(stack: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for resource_type, attributes in POLICY_ATTRIBUTES.items():
        for logical_id, config in stack.get("resource", {}).get(resource_type, {}).items():
            for attribute in attributes:
                policy = config.get(attribute)
                if not isinstance(policy, str):
                    continue
                if re.fullmatch(r"\$\{data\.aws_iam_policy_document\.[^.]+\.json\}", policy):
                    continue  # linted as the data source below
                yield f"{resource_type}.{logical_id}.{attribute}", policy
    for logical_id, config in stack.get("data", {}).get("aws_iam_policy_document", {}).items():
        yield f"data.aws_iam_policy_document.{logical_id}", policy_document_json(config)


def lint_environment(environment: str, stack_file: Path) -> list[Finding]:
    stack = json.loads(stack_file.read_text())
    findings: dict[Finding, None] = {}
    for resource, policy in policies_of(stack):
        analyzed = analyze_policy_string(scalar_single_values(resolve(policy)))
        # parliament reports a condition problem once per action a wildcard expands to: once is enough.
        for finding in analyzed.findings:
            findings[Finding(environment, resource, finding.issue, json.dumps(finding.detail, sort_keys=True, default=str))] = None
    return list(findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", type=Path, default=Path("cdktf.out/stacks"))
    parser.add_argument("--allowed", type=Path, default=Path(__file__).with_name("allowed-findings.json"))
    args = parser.parse_args()

    stack_files = sorted(args.stacks.glob("*/cdk.tf.json"))
    if not stack_files:
        print(f"[iam-lint] no synthesized stacks under {args.stacks}: run npm run synth", file=sys.stderr)
        return 1
    allowed = json.loads(args.allowed.read_text())["allowed"]
    unjustified = [entry for entry in allowed if len(entry.get("reason", "").strip()) < 20]
    if unjustified:
        print(f"[iam-lint] allow-list entries without a written reason: {unjustified}", file=sys.stderr)
        return 1

    findings = [finding for stack_file in stack_files for finding in lint_environment(stack_file.parent.name, stack_file)]
    used = [False] * len(allowed)
    remaining = []
    for finding in findings:
        matched = [index for index, entry in enumerate(allowed) if finding.matches(entry)]
        for index in matched:
            used[index] = True
        if not matched:
            remaining.append(finding)

    environments = ", ".join(stack_file.parent.name for stack_file in stack_files)
    print(
        f"[iam-lint] parliament {environments}: {len(findings)} findings, {len(findings) - len(remaining)} justified in {args.allowed.name}, {len(remaining)} left"
    )
    for finding in remaining:
        print(f"  {finding.environment} {finding.resource}: {finding.issue} {finding.detail}", file=sys.stderr)
    stale = [entry for entry, was_used in zip(allowed, used, strict=True) if not was_used]
    for entry in stale:
        print(f"  allow-list entry matches no finding (remove it): {entry}", file=sys.stderr)
    return 1 if remaining or stale else 0


if __name__ == "__main__":
    sys.exit(main())
