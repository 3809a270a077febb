/**
 * tools/bootstrap.sh (run before `npm start` and `npm test`): a checkout whose node_modules or .venv links to
 * another checkout's must not reinstall through the link, which would replace the packages the other one uses.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BOOTSTRAP = join(__dirname, "..", "..", "tools", "bootstrap.sh");

/** A checkout with only what the Node step reads, and a node_modules that links to a shared directory. */
function checkoutSharingNodeModules(sharedStamp: string): { checkout: string; shared: string } {
  const root = mkdtempSync(join(tmpdir(), "bootstrap-"));
  const checkout = join(root, "checkout");
  const shared = join(root, "shared-node-modules");
  mkdirSync(join(checkout, "tools"), { recursive: true });
  copyFileSync(BOOTSTRAP, join(checkout, "tools", "bootstrap.sh"));
  writeFileSync(join(checkout, "package.json"), '{"name":"bootstrap-fixture","version":"0.0.0"}\n');
  writeFileSync(join(checkout, "package-lock.json"), '{"lockfileVersion":3}\n');
  mkdirSync(join(shared, "some-package"), { recursive: true });
  writeFileSync(join(shared, ".sentinel-stamp"), sharedStamp);
  symlinkSync(shared, join(checkout, "node_modules"));
  return { checkout, shared };
}

describe("bootstrap with a linked node_modules", () => {
  it("refuses to reinstall through the link, naming it, and leaves the shared packages alone", () => {
    const { checkout, shared } = checkoutSharingNodeModules("stamp of other lock files\n");
    const result = spawnSync("bash", [join(checkout, "tools", "bootstrap.sh")], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`node_modules is a link to ${shared}`);
    expect(result.stdout).not.toContain("npm ci");
    expect(readdirSync(shared).sort()).toEqual([".sentinel-stamp", "some-package"]);
    expect(readFileSync(join(shared, ".sentinel-stamp"), "utf8")).toBe("stamp of other lock files\n");
  });
});
