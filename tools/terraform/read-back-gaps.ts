/**
 * Attributes the emulator (moto 5.2.5) does not read back as they were applied, so a plan right after a local apply
 * would update them (operations.ts, replanChanges). A declared gap excuses an in-place update of exactly these
 * attributes and nothing else: a replacement, or any other attribute, still fails the local apply's check. The ones
 * fixed in the emulator instead are in local/emulator_read_back.py; today that is all of them, so the list is empty and
 * a plan right after the local apply must show no changes at all. Every entry is listed in docs/environments.md.
 */

export interface ReadBackGap {
  /** Terraform resource type. */
  readonly resourceType: string;
  /** Top-level attribute the emulator does not return as applied. */
  readonly attribute: string;
  /** What the emulator answers instead. */
  readonly emulatorGap: string;
}

export const READ_BACK_GAPS: readonly ReadBackGap[] = [];

/** Whether a planned change is only an in-place update of declared read-back gaps (READ_BACK_GAPS unless given) of its type. */
export function onlyReadBackGaps(
  type: string,
  actions: readonly string[],
  changedAttributes: readonly string[],
  gaps: readonly ReadBackGap[] = READ_BACK_GAPS,
): boolean {
  const declared = new Set(gaps.filter((gap) => gap.resourceType === type).map((gap) => gap.attribute));
  return (
    actions.length === 1 && actions[0] === "update" && changedAttributes.length > 0 && changedAttributes.every((name) => declared.has(name))
  );
}
