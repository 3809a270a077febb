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
 * key-pinning denies hold as on AWS, local/emulator_bucket_policy.py.) `tf:apply-local`, `cdktf deploy local` and
 * `npm start` apply all of it.
 */
export const LOCAL_APPLY_EXCLUSIONS: readonly LocalApplyExclusion[] = [];

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
