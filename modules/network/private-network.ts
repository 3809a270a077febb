/**
 * The environment's network: a VPC with only private subnets and no path to the internet (no
 * internet or NAT gateway, no EIP, no public IP mapping, no default route). AWS APIs are reached
 * through VPC endpoints whose policies admit only this account's principals: an S3 gateway
 * endpoint limited to the platform's buckets and interface endpoints with private DNS. The
 * default security group is stripped of every rule, flow logs go to an encrypted log group, and a
 * DNS firewall resolves only AWS service and VPC-internal names.
 */
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule, type SecurityGroupRuleConfig } from "@cdktf/provider-aws/lib/security-group-rule";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import { regionalArn, type AccountScope, type EnvironmentScopeProps } from "../iam/arns";
import { PolicyDocument } from "../iam/policy-document";
import { ServiceRole } from "../iam/service-role";
import { sidFragment } from "../iam/sid";
import type { LogGroupFactory } from "../logging/log-group-factory";
import { subnetCidr } from "./cidr";
import { DnsFirewall } from "./dns-firewall";
import { INTERFACE_ENDPOINT_SERVICES, S3_ENDPOINT_ACTIONS, type InterfaceEndpointService } from "./endpoint-services";

/** The network's resources are named and tagged after namePrefix. */
export interface PrivateNetworkProps extends EnvironmentScopeProps {
  readonly vpcCidr: string;
  /** 2 or 3 zones; one private subnet each (a quarter of the VPC range). */
  readonly availabilityZones: readonly string[];
  /** Makes the flow-log group. */
  readonly logGroups: LogGroupFactory;
  /** Buckets reachable through the S3 gateway endpoint. */
  readonly bucketArns: readonly string[];
  /**
   * The services that get an interface endpoint (private DNS) in the VPC.
   * @default every service in INTERFACE_ENDPOINT_SERVICES
   */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
}

export interface PrivateSubnet {
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string;
}

/** Each private subnet gets a quarter of the VPC, leaving the last quarter free for later use. */
const SUBNET_NEW_BITS = 2;

