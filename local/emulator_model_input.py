"""Input checks for the API operations the emulator adds to moto: a request is checked against botocore's model of the
operation (required members, types, lower bounds) plus the model's upper bounds, which botocore's validator leaves out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ParamValidationError
from botocore.model import ServiceModel, Shape, StructureShape
from botocore.validate import validate_parameters


def _check_maximums(value: Any, shape: Shape, path: str) -> str | None:
    maximum = shape.metadata.get("max")
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                problem = _check_maximums(value[name], member, f"{path}.{name}")
                if problem is not None:
                    return problem
    elif maximum is not None and isinstance(value, (str, dict, list)) and len(value) > maximum:
        return f"{path} is longer than the maximum of {maximum}"
    return None


def validated(model: ServiceModel, operation: str, params: dict[str, Any], invalid: Callable[[str], Exception]) -> dict[str, Any]:
    """``params`` when they fit the operation's input shape; otherwise raises ``invalid(<what is wrong>)``."""
    shape = model.operation_model(operation).input_shape
    try:
        validate_parameters(params, shape)
    except ParamValidationError as error:
        raise invalid(str(error)) from error
    problem = _check_maximums(params, shape, operation)
    if problem is not None:
        raise invalid(problem)
    return params
