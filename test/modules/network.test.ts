import { describe, expect, it } from "vitest";
import { cidrsOverlap, isPrivateCidr, parseCidr, subnetCidr } from "../../modules/network/cidr";
import { INTERFACE_ENDPOINT_SERVICES } from "../../modules/network/endpoint-services";
import { PrivateNetwork } from "../../modules/network/private-network";
import { allowedDomains } from "../../modules/network/dns-firewall";
import { testKeys, testLogGroups } from "./support/foundation-fixture";
import {
  onlyResourceOf,
  referencedId,
  resolveIn,
  resourcesBy,
  resourcesOf,
  statement,
  statementsOf,
  synth,
  synthesizedOnce,
  type Config,
  type Synthesized,
} from "./support/synth";
import { TEST_ACCOUNT, testStack, withPlainStackTraces } from "./support/test-stack";

const BUCKET_ARNS = ["arn:aws:s3:::sentinel-test-raw-111122223333", "arn:aws:s3:::sentinel-test-processed-111122223333"];

function networkFixture(zones = ["eu-central-2a", "eu-central-2b", "eu-central-2c"]) {
  return withPlainStackTraces(() => buildNetwork(zones));
}

function buildNetwork(zones: string[]) {
  const stack = testStack();
  const logGroups = testLogGroups(stack, testKeys(stack));
  const network = new PrivateNetwork(stack, "network", {
    namePrefix: "sentinel-test",
    account: TEST_ACCOUNT,
    vpcCidr: "10.40.0.0/16",
    availabilityZones: zones,
    logGroups,
    bucketArns: BUCKET_ARNS,
  });
  return { stack, network };
}

const synthesizedFixture = synthesizedOnce(() => networkFixture().stack);

function endpoints(synthesized: Synthesized): Record<string, Config> {
  return resourcesBy(synthesized, "aws_vpc_endpoint", (endpoint) => String(endpoint.service_name).split(".").pop() ?? "");
}

/** The security group named `name`: its logical id and its rules. */
function securityGroupNamed(synthesized: Synthesized, name: string): { groupId: string | undefined; rules: Config[] } {
  const groupId = Object.entries(resourcesOf(synthesized, "aws_security_group")).find(([, group]) => group.name === name)?.[0];
  const rules = Object.values(resourcesOf(synthesized, "aws_security_group_rule")).filter(
    (rule) => referencedId(rule.security_group_id) === groupId,
  );
  return { groupId, rules };
}

