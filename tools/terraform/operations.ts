/**
 * What the tf:* commands do to one synthesized stack: validate it, plan it against the emulator, and apply it to the
 * emulator, check the result through the AWS SDK, destroy it and check it is gone. Each step is timed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { EMULATOR_CREDENTIALS, type Emulator } from "../../local/emulator/emulator";
import { ensureDeployerRole } from "../../local/emulator/emulator-deployer";
import { emptyBucketsAsDeployer } from "./empty-buckets";
import {
  EMULATOR_OVERRIDE_FILE,
  EMULATOR_TFVARS_FILE,
  emulatorEnv,
  emulatorOverride,
  emulatorVariables,
  type EmulatorAddress,
} from "./emulator-override";
import {
  LOCAL_APPLY_EXCLUSIONS,
  LOCAL_DESTROY_EXCEPTIONS,
  localApplyScope,
  type LocalApplyExclusion,
  type LocalApplyScope,
} from "./local-exclusions";
import { summarizePlan, type PlanJson, type PlanSummary } from "./plan-summary";
import { onlyReadBackGaps } from "./read-back-gaps";
import { providerVersionOverride } from "./provider-source";
import { prepareWorkDir, readStackConfig, type SynthesizedStack } from "./stacks";
import type { Terraform } from "./terraform";
import {
  emulatorClients,
  stateResources,
  verifyApplied,
  verifyDestroyed,
  type StateJson,
  type StateResource,
  type VerificationReport,
} from "./verify-local";

export type Timings = Record<string, number>;

/**
 * `terraform init` in a working copy: installs hashicorp/aws the way the toolchain says (provider-source.ts) and writes
 * the copy's .terraform.lock.hcl. `-backend=false` where the copy keeps the stack's S3 backend block (validate never
 * needs state); the emulator copies have no backend block and get local state.
 */
export async function initWorkDir(terraform: Terraform, dir: string, options: { readonly backend: boolean }): Promise<number> {
  const init = await terraform.run(dir, ["init", "-input=false", ...(options.backend ? [] : ["-backend=false"])]);
  return init.seconds;
}

/** `init` and `validate` in a private copy; validate never contacts the S3 backend. */
export async function validateStack(terraform: Terraform, stack: SynthesizedStack, workRoot: string): Promise<Timings> {
  const overrides = providerVersionOverride(readStackConfig(stack), terraform.toolchain.provider);
  const dir = prepareWorkDir(stack, join(workRoot, "validate", stack.name), { overrides });
  const init = await initWorkDir(terraform, dir, { backend: false });
  const validate = await terraform.run(dir, ["validate"]);
  return { init, validate: validate.seconds };
}

/** The account the emulator answers for (moto's default is 123456789012), as the provider will see it. */
export async function emulatorAccountId(
  endpoint: string,
  region: string,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } = EMULATOR_CREDENTIALS,
): Promise<string> {
  const sts = new STSClient({
    endpoint,
    region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  });
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error(`the emulator at ${endpoint} returned no account id`);
  return Account;
}

export interface EmulatorPlan {
  readonly dir: string;
  /** The role the provider assumed (emulator-deployer.ts), if the environment's deployer is a role. */
  readonly deployerRoleArn?: string;
  readonly plan: PlanJson;
  readonly summary: PlanSummary;
  readonly timings: Timings;
}

/** The working copy a stack is planned and applied in against the emulator (its local state included). */
export function emulatorWorkDir(workRoot: string, stackName: string): string {
  return join(workRoot, "emulator", stackName);
}

