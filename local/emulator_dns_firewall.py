"""Route 53 Resolver DNS Firewall for the local emulator: the API moto 5.2.5 lacks (its route53resolver backend has
resolver endpoints and rules only; a firewall call fails with ``NotImplementedError``, a 500), so the network's DNS
Firewall (domain lists, a rule group with its rules, the VPC association and the VPC's firewall configuration) can be
applied locally through the real provider.

The operations the Terraform provider calls for those five resource types are added to moto's Route 53 Resolver
response handler. They live beside moto's backend of the account and region (and go with it on moto's reset); tags are
kept in that backend's tagger, whose ListTagsForResource/TagResource/UntagResource now also accept the firewall ARNs.
Inputs are checked against botocore's model (emulator_model_input.py); answers carry the model's shapes, AWS's error
codes and the refusals AWS gives for resources still in use. Changes complete at once (status COMPLETE). Nothing here
resolves DNS: the emulator stores the firewall, it does not filter queries.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.model import ServiceModel
from emulator_model_input import validated  # local/, beside this file
from moto.ec2.models import ec2_backends
from moto.route53resolver.exceptions import (
    ResourceExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
    TagValidationException,
)
from moto.route53resolver.models import Route53ResolverBackend
from moto.route53resolver.responses import Route53ResolverResponse

_MODEL: ServiceModel = botocore.session.get_session().get_service_model("route53resolver")
_STORE_ATTRIBUTE = "sentinel_dns_firewall"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _identifier(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


@dataclass
class DnsFirewall:
    """The DNS Firewall resources of one account and region, by id."""

    domain_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    domains: dict[str, list[str]] = field(default_factory=dict)
    rule_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    # rule group id -> rules (a rule is identified by its group and its domain list)
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    associations: dict[str, dict[str, Any]] = field(default_factory=dict)
    # VPC id -> firewall configuration
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def arns(self) -> set[str]:
        groups = (self.domain_lists, self.rule_groups, self.associations)
        return {resource["Arn"] for group in groups for resource in group.values()}


def _firewall(response: Route53ResolverResponse) -> DnsFirewall:
    return _backend_firewall(response.route53resolver_backend)


def _backend_firewall(backend: Route53ResolverBackend) -> DnsFirewall:
    firewall: DnsFirewall = backend.__dict__.setdefault(_STORE_ATTRIBUTE, DnsFirewall())
    return firewall


def _invalid(message: str) -> Exception:
    return TagValidationException(message)  # moto's ValidationException of this service


def _params(response: Route53ResolverResponse, operation: str) -> dict[str, Any]:
    body = json.loads(response.body or "{}")
    return validated(_MODEL, operation, body if isinstance(body, dict) else {}, _invalid)


def _arn(response: Route53ResolverResponse, kind: str, identifier: str) -> str:
    return f"arn:aws:route53resolver:{response.region}:{response.current_account}:{kind}/{identifier}"


def _found(resources: dict[str, dict[str, Any]], identifier: str, what: str) -> dict[str, Any]:
    if identifier not in resources:
        raise ResourceNotFoundException(f"{what} with ID '{identifier}' does not exist.")
    return resources[identifier]


def _tag(response: Route53ResolverResponse, arn: str, tags: list[dict[str, str]] | None) -> None:
    if tags:
        response.route53resolver_backend.tagger.tag_resource(arn, tags)


def _answer(**body: Any) -> str:
    return json.dumps(body)


def _paged(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], dict[str, str]]:
    start = int(params.get("NextToken") or 0)
    end = start + int(params.get("MaxResults", 100))
    return items[start:end], ({"NextToken": str(end)} if end < len(items) else {})


def _unused_request_id(resources: dict[str, dict[str, Any]], params: dict[str, Any], what: str) -> None:
    """A create is refused when its CreatorRequestId already made a resource of its kind."""
    if any(existing["CreatorRequestId"] == params["CreatorRequestId"] for existing in resources.values()):
        raise ResourceExistsException(f"A {what} with creator request id {params['CreatorRequestId']} already exists")


def _created(
    response: Route53ResolverResponse,
    resources: dict[str, dict[str, Any]],
    kind: str,
    id_prefix: str,
    params: dict[str, Any],
    fields: dict[str, Any],
) -> dict[str, Any]:
    """A new resource of `kind` in `resources`: its id and ARN, `fields`, the call's creator request id and the
    creation time; tagged with the call's Tags."""
    identifier = _identifier(id_prefix)
    now = _now()
    resource = {
        "Id": identifier,
        "Arn": _arn(response, kind, identifier),
        **fields,
        "CreatorRequestId": params["CreatorRequestId"],
        "CreationTime": now,
        "ModificationTime": now,
    }
    resources[identifier] = resource
    _tag(response, resource["Arn"], params.get("Tags"))
    return resource


