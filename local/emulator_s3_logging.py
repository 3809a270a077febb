"""How the emulator decides whether a bucket may log to a target bucket (PutBucketLogging).

moto 5.2.5 accepts a target whose bucket policy grants the logging service ``s3:PutObject`` only when the statement
names ``Principal.Service`` and ``Resource`` as single strings (``FakeBucket._log_permissions_enabled_policy``), so the
equally valid one-element lists the Terraform provider writes (``aws_iam_policy_document``) were refused with
``InvalidTargetBucketForLogging``, and it never looks at the statement's conditions. Here a statement grants delivery
when, as IAM reads it: it allows, its principal (string or list) is the logging service, an action (string or list,
wildcards as IAM matches them) covers ``s3:PutObject``, a resource covers every object under the target prefix, and
each condition holds for the delivery (``aws:SourceArn`` = the logged bucket, ``aws:SourceAccount`` = its account)
under StringEquals/StringLike/ArnEquals/ArnLike. A condition on any other key or operator is not taken as granting.
The ACL path and every other check stay moto's.

moto also writes a made-up log object into the target bucket at once for every request to a logged bucket
(``S3Backend.log_incoming_request``). AWS delivers access logs best effort, hours later; written at once, they refill
the access-log bucket during every ``terraform destroy`` (its refresh and object deletions are logged requests) and
Terraform cannot delete that bucket (``BucketNotEmpty``: every platform bucket keeps ``force_destroy`` off). Here no
log object is written: the logging configuration is held and checked as above, the delivery is not emulated.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

from moto.s3.exceptions import CrossLocationLoggingProhibited, InvalidTargetBucketForLogging
from moto.s3.models import FakeBucket, S3Backend
from moto.s3.utils import LOGGING_SERVICE_PRINCIPAL

_MATCHERS = {
    "StringEquals": lambda value, pattern: value == pattern,
    "ArnEquals": lambda value, pattern: value == pattern,
    "StringLike": fnmatchcase,
    "ArnLike": fnmatchcase,
}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _covers_objects_under(pattern: str, prefix_arn: str) -> bool:
    """Whether a Resource pattern covers every object ARN that starts with ``prefix_arn``."""
    return pattern == f"{prefix_arn}*" or (pattern.endswith("*") and "*" not in pattern[:-1] and prefix_arn.startswith(pattern[:-1]))


def _conditions_hold(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    for operator, entries in conditions.items():
        matcher = _MATCHERS.get(operator)
        if matcher is None:
            return False
        for key, allowed in entries.items():
            value = context.get(key.lower())
            if value is None or not any(matcher(value, str(pattern)) for pattern in _listed(allowed)):
                return False
    return True


def policy_allows_log_delivery(target: FakeBucket, source: FakeBucket, prefix: str) -> bool:
    if not target.policy:
        return False
    document = json.loads(target.policy.decode())
    prefix_arn = f"arn:{target.partition}:s3:::{target.name}/{prefix}"
    context = {"aws:sourcearn": f"arn:{source.partition}:s3:::{source.name}", "aws:sourceaccount": source.account_id}
    for statement in _listed(document.get("Statement")):
        principal = statement.get("Principal")
        services = _listed(principal.get("Service")) if isinstance(principal, dict) else []
        if statement.get("Effect") != "Allow" or LOGGING_SERVICE_PRINCIPAL not in services:
            continue
        if not any(fnmatchcase("s3:putobject", str(action).lower()) for action in _listed(statement.get("Action"))):
            continue
        if not any(_covers_objects_under(str(resource), prefix_arn) for resource in _listed(statement.get("Resource"))):
            continue
        if _conditions_hold(statement.get("Condition") or {}, context):
            return True
    return False


def set_logging(self: FakeBucket, logging_config: dict[str, Any] | None, bucket_backend: S3Backend) -> None:
    """moto's FakeBucket.set_logging, with the policy read as IAM reads it (see the module docstring)."""
    if not logging_config:
        self.logging = {}
        return
    target = bucket_backend.buckets.get(logging_config["TargetBucket"])
    if not target:
        raise InvalidTargetBucketForLogging("The target bucket for logging does not exist.")
    prefix = logging_config.get("TargetPrefix") or ""
    if not (policy_allows_log_delivery(target, self, prefix) or FakeBucket._log_permissions_enabled_acl(target)):
        raise InvalidTargetBucketForLogging(
            "You must either provide the necessary permissions to the logging service using a bucket "
            "policy or give the log-delivery group WRITE and READ_ACP permissions to the target bucket"
        )
    if target.region_name != self.region_name:
        raise CrossLocationLoggingProhibited()
    self.logging = logging_config


def _deliver_no_access_log(self: S3Backend, request: Any, bucket_name: str) -> None:
    """Access logs are not delivered (see the module docstring)."""


def install() -> None:
    FakeBucket.set_logging = set_logging  # type: ignore[method-assign]
    S3Backend.log_incoming_request = _deliver_no_access_log  # type: ignore[method-assign]
