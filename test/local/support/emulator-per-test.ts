/**
 * The emulator set-up the integration and attack tests share: one local AWS emulator for the enclosing
 * describe block (started before its first test, stopped after its last), emptied with moto's reset
 * before each test so no test sees another's objects.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startEmulator, type Emulator } from "../../../local/emulator/emulator";

/** Call inside `describe`; the returned function gives the running emulator inside tests and hooks. */
export function emulatorPerTest(): () => Emulator {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  const running = (): Emulator => {
    if (emulator === undefined) throw new Error("the emulator is not started: use it inside a test or hook");
    return emulator;
  };
  beforeEach(() => running().reset());
  return running;
}
