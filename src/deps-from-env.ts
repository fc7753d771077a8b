import { hostname } from "node:os";
import { registerSecret } from "./core/active-secrets.js";
import { sleep } from "./core/sleep.js";
import type { Clock, EngineDeps, EngineLock } from "./engine/deps.js";
import type { EngineIo } from "./engine/events.js";
import type { Sandbox, SandboxOptions } from "./engine/sandbox.js";
import { CampaignctlError } from "./core/errors.js";
import type { LobClientEvent } from "./lob/client.js";
import { createLobClient } from "./lob/client.js";
import { resolveTarget } from "./lob/target.js";
import type { Project } from "./project/types.js";
import { DEFAULT_PROJECT } from "./core/tags.js";
import { normalizeApiUrl } from "./state/index.js";
import { openSelectedStore } from "./state/open.js";
import { selectState } from "./state/select.js";
import type { StateLock, StateStore, StateTarget } from "./state/types.js";

export interface EngineDepsOptions {
  readonly cwd: string;
  /** Where LOB_API_KEY, LOB_API_URL and CAMPAIGNCTL_REQUEST_TIMEOUT_MS are read: passed in, never process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--sandbox`: an embedded emulator under the project's .campaignctl/sandbox/ instead of Lob. */
  readonly sandbox: boolean;
  /** `--state`: a file path (relative to cwd) or a postgres:// URL; else CAMPAIGNCTL_STATE in env, the project's `state`, the default file. */
  readonly statePath?: string;
  /** The project: the state, the sandbox and the caches live under its root (default cwd). */
  readonly project?: Project;
  /** Wait this long for another run's lock (ms); default 0. */
  readonly lockTimeoutMs?: number;
  readonly io: EngineIo;
  /**
   * The command about to run ("apply", "status", …). With `--sandbox`, a command that writes the
   * state takes the lock before the emulator starts, so two runs never share its data directory.
   */
  readonly command?: string;
  /** True for commands that never take the lock (status). */
  readonly readOnly?: boolean;
  /**
   * Called when the state lock is taken, with the lock; returns what to undo when it is released.
   * The CLI installs its exit and Ctrl-C handlers here (cli/signals.ts); a library user may leave
   * it out and keep the process's signals to itself.
   */
  readonly onLockHeld?: (lock: StateLock) => () => void;
  readonly onClientEvent?: (event: LobClientEvent) => void;
}

export interface OpenedEngineDeps {
  readonly deps: EngineDeps;
  /** The running sandbox emulator, when `--sandbox`. */
  readonly sandbox: Sandbox | undefined;
  /** Releases a lock taken early, stops the sandbox. */
  close(): Promise<void>;
}

/**
 * Build the engine's deps the way the CLI does: the target from env (or the sandbox), the Lob
 * client, the state file and its lock, Lob's clock. A composition root like bin.ts: the engine
 * itself never reads env. Exported for library users.
 */
