/**
 * The idempotency guard. Glue StartJobRun has no client token, so the trigger first claims the run window
 * with a create-only write (`If-None-Match: *`) of `run-windows/<profile>/<run date>/attempt-<n>.json` in the
 * lineage/audit bucket: of any number of deliveries of the same schedule event, exactly one creates it.
 * The claim records progress (which job runs were started) with compare-and-swap writes, so a retry after
 * a failed start resumes where it stopped, and a lease lets a retry take over from an invocation that died.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { createJsonIfAbsent, readJson, replaceJsonIfUnchanged } from "../shared/object-store";
import type { RunWindow } from "../../contracts/run-identity";

export const runWindowClaim = z.object({
  schema_version: z.literal(1),
  pipeline_run_id: z.string(),
  profile: z.string(),
  run_date: z.string(),
  attempt: z.number().int(),
  /** claimed: an invocation is starting the jobs; started: all started; start_failed: a retry may take over */
  status: z.enum(["claimed", "started", "start_failed"]),
  /** request id of the invocation holding the claim */
  claimed_by: z.string(),
  lease_expires_at: z.iso.datetime(),
  databrew_run_id: z.string().optional(),
  glue_job_run_id: z.string().optional(),
  /** the Glue run's --metrics_location: identifies the run if a crash hid its id */
  metrics_location: z.string(),
  updated_at: z.iso.datetime(),
});
export type RunWindowClaim = z.infer<typeof runWindowClaim>;

export function runWindowKey(window: RunWindow): string {
  return `run-windows/${window.profile}/${window.runDate}/attempt-${window.attempt}.json`;
}

/** A claim this invocation holds, with the ETag that proves nobody changed it since. */
export interface HeldClaim {
  readonly claim: RunWindowClaim;
  readonly etag: string;
  /** true when a previous invocation held it before (a retry): some jobs may already be running */
  readonly resumed: boolean;
}

export type ClaimAttempt =
  | { readonly kind: "acquired"; readonly held: HeldClaim }
  | { readonly kind: "already_started"; readonly claim: RunWindowClaim }
  | { readonly kind: "in_progress"; readonly claim: RunWindowClaim };

/** The claim changed under an invocation that thought it held it (its lease expired and a retry took over). */
export class ClaimLostError extends Error {
  override readonly name = "ClaimLostError";
}

export class RunWindowClaims {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async acquire(window: RunWindow, fresh: RunWindowClaim, now: Date): Promise<ClaimAttempt> {
    const key = runWindowKey(window);
    // Each pass either settles or observes a write by another invocation; a few passes always suffice.
    for (let pass = 0; pass < 5; pass++) {
      const created = await createJsonIfAbsent(this.s3, this.bucket, key, fresh);
      if (created.outcome === "created") return { kind: "acquired", held: { claim: fresh, etag: created.etag, resumed: false } };
      const stored = await readJson(this.s3, this.bucket, key);
      if (stored === undefined) continue;
      const existing = runWindowClaim.parse(stored.body);
      if (existing.status === "started") return { kind: "already_started", claim: existing };
      if (existing.status === "claimed" && Date.parse(existing.lease_expires_at) > now.getTime())
        return { kind: "in_progress", claim: existing };
      const takeover: RunWindowClaim = {
        ...existing,
        status: "claimed",
        claimed_by: fresh.claimed_by,
        lease_expires_at: fresh.lease_expires_at,
        updated_at: fresh.updated_at,
      };
      const swapped = await replaceJsonIfUnchanged(this.s3, this.bucket, key, takeover, stored.etag);
      if (swapped.outcome === "replaced") return { kind: "acquired", held: { claim: takeover, etag: swapped.etag, resumed: true } };
    }
    throw new Error(`run window ${key}: the claim kept changing; giving up`);
  }

  /** Records progress on a held claim; throws ClaimLostError if someone else wrote it meanwhile. */
  async update(window: RunWindow, held: HeldClaim, changes: Partial<RunWindowClaim>): Promise<HeldClaim> {
    const key = runWindowKey(window);
    const claim = { ...held.claim, ...changes };
    const swapped = await replaceJsonIfUnchanged(this.s3, this.bucket, key, claim, held.etag);
    if (swapped.outcome === "changed") throw new ClaimLostError(`run window ${key} was taken over by another invocation`);
    return { claim, etag: swapped.etag, resumed: held.resumed };
  }
}
