/**
 * The code a deployed Lambda function runs: the deployment package whose SHA-256 equals the function's
 * CodeSha256, found among the archives of the synthesized stack (the handler bundles Terraform uploaded)
 * and unpacked into a local folder, as Lambda unpacks it into /var/task.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";

function archivesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return archivesUnder(path);
    return entry.name.endsWith(".zip") ? [path] : [];
  });
}

/** Lambda's CodeSha256: base64 of the SHA-256 of the deployment package. */
export function codeSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64");
}

/** Finds the archive with the given CodeSha256 under the stack folder, or throws naming what was searched. */
export function findDeploymentPackage(stackDir: string, sha256: string): string {
  const archives = archivesUnder(stackDir);
  const match = archives.find((archive) => codeSha256(readFileSync(archive)) === sha256);
  if (match === undefined) {
    throw new Error(
      `no deployment package with CodeSha256 ${sha256} among the ${archives.length} archive(s) under ${stackDir}; synthesize and apply again`,
    );
  }
  return match;
}

/** Unpacks a deployment package into `target` (replacing what was there) and returns `target`. */
export function unpackDeploymentPackage(archive: string, target: string): string {
  rmSync(target, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(archive)))) {
    if (name.endsWith("/")) continue;
    if (name.split("/").includes("..")) throw new Error(`${archive}: entry ${name} leaves the package folder`);
    const path = join(target, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  if (!statSync(target, { throwIfNoEntry: false })?.isDirectory()) mkdirSync(target, { recursive: true });
  return target;
}
