import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../local/emulator/emulator";

describe("local AWS emulator harness", () => {
  it("starts moto on a loopback port, answers, and leaves no process after stop", async () => {
    const emulator = await startEmulator();
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${emulator.endpoint}/moto-api/`);
    expect(response.status).toBe(200);
    await emulator.stop();
    const listing = execFileSync("ps", ["-eo", "args"]).toString();
    expect(listing).not.toContain(`-p ${emulator.port}`);
  });
});
