/**
 * Where an environment keeps its Terraform state. AWS environments: an S3 object encrypted with
 * the environment's state key, locked with Terraform's S3 lockfile (Terraform >= 1.10). The
 * emulator environment: a local file, since the emulator's resources die with the emulator.
 */
import { LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { EnvironmentConfig } from "./config/schema";

export function configureStateBackend(stack: TerraformStack, config: EnvironmentConfig): void {
  const backend = config.stateBackend;
  if (backend.kind === "local") {
    new LocalBackend(stack, { path: backend.path });
    return;
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: `sentinel/${config.name}/terraform.tfstate`,
    region: backend.region,
    encrypt: true,
    kmsKeyId: backend.kmsKeyArn,
  });
  // cdktf 0.21's S3BackendConfig predates use_lockfile (it only knows DynamoDB locking), so the
  // argument is added through the backend's override escape hatch.
  s3.addOverride("use_lockfile", true);
}
