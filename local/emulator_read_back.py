"""Attributes moto 5.2.5 accepts on create but does not return, which AWS returns.

A plan right after an apply must show no changes (tools/terraform/operations.ts, ``replanChanges``): otherwise
``cdktf diff local`` reports drift that is only the emulator forgetting what it was told, and a second apply replaces
resources for nothing. Found by that plan on the local stack:

- CloudWatch Logs: ``logGroupClass`` (``STANDARD`` unless given) is missing from DescribeLogGroups, so every
  ``aws_cloudwatch_log_group`` was planned for replacement (``log_group_class`` forces replacement), and with it the
  VPC flow log that writes to one.
- Glue: GetConnection(s) leaves out ``ConnectionType``, so the NETWORK connection was planned for an in-place update.
- KMS: GetKeyRotationStatus leaves out ``RotationPeriodInDays`` (365 unless EnableKeyRotation names another), so
  every key with rotation was planned for an in-place update.
"""

from __future__ import annotations

import json
from typing import Any

from moto.glue.models import FakeConnection
from moto.kms.responses import KmsResponse
from moto.logs.models import LogGroup
from moto.logs.responses import LogsResponse

DEFAULT_LOG_GROUP_CLASS = "STANDARD"
DEFAULT_ROTATION_PERIOD_IN_DAYS = 365


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


def install() -> None:
    """Makes moto return the three attributes above as AWS does."""
    _install_log_group_class()
    _install_connection_type()
    _install_rotation_period()