export async function engineDepsFromEnv(options: EngineDepsOptions): Promise<OpenedEngineDeps> {
  const target = resolveTarget(options.env, { sandbox: options.sandbox });
  const root = options.project?.root ?? options.cwd;
  const selection = selectState({
    cwd: options.cwd,
    root,
    sandbox: options.sandbox,
    ...(options.statePath ? { statePath: options.statePath } : {}),
    ...(options.env["CAMPAIGNCTL_STATE"] !== undefined ? { envState: options.env["CAMPAIGNCTL_STATE"] } : {}),
    ...(options.project?.state !== undefined ? { projectState: options.project.state } : {}),
  });
  // LOB_API_KEY is a secret even when --sandbox leaves it unused: a manifest or a bug could still
  // carry it into the sandbox's state, plans and caches.
  const envKey = (options.env["LOB_API_KEY"] ?? "").trim();
  const secrets = [...new Set([...(target.kind === "lob" ? [target.apiKey] : []), envKey])].filter(
    (s) => s.length > 0,
  );
  for (const secret of secrets) registerSecret(secret);
  const stateTarget: StateTarget =
    target.kind === "sandbox"
      ? { apiUrl: "sandbox", mode: "test" }
      : { apiUrl: normalizeApiUrl(target.baseUrl), mode: target.mode };
  const store = await openSelectedStore(selection, {
    project: options.project?.name ?? DEFAULT_PROJECT,
    target: stateTarget,
    secrets,
    fileOptions: journalOptionFrom(options.env),
  });
  const lock = fileLock(store, options);
  let early: (() => Promise<void>) | undefined;
  let sandbox: Sandbox | undefined;
  try {
    let apiKey: string;
    let baseUrl: string;
    if (target.kind === "sandbox") {
      if (options.command !== undefined && options.readOnly !== true)
        early = await lock.acquire(options.command);
      const { startSandbox } = await import("./engine/sandbox.js");
      sandbox = await startSandbox(root, { ...sandboxOptionsFrom(options.env), browserEnv: options.env });
      options.io.notify({
        type: "info",
        code: "sandbox_started",
        message:
          "Sandbox: using a local Lob emulator (data in .campaignctl/sandbox/). Nothing will be printed or mailed.",
      });
      apiKey = sandbox.apiKey;
      baseUrl = sandbox.baseUrl;
    } else {
      apiKey = target.apiKey;
      baseUrl = target.baseUrl;
      if (target.mode === "live") {
        options.io.notify({
          type: "warn",
          code: "live_key",
          message: "Using a LIVE Lob key: sends print and mail real pieces and cost money.",
        });
      }
    }
    const client = createLobClient({
      apiKey,
      baseUrl,
      ...requestTimeoutFrom(options.env),
      ...(options.onClientEvent ? { onEvent: options.onClientEvent } : {}),
    });
    // Lob's clock (from its Date headers), not ours: cancel windows and send times are Lob's.
    const clock: Clock = {
      now: () => client.serverNow(),
      sleep,
    };
    const opened = sandbox;
    return {
      deps: { client, stateStore: store, lock, io: options.io, clock, target: stateTarget },
      sandbox,
      async close() {
        await early?.();
        await opened?.close();
        await store.close();
      },
    };
  } catch (error) {
    await early?.().catch(() => undefined);
    await sandbox?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The state file's lock. Taking it a second time while held (the sandbox takes it before the
 * engine asks) shares the one hold; the file lock goes when the last hold is released.
 */
function fileLock(store: StateStore, options: EngineDepsOptions): EngineLock {
  let held: StateLock | undefined;
  let unhook: (() => void) | undefined;
  let holds = 0;
  return {
    async acquire(command) {
      if (holds === 0) {
        held = await store.lock(`${command} (${hostname()})`, {
          timeoutMs: options.lockTimeoutMs ?? 0,
          onStaleLock: (info) =>
            options.io.notify({
              type: "warn",
              code: "stale_lock_taken",
              message: `took over a stale state lock left by pid ${info.pid} ('${info.command}', since ${info.since}); that process is gone`,
            }),
        });
        unhook = options.onLockHeld?.(held);
      }
      holds += 1;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        holds -= 1;
        if (holds > 0) return;
        unhook?.();
        unhook = undefined;
        const lock = held;
        held = undefined;
        await lock?.release();
      };
    },
  };
}

/**
 * CAMPAIGNCTL_TEST_STATE_JOURNAL=always sends every commit through the journal, however small
 * the state: the crash tests use it to kill runs mid-journal (a small state is otherwise
 * rewritten whole on every commit).
 */
function journalOptionFrom(env: Readonly<Record<string, string | undefined>>): {
  snapshotBelowBytes?: number;
} {
  return env.CAMPAIGNCTL_TEST_STATE_JOURNAL === "always" ? { snapshotBelowBytes: 0 } : {};
}

/**
 * CAMPAIGNCTL_REQUEST_TIMEOUT_MS overrides the client's 30 s request timeout: the tests of lost
 * and late creates set it short so they stay fast. Ignored unless a positive whole number.
 */
function requestTimeoutFrom(env: Readonly<Record<string, string | undefined>>): { timeoutMs?: number } {
  const ms = Number(env.CAMPAIGNCTL_REQUEST_TIMEOUT_MS);
  return Number.isInteger(ms) && ms > 0 ? { timeoutMs: ms } : {};
}

/**
 * The sandbox's test settings: CAMPAIGNCTL_SANDBOX_UNDELIVERABLE_RATIO (0..1) with
 * CAMPAIGNCTL_SANDBOX_UNDELIVERABLE_SEED makes the sandbox fail that share of otherwise valid rows
 * of campaigns sent in the run, as the emulator's --undeliverable-ratio does;
 * CAMPAIGNCTL_SANDBOX_PROCESSING_RATE sets its validation speed (rows per second).
 */
export function sandboxOptionsFrom(env: Readonly<Record<string, string | undefined>>): SandboxOptions {
  const read = (name: string, ok: (n: number) => boolean, what: string): number | undefined => {
    const text = (env[name] ?? "").trim();
    if (text === "") return undefined;
    const n = Number(text);
    if (!ok(n)) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `${name} must be ${what} (it is '${text.slice(0, 20)}')`,
        hint: `set it to ${what}, or unset it`,
      });
    }
    return n;
  };
  const ratio = read(
    "CAMPAIGNCTL_SANDBOX_UNDELIVERABLE_RATIO",
    (n) => n >= 0 && n <= 1,
    "a number from 0 to 1",
  );
  const seed = read("CAMPAIGNCTL_SANDBOX_UNDELIVERABLE_SEED", Number.isInteger, "a whole number");
  const rate = read(
    "CAMPAIGNCTL_SANDBOX_PROCESSING_RATE",
    (n) => Number.isFinite(n) && n >= 1,
    "a number of rows per second >= 1",
  );
  return {
    ...(ratio !== undefined ? { undeliverable: { ratio, ...(seed !== undefined ? { seed } : {}) } } : {}),
    ...(rate !== undefined ? { processingRowsPerSecond: rate } : {}),
  };
}
