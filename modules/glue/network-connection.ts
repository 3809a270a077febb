/**
 * A Glue NETWORK connection: jobs that use it get their network interfaces in one private subnet of
 * the VPC with the Glue security group, so Spark traffic stays inside the VPC and AWS APIs are reached
 * through the VPC endpoints only (there is no internet path).
 */
import { GlueConnection } from "@cdktf/provider-aws/lib/glue-connection";
import { Construct } from "constructs";
import { regionalArn, type AccountScope } from "../iam/arns";
import type { PolicyDocument } from "../iam/policy-document";
import { EC2_NETWORK_DESCRIBE_ACTIONS } from "../iam/rules";
import type { PrivateSubnet } from "../network/private-network";

export interface GlueNetworkConnectionProps {
  /** e.g. sentinel-dev-private-network. */
  readonly name: string;
  readonly subnet: PrivateSubnet;
  /** The self-referencing Glue security group of the network module. */
  readonly securityGroupId: string;
  readonly account: AccountScope;
}

export class GlueNetworkConnection extends Construct {
  readonly connectionName: string;
  readonly connectionArn: string;
  readonly subnet: PrivateSubnet;
  readonly securityGroupId: string;
  private readonly account: AccountScope;

  constructor(scope: Construct, id: string, props: GlueNetworkConnectionProps) {
    super(scope, id);
    this.account = props.account;
    this.subnet = props.subnet;
    this.securityGroupId = props.securityGroupId;
    const connection = new GlueConnection(this, "connection", {
      name: props.name,
      description: "Private subnet and security group for Sentinel's Glue jobs (no internet path)",
      connectionType: "NETWORK",
      physicalConnectionRequirements: {
        availabilityZone: props.subnet.availabilityZone,
        subnetId: props.subnet.subnetId,
        securityGroupIdList: [props.securityGroupId],
      },
    });
    this.connectionName = connection.name;
    this.connectionArn = regionalArn(props.account, "glue", `connection/${props.name}`);
  }

  /**
   * What a job role needs to run inside the VPC: read the connection, and create, describe and delete
   * the network interfaces Glue places in the subnet (creation confined to this subnet and group).
   */
  grantUse(policy: PolicyDocument): void {
    const ec2 = (resource: string) => regionalArn(this.account, "ec2", resource);
    policy
      .addStatement({
        sid: "ReadGlueNetworkConnection",
        actions: ["glue:GetConnection"],
        resources: [regionalArn(this.account, "glue", "catalog"), this.connectionArn],
      })
      .addStatement({
        sid: "CreateJobNetworkInterfaces",
        actions: ["ec2:CreateNetworkInterface"],
        resources: [ec2(`subnet/${this.subnet.subnetId}`), ec2(`security-group/${this.securityGroupId}`), ec2("network-interface/*")],
      })
      .addStatement({
        // Only interfaces in the job's subnet: the ones Glue created for it, not any of the account's.
        sid: "DeleteJobNetworkInterfaces",
        actions: ["ec2:DeleteNetworkInterface"],
        resources: [ec2("network-interface/*")],
        conditions: [{ test: "ArnEquals", variable: "ec2:Subnet", values: [ec2(`subnet/${this.subnet.subnetId}`)] }],
      })
      .addStatement({
        // Glue marks the interfaces it manages with this one tag key, and needs no other.
        sid: "TagJobNetworkInterfaces",
        actions: ["ec2:CreateTags", "ec2:DeleteTags"],
        resources: [ec2("network-interface/*")],
        conditions: [{ test: "ForAllValues:StringEquals", variable: "aws:TagKeys", values: ["aws-glue-service-resource"] }],
      })
      .addStatement({
        sid: "DescribeJobNetwork",
        actions: [...EC2_NETWORK_DESCRIBE_ACTIONS],
        resources: ["*"],
      });
  }
}
