"""Glue Data Quality rulesets for the local emulator: the API moto 5.2.5 lacks (its Glue backend answers
``CreateDataQualityRuleset`` with ``NotImplementedError``, a 500), so the stacks' ``aws_glue_data_quality_ruleset``
resources can be applied locally through the real provider.

The five ruleset operations (Create/Get/Update/Delete/ListDataQualityRulesets) are added to moto's Glue response
handler; rulesets live beside moto's Glue backend of the account and region, and their tags in that backend's
tagger under the ruleset ARN, so moto's own GetTags/TagResource/UntagResource serve them as they serve a job's.
Inputs are checked against botocore's Glue model (emulator_model_input.py), and the answers carry the
model's shapes and AWS's error codes. Rulesets are stored, never evaluated: the emulator runs no DQDL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.model import ServiceModel
from emulator_model_input import validated  # local/, beside this file
from moto.core.responses import ActionResult, EmptyResult
from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException, GlueClientError
from moto.glue.models import GlueBackend
from moto.glue.responses import GlueResponse

_GLUE_MODEL: ServiceModel = botocore.session.get_session().get_service_model("glue")


class InvalidInputException(GlueClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidInputException", message)


@dataclass
class DataQualityRuleset:
    name: str
    ruleset: str
    arn: str
    description: str | None = None
    target_table: dict[str, str] | None = None
    security_configuration: str | None = None
    created_on: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_modified_on: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.last_modified_on = self.created_on

    def as_get_output(self) -> dict[str, Any]:
        output: dict[str, Any] = {
            "Name": self.name,
            "Ruleset": self.ruleset,
            "CreatedOn": self.created_on,
            "LastModifiedOn": self.last_modified_on,
        }
        if self.description is not None:
            output["Description"] = self.description
        if self.target_table is not None:
            output["TargetTable"] = self.target_table
        if self.security_configuration is not None:
            output["DataQualitySecurityConfiguration"] = self.security_configuration
        return output

    def as_list_entry(self) -> dict[str, Any]:
        entry = {key: value for key, value in self.as_get_output().items() if key not in {"Ruleset", "DataQualitySecurityConfiguration"}}
        entry["RuleCount"] = len(top_level_rules(self.ruleset))
        return entry


def top_level_rules(ruleset: str) -> list[str]:
    """The rules inside DQDL's ``Rules = [ ... ]``, split on the commas that are outside quotes and brackets."""
    start, end = ruleset.find("["), ruleset.rfind("]")
    if not ruleset.lstrip().startswith("Rules") or start < 0 or end < start:
        raise InvalidInputException("The ruleset must be DQDL of the form Rules = [ <rule>, ... ]")
    rules: list[str] = []
    current: list[str] = []
    depth, quoted, escaped = 0, False, False
    for char in ruleset[start + 1 : end]:
        if quoted:
            quoted = not (char == '"' and not escaped)
            escaped = char == "\\" and not escaped
        elif char == '"':
            quoted = True
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "," and depth == 0:
            rules.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    rules.append("".join(current).strip())
    return [rule for rule in rules if rule]


_STORE_ATTRIBUTE = "sentinel_data_quality_rulesets"


def _store(backend: GlueBackend) -> dict[str, DataQualityRuleset]:
    """The rulesets of one moto Glue backend (account and region), kept in the backend's own attributes: moto's reset
    empties those (``BaseBackend.reset`` replaces ``__dict__``), so the rulesets go with the rest of the Glue state."""
    store: dict[str, DataQualityRuleset] = backend.__dict__.setdefault(_STORE_ATTRIBUTE, {})
    return store


def _validated(response: GlueResponse, operation: str) -> dict[str, Any]:
    return validated(_GLUE_MODEL, operation, dict(response.parameters), InvalidInputException)


def _found(response: GlueResponse, name: str) -> DataQualityRuleset:
    ruleset = _store(response.glue_backend).get(name)
    if ruleset is None:
        raise EntityNotFoundException(f"Cannot find Data Quality Ruleset in account {response.current_account} with name {name}")
    return ruleset


def _timestamp(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), UTC)


