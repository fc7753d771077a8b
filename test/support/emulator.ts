import { afterAll, beforeAll } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import type { EmulatorOptions, RunningEmulator } from "../../src/emulator/index.js";

/**
 * The one way tests start an emulator: in this process, on a free port of the loopback address,
 * in memory unless `dataDir` is given. The caller closes it.
 */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, host: "127.0.0.1", ...options });
}

/**
 * One emulator shared by the tests of a file (or of the describe block that calls this): started
 * before the first of them, closed after the last. Call it at the top level of the file or block;
 * the handle it returns forwards to the running emulator, so `emulator.url` reads as usual.
 * Hooks registered after this one see it started, and are undone before it closes.
 */
export function useEmulator(options: EmulatorOptions = {}): RunningEmulator {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    running = await startTestEmulator(options);
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  return new Proxy({} as RunningEmulator, {
    get(_target, property) {
      if (!running) {
        throw new Error(
          "the test emulator is not running here: use it inside tests or hooks, not at load time",
        );
      }
      return Reflect.get(running, property, running);
    },
  });
}