export class PrivateNetwork extends Construct {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly subnets: readonly PrivateSubnet[];
  readonly routeTableIds: readonly string[];
  /** Lets the VPC's HTTPS clients reach the interface endpoints. */
  readonly endpointSecurityGroupId: string;
  /** For Glue network connections: self-referencing, as Glue requires for Spark traffic. */
  readonly glueSecurityGroupId: string;
  /** The S3 gateway endpoint's prefix list, for HTTPS egress rules to S3. */
  readonly s3PrefixListId: string;
  /** The S3 gateway endpoint (aws:SourceVpce of every S3 request from the VPC). */
  readonly s3EndpointId: string;
  /** Interface endpoint id per service (aws:SourceVpce of requests to that service from the VPC). */
  readonly interfaceEndpointIds: ReadonlyMap<string, string>;
  readonly dnsFirewall: DnsFirewall;
  private readonly account: AccountScope;
  private readonly endpointPolicies = new Map<string, PolicyDocument>();

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    this.account = props.account;
    this.vpcCidr = props.vpcCidr;
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      // Private DNS names of interface endpoints need DNS hostnames on.
      enableDnsHostnames: true,
      instanceTenancy: "default",
      tags: { Name: props.namePrefix },
    });
    this.vpcId = vpc.id;
    new DefaultSecurityGroup(this, "default-security-group", { vpcId: vpc.id, ingress: [], egress: [] });

    const routeTableIds: string[] = [];
    this.subnets = props.availabilityZones.map((zone, index) => {
      const cidrBlock = subnetCidr(props.vpcCidr, SUBNET_NEW_BITS, index);
      const subnet = new Subnet(this, `private-${zone}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock,
        mapPublicIpOnLaunch: false,
        assignIpv6AddressOnCreation: false,
        tags: { Name: `${props.namePrefix}-private-${zone}` },
      });
      const routeTable = new RouteTable(this, `private-routes-${zone}`, {
        vpcId: vpc.id,
        tags: { Name: `${props.namePrefix}-private-${zone}` },
      });
      new RouteTableAssociation(this, `private-routes-${zone}-association`, {
        subnetId: subnet.id,
        routeTableId: routeTable.id,
      });
      routeTableIds.push(routeTable.id);
      return { subnetId: subnet.id, availabilityZone: zone, cidrBlock };
    });
    this.routeTableIds = routeTableIds;

    const s3Endpoint = new VpcEndpoint(this, "s3-endpoint", {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${props.account.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds,
      policy: this.endpointPolicy("s3").toJson(),
      tags: { Name: `${props.namePrefix}-s3` },
    });
    this.s3PrefixListId = s3Endpoint.prefixListId;
    this.s3EndpointId = s3Endpoint.id;
    this.allowThroughEndpoint("s3", {
      name: "PlatformBuckets",
      actions: S3_ENDPOINT_ACTIONS,
      resources: props.bucketArns.flatMap((arn) => [arn, `${arn}/*`]),
    });

    const endpointSecurityGroup = new SecurityGroup(this, "endpoint-security-group", {
      name: `${props.namePrefix}-vpc-endpoints`,
      description: "HTTPS from inside the VPC to the interface endpoints",
      vpcId: vpc.id,
      revokeRulesOnDelete: true,
      tags: { Name: `${props.namePrefix}-vpc-endpoints` },
    });
    this.endpointSecurityGroupId = endpointSecurityGroup.id;
    new SecurityGroupRule(this, "endpoint-https-from-vpc", {
      securityGroupId: endpointSecurityGroup.id,
      type: "ingress",
      description: "HTTPS from the VPC range",
      protocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrBlocks: [props.vpcCidr],
    });

    const subnetIds = this.subnets.map((subnet) => subnet.subnetId);
    const interfaceEndpointIds = new Map<string, string>();
    this.interfaceEndpointIds = interfaceEndpointIds;
    for (const endpoint of props.interfaceEndpoints ?? INTERFACE_ENDPOINT_SERVICES) {
      const interfaceEndpoint = new VpcEndpoint(this, `${endpoint.service}-endpoint`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${props.account.region}.${endpoint.service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds,
        securityGroupIds: [endpointSecurityGroup.id],
        policy: this.endpointPolicy(endpoint.service).toJson(),
        tags: { Name: `${props.namePrefix}-${endpoint.service}` },
      });
      interfaceEndpointIds.set(endpoint.service, interfaceEndpoint.id);
      for (const grant of endpoint.grants) {
        this.allowThroughEndpoint(endpoint.service, { ...grant, resources: grant.resources(props.account) });
      }
    }

    this.glueSecurityGroupId = this.glueSecurityGroup(props.namePrefix, vpc.id);
    this.flowLogs(props, vpc.id);
    this.dnsFirewall = new DnsFirewall(this, "dns-firewall", {
      namePrefix: props.namePrefix,
      vpcId: vpc.id,
      vpcCidr: props.vpcCidr,
      region: props.account.region,
    });
  }

  /**
   * Lets this account's principals call `actions` on `resources` through the endpoint of
   * `service` (s3, glue, logs, ...). Modules that add a call path extend the endpoint here.
   */
  allowThroughEndpoint(
    service: string,
    grant: { readonly name: string; readonly actions: readonly string[]; readonly resources: readonly string[] },
  ): void {
    const policy = this.endpointPolicies.get(service);
    if (policy === undefined) throw new Error(`the network has no VPC endpoint for ${service}`);
    policy.addStatement({
      sid: `ThisAccount${sidFragment(grant.name)}`,
      principals: "*",
      actions: grant.actions,
      resources: grant.resources,
      conditions: [{ test: "StringEquals", variable: "aws:PrincipalAccount", values: [this.account.accountId] }],
    });
  }

  private endpointPolicy(service: string): PolicyDocument {
    const policy = PolicyDocument.resource(`${service}-endpoint-policy`);
    this.endpointPolicies.set(service, policy);
    return policy;
  }

  /**
   * Glue requires a security group that admits all TCP from itself (Spark driver <-> executors).
   * Egress is limited to that same group, HTTPS to the interface endpoints and HTTPS to S3.
   */
  private glueSecurityGroup(namePrefix: string, vpcId: string): string {
    const group = new SecurityGroup(this, "glue-security-group", {
      name: `${namePrefix}-glue`,
      description: "Glue job network interfaces: self-referencing for Spark, HTTPS to AWS endpoints",
      vpcId,
      revokeRulesOnDelete: true,
      tags: { Name: `${namePrefix}-glue` },
    });
    const rule = (id: string, config: Omit<SecurityGroupRuleConfig, "securityGroupId" | "protocol">) =>
      new SecurityGroupRule(this, id, { securityGroupId: group.id, protocol: "tcp", ...config });
    rule("glue-from-itself", {
      type: "ingress",
      description: "All TCP between Glue workers of this group",
      fromPort: 0,
      toPort: 65535,
      selfAttribute: true,
    });
    rule("glue-to-itself", {
      type: "egress",
      description: "All TCP between Glue workers of this group",
      fromPort: 0,
      toPort: 65535,
      selfAttribute: true,
    });
    this.allowHttpsToAws(this, group.id, "glue-", "HTTPS to the interface endpoints");
    return group.id;
  }

  /**
   * Lets a workload's security group reach AWS from this VPC: HTTPS to the interface endpoints and to S3
   * through the gateway endpoint, nothing else. The two egress rules are made in `scope` as
   * `<idPrefix>to-endpoints` and `<idPrefix>to-s3`.
   */
  allowHttpsToAws(scope: Construct, securityGroupId: string, idPrefix: string, endpointsDescription: string): void {
    const egress = { securityGroupId, type: "egress", protocol: "tcp", fromPort: 443, toPort: 443 };
    new SecurityGroupRule(scope, `${idPrefix}to-endpoints`, {
      ...egress,
      description: endpointsDescription,
      sourceSecurityGroupId: this.endpointSecurityGroupId,
    });
    new SecurityGroupRule(scope, `${idPrefix}to-s3`, {
      ...egress,
      description: "HTTPS to S3 through the gateway endpoint",
      prefixListIds: [this.s3PrefixListId],
    });
  }

  private flowLogs(props: PrivateNetworkProps, vpcId: string): void {
    const logGroup = props.logGroups.create({ purpose: "vpc-flow-logs" });
    const role = new ServiceRole(this, "flow-logs-role", {
      roleName: `${props.namePrefix}-vpc-flow-logs`,
      description: "VPC Flow Logs delivery to the encrypted flow-log group",
      servicePrincipal: "vpc-flow-logs.amazonaws.com",
      account: props.account,
      sourceArnLike: regionalArn(props.account, "ec2", "vpc-flow-log/*"),
    });
    logGroup.grantWrite(role.policy);
    role.policy.addStatement({
      sid: "FindFlowLogGroup",
      actions: ["logs:DescribeLogGroups"],
      resources: [regionalArn(props.account, "logs", "log-group:*")],
    });
    new FlowLog(this, "flow-log", {
      vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.logGroupArn,
      iamRoleArn: role.roleArn,
      maxAggregationInterval: 60,
      tags: { Name: `${props.namePrefix}-vpc-flow-logs` },
    });
  }
}
