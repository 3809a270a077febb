/**
 * The emulator serves the Route 53 Resolver DNS Firewall API that moto 5.2.5 lacks (local/emulator_dns_firewall.py), in
 * the JSON 1.1 protocol the AWS SDKs and the Terraform provider speak: domain lists and their domains, a rule group and
 * its rules, the VPC association and the VPC's firewall configuration, tags, and the refusals AWS gives.
 */
import { resolve } from "node:path";
import { CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { route53ResolverCalls, type Route53ResolverCalls } from "../../tools/terraform/verify-local";

const ROOT = resolve(import.meta.dirname, "..", "..");
let emulator: Emulator;
let resolver: Route53ResolverCalls;
let vpcId: string;

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: ROOT });
  resolver = route53ResolverCalls(emulator.endpoint, EMULATOR_CREDENTIALS.region);
  const ec2 = new EC2Client(emulatorClientConfig(emulator.endpoint));
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  ec2.destroy();
});
afterAll(async () => {
  await emulator?.stop();
});

type Item = Record<string, unknown>;
const ids: Record<string, string> = {};

describe("Route 53 Resolver DNS Firewall in the emulator", () => {
  it("creates a domain list, adds domains once each, and tags it under its ARN", async () => {
    const { FirewallDomainList: list } = (await resolver.call("CreateFirewallDomainList", {
      CreatorRequestId: "list-1",
      Name: "sentinel-local-aws-domains",
      Tags: [{ Key: "Project", Value: "sentinel" }],
    })) as { FirewallDomainList: Item };
    expect(list).toMatchObject({ Name: "sentinel-local-aws-domains", Status: "COMPLETE", DomainCount: 0 });
    ids.list = String(list.Id);
    const domains = ["*.eu-central-2.amazonaws.com.", "*.10.in-addr.arpa."];
    await resolver.call("UpdateFirewallDomains", { FirewallDomainListId: ids.list, Operation: "ADD", Domains: [...domains, domains[0]] });
    expect((await resolver.call("ListFirewallDomains", { FirewallDomainListId: ids.list })).Domains).toEqual(domains);
    const read = (await resolver.call("GetFirewallDomainList", { FirewallDomainListId: ids.list })).FirewallDomainList as Item;
    expect(read.DomainCount).toBe(2);
    expect((await resolver.call("ListTagsForResource", { ResourceArn: list.Arn })).Tags).toEqual([{ Key: "Project", Value: "sentinel" }]);
  });

  it("holds a rule group's rules by domain list, ordered by priority, and counts them", async () => {
    const { FirewallRuleGroup: group } = (await resolver.call("CreateFirewallRuleGroup", {
      CreatorRequestId: "group-1",
      Name: "sentinel-local-dns-firewall",
    })) as { FirewallRuleGroup: Item };
    ids.group = String(group.Id);
    await resolver.call("CreateFirewallRule", {
      CreatorRequestId: "rule-1",
      FirewallRuleGroupId: ids.group,
      FirewallDomainListId: ids.list,
      Priority: 100,
      Action: "ALLOW",
      Name: "allow-aws-service-domains",
    });
    await expect(
      resolver.call("CreateFirewallRule", {
        CreatorRequestId: "rule-2",
        FirewallRuleGroupId: ids.group,
        FirewallDomainListId: ids.list,
        Priority: 200,
        Action: "BLOCK",
        BlockResponse: "NODATA",
        Name: "second-rule-same-list",
      }),
    ).rejects.toMatchObject({ name: "ResourceExistsException" });
    const rules = (await resolver.call("ListFirewallRules", { FirewallRuleGroupId: ids.group })).FirewallRules as Item[];
    expect(rules.map((rule) => [rule.FirewallDomainListId, rule.Action, rule.Priority])).toEqual([[ids.list, "ALLOW", 100]]);
    expect(((await resolver.call("GetFirewallRuleGroup", { FirewallRuleGroupId: ids.group })).FirewallRuleGroup as Item).RuleCount).toBe(1);
  });

  it("associates the group with an existing VPC only, and sets the VPC's fail-open setting", async () => {
    const associate = (vpc: string) =>
      resolver.call("AssociateFirewallRuleGroup", {
        CreatorRequestId: `association-${vpc}`,
        FirewallRuleGroupId: ids.group,
        VpcId: vpc,
        Priority: 101,
        Name: "sentinel-local-dns-firewall",
        MutationProtection: "ENABLED",
      });
    await expect(associate("vpc-0000000000000000")).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    const association = (await associate(vpcId)).FirewallRuleGroupAssociation as Item;
    expect(association).toMatchObject({ VpcId: vpcId, FirewallRuleGroupId: ids.group, Status: "COMPLETE", MutationProtection: "ENABLED" });
    ids.association = String(association.Id);
    const config = (await resolver.call("UpdateFirewallConfig", { ResourceId: vpcId, FirewallFailOpen: "DISABLED" }))
      .FirewallConfig as Item;
    expect(config).toMatchObject({ ResourceId: vpcId, FirewallFailOpen: "DISABLED" });
    const listed = (await resolver.call("ListFirewallConfigs", {})).FirewallConfigs as Item[];
    expect(listed.find((entry) => entry.ResourceId === vpcId)?.Id).toBe(config.Id);
  });

  it("refuses to delete a group still associated or a list still used by a rule, then deletes them in order", async () => {
    await expect(resolver.call("DeleteFirewallRuleGroup", { FirewallRuleGroupId: ids.group })).rejects.toMatchObject({
      name: "ResourceInUseException",
    });
    await expect(resolver.call("DeleteFirewallDomainList", { FirewallDomainListId: ids.list })).rejects.toMatchObject({
      name: "ResourceInUseException",
    });
    await resolver.call("DisassociateFirewallRuleGroup", { FirewallRuleGroupAssociationId: ids.association });
    await resolver.call("DeleteFirewallRule", { FirewallRuleGroupId: ids.group, FirewallDomainListId: ids.list });
    await resolver.call("DeleteFirewallRuleGroup", { FirewallRuleGroupId: ids.group });
    await resolver.call("DeleteFirewallDomainList", { FirewallDomainListId: ids.list });
    await expect(resolver.call("GetFirewallDomainList", { FirewallDomainListId: ids.list })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await expect(
      resolver.call("GetFirewallRuleGroupAssociation", { FirewallRuleGroupAssociationId: ids.association }),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("refuses input outside the API model", async () => {
    await expect(resolver.call("CreateFirewallDomainList", { CreatorRequestId: "long", Name: "x".repeat(65) })).rejects.toMatchObject({
      name: "ValidationException",
    });
  });
});
