/**
 * Makes the environment's log groups with the same retention and a KMS key, under one name prefix
 * (`/sentinel/<env>/<purpose>`): VPC flow logs now; Glue, Lambda, DataBrew and audit later.
 */
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import { EncryptedLogGroup } from "./encrypted-log-group";

export interface LogGroupFactoryProps {
  /** e.g. /sentinel/dev. */
  readonly namePrefix: string;
  readonly retentionInDays: number;
  /** Key for groups that do not name another one. */
  readonly defaultKey: PlatformKey;
}

export interface LogGroupOptions {
  /** Name under the prefix, e.g. vpc-flow-logs -> /sentinel/dev/vpc-flow-logs. */
  readonly purpose: string;
  /**
   * Full name when a service dictates it (e.g. /aws/lambda/<function>).
   * @default the factory's prefix + "/" + purpose
   */
  readonly logGroupName?: string;
  /**
   * The key the log group is encrypted with.
   * @default the factory's default key
   */
  readonly key?: PlatformKey;
}

export class LogGroupFactory extends Construct {
  readonly namePrefix: string;
  readonly retentionInDays: number;
  private readonly defaultKey: PlatformKey;
  private readonly made: EncryptedLogGroup[] = [];

  constructor(scope: Construct, id: string, props: LogGroupFactoryProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    this.retentionInDays = props.retentionInDays;
    this.defaultKey = props.defaultKey;
  }

  create(options: LogGroupOptions): EncryptedLogGroup {
    const group = new EncryptedLogGroup(this, options.purpose, {
      logGroupName: options.logGroupName ?? this.nameFor(options.purpose),
      key: options.key ?? this.defaultKey,
      retentionInDays: this.retentionInDays,
    });
    this.made.push(group);
    return group;
  }

  nameFor(purpose: string): string {
    return `${this.namePrefix}/${purpose}`;
  }

  /** Every group made so far. */
  get logGroups(): readonly EncryptedLogGroup[] {
    return this.made;
  }
}