/** A real plan against the emulator, saved as plan.bin in the working copy and read back as JSON. */
export async function planAgainstEmulator(
  terraform: Terraform,
  stack: SynthesizedStack,
  workRoot: string,
  emulator: EmulatorAddress,
): Promise<EmulatorPlan> {
  const config = readStackConfig(stack);
  const accountId = await emulatorAccountId(emulator.endpoint, stackRegion(config));
  const deployer = await ensureDeployerRole(emulator.endpoint, stack.name, accountId);
  const dir = prepareWorkDir(stack, emulatorWorkDir(workRoot, stack.name), {
    overrides: {
      [EMULATOR_OVERRIDE_FILE]: emulatorOverride(config, emulator, deployer === undefined ? {} : { deployerRoleArn: deployer }),
      ...providerVersionOverride(config, terraform.toolchain.provider),
    },
    withoutBackend: true,
  });
  const init = await initWorkDir(terraform, dir, { backend: true });
  writeFileSync(join(dir, EMULATOR_TFVARS_FILE), `${JSON.stringify(emulatorVariables(config, emulator.endpoint, accountId), null, 2)}\n`);
  const env = emulatorEnv(emulator);
  const plan = await terraform.run(dir, ["plan", "-input=false", "-lock=false", "-out=plan.bin"], { env });
  const show = await terraform.run(dir, ["show", "-json", "plan.bin"], { env });
  const planJson = JSON.parse(show.stdout) as PlanJson;
  return {
    dir,
    ...(deployer === undefined ? {} : { deployerRoleArn: deployer }),
    plan: planJson,
    summary: summarizePlan(planJson),
    timings: { init, plan: plan.seconds, show: show.seconds },
  };
}

/**
 * `-parallelism` of applies and destroys against the emulator (Terraform's default is 10). The provider holds a slot
 * for every resource it waits on: each SQS queue waits >= 30 s for its attributes to propagate after create and ~2 min
 * for 15 consecutive "does not exist" answers after delete, each KMS key for its policy. With 10 slots those waits
 * queued the rest of the 247 resources behind them; the emulator answers at once, so more slots only overlap waits.
 */
export const EMULATOR_PARALLELISM = 30;

export interface LocalApplyReport {
  readonly summary: PlanSummary;
  readonly scope: LocalApplyScope;
  readonly applied: VerificationReport;
  /** What a plan right after the apply would still change (replanChanges). */
  readonly replan: Replan;
  readonly destroyed: VerificationReport;
  /** Managed resources in the state after apply, and after destroy (must be 0). */
  readonly appliedCount: number;
  readonly leftInState: number;
  /** Object versions and delete markers deleted from the buckets before destroy. */
  readonly emptied: number;
  /** Removed from the state before destroy because the emulator cannot delete them (LOCAL_DESTROY_EXCEPTIONS). */
  readonly forgotten: readonly string[];
  readonly timings: Timings;
}

/** The region of the stack's default AWS provider, when it is a literal. */
export function stackRegion(config: Record<string, unknown>): string {
  const aws = (config.provider as Record<string, unknown> | undefined)?.aws;
  const configs = (Array.isArray(aws) ? aws : [aws]) as Array<Record<string, unknown> | undefined>;
  const region = configs.find((provider) => provider && provider.alias === undefined)?.region;
  return typeof region === "string" && !region.includes("${") ? region : EMULATOR_CREDENTIALS.region;
}

export interface EmulatorApply {
  readonly dir: string;
  readonly deployerRoleArn?: string;
  readonly region: string;
  readonly summary: PlanSummary;
  readonly scope: LocalApplyScope;
  /** Managed resources in the state after apply. */
  readonly resources: readonly StateResource[];
  /** `terraform output -json`, name -> value. */
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly timings: Timings;
}

/**
 * Plans the stack against the emulator, then applies it, leaving out `exclusions` (default: the declared local
 * exclusions; they stay in the plan). The state stays in the working copy, so `destroyFromEmulator(dir)` can remove it again.
 */
