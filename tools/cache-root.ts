/**
 * The per-user cache every part of the project keeps outside the repository (the Terraform tooling's binaries and
 * provider mirror, the local run's Spark jars and loopback certificate). A module of its own, importing nothing of
 * the project, so both `local/` and `tools/terraform` can read it without one importing the other.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** ${XDG_CACHE_HOME:-$HOME/.cache}/sentinel, or SENTINEL_CACHE_DIR. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SENTINEL_CACHE_DIR) return env.SENTINEL_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "sentinel");
}
