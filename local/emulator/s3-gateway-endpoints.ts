/**
 * Where a component that runs inside the VPC on AWS sends its S3 requests locally. On AWS the Glue job (through its
 * connection's subnet) and the Lambda handlers (through their vpc_config) reach S3 from the VPC, through its S3 gateway
 * endpoint, so their requests carry aws:SourceVpce, which the raw and artifacts buckets' DenyObjectAccessOutsideVpc
 * requires. Locally the emulator has one listener per S3 gateway endpoint (local/emulator_vpc_endpoint.py): a component
 * in a subnet is given the listener of the gateway endpoint of that subnet's VPC, as its route table would send it there.
 * A VPC without one has no such path: its components get undefined and stay on the emulator's ordinary TLS listener,
 * where aws:SourceVpce is absent, as it is for a request that leaves such a VPC on AWS.
 */
import { DescribeSubnetsCommand, DescribeVpcEndpointsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { Emulator } from "./emulator";

export class S3GatewayEndpoints {
  private readonly listeners = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly ec2: EC2Client,
    private readonly emulator: Pick<Emulator, "vpcEndpoint">,
    private readonly region: string,
  ) {}

  /** The emulator endpoint (https) through which a component in `subnetId` reaches S3, or undefined (see above). */
  forSubnet(subnetId: string): Promise<string | undefined> {
    let listener = this.listeners.get(subnetId);
    if (listener === undefined) {
      listener = this.resolve(subnetId);
      this.listeners.set(subnetId, listener);
      listener.catch(() => this.listeners.delete(subnetId));
    }
    return listener;
  }

  private async resolve(subnetId: string): Promise<string | undefined> {
    const { Subnets: subnets } = await this.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    const vpcId = subnets?.[0]?.VpcId;
    if (vpcId === undefined) throw new Error(`subnet ${subnetId} is not in the local environment`);
    const { VpcEndpoints: endpoints = [] } = await this.ec2.send(new DescribeVpcEndpointsCommand({}));
    const gateway = endpoints.find(
      (endpoint) =>
        endpoint.VpcId === vpcId &&
        endpoint.VpcEndpointType?.toLowerCase() === "gateway" &&
        endpoint.ServiceName === `com.amazonaws.${this.region}.s3`,
    );
    return gateway?.VpcEndpointId === undefined ? undefined : this.emulator.vpcEndpoint(gateway.VpcEndpointId);
  }
}