describe("PrivateNetwork", () => {
  it("is a VPC with DNS support and hostnames (needed for endpoint private DNS)", () => {
    expect(onlyResourceOf(synthesizedFixture(), "aws_vpc")).toMatchObject({
      cidr_block: "10.40.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
  });

  it("has one private subnet per zone, a quarter of the VPC each, never mapping public IPs", () => {
    const subnets = Object.values(resourcesOf(synthesizedFixture(), "aws_subnet"));
    expect(subnets.map((subnet) => [subnet.availability_zone, subnet.cidr_block])).toEqual([
      ["eu-central-2a", "10.40.0.0/18"],
      ["eu-central-2b", "10.40.64.0/18"],
      ["eu-central-2c", "10.40.128.0/18"],
    ]);
    expect(subnets.every((subnet) => subnet.map_public_ip_on_launch === false)).toBe(true);
  });

  it("has no internet path: no gateway, NAT, EIP, and route tables with no routes", () => {
    const synthesized = synthesizedFixture();
    for (const type of ["aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route"]) {
      expect(resourcesOf(synthesized, type)).toEqual({});
    }
    const tables = Object.values(resourcesOf(synthesized, "aws_route_table"));
    expect(tables).toHaveLength(3);
    expect(tables.every((table) => table.route === undefined)).toBe(true);
    expect(Object.values(resourcesOf(synthesized, "aws_route_table_association"))).toHaveLength(3);
  });

  it("strips every rule from the default security group", () => {
    expect(onlyResourceOf(synthesizedFixture(), "aws_default_security_group")).toMatchObject({ ingress: [], egress: [] });
  });

  it("routes S3 through a gateway endpoint on every private route table, open only to the platform's buckets for this account", () => {
    const synthesized = synthesizedFixture();
    const s3 = endpoints(synthesized).s3 as Config;
    expect(s3.vpc_endpoint_type).toBe("Gateway");
    expect((s3.route_table_ids as string[]).map(referencedId).sort()).toEqual(
      Object.keys(resourcesOf(synthesized, "aws_route_table")).sort(),
    );
    const [only] = statementsOf(s3.policy);
    expect(statementsOf(s3.policy)).toHaveLength(1);
    expect(only).toMatchObject({
      Sid: "ThisAccountPlatformBuckets",
      Effect: "Allow",
      Principal: "*",
      Resource: BUCKET_ARNS.flatMap((arn) => [arn, `${arn}/*`]),
      Condition: { StringEquals: { "aws:PrincipalAccount": ["111122223333"] } },
    });
    expect(only?.Action.some((action) => action.includes("*"))).toBe(false);
  });

  it("has interface endpoints with private DNS for every platform service, each policy confined to this account", () => {
    const synthesized = synthesizedFixture();
    const byService = endpoints(synthesized);
    expect(Object.keys(byService).sort()).toEqual(["databrew", "events", "glue", "kms", "logs", "monitoring", "s3", "sts"].sort());
    for (const service of INTERFACE_ENDPOINT_SERVICES.map((entry) => entry.service)) {
      const endpoint = byService[service] as Config;
      expect(endpoint).toMatchObject({ vpc_endpoint_type: "Interface", private_dns_enabled: true });
      expect(endpoint.subnet_ids).toHaveLength(3);
      for (const policyStatement of statementsOf(endpoint.policy)) {
        expect(policyStatement.Condition).toEqual({ StringEquals: { "aws:PrincipalAccount": ["111122223333"] } });
        expect(policyStatement.Action.some((action) => action.includes("*"))).toBe(false);
        const accountWide = policyStatement.Resource?.every((resource) => resource === "*" || resource.includes(":111122223333:"));
        expect(accountWide).toBe(true);
      }
    }
    expect(statement(byService.kms?.policy, "ThisAccountAccountKeys").Resource).toEqual(["arn:aws:kms:eu-central-2:111122223333:key/*"]);
  });

  it("admits only HTTPS from the VPC range to the endpoints", () => {
    const synthesized = synthesizedFixture();
    const { groupId: endpointGroup, rules } = securityGroupNamed(synthesized, "sentinel-test-vpc-endpoints");
    expect(rules).toEqual([
      expect.objectContaining({ type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["10.40.0.0/16"] }),
    ]);
    for (const endpoint of Object.values(endpoints(synthesized)).filter((e) => e.vpc_endpoint_type === "Interface")) {
      expect((endpoint.security_group_ids as string[]).map(referencedId)).toEqual([endpointGroup]);
    }
  });

  it("gives Glue a self-referencing security group whose egress is itself, the endpoints and S3", () => {
    const { rules } = securityGroupNamed(synthesizedFixture(), "sentinel-test-glue");
    const summary = rules.map((rule) => ({
      type: rule.type,
      ports: `${String(rule.from_port)}-${String(rule.to_port)}`,
      to:
        rule.self === true
          ? "self"
          : rule.prefix_list_ids !== undefined
            ? "s3"
            : rule.source_security_group_id !== undefined
              ? "endpoints"
              : "other",
    }));
    expect(summary).toEqual(
      expect.arrayContaining([
        { type: "ingress", ports: "0-65535", to: "self" },
        { type: "egress", ports: "0-65535", to: "self" },
        { type: "egress", ports: "443-443", to: "endpoints" },
        { type: "egress", ports: "443-443", to: "s3" },
      ]),
    );
    expect(summary).toHaveLength(4);
  });

  it("sends all VPC flow logs to an encrypted log group through a role only the flow-log service of this account can assume", () => {
    const synthesized = synthesizedFixture();
    const flowLog = onlyResourceOf(synthesized, "aws_flow_log");
    expect(flowLog).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs", max_aggregation_interval: 60 });
    const group = resourcesOf(synthesized, "aws_cloudwatch_log_group")[referencedId(flowLog.log_destination)];
    expect(group).toMatchObject({ name: "/sentinel/test/vpc-flow-logs", retention_in_days: 365 });
    expect(String(group?.kms_key_id)).toMatch(/^\$\{aws_kms_key\.keys_logs_key_\w+\.arn\}$/);
    const role = onlyResourceOf(synthesized, "aws_iam_role");
    expect(statement(role.assume_role_policy, "AssumedByService").Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ["111122223333"] },
      ArnLike: { "aws:SourceArn": ["arn:aws:ec2:eu-central-2:111122223333:vpc-flow-log/*"] },
    });
    const permissions = statementsOf(onlyResourceOf(synthesized, "aws_iam_role_policy").policy);
    expect(permissions.map((s) => s.Sid)).toEqual(["WriteLogsVpcFlowLogs", "FindFlowLogGroup"]);
  });

  it("exposes what Glue connections and later modules need", () => {
    const { stack, network } = networkFixture(["eu-central-2a", "eu-central-2b"]);
    expect(network.subnets.map((subnet) => [subnet.availabilityZone, subnet.cidrBlock])).toEqual([
      ["eu-central-2a", "10.40.0.0/18"],
      ["eu-central-2b", "10.40.64.0/18"],
    ]);
    expect(network.routeTableIds).toHaveLength(2);
    expect(resolveIn(stack, [network.vpcId, network.glueSecurityGroupId, network.endpointSecurityGroupId, network.s3PrefixListId])).toEqual(
      [
        expect.stringMatching(/^\$\{aws_vpc\.network_vpc_\w+\.id\}$/),
        expect.stringMatching(/^\$\{aws_security_group\.network_glue-security-group_\w+\.id\}$/),
        expect.stringMatching(/^\$\{aws_security_group\.network_endpoint-security-group_\w+\.id\}$/),
        expect.stringMatching(/^\$\{aws_vpc_endpoint\.network_s3-endpoint_\w+\.prefix_list_id\}$/),
      ],
    );
  });

  it("extends an endpoint's policy for a new call path, and refuses a service it has no endpoint for", () => {
    const { stack, network } = networkFixture();
    network.allowThroughEndpoint("events", {
      name: "scheduler-bus",
      actions: ["events:DescribeEventBus"],
      resources: ["arn:aws:events:eu-central-2:111122223333:event-bus/sentinel"],
    });
    expect(() =>
      network.allowThroughEndpoint("lambda", { name: "x", actions: ["lambda:InvokeFunction"], resources: ["arn:aws:lambda:x"] }),
    ).toThrow(/no VPC endpoint for lambda/);
    const events = endpoints(synth(stack)).events;
    expect(statementsOf(events?.policy).map((s) => s.Sid)).toEqual(["ThisAccountAccountEventBuses", "ThisAccountSchedulerBus"]);
  });
});

