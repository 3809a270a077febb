/**
 * EventBridge PutEvents for the local run: the handlers put their audit events on the default bus
 * (handlers/audit/audit-event-sender.ts) and the local bus delivers them by the deployed rules, as
 * EventBridge does, so the audit function records (and signs) them. Each entry becomes the envelope
 * EventBridge builds: a fresh id, the account and region of the local environment, the time of the call.
 * As on AWS, the call succeeds once the events are accepted; a failed delivery is the bus's to record.
 */
import { randomUUID } from "node:crypto";
import { json11, json11Error, type ApiResponse } from "./api-response";
import type { EventBridgeEvent } from "../events/job-state-events";

interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: string[];
}

export interface EventDelivery {
  put(event: EventBridgeEvent): Promise<unknown>;
}

export class PutEventsApi {
  private target: { readonly bus: EventDelivery; readonly account: string; readonly region: string } | undefined;

  /** The bus exists after the functions it delivers to, which use the service front: connect it then. */
  connect(bus: EventDelivery, scope: { readonly account: string; readonly region: string }): void {
    this.target = { bus, ...scope };
  }

  async handle(body: string): Promise<ApiResponse> {
    if (this.target === undefined) return json11Error(500, "InternalException", "the local event bus is not connected yet");
    const entries = ((body === "" ? {} : JSON.parse(body)) as { Entries?: PutEventsEntry[] }).Entries ?? [];
    const results: Array<{ EventId: string } | { ErrorCode: string; ErrorMessage: string }> = [];
    for (const entry of entries) {
      if (entry.Source === undefined || entry.DetailType === undefined || entry.Detail === undefined) {
        results.push({ ErrorCode: "MalformedDetail", ErrorMessage: "Source, DetailType and Detail are required" });
        continue;
      }
      const id = randomUUID();
      const event: EventBridgeEvent = {
        version: "0",
        id,
        "detail-type": entry.DetailType,
        source: entry.Source,
        account: this.target.account,
        time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: this.target.region,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail) as Record<string, unknown>,
      };
      await this.target.bus.put(event);
      results.push({ EventId: id });
    }
    return json11(200, { FailedEntryCount: results.filter((result) => "ErrorCode" in result).length, Entries: results });
  }
}
