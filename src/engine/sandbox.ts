import { join } from "node:path";
import type { RunningEmulator, UndeliverableOptions } from "../emulator/index.js";

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
 * The sandbox's clock (its emulator's, persisted with its data), moved forward by `advanceMs`
 * first when that is not 0: `campaignctl sandbox clock advance 2h` lets a user watch a cancel
 * window close. Call it only while no --sandbox run is going (hold the sandbox state's lock): a
 * running sandbox keeps its own copy of the clock and would write it back.
 */
export async function sandboxClock(root: string, advanceMs: number): Promise<Date> {
  const { advanceStoredClock } = await import("../emulator/index.js");
  return advanceStoredClock(join(root, SANDBOX_DATA_DIR), advanceMs);
}

/** Emulator settings a --sandbox run may be given (from CAMPAIGNCTL_SANDBOX_* variables). */
export interface SandboxOptions {
  /** Rows that pass Lob's rules but fail as undeliverable, for campaigns sent in this run. */
  readonly undeliverable?: UndeliverableOptions;
  /** Validation speed (default 200 000 rows/s). */
  readonly processingRowsPerSecond?: number;
}

/**
 * `--sandbox`: start the emulator in this process on a free port, persisting under
 * .campaignctl/sandbox/ so a later command sees what an earlier one created. Imported lazily so
 * commands that do not need it never load the emulator.
 */
export async function startSandbox(cwd: string, options: SandboxOptions = {}): Promise<Sandbox> {
  const { startEmulator } = await import("../emulator/index.js");
  const emulator = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(cwd, SANDBOX_DATA_DIR),
    // Fast enough that a demo send finishes validating in moments, like a small real campaign.
    processingRowsPerSecond: options.processingRowsPerSecond ?? 200_000,
    ...(options.undeliverable ? { undeliverable: options.undeliverable } : {}),
  });
  return { apiKey: SANDBOX_API_KEY, baseUrl: emulator.url, emulator, close: () => emulator.close() };
}
