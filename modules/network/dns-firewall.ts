/**
 * A Route 53 Resolver DNS Firewall on the VPC: names of the AWS services the platform calls (in the
 * environment's region) and the VPC's own private names resolve; every other query gets an empty
 * answer (NODATA). Without it, a process in the VPC could tunnel data out through DNS queries for a
 * domain whose authoritative server an attacker runs, despite the network having no internet path.
 *
 * The firewall fails closed: if it cannot evaluate a query, the query is blocked.
 */
import { Route53ResolverFirewallConfig } from "@cdktf/provider-aws/lib/route53-resolver-firewall-config";
import { Route53ResolverFirewallDomainList } from "@cdktf/provider-aws/lib/route53-resolver-firewall-domain-list";
import { Route53ResolverFirewallRule } from "@cdktf/provider-aws/lib/route53-resolver-firewall-rule";
import { Route53ResolverFirewallRuleGroup } from "@cdktf/provider-aws/lib/route53-resolver-firewall-rule-group";
import { Route53ResolverFirewallRuleGroupAssociation } from "@cdktf/provider-aws/lib/route53-resolver-firewall-rule-group-association";
import { Construct } from "constructs";
import { parseCidr } from "./cidr";

export interface DnsFirewallProps {
  /** e.g. sentinel-dev. */
  readonly namePrefix: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly region: string;
}

/**
 * The names the VPC may resolve:
 * - `*.<region>.amazonaws.com`: the regional service endpoints (private DNS of the interface
 *   endpoints, the S3 gateway endpoint's regional and virtual-hosted bucket names);
 * - `<region>.compute.internal` (and `ec2.internal` in us-east-1): the private host names Spark's
 *   driver and executors use to find each other inside Glue;
 * - the VPC range's reverse zone: reverse lookups of the workers' private addresses.
 * Nothing else: a reverse zone or a domain outside AWS's could carry queries to a server an
 * attacker reads.
 */
export function allowedDomains(region: string, vpcCidr: string): string[] {
  const [first, second] = formatOctets(vpcCidr);
  const reverseZone = first === "10" ? `*.10.in-addr.arpa.` : `*.${second}.${first}.in-addr.arpa.`;
  return [
    `*.${region}.amazonaws.com.`,
    `${region}.compute.internal.`,
    `*.${region}.compute.internal.`,
    ...(region === "us-east-1" ? ["ec2.internal.", "*.ec2.internal."] : []),
    reverseZone,
  ];
}

function formatOctets(cidr: string): string[] {
  const { network } = parseCidr(cidr);
  return [24, 16].map((shift) => String(Math.floor(network / 2 ** shift) % 256));
}

export class DnsFirewall extends Construct {
  readonly ruleGroupId: string;

  constructor(scope: Construct, id: string, props: DnsFirewallProps) {
    super(scope, id);
    const allowed = new Route53ResolverFirewallDomainList(this, "allowed-domains", {
      name: `${props.namePrefix}-aws-domains`,
      domains: allowedDomains(props.region, props.vpcCidr),
    });
    const everything = new Route53ResolverFirewallDomainList(this, "all-domains", {
      name: `${props.namePrefix}-all-domains`,
      domains: ["*"],
    });
    const group = new Route53ResolverFirewallRuleGroup(this, "rule-group", { name: `${props.namePrefix}-dns-firewall` });
    new Route53ResolverFirewallRule(this, "allow-aws", {
      name: "allow-aws-service-domains",
      firewallRuleGroupId: group.id,
      firewallDomainListId: allowed.id,
      priority: 100,
      action: "ALLOW",
    });
    new Route53ResolverFirewallRule(this, "block-rest", {
      name: "block-every-other-domain",
      firewallRuleGroupId: group.id,
      firewallDomainListId: everything.id,
      priority: 200,
      action: "BLOCK",
      blockResponse: "NODATA",
    });
    new Route53ResolverFirewallRuleGroupAssociation(this, "association", {
      name: `${props.namePrefix}-dns-firewall`,
      firewallRuleGroupId: group.id,
      vpcId: props.vpcId,
      priority: 101,
      // Changing the association (and so switching the filter off) takes an explicit step first.
      mutationProtection: "ENABLED",
    });
    new Route53ResolverFirewallConfig(this, "config", { resourceId: props.vpcId, firewallFailOpen: "DISABLED" });
    this.ruleGroupId = group.id;
  }
}
