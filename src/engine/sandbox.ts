import { join } from "node:path";
import type { RunningEmulator } from "../emulator/index.js";

/** The key the embedded sandbox uses: a test key, so its world is the emulator's test mode. */
export const SANDBOX_API_KEY = "test_campaignctl_sandbox";

export const SANDBOX_DATA_DIR = ".campaignctl/sandbox/emulator";

export interface Sandbox {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly emulator: RunningEmulator;
  close(): Promise<void>;
}

/**
 * `--sandbox`: start the emulator in this process on a free port, persisting under
 * .campaignctl/sandbox/ so a later command sees what an earlier one created. Imported lazily so
 * commands that do not need it never load the emulator.
 */
export async function startSandbox(cwd: string): Promise<Sandbox> {
  const { startEmulator } = await import("../emulator/index.js");
  const emulator = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(cwd, SANDBOX_DATA_DIR),
    // Fast enough that a demo send finishes validating in moments, like a small real campaign.
    processingRowsPerSecond: 200_000,
  });
  return { apiKey: SANDBOX_API_KEY, baseUrl: emulator.url, emulator, close: () => emulator.close() };
}
