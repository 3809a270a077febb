/**
 * The per-user cache the Terraform tooling keeps outside the repository: built binaries, the slim provider's
 * filesystem mirror, Terraform's plugin cache for registry installs.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** Terraform's name for this machine's platform, e.g. linux_amd64. */
export const PLATFORM = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;

/** ${XDG_CACHE_HOME:-$HOME/.cache}/sentinel, or SENTINEL_CACHE_DIR. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SENTINEL_CACHE_DIR) return env.SENTINEL_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "sentinel");
}
