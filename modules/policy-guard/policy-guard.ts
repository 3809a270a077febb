/**
 * The policy guard: a cdktf Aspect that every environment stack applies. For each resource that
 * breaks a platform rule it adds an error annotation naming the rule; cdktf then refuses to
 * synthesize (App.synth / Testing.fullSynth throw "Encountered Annotations with level ERROR",
 * listing `[construct path] message`; `cdktf synth` prints them and exits non-zero).
 *
 * A construct can be exempted from one rule with PolicyGuard.exempt and a written reason; the
 * exemption is recorded in the construct's metadata and shown as an info annotation.
 */
import { Annotations, TerraformDataSource, TerraformResource, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { checkElement, type GuardRule } from "./rules";
import { StackInventory } from "./stack-inventory";

const EXEMPTION_METADATA = "sentinel:policy-guard-exemption";

/**
 * The only rules a construct may be exempted from. An exempt bucket still needs SSE-S3; nothing
 * exempts from public-access blocks, versioning, TLS, log-group encryption, the network rules or IAM.
 */
const EXEMPTABLE_RULES: readonly GuardRule[] = ["bucket-sse-kms", "bucket-access-logging"];

export interface GuardExemption {
  readonly rule: GuardRule;
  readonly reason: string;
}

export class PolicyGuard implements IAspect {
  /** Exempts `construct` from `rule`. Only for a reason AWS or the design imposes; say which. */
  static exempt(construct: IConstruct, rule: GuardRule, reason: string): void {
    if (!EXEMPTABLE_RULES.includes(rule)) throw new Error(`policy guard rule ${rule} admits no exemption`);
    if (reason.trim().length < 20) throw new Error(`exempting ${construct.node.path} from ${rule} needs a written reason`);
    construct.node.addMetadata(EXEMPTION_METADATA, { rule, reason } satisfies GuardExemption);
  }

  static exemptionsOf(construct: IConstruct): GuardExemption[] {
    return construct.node.metadata.filter((entry) => entry.type === EXEMPTION_METADATA).map((entry) => entry.data as GuardExemption);
  }

  private readonly inventories = new WeakMap<TerraformStack, StackInventory>();

  visit(node: IConstruct): void {
    // Aspects visit the stack before its children: start each synth from a fresh inventory.
    if (TerraformStack.isStack(node)) this.inventories.delete(node);
    if (!TerraformResource.isTerraformResource(node) && !TerraformDataSource.isTerraformDataSource(node)) return;
    const inventory = this.inventoryOf(TerraformStack.of(node));
    const element = inventory.elements.get(node.node.path);
    if (element === undefined) return;
    const exemptions = PolicyGuard.exemptionsOf(node);
    for (const exemption of exemptions) {
      Annotations.of(node).addInfo(`policy guard: exempt from ${exemption.rule}: ${exemption.reason}`);
    }
    const violations = checkElement(element, {
      inventory,
      exemptions: new Set(exemptions.map((exemption) => exemption.rule)),
    });
    for (const violation of violations) {
      Annotations.of(node).addError(`policy guard [${violation.rule}]: ${violation.message}`);
    }
  }

  private inventoryOf(stack: TerraformStack): StackInventory {
    let inventory = this.inventories.get(stack);
    if (inventory === undefined) {
      inventory = new StackInventory(stack);
      this.inventories.set(stack, inventory);
    }
    return inventory;
  }
}