def _deleted(response: Route53ResolverResponse, resources: dict[str, dict[str, Any]], resource: dict[str, Any]) -> dict[str, Any]:
    """Removes `resource` and its tags; the answer a delete gives (the resource, DELETING)."""
    del resources[resource["Id"]]
    response.route53resolver_backend.tagger.delete_all_tags_for_resource(resource["Arn"])
    return {**resource, "Status": "DELETING"}


# Domain lists


def create_firewall_domain_list(self: Route53ResolverResponse) -> str:
    params = _params(self, "CreateFirewallDomainList")
    firewall = _firewall(self)
    _unused_request_id(firewall.domain_lists, params, "domain list")
    fields = {"Name": params["Name"], "DomainCount": 0, "Status": "COMPLETE", "StatusMessage": "Created Firewall Domain List"}
    domain_list = _created(self, firewall.domain_lists, "firewall-domain-list", "rslvr-fdl", params, fields)
    firewall.domains[domain_list["Id"]] = []
    return _answer(FirewallDomainList=domain_list)


def get_firewall_domain_list(self: Route53ResolverResponse) -> str:
    params = _params(self, "GetFirewallDomainList")
    return _answer(FirewallDomainList=_found(_firewall(self).domain_lists, params["FirewallDomainListId"], "Firewall domain list"))


def update_firewall_domains(self: Route53ResolverResponse) -> str:
    params = _params(self, "UpdateFirewallDomains")
    firewall = _firewall(self)
    domain_list = _found(firewall.domain_lists, params["FirewallDomainListId"], "Firewall domain list")
    current = firewall.domains[domain_list["Id"]]
    given = list(dict.fromkeys(params["Domains"]))
    if params["Operation"] == "ADD":
        current.extend(domain for domain in given if domain not in current)
    elif params["Operation"] == "REMOVE":
        current[:] = [domain for domain in current if domain not in given]
    else:  # REPLACE
        current[:] = given
    domain_list.update(DomainCount=len(current), ModificationTime=_now(), StatusMessage="Domains updated")
    return _answer(Id=domain_list["Id"], Name=domain_list["Name"], Status="COMPLETE", StatusMessage="Domains updated")


def list_firewall_domains(self: Route53ResolverResponse) -> str:
    params = _params(self, "ListFirewallDomains")
    firewall = _firewall(self)
    _found(firewall.domain_lists, params["FirewallDomainListId"], "Firewall domain list")
    page, token = _paged(firewall.domains[params["FirewallDomainListId"]], params)
    return _answer(Domains=page, **token)


def delete_firewall_domain_list(self: Route53ResolverResponse) -> str:
    params = _params(self, "DeleteFirewallDomainList")
    firewall = _firewall(self)
    domain_list = _found(firewall.domain_lists, params["FirewallDomainListId"], "Firewall domain list")
    if any(rule["FirewallDomainListId"] == domain_list["Id"] for rules in firewall.rules.values() for rule in rules):
        raise ResourceInUseException(f"Firewall domain list {domain_list['Id']} is used by a firewall rule")
    del firewall.domains[domain_list["Id"]]
    return _answer(FirewallDomainList=_deleted(self, firewall.domain_lists, domain_list))


# Rule groups and rules


def create_firewall_rule_group(self: Route53ResolverResponse) -> str:
    params = _params(self, "CreateFirewallRuleGroup")
    firewall = _firewall(self)
    _unused_request_id(firewall.rule_groups, params, "rule group")
    fields = {
        "Name": params["Name"],
        "RuleCount": 0,
        "Status": "COMPLETE",
        "StatusMessage": "Created Firewall Rule Group",
        "OwnerId": self.current_account,
        "ShareStatus": "NOT_SHARED",
    }
    group = _created(self, firewall.rule_groups, "firewall-rule-group", "rslvr-frg", params, fields)
    firewall.rules[group["Id"]] = []
    return _answer(FirewallRuleGroup=group)


def get_firewall_rule_group(self: Route53ResolverResponse) -> str:
    params = _params(self, "GetFirewallRuleGroup")
    return _answer(FirewallRuleGroup=_found(_firewall(self).rule_groups, params["FirewallRuleGroupId"], "Firewall rule group"))


def delete_firewall_rule_group(self: Route53ResolverResponse) -> str:
    params = _params(self, "DeleteFirewallRuleGroup")
    firewall = _firewall(self)
    group = _found(firewall.rule_groups, params["FirewallRuleGroupId"], "Firewall rule group")
    if any(association["FirewallRuleGroupId"] == group["Id"] for association in firewall.associations.values()):
        raise ResourceInUseException(f"Firewall rule group {group['Id']} is associated with a VPC")
    del firewall.rules[group["Id"]]
    return _answer(FirewallRuleGroup=_deleted(self, firewall.rule_groups, group))