export async function applyToEmulator(
  terraform: Terraform,
  stack: SynthesizedStack,
  workRoot: string,
  emulator: EmulatorAddress,
  exclusions: readonly LocalApplyExclusion[] = LOCAL_APPLY_EXCLUSIONS,
): Promise<EmulatorApply> {
  const planned = await planAgainstEmulator(terraform, stack, workRoot, emulator);
  const scope = localApplyScope(planned.plan, exclusions);
  const env = emulatorEnv(emulator);
  const { dir } = planned;
  // The saved plan is exactly what was summarized; with exclusions Terraform plans again, limited to the targets.
  const applyArgs =
    scope.targets.length === 0
      ? ["apply", "-input=false", "-lock=false", `-parallelism=${EMULATOR_PARALLELISM}`, "plan.bin"]
      : [
          "apply",
          "-input=false",
          "-lock=false",
          `-parallelism=${EMULATOR_PARALLELISM}`,
          "-auto-approve",
          ...scope.targets.map((address) => `-target=${address}`),
        ];
  const apply = await terraform.run(dir, applyArgs, { env });
  // Kept for where the apply's time goes ("Creation complete after ..." per resource).
  writeFileSync(join(dir, "apply.log"), apply.stdout);
  // A targeted apply records only the outputs that depend on targeted resources; outputs built from variables and
  // constants alone (bucket names, log group names...) are skipped. A refresh-only apply records every output.
  const outputsStarted = process.hrtime.bigint();
  if (scope.targets.length > 0)
    await terraform.run(dir, ["apply", "-refresh-only", "-input=false", "-lock=false", "-auto-approve"], { env });
  const outputsSeconds = Number(process.hrtime.bigint() - outputsStarted) / 1e9;
  const state = JSON.parse((await terraform.run(dir, ["show", "-json"], { env })).stdout) as StateJson;
  const outputs = JSON.parse((await terraform.run(dir, ["output", "-json"], { env })).stdout) as Record<string, { value: unknown }>;
  return {
    dir,
    ...(planned.deployerRoleArn === undefined ? {} : { deployerRoleArn: planned.deployerRoleArn }),
    region: stackRegion(readStackConfig(stack)),
    summary: planned.summary,
    scope,
    resources: stateResources(state),
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value])),
    timings: { ...planned.timings, apply: apply.seconds, outputs: outputsSeconds },
  };
}

export interface EmulatorDestroy {
  /** Object versions and delete markers deleted from the buckets first (Terraform deletes only empty buckets). */
  readonly emptied: number;
  /** Managed resources still in the state after destroy (0 when clean). */
  readonly left: number;
  /** Addresses removed from the state instead of destroyed, because the emulator cannot delete them. */
  readonly forgotten: readonly string[];
  readonly seconds: number;
}

/**
 * Destroys what `applyToEmulator` created. Its buckets are emptied first, as the deployer role (empty-buckets.ts says
 * why), and resources of the declared destroy exceptions are removed from the state (the emulator cannot delete them)
 * and reported as `forgotten`.
 */
export async function destroyFromEmulator(
  terraform: Terraform,
  applied: Pick<EmulatorApply, "dir" | "deployerRoleArn" | "region">,
  emulator: EmulatorAddress,
): Promise<EmulatorDestroy> {
  const { dir } = applied;
  const env = emulatorEnv(emulator);
  const before = stateResources(JSON.parse((await terraform.run(dir, ["show", "-json"], { env })).stdout) as StateJson);
  const buckets = before.filter((resource) => resource.type === "aws_s3_bucket").map((resource) => String(resource.values.bucket));
  const emptied = await emptyBucketsAsDeployer(emulator, applied.region, applied.deployerRoleArn, buckets);
  const forgotten = before
    .filter((resource) => LOCAL_DESTROY_EXCEPTIONS.some((exception) => exception.resourceType === resource.type))
    .map((resource) => resource.address);
  if (forgotten.length > 0) await terraform.run(dir, ["state", "rm", "-lock=false", ...forgotten], { env });
  const destroy = await terraform.run(
    dir,
    ["destroy", "-input=false", "-lock=false", `-parallelism=${EMULATOR_PARALLELISM}`, "-auto-approve"],
    { env },
  );
  const after = JSON.parse((await terraform.run(dir, ["show", "-json"], { env })).stdout) as StateJson;
  return { emptied, left: stateResources(after).length, forgotten, seconds: destroy.seconds };
}