describe("IPv4 CIDR helpers", () => {
  it("parses, splits and detects overlap like Terraform's cidrsubnet", () => {
    expect(parseCidr("10.20.0.0/16")).toEqual({ network: 0x0a140000, prefixLength: 16 });
    expect(subnetCidr("10.20.0.0/16", 2, 3)).toBe("10.20.192.0/18");
    expect(subnetCidr("172.16.0.0/22", 2, 1)).toBe("172.16.1.0/24");
    expect(cidrsOverlap("10.20.0.0/16", "10.20.128.0/17")).toBe(true);
    expect(cidrsOverlap("10.20.0.0/16", "10.21.0.0/16")).toBe(false);
    expect(isPrivateCidr("192.168.4.0/22")).toBe(true);
    expect(isPrivateCidr("172.32.0.0/16")).toBe(false);
  });

  it("refuses host bits, malformed blocks and out-of-range subnets", () => {
    expect(() => parseCidr("10.20.0.1/16")).toThrow(/host bits set; the network address is 10.20.0.0\/16/);
    expect(() => parseCidr("10.300.0.0/16")).toThrow(/not an IPv4 CIDR/);
    expect(() => subnetCidr("10.20.0.0/16", 2, 4)).toThrow(/blocks 0..3, not 4/);
  });
});

describe("DNS firewall", () => {
  it("allows the region's AWS service names, the VPC's internal names and its reverse zone, nothing else", () => {
    expect(allowedDomains("eu-central-2", "10.20.0.0/16")).toEqual([
      "*.eu-central-2.amazonaws.com.",
      "eu-central-2.compute.internal.",
      "*.eu-central-2.compute.internal.",
      "*.10.in-addr.arpa.",
    ]);
    expect(allowedDomains("us-east-1", "172.20.0.0/16")).toEqual([
      "*.us-east-1.amazonaws.com.",
      "us-east-1.compute.internal.",
      "*.us-east-1.compute.internal.",
      "ec2.internal.",
      "*.ec2.internal.",
      "*.20.172.in-addr.arpa.",
    ]);
  });

  it("blocks every other name with NODATA after the allow rule, on the VPC, failing closed", () => {
    const synthesized = synthesizedFixture();
    const lists = resourcesOf(synthesized, "aws_route53_resolver_firewall_domain_list");
    const rules = Object.values(resourcesOf(synthesized, "aws_route53_resolver_firewall_rule")).sort(
      (a, b) => Number(a.priority) - Number(b.priority),
    );
    expect(rules.map((rule) => [rule.action, rule.block_response, lists[referencedId(rule.firewall_domain_list_id)]?.domains])).toEqual([
      ["ALLOW", undefined, allowedDomains("eu-central-2", "10.40.0.0/16")],
      ["BLOCK", "NODATA", ["*"]],
    ]);
    const association = onlyResourceOf(synthesized, "aws_route53_resolver_firewall_rule_group_association");
    expect(association).toMatchObject({ mutation_protection: "ENABLED" });
    expect(referencedId(association.vpc_id)).toBe(
      referencedId(onlyResourceOf(synthesized, "aws_route53_resolver_firewall_config").resource_id),
    );
    expect(onlyResourceOf(synthesized, "aws_route53_resolver_firewall_config").firewall_fail_open).toBe("DISABLED");
  });
});
