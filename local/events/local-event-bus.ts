/**
 * Delivers service events the way the deployed EventBridge rules say: every enabled rule on the default
 * bus whose pattern matches (the deployed pattern itself is evaluated, so a wrong pattern in the stack
 * fails locally too) sends the event, or its transformed input, to each Lambda target. A failed delivery
 * is retried as Lambda retries asynchronous invocations (twice), then recorded as undelivered, which is
 * where AWS would dead-letter it.
 */
import { ListRulesCommand, ListTargetsByRuleCommand, type EventBridgeClient, type Rule, type Target } from "@aws-sdk/client-eventbridge";
import { matchesEventPattern } from "./event-pattern";
import type { EventBridgeEvent } from "./job-state-events";
import { targetInput } from "./input-transformer";

export interface FunctionInvoker {
  invoke(functionArn: string, payload: unknown): Promise<unknown>;
}

export interface Delivery {
  readonly rule: string;
  readonly target: string;
  readonly functionArn: string;
  readonly attempts: number;
  readonly result?: unknown;
  /** set when every attempt failed: the event went to the rule target's dead-letter queue on AWS */
  readonly error?: string;
}

/** Lambda retries a failed asynchronous invocation twice; the local bus waits this long between tries. */
const RETRY_DELAYS_MS = [1_000, 2_000];

export class LocalEventBus {
  private rules: Promise<Array<{ rule: Rule; targets: Target[] }>> | undefined;

  constructor(
    private readonly events: EventBridgeClient,
    private readonly functions: FunctionInvoker,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  private deployedRules(): Promise<Array<{ rule: Rule; targets: Target[] }>> {
    this.rules ??= (async () => {
      const rules: Rule[] = [];
      let token: string | undefined;
      do {
        const page = await this.events.send(new ListRulesCommand({ NextToken: token }));
        rules.push(...(page.Rules ?? []).filter((rule) => rule.State === "ENABLED" && rule.EventPattern !== undefined));
        token = page.NextToken;
      } while (token !== undefined);
      return Promise.all(
        rules.map(async (rule) => ({
          rule,
          targets: (await this.events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }))).Targets ?? [],
        })),
      );
    })();
    return this.rules;
  }

  /** Rules (by name) whose pattern matches the event. */
  async matchingRules(event: EventBridgeEvent): Promise<Array<{ rule: Rule; targets: Target[] }>> {
    return (await this.deployedRules()).filter(({ rule }) => matchesEventPattern(rule.EventPattern as string, event));
  }

  async put(event: EventBridgeEvent): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const { rule, targets } of await this.matchingRules(event)) {
      for (const target of targets) {
        const functionArn = target.Arn ?? "";
        if (!functionArn.includes(":lambda:")) continue;
        deliveries.push(await this.deliver(rule.Name ?? "", target, functionArn, targetInput(target, event)));
      }
    }
    return deliveries;
  }

  private async deliver(rule: string, target: Target, functionArn: string, payload: unknown): Promise<Delivery> {
    let lastError = "";
    for (let attempt = 1; attempt <= RETRY_DELAYS_MS.length + 1; attempt++) {
      try {
        return { rule, target: target.Id ?? "", functionArn, attempts: attempt, result: await this.functions.invoke(functionArn, payload) };
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const delay = RETRY_DELAYS_MS[attempt - 1];
        if (delay !== undefined) await this.sleep(delay);
      }
    }
    return { rule, target: target.Id ?? "", functionArn, attempts: RETRY_DELAYS_MS.length + 1, error: lastError };
  }
}