_RULE_SETTINGS = (
    "Name",
    "Priority",
    "Action",
    "BlockResponse",
    "BlockOverrideDomain",
    "BlockOverrideDnsType",
    "BlockOverrideTtl",
    "FirewallDomainRedirectionAction",
    "Qtype",
    "ConfidenceThreshold",
    "DnsThreatProtection",
)


def _rule(firewall: DnsFirewall, group_id: str, domain_list_id: str) -> dict[str, Any]:
    _found(firewall.rule_groups, group_id, "Firewall rule group")
    for rule in firewall.rules[group_id]:
        if rule["FirewallDomainListId"] == domain_list_id:
            return rule
    raise ResourceNotFoundException(f"Firewall rule for domain list '{domain_list_id}' does not exist in rule group '{group_id}'.")


def create_firewall_rule(self: Route53ResolverResponse) -> str:
    params = _params(self, "CreateFirewallRule")
    firewall = _firewall(self)
    group = _found(firewall.rule_groups, params["FirewallRuleGroupId"], "Firewall rule group")
    _found(firewall.domain_lists, params.get("FirewallDomainListId", ""), "Firewall domain list")
    rules = firewall.rules[group["Id"]]
    if any(rule["FirewallDomainListId"] == params["FirewallDomainListId"] for rule in rules):
        raise ResourceExistsException(f"The rule group already has a rule for domain list {params['FirewallDomainListId']}")
    if any(rule["Priority"] == params["Priority"] for rule in rules):
        raise ResourceExistsException(f"The rule group already has a rule with priority {params['Priority']}")
    now = _now()
    rule = {
        "FirewallRuleGroupId": group["Id"],
        "FirewallDomainListId": params["FirewallDomainListId"],
        "CreatorRequestId": params["CreatorRequestId"],
        "CreationTime": now,
        "ModificationTime": now,
        **{key: params[key] for key in _RULE_SETTINGS if key in params},
    }
    rules.append(rule)
    group.update(RuleCount=len(rules), ModificationTime=now)
    return _answer(FirewallRule=rule)


def list_firewall_rules(self: Route53ResolverResponse) -> str:
    params = _params(self, "ListFirewallRules")
    firewall = _firewall(self)
    group = _found(firewall.rule_groups, params["FirewallRuleGroupId"], "Firewall rule group")
    matching = [
        rule
        for rule in sorted(firewall.rules[group["Id"]], key=lambda candidate: candidate["Priority"])
        if all(params[key] == rule.get(key) for key in ("Priority", "Action") if key in params)
    ]
    page, token = _paged(matching, params)
    return _answer(FirewallRules=page, **token)


def update_firewall_rule(self: Route53ResolverResponse) -> str:
    params = _params(self, "UpdateFirewallRule")
    rule = _rule(_firewall(self), params["FirewallRuleGroupId"], params.get("FirewallDomainListId", ""))
    rule.update({key: params[key] for key in _RULE_SETTINGS if key in params}, ModificationTime=_now())
    return _answer(FirewallRule=rule)


def delete_firewall_rule(self: Route53ResolverResponse) -> str:
    params = _params(self, "DeleteFirewallRule")
    firewall = _firewall(self)
    rule = _rule(firewall, params["FirewallRuleGroupId"], params.get("FirewallDomainListId", ""))
    rules = firewall.rules[rule["FirewallRuleGroupId"]]
    rules.remove(rule)
    firewall.rule_groups[rule["FirewallRuleGroupId"]].update(RuleCount=len(rules), ModificationTime=_now())
    return _answer(FirewallRule=rule)


# VPC associations and firewall configurations


def _existing_vpc(response: Route53ResolverResponse, vpc_id: str) -> str:
    if vpc_id not in ec2_backends[response.current_account][response.region].vpcs:
        raise ResourceNotFoundException(f"VPC with ID '{vpc_id}' does not exist.")
    return vpc_id


