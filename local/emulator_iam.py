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

moto names a CloudWatch action after the service's signing name (``monitoring:PutMetricData``); IAM names it
``cloudwatch:PutMetricData``, which is what policies grant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

import xmltodict
from moto.core.exceptions import JsonRESTError
from moto.events.responses import EventsHandler
from moto.glue.responses import GlueResponse
from moto.iam.access_control import IAMRequest, S3IAMRequest
from moto.kms.exceptions import NotFoundException
from moto.kms.models import kms_backends
from moto.kms.responses import KmsResponse
from moto.logs.responses import LogsResponse
from moto.s3.exceptions import BucketAccessDeniedError
from moto.s3.responses import S3Response


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


def _check_s3_signature_unless_java_v1(self: Any) -> None:
    agent = str(self._headers.get("User-Agent") or self._headers.get("user-agent") or "")
    if "aws-sdk-java/1." in agent:
        return
    _check_s3_signature(self)


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
    and S3 requests naming the refused action."""
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