export interface Replan {
  /** Changes the plan right after the apply would make, as "<address>: <actions> (<attributes>)": each is a failure. */
  readonly drift: readonly string[];
  /** In-place updates of declared read-back gaps only (read-back-gaps.ts), reported but excused. */
  readonly excused: readonly string[];
}

/**
 * Plans again right after the apply: what would still change are the resources the emulator does not read back as
 * they were applied (left-out resources excepted). Nothing may, beyond the declared read-back gaps: that is what makes
 * `cdktf diff local` against a deployed stack mean anything.
 */
export async function replanChanges(
  terraform: Terraform,
  applied: Pick<EmulatorApply, "dir" | "scope">,
  emulator: EmulatorAddress,
): Promise<Replan> {
  const env = emulatorEnv(emulator);
  await terraform.run(applied.dir, ["plan", "-input=false", "-lock=false", "-out=replan.bin"], { env });
  const replan = JSON.parse((await terraform.run(applied.dir, ["show", "-json", "replan.bin"], { env })).stdout) as PlanJson;
  const excluded = new Set(applied.scope.excluded.map(({ address }) => address));
  const drift: string[] = [];
  const excused: string[] = [];
  for (const { mode, type, address, change } of replan.resource_changes ?? []) {
    if (mode !== "managed" || excluded.has(address) || change.actions.every((action) => action === "no-op")) continue;
    const attributes = changedAttributes(change);
    const line = `${address}: ${change.actions.join("+")} (${attributes.join(", ")})`;
    (onlyReadBackGaps(type, change.actions, attributes) ? excused : drift).push(line);
  }
  return { drift, excused };
}

/** The top-level attributes whose planned value differs from the state's. */
function changedAttributes(change: { readonly before?: unknown; readonly after?: unknown }): string[] {
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]),
  );
}

export async function applyVerifyDestroy(
  terraform: Terraform,
  stack: SynthesizedStack,
  workRoot: string,
  emulator: Emulator,
): Promise<LocalApplyReport> {
  const applied = await applyToEmulator(terraform, stack, workRoot, emulator);
  const clients = emulatorClients(emulator, stackRegion(readStackConfig(stack)));
  const verifyStarted = process.hrtime.bigint();
  const present = await verifyApplied(applied.resources, clients);
  const verifySeconds = Number(process.hrtime.bigint() - verifyStarted) / 1e9;
  const replanStarted = process.hrtime.bigint();
  const replan = await replanChanges(terraform, applied, emulator);
  const replanSeconds = Number(process.hrtime.bigint() - replanStarted) / 1e9;
  // Destroy even when verification failed, so the report covers both halves.
  const destroy = await destroyFromEmulator(terraform, applied, emulator);
  const destroyed = await verifyDestroyed(
    applied.resources.filter((resource) => !destroy.forgotten.includes(resource.address)),
    clients,
  );
  return {
    summary: applied.summary,
    scope: applied.scope,
    applied: present,
    replan,
    destroyed,
    appliedCount: applied.resources.length,
    leftInState: destroy.left,
    emptied: destroy.emptied,
    forgotten: destroy.forgotten,
    timings: { ...applied.timings, verify: verifySeconds, replan: replanSeconds, destroy: destroy.seconds },
  };
}

export function localApplyFailures(report: LocalApplyReport): string[] {
  return [
    ...report.applied.failures,
    ...report.replan.drift.map((change) => `a plan right after the apply would change ${change}`),
    ...report.destroyed.failures,
    ...(report.leftInState > 0 ? [`${report.leftInState} resources still in the state after destroy`] : []),
  ];
}
