/**
 * The per-user cache the Terraform tooling keeps outside the repository: built binaries, the slim provider's
 * filesystem mirror, Terraform's plugin cache for registry installs.
 */

/** Terraform's name for this machine's platform, e.g. linux_amd64. */
export const PLATFORM = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;

export { cacheRoot } from "../cache-root";
