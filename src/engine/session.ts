import { hostname } from "node:os";
import { registerSecret } from "../core/active-secrets.js";
import type { LobClient, LobClientEvent } from "../lob/client.js";
import { createLobClient } from "../lob/client.js";
import { resolveTarget } from "../lob/target.js";
import {
  assertTargetMatches,
  newState,
  normalizeApiUrl,
  openStateStore,
  resolveStatePath,
} from "../state/index.js";
import type { StateFile, StateLock, StateStore, StateTarget } from "../state/types.js";
import type { Project } from "../project/types.js";
import type { Reporter } from "./events.js";
import type { Sandbox } from "./sandbox.js";
import { startSandbox } from "./sandbox.js";

export interface SessionOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly sandbox: boolean;
  readonly statePath?: string;
  /** The project (src/project/): the state, the sandbox and the caches live under its root. */
  readonly project?: Project;
  /** The command holding the lock, for holder info ("apply", "destroy", …). */
  readonly command: string;
  /** Wait this long for another run's lock (ms). */
  readonly lockTimeoutMs: number;
  /** True for commands that never write the state: no lock is taken. */
  readonly readOnly?: boolean;
  readonly reporter: Reporter;
  readonly onClientEvent?: (event: LobClientEvent) => void;
  /** Called on SIGINT/SIGTERM before the lock is released and the process exits (128 + signo). */
  readonly onInterrupt?: (signal: NodeJS.Signals) => void;
}

/** Everything a command needs to talk to Lob and the state, opened together and closed together. */
export interface Session {
  readonly client: LobClient;
  readonly store: StateStore;
  readonly target: StateTarget;
  /** The state as read (or a fresh one, not yet written). */
  readonly state: StateFile;
  readonly secrets: readonly string[];
  readonly sandbox: Sandbox | undefined;
  close(): Promise<void>;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const target = resolveTarget(options.env, { sandbox: options.sandbox });
  const root = options.project?.root ?? options.cwd;
  const statePath = resolveStatePath({
    cwd: options.cwd,
    root,
    sandbox: options.sandbox,
    ...(options.statePath ? { statePath: options.statePath } : {}),
    ...(options.project?.state !== undefined ? { projectState: options.project.state } : {}),
  });
  // LOB_API_KEY is a secret even when --sandbox leaves it unused: a manifest or a bug could still
  // carry it into the sandbox's state, plans and caches.
  const envKey = (options.env["LOB_API_KEY"] ?? "").trim();
  const secrets = [...new Set([...(target.kind === "lob" ? [target.apiKey] : []), envKey])].filter(
    (s) => s.length > 0,
  );
  for (const secret of secrets) registerSecret(secret);
  const store = openStateStore(statePath, { secrets });
  let lock: StateLock | undefined;
  let sandbox: Sandbox | undefined;
  const releaseOnExit = () => lock?.releaseSync();
  // Ctrl-C / a CI cancel: release the lock, then die the way a signal would (128 + signo).
  const releaseOnSignal = (signal: NodeJS.Signals) => {
    try {
      options.onInterrupt?.(signal);
    } catch {
      // Saying what was finished is a courtesy; releasing the lock and exiting must still happen.
    }
    lock?.releaseSync();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  try {
    // Read-only commands (status) skip the lock: state writes are atomic renames, so a reader
    // always sees a whole state, and a status during an apply must not fail on its lock.
    if (options.readOnly !== true) {
      lock = await store.lock(`${options.command} (${hostname()})`, {
        timeoutMs: options.lockTimeoutMs,
        onStaleLock: (info) =>
          options.reporter({
            type: "warn",
            message: `took over a stale state lock left by pid ${info.pid} ('${info.command}', since ${info.since}); that process is gone`,
          }),
      });
    }
    // A crash or Ctrl-C must not leave our lock behind for the next run to trip over.
    process.once("exit", releaseOnExit);
    process.once("SIGINT", releaseOnSignal);
    process.once("SIGTERM", releaseOnSignal);

    let apiKey: string;
    let baseUrl: string;
    let stateTarget: StateTarget;
    if (target.kind === "sandbox") {
      sandbox = await startSandbox(root);
      options.reporter({
        type: "info",
        message:
          "Sandbox: using a local Lob emulator (data in .campaignctl/sandbox/). Nothing will be printed or mailed.",
      });
      apiKey = sandbox.apiKey;
      baseUrl = sandbox.baseUrl;
      stateTarget = { apiUrl: "sandbox", mode: "test" };
    } else {
      apiKey = target.apiKey;
      baseUrl = target.baseUrl;
      stateTarget = { apiUrl: normalizeApiUrl(target.baseUrl), mode: target.mode };
      if (target.mode === "live") {
        options.reporter({
          type: "warn",
          message: "Using a LIVE Lob key: sends print and mail real pieces and cost money.",
        });
      }
    }
    const existing = await store.read();
    if (existing) assertTargetMatches(existing, stateTarget);
    const state = existing ?? newState(stateTarget);
    const client = createLobClient({
      apiKey,
      baseUrl,
      ...requestTimeoutFrom(options.env),
      ...(options.onClientEvent ? { onEvent: options.onClientEvent } : {}),
    });
    return {
      client,
      store,
      target: stateTarget,
      state,
      secrets,
      sandbox,
      async close() {
        process.removeListener("exit", releaseOnExit);
        process.removeListener("SIGINT", releaseOnSignal);
        process.removeListener("SIGTERM", releaseOnSignal);
        await lock?.release();
        await sandbox?.close();
      },
    };
  } catch (error) {
    process.removeListener("exit", releaseOnExit);
    process.removeListener("SIGINT", releaseOnSignal);
    process.removeListener("SIGTERM", releaseOnSignal);
    await lock?.release().catch(() => undefined);
    await sandbox?.close().catch(() => undefined);
    throw error;
  }
}

/**
 * CAMPAIGNCTL_REQUEST_TIMEOUT_MS overrides the client's 30 s request timeout: the tests of lost
 * and late creates set it short so they stay fast. Ignored unless a positive whole number.
 */
function requestTimeoutFrom(env: Readonly<Record<string, string | undefined>>): { timeoutMs?: number } {
  const ms = Number(env.CAMPAIGNCTL_REQUEST_TIMEOUT_MS);
  return Number.isInteger(ms) && ms > 0 ? { timeoutMs: ms } : {};
}