def _matches(ruleset: DataQualityRuleset, criteria: dict[str, Any], tags: dict[str, str], wanted_tags: dict[str, str]) -> bool:
    if "Name" in criteria and criteria["Name"] != ruleset.name:
        return False
    if "Description" in criteria and criteria["Description"] != ruleset.description:
        return False
    if "TargetTable" in criteria and criteria["TargetTable"] != {
        key: value for key, value in (ruleset.target_table or {}).items() if key in criteria["TargetTable"]
    }:
        return False
    bounds = {
        "CreatedBefore": lambda at: ruleset.created_on < at,
        "CreatedAfter": lambda at: ruleset.created_on > at,
        "LastModifiedBefore": lambda at: ruleset.last_modified_on < at,
        "LastModifiedAfter": lambda at: ruleset.last_modified_on > at,
    }
    if any(key in criteria and not holds(_timestamp(criteria[key])) for key, holds in bounds.items()):
        return False
    return all(tags.get(key) == value for key, value in wanted_tags.items())


def create_data_quality_ruleset(self: GlueResponse) -> ActionResult:
    params = _validated(self, "CreateDataQualityRuleset")
    store = _store(self.glue_backend)
    name = params["Name"]
    if name in store:
        raise AlreadyExistsException("Data Quality Ruleset")
    top_level_rules(params["Ruleset"])
    arn = f"arn:aws:glue:{self.region}:{self.current_account}:dataQualityRuleset/{name}"
    store[name] = DataQualityRuleset(
        name=name,
        ruleset=params["Ruleset"],
        arn=arn,
        description=params.get("Description"),
        target_table=params.get("TargetTable"),
        security_configuration=params.get("DataQualitySecurityConfiguration"),
    )
    if params.get("Tags"):
        self.glue_backend.tag_resource(arn, params["Tags"])
    return ActionResult({"Name": name})


def get_data_quality_ruleset(self: GlueResponse) -> ActionResult:
    params = _validated(self, "GetDataQualityRuleset")
    return ActionResult(_found(self, params["Name"]).as_get_output())


def update_data_quality_ruleset(self: GlueResponse) -> ActionResult:
    params = _validated(self, "UpdateDataQualityRuleset")
    ruleset = _found(self, params["Name"])
    if "Ruleset" in params:
        top_level_rules(params["Ruleset"])
        ruleset.ruleset = params["Ruleset"]
    if "Description" in params:
        ruleset.description = params["Description"]
    ruleset.last_modified_on = datetime.now(UTC)
    output = {"Name": ruleset.name, "Ruleset": ruleset.ruleset}
    if ruleset.description is not None:
        output["Description"] = ruleset.description
    return ActionResult(output)


def delete_data_quality_ruleset(self: GlueResponse) -> ActionResult:
    params = _validated(self, "DeleteDataQualityRuleset")
    ruleset = _found(self, params["Name"])
    del _store(self.glue_backend)[ruleset.name]
    self.glue_backend.tagger.delete_all_tags_for_resource(ruleset.arn)
    return EmptyResult()


def list_data_quality_rulesets(self: GlueResponse) -> ActionResult:
    params = _validated(self, "ListDataQualityRulesets")
    backend = self.glue_backend
    matching = [
        ruleset
        for ruleset in sorted(_store(backend).values(), key=lambda candidate: candidate.name)
        if _matches(ruleset, params.get("Filter", {}), backend.get_tags(ruleset.arn), params.get("Tags", {}))
    ]
    token = params.get("NextToken")
    if token is not None and not (isinstance(token, str) and token.isdigit() and int(token) <= len(matching)):
        raise InvalidInputException(f"Invalid pagination token: {token}")
    start = int(token or 0)
    end = start + int(params.get("MaxResults", 100))
    output: dict[str, Any] = {"Rulesets": [ruleset.as_list_entry() for ruleset in matching[start:end]]}
    if end < len(matching):
        output["NextToken"] = str(end)
    return ActionResult(output)


OPERATIONS = {
    "create_data_quality_ruleset": create_data_quality_ruleset,
    "get_data_quality_ruleset": get_data_quality_ruleset,
    "update_data_quality_ruleset": update_data_quality_ruleset,
    "delete_data_quality_ruleset": delete_data_quality_ruleset,
    "list_data_quality_rulesets": list_data_quality_rulesets,
}


def install() -> None:
    """Adds the ruleset operations to moto's Glue handler (it dispatches an action to the method of that name)."""
    for name, operation in OPERATIONS.items():
        setattr(GlueResponse, name, operation)
