/**
 * Key-policy statements that let an AWS service encrypt and decrypt under a platform key on this
 * account's behalf: EventBridge delivering to an encrypted queue or topic, CloudWatch alarms
 * publishing to an encrypted topic. The aws:SourceAccount condition keeps another account's rule
 * or alarm from using the key (confused deputy). Identical statements are merged, so every module
 * that needs the same service may ask.
 */
import type { PlatformKey } from "./platform-key";
import { sidFragment } from "../iam/sid";

export function allowServiceToUseKey(key: PlatformKey, servicePrincipal: string, accountId: string): void {
  const service = sidFragment(servicePrincipal.split(".")[0] ?? servicePrincipal);
  key.keyPolicy.addStatement({
    sid: `${service}EncryptsForThisAccount`,
    principals: [{ type: "Service", identifiers: [servicePrincipal] }],
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    resources: ["*"],
    conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
  });
}
