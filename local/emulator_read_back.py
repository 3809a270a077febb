"""Attributes moto 5.2.5 accepts but does not answer as AWS does: it drops them, or answers a default AWS does not.

A plan right after an apply must show no changes (tools/terraform/operations.ts, ``replanChanges``): otherwise
``cdktf diff local`` reports drift that is only the emulator forgetting what it was told, and a second apply replaces
resources for nothing. Found by that plan on the local stack (and the fixture stack, test/tools/terraform/fixtures):

- CloudWatch Logs: ``logGroupClass`` (``STANDARD`` unless given) is missing from DescribeLogGroups, so every
  ``aws_cloudwatch_log_group`` was planned for replacement (``log_group_class`` forces replacement), and with it the
  VPC flow log that writes to one.
- Glue: GetConnection(s) leaves out ``ConnectionType``, so the NETWORK connection was planned for an in-place update;
  GetJob answers ``ExecutionClass`` STANDARD for a job created without one, where Glue answers none, so such a job
  (the fixture stack's) was planned for an in-place update.
- KMS: GetKeyRotationStatus leaves out ``RotationPeriodInDays`` (365 unless EnableKeyRotation names another), so
  every key with rotation was planned for an in-place update.
- Lambda: CreateFunction and UpdateFunctionConfiguration drop ``DeadLetterConfig`` and ``LoggingConfig``, so
  GetFunction answered neither and every function was planned for an in-place update of both.
- S3: CreateBucket drops the tags in ``CreateBucketConfiguration`` (the provider tags a bucket on create), so S3 Control
  ListTagsForResource answered no tags and every bucket's ``tags_all`` was planned for an update; GetBucketLogging
  leaves out ``TargetObjectKeyFormat`` and GetBucketNotificationConfiguration ``EventBridgeConfiguration``, both held.
  CreateMultipartUpload drops ``x-amz-server-side-encryption-bucket-key-enabled``, so an object the provider uploads in
  parts (over 5 MiB) got the bucket's default instead, or none when the upload finished before the bucket's encryption
  configuration was applied: ``bucket_key_enabled`` was then planned for an update (a race; seen once, on a 13 MB wheel).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import xmltodict
from moto.awslambda.models import LambdaFunction
from moto.core.responses import ActionResult
from moto.glue.models import FakeConnection, GlueBackend
from moto.kms.responses import KmsResponse
from moto.logs.models import LogGroup
from moto.logs.responses import LogsResponse
from moto.s3.models import S3Backend
from moto.s3.responses import S3Response

DEFAULT_LOG_GROUP_CLASS = "STANDARD"
DEFAULT_ROTATION_PERIOD_IN_DAYS = 365
# Lambda's defaults: plain-text logs to /aws/lambda/<function name>; JSON logs at INFO unless a level is given
DEFAULT_LAMBDA_LOG_FORMAT = "Text"
DEFAULT_JSON_LOG_LEVEL = "INFO"
LAMBDA_LOG_LEVELS = ("ApplicationLogLevel", "SystemLogLevel")


def _log_group_class(group: LogGroup) -> str:
    return getattr(group, "log_group_class", DEFAULT_LOG_GROUP_CLASS)


def _install_log_group_class() -> None:
    create = LogsResponse.create_log_group
    describe = LogGroup.to_describe_dict

    def create_log_group(self: LogsResponse) -> str:
        answer = create(self)
        group = self.logs_backend.groups[self._get_param("logGroupName")]
        group.log_group_class = self._get_param("logGroupClass") or DEFAULT_LOG_GROUP_CLASS  # type: ignore[attr-defined]
        return answer

    def to_describe_dict(self: LogGroup) -> dict[str, Any]:
        return {**describe(self), "logGroupClass": _log_group_class(self)}

    LogsResponse.create_log_group = create_log_group  # type: ignore[method-assign]
    LogGroup.to_describe_dict = to_describe_dict  # type: ignore[method-assign]


def _install_connection_type() -> None:
    as_dict = FakeConnection.as_dict

    def with_connection_type(self: FakeConnection, hide_password: bool = False) -> dict[str, Any]:
        answer = as_dict(self, hide_password)
        connection_type = self.connection_input.get("ConnectionType")
        return answer if connection_type is None else {**answer, "ConnectionType": connection_type}

    FakeConnection.as_dict = with_connection_type  # type: ignore[method-assign]


def _install_job_execution_class() -> None:
    """moto's FakeJob stores ``execution_class or "STANDARD"``; Glue answers ExecutionClass only for a job created
    with one. Here the job keeps what CreateJob was given (moto's only caller passes it by keyword), and moto's
    serializer leaves a None member out of GetJob(s)."""
    create = GlueBackend.create_job

    def create_job(self: GlueBackend, **job: Any) -> None:
        create(self, **job)
        self.jobs[job["name"]].execution_class = job.get("execution_class")  # type: ignore[assignment]

    GlueBackend.create_job = create_job  # type: ignore[method-assign,assignment]


def _install_rotation_period() -> None:
    enable = KmsResponse.enable_key_rotation
    status = KmsResponse.get_key_rotation_status

    def enable_key_rotation(self: KmsResponse) -> str:
        answer = enable(self)
        period = self._get_param("RotationPeriodInDays") or DEFAULT_ROTATION_PERIOD_IN_DAYS
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        key.rotation_period_in_days = int(period)  # type: ignore[attr-defined]
        return answer

    def get_key_rotation_status(self: KmsResponse) -> str:
        answer = json.loads(status(self))
        if answer.get("KeyRotationEnabled"):
            key = self.kms_backend.describe_key(self._get_param("KeyId"))
            answer["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", DEFAULT_ROTATION_PERIOD_IN_DAYS)
        return json.dumps(answer)

    KmsResponse.enable_key_rotation = enable_key_rotation  # type: ignore[method-assign]
    KmsResponse.get_key_rotation_status = get_key_rotation_status  # type: ignore[method-assign]


def _lambda_logging_config(given: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
    """The logging configuration Lambda holds after ``given`` (fields left out keep ``held``'s): log levels only for
    JSON logs, each INFO unless named."""
    config = {**held, **{name: value for name, value in given.items() if value}}
    if config.get("LogFormat") == "JSON":
        return {**dict.fromkeys(LAMBDA_LOG_LEVELS, DEFAULT_JSON_LOG_LEVEL), **config}
    return {name: value for name, value in config.items() if name not in LAMBDA_LOG_LEVELS}


def _install_lambda_configs() -> None:
    """moto's LambdaFunction keeps neither DeadLetterConfig nor LoggingConfig from CreateFunction or
    UpdateFunctionConfiguration (its get_configuration names neither); here both are held and answered."""
    init = LambdaFunction.__init__
    configuration = LambdaFunction.get_configuration
    update = LambdaFunction.update_configuration

    def __init__(self: LambdaFunction, account_id: str, spec: dict[str, Any], region: str, version: str | int = 1) -> None:
        init(self, account_id, spec, region, version)
        self.dead_letter_target_arn = (spec.get("DeadLetterConfig") or {}).get("TargetArn") or None  # type: ignore[attr-defined]
        held = {"LogFormat": DEFAULT_LAMBDA_LOG_FORMAT, "LogGroup": f"/aws/lambda/{self.function_name}"}
        self.logging_config = _lambda_logging_config(spec.get("LoggingConfig") or {}, held)  # type: ignore[attr-defined]

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
        answer = {**configuration(self, on_create), "LoggingConfig": self.logging_config}  # type: ignore[attr-defined]
        target_arn = self.dead_letter_target_arn  # type: ignore[attr-defined]
        return answer if target_arn is None else {**answer, "DeadLetterConfig": {"TargetArn": target_arn}}

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:  # an empty TargetArn removes the queue, as in AWS
            self.dead_letter_target_arn = (config_updates["DeadLetterConfig"] or {}).get("TargetArn") or None  # type: ignore[attr-defined]
        if "LoggingConfig" in config_updates:
            self.logging_config = _lambda_logging_config(config_updates["LoggingConfig"] or {}, self.logging_config)  # type: ignore[attr-defined]
        return update(self, config_updates)

    LambdaFunction.__init__ = __init__  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]


def _install_create_bucket_tags() -> None:
    """moto's CreateBucket reads only LocationConstraint from CreateBucketConfiguration and drops its Tags; the
    provider tags a bucket on create and reads the tags back with S3 Control ListTagsForResource, which answers from
    the same tag store as GetBucketTagging. Here the tags given on create are stored as PutBucketTagging stores them."""
    put = S3Response._bucket_response_put

    def bucket_response_put(self: S3Response, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        answer = put(self, request, bucket_name, querystring)
        if self.data.get("Action") == "CreateBucket" and self.body:
            config = xmltodict.parse(self.body).get("CreateBucketConfiguration") or {}
            tags = (config.get("Tags") or {}).get("Tag") or []
            listed = tags if isinstance(tags, list) else [tags]
            if listed:
                self.backend.put_bucket_tagging(bucket_name, {tag["Key"]: tag.get("Value") or "" for tag in listed})
        return answer

    S3Response._bucket_response_put = bucket_response_put  # type: ignore[method-assign]


def _adding_to_result(respond: Callable[[S3Response], Any], add: Callable[[S3Response, Any], None]) -> Callable[[S3Response], Any]:
    """An S3 response method of moto's whose result is completed by ``add(response, result)`` before moto serializes
    it (through this request's response object only: moto makes one per request)."""

    def respond_with_addition(self: S3Response) -> Any:
        serialize = self.serialized

        def serialized(action_result: ActionResult) -> Any:
            add(self, action_result.result)
            return serialize(action_result)

        self.serialized = serialized  # type: ignore[method-assign]
        return respond(self)

    return respond_with_addition


def _add_target_object_key_format(response: S3Response, result: Any) -> None:
    """moto's GetBucketLogging answers TargetBucket, TargetPrefix and TargetGrants of the held configuration only."""
    key_format = (response.backend.get_bucket_logging(response.bucket_name) or {}).get("TargetObjectKeyFormat")
    if key_format and "LoggingEnabled" in result:
        # held as parsed from PutBucketLogging's XML: <SimplePrefix/> is None there, an empty structure on the wire
        result["LoggingEnabled"]["TargetObjectKeyFormat"] = {name: value or {} for name, value in key_format.items()}


def _add_event_bridge_configuration(response: S3Response, result: Any) -> None:
    """moto's GetBucketNotificationConfiguration answers topic, queue and Lambda configurations only."""
    held = response.backend.get_bucket_notification_configuration(response.bucket_name)
    if held is not None and held.event_bridge is not None and isinstance(result, dict):
        result["EventBridgeConfiguration"] = {}


def _install_bucket_configurations() -> None:
    S3Response.get_bucket_logging = _adding_to_result(S3Response.get_bucket_logging, _add_target_object_key_format)  # type: ignore[method-assign,assignment]
    S3Response.get_bucket_notification = _adding_to_result(  # type: ignore[method-assign,assignment]
        S3Response.get_bucket_notification, _add_event_bridge_configuration
    )


def _install_multipart_bucket_key() -> None:
    """moto's CreateMultipartUpload reads the encryption and KMS key headers but not
    ``x-amz-server-side-encryption-bucket-key-enabled``, and CompleteMultipartUpload then stores the object with the
    bucket's default (or none). Here the upload keeps the header, and the completed object takes it, as S3 does."""
    post = S3Response._key_response_post
    complete = S3Backend.complete_multipart_upload

    def key_response_post(self: S3Response, request: Any, body: bytes, bucket_name: str, query: dict[str, Any], key_name: str) -> Any:
        answer = post(self, request, body, bucket_name, query, key_name)
        bucket_key = request.headers.get("x-amz-server-side-encryption-bucket-key-enabled")
        if self.data.get("Action") == "CreateMultipartUpload" and bucket_key is not None:
            upload_id = xmltodict.parse(answer[2])["InitiateMultipartUploadResult"]["UploadId"]
            self.backend.get_bucket(bucket_name).multiparts[upload_id].bucket_key_enabled = str(bucket_key).lower()  # type: ignore[attr-defined]
        return answer

    def complete_multipart_upload(self: S3Backend, bucket_name: str, multipart_id: str, body: Any) -> Any:
        multipart = self.get_bucket(bucket_name).multiparts.get(multipart_id)
        key = complete(self, bucket_name, multipart_id, body)
        bucket_key = getattr(multipart, "bucket_key_enabled", None)
        if key is not None and bucket_key is not None:
            key.bucket_key_enabled = bucket_key
        return key

    S3Response._key_response_post = key_response_post  # type: ignore[method-assign]
    S3Backend.complete_multipart_upload = complete_multipart_upload  # type: ignore[method-assign]


def install() -> None:
    """Makes moto return the attributes above as AWS does."""
    _install_log_group_class()
    _install_connection_type()
    _install_job_execution_class()
    _install_rotation_period()
    _install_lambda_configs()
    _install_create_bucket_tags()
    _install_bucket_configurations()
    _install_multipart_bucket_key()
