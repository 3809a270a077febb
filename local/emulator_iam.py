"""What moto's IAM enforcement lacks for the platform's policies: resource ARNs, and JSON-protocol denials.

With IAM enforcement on (``INITIAL_NO_AUTH_ACTION_COUNT`` or ``POST /moto-api/reset-auth``), moto 5.2.5
checks the caller's identity policies against a request's action and *resource*, but it only knows the
resource for S3, STS AssumeRole, IAM and SQS: every other service is checked against ``"*"`` (getmoto/moto
issue 9581), so an ``Allow`` naming a key, job or log group ARN never matches and the honest path is
refused. This module gives Glue, KMS, CloudWatch Logs and EventBridge the ARN AWS evaluates for the request, derived
from its parameters, so the synthesized least-privilege policies can be enforced as written.

Simplifications (documented in docs/security-model.md): AWS also requires the catalog and database ARNs
for a Glue table action, and evaluates the KMS key policy and policy conditions; moto does none of these.
Requests for which no resource is derived stay at moto's ``"*"``.

moto also answers every refused non-S3 request with a query-protocol XML error, which the JSON-protocol
SDKs (Glue, KMS, Logs, EventBridge) cannot parse; a refusal of a JSON-protocol request is answered as AWS answers it,
``AccessDeniedException`` with the principal, action and resource, so callers see what they would see on AWS. An S3
refusal keeps S3's ``AccessDenied`` code and XML, with the message AWS gives for an identity-policy denial (moto's is a
bare "Access Denied"), so a run that lacks a grant fails naming the action it was refused.

moto recomputes the SigV4 signature of every request once enforcement is on, and its S3 recomputation disagrees with
the AWS SDK for Java v1 that Hadoop's S3A (the Glue job's Spark reads and writes) signs with: every S3A request fails
``SignatureDoesNotMatch`` (the JavaScript and Python SDKs' requests verify). For those requests the signature is not
re-verified; the principal is still the access key's, an assumed role's key still needs its session token (moto checks
it), and the policies are evaluated as for any other request (docs/security-model.md).

moto authorizes a multi-object delete (``POST ?delete``) as ``s3:DeleteObject`` on the *bucket*, so a grant on a
prefix (the job role's ``_staging/`` clean-up) never matches and every key is refused; AWS authorizes each key. Here
each key of the request is authorized as ``s3:DeleteObject`` on its object ARN, as AWS does: the permitted keys are
deleted and each refused one is reported ``AccessDenied`` in the answer.

moto recomputes the signature over the request's form fields when its body is empty, and for a request with no body and
no query string those fields are its *headers* (moto's BaseResponse falls back to them): a GET such as Scheduler's
``GetScheduleGroup`` or Lambda's ``ListFunctions`` was signed by its SDK over an empty payload and recomputed over the
URL-encoded headers, so every such call failed ``SignatureDoesNotMatch`` (the Terraform refresh of a running npm start
stopped at the first). A request that carried no body (no or a zero ``Content-Length``) is recomputed over the empty
payload it was signed over; every other request as moto does, and the signature is still checked for all of them.

moto cannot evaluate the trust policies Terraform applies: a statement for a service principal (``lambda.amazonaws.com``)
fails its principal check with a ``TypeError`` (HTTP 500), one naming another principal denies instead of not applying,
and a ``Deny`` that names the caller permits (moto's trust check returns "permitted" for any statement without a
Resource). Here a trust policy is evaluated as AWS does: an ``Allow`` naming the caller (its conditions as moto evaluates
them) lets it in, a ``Deny`` that may apply keeps it out (its conditions not evaluated: never weaker than on AWS), and a
statement naming other principals does not apply. And the services and consumer principals the trust
policies name cannot call the emulator, so one local user stands in for them: the local operator
(``STAND_IN_USER``, created by local/emulator/role-sessions.ts, whose identity policy allows ``sts:AssumeRole`` on the
platform's roles and nothing else) may assume a role whose trust policy allows ``sts:AssumeRole`` to a service principal
or to AWS principals none of which exists in the emulator, unless a statement denies it. A local-only rule of this
emulator, documented in docs/security-model.md: the roles keep the trust policies Terraform declared (a plan against
npm start's emulator shows no trust change), the operator is named by nothing in them, and the conditions of a
stood-in statement (``aws:SourceAccount``, ``aws:SourceArn``, MFA, source identity: the service's or consumer's request
context, which the operator does not carry) are not evaluated.

The front that translates CloudWatch's CBOR requests (aws_emulator.py) hands moto a query-protocol request of its own
making under the client's signature, which cannot match it; the front leaves the request as it arrived in the environ
(``SIGNED_REQUEST``) and the signature is verified over that. S3 Control signs as S3 does (signing name ``s3``, the path
encoded once); moto verified it as any other service, encoding the path a second time, so every S3 Control call whose
path holds an encoded character (``ListTagsForResource`` of a bucket ARN, which the refresh of every bucket makes) failed
``SignatureDoesNotMatch``; it is verified as S3 is.

moto names a CloudWatch action after the service's signing name (``monitoring:PutMetricData``); IAM names it
``cloudwatch:PutMetricData``, which is what policies grant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

import xmltodict
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from moto.core.exceptions import JsonRESTError
from moto.events.responses import EventsHandler
from moto.glue.responses import GlueResponse
from moto.iam.access_control import IAMPolicyStatement, IAMRequest, IAMRequestBase, S3IAMRequest
from moto.iam.exceptions import NotFoundException as IamNotFound
from moto.iam.utils import format_incoming_conditional_values
from moto.kms.exceptions import NotFoundException
from moto.kms.models import kms_backends
from moto.kms.responses import KmsResponse
from moto.logs.responses import LogsResponse
from moto.s3.exceptions import BucketAccessDeniedError
from moto.s3.responses import S3Response
from moto.utilities.utils import get_partition


def _body(response: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(response.body or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _prefix(response: Any, service: str) -> str:
    return f"arn:aws:{service}:{response.region}:{response.current_account}"


def glue_resource(response: Any) -> str:
    """The job, table or database ARN a Glue request acts on."""
    body = _body(response)
    prefix = _prefix(response, "glue")
    job = body.get("JobName") or (body.get("Name") if response._get_action() in {"CreateJob", "GetJob", "DeleteJob"} else None)
    if isinstance(job, str):
        return f"{prefix}:job/{job}"
    database = body.get("DatabaseName")
    table = body.get("TableName") or body.get("Name") or (body.get("TableInput") or {}).get("Name")
    if isinstance(database, str) and isinstance(table, str):
        return f"{prefix}:table/{database}/{table}"
    if isinstance(database, str):
        return f"{prefix}:database/{database}"
    return "*"


def kms_resource(response: Any) -> str:
    """The key ARN a KMS request acts on (a key id, key ARN or alias resolved as KMS resolves it)."""
    key_id = _body(response).get("KeyId")
    if not isinstance(key_id, str):
        return "*"
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    try:
        resolved = kms_backends[response.current_account][response.region].any_id_to_key_id(key_id)
    except (
        KeyError,
        NotFoundException,
    ):  # unknown key or alias: moto answers NotFound after authorization
        return "*"
    return f"{_prefix(response, 'kms')}:key/{resolved}"


def logs_resource(response: Any) -> str:
    """The log group or log stream ARN a CloudWatch Logs request acts on."""
    body = _body(response)
    prefix = _prefix(response, "logs")
    group = body.get("logGroupName")
    if not isinstance(group, str):
        return f"{prefix}:log-group:*" if response._get_action() == "DescribeLogGroups" else "*"
    stream = body.get("logStreamName")
    if isinstance(stream, str):
        return f"{prefix}:log-group:{group}:log-stream:{stream}"
    return f"{prefix}:log-group:{group}"


def events_resource(response: Any) -> str:
    """The event bus a PutEvents (or rule) request acts on: its named bus, else the default bus."""
    body = _body(response)
    entries = body.get("Entries")
    named = (
        entries[0].get("EventBusName")
        if isinstance(entries, list) and entries and isinstance(entries[0], dict)
        else body.get("EventBusName")
    )
    bus = named if isinstance(named, str) else "default"
    if bus.startswith("arn:"):
        return bus
    return f"{_prefix(response, 'events')}:event-bus/{bus}"


RESOURCE_OF: dict[type, Callable[[Any], str]] = {
    EventsHandler: events_resource,
    GlueResponse: glue_resource,
    KmsResponse: kms_resource,
    LogsResponse: logs_resource,
}


class JsonAccessDenied(JsonRESTError):
    code = 403


class S3AccessDenied(BucketAccessDeniedError):
    """S3's AccessDenied with AWS's identity-policy message (the principal, action and resource)."""

    def __init__(self, bucket: str, message: str) -> None:
        super().__init__(bucket)
        self.message = message
        self.args = (message,)


_check_s3_signature = S3IAMRequest.check_signature
_authorize_s3_action = S3Response._authenticate_and_authorize_s3_action
_delete_keys = S3Response._bucket_response_delete_keys
_iam_request_init = IAMRequest.__init__
_check_action_permitted = IAMRequest.check_action_permitted
_raise_access_denied = IAMRequest._raise_access_denied
_create_aws_request = IAMRequestBase._create_aws_request
_check_request_signature = IAMRequestBase.check_signature
_create_auth = IAMRequest._create_auth


def _check_s3_signature_unless_java_v1(self: Any) -> None:
    agent = str(self._headers.get("User-Agent") or self._headers.get("user-agent") or "")
    if "aws-sdk-java/1." in agent:
        return
    _check_s3_signature(self)


def _carried_no_body(headers: Any) -> bool:
    length = headers.get("Content-Length") or headers.get("content-length")
    return length is None or str(length).strip() in {"", "0"}


def _aws_request_over_the_payload_sent(self: Any) -> AWSRequest:
    """The request as its SDK signed it: with an empty payload when it carried none (moto would put its fields there)."""
    request = _create_aws_request(self)
    if not self._body and _carried_no_body(self._headers):
        request.data = b""
    return request


# The IAM user that stands in for the services and consumer principals of the roles' trust policies; the same name as
# LOCAL_OPERATOR in local/emulator/iam-enforcement.ts.
STAND_IN_USER = "sentinel-local-operator"


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return [statement for statement in (statements if isinstance(statements, list) else [statements]) if isinstance(statement, dict)]


def _names(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(item) for item in value] if isinstance(value, list) else []


def _concerns(statement: dict[str, Any], action: str) -> bool:
    checked = IAMPolicyStatement(statement)
    if "NotAction" in statement:
        return not checked._check_element_matches("NotAction", action)
    return "Action" in statement and checked._check_element_matches("Action", action)


def _exists_in_emulator(backend: Any, arn: str) -> bool:
    """Whether the IAM principal `arn` can call the emulator: a user or role it holds (an account or `*` always can)."""
    if ":role/" in arn:
        try:
            backend.get_role_by_arn(arn)
        except IamNotFound:
            return False
        return True
    if ":user/" in arn:
        return any(user.arn == arn for user in backend.users.values())
    return True


def _stood_in_for(statement: dict[str, Any], backend: Any) -> bool:
    """Whether the statement names principals the local operator stands in for: a service, or IAM principals of which
    none exists in the emulator."""
    principal = statement.get("Principal")
    if not isinstance(principal, dict):
        return False
    if _names(principal.get("Service")):
        return True
    named = _names(principal.get("AWS"))
    return bool(named) and not any(_exists_in_emulator(backend, arn) for arn in named)


def _names_caller(statement: dict[str, Any], caller: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    named = _names(principal.get("AWS")) if isinstance(principal, dict) else []
    return "*" in named or caller in named


def _is_operator(self: Any) -> bool:
    return bool(self._access_key.arn == f"arn:{get_partition(self._region)}:iam::{self.account_id}:user/{STAND_IN_USER}")


def _check_trust_as_aws_does(self: Any, role_arn: str) -> bool:
    """Whether the role's trust policy lets the caller assume it: an Allow that names it (its conditions holding, as
    moto evaluates them) or that names principals the local operator stands in for, and no Deny that may apply (one
    naming everyone, the caller, what it stands in for, or using NotPrincipal; its conditions are not evaluated, so a
    Deny is never weaker than on AWS)."""
    role = self.backend.get_role_by_arn(role_arn)
    caller = self._access_key.arn
    stands_in = _is_operator(self)
    conditions = format_incoming_conditional_values(self._data)
    allowed = False
    for statement in _statements(json.loads(role.assume_role_policy_document)):
        if not _concerns(statement, self._action):
            continue
        stood_in = stands_in and _stood_in_for(statement, self.backend)
        if statement.get("Effect") != "Allow":
            if "NotPrincipal" in statement or stood_in or _names_caller(statement, caller):
                return False
        elif stood_in or (_names_caller(statement, caller) and IAMPolicyStatement(statement)._check_conditions(conditions)):
            allowed = True
    return allowed


# The WSGI environ key under which a front that rewrites a request (aws_emulator.py's CBOR front) leaves the request as its
# client signed it; an environ key, not a header, so no client can set it.
SIGNED_REQUEST = "sentinel.signed_request"


@dataclass(frozen=True)
class SignedRequest:
    """A request as it arrived, before a front translated it: what its signature is verified over."""

    method: str
    path: str
    body: bytes
    headers: Any


def _check_signature_of_the_request_sent(self: Any) -> None:
    environ = getattr(self._headers, "environ", None)
    sent = environ.get(SIGNED_REQUEST) if isinstance(environ, dict) else None
    if not isinstance(sent, SignedRequest):
        _check_request_signature(self)
        return
    translated = (self._method, self._path, self._body, self._headers)
    self._method, self._path, self._body, self._headers = sent.method, sent.path, sent.body, sent.headers
    try:
        _check_request_signature(self)
    finally:
        self._method, self._path, self._body, self._headers = translated


def _sign_s3_control_as_s3(self: Any, credentials: Any) -> SigV4Auth:
    """S3 Control signs as S3 (signing name ``s3``, the path not encoded a second time); moto verifies it as any
    non-S3 service, which encodes the path again."""
    if self._service == "s3":
        return S3SigV4Auth(credentials, self._service, self._region)
    return _create_auth(self, credentials)


def _keys_to_delete(body: Any) -> list[str]:
    try:
        objects = xmltodict.parse(body, strip_whitespace=False)["Delete"].get("Object", [])
    except (ExpatError, KeyError, AttributeError, TypeError):  # malformed: moto refuses it (MalformedXML) after this
        return []
    objects = objects if isinstance(objects, list) else [objects]
    return [str(item["Key"]) for item in objects if isinstance(item, dict) and "Key" in item]


def _authorize_each_key_of_a_delete(self: Any, bucket_name: str | None = None, key_name: str | None = None) -> None:
    keys = (
        _keys_to_delete(self.body)
        if bucket_name and key_name is None and self.data.get("Action") == "DeleteObject" and self.is_delete_keys()
        else []
    )
    if not keys:
        _authorize_s3_action(self, bucket_name, key_name)
        return
    denied: list[str] = []
    refusal: BucketAccessDeniedError | None = None
    for key in keys:
        try:
            _authorize_s3_action(self, bucket_name, key)
        except BucketAccessDeniedError as error:
            denied.append(key)
            refusal = error
    if refusal is not None and len(denied) == len(keys):
        raise refusal  # moto answers every key AccessDenied
    self.sentinel_denied_keys = denied


def _delete_permitted_keys(self: Any, bucket_name: str, authenticated: bool = True) -> Any:
    denied: list[str] = getattr(self, "sentinel_denied_keys", [])
    if not authenticated or not denied:
        return _delete_keys(self, bucket_name, authenticated)
    request = xmltodict.parse(self.body, strip_whitespace=False)
    objects = request["Delete"].get("Object", [])
    objects = objects if isinstance(objects, list) else [objects]
    request["Delete"]["Object"] = [item for item in objects if str(item.get("Key")) not in denied]
    self.body = xmltodict.unparse(request).encode("utf-8")
    status, headers, body = _delete_keys(self, bucket_name, True)
    errors = "".join(f"<Error><Key>{escape(key)}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>" for key in denied)
    text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    return status, headers, text.replace("</DeleteResult>", f"{errors}</DeleteResult>")


def _name_cloudwatch_actions_as_iam_does(self: Any, *args: Any, **kwargs: Any) -> None:
    _iam_request_init(self, *args, **kwargs)
    if self._action.startswith("monitoring:"):
        self._action = "cloudwatch:" + self._action.removeprefix("monitoring:")


def _raise_s3_access_denied_naming_action(self: Any) -> None:
    resource = getattr(self, "sentinel_resource", "*")
    raise S3AccessDenied(
        str(self._data.get("BucketName", "")),
        f"User: {self._access_key.arn} is not authorized to perform: {self._action} on resource: "
        f'"{resource}" because no identity-based policy allows the {self._action} action',
    )


def _check_remembering_resource(self: Any, resource: str) -> None:
    self.sentinel_resource = resource
    _check_action_permitted(self, resource)


def _raise_access_denied_in_protocol(self: Any) -> None:
    content_type = str(self._headers.get("Content-Type") or self._headers.get("content-type") or "")
    if not content_type.startswith("application/x-amz-json"):
        _raise_access_denied(self)
        return
    resource = getattr(self, "sentinel_resource", "*")
    message = f"User: {self._access_key.arn} is not authorized to perform: {self._action} on resource: {resource}"
    raise JsonAccessDenied("AccessDeniedException", message)


def install() -> None:
    """Teach moto the resource of Glue, KMS, Logs and EventBridge requests, to refuse JSON-protocol requests in JSON,
    S3 requests naming the refused action, to verify a bodiless request's signature over the empty payload, and to
    evaluate trust policies naming services (the local operator standing in for them)."""
    for response_class, resource_of in RESOURCE_OF.items():
        response_class._determine_resource = resource_of  # type: ignore[attr-defined]
    IAMRequest.check_action_permitted = _check_remembering_resource  # type: ignore[method-assign]
    IAMRequest._raise_access_denied = _raise_access_denied_in_protocol  # type: ignore[method-assign]
    S3IAMRequest.check_action_permitted = _check_remembering_resource  # type: ignore[method-assign]
    S3IAMRequest._raise_access_denied = _raise_s3_access_denied_naming_action  # type: ignore[method-assign]
    S3IAMRequest.check_signature = _check_s3_signature_unless_java_v1  # type: ignore[method-assign]
    S3Response._authenticate_and_authorize_s3_action = _authorize_each_key_of_a_delete  # type: ignore[method-assign]
    S3Response._bucket_response_delete_keys = _delete_permitted_keys  # type: ignore[method-assign]
    IAMRequest.__init__ = _name_cloudwatch_actions_as_iam_does  # type: ignore[method-assign]
    IAMRequestBase._create_aws_request = _aws_request_over_the_payload_sent  # type: ignore[method-assign]
    IAMRequest._create_auth = _sign_s3_control_as_s3  # type: ignore[method-assign]
    IAMRequest.check_signature = _check_signature_of_the_request_sent  # type: ignore[method-assign]
    IAMRequestBase._check_role_trust_relationship = _check_trust_as_aws_does  # type: ignore[method-assign]
