/**
 * The S3 gateway endpoint, modelled by the emulator (local/emulator_vpc_endpoint.py): requests on an endpoint's listener
 * carry aws:SourceVpce (and aws:SourceVpc), requests on the ordinary TLS listener do not, so the platform's
 * DenyObjectAccessOutsideVpc statement (its exact condition block) lets the one through and refuses the other; a
 * listener opens only for an S3 gateway endpoint the emulator holds; and S3GatewayEndpoints gives a component in a
 * subnet the listener of its VPC's S3 gateway endpoint, or none when that VPC has none.
 */
import { resolve } from "node:path";
import { CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { S3GatewayEndpoints } from "../../local/emulator/s3-gateway-endpoints";

const ROOT = resolve(import.meta.dirname, "..", "..");
const REGION = EMULATOR_CREDENTIALS.region;
const BUCKET = "inside-the-vpc";
let emulator: Emulator;
let ec2: EC2Client;
let outside: S3Client;
let vpcId: string;
let subnetId: string;
let endpointId: string;

const s3Over = (endpoint: string) => new S3Client({ ...emulatorClientConfig(endpoint), forcePathStyle: true, maxAttempts: 1 });

async function createVpc(cidr: string): Promise<{ vpc: string; subnet: string }> {
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr.replace("/16", "/24") }))).Subnet!.SubnetId!;
  return { vpc, subnet };
}

/** DenyObjectAccessOutsideVpc as modules/storage/data-bucket.ts restrictToNetwork synthesizes it (no carve-outs). */
function denyOutsideVpc(allowedEndpoints: readonly string[]) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyObjectAccessOutsideVpc",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        Resource: [`arn:aws:s3:::${BUCKET}/*`],
        Condition: {
          StringNotEqualsIfExists: { "aws:SourceVpce": allowedEndpoints },
          BoolIfExists: { "aws:ViaAWSService": ["false"], "aws:PrincipalIsAWSService": ["false"] },
        },
      },
    ],
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: ROOT });
  ec2 = new EC2Client(emulatorClientConfig(emulator.tlsEndpoint));
  outside = s3Over(emulator.tlsEndpoint);
  ({ vpc: vpcId, subnet: subnetId } = await createVpc("10.20.0.0/16"));
  const created = await ec2.send(
    new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: `com.amazonaws.${REGION}.s3`, VpcEndpointType: "Gateway" }),
  );
  endpointId = created.VpcEndpoint!.VpcEndpointId!;
  await outside.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await outside.send(new PutObjectCommand({ Bucket: BUCKET, Key: "landing/a.csv", Body: "a,b\n" }));
});
afterAll(async () => {
  ec2?.destroy();
  outside?.destroy();
  await emulator?.stop();
});

describe("the S3 gateway endpoint's listener", () => {
  it("is allowed what DenyObjectAccessOutsideVpc refuses on the ordinary TLS listener", async () => {
    await outside.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(denyOutsideVpc([endpointId])) }));
    const inside = s3Over(await emulator.vpcEndpoint(endpointId));
    try {
      const read = await inside.send(new GetObjectCommand({ Bucket: BUCKET, Key: "landing/a.csv" }));
      expect(await read.Body!.transformToString()).toBe("a,b\n");
      await expect(outside.send(new GetObjectCommand({ Bucket: BUCKET, Key: "landing/a.csv" }))).rejects.toMatchObject({
        name: "AccessDenied",
        message: expect.stringContaining("s3:GetObject") as unknown,
      });
    } finally {
      inside.destroy();
    }
  });

  it("carries its own endpoint's id: a policy naming another endpoint refuses it too", async () => {
    await outside.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(denyOutsideVpc(["vpce-0another"])) }));
    const inside = s3Over(await emulator.vpcEndpoint(endpointId));
    try {
      await expect(inside.send(new GetObjectCommand({ Bucket: BUCKET, Key: "landing/a.csv" }))).rejects.toMatchObject({
        name: "AccessDenied",
      });
    } finally {
      inside.destroy();
    }
  });

  it("is one listener per endpoint, opened again on the same port", async () => {
    expect(await emulator.vpcEndpoint(endpointId)).toBe(await emulator.vpcEndpoint(endpointId));
  });

  it("opens only for an S3 gateway endpoint the emulator holds", async () => {
    await expect(emulator.vpcEndpoint("vpce-0000000000000000")).rejects.toThrow(/holds no VPC endpoint vpce-0000000000000000/);
    const kms = await ec2.send(
      new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: `com.amazonaws.${REGION}.kms`, VpcEndpointType: "Interface" }),
    );
    await expect(emulator.vpcEndpoint(kms.VpcEndpoint!.VpcEndpointId!)).rejects.toThrow(/not an S3 gateway endpoint/);
  });
});

describe("S3GatewayEndpoints", () => {
  it("gives a component in a subnet the listener of its VPC's S3 gateway endpoint, and none in a VPC without one", async () => {
    const gateways = new S3GatewayEndpoints(ec2, emulator, REGION);
    expect(await gateways.forSubnet(subnetId)).toBe(await emulator.vpcEndpoint(endpointId));
    const { subnet: isolated } = await createVpc("10.30.0.0/16");
    expect(await gateways.forSubnet(isolated)).toBeUndefined();
  });
});