def associate_firewall_rule_group(self: Route53ResolverResponse) -> str:
    params = _params(self, "AssociateFirewallRuleGroup")
    firewall = _firewall(self)
    group = _found(firewall.rule_groups, params["FirewallRuleGroupId"], "Firewall rule group")
    vpc_id = _existing_vpc(self, params["VpcId"])
    for association in firewall.associations.values():
        if association["VpcId"] == vpc_id and association["FirewallRuleGroupId"] == group["Id"]:
            raise ResourceExistsException(f"Firewall rule group {group['Id']} is already associated with {vpc_id}")
        if association["VpcId"] == vpc_id and association["Priority"] == params["Priority"]:
            raise ResourceExistsException(f"{vpc_id} already has a rule group association with priority {params['Priority']}")
    fields = {
        "FirewallRuleGroupId": group["Id"],
        "VpcId": vpc_id,
        "Name": params["Name"],
        "Priority": params["Priority"],
        "MutationProtection": params.get("MutationProtection", "DISABLED"),
        "Status": "COMPLETE",
        "StatusMessage": "Finished rule group association update",
    }
    association = _created(self, firewall.associations, "firewall-rule-group-association", "rslvr-frgassoc", params, fields)
    return _answer(FirewallRuleGroupAssociation=association)


def get_firewall_rule_group_association(self: Route53ResolverResponse) -> str:
    params = _params(self, "GetFirewallRuleGroupAssociation")
    association = _found(_firewall(self).associations, params["FirewallRuleGroupAssociationId"], "Firewall rule group association")
    return _answer(FirewallRuleGroupAssociation=association)


def update_firewall_rule_group_association(self: Route53ResolverResponse) -> str:
    params = _params(self, "UpdateFirewallRuleGroupAssociation")
    association = _found(_firewall(self).associations, params["FirewallRuleGroupAssociationId"], "Firewall rule group association")
    association.update({key: params[key] for key in ("Priority", "MutationProtection", "Name") if key in params}, ModificationTime=_now())
    return _answer(FirewallRuleGroupAssociation=association)


def disassociate_firewall_rule_group(self: Route53ResolverResponse) -> str:
    params = _params(self, "DisassociateFirewallRuleGroup")
    firewall = _firewall(self)
    association = _found(firewall.associations, params["FirewallRuleGroupAssociationId"], "Firewall rule group association")
    return _answer(FirewallRuleGroupAssociation=_deleted(self, firewall.associations, association))


def _config(response: Route53ResolverResponse, vpc_id: str) -> dict[str, Any]:
    """A VPC's firewall configuration; AWS has one (fail-open DISABLED) for every VPC from the start."""
    configs = _firewall(response).configs
    if vpc_id not in configs:
        configs[vpc_id] = {
            "Id": _identifier("rslvr-fc"),
            "ResourceId": _existing_vpc(response, vpc_id),
            "OwnerId": response.current_account,
            "FirewallFailOpen": "DISABLED",
        }
    return configs[vpc_id]


def update_firewall_config(self: Route53ResolverResponse) -> str:
    params = _params(self, "UpdateFirewallConfig")
    config = _config(self, params["ResourceId"])
    config["FirewallFailOpen"] = params["FirewallFailOpen"]
    return _answer(FirewallConfig=config)


def get_firewall_config(self: Route53ResolverResponse) -> str:
    params = _params(self, "GetFirewallConfig")
    return _answer(FirewallConfig=_config(self, params["ResourceId"]))


def list_firewall_configs(self: Route53ResolverResponse) -> str:
    params = _params(self, "ListFirewallConfigs")
    vpcs = ec2_backends[self.current_account][self.region].vpcs
    configs = [_config(self, vpc_id) for vpc_id in sorted(vpcs)]
    page, token = _paged(configs, params)
    return _answer(FirewallConfigs=page, **token)


OPERATIONS: dict[str, Callable[[Route53ResolverResponse], str]] = {
    operation.__name__: operation
    for operation in (
        create_firewall_domain_list,
        get_firewall_domain_list,
        update_firewall_domains,
        list_firewall_domains,
        delete_firewall_domain_list,
        create_firewall_rule_group,
        get_firewall_rule_group,
        delete_firewall_rule_group,
        create_firewall_rule,
        list_firewall_rules,
        update_firewall_rule,
        delete_firewall_rule,
        associate_firewall_rule_group,
        get_firewall_rule_group_association,
        update_firewall_rule_group_association,
        disassociate_firewall_rule_group,
        update_firewall_config,
        get_firewall_config,
        list_firewall_configs,
    )
}


def install() -> None:
    """Adds the firewall operations to moto's Route 53 Resolver handler (it dispatches an action to the method of that
    name) and lets its tagging operations accept the firewall ARNs."""
    for name, operation in OPERATIONS.items():
        setattr(Route53ResolverResponse, name, operation)
    matched_arn = Route53ResolverBackend._matched_arn

    def matched_arn_or_firewall(self: Route53ResolverBackend, resource_arn: str) -> None:
        if resource_arn not in _backend_firewall(self).arns():
            matched_arn(self, resource_arn)

    Route53ResolverBackend._matched_arn = matched_arn_or_firewall  # type: ignore[method-assign]
