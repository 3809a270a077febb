/**
 * A readable summary of a saved plan (`terraform show -json <plan>`): how many managed resources of each type it
 * would create, update, replace or delete.
 */

/** The parts of Terraform's JSON plan representation this project reads. */
export interface PlanJson {
  readonly resource_changes?: ReadonlyArray<{
    readonly address: string;
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly change: { readonly actions: readonly string[]; readonly before?: unknown; readonly after?: unknown };
  }>;
  readonly configuration?: { readonly root_module?: ConfigModule };
}

export interface ConfigModule {
  readonly resources?: ReadonlyArray<ConfigResource>;
  readonly module_calls?: Record<string, unknown>;
}

export interface ConfigResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly expressions?: unknown;
  readonly depends_on?: readonly string[];
}

export type PlanAction = "create" | "update" | "replace" | "delete" | "read" | "no-op";

/** Terraform writes a replacement as ["delete","create"] or ["create","delete"]. */
export function planAction(actions: readonly string[]): PlanAction {
  if (actions.includes("create") && actions.includes("delete")) return "replace";
  const [only] = actions;
  if (actions.length === 1 && (only === "create" || only === "update" || only === "delete" || only === "read" || only === "no-op"))
    return only;
  throw new Error(`unexpected plan actions: ${JSON.stringify(actions)}`);
}

export interface PlanSummary {
  readonly totals: Readonly<Record<PlanAction, number>>;
  /** Per resource type, sorted by type: counts of each action that occurs. */
  readonly byType: ReadonlyArray<{ readonly type: string; readonly counts: Partial<Record<PlanAction, number>> }>;
}

export function summarizePlan(plan: PlanJson): PlanSummary {
  const totals: Record<PlanAction, number> = { create: 0, update: 0, replace: 0, delete: 0, read: 0, "no-op": 0 };
  const byType = new Map<string, Partial<Record<PlanAction, number>>>();
  for (const change of plan.resource_changes ?? []) {
    if (change.mode !== "managed") continue;
    const action = planAction(change.change.actions);
    totals[action] += 1;
    const counts = byType.get(change.type) ?? {};
    counts[action] = (counts[action] ?? 0) + 1;
    byType.set(change.type, counts);
  }
  return {
    totals,
    byType: [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, counts]) => ({ type, counts })),
  };
}

const SHOWN_ACTIONS: readonly PlanAction[] = ["create", "update", "replace", "delete"];

export function formatPlanSummary(title: string, summary: PlanSummary): string {
  const { totals } = summary;
  const lines = [
    `${title}: ${totals.create} to create, ${totals.update} to update, ${totals.replace} to replace, ${totals.delete} to delete` +
      (totals["no-op"] > 0 ? `, ${totals["no-op"]} unchanged` : ""),
  ];
  const width = Math.max(0, ...summary.byType.map(({ type }) => type.length));
  for (const { type, counts } of summary.byType) {
    const parts = SHOWN_ACTIONS.filter((action) => counts[action]).map((action) => `${action} ${counts[action]}`);
    if (parts.length > 0) lines.push(`  ${type.padEnd(width)}  ${parts.join(", ")}`);
  }
  return lines.join("\n");
}
