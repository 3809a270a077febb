/**
 * Per-deployment inputs that are not code: Terraform variables with validation blocks, supplied
 * from a tfvars file (see terraform.tfvars.example). Terraform checks them before it plans.
 * The local emulator environment gives them defaults that match the emulator (moto's account).
 */
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";

/** moto's default account id, which the emulator's STS reports. */
export const EMULATOR_ACCOUNT_ID = "123456789012";

const PRINCIPAL_ARN = "^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$";

export interface PlatformInputsProps {
  /** True for the emulator environment: defaults, plus the emulator's endpoint. */
  readonly emulator: boolean;
}

export class PlatformInputs extends Construct {
  /** AWS account the environment is deployed to; an AWS environment's provider refuses any other. */
  readonly accountId: string;
  /** Where alarms are e-mailed (monitoring). */
  readonly alarmEmail: string;
  /** IAM roles or users that read lineage records and audit events (access). */
  readonly auditorPrincipalArns: string[];
  /** IAM roles or users that read the processed tier (access). */
  readonly dataScientistPrincipalArns: string[];
  /** IAM roles or users that may assume the break-glass re-identification role (access). */
  readonly reidentificationPrincipalArns: string[];
  /** The emulator's URL, e.g. http://127.0.0.1:5000; emulator environment only. */
  readonly emulatorEndpoint?: string;

  constructor(scope: Construct, id: string, props: PlatformInputsProps) {
    super(scope, id);
    const declare = (name: string, config: ConstructorParameters<typeof TerraformVariable>[2]) => {
      const variable = new TerraformVariable(this, name, { nullable: false, ...config });
      variable.overrideLogicalId(name);
      return variable;
    };
    this.accountId = declare("account_id", {
      type: "string",
      description: "12-digit id of the AWS account this environment is deployed to.",
      default: props.emulator ? EMULATOR_ACCOUNT_ID : undefined,
      validation: [
        {
          condition: '${can(regex("^[0-9]{12}$", var.account_id))}',
          errorMessage: "account_id must be a 12-digit AWS account id, e.g. 111122223333.",
        },
      ],
    }).stringValue;
    this.alarmEmail = declare("alarm_email", {
      type: "string",
      description: "E-mail address that receives the platform's alarms.",
      default: props.emulator ? "alarms@sentinel.invalid" : undefined,
      validation: [
        {
          condition: '${can(regex("^[^@ ]+@[^@ ]+[.][^@ ]+$", var.alarm_email))}',
          errorMessage: "alarm_email must be an e-mail address like data-platform-alerts@example.com.",
        },
      ],
    }).stringValue;
    this.auditorPrincipalArns = declare(
      "auditor_principal_arns",
      principalList("auditor_principal_arns", "auditors", props.emulator),
    ).listValue;
    this.dataScientistPrincipalArns = declare(
      "data_scientist_principal_arns",
      principalList("data_scientist_principal_arns", "data scientists", props.emulator),
    ).listValue;
    this.reidentificationPrincipalArns = declare(
      "reidentification_principal_arns",
      principalList("reidentification_principal_arns", "people who may re-identify tokens (break-glass)", props.emulator),
    ).listValue;
    if (props.emulator) {
      this.emulatorEndpoint = declare("emulator_endpoint", {
        type: "string",
        description: "URL of the local AWS API emulator.",
        default: "http://127.0.0.1:5000",
        validation: [
          {
            condition: '${can(regex("^http://(127[.]0[.]0[.]1|localhost):[0-9]{1,5}$", var.emulator_endpoint))}',
            errorMessage: "emulator_endpoint must be a loopback URL like http://127.0.0.1:5000: the emulator never leaves this machine.",
          },
        ],
      }).stringValue;
    }
  }
}

function principalList(name: string, who: string, emulator: boolean): ConstructorParameters<typeof TerraformVariable>[2] {
  return {
    type: "list(string)",
    description: `IAM role or user ARNs of the ${who}.`,
    default: emulator ? [] : undefined,
    validation: [
      {
        condition: `\${alltrue([for arn in var.${name} : can(regex("${PRINCIPAL_ARN}", arn))])}`,
        errorMessage: `${name} must list IAM role or user ARNs like arn:aws:iam::111122223333:role/fraud-auditor.`,
      },
    ],
  };
}
