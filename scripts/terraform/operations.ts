/**
 * What the tf:* commands do to one synthesized stack: validate it, plan it against the emulator, and apply it to the
 * emulator, check the result through the AWS SDK, destroy it and check it is gone. Each step is timed.
 */
import { join } from "node:path";
import { EMULATOR_CREDENTIALS, type Emulator } from "../lib/emulator";
import { EMULATOR_OVERRIDE_FILE, emulatorEnv, emulatorOverride } from "./emulator-override";
import { localApplyScope, type LocalApplyScope } from "./local-exclusions";
import { summarizePlan, type PlanJson, type PlanSummary } from "./plan-summary";
import { prepareWorkDir, readStackConfig, type SynthesizedStack } from "./stacks";
import type { Terraform } from "./terraform";
import { emulatorClients, stateResources, verifyApplied, verifyDestroyed, type StateJson, type VerificationReport } from "./verify-local";

export type Timings = Record<string, number>;

/** `init -backend=false` + `validate` in a private copy: the S3 backend is never contacted. */
export async function validateStack(terraform: Terraform, stack: SynthesizedStack, workRoot: string): Promise<Timings> {
  const dir = prepareWorkDir(stack, join(workRoot, "validate", stack.name));
  const init = await terraform.run(dir, ["init", "-backend=false", "-input=false"]);
  const validate = await terraform.run(dir, ["validate"]);
  return { init: init.seconds, validate: validate.seconds };
}

export interface EmulatorPlan {
  readonly dir: string;
  readonly plan: PlanJson;
  readonly summary: PlanSummary;
  readonly timings: Timings;
}

/** A real plan against the emulator, saved as plan.bin in the working copy and read back as JSON. */
export async function planAgainstEmulator(terraform: Terraform, stack: SynthesizedStack, workRoot: string, endpoint: string): Promise<EmulatorPlan> {
  const override = emulatorOverride(readStackConfig(stack), endpoint, "terraform.tfstate");
  const dir = prepareWorkDir(stack, join(workRoot, "emulator", stack.name), { [EMULATOR_OVERRIDE_FILE]: override });
  const env = emulatorEnv(endpoint);
  const init = await terraform.run(dir, ["init", "-input=false"], { env });
  const plan = await terraform.run(dir, ["plan", "-input=false", "-lock=false", "-out=plan.bin"], { env });
  const show = await terraform.run(dir, ["show", "-json", "plan.bin"], { env });
  const planJson = JSON.parse(show.stdout) as PlanJson;
  return { dir, plan: planJson, summary: summarizePlan(planJson), timings: { init: init.seconds, plan: plan.seconds, show: show.seconds } };
}

export interface LocalApplyReport {
  readonly summary: PlanSummary;
  readonly scope: LocalApplyScope;
  readonly applied: VerificationReport;
  readonly destroyed: VerificationReport;
  /** Managed resources in the state after apply, and after destroy (must be 0). */
  readonly appliedCount: number;
  readonly leftInState: number;
  readonly timings: Timings;
}

/** The region of the stack's default AWS provider, when it is a literal. */
export function stackRegion(config: Record<string, unknown>): string {
  const aws = (config.provider as Record<string, unknown> | undefined)?.aws;
  const configs = (Array.isArray(aws) ? aws : [aws]) as Array<Record<string, unknown> | undefined>;
  const region = configs.find((provider) => provider && provider.alias === undefined)?.region;
  return typeof region === "string" && !region.includes("${") ? region : EMULATOR_CREDENTIALS.region;
}

export async function applyVerifyDestroy(terraform: Terraform, stack: SynthesizedStack, workRoot: string, emulator: Emulator): Promise<LocalApplyReport> {
  const planned = await planAgainstEmulator(terraform, stack, workRoot, emulator.endpoint);
  const scope = localApplyScope(planned.plan);
  const env = emulatorEnv(emulator.endpoint);
  const { dir } = planned;
  // The saved plan is exactly what was summarized; with exclusions Terraform plans again, limited to the targets.
  const applyArgs = scope.targets.length === 0
    ? ["apply", "-input=false", "-lock=false", "plan.bin"]
    : ["apply", "-input=false", "-lock=false", "-auto-approve", ...scope.targets.map((address) => `-target=${address}`)];
  const apply = await terraform.run(dir, applyArgs, { env });
  const state = JSON.parse((await terraform.run(dir, ["show", "-json"], { env })).stdout) as StateJson;
  const resources = stateResources(state);
  const clients = emulatorClients(emulator.endpoint, stackRegion(readStackConfig(stack)));
  const verifyStarted = process.hrtime.bigint();
  const applied = await verifyApplied(resources, clients);
  const verifySeconds = Number(process.hrtime.bigint() - verifyStarted) / 1e9;
  // Destroy even when verification failed, so the report covers both halves.
  const destroy = await terraform.run(dir, ["destroy", "-input=false", "-lock=false", "-auto-approve"], { env });
  const after = JSON.parse((await terraform.run(dir, ["show", "-json"], { env })).stdout) as StateJson;
  const destroyed = await verifyDestroyed(resources, clients);
  return {
    summary: planned.summary,
    scope,
    applied,
    destroyed,
    appliedCount: resources.length,
    leftInState: stateResources(after).length,
    timings: { ...planned.timings, apply: apply.seconds, verify: verifySeconds, destroy: destroy.seconds },
  };
}

export function localApplyFailures(report: LocalApplyReport): string[] {
  return [
    ...report.applied.failures,
    ...report.destroyed.failures,
    ...(report.leftInState > 0 ? [`${report.leftInState} resources still in the state after destroy`] : []),
  ];
}
