/**
 * Signed chain heads: after each event it records, the audit handler signs (run id, seq, hash) of the
 * chain's head with an asymmetric KMS key (ECC_NIST_P256, ECDSA_SHA_256) whose Sign permission only the
 * audit handler's role holds, and stores the signature write-once next to the chain index at
 * `audit-chain/<run id>/heads/<seq>.json`. Like CloudTrail's signed digest files, this makes the hash
 * chain keyed: whoever can write the log stream or the bucket can still make a self-consistent chain,
 * but cannot make a head that verifies under the public key. A verifier needs only that public key:
 * - a head whose signature does not verify, or that names an event the stream does not hold with that
 *   hash: forged;
 * - events after the newest valid signed head: appended;
 * - a signed head with a seq beyond the stream's last event: truncated.
 */
import { createPublicKey, createVerify, type KeyObject } from "node:crypto";
import { GetPublicKeyCommand, SignCommand, type KMSClient } from "@aws-sdk/client-kms";
import canonicalize from "canonicalize";
import { z } from "zod";
import { auditRunId } from "./audit-event";

export const SIGNING_ALGORITHM = "ECDSA_SHA_256";
const SEQ_DIGITS = 10;

export const signedHeadSchema = z.object({
  schema_version: z.literal(1),
  run_id: auditRunId,
  seq: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  signed_at: z.iso.datetime(),
  /** ARN of the KMS key that signed (informational: verification uses the public key it is given). */
  key_id: z.string().min(1),
  signing_algorithm: z.literal(SIGNING_ALGORITHM),
  /** base64 DER ECDSA signature over the RFC 8785 canonical JSON of every other field */
  signature: z.string().min(1),
});
export type SignedHead = z.infer<typeof signedHeadSchema>;
export type UnsignedHead = Omit<SignedHead, "signature">;

export function signedHeadPrefix(runId: string): string {
  return `audit-chain/${runId}/heads/`;
}

export function signedHeadKey(runId: string, seq: number): string {
  return `${signedHeadPrefix(runId)}${String(seq).padStart(SEQ_DIGITS, "0")}.json`;
}

/** The bytes that are signed: canonical JSON of the head without its signature. */
export function headMessage(head: UnsignedHead | SignedHead): Buffer {
  const unsigned = Object.fromEntries(Object.entries(head).filter(([field]) => field !== "signature"));
  const canonical = canonicalize(unsigned);
  if (canonical === undefined) throw new Error("signed head has no canonical JSON form");
  return Buffer.from(canonical, "utf8");
}

/** Something that signs chain heads: the audit handler's KMS key (tests may use a local key). */
export interface HeadSigner {
  readonly keyId: string;
  sign(message: Buffer): Promise<Buffer>;
}

export class KmsHeadSigner implements HeadSigner {
  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(message: Buffer): Promise<Buffer> {
    // MessageType RAW: KMS hashes with SHA-256 itself (messages are far below its 4 KiB limit).
    const response = await this.kms.send(
      new SignCommand({ KeyId: this.keyId, Message: message, MessageType: "RAW", SigningAlgorithm: SIGNING_ALGORITHM }),
    );
    if (response.Signature === undefined) throw new Error(`KMS Sign with ${this.keyId} returned no signature`);
    return Buffer.from(response.Signature);
  }
}

export async function signHead(signer: HeadSigner, head: { run_id: string; seq: number; hash: string }, now: Date): Promise<SignedHead> {
  const unsigned: UnsignedHead = {
    schema_version: 1,
    run_id: head.run_id,
    seq: head.seq,
    hash: head.hash,
    signed_at: now.toISOString(),
    key_id: signer.keyId,
    signing_algorithm: SIGNING_ALGORITHM,
  };
  const signature = await signer.sign(headMessage(unsigned));
  return { ...unsigned, signature: signature.toString("base64") };
}

export function verifyHeadSignature(head: SignedHead, publicKey: KeyObject): boolean {
  const verifier = createVerify("sha256");
  verifier.update(headMessage(head));
  try {
    return verifier.verify({ key: publicKey, dsaEncoding: "der" }, Buffer.from(head.signature, "base64"));
  } catch {
    return false;
  }
}

/** The signing key's public half from KMS (GetPublicKey returns DER SubjectPublicKeyInfo). */
export async function kmsPublicKey(kms: KMSClient, keyId: string): Promise<KeyObject> {
  const response = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (response.PublicKey === undefined) throw new Error(`KMS GetPublicKey for ${keyId} returned no key`);
  return createPublicKey({ key: Buffer.from(response.PublicKey), format: "der", type: "spki" });
}

/** A PEM public key file, e.g. one exported once from GetPublicKey and kept by the auditor. */
export function pemPublicKey(pem: string): KeyObject {
  return createPublicKey({ key: pem, format: "pem" });
}
