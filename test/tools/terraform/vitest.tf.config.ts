import { defineConfig } from "vitest/config";

/**
 * The Terraform tier (tools/terraform/tier.ts): tests that run the real Terraform CLI and AWS provider. Kept out of
 * the default vitest run, which has no Terraform binaries to assume.
 */
export default defineConfig({
  test: {
    include: ["test/tools/terraform/**/*.tf-test.ts"],
    testTimeout: 15 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
