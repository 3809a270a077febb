"""Bucket policies evaluated with their conditions, against what the request really carried.

moto 5.2.5 consults a bucket's policy on every object request (``FakeBucket.get_permission``) but evaluates a
statement's ``Condition`` only for ``StringEquals`` and only with values it is never given
(moto/iam/access_control.py ``_check_conditions``): any other operator is skipped, so a ``Deny`` with a condition
applies as if it had none. The platform's TLS-only statement (``Bool aws:SecureTransport false``) therefore refused
every object request, and the bucket policies could not be applied locally.

Here each statement is evaluated as IAM evaluates a bucket policy for the request in hand: ``Principal``/``NotPrincipal``,
``Action``/``NotAction``, ``Resource``/``NotResource`` (IAM's ``*``/``?`` wildcards) and every condition, with the
request context derived from the request itself (``request_context``):

- ``aws:SecureTransport`` is true only for a request that arrived over TLS (the emulator's TLS listener,
  emulator_tls.py), ``s3:TlsVersion`` is the version the connection negotiated;
- ``aws:PrincipalArn`` is the caller's IAM user, or the role of an assumed-role session; a key the emulator did not
  issue is moto's default identity (``arn:aws:sts::<account>:user/moto``, what its GetCallerIdentity answers);
- the S3 request keys from their headers: ``s3:x-amz-server-side-encryption``, ``...-aws-kms-key-id``,
  ``...-customer-algorithm``, ``s3:x-amz-acl``, ``s3:object-lock-mode``, ``s3:object-lock-retain-until-date``,
  ``s3:object-lock-remaining-retention-days``, ``s3:if-none-match``; for a PutObjectRetention the three lock keys from
  its XML body instead (unknown when the body cannot be read); ``s3:ObjectCreationOperation`` from the operation, as S3
  sets it on s3:PutObject: true for PutObject, CopyObject and CompleteMultipartUpload, false for
  CreateMultipartUpload, UploadPart and UploadPartCopy (``object_creation_operation``);
- ``aws:SourceVpce`` and ``aws:SourceVpc`` are the endpoint's and its VPC's id for a request that arrived on the listener
  of an S3 gateway endpoint (emulator_vpc_endpoint.py), and absent for every other request;
- ``aws:PrincipalIsAWSService`` and ``aws:ViaAWSService`` are false (every caller of the emulator calls it directly),
  ``aws:SourceArn`` and ``aws:SourceAccount`` are absent (set only on a service's request on behalf of a resource).

Operators: String*, Arn*, Numeric*, Bool, Null, each with ``...IfExists``; a key absent from the request makes a positive
operator false and a negated one (``...Not...``) true, as IAM documents. What the emulator cannot evaluate (another
operator, a ``ForAnyValue:``/``ForAllValues:`` set operator, a key it does not derive) is decided conservatively: the
condition holds for a ``Deny`` (the statement refuses) and fails for an ``Allow`` (the statement grants nothing). So a
statement is never weaker here than on AWS for a request and action this module evaluates (what it does not evaluate:
below); it can only be stricter for a key the emulator does not know.

The action evaluated is the one IAM authorizes the request as (``object_action``), not moto's name: moto asks for
``s3:<Method>Object`` on every object request (``s3:HeadObject``, ``s3:PostObject`` for CreateMultipartUpload and
CompleteMultipartUpload, ``s3:PutObject`` for PutObjectRetention), so a statement naming s3:PutObject,
s3:PutObjectRetention or s3:GetObject would otherwise miss the request. An action outside that table (a query
subresource S3 has no object operation for) keeps moto's name.

What is not evaluated: moto consults the bucket policy only on object requests (``S3Response._key_response``) and on
each key of a DeleteObjects (as s3:DeleteObject, also for a key named with a version id); a bucket-level request
(ListBucket, GetBucketPolicy, PutBucketPolicy, GetBucketLocation, ...) never reaches this evaluation, so a bucket
policy's statements on the bucket ARN do not refuse anything locally. Where a request needs a second action on AWS
(s3:BypassGovernanceRetention with the bypass header, s3:GetObject on an UploadPartCopy's or CopyObject's source), only
the first is evaluated.

moto answers a refusal with an empty 403; here it is S3's ``AccessDenied`` with AWS's message for an explicit deny in a
resource-based policy (the caller, an assumed role as its session ARN as AWS names it, the action and the resource), so
a refused component says what it was refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree

from emulator_iam import S3AccessDenied  # local/, beside this file
from moto.iam.access_control import PermissionResult
from moto.iam.models import iam_backends
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response
from moto.sts.models import sts_backends

# environ key the emulator's TLS listener sets to the negotiated protocol (emulator_tls.py), e.g. "TLSv1.3"
TLS_PROTOCOL_ENVIRON = "sentinel.tls_protocol"
# environ keys a VPC endpoint's listener sets to the endpoint's and its VPC's id (emulator_vpc_endpoint.py)
SOURCE_VPCE_ENVIRON = "sentinel.source_vpce"
SOURCE_VPC_ENVIRON = "sentinel.source_vpc"

Context = dict[str, str]
"""Condition keys (lower case) present in the request, with their value."""

# keys the emulator derives for every request: absent from a Context means absent from the request, not unknown
KNOWN_KEYS = frozenset(
    {
        "aws:securetransport",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalisawsservice",
        "aws:viaawsservice",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:sourcearn",
        "aws:sourceaccount",
        "s3:tlsversion",
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-server-side-encryption-customer-algorithm",
        "s3:x-amz-acl",
        "s3:object-lock-mode",
        "s3:object-lock-retain-until-date",
        "s3:object-lock-remaining-retention-days",
        "s3:if-none-match",
        "s3:objectcreationoperation",
    }
)

HEADER_KEYS = {
    "x-amz-server-side-encryption": "s3:x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id": "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-customer-algorithm": "s3:x-amz-server-side-encryption-customer-algorithm",
    "x-amz-acl": "s3:x-amz-acl",
    "x-amz-object-lock-mode": "s3:object-lock-mode",
    "x-amz-object-lock-retain-until-date": "s3:object-lock-retain-until-date",
    "if-none-match": "s3:if-none-match",
}

UNKNOWN = "\x00unknown"
"""A Context value for a key the request carries in a form the emulator could not read: every operator on it is
decided conservatively (a Deny holds, an Allow grants nothing)."""

_request: ContextVar[Context | None] = ContextVar("sentinel_bucket_policy_request", default=None)
# (principal, action, resource) of the request's last refusal by a bucket policy, for the AccessDenied message
_denial: ContextVar[tuple[str, str, str] | None] = ContextVar("sentinel_bucket_policy_denial", default=None)
# (the action moto asks for on an object request, the action IAM authorizes that request as)
_object_action: ContextVar[tuple[str, str] | None] = ContextVar("sentinel_bucket_policy_object_action", default=None)
# the request's caller as AWS names it in that message, when it differs from aws:PrincipalArn (an assumed-role session)
_caller: ContextVar[str | None] = ContextVar("sentinel_bucket_policy_caller", default=None)


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name) if headers is not None else None
    return None if value is None else str(value)


def principal_arn(account_id: str, partition: str, access_key_id: str | None) -> str:
    """The aws:PrincipalArn of a request signed with ``access_key_id``."""
    if access_key_id:
        assumed = sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key_id)
        if assumed is not None:
            return str(assumed.role_arn)
        user = iam_backends[account_id][partition].get_user_from_access_key_id(access_key_id)
        if user is not None:
            return str(user.arn)
    return f"arn:{partition}:sts::{account_id}:user/moto"


def caller_arn(account_id: str, partition: str, access_key_id: str | None) -> str | None:
    """The ARN AWS names in an AccessDenied message: an assumed role's session (``...:assumed-role/<role>/<session>``),
    else None (the caller is aws:PrincipalArn)."""
    if not access_key_id:
        return None
    assumed = sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key_id)
    return None if assumed is None else str(assumed.arn)


def _access_key_id(headers: Any, query: str) -> str | None:
    authorization = _header(headers, "Authorization") or ""
    match = re.search(r"Credential=([^/,\s]+)/", authorization) or re.search(r"X-Amz-Credential=([^/%&]+)(?:/|%2F)", query)
    return match.group(1) if match else None


# (method, subresource) -> (the action, the action when the request names a versionId where IAM has one); a HEAD is
# authorized as the GET. A request's subresource is the first of _SUBRESOURCES it carries that its method has a row for.
_OBJECT_ACTIONS: dict[tuple[str, str | None], tuple[str, str | None]] = {
    ("GET", "uploadId"): ("s3:ListMultipartUploadParts", None),
    ("GET", "acl"): ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("GET", "tagging"): ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("GET", "attributes"): ("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
    ("GET", "torrent"): ("s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"),
    ("GET", "retention"): ("s3:GetObjectRetention", None),
    ("GET", "legal-hold"): ("s3:GetObjectLegalHold", None),
    ("GET", None): ("s3:GetObject", "s3:GetObjectVersion"),
    ("PUT", "acl"): ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("PUT", "tagging"): ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    ("PUT", "retention"): ("s3:PutObjectRetention", None),
    ("PUT", "legal-hold"): ("s3:PutObjectLegalHold", None),
    ("PUT", None): ("s3:PutObject", None),
    ("DELETE", "uploadId"): ("s3:AbortMultipartUpload", None),
    ("DELETE", "tagging"): ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    ("DELETE", None): ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    ("POST", "uploads"): ("s3:PutObject", None),
    ("POST", "uploadId"): ("s3:PutObject", None),
    ("POST", "restore"): ("s3:RestoreObject", None),
    ("POST", "select"): ("s3:GetObject", None),
}
_SUBRESOURCES = ("uploads", "uploadId", "acl", "tagging", "attributes", "torrent", "retention", "legal-hold", "restore", "select")


def object_action(method: str, query: Collection[str]) -> str | None:
    """The IAM action S3 authorizes an object request as (Service Authorization Reference, "Actions defined by Amazon
    S3"), from its method and query parameters; None for a request S3 has no object operation for (moto's name stays).

    moto names every object request ``s3:<Method>Object``; IAM names the operation: CreateMultipartUpload (POST
    ?uploads), UploadPart, UploadPartCopy and CompleteMultipartUpload (POST ?uploadId) are s3:PutObject, a subresource
    has its own action (?retention is s3:PutObjectRetention), and a versionId selects the ...Version action where IAM
    has one (there is no s3:PutObjectVersion: a PUT with a versionId is still s3:PutObject)."""
    verb = "GET" if method.upper() == "HEAD" else method.upper()
    subresource = next((name for name in _SUBRESOURCES if name in query and (verb, name) in _OBJECT_ACTIONS), None)
    actions = _OBJECT_ACTIONS.get((verb, subresource))
    if actions is None:
        return None
    unversioned, versioned = actions
    return versioned if versioned is not None and "versionId" in query else unversioned


def object_creation_operation(method: str, query: Collection[str]) -> str | None:
    """s3:ObjectCreationOperation as S3 sets it on s3:PutObject ("Enforce conditional writes"): true for the request
    that creates the object (PutObject, CopyObject, CompleteMultipartUpload), false for CreateMultipartUpload,
    UploadPart and UploadPartCopy, which accept no conditional header; None (absent) for any other request."""
    if object_action(method, query) != "s3:PutObject":
        return None
    if method.upper() == "POST":
        return "false" if "uploads" in query else "true"
    return "false" if "uploadId" in query else "true"


def _remaining_days(retain_until: str) -> str:
    until = datetime.fromisoformat(retain_until.strip().replace("Z", "+00:00"))
    return str((until - datetime.now(UTC)).days)


def _retention_from_body(body: bytes) -> Context:
    """The object-lock keys of a PutObjectRetention, whose mode and retain-until date are in its XML body
    (``<Retention><Mode>..</Mode><RetainUntilDate>..</RetainUntilDate></Retention>``); a body the emulator cannot read
    makes them unknown, so a Deny on them holds."""
    keys = ("s3:object-lock-mode", "s3:object-lock-retain-until-date", "s3:object-lock-remaining-retention-days")
    try:
        root = ElementTree.fromstring(body)
        fields = {element.tag.rsplit("}", 1)[-1]: (element.text or "").strip() for element in root}
        context: Context = {}
        if fields.get("Mode"):
            context["s3:object-lock-mode"] = fields["Mode"]
        if fields.get("RetainUntilDate"):
            context["s3:object-lock-retain-until-date"] = fields["RetainUntilDate"]
            context["s3:object-lock-remaining-retention-days"] = _remaining_days(fields["RetainUntilDate"])
        return context
    except (ElementTree.ParseError, ValueError):
        return dict.fromkeys(keys, UNKNOWN)


def request_context(
    environ: dict[str, Any], headers: Any, method: str, query: str, account_id: str, partition: str, body: bytes = b""
) -> Context:
    """The condition keys of one S3 request (see the module docstring for what each is)."""
    secure = environ.get("wsgi.url_scheme") == "https"
    arn = principal_arn(account_id, partition, _access_key_id(headers, query))
    context: Context = {
        "aws:securetransport": "true" if secure else "false",
        "aws:principalarn": arn,
        "aws:principalaccount": account_id,
        "aws:principalisawsservice": "false",
        "aws:viaawsservice": "false",
    }
    endpoint, vpc = environ.get(SOURCE_VPCE_ENVIRON), environ.get(SOURCE_VPC_ENVIRON)
    if isinstance(endpoint, str) and isinstance(vpc, str):
        context["aws:sourcevpce"], context["aws:sourcevpc"] = endpoint, vpc
    protocol = environ.get(TLS_PROTOCOL_ENVIRON)
    if secure and isinstance(protocol, str) and protocol.startswith("TLSv"):
        context["s3:tlsversion"] = protocol.removeprefix("TLSv")
    for header, key in HEADER_KEYS.items():
        value = _header(headers, header)
        if value is not None:
            context[key] = value
    retain_until = _header(headers, "x-amz-object-lock-retain-until-date")
    if retain_until is not None:
        try:
            context["s3:object-lock-remaining-retention-days"] = _remaining_days(retain_until)
        except ValueError:
            context["s3:object-lock-remaining-retention-days"] = UNKNOWN
    parameters = parse_qs(query, keep_blank_values=True)
    if object_action(method, parameters) == "s3:PutObjectRetention":
        context.update(_retention_from_body(body))
    creation = object_creation_operation(method, parameters)
    if creation is not None:
        context["s3:objectcreationoperation"] = creation
    return context


# --- statement evaluation ------------------------------------------------------------------------------------------


@cache
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _like(value: str, pattern: str, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case).match(value) is not None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def matches(value: str, pattern: str) -> bool:
        left, right = _number(value), _number(pattern)
        return left is not None and right is not None and compare(left, right)

    return matches


# operator -> (matches(request value, policy value), negated)
OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda v, p: v == p, False),
    "StringNotEquals": (lambda v, p: v == p, True),
    "StringEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "ArnEquals": (_like, False),
    "ArnLike": (_like, False),
    "ArnNotEquals": (_like, True),
    "ArnNotLike": (_like, True),
    "NumericEquals": (_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False),
    "Bool": (lambda v, p: v.lower() == p.lower(), False),
}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def condition_holds(operator: str, key: str, expected: Any, context: Context, deny: bool) -> bool:
    """One operator/key entry of a Condition block, for the request's context (unknowns: see the module docstring)."""
    key = key.lower()
    values = [str(value).lower() if isinstance(value, bool) else str(value) for value in _listed(expected)]
    if key not in KNOWN_KEYS:
        return deny
    if context.get(key) == UNKNOWN:
        return deny
    present = key in context
    if operator == "Null":
        return any((value.lower() == "true") != present for value in values)
    if_exists = operator.endswith("IfExists")
    entry = OPERATORS.get(operator.removesuffix("IfExists"))
    if entry is None:
        return deny
    matches, negated = entry
    if not present:
        return if_exists or negated
    matched = any(matches(context[key], value) for value in values)
    return not matched if negated else matched


def conditions_hold(conditions: dict[str, dict[str, Any]], context: Context, deny: bool) -> bool:
    return all(
        condition_holds(operator, key, expected, context, deny)
        for operator, entries in conditions.items()
        for key, expected in entries.items()
    )


def _principal_matches(principal: Any, arn: str, account_id: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for candidate in _listed(principal.get("AWS")):
        text = str(candidate)
        if text in {"*", arn, account_id, f"arn:aws:iam::{account_id}:root"}:
            return True
    return False  # Service, Federated and CanonicalUser principals are never a direct caller of the emulator


def _statement_applies(statement: dict[str, Any], action: str, resource: str, context: Context) -> bool:
    deny = statement.get("Effect") == "Deny"
    arn, account = context.get("aws:principalarn", ""), context.get("aws:principalaccount", "")
    if "NotPrincipal" in statement:
        if _principal_matches(statement["NotPrincipal"], arn, account):
            return False
    elif not _principal_matches(statement.get("Principal"), arn, account):
        return False
    if "NotAction" in statement:
        if any(_like(action, str(a), ignore_case=True) for a in _listed(statement["NotAction"])):
            return False
    elif not any(_like(action, str(a), ignore_case=True) for a in _listed(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        if any(_like(resource, str(r)) for r in _listed(statement["NotResource"])):
            return False
    elif not any(_like(resource, str(r)) for r in _listed(statement.get("Resource"))):
        return False
    return conditions_hold(statement.get("Condition") or {}, context, deny)


def evaluate(policy: dict[str, Any], action: str, resource: str, context: Context) -> PermissionResult:
    """DENIED when a Deny statement applies, PERMITTED when an Allow does, else NEUTRAL."""
    permitted = False
    for statement in _listed(policy.get("Statement")):
        if not _statement_applies(statement, action, resource, context):
            continue
        if statement.get("Effect") == "Deny":
            return PermissionResult.DENIED
        permitted = permitted or statement.get("Effect") == "Allow"
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


# --- moto patches ----------------------------------------------------------------------------------------------------

_setup_class = S3Response.setup_class
_key_response = S3Response._key_response


def _setup_class_remembering_context(self: Any, request: Any, full_url: str | None = None, headers: Any = None) -> None:
    _setup_class(self, request, full_url, headers)
    environ = getattr(request, "environ", None) or {}
    query = str(environ.get("QUERY_STRING") or "")
    bucket_account = self.current_account
    method = str(request.method)
    body = self.raw_body if isinstance(self.raw_body, bytes) else b""
    _request.set(request_context(environ, request.headers, method, query, bucket_account, self.partition, body))
    moto_action = f"s3:{method.upper()[:1]}{method.lower()[1:]}Object"  # what moto's _key_response asks for
    iam_action = object_action(method, parse_qs(query, keep_blank_values=True))
    _object_action.set(None if iam_action is None else (moto_action, iam_action))
    _caller.set(caller_arn(bucket_account, self.partition, _access_key_id(request.headers, query)))
    _denial.set(None)


def _permission_under_conditions(self: FakeBucket, action: str, resource: str) -> PermissionResult:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    context = _request.get()
    if context is None:  # not an HTTP request (moto's internals): an unknown caller over an unknown transport
        context = {"aws:principalaccount": self.account_id}
    named = _object_action.get()
    if named is not None and action == named[0]:  # moto's s3:<Method>Object for this object request: IAM's name instead
        action = named[1]
    result = evaluate(json.loads(self.policy.decode()), action, resource, context)
    if result == PermissionResult.DENIED:
        _denial.set((_caller.get() or context.get("aws:principalarn", "anonymous"), action, resource))
    return result


def _key_response_naming_the_denial(self: Any, request: Any, full_url: str) -> Any:
    response = _key_response(self, request, full_url)
    denial = _denial.get()
    if denial is not None and isinstance(response, tuple) and response[0] == 403 and not response[2]:
        principal, action, resource = denial
        raise S3AccessDenied(
            str(self.bucket_name),
            f'User: {principal} is not authorized to perform: {action} on resource: "{resource}" '
            "with an explicit deny in a resource-based policy",
        )
    return response


def install() -> None:
    """Evaluate every bucket policy with its conditions (see the module docstring)."""
    S3Response.setup_class = _setup_class_remembering_context  # type: ignore[method-assign]
    FakeBucket.get_permission = _permission_under_conditions  # type: ignore[method-assign]
    S3Response._key_response = _key_response_naming_the_denial  # type: ignore[method-assign]
