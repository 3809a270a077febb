/**
 * Resources the local apply leaves out because the emulator (moto) lacks an API they need, and the computation of
 * what that means for a given plan: the declared resources, everything that references them (it could not be
 * created either), and the -target list of everything else. Excluded resources stay in `tf:plan`.
 *
 * Every entry must be listed, with the same error, in docs/environments.md (a unit test checks this).
 */
import type { ConfigModule, ConfigResource, PlanJson } from "./plan-summary";

export interface LocalApplyExclusion {
  /** Terraform resource type left out of the local apply. */
  readonly resourceType: string;
  /** Why the emulator cannot hold it. */
  readonly reason: string;
  /** The emulator's own error when the provider tries, verbatim (shortened only at the ends). */
  readonly emulatorError: string;
}

/**
 * Empty: the emulator holds every resource of the local stack. (The bucket policies and the access logging that needs
 * them were the last: the emulator now evaluates a bucket policy's conditions and serves TLS, so the TLS-only and
 * key-pinning denies hold as on AWS, local/emulator_bucket_policy.py.) `tf:apply-local` and `cdktf deploy local`
 * apply all of it; `npm start` leaves out what its pipeline cannot yet run under, LOCAL_RUN_EXCLUSIONS.
 */
export const LOCAL_APPLY_EXCLUSIONS: readonly LocalApplyExclusion[] = [];

/**
 * What `npm start`'s apply leaves out on top of LOCAL_APPLY_EXCLUSIONS: resources the emulator holds, but under which
 * the local pipeline's components cannot yet run, because they do not reach S3 the way the policy expects them to on
 * AWS. Every entry must be listed, with the same error, in docs/environments.md.
 */
export const LOCAL_RUN_EXCLUSIONS: readonly LocalApplyExclusion[] = [
  {
    resourceType: "aws_s3_bucket_policy",
    reason:
      "the emulator evaluates the policies as AWS does, and npm start's components do not all reach S3 as the policies require: the local service front (the Glue job-run, DataBrew and PutEvents stand-ins, which the harness, the handler workers and the sentinel CLI call) still speaks plain HTTP, which DenyInsecureTransport refuses (the first refusal of a run with the policies applied: a HEAD of the run's window record in the lineage-audit bucket, while the run is prepared); beyond transport, the harness writes keys/ and restores state/ as the local deployer user where the artifacts bucket lets only the deployer role and the job role write, and the Glue job reads the artifacts and raw buckets from no VPC endpoint (aws:SourceVpce absent), which DenyObjectAccessOutsideVpc refuses",
    emulatorError:
      '"HEAD /sentinel-local-lineage-audit-123456789012/run-windows/card-transactions/2026-12-04/attempt-1.json HTTP/1.1" 403 (npm start: "Prepare the card-transactions run: tokenization key and input: UnknownError")',
  },
  {
    resourceType: "aws_s3_bucket_logging",
    reason: "needs the access-log bucket's policy (above), which grants the logging service delivery",
    emulatorError:
      "api error InvalidTargetBucketForLogging: You must either provide the necessary permissions to the logging service using a bucket policy or give the log-delivery group WRITE and READ_ACP permissions to the target bucket",
  },
];

export interface ExcludedResource {
  readonly address: string;
  /** The declared exclusion that (directly or through references) keeps this resource out. */
  readonly exclusion: LocalApplyExclusion;
  /** For a resource excluded because it references an excluded one: that resource's address. */
  readonly references?: string;
}

export interface LocalApplyScope {
  readonly excluded: readonly ExcludedResource[];
  /** Managed resources to apply, as -target addresses; empty when nothing is excluded (apply everything). */
  readonly targets: readonly string[];
}

function referencesIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, into);
  } else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "references" && Array.isArray(inner)) {
        for (const reference of inner) if (typeof reference === "string") into.add(reference);
      } else {
        referencesIn(inner, into);
      }
    }
  }
  return into;
}

function refersTo(reference: string, address: string): boolean {
  return reference === address || reference.startsWith(`${address}.`) || reference.startsWith(`${address}[`);
}

function rootResources(root: ConfigModule | undefined): readonly ConfigResource[] {
  if (root?.module_calls && Object.keys(root.module_calls).length > 0) {
    // Synthesized stacks are flat; a module call would hide references this analysis does not follow.
    throw new Error("the plan configuration has module calls; local exclusions only understand a flat root module");
  }
  return root?.resources ?? [];
}

export function localApplyScope(plan: PlanJson, exclusions: readonly LocalApplyExclusion[] = LOCAL_APPLY_EXCLUSIONS): LocalApplyScope {
  const resources = rootResources(plan.configuration?.root_module);
  const excluded = new Map<string, ExcludedResource>();
  for (const resource of resources) {
    const exclusion = exclusions.find((candidate) => candidate.resourceType === resource.type && resource.mode === "managed");
    if (exclusion) excluded.set(resource.address, { address: resource.address, exclusion });
  }
  const dependencies = new Map(
    resources.map((resource) => [resource.address, [...referencesIn(resource.expressions, new Set(resource.depends_on ?? []))]]),
  );
  // Propagate until nothing changes: a resource referencing an excluded one cannot be created either.
  for (let changed = excluded.size > 0; changed;) {
    changed = false;
    for (const resource of resources) {
      if (excluded.has(resource.address)) continue;
      const blocker = [...excluded.values()].find(({ address }) =>
        dependencies.get(resource.address)!.some((ref) => refersTo(ref, address)),
      );
      if (blocker !== undefined) {
        excluded.set(resource.address, { address: resource.address, exclusion: blocker.exclusion, references: blocker.address });
        changed = true;
      }
    }
  }
  const targets =
    excluded.size === 0 ? [] : resources.filter((r) => r.mode === "managed" && !excluded.has(r.address)).map((r) => r.address);
  return { excluded: [...excluded.values()], targets };
}

/**
 * Resources the local apply creates but the emulator cannot delete: before `terraform destroy` they are removed from
 * the state (`terraform state rm`) and reported, and the post-destroy check does not expect them gone. Every entry must
 * be listed, with the same error, in docs/environments.md.
 */
export const LOCAL_DESTROY_EXCEPTIONS: readonly LocalApplyExclusion[] = [];
